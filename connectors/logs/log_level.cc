#include "connectors/logs/log_level.h"

#include <array>
#include <utility>

#include "store/model/event.h"

namespace timelined::connectors::logs {
namespace {

constexpr size_t kScanBytes = 4096;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsUpperWord(std::string_view w) {
  for (char c : w) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

std::optional<std::string> LevelFromNumber(int64_t n) {
  if (n >= 0 && n <= 7) {
    if (n <= 2) return "fatal";
    if (n == 3) return "error";
    if (n == 4) return "warn";
    return n == 7 ? "debug" : "info";
  }
  if (n >= 60) return "fatal";
  if (n >= 50) return "error";
  if (n >= 40) return "warn";
  if (n >= 30) return "info";
  if (n >= 10) return "debug";
  return std::nullopt;
}

// level=X / lvl=X / severity=X / "level":"X" (with optional quotes and spaces).
std::optional<std::string> KeyValueLevel(std::string_view text) {
  const std::string lower = Lower(text);
  for (std::string_view key : {"level", "lvl", "severity"}) {
    for (size_t pos = lower.find(key); pos != std::string::npos; pos = lower.find(key, pos + 1)) {
      if (pos > 0 && IsWordChar(lower[pos - 1])) continue;
      size_t i = pos + key.size();
      if (i < lower.size() && lower[i] == '"') ++i;
      while (i < lower.size() && lower[i] == ' ') ++i;
      if (i >= lower.size() || (lower[i] != '=' && lower[i] != ':')) continue;
      ++i;
      while (i < lower.size() && (lower[i] == ' ' || lower[i] == '"')) ++i;
      size_t j = i;
      while (j < lower.size() && IsWordChar(lower[j])) ++j;
      if (auto lvl = NormalizeLevel(lower.substr(i, j - i))) return lvl;
    }
  }
  return std::nullopt;
}

std::optional<std::string> GlogLevel(std::string_view text) {
  if (text.size() < 6 || text[5] != ' ') return std::nullopt;
  for (size_t i = 1; i < 5; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  switch (text[0]) {
    case 'I':
      return "info";
    case 'W':
      return "warn";
    case 'E':
      return "error";
    case 'F':
      return "fatal";
    default:
      return std::nullopt;
  }
}

// Calls fn(i, j) for each maximal run text[i, j) of word characters, first to last, until it
// returns true; whether one did.
template <typename Fn>
bool FindWord(std::string_view text, Fn fn) {
  for (size_t i = 0; i < text.size();) {
    if (!IsWordChar(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && IsWordChar(text[j])) ++j;
    if (fn(i, j)) return true;
    i = j;
  }
  return false;
}

// The first word that names a level: upper-case anywhere, any case when bracketed or
// followed by ':'. Single letters never count here (too ambiguous in prose).
std::optional<std::string> LevelWord(std::string_view text) {
  std::optional<std::string> level;
  FindWord(text, [&](size_t i, size_t j) {
    const std::string_view w = text.substr(i, j - i);
    const bool bracketed = i > 0 && text[i - 1] == '[' && j < text.size() && text[j] == ']';
    const bool colon = j < text.size() && text[j] == ':';
    if (w.size() > 1 && (IsUpperWord(w) || bracketed || colon)) level = NormalizeLevel(w);
    return level.has_value();
  });
  return level;
}

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

// A thrown class name: a CamelCase identifier ending in "Error" or "Exception", longer than
// the suffix, optionally package-qualified ("java.lang.OutOfMemoryError", "ValueError",
// "requests.exceptions.ConnectionError"). "Error" alone and "error" in prose do not count.
bool HasThrowableName(std::string_view text) {
  return FindWord(text, [&](size_t i, size_t j) {
    const std::string_view w = text.substr(i, j - i);
    if (!IsUpper(w[0])) return false;
    for (std::string_view suffix : {"Error", "Exception"}) {
      if (w.size() > suffix.size() && w.ends_with(suffix)) return true;
    }
    return false;
  });
}

std::optional<std::string> Markers(std::string_view text) {
  if (text.find("panic:") != std::string_view::npos) return "fatal";
  if (text.find("fatal error:") != std::string_view::npos) return "fatal";
  if (text.find("Exception") != std::string_view::npos) return "error";
  if (text.find("Traceback (most recent call last)") != std::string_view::npos) return "error";
  if (HasThrowableName(text)) return "error";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> NormalizeLevel(std::string_view name) {
  static const std::array<std::pair<std::string_view, std::string_view>, 31> kNames = {{
      {"fatal", "fatal"},      {"critical", "fatal"},
      {"crit", "fatal"},       {"emerg", "fatal"},
      {"emergency", "fatal"},  {"alert", "fatal"},
      {"panic", "fatal"},      {"f", "fatal"},
      {"error", "error"},      {"err", "error"},
      {"eror", "error"},       {"severe", "error"},
      {"e", "error"},          {"warn", "warn"},
      {"warning", "warn"},     {"wrn", "warn"},
      {"w", "warn"},           {"info", "info"},
      {"information", "info"}, {"informational", "info"},
      {"notice", "info"},      {"inf", "info"},
      {"i", "info"},           {"debug", "debug"},
      {"dbg", "debug"},        {"trace", "debug"},
      {"trc", "debug"},        {"verbose", "debug"},
      {"d", "debug"},          {"t", "debug"},
      {"fine", "debug"},
  }};
  if (name.empty() || name.size() > 16) return std::nullopt;
  const std::string lower = Lower(name);
  for (const auto& [k, v] : kNames) {
    if (lower == k) return std::string(v);
  }
  return std::nullopt;
}

std::optional<std::string> LevelFromJson(const nlohmann::json& value) {
  if (value.is_string()) return NormalizeLevel(value.get_ref<const std::string&>());
  if (value.is_number_integer()) return LevelFromNumber(value.get<int64_t>());
  return std::nullopt;
}

std::optional<DetectedLevel> DetectLevel(std::string_view text) {
  static constexpr std::string_view kText = "text", kInferred = "inferred";
  text = text.substr(0, kScanBytes);
  if (auto l = KeyValueLevel(text)) return DetectedLevel{*l, kText};
  if (auto l = GlogLevel(text)) return DetectedLevel{*l, kText};
  if (text.starts_with("panic: ") || text.starts_with("fatal error: ") ||
      text.starts_with("Fatal Python error: "))
    return DetectedLevel{"fatal", kInferred};
  if (auto l = LevelWord(text)) return DetectedLevel{*l, kText};
  if (auto l = Markers(text)) return DetectedLevel{*l, kInferred};
  return std::nullopt;
}

std::optional<std::string> DetectLevelInText(std::string_view text) {
  if (auto d = DetectLevel(text)) return std::move(d->level);
  return std::nullopt;
}

std::string SeverityForLevel(std::string_view level) {
  if (level == "fatal") return std::string(kSeverityCritical);
  if (level == "error") return std::string(kSeverityError);
  if (level == "warn") return std::string(kSeverityWarning);
  return std::string(kSeverityInfo);
}

}  // namespace timelined::connectors::logs
