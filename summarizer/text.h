#pragma once
// Text helpers shared by the rules and the renderers. Pure and deterministic: no locale,
// ASCII-only case folding, UTF-8 aware truncation.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "store/model/time.h"

namespace timelined::summarizer {

// Replaces invalid UTF-8 sequences with U+FFFD.
std::string SanitizeUtf8(std::string_view s);
// Collapses runs of whitespace (including newlines and tabs) to one space and trims.
std::string CollapseWhitespace(std::string_view s);
// Sanitized, whitespace-collapsed, at most `max_chars` code points ("…" marks a cut).
std::string ShortText(std::string_view s, size_t max_chars);
std::string ToLowerAscii(std::string_view s);
// "3 correlated events", "1 correlated event": `plural` names the thing counted; for n == 1
// its first plural noun (events, messages, lines, groups, IDs, entries) is made singular.
std::string CountOf(size_t n, std::string_view plural);

// Case-insensitive keyword match at the start of a word; keywords are lower-cased once.
class KeywordMatcher {
 public:
  explicit KeywordMatcher(const std::vector<std::string>& keywords);
  bool Matches(std::string_view text) const;
  bool empty() const { return keywords_.empty(); }

 private:
  std::vector<std::string> keywords_;
};

// "12:01" (UTC, minutes).
std::string FormatClock(Nanos t);
// "12:01–12:19 UTC"; "12:01 UTC" when both fall in the same minute; the end carries its
// date when it is on another day ("23:58–2026-03-15 00:10 UTC").
std::string FormatSpan(Nanos first, Nanos last);
// "2026-03-14 12:01:07" (UTC, seconds): the table's time column.
std::string FormatTableTime(Nanos t);
// Human duration, floor: "45 s", "7 min", "7 min 12 s", "2 h 5 min", "3 d 4 h".
std::string FormatDuration(Nanos d);

}  // namespace timelined::summarizer
