#include "connectors/logs/loki.h"

#include <cctype>
#include <optional>
#include <vector>

#include "connectors/common/json_text.h"
#include "connectors/logs/log_level.h"
#include "connectors/logs/log_record.h"
#include "store/model/untrusted.h"

namespace timelined::connectors::logs {
namespace {

using nlohmann::json;

auto Invalid(std::string detail) {
  return MakeError(ErrorCode::kInvalidInput, "invalid_loki_push", std::move(detail));
}

// Spans of the elements of member `key` of `object`, or empty when not available.
std::vector<Span> MemberElements(std::string_view text, std::optional<Span> object,
                                 std::string_view key) {
  if (!object) return {};
  auto member = ObjectMemberSpan(text, *object, key);
  if (!member) return {};
  return ArrayElementSpans(text, *member).value_or(std::vector<Span>{});
}

std::optional<Nanos> ParseNanosString(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const int d = c - '0';
    if (v > (INT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  if (v <= 0) return std::nullopt;
  return v;
}

Result<Labels> StreamLabels(const json& stream, const std::string& where) {
  Labels labels;
  auto it = stream.find("stream");
  if (it == stream.end() || !it->is_object()) return Invalid(where + ": missing \"stream\" labels");
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string())
      return Invalid(where + ": label " + TruncateUtf8(k, 64) + " is not a string");
    labels[k] = v.get<std::string>();
  }
  return labels;
}

std::optional<std::string> LevelOf(const Labels& labels, const json& meta) {
  for (const char* k : {"level", "detected_level", "severity"}) {
    if (auto it = labels.find(k); it != labels.end()) {
      if (auto l = NormalizeLevel(it->second)) return l;
    }
    if (meta.is_object() && meta.contains(k)) {
      if (auto l = LevelFromJson(meta[k])) return l;
    }
  }
  return std::nullopt;
}

bool IsFlatStringObject(const json& j) {
  if (!j.is_object()) return false;
  for (const auto& [k, v] : j.items()) {
    if (!v.is_string()) return false;
  }
  return true;
}

struct Entry {
  const json& value;
  std::string_view raw;
  std::string where;
  size_t ordinal;
};

// Builds the record of one entry; a hard error (numeric timestamp) is returned as such,
// a soft one as a string in `*why`.
Result<std::optional<LogRecord>> EntryRecord(const Entry& e, const Labels& labels,
                                             std::string* why) {
  const json& v = e.value;
  if (!v.is_array() || v.size() < 2 || v.size() > 3) {
    *why = "entry must be [timestamp, line] or [timestamp, line, metadata]";
    return std::nullopt;
  }
  if (v[0].is_number()) {
    return Invalid(e.where + ": timestamp must be a string of nanoseconds, not a number");
  }
  const auto ts = v[0].is_string() ? ParseNanosString(v[0].get<std::string>()) : std::nullopt;
  if (!ts) {
    *why = "timestamp must be a string of nanoseconds";
    return std::nullopt;
  }
  if (!v[1].is_string()) {
    *why = "line must be a string";
    return std::nullopt;
  }
  const json meta = v.size() == 3 ? v[2] : json::object();
  if (!IsFlatStringObject(meta)) {
    *why = "structured metadata must be an object of strings";
    return std::nullopt;
  }
  LogRecord r;
  r.labels = labels;
  r.message = v[1].get<std::string>();
  r.time = ts;
  r.level = LevelOf(labels, meta);
  r.raw = e.raw;
  r.ordinal = e.ordinal;
  if (!meta.empty()) r.extra["structured_metadata"] = meta;
  return r;
}

}  // namespace

Result<LogParse> ParseLokiPush(std::string_view body, const LogOptions& options,
                               Nanos received_at) {
  if (!JsonDepthWithin(body)) return Invalid("body nests deeper than 64 levels");
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return Invalid("body is not valid JSON");
  if (!j.is_object() || !j.contains("streams") || !j["streams"].is_array()) {
    return Invalid("missing \"streams\" array");
  }
  const size_t first = SkipJsonSpace(body, 0);
  const ScanResult top = ScanValue(body, first);
  std::optional<Span> root;
  if (top.status == ScanStatus::kOk) root = Span{first, top.end};
  const std::vector<Span> stream_spans = MemberElements(body, root, "streams");
  const json& streams = j["streams"];
  LogParse out;
  LineCounter lines(body);
  for (size_t si = 0; si < streams.size(); ++si) {
    const std::string swhere = "stream " + std::to_string(si + 1);
    const json& stream = streams[si];
    if (!stream.is_object()) return Invalid(swhere + ": not an object");
    auto labels = StreamLabels(stream, swhere);
    if (!labels) return std::unexpected(labels.error());
    if (!stream.contains("values") || !stream["values"].is_array()) {
      return Invalid(swhere + ": missing \"values\" array");
    }
    const json& values = stream["values"];
    std::optional<Span> sspan;
    if (stream_spans.size() == streams.size()) sspan = stream_spans[si];
    const std::vector<Span> entry_spans = MemberElements(body, sspan, "values");
    const bool have_raw = entry_spans.size() == values.size();
    for (size_t ei = 0; ei < values.size(); ++ei) {
      ++out.records;
      std::string where = swhere + " entry " + std::to_string(ei + 1);
      if (have_raw) where += " (line " + std::to_string(lines.At(entry_spans[ei].begin)) + ")";
      const std::string raw_dump = have_raw ? std::string() : values[ei].dump();
      const Entry entry{values[ei], have_raw ? entry_spans[ei].In(body) : raw_dump, where,
                        out.records};
      std::string why;
      auto rec = EntryRecord(entry, *labels, &why);
      if (!rec) return std::unexpected(rec.error());
      if (*rec) {
        out.events.push_back(MakeLogEvent(**rec, options, received_at));
        continue;
      }
      std::string what = where + ": ";
      what += why;
      if (!options.skip_invalid_lines) return Invalid(what);
      ++out.invalid_lines;
      if (out.first_invalid.empty()) out.first_invalid = std::move(what);
    }
  }
  RedactSplitPrivateKeys(out.events, options);
  return out;
}

bool IsLokiProtobuf(std::string_view content_type) {
  std::string lower;
  for (char c : content_type.substr(0, content_type.find(';'))) {
    if (c != ' ' && c != '\t') lower.push_back(static_cast<char>(std::tolower(c)));
  }
  return lower == "application/x-protobuf" || lower == "application/protobuf" ||
         lower == "application/vnd.google.protobuf";
}

}  // namespace timelined::connectors::logs
