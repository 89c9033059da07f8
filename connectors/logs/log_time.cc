#include "connectors/logs/log_time.h"

#include <cmath>
#include <limits>

namespace timelined::connectors::logs {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Decimal digits without sign; nullopt on overflow.
std::optional<int64_t> ParseDigits(std::string_view s) {
  if (!AllDigits(s) || s.size() > 19) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    const int d = c - '0';
    if (v > (std::numeric_limits<int64_t>::max() - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::optional<Nanos> FromSecondsAndFraction(int64_t secs, std::string_view frac) {
  if (secs <= 0) return std::nullopt;
  int64_t nanos = 0;
  int digits = 0;
  for (char c : frac) {
    if (c < '0' || c > '9') return std::nullopt;
    if (digits < 9) {
      nanos = nanos * 10 + (c - '0');
      ++digits;
    }
  }
  for (; digits < 9; ++digits) nanos *= 10;
  return SecondsToNanos(secs, nanos);
}

std::optional<Nanos> FromDouble(double v) {
  if (!std::isfinite(v) || v <= 0 || v >= 9e18) return std::nullopt;
  // A float of milliseconds or more (e.g. 1710408370482.0) follows the integer rule.
  if (v >= 1e11) return EpochByMagnitude(std::llround(v));
  const double whole = std::floor(v);
  const auto micros = static_cast<int64_t>(std::llround((v - whole) * 1e6));
  // Seconds past 2262 do not fit in Nanos (found by the http_request fuzzer: 17734280070.48);
  // `whole` < 1e11 here, so the cast is defined; SecondsToNanos checks the rest.
  return SecondsToNanos(static_cast<int64_t>(whole), micros * 1000);
}

}  // namespace

std::optional<Nanos> EpochByMagnitude(int64_t v) {
  if (v <= 0) return std::nullopt;
  // The unit follows the magnitude; a value in that unit past 2262 (where Nanos ends) is
  // not a time, never a wrapped-around one.
  const int64_t unit = v < 100'000'000'000LL           ? kNanosPerSecond  // seconds
                       : v < 100'000'000'000'000LL     ? 1'000'000        // milliseconds
                       : v < 100'000'000'000'000'000LL ? 1'000            // microseconds
                                                       : 1;               // nanoseconds
  Nanos out = 0;
  if (__builtin_mul_overflow(v, unit, &out)) return std::nullopt;
  return out;
}

std::optional<Nanos> ParseLogTimeString(std::string_view s) {
  if (s.empty() || s.size() > 64) return std::nullopt;
  if (AllDigits(s)) {
    auto v = ParseDigits(s);
    return v ? EpochByMagnitude(*v) : std::nullopt;
  }
  if (const size_t dot = s.find('.'); dot != std::string_view::npos && dot > 0 &&
                                      AllDigits(s.substr(0, dot)) && dot + 1 < s.size()) {
    auto secs = ParseDigits(s.substr(0, dot));
    return secs ? FromSecondsAndFraction(*secs, s.substr(dot + 1)) : std::nullopt;
  }
  auto t = ParseRfc3339(s, /*allow_no_zone=*/true);
  if (!t || *t <= 0) return std::nullopt;
  return t;
}

std::optional<Nanos> ParseLogTime(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return EpochByMagnitude(static_cast<int64_t>(u));
  }
  if (value.is_number_integer()) return EpochByMagnitude(value.get<int64_t>());
  if (value.is_number_float()) return FromDouble(value.get<double>());
  if (value.is_string()) return ParseLogTimeString(value.get_ref<const std::string&>());
  return std::nullopt;
}

}  // namespace timelined::connectors::logs
