#include "connectors/logs/otlp.h"

#include <algorithm>
#include <cctype>
#include <cstring>
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

constexpr int kMaxValueDepth = 32;

auto Invalid(std::string detail) {
  return MakeError(ErrorCode::kInvalidInput, "invalid_otlp_logs", std::move(detail));
}

std::string Repaired(std::string_view s) {
  std::string out(s);
  RepairUtf8(out);
  return out;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<uint8_t>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16 |
                       static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8 |
                       static_cast<uint8_t>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  if (i < bytes.size()) {
    uint32_t v = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// One LogRecord's fields, whichever encoding they came in.
struct RecordFields {
  uint64_t time = 0;
  uint64_t observed = 0;
  uint64_t severity_number = 0;
  std::string severity_text;
  std::optional<json> body;
  json attributes = json::object();
  std::string trace_id;  // hex
  std::string span_id;   // hex
  std::string event_name;
  std::string_view raw;
};

// What every record of one ResourceLogs / ScopeLogs shares.
struct Context {
  Labels labels;
  json resource = json::object();
  size_t resource_bytes = 2;  // resource.dump().size()
  json scope = json::object();
  size_t scope_bytes = 2;  // scope.dump().size()
};

void SetContextScope(Context& ctx, json scope) {
  ctx.scope = std::move(scope);
  ctx.scope_bytes = ctx.scope.dump().size();
}

// Label values are cut as scope parts are (253 bytes): they are copied into every event.
constexpr size_t kMaxLabelBytes = 253;

const char* AttrString(const json& attrs, const char* key) {
  auto it = attrs.find(key);
  if (it == attrs.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return nullptr;
  }
  return it->get_ref<const std::string&>().c_str();
}

void SetContextResource(Context& ctx, json resource) {
  ctx.resource = std::move(resource);
  ctx.resource_bytes = ctx.resource.dump().size();
  ctx.labels.clear();
  auto first = [&](std::initializer_list<const char*> keys) -> const char* {
    for (const char* k : keys) {
      if (const char* v = AttrString(ctx.resource, k)) return v;
    }
    return nullptr;
  };
  auto set = [&](const char* label, const char* value) {
    if (value != nullptr) ctx.labels[label] = TruncateUtf8(value, kMaxLabelBytes);
  };
  set("namespace", first({"k8s.namespace.name"}));
  set("pod", first({"k8s.pod.name"}));
  set("container", first({"k8s.container.name"}));
  set("app", first({"k8s.deployment.name", "k8s.statefulset.name", "k8s.daemonset.name",
                    "k8s.cronjob.name"}));
  set("job", first({"k8s.job.name"}));
  if (const char* s = first({"service.name"});
      s != nullptr && std::string_view(s).rfind("unknown_service", 0) != 0) {
    ctx.labels["service"] = TruncateUtf8(s, kMaxLabelBytes);
  }
  set("host", first({"host.name", "k8s.node.name"}));
}

std::optional<std::string> LevelFromSeverityNumber(uint64_t n) {
  if (n >= 1 && n <= 8) return "debug";
  if (n >= 9 && n <= 12) return "info";
  if (n >= 13 && n <= 16) return "warn";
  if (n >= 17 && n <= 20) return "error";
  if (n >= 21 && n <= 24) return "fatal";
  return std::nullopt;
}

// The Event of one record, or nullopt with `why` set.
// `copy_budget`: bytes of resource and record attributes still allowed into attrs for this
// request, so that one large resource over many small records cannot multiply the body in
// memory; once spent, records keep their labels and get attributes_truncated.
std::optional<Event> BuildEvent(RecordFields& f, const Context& ctx, size_t ordinal,
                                size_t* copy_budget, const LogOptions& options, Nanos received_at,
                                std::string* why) {
  LogRecord r;
  r.labels = ctx.labels;
  if (f.body && f.body->is_string()) {
    r.message = f.body->get<std::string>();
  } else if (f.body && !f.body->is_null()) {
    r.message = f.body->dump();
  } else if (!f.event_name.empty()) {
    r.message = f.event_name;
  } else {
    *why = "no body and no event_name";
    return std::nullopt;
  }
  json otlp = json::object();
  const uint64_t t = f.time != 0 ? f.time : f.observed;
  if (t > static_cast<uint64_t>(INT64_MAX)) {
    *why = "time past 2262";
    return std::nullopt;
  }
  if (t != 0) r.time = static_cast<Nanos>(t);
  if (f.time == 0 && f.observed != 0) otlp["time_source"] = "observed";
  r.level = NormalizeLevel(f.severity_text);
  if (!r.level) r.level = LevelFromSeverityNumber(f.severity_number);
  const size_t copied = ctx.resource_bytes + ctx.scope_bytes + f.attributes.dump().size();
  if (copied <= options.fields_max_bytes && copied <= *copy_budget) {
    *copy_budget -= copied;
    if (!ctx.resource.empty()) otlp["resource"] = ctx.resource;
    if (!ctx.scope.empty()) otlp["scope"] = ctx.scope;
    if (!f.attributes.empty()) otlp["attributes"] = std::move(f.attributes);
  } else {
    otlp["attributes_truncated"] = true;
  }
  if (f.severity_number != 0) otlp["severity_number"] = f.severity_number;
  if (!f.severity_text.empty()) otlp["severity_text"] = f.severity_text;
  if (!f.trace_id.empty()) otlp["trace_id"] = f.trace_id;
  if (!f.span_id.empty()) otlp["span_id"] = f.span_id;
  if (!f.event_name.empty()) otlp["event_name"] = f.event_name;
  r.extra["otlp"] = std::move(otlp);
  r.raw = f.raw;
  r.ordinal = ordinal;
  return MakeLogEvent(r, options, received_at);
}

// Collects events and bad records for both encodings.
struct Collector {
  const LogOptions& options;
  Nanos received_at;
  size_t copy_budget;
  LogParse out;

  // false (with `*error` set) when a bad record fails the whole request.
  bool Add(RecordFields& f, const Context& ctx, const std::string& where, bool malformed,
           Error* error) {
    ++out.records;
    std::string why = malformed ? "malformed LogRecord" : std::string();
    if (!malformed) {
      if (auto e = BuildEvent(f, ctx, out.records, &copy_budget, options, received_at, &why)) {
        out.events.push_back(std::move(*e));
        return true;
      }
    }
    std::string what = where + ": " + why;
    if (!options.skip_invalid_lines) {
      *error = Invalid(std::move(what)).error();
      return false;
    }
    ++out.invalid_lines;
    if (out.first_invalid.empty()) out.first_invalid = std::move(what);
    return true;
  }
};

// --- Protobuf ------------------------------------------------------------------------------

bool AnyValueProto(std::string_view bytes, int depth, json* out);

// A KeyValue into `object`; false when malformed.
bool KeyValueProto(std::string_view bytes, int depth, json& object) {
  ProtoReader r(bytes);
  ProtoField f;
  std::string_view key;
  json value;
  while (r.Next(&f)) {
    if (f.number != 1 && f.number != 2) continue;
    if (f.type != WireType::kLen) return false;
    if (f.number == 1) {
      key = f.bytes;
    } else if (!AnyValueProto(f.bytes, depth + 1, &value)) {
      return false;
    }
  }
  if (r.failed()) return false;
  object[Repaired(key)] = std::move(value);
  return true;
}

bool AnyValueProto(std::string_view bytes, int depth, json* out) {
  if (depth > kMaxValueDepth) return false;
  *out = nullptr;
  ProtoReader r(bytes);
  ProtoField f;
  while (r.Next(&f)) {
    switch (f.number) {
      case 1:
      case 7:
        if (f.type != WireType::kLen) return false;
        *out = f.number == 1 ? Repaired(f.bytes) : Base64(f.bytes);
        break;
      case 2:
      case 3:
        if (f.type != WireType::kVarint) return false;
        if (f.number == 2) {
          *out = f.value != 0;
        } else {
          *out = AsInt64(f.value);
        }
        break;
      case 4: {
        if (f.type != WireType::kI64) return false;
        double d = 0;
        std::memcpy(&d, &f.value, sizeof d);
        *out = d;
        break;
      }
      case 5:
      case 6: {
        if (f.type != WireType::kLen) return false;
        json list = f.number == 5 ? json::array() : json::object();
        ProtoReader lr(f.bytes);
        ProtoField e;
        while (lr.Next(&e)) {
          if (e.number != 1) continue;
          if (e.type != WireType::kLen) return false;
          if (f.number == 5) {
            json v;
            if (!AnyValueProto(e.bytes, depth + 1, &v)) return false;
            list.push_back(std::move(v));
          } else if (!KeyValueProto(e.bytes, depth + 1, list)) {
            return false;
          }
        }
        if (lr.failed()) return false;
        *out = std::move(list);
        break;
      }
      default:
        break;
    }
  }
  return !r.failed();
}

// A LogRecord's fields; false when malformed.
bool RecordProto(std::string_view bytes, RecordFields* f) {
  f->raw = bytes;
  ProtoReader r(bytes);
  ProtoField p;
  while (r.Next(&p)) {
    switch (p.number) {
      case 1:
      case 11:
        if (p.type != WireType::kI64) return false;
        (p.number == 1 ? f->time : f->observed) = p.value;
        break;
      case 2:
        if (p.type != WireType::kVarint) return false;
        f->severity_number = p.value;
        break;
      case 3:
      case 9:
      case 10:
      case 12:
        if (p.type != WireType::kLen) return false;
        if (p.number == 3) f->severity_text = Repaired(p.bytes);
        if (p.number == 9) f->trace_id = Hex(p.bytes);
        if (p.number == 10) f->span_id = Hex(p.bytes);
        if (p.number == 12) f->event_name = Repaired(p.bytes);
        break;
      case 5: {
        if (p.type != WireType::kLen) return false;
        json body;
        if (!AnyValueProto(p.bytes, 0, &body)) return false;
        f->body = std::move(body);
        break;
      }
      case 6:
        if (p.type != WireType::kLen || !KeyValueProto(p.bytes, 0, f->attributes)) return false;
        break;
      default:
        break;
    }
  }
  return !r.failed();
}

// Resource or InstrumentationScope: the attributes (field `attrs_field`) and, for a scope,
// name and version.
Result<json> ResourceOrScopeProto(std::string_view bytes, bool scope, const std::string& where) {
  json out = json::object();
  json attrs = json::object();
  ProtoReader r(bytes);
  ProtoField f;
  const uint32_t attrs_field = scope ? 3 : 1;
  while (r.Next(&f)) {
    const bool known = f.number == attrs_field || (scope && (f.number == 1 || f.number == 2));
    if (!known) continue;
    if (f.type != WireType::kLen) return Invalid(where + ": a field has the wrong wire type");
    if (f.number == attrs_field) {
      if (!KeyValueProto(f.bytes, 0, attrs)) return Invalid(where + ": malformed attribute");
    } else {
      if (!f.bytes.empty()) out[f.number == 1 ? "name" : "version"] = Repaired(f.bytes);
    }
  }
  if (r.failed()) return Invalid(where + ": not protobuf");
  if (!scope) return attrs;
  if (!attrs.empty()) out["attributes"] = std::move(attrs);
  return out;
}

// --- JSON ----------------------------------------------------------------------------------

const json* Member(const json& object, const char* camel, const char* snake) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(camel);
  if (it == object.end()) it = object.find(snake);
  return it == object.end() ? nullptr : &*it;
}

// A 64-bit unsigned integer as a JSON number or decimal string.
std::optional<uint64_t> Uint64Of(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer()) {
    const auto i = v.get<int64_t>();
    if (i >= 0) return static_cast<uint64_t>(i);
    return std::nullopt;
  }
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<uint64_t>(c - '0');
    if (out > (UINT64_MAX - d) / 10) return std::nullopt;
    out = out * 10 + d;
  }
  return out;
}

std::optional<int64_t> Int64Of(const json& v) {
  if (v.is_number_integer() && !v.is_number_unsigned()) return v.get<int64_t>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    const bool negative = !s.empty() && s[0] == '-';
    auto magnitude = Uint64Of(negative ? json(s.substr(1)) : v);
    if (!magnitude) return std::nullopt;
    if (negative) {
      if (*magnitude > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
      return static_cast<int64_t>(0 - *magnitude);
    }
    if (*magnitude > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(*magnitude);
  }
  if (auto u = Uint64Of(v); u && *u <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(*u);
  }
  return std::nullopt;
}

bool AnyValueJson(const json& v, int depth, json* out);

bool KeyValueJson(const json& kv, int depth, json& object) {
  const json* key = Member(kv, "key", "key");
  if (key == nullptr || !key->is_string()) return false;
  json value;
  if (const json* v = Member(kv, "value", "value"); v != nullptr && !v->is_null()) {
    if (!AnyValueJson(*v, depth + 1, &value)) return false;
  }
  object[key->get<std::string>()] = std::move(value);
  return true;
}

bool KeyValuesJson(const json* list, int depth, json& object) {
  if (list == nullptr || list->is_null()) return true;
  if (!list->is_array()) return false;
  for (const auto& kv : *list) {
    if (!KeyValueJson(kv, depth, object)) return false;
  }
  return true;
}

bool AnyValueJson(const json& v, int depth, json* out) {
  if (depth > kMaxValueDepth || !v.is_object()) return false;
  *out = nullptr;
  if (const json* s = Member(v, "stringValue", "string_value")) {
    if (!s->is_string()) return false;
    *out = *s;
  } else if (const json* b = Member(v, "boolValue", "bool_value")) {
    if (!b->is_boolean()) return false;
    *out = *b;
  } else if (const json* i = Member(v, "intValue", "int_value")) {
    auto n = Int64Of(*i);
    if (!n) return false;
    *out = *n;
  } else if (const json* d = Member(v, "doubleValue", "double_value")) {
    if (!d->is_number()) return false;
    *out = d->get<double>();
  } else if (const json* bytes = Member(v, "bytesValue", "bytes_value")) {
    if (!bytes->is_string()) return false;
    *out = *bytes;  // already base64
  } else if (const json* a = Member(v, "arrayValue", "array_value")) {
    const json* values = Member(*a, "values", "values");
    json list = json::array();
    if (values != nullptr && !values->is_null()) {
      if (!values->is_array()) return false;
      for (const auto& e : *values) {
        json item;
        if (!AnyValueJson(e, depth + 1, &item)) return false;
        list.push_back(std::move(item));
      }
    } else if (!a->is_object()) {
      return false;
    }
    *out = std::move(list);
  } else if (const json* kv = Member(v, "kvlistValue", "kvlist_value")) {
    json object = json::object();
    if (!kv->is_object() || !KeyValuesJson(Member(*kv, "values", "values"), depth + 1, object)) {
      return false;
    }
    *out = std::move(object);
  }
  return true;
}

// A hex id as OTLP/JSON writes it (lower-cased); nullopt when it is not hex.
std::optional<std::string> HexId(const json& v) {
  if (!v.is_string()) return std::nullopt;
  std::string out;
  for (char c : v.get_ref<const std::string&>()) {
    const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!((l >= '0' && l <= '9') || (l >= 'a' && l <= 'f'))) return std::nullopt;
    out.push_back(l);
  }
  return out;
}

// A LogRecord's fields from JSON; false when malformed.
bool RecordJson(const json& rec, RecordFields* f) {
  if (!rec.is_object()) return false;
  if (const json* t = Member(rec, "timeUnixNano", "time_unix_nano")) {
    auto v = Uint64Of(*t);
    if (!v) return false;
    f->time = *v;
  }
  if (const json* t = Member(rec, "observedTimeUnixNano", "observed_time_unix_nano")) {
    auto v = Uint64Of(*t);
    if (!v) return false;
    f->observed = *v;
  }
  if (const json* s = Member(rec, "severityNumber", "severity_number")) {
    auto v = Uint64Of(*s);
    if (!v) return false;
    f->severity_number = *v;
  }
  for (auto [camel, snake, dest] : {std::tuple{"severityText", "severity_text", &f->severity_text},
                                    std::tuple{"eventName", "event_name", &f->event_name}}) {
    if (const json* s = Member(rec, camel, snake)) {
      if (!s->is_string()) return false;
      *dest = s->get<std::string>();
    }
  }
  for (auto [camel, snake, dest] : {std::tuple{"traceId", "trace_id", &f->trace_id},
                                    std::tuple{"spanId", "span_id", &f->span_id}}) {
    if (const json* s = Member(rec, camel, snake)) {
      auto hex = HexId(*s);
      if (!hex) return false;
      *dest = std::move(*hex);
    }
  }
  if (const json* b = Member(rec, "body", "body"); b != nullptr && !b->is_null()) {
    json body;
    if (!AnyValueJson(*b, 0, &body)) return false;
    f->body = std::move(body);
  }
  return KeyValuesJson(Member(rec, "attributes", "attributes"), 0, f->attributes);
}

// Spans of the elements of `object`'s member `camel` (or `snake`); empty when unknown.
std::vector<Span> ElementSpans(std::string_view text, std::optional<Span> object, const char* camel,
                               const char* snake) {
  if (!object) return {};
  auto member = ObjectMemberSpan(text, *object, camel);
  if (!member) member = ObjectMemberSpan(text, *object, snake);
  if (!member) return {};
  return ArrayElementSpans(text, *member).value_or(std::vector<Span>{});
}

std::optional<Span> At(const std::vector<Span>& spans, size_t i, size_t expected) {
  if (spans.size() != expected) return std::nullopt;
  return spans[i];
}

// Four times the body, and at least 1 MiB.
size_t CopyBudget(std::string_view body) { return std::max<size_t>(4 * body.size(), 1 << 20); }

void ProtoVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

}  // namespace

Result<LogParse> ParseOtlpLogsProtobuf(std::string_view body, const LogOptions& options,
                                       Nanos received_at) {
  Collector c{options, received_at, CopyBudget(body), {}};
  ProtoReader top(body);
  ProtoField rf;
  size_t resource_no = 0;
  while (top.Next(&rf)) {
    if (rf.number != 1) continue;
    const std::string rwhere = "resource " + std::to_string(++resource_no);
    if (rf.type != WireType::kLen) return Invalid(rwhere + ": not a ResourceLogs");
    // The resource may follow its scopes on the wire: read it first.
    Context ctx;
    std::vector<std::string_view> scopes;
    ProtoReader rr(rf.bytes);
    ProtoField f;
    while (rr.Next(&f)) {
      if (f.number != 1 && f.number != 2) continue;
      if (f.type != WireType::kLen) return Invalid(rwhere + ": a field has the wrong wire type");
      if (f.number == 2) {
        scopes.push_back(f.bytes);
        continue;
      }
      auto resource = ResourceOrScopeProto(f.bytes, false, rwhere);
      if (!resource) return std::unexpected(resource.error());
      SetContextResource(ctx, std::move(*resource));
    }
    if (rr.failed()) return Invalid(rwhere + ": not a protobuf ResourceLogs");
    for (size_t si = 0; si < scopes.size(); ++si) {
      const std::string swhere = rwhere + " scope " + std::to_string(si + 1);
      std::vector<std::string_view> records;
      SetContextScope(ctx, json::object());
      ProtoReader sr(scopes[si]);
      while (sr.Next(&f)) {
        if (f.number != 1 && f.number != 2) continue;
        if (f.type != WireType::kLen) return Invalid(swhere + ": a field has the wrong wire type");
        if (f.number == 2) {
          records.push_back(f.bytes);
          continue;
        }
        auto scope = ResourceOrScopeProto(f.bytes, true, swhere);
        if (!scope) return std::unexpected(scope.error());
        SetContextScope(ctx, std::move(*scope));
      }
      if (sr.failed()) return Invalid(swhere + ": not a protobuf ScopeLogs");
      for (size_t ri = 0; ri < records.size(); ++ri) {
        RecordFields rec;
        const bool malformed = !RecordProto(records[ri], &rec);
        Error error;
        if (!c.Add(rec, ctx, swhere + " record " + std::to_string(ri + 1), malformed, &error)) {
          return std::unexpected(std::move(error));
        }
      }
    }
  }
  if (top.failed()) return Invalid("the body is not a protobuf ExportLogsServiceRequest");
  RedactSplitPrivateKeys(c.out.events, options);
  return std::move(c.out);
}

Result<LogParse> ParseOtlpLogsJson(std::string_view body, const LogOptions& options,
                                   Nanos received_at) {
  if (!JsonDepthWithin(body)) return Invalid("body nests deeper than 64 levels");
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return Invalid("body is not valid JSON");
  if (!j.is_object()) return Invalid("body is not a JSON object");
  const json* resource_logs = Member(j, "resourceLogs", "resource_logs");
  if (resource_logs == nullptr || resource_logs->is_null()) return LogParse{};
  if (!resource_logs->is_array()) return Invalid("\"resourceLogs\" is not an array");

  const size_t first = SkipJsonSpace(body, 0);
  const ScanResult scanned = ScanValue(body, first);
  std::optional<Span> root;
  if (scanned.status == ScanStatus::kOk) root = Span{first, scanned.end};
  const auto rspans = ElementSpans(body, root, "resourceLogs", "resource_logs");

  Collector c{options, received_at, CopyBudget(body), {}};
  for (size_t ri = 0; ri < resource_logs->size(); ++ri) {
    const std::string rwhere = "resource " + std::to_string(ri + 1);
    const json& rl = (*resource_logs)[ri];
    if (!rl.is_object()) return Invalid(rwhere + ": not an object");
    Context ctx;
    if (const json* resource = Member(rl, "resource", "resource");
        resource != nullptr && !resource->is_null()) {
      json attrs = json::object();
      if (!resource->is_object() ||
          !KeyValuesJson(Member(*resource, "attributes", "attributes"), 0, attrs)) {
        return Invalid(rwhere + ": malformed resource attributes");
      }
      SetContextResource(ctx, std::move(attrs));
    }
    const json* scope_logs = Member(rl, "scopeLogs", "scope_logs");
    if (scope_logs == nullptr || scope_logs->is_null()) continue;
    if (!scope_logs->is_array()) return Invalid(rwhere + ": \"scopeLogs\" is not an array");
    const auto sspans =
        ElementSpans(body, At(rspans, ri, resource_logs->size()), "scopeLogs", "scope_logs");
    for (size_t si = 0; si < scope_logs->size(); ++si) {
      const std::string swhere = rwhere + " scope " + std::to_string(si + 1);
      const json& sl = (*scope_logs)[si];
      if (!sl.is_object()) return Invalid(swhere + ": not an object");
      json scope_json = json::object();
      if (const json* scope = Member(sl, "scope", "scope"); scope != nullptr && !scope->is_null()) {
        if (!scope->is_object()) return Invalid(swhere + ": \"scope\" is not an object");
        for (const char* k : {"name", "version"}) {
          if (const json* v = Member(*scope, k, k); v != nullptr && !v->is_null()) {
            if (!v->is_string()) return Invalid(swhere + ": scope " + k + " is not a string");
            if (!v->get_ref<const std::string&>().empty()) scope_json[k] = *v;
          }
        }
        json attrs = json::object();
        if (!KeyValuesJson(Member(*scope, "attributes", "attributes"), 0, attrs)) {
          return Invalid(swhere + ": malformed scope attributes");
        }
        if (!attrs.empty()) scope_json["attributes"] = std::move(attrs);
      }
      SetContextScope(ctx, std::move(scope_json));
      const json* records = Member(sl, "logRecords", "log_records");
      if (records == nullptr || records->is_null()) continue;
      if (!records->is_array()) return Invalid(swhere + ": \"logRecords\" is not an array");
      const auto lspans =
          ElementSpans(body, At(sspans, si, scope_logs->size()), "logRecords", "log_records");
      for (size_t li = 0; li < records->size(); ++li) {
        const json& rec = (*records)[li];
        RecordFields f;
        std::string dumped;
        if (lspans.size() == records->size()) {
          f.raw = lspans[li].In(body);
        } else {
          dumped = rec.dump();
          f.raw = dumped;
        }
        const bool malformed = !RecordJson(rec, &f);
        Error error;
        if (!c.Add(f, ctx, swhere + " record " + std::to_string(li + 1), malformed, &error)) {
          return std::unexpected(std::move(error));
        }
      }
    }
  }
  RedactSplitPrivateKeys(c.out.events, options);
  return std::move(c.out);
}

std::string OtlpLogsResponseProtobuf(uint64_t rejected, std::string_view error_message) {
  if (rejected == 0) return {};
  std::string partial;
  ProtoVarint(partial, 1 << 3);  // rejected_log_records, varint
  ProtoVarint(partial, rejected);
  ProtoVarint(partial, 2 << 3 | 2);  // error_message, bytes
  ProtoVarint(partial, error_message.size());
  partial.append(error_message);
  std::string out;
  ProtoVarint(out, 1 << 3 | 2);  // partial_success
  ProtoVarint(out, partial.size());
  out += partial;
  return out;
}

std::string OtlpLogsResponseJson(uint64_t rejected, std::string_view error_message) {
  if (rejected == 0) return "{}";
  return json{{"partialSuccess",
               {{"rejectedLogRecords", std::to_string(rejected)},
                {"errorMessage", Repaired(error_message)}}}}
      .dump();
}

}  // namespace timelined::connectors::logs
