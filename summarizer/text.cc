#include "summarizer/text.h"

#include <cstdio>

namespace timelined::summarizer {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid.
size_t Utf8SeqLen(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  if (n == 2 && c < 0xC2) return 0;  // overlong
  if (n == 3) {
    auto c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return 0;  // overlong, surrogate
  }
  if (n == 4) {
    auto c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xF0 && c1 < 0x90) || c > 0xF4 || (c == 0xF4 && c1 >= 0x90)) return 0;
  }
  return n;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SeqLen(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string CollapseWhitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char c : s) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string ShortText(std::string_view s, size_t max_chars) {
  std::string text = CollapseWhitespace(SanitizeUtf8(s));
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); i += Utf8SeqLen(text, i)) {
    if (chars == max_chars) {
      text.resize(i);
      while (!text.empty() && text.back() == ' ') text.pop_back();
      // Replace the last code point with the ellipsis so the total stays <= max_chars.
      size_t cut = text.size();
      while (cut > 0 && (static_cast<unsigned char>(text[cut - 1]) & 0xC0) == 0x80) --cut;
      if (cut > 0) text.resize(cut - 1);
      return text + "\xE2\x80\xA6";
    }
    ++chars;
  }
  return text;
}

std::string CountOf(size_t n, std::string_view plural) {
  std::string out = std::to_string(n) + " ";
  if (n == 1) {
    static constexpr std::pair<std::string_view, std::string_view> kNouns[] = {
        {"events", "event"},
        {"messages", "message"},
        {"lines", "line"},
        {"groups", "group"},
        {"IDs", "ID"},
        {"entries", "entry"},
        {"reactions/pins", "reaction/pin"},
        {"pods", "pod"}};
    size_t word = 0;
    while (word < plural.size()) {
      size_t end = plural.find(' ', word);
      if (end == std::string_view::npos) end = plural.size();
      std::string_view w = plural.substr(word, end - word);
      for (const auto& [many, one] : kNouns) {
        if (w == many) {
          out.append(plural.substr(0, word)).append(one).append(plural.substr(end));
          return out;
        }
      }
      word = end + 1;
    }
  }
  return out.append(plural);
}

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

KeywordMatcher::KeywordMatcher(const std::vector<std::string>& keywords) {
  for (const std::string& k : keywords) {
    if (!k.empty()) keywords_.push_back(ToLowerAscii(k));
  }
}

bool KeywordMatcher::Matches(std::string_view text) const {
  if (keywords_.empty()) return false;
  std::string lower = ToLowerAscii(CollapseWhitespace(text));
  for (const std::string& k : keywords_) {
    for (size_t pos = lower.find(k); pos != std::string::npos; pos = lower.find(k, pos + 1)) {
      if (pos == 0 || !IsWordChar(lower[pos - 1])) return true;
    }
  }
  return false;
}

std::string FormatTableTime(Nanos t) {
  std::string s = FormatRfc3339(t, 0);  // 2026-03-14T12:01:07Z
  if (s.size() >= 20) {
    s[10] = ' ';
    s.pop_back();
  }
  return s;
}

std::string FormatClock(Nanos t) { return FormatTableTime(t).substr(11, 5); }

std::string FormatSpan(Nanos first, Nanos last) {
  std::string a = FormatTableTime(first), b = FormatTableTime(last);
  if (a.substr(0, 16) == b.substr(0, 16)) return a.substr(11, 5) + " UTC";
  std::string end = a.substr(0, 10) == b.substr(0, 10) ? b.substr(11, 5) : b.substr(0, 16);
  return a.substr(11, 5) + "\xE2\x80\x93" + end + " UTC";
}

std::string FormatDuration(Nanos d) {
  bool negative = d < 0;
  int64_t s = (negative ? -d : d) / kNanosPerSecond;
  char buf[64];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%lld s", static_cast<long long>(s));
  } else if (s < 3600) {
    if (s % 60 == 0) {
      std::snprintf(buf, sizeof buf, "%lld min", static_cast<long long>(s / 60));
    } else {
      std::snprintf(buf, sizeof buf, "%lld min %lld s", static_cast<long long>(s / 60),
                    static_cast<long long>(s % 60));
    }
  } else if (s < 86400) {
    std::snprintf(buf, sizeof buf, "%lld h %lld min", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lld d %lld h", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  }
  return negative ? "-" + std::string(buf) : std::string(buf);
}

}  // namespace timelined::summarizer
