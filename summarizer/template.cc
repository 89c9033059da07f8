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

}  // namespace

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
