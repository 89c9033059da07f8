#include "summarizer/template.h"

#include "summarizer/text.h"

namespace timelined::summarizer {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAlnum(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool EndsToken(std::string_view s, size_t i) { return i >= s.size() || !IsAlnum(s[i]); }

// Each matcher returns the length matched at s[i], or 0.
size_t MatchUuid(std::string_view s, size_t i) {
  static constexpr int kGroups[] = {8, 4, 4, 4, 12};
  size_t j = i;
  for (int g = 0; g < 5; ++g) {
    if (g > 0) {
      if (j >= s.size() || s[j] != '-') return 0;
      ++j;
    }
    for (int k = 0; k < kGroups[g]; ++k, ++j) {
      if (j >= s.size() || !IsHex(s[j])) return 0;
    }
  }
  return EndsToken(s, j) ? j - i : 0;
}

size_t MatchIpv4(std::string_view s, size_t i) {
  size_t j = i;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (j >= s.size() || s[j] != '.') return 0;
      ++j;
    }
    size_t start = j;
    while (j < s.size() && IsDigit(s[j]) && j - start < 3) ++j;
    if (j == start) return 0;
  }
  if (j + 1 < s.size() && s[j] == ':' && IsDigit(s[j + 1])) {
    ++j;
    while (j < s.size() && IsDigit(s[j])) ++j;
  }
  return EndsToken(s, j) ? j - i : 0;
}

size_t MatchUnit(std::string_view s, size_t j) {
  for (std::string_view u : {"ms", "us", "ns", "\xC2\xB5s", "min", "sec", "h", "m", "s"}) {
    if (s.substr(j, u.size()) == u) return u.size();
  }
  return 0;
}

size_t MatchDuration(std::string_view s, size_t i) {
  size_t j = i, parts = 0;
  while (j < s.size() && IsDigit(s[j])) {
    while (j < s.size() && IsDigit(s[j])) ++j;
    if (j + 1 < s.size() && s[j] == '.' && IsDigit(s[j + 1])) {
      ++j;
      while (j < s.size() && IsDigit(s[j])) ++j;
    }
    size_t u = MatchUnit(s, j);
    if (u == 0) return 0;
    j += u;
    ++parts;
  }
  return parts > 0 && EndsToken(s, j) ? j - i : 0;
}

size_t MatchHex(std::string_view s, size_t i) {
  size_t j = i;
  if (s.substr(i, 2) == "0x") {
    for (j = i + 2; j < s.size() && IsHex(s[j]);) ++j;
    return j > i + 2 && EndsToken(s, j) ? j - i : 0;
  }
  bool digit = false, letter = false;
  for (; j < s.size() && IsHex(s[j]); ++j) (IsDigit(s[j]) ? digit : letter) = true;
  return digit && letter && j - i >= 6 && EndsToken(s, j) ? j - i : 0;
}

size_t MatchQuoted(std::string_view s, size_t i) {
  char q = s[i];
  if (q != '"' && q != '\'') return 0;
  if (q == '\'' && i > 0 && IsAlnum(s[i - 1])) return 0;  // an apostrophe: "don't"
  for (size_t j = i + 1; j < s.size(); ++j) {
    if (s[j] == '\\') {
      ++j;
    } else if (s[j] == q) {
      return q == '\'' && !EndsToken(s, j + 1) ? 0 : j + 1 - i;
    }
  }
  return 0;
}

struct Mask {
  size_t (*match)(std::string_view, size_t);
  std::string_view replacement;
};

constexpr Mask kWordStartMasks[] = {
    {MatchUuid, "<uuid>"}, {MatchIpv4, "<ip>"}, {MatchDuration, "<dur>"}, {MatchHex, "<hex>"}};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// The common case (ASCII, whitespace already collapsed) needs no UTF-8 aware pass.
std::string Finish(std::string out, size_t max_chars) {
  while (!out.empty() && out.back() == ' ') out.pop_back();
  bool ascii = true;
  for (char c : out) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (!ascii) return ShortText(out, max_chars);
  if (out.size() > max_chars && max_chars > 0) {
    out.resize(max_chars - 1);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\xE2\x80\xA6";
  }
  return out;
}

size_t Digits(std::string_view s, size_t i, size_t n) {
  for (size_t k = 0; k < n; ++k) {
    if (i + k >= s.size() || !IsDigit(s[i + k])) return 0;
  }
  return n;
}

// HH:MM[:SS][.,fraction] at i; 0 when none.
size_t MatchClock(std::string_view s, size_t i) {
  size_t j = i;
  if (!Digits(s, j, 2) || j + 2 >= s.size() || s[j + 2] != ':' || !Digits(s, j + 3, 2)) return 0;
  j += 5;
  if (j < s.size() && s[j] == ':' && Digits(s, j + 1, 2)) j += 3;
  if (j + 1 < s.size() && (s[j] == '.' || s[j] == ',') && IsDigit(s[j + 1])) {
    for (++j; j < s.size() && IsDigit(s[j]);) ++j;
  }
  if (j < s.size() && s[j] == 'Z') {
    ++j;
  } else if (j < s.size() && (s[j] == '+' || s[j] == '-') && Digits(s, j + 1, 2)) {
    size_t k = j + 3;
    if (k < s.size() && s[k] == ':') ++k;
    if (Digits(s, k, 2)) j = k + 2;
  } else if (s.substr(j, 4) == " UTC") {
    j += 4;
  }
  return EndsToken(s, j) ? j - i : 0;
}

// A date (and time) at i: "2026-03-14T11:54:12Z", "2026/03/14 11:54:12", "Mar 14 11:54:12",
// "11:54:12.482"; 0 when none.
size_t MatchTimestamp(std::string_view s, size_t i) {
  size_t j = i;
  if (Digits(s, j, 4) && j + 4 < s.size() && (s[j + 4] == '-' || s[j + 4] == '/')) {
    char sep = s[j + 4];
    if (!Digits(s, j + 5, 2) || j + 7 >= s.size() || s[j + 7] != sep || !Digits(s, j + 8, 2))
      return 0;
    j += 10;
    if (j < s.size() && (s[j] == 'T' || s[j] == ' ')) {
      if (size_t n = MatchClock(s, j + 1)) return j + 1 + n - i;
    }
    return EndsToken(s, j) ? j - i : 0;
  }
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::string_view m : kMonths) {
    if (s.substr(j, 3) != m || j + 4 >= s.size() || s[j + 3] != ' ') continue;
    size_t k = j + 4;
    if (s[k] == ' ') ++k;  // "Mar  4"
    size_t d = k;
    while (k < s.size() && IsDigit(s[k]) && k - d < 2) ++k;
    if (k == d || k >= s.size() || s[k] != ' ') return 0;
    size_t n = MatchClock(s, k + 1);
    return n ? k + 1 + n - i : 0;
  }
  return MatchClock(s, j);
}

// "E0314 11:54:12.482913   12345 main.go:42] " (glog); 0 when none.
size_t MatchGlog(std::string_view s) {
  if (s.size() < 8 || (s[0] != 'I' && s[0] != 'W' && s[0] != 'E' && s[0] != 'F') ||
      !Digits(s, 1, 4) || s[5] != ' ')
    return 0;
  size_t clock = MatchClock(s, 6);
  if (clock == 0) return 0;
  size_t close = s.find("] ", 6 + clock);
  if (close == std::string_view::npos || close > 6 + clock + 200) return 0;
  return close + 2;
}

bool IsLevelWord(std::string_view w, bool any_case) {
  static constexpr std::string_view kLevels[] = {"TRACE",    "DEBUG",  "INFO",  "NOTICE", "WARN",
                                                 "WARNING",  "ERROR",  "ERR",   "FATAL",  "CRIT",
                                                 "CRITICAL", "SEVERE", "PANIC", "ALERT",  "EMERG"};
  if (w.size() < 3 || w.size() > 8) return false;
  for (std::string_view l : kLevels) {
    if (l.size() != w.size()) continue;
    bool same = true;
    for (size_t k = 0; k < w.size() && same; ++k) {
      char c = w[k];
      if (any_case && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      same = c == l[k];
    }
    if (same) return true;
  }
  return false;
}

// A level at i: "ERROR", "[error]", "WARN:", "<error>"; 0 when none.
size_t MatchLevel(std::string_view s, size_t i) {
  bool bracket = i < s.size() && s[i] == '[';
  size_t j = i + (bracket ? 1 : 0);
  size_t start = j;
  while (j < s.size() && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z'))) ++j;
  if (!IsLevelWord(s.substr(start, j - start), bracket)) return 0;
  if (bracket) {
    if (j >= s.size() || s[j] != ']') return 0;
    ++j;
  } else if (!EndsToken(s, j)) {
    return 0;
  }
  if (j < s.size() && s[j] == ':') ++j;
  return j - i;
}

size_t SkipSeparators(std::string_view s, size_t i) {
  while (i < s.size()) {
    if (IsSpace(s[i])) {
      ++i;
    } else if ((s[i] == '-' || s[i] == '|' || s[i] == ':') && i + 1 < s.size() &&
               IsSpace(s[i + 1])) {
      i += 2;
    } else {
      break;
    }
  }
  return i;
}

}  // namespace

std::string_view StripLogPrefix(std::string_view message) {
  size_t i = 0;
  while (i < message.size() && IsSpace(message[i])) ++i;
  // Every prefix starts with a digit, '[' or an upper-case letter: most lines leave here.
  if (i >= message.size() ||
      !(IsDigit(message[i]) || message[i] == '[' || (message[i] >= 'A' && message[i] <= 'Z')))
    return message;
  if (size_t g = MatchGlog(message.substr(i))) {
    i = SkipSeparators(message, i + g);
  } else {
    bool stamp = false, level = false;
    for (int round = 0; round < 2; ++round) {
      if (!stamp) {
        bool bracket = i < message.size() && message[i] == '[';
        size_t n = MatchTimestamp(message, i + (bracket ? 1 : 0));
        if (n > 0 && (!bracket || (i + 1 + n < message.size() && message[i + 1 + n] == ']'))) {
          i = SkipSeparators(message, i + n + (bracket ? 2 : 0));
          stamp = true;
          continue;
        }
      }
      if (!level) {
        if (size_t n = MatchLevel(message, i)) {
          i = SkipSeparators(message, i + n);
          level = true;
          continue;
        }
      }
      break;
    }
  }
  if (i >= message.size()) return message;
  return message.substr(i);
}

std::string MessageTemplate(std::string_view message, size_t max_chars) {
  std::string out;
  out.reserve(message.size());
  size_t i = 0;
  while (i < message.size()) {
    char c = message[i];
    if (IsSpace(c)) {
      while (i < message.size() && IsSpace(message[i])) ++i;
      if (!out.empty()) out += ' ';
      continue;
    }
    if (size_t n = MatchQuoted(message, i)) {
      out += c;
      out += "<str>";
      out += c;
      i += n;
      continue;
    }
    if (i == 0 || !IsAlnum(message[i - 1])) {
      bool masked = false;
      for (const Mask& m : kWordStartMasks) {
        if (size_t n = m.match(message, i)) {
          out += m.replacement;
          i += n;
          masked = true;
          break;
        }
      }
      if (masked) continue;
    }
    if (IsDigit(c)) {
      while (i < message.size() && IsDigit(message[i])) ++i;
      if (i + 1 < message.size() && message[i] == '.' && IsDigit(message[i + 1])) {
        for (++i; i < message.size() && IsDigit(message[i]);) ++i;
      }
      out += "<num>";
      continue;
    }
    out += c;
    ++i;
  }
  return Finish(std::move(out), max_chars);
}

}  // namespace timelined::summarizer
