#pragma once
// Structural helpers over JSON *text*: find where top-level values, array elements and
// object members begin and end, without building a DOM. Connectors need the exact bytes
// of each item (raw_sha256 hashes them) and must read documents written back to back
// (`kubectl get events -w -o json`, Fluent Bit json_stream `}{`, NDJSON).
//
// The scanner only checks structure (brackets, strings, escapes); callers validate each
// span with nlohmann::json::parse(span, nullptr, false). Pure functions, no allocation
// beyond the returned vectors, thread-safe. Used by connectors/logs and
// connectors/kubernetes.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace timelined::connectors {

struct Span {
  size_t begin = 0;  // offset of the first byte of the value
  size_t end = 0;    // one past its last byte
  std::string_view In(std::string_view text) const { return text.substr(begin, end - begin); }
};

enum class ScanStatus {
  kOk,
  kUnterminated,  // the value does not close before `limit`
  kUnbalanced,    // a closing bracket that does not match, or a stray one
};

struct ScanResult {
  ScanStatus status = ScanStatus::kOk;
  size_t end = 0;  // one past the value when kOk; where scanning stopped otherwise
};

// JSON whitespace: space, tab, CR, LF.
bool IsJsonSpace(char c);
// The first offset >= pos that is not JSON whitespace (or text.size()).
size_t SkipJsonSpace(std::string_view text, size_t pos);

// Scans one JSON value starting at text[pos] (which must not be whitespace) and stops at
// `limit` (npos = end of text). Objects, arrays and strings are matched structurally;
// a scalar (number, true, false, null or garbage) extends to the next delimiter
// (whitespace , ] } [ { "), so "}{" concatenations split correctly.
ScanResult ScanValue(std::string_view text, size_t pos, size_t limit = std::string_view::npos);

// The spans of the elements of the array `text[array]`, which must start with '['.
// nullopt when the array is not structurally sound.
std::optional<std::vector<Span>> ArrayElementSpans(std::string_view text, Span array);

// The span of the value of member `key` of the object `text[object]` (first match at
// the top level of that object), or nullopt when absent or structurally broken.
std::optional<Span> ObjectMemberSpan(std::string_view text, Span object, std::string_view key);

// 1-based line number of byte `offset` in `text`.
size_t LineOfOffset(std::string_view text, size_t offset);

// 1-based line numbers for non-decreasing offsets, counted incrementally (O(n) over a
// whole scan). An offset below the previous one returns the previous line.
class LineCounter {
 public:
  explicit LineCounter(std::string_view text) : text_(text) {}
  size_t At(size_t offset);

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1;
};

// The two ways text is shortened; both cut on a UTF-8 character boundary and end with "…"
// (U+2026, 3 bytes) when they cut:
// TruncateUtf8: the result is at most `max_bytes` bytes, the "…" included (field limits).
// max_bytes must be >= 3.
std::string TruncateUtf8(std::string_view s, size_t max_bytes);
// ElideUtf8: at most `keep_bytes` bytes of `s`, then "…" when anything was cut (summaries:
// "the first 200 bytes of the text").
std::string ElideUtf8(std::string_view s, size_t keep_bytes);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD (valid input is returned as is).
std::string ToValidUtf8(std::string_view s);

// Replaces CR, LF and TAB with spaces and trims both ends (for one-line summaries).
std::string OneLine(std::string_view s);

}  // namespace timelined::connectors
