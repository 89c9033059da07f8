#include "connectors/logs/loki.h"

#include <cctype>
#include <optional>
#include <vector>

#include "connectors/common/json_text.h"
#include "connectors/common/protobuf_reader.h"
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

// --- Protobuf --------------------------------------------------------------------------

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// A Go double-quoted string starting at text[*pos] == '"'; *pos ends after the closing quote.
std::optional<std::string> GoQuoted(std::string_view text, size_t* pos) {
  size_t i = *pos + 1;
  std::string out;
  while (i < text.size()) {
    const char c = text[i++];
    if (c == '"') {
      *pos = i;
      return out;
    }
    if (c == '\n') return std::nullopt;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i >= text.size()) return std::nullopt;
    const char e = text[i++];
    switch (e) {
      case 'a':
        out.push_back('\a');
        continue;
      case 'b':
        out.push_back('\b');
        continue;
      case 'f':
        out.push_back('\f');
        continue;
      case 'n':
        out.push_back('\n');
        continue;
      case 'r':
        out.push_back('\r');
        continue;
      case 't':
        out.push_back('\t');
        continue;
      case 'v':
        out.push_back('\v');
        continue;
      case '\\':
      case '"':
      case '\'':
        out.push_back(e);
        continue;
      default:
        break;
    }
    if (e >= '0' && e <= '7') {  // \NNN: three octal digits, at most \377
      if (text.size() - i < 2) return std::nullopt;
      int v = e - '0';
      for (int k = 0; k < 2; ++k) {
        const char d = text[i++];
        if (d < '0' || d > '7') return std::nullopt;
        v = v * 8 + (d - '0');
      }
      if (v > 255) return std::nullopt;
      out.push_back(static_cast<char>(v));
      continue;
    }
    const int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (digits == 0 || text.size() - i < static_cast<size_t>(digits)) return std::nullopt;
    uint32_t v = 0;
    for (int k = 0; k < digits; ++k) {
      const int d = HexDigit(text[i++]);
      if (d < 0) return std::nullopt;
      v = v * 16 + static_cast<uint32_t>(d);
    }
    if (e == 'x') {
      out.push_back(static_cast<char>(v));
    } else {
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return std::nullopt;
      AppendUtf8(out, v);
    }
  }
  return std::nullopt;
}

void SkipSpaces(std::string_view text, size_t* pos) {
  while (*pos < text.size() && (text[*pos] == ' ' || text[*pos] == '\t')) ++*pos;
}

std::string Repaired(std::string_view s) {
  std::string out(s);
  RepairUtf8(out);
  return out;
}

struct ProtoEntry {
  std::optional<Nanos> time;  // nullopt: absent or unusable (why says which)
  std::string_view line;
  nlohmann::json metadata = nlohmann::json::object();
};

// One LabelPairAdapter into `meta`; false when malformed.
bool MetadataPair(std::string_view bytes, nlohmann::json& meta) {
  ProtoReader r(bytes);
  ProtoField f;
  std::string_view name, value;
  while (r.Next(&f)) {
    if (f.type != WireType::kLen) {
      if (f.number == 1 || f.number == 2) return false;
      continue;
    }
    if (f.number == 1) name = f.bytes;
    if (f.number == 2) value = f.bytes;
  }
  if (r.failed()) return false;
  meta[Repaired(name)] = Repaired(value);
  return true;
}

// google.protobuf.Timestamp -> nanoseconds since the epoch; `why` set when unusable.
std::optional<Nanos> TimestampNanos(std::string_view bytes, std::string* why) {
  ProtoReader r(bytes);
  ProtoField f;
  int64_t seconds = 0, nanos = 0;
  bool wrong_type = false;
  while (r.Next(&f)) {
    if (f.number != 1 && f.number != 2) continue;
    wrong_type = wrong_type || f.type != WireType::kVarint;
    (f.number == 1 ? seconds : nanos) = AsInt64(f.value);
  }
  if (r.failed() || wrong_type) {
    *why = "malformed timestamp";
    return std::nullopt;
  }
  if (nanos < 0 || nanos >= kNanosPerSecond) {
    *why = "timestamp nanos outside [0, 1e9)";
    return std::nullopt;
  }
  if (seconds < 0 || seconds > (INT64_MAX - nanos) / kNanosPerSecond ||
      (seconds == 0 && nanos == 0)) {
    *why = "timestamp at or before the epoch, or past 2262";
    return std::nullopt;
  }
  return seconds * kNanosPerSecond + nanos;
}

// An EntryAdapter; a hard error (not protobuf, a field of the wrong type) is returned as
// such, an unusable timestamp as `why`.
Result<ProtoEntry> DecodeEntry(std::string_view bytes, const std::string& where, std::string* why) {
  ProtoReader r(bytes);
  ProtoField f;
  ProtoEntry e;
  bool have_time = false;
  while (r.Next(&f)) {
    if (f.number > 3) continue;
    if (f.type != WireType::kLen)
      return Invalid(where + ": field " + std::to_string(f.number) + " has the wrong wire type");
    if (f.number == 1) {
      have_time = true;
      e.time = TimestampNanos(f.bytes, why);
    } else if (f.number == 2) {
      e.line = f.bytes;
    } else if (!MetadataPair(f.bytes, e.metadata)) {
      return Invalid(where + ": malformed structured metadata");
    }
  }
  if (r.failed()) return Invalid(where + ": not a protobuf EntryAdapter");
  if (!have_time) *why = "no timestamp";
  return e;
}

}  // namespace

std::optional<Labels> ParsePromLabels(std::string_view text) {
  size_t i = 0;
  SkipSpaces(text, &i);
  if (i >= text.size() || text[i] != '{') return std::nullopt;
  ++i;
  Labels labels;
  while (true) {
    SkipSpaces(text, &i);
    if (i < text.size() && text[i] == '}') {
      ++i;
      break;
    }
    if (i >= text.size() || !IsNameStart(text[i])) return std::nullopt;
    const size_t name_start = i;
    while (i < text.size() && IsNameChar(text[i])) ++i;
    std::string name(text.substr(name_start, i - name_start));
    SkipSpaces(text, &i);
    if (i >= text.size() || text[i] != '=') return std::nullopt;
    ++i;
    SkipSpaces(text, &i);
    if (i >= text.size() || text[i] != '"') return std::nullopt;
    auto value = GoQuoted(text, &i);
    if (!value) return std::nullopt;
    RepairUtf8(*value);
    labels[std::move(name)] = std::move(*value);
    SkipSpaces(text, &i);
    if (i < text.size() && text[i] == ',') {
      ++i;
      continue;
    }
    if (i < text.size() && text[i] == '}') {
      ++i;
      break;
    }
    return std::nullopt;
  }
  SkipSpaces(text, &i);
  if (i != text.size()) return std::nullopt;
  return labels;
}

Result<LogParse> ParseLokiProtobufPush(std::string_view body, const LogOptions& options,
                                       Nanos received_at) {
  LogParse out;
  ProtoReader top(body);
  ProtoField sf;
  size_t stream_no = 0;
  while (top.Next(&sf)) {
    if (sf.number != 1) continue;
    const std::string swhere = "stream " + std::to_string(++stream_no);
    if (sf.type != WireType::kLen) return Invalid(swhere + ": not a StreamAdapter");
    // The labels may follow the entries on the wire: find them first.
    std::optional<Labels> labels;
    std::vector<std::string_view> entries;
    ProtoReader sr(sf.bytes);
    ProtoField f;
    while (sr.Next(&f)) {
      if (f.number != 1 && f.number != 2) continue;
      if (f.type != WireType::kLen) {
        return Invalid(swhere + ": field " + std::to_string(f.number) + " has the wrong wire type");
      }
      if (f.number == 1) {
        labels = ParsePromLabels(f.bytes);
        if (!labels) {
          return Invalid(swhere + ": labels are not {name=\"value\", ...}: " +
                         TruncateUtf8(Repaired(f.bytes), 128));
        }
      } else {
        entries.push_back(f.bytes);
      }
    }
    if (sr.failed()) return Invalid(swhere + ": not a protobuf StreamAdapter");
    if (!labels) return Invalid(swhere + ": no labels");
    for (size_t ei = 0; ei < entries.size(); ++ei) {
      ++out.records;
      const std::string where = swhere + " entry " + std::to_string(ei + 1);
      std::string why;
      auto entry = DecodeEntry(entries[ei], where, &why);
      if (!entry) return std::unexpected(entry.error());
      if (why.empty()) {
        LogRecord r;
        r.labels = *labels;
        r.message = Repaired(entry->line);
        r.time = entry->time;
        r.level = LevelOf(*labels, entry->metadata);
        r.raw = entries[ei];
        r.ordinal = out.records;
        if (!entry->metadata.empty()) r.extra["structured_metadata"] = entry->metadata;
        out.events.push_back(MakeLogEvent(r, options, received_at));
        continue;
      }
      std::string what = where + ": ";
      what += why;
      if (!options.skip_invalid_lines) return Invalid(what);
      ++out.invalid_lines;
      if (out.first_invalid.empty()) out.first_invalid = std::move(what);
    }
  }
  if (top.failed()) return Invalid("the body is not a protobuf PushRequest");
  RedactSplitPrivateKeys(out.events, options);
  return out;
}

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
    if (c != ' ' && c != '\t') {
      lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return lower == "application/x-protobuf" || lower == "application/protobuf" ||
         lower == "application/vnd.google.protobuf";
}

}  // namespace timelined::connectors::logs
