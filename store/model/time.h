#pragma once
// Time values are int64 nanoseconds since the Unix epoch, UTC. Parsing and formatting
// are pure; the current time comes from a Clock so rules and tests never read the wall.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace timelined {

using Nanos = int64_t;
inline constexpr Nanos kNanosPerSecond = 1'000'000'000;

// `secs` seconds plus `frac_nanos` nanoseconds since the epoch, or nullopt when the sum is
// outside Nanos (1677-09-21..2262-04-11): such a time is not representable, never wrapped.
constexpr std::optional<Nanos> SecondsToNanos(int64_t secs, int64_t frac_nanos = 0) {
  Nanos out = 0;
  if (__builtin_mul_overflow(secs, kNanosPerSecond, &out) ||
      __builtin_add_overflow(out, frac_nanos, &out)) {
    return std::nullopt;
  }
  return out;
}

// RFC 3339 / ISO 8601: "2026-03-14T09:26:10Z", with optional fraction (1-9 digits) and
// "Z" or "+hh:mm"/"-hh:mm" offset; also accepts a space instead of "T" and, when
// `allow_no_zone`, no zone at all (taken as UTC). nullopt on anything else.
std::optional<Nanos> ParseRfc3339(std::string_view s, bool allow_no_zone = false);
// "2026-03-14T09:26:10.482913000Z" with `frac_digits` fraction digits (0..9, 0 = none).
std::string FormatRfc3339(Nanos t, int frac_digits = 3);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Nanos Now() const = 0;
};

// The system's real-time clock.
class SystemClock final : public Clock {
 public:
  Nanos Now() const override;
  static const SystemClock& Instance();
};

}  // namespace timelined
