#include "connectors/logs/log_parser.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "connectors/common/json_text.h"
#include "connectors/logs/log_level.h"
#include "connectors/logs/log_record.h"
#include "connectors/logs/log_time.h"
#include "store/model/untrusted.h"

namespace timelined::connectors::logs {
namespace {

using nlohmann::json;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

struct Batch {
  const LogOptions& options;
  const Labels& query;
  Nanos received_at;
  LogParse out;
};

Result<void> Bad(Batch& b, size_t line, size_t ordinal, std::string_view why) {
  std::string detail = "line " + std::to_string(line) + " (record " + std::to_string(ordinal) +
                       "): " + std::string(why);
  if (!b.options.skip_invalid_lines) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_log_line", std::move(detail));
  }
  ++b.out.invalid_lines;
  if (b.out.first_invalid.empty()) b.out.first_invalid = std::move(detail);
  return {};
}

// Copies the record's other fields into attrs.fields, smallest-key-first, within a budget.
json BoundedFields(const json& rec, const std::vector<std::string_view>& consumed, size_t budget,
                   bool* truncated) {
  json fields = json::object();
  size_t used = 0;
  for (const auto& [k, v] : rec.items()) {
    if (std::find(consumed.begin(), consumed.end(), k) != consumed.end()) continue;
    const size_t cost = k.size() + v.dump(-1, ' ', false, json::error_handler_t::replace).size();
    if (used + cost > budget) {
      *truncated = true;
      continue;
    }
    used += cost;
    fields[k] = v;
  }
  return fields;
}

// The first key of `keys` present in `rec`, or nullptr.
const std::string* FirstKey(const json& rec, const std::vector<std::string>& keys) {
  for (const std::string& k : keys) {
    if (rec.contains(k)) return &k;
  }
  return nullptr;
}

Result<void> AddJsonRecord(Batch& b, std::string_view raw, const json& rec, size_t line,
                           size_t ordinal) {
  if (!rec.is_object()) return Bad(b, line, ordinal, "not a JSON object");
  if (rec.empty()) return Bad(b, line, ordinal, "empty record");
  LogRecord r;
  r.raw = raw;
  r.ordinal = ordinal;
  r.labels = LabelsFromRecord(rec, b.query);
  std::vector<std::string_view> consumed = {"stream"};
  for (const std::string& k : b.options.time_keys) {
    if (!rec.contains(k)) continue;
    consumed.push_back(k);
    r.time = ParseLogTime(rec[k]);
    if (r.time) break;
    r.extra["time_unparsed"] = k;
  }
  if (r.time) r.extra.erase("time_unparsed");
  for (const std::string& k : b.options.level_keys) {
    if (!rec.contains(k)) continue;
    r.level = LevelFromJson(rec[k]);
    if (r.level) {
      consumed.push_back(k);
      break;
    }
  }
  if (const std::string* key = FirstKey(rec, b.options.message_keys)) {
    const json& m = rec[*key];
    r.message = m.is_string() ? m.get<std::string>()
                              : m.dump(-1, ' ', false, json::error_handler_t::replace);
    consumed.push_back(*key);
  }
  bool truncated = false;
  json fields = BoundedFields(rec, consumed, b.options.fields_max_bytes, &truncated);
  if (!FirstKey(rec, b.options.message_keys)) {
    r.message = fields.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  r.extra["fields"] = std::move(fields);
  if (truncated) r.extra["fields_truncated"] = true;
  b.out.events.push_back(MakeLogEvent(r, b.options, b.received_at));
  return {};
}

Result<void> AddArray(Batch& b, std::string_view body, Span span, LineCounter& lines,
                      size_t& ordinal) {
  auto elements = ArrayElementSpans(body, span);
  if (!elements) {
    ++b.out.records;
    return Bad(b, lines.At(span.begin), ++ordinal, "invalid JSON array");
  }
  for (const Span& el : *elements) {
    ++b.out.records;
    const size_t line = lines.At(el.begin);
    const bool shallow = JsonDepthWithin(el.In(body));
    json rec = shallow ? json::parse(el.In(body), nullptr, false) : json(json::value_t::discarded);
    auto r = rec.is_discarded() ? Bad(b, line, ++ordinal,
                                      shallow ? "invalid JSON" : "nested deeper than 64 levels")
                                : AddJsonRecord(b, el.In(body), rec, line, ++ordinal);
    if (!r) return r;
  }
  return {};
}

// JSON arrays and/or objects back to back. A broken record is skipped up to the end of
// the line it starts on; multi-line (pretty-printed) records are allowed while the extra
// scanning stays within a budget, so many broken lines cannot make this quadratic.
Result<void> ParseJsonRecords(Batch& b, std::string_view body, size_t pos) {
  LineCounter lines(body);
  size_t ordinal = 0;
  int64_t budget = static_cast<int64_t>(body.size()) * 8 + (1 << 20);
  while (pos < body.size()) {
    const size_t line_end = std::min(body.find('\n', pos), body.size());
    const size_t limit = budget > 0 ? std::string_view::npos : line_end;
    const ScanResult r = ScanValue(body, pos, limit);
    budget -= static_cast<int64_t>(r.end - pos);
    const size_t line = lines.At(pos);
    if (r.status != ScanStatus::kOk) {
      ++b.out.records;
      if (auto bad = Bad(b, line, ++ordinal, "invalid JSON"); !bad) return bad;
      pos = SkipJsonSpace(body, line_end);
      continue;
    }
    const Span span{pos, r.end};
    Result<void> added;
    if (body[pos] == '[') {
      added = AddArray(b, body, span, lines, ordinal);
    } else {
      ++b.out.records;
      const bool shallow = JsonDepthWithin(span.In(body));
      json rec =
          shallow ? json::parse(span.In(body), nullptr, false) : json(json::value_t::discarded);
      added = rec.is_discarded() ? Bad(b, line, ++ordinal,
                                       shallow ? "invalid JSON" : "nested deeper than 64 levels")
                                 : AddJsonRecord(b, span.In(body), rec, line, ++ordinal);
    }
    if (!added) return added;
    pos = SkipJsonSpace(body, r.end);
  }
  return {};
}

// A leading RFC 3339 timestamp ("2026-03-14T09:26:10Z msg" or "2026-03-14 09:26:10.1 msg").
std::optional<Nanos> LeadingTimestamp(std::string_view line) {
  const size_t sp = line.find(' ');
  if (auto t = ParseRfc3339(line.substr(0, sp), /*allow_no_zone=*/true)) return t;
  if (sp == 10 && sp + 1 < line.size()) {
    const size_t sp2 = line.find(' ', sp + 1);
    if (auto t = ParseRfc3339(line.substr(0, sp2), /*allow_no_zone=*/true)) return t;
  }
  return std::nullopt;
}

void ParsePlainLines(Batch& b, std::string_view body) {
  size_t ordinal = 0;
  for (size_t pos = 0; pos < body.size();) {
    size_t end = std::min(body.find('\n', pos), body.size());
    std::string_view line = body.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (OneLine(line).empty()) continue;
    ++b.out.records;
    LogRecord r;
    r.raw = line;
    r.ordinal = ++ordinal;
    r.labels = b.query;
    r.message = ToValidUtf8(line);
    r.time = LeadingTimestamp(line);
    b.out.events.push_back(MakeLogEvent(r, b.options, b.received_at));
  }
}

bool IsTextPlain(std::string_view content_type) {
  const std::string_view media = content_type.substr(0, content_type.find(';'));
  std::string lower;
  for (char c : media) {
    if (c != ' ' && c != '\t') lower.push_back(static_cast<char>(std::tolower(c)));
  }
  return lower == "text/plain";
}

}  // namespace

Result<LogParse> ParseLogBody(std::string_view body, std::string_view content_type,
                              const LogOptions& options, const Labels& query_labels,
                              Nanos received_at) {
  if (body.starts_with(kBom)) body.remove_prefix(kBom.size());
  Batch b{options, query_labels, received_at, {}};
  if (IsTextPlain(content_type)) {
    ParsePlainLines(b, body);
    RedactSplitPrivateKeys(b.out.events, options);
    return std::move(b.out);
  }
  const size_t first = SkipJsonSpace(body, 0);
  if (first == body.size()) return std::move(b.out);
  if (body[first] != '[' && body[first] != '{') {
    return MakeError(ErrorCode::kInvalidInput, "unsupported_body",
                     "line " + std::to_string(LineOfOffset(body, first)) +
                         ": expected a JSON array or object (send raw lines as text/plain)");
  }
  if (auto r = ParseJsonRecords(b, body, first); !r) return std::unexpected(r.error());
  RedactSplitPrivateKeys(b.out.events, options);
  return std::move(b.out);
}

}  // namespace timelined::connectors::logs
