#include "connectors/common/json_text.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/model/untrusted.h"

namespace timelined::connectors {
namespace {

constexpr size_t kNpos = std::string_view::npos;

bool IsScalarDelimiter(char c) {
  return IsJsonSpace(c) || c == ',' || c == ']' || c == '}' || c == '[' || c == '{' || c == '"' ||
         c == ':';
}

// Offset one past the closing quote of the string opening at text[pos], or npos. A raw
// line feed ends the search: JSON strings cannot contain one, and stopping there lets
// callers resynchronise on the next line after a truncated record.
size_t SkipString(std::string_view text, size_t pos, size_t limit) {
  for (size_t i = pos + 1; i < limit; ++i) {
    if (text[i] == '\n') return kNpos;
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return kNpos;
}

ScanResult ScanContainer(std::string_view text, size_t pos, size_t limit) {
  std::string closers;
  for (size_t i = pos; i < limit;) {
    const char c = text[i];
    if (c == '"') {
      const size_t next = SkipString(text, i, limit);
      if (next == kNpos) return {ScanStatus::kUnterminated, limit};
      i = next;
      continue;
    }
    if (c == '{' || c == '[') {
      closers.push_back(c == '{' ? '}' : ']');
    } else if (c == '}' || c == ']') {
      if (closers.empty() || closers.back() != c) return {ScanStatus::kUnbalanced, i};
      closers.pop_back();
      if (closers.empty()) return {ScanStatus::kOk, i + 1};
    }
    ++i;
  }
  return {ScanStatus::kUnterminated, limit};
}

// Decodes the JSON string literal text[s] (quotes included); empty on failure.
std::string DecodeKey(std::string_view literal) {
  if (literal.find('\\') == kNpos) return std::string(literal.substr(1, literal.size() - 2));
  auto j = nlohmann::json::parse(literal, nullptr, false);
  return j.is_string() ? j.get<std::string>() : std::string();
}

}  // namespace

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

size_t SkipJsonSpace(std::string_view text, size_t pos) {
  while (pos < text.size() && IsJsonSpace(text[pos])) ++pos;
  return pos;
}

ScanResult ScanValue(std::string_view text, size_t pos, size_t limit) {
  limit = std::min(limit, text.size());
  if (pos >= limit) return {ScanStatus::kUnterminated, pos};
  const char c = text[pos];
  if (c == '{' || c == '[') return ScanContainer(text, pos, limit);
  if (c == '}' || c == ']' || c == ',' || c == ':') return {ScanStatus::kUnbalanced, pos};
  if (c == '"') {
    const size_t next = SkipString(text, pos, limit);
    if (next == kNpos) return {ScanStatus::kUnterminated, limit};
    return {ScanStatus::kOk, next};
  }
  size_t i = pos + 1;
  while (i < limit && !IsScalarDelimiter(text[i])) ++i;
  return {ScanStatus::kOk, i};
}

std::optional<std::vector<Span>> ArrayElementSpans(std::string_view text, Span array) {
  if (array.end > text.size() || array.begin >= array.end || text[array.begin] != '[') {
    return std::nullopt;
  }
  const size_t last = array.end - 1;  // the closing ']'
  std::vector<Span> out;
  size_t i = SkipJsonSpace(text, array.begin + 1);
  if (i == last) return out;
  while (i < last) {
    const ScanResult r = ScanValue(text, i, last);
    if (r.status != ScanStatus::kOk) return std::nullopt;
    out.push_back({i, r.end});
    i = SkipJsonSpace(text, r.end);
    if (i == last) return out;
    if (text[i] != ',') return std::nullopt;
    i = SkipJsonSpace(text, i + 1);
  }
  return std::nullopt;
}

std::optional<Span> ObjectMemberSpan(std::string_view text, Span object, std::string_view key) {
  if (object.end > text.size() || object.begin >= object.end || text[object.begin] != '{') {
    return std::nullopt;
  }
  const size_t last = object.end - 1;  // the closing '}'
  size_t i = SkipJsonSpace(text, object.begin + 1);
  while (i < last) {
    if (text[i] != '"') return std::nullopt;
    const size_t key_end = SkipString(text, i, last);
    if (key_end == kNpos) return std::nullopt;
    const std::string name = DecodeKey(text.substr(i, key_end - i));
    i = SkipJsonSpace(text, key_end);
    if (i >= last || text[i] != ':') return std::nullopt;
    i = SkipJsonSpace(text, i + 1);
    const ScanResult r = ScanValue(text, i, last);
    if (r.status != ScanStatus::kOk) return std::nullopt;
    if (name == key) return Span{i, r.end};
    i = SkipJsonSpace(text, r.end);
    if (i < last && text[i] == ',') i = SkipJsonSpace(text, i + 1);
  }
  return std::nullopt;
}

size_t LineOfOffset(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

size_t LineCounter::At(size_t offset) {
  offset = std::min(offset, text_.size());
  if (offset > pos_) {
    line_ += static_cast<size_t>(std::count(text_.begin() + pos_, text_.begin() + offset, '\n'));
    pos_ = offset;
  }
  return line_;
}

std::string ElideUtf8(std::string_view s, size_t keep_bytes) {
  if (s.size() <= keep_bytes) return std::string(s);
  size_t cut = keep_bytes;
  // Step back over continuation bytes (10xxxxxx) so a multi-byte character is not split.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  std::string out(s.substr(0, cut));
  out += "\xE2\x80\xA6";  // U+2026 HORIZONTAL ELLIPSIS
  return out;
}

std::string TruncateUtf8(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  return ElideUtf8(s, max_bytes >= 3 ? max_bytes - 3 : 0);
}

std::string ToValidUtf8(std::string_view s) {
  std::string out(s);
  RepairUtf8(out);
  return out;
}

std::string OneLine(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  const size_t b = out.find_first_not_of(' ');
  if (b == std::string::npos) return {};
  const size_t e = out.find_last_not_of(' ');
  return out.substr(b, e - b + 1);
}

}  // namespace timelined::connectors
