#include "store/model/event.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include "store/model/hash.h"
#include "store/model/untrusted.h"

namespace timelined {
namespace {

using nlohmann::json;

constexpr size_t kMaxSourceRef = 2048;
constexpr size_t kMaxShortField = 4096;  // kind, scope, actor, url, incident_id, summary
constexpr size_t kMaxBody = 256 * 1024;

std::string Dump(const json& j) {
  // Replace invalid UTF-8 instead of throwing: the canonical form must never fail.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool IsSourceName(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsKnownSeverity(std::string_view s) {
  return s == kSeverityInfo || s == kSeverityWarning || s == kSeverityError ||
         s == kSeverityCritical;
}

bool IsHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

json CanonicalObject(const Event& e) {
  return json{{"id", e.id},
              {"source", e.source},
              {"source_ref", e.source_ref},
              {"kind", e.kind},
              {"occurred_at", e.occurred_at},
              {"received_at", e.received_at},
              {"incident_id", e.incident_id},
              {"scope", e.scope},
              {"severity", e.severity},
              {"actor", e.actor},
              {"summary", e.summary},
              {"body", e.body},
              {"url", e.url},
              {"attrs", e.attrs},
              {"raw_sha256", e.raw_sha256},
              {"redactions", e.redactions}};
}

// Reads an optional string field; fails when present with another type.
Result<void> ReadString(const json& j, const char* key, std::string* out, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required)
      return MakeError(ErrorCode::kInvalidInput, "missing_field",
                       std::string("missing field '") + key + "'");
    return {};
  }
  if (!it->is_string()) {
    return MakeError(ErrorCode::kInvalidInput, "bad_field",
                     std::string("field '") + key + "' must be a string");
  }
  *out = it->get<std::string>();
  return {};
}

Result<Nanos> ReadTime(const json& j, const char* key, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required)
      return MakeError(ErrorCode::kInvalidInput, "missing_field",
                       std::string("missing field '") + key + "'");
    return Nanos{0};
  }
  if (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t{INT64_MAX}) {
    return MakeError(ErrorCode::kInvalidInput, "bad_field",
                     std::string("field '") + key + "' is out of range");
  }
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) {
    if (auto t = ParseRfc3339(it->get<std::string>())) return *t;
  }
  return MakeError(
      ErrorCode::kInvalidInput, "bad_field",
      std::string("field '") + key + "' must be integer nanoseconds or an RFC 3339 string");
}

constexpr std::array<std::string_view, 22> kKnownEventKeys = {"id",
                                                              "source",
                                                              "source_ref",
                                                              "kind",
                                                              "occurred_at",
                                                              "received_at",
                                                              "incident_id",
                                                              "scope",
                                                              "severity",
                                                              "actor",
                                                              "summary",
                                                              "body",
                                                              "url",
                                                              "attrs",
                                                              "raw_sha256",
                                                              "redactions",
                                                              "seq",
                                                              "chain",
                                                              "v",
                                                              "occurred_at_rfc3339",
                                                              "received_at_rfc3339",
                                                              "included_because"};

}  // namespace

std::string_view SourcePrefix(std::string_view source) {
  if (source == kSourcePagerDuty) return "pd";
  if (source == kSourceSlack) return "sl";
  if (source == kSourceKubernetes) return "k8";
  if (source == kSourceLog) return "lg";
  return "ev";
}

std::string MakeEventId(std::string_view source, std::string_view source_ref) {
  std::string input;
  input.reserve(source.size() + 1 + source_ref.size());
  input.append(source);
  input.push_back('\0');
  input.append(source_ref);
  Sha256Digest d = Sha256(input);
  std::string id(SourcePrefix(source));
  id.push_back('_');
  id += Base32Lower(d.data(), d.size(), 16);
  return id;
}

bool IsValidEventId(std::string_view id) {
  if (id.size() != 19 || id[2] != '_') return false;
  std::string_view p = id.substr(0, 2);
  if (p != "pd" && p != "sl" && p != "k8" && p != "lg" && p != "ev") return false;
  return std::all_of(id.begin() + 3, id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'); });
}

namespace {

// Appends `s` as a JSON string exactly as Dump() writes it. Printable ASCII other than '"'
// and '\\' is copied as is; any other byte sends the whole string through nlohmann's
// serializer, so escapes and invalid UTF-8 follow the same rules byte for byte.
void AppendJsonString(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
      out += Dump(json(s));
      return;
    }
  }
  out.push_back('"');
  out.append(s);
  out.push_back('"');
}

void AppendJsonInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

}  // namespace

// The same bytes as Dump(CanonicalObject(e)) (a test checks it), written directly: building
// the json object first costs ~30 allocations and ~5x the time, and this runs once per event
// on the ingest path. Keys are in byte order, as the std::map-backed object orders them.
std::string CanonicalJson(const Event& e) { return CanonicalJson(e, Dump(e.attrs)); }

std::string CanonicalJson(const Event& e, std::string_view attrs_json) {
  std::string out;
  out.reserve(256 + attrs_json.size() + e.actor.size() + e.body.size() + e.incident_id.size() +
              e.kind.size() + e.scope.size() + e.source_ref.size() + e.summary.size() +
              e.url.size());
  const auto field = [&out](std::string_view key_and_colon, std::string_view value) {
    out += key_and_colon;
    AppendJsonString(out, value);
  };
  field("{\"actor\":", e.actor);
  out += ",\"attrs\":";
  out += attrs_json;
  field(",\"body\":", e.body);
  field(",\"id\":", e.id);
  field(",\"incident_id\":", e.incident_id);
  field(",\"kind\":", e.kind);
  out += ",\"occurred_at\":";
  AppendJsonInt(out, e.occurred_at);
  field(",\"raw_sha256\":", e.raw_sha256);
  out += ",\"received_at\":";
  AppendJsonInt(out, e.received_at);
  out += ",\"redactions\":";
  AppendJsonInt(out, e.redactions);
  field(",\"scope\":", e.scope);
  field(",\"severity\":", e.severity);
  field(",\"source\":", e.source);
  field(",\"source_ref\":", e.source_ref);
  field(",\"summary\":", e.summary);
  field(",\"url\":", e.url);
  out += '}';
  return out;
}

std::string ChainHash(std::string_view previous_chain, const Event& e) {
  std::string input(previous_chain);
  input += CanonicalJson(e);
  return Sha256Hex(input);
}

json EventToJson(const Event& e) {
  json j = CanonicalObject(e);
  j["occurred_at_rfc3339"] = FormatRfc3339(e.occurred_at, 9);
  j["received_at_rfc3339"] = FormatRfc3339(e.received_at, 9);
  if (e.seq != 0) j["seq"] = e.seq;
  if (!e.chain.empty()) j["chain"] = e.chain;
  return j;
}

Result<Event> ParseEventJson(const json& j) {
  if (!j.is_object())
    return MakeError(ErrorCode::kInvalidInput, "bad_event", "an event must be a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (std::find(kKnownEventKeys.begin(), kKnownEventKeys.end(), key) == kKnownEventKeys.end()) {
      return MakeError(ErrorCode::kInvalidInput, "unknown_field", "unknown field '" + key + "'");
    }
  }
  Event e;
  struct Field {
    const char* key;
    std::string* out;
    bool required;
  };
  std::string id;
  const Field fields[] = {{"id", &id, false},
                          {"source", &e.source, true},
                          {"source_ref", &e.source_ref, true},
                          {"kind", &e.kind, true},
                          {"incident_id", &e.incident_id, false},
                          {"scope", &e.scope, false},
                          {"severity", &e.severity, false},
                          {"actor", &e.actor, false},
                          {"summary", &e.summary, false},
                          {"body", &e.body, false},
                          {"url", &e.url, false},
                          {"raw_sha256", &e.raw_sha256, false}};
  for (const Field& f : fields) {
    if (auto r = ReadString(j, f.key, f.out, f.required); !r) return std::unexpected(r.error());
  }
  auto occurred = ReadTime(j, "occurred_at", true);
  if (!occurred) return std::unexpected(occurred.error());
  e.occurred_at = *occurred;
  auto received = ReadTime(j, "received_at", false);
  if (!received) return std::unexpected(received.error());
  e.received_at = *received;
  if (auto it = j.find("attrs"); it != j.end() && !it->is_null()) {
    if (!it->is_object())
      return MakeError(ErrorCode::kInvalidInput, "bad_field", "field 'attrs' must be an object");
    e.attrs = *it;
  }
  if (auto it = j.find("redactions"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 ||
        it->get<int64_t>() > std::numeric_limits<int>::max()) {
      return MakeError(ErrorCode::kInvalidInput, "bad_field",
                       "field 'redactions' must be an integer in 0..2147483647");
    }
    e.redactions = it->get<int>();
  }
  if (e.severity.empty()) e.severity = std::string(kSeverityInfo);
  e.id = MakeEventId(e.source, e.source_ref);
  if (!id.empty() && id != e.id) {
    return MakeError(ErrorCode::kInvalidInput, "id_mismatch",
                     "field 'id' is " + id + " but source/source_ref give " + e.id);
  }
  return e;
}

Result<Event> EventFromJson(const json& j) {
  auto e = ParseEventJson(j);
  if (!e) return e;
  if (auto v = ValidateEvent(*e); !v) return std::unexpected(v.error());
  return e;
}

namespace {

// Why `v` (at nesting `depth`, attrs itself = 1) cannot be stored, or nullptr. Recursion is
// bounded: it stops one level past kMaxAttrsDepth.
const char* AttrsProblem(const json& v, int depth) {
  if (depth > kMaxAttrsDepth && v.is_structured()) return "attrs nest deeper than 32 levels";
  switch (v.type()) {
    case json::value_t::string:
      return IsValidUtf8(v.get_ref<const std::string&>()) ? nullptr
                                                          : "an attrs string is not valid UTF-8";
    case json::value_t::number_float:
      return std::isfinite(v.get<double>()) ? nullptr : "an attrs number is not finite";
    case json::value_t::object:
      for (const auto& [key, member] : v.items()) {
        if (!IsValidUtf8(key)) return "an attrs key is not valid UTF-8";
        if (const char* p = AttrsProblem(member, depth + 1)) return p;
      }
      return nullptr;
    case json::value_t::array:
      for (const json& member : v) {
        if (const char* p = AttrsProblem(member, depth + 1)) return p;
      }
      return nullptr;
    default:
      return nullptr;
  }
}

}  // namespace

Result<void> ValidateEvent(const Event& e) {
  auto bad = [](std::string detail) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_event", std::move(detail));
  };
  if (!IsSourceName(e.source)) return bad("source must match [a-z0-9_]{1,32}");
  if (e.source_ref.empty() || e.source_ref.size() > kMaxSourceRef)
    return bad("source_ref must be 1..2048 bytes");
  // The one exception (event.h): a redacted source_ref no longer gives the id.
  const bool redacted_ref = e.source_ref.find(kRedactionMarkerPrefix) != std::string::npos &&
                            IsValidEventId(e.id) && e.id.starts_with(SourcePrefix(e.source)) &&
                            e.id[SourcePrefix(e.source).size()] == '_';
  if (e.id != MakeEventId(e.source, e.source_ref) && !redacted_ref)
    return bad("id does not match source and source_ref");
  if (e.kind.empty()) return bad("kind must not be empty");
  if (!IsKnownSeverity(e.severity)) return bad("severity must be info, warning, error or critical");
  if (!e.attrs.is_object()) return bad("attrs must be an object");
  if (!e.raw_sha256.empty() && !IsHex64(e.raw_sha256))
    return bad("raw_sha256 must be 64 lower-case hex chars");
  for (const std::string* s : {&e.kind, &e.scope, &e.actor, &e.url, &e.incident_id, &e.summary}) {
    if (s->size() > kMaxShortField) return bad("a short field is over 4096 bytes");
  }
  if (e.body.size() > kMaxBody) return bad("body is over 256 KiB");
  if (e.occurred_at <= 0) return bad("occurred_at must be after 1970");
  if (e.received_at < 0) return bad("received_at must not be before 1970");
  if (e.redactions < 0) return bad("redactions must not be negative");
  // Every string must be UTF-8: the JSON API, the canonical form and the Kafka message
  // would otherwise each show it differently (and the ID would no longer match).
  for (const std::string* s : {&e.source_ref, &e.kind, &e.incident_id, &e.scope, &e.severity,
                               &e.actor, &e.summary, &e.body, &e.url}) {
    if (!IsValidUtf8(*s)) return bad("a text field is not valid UTF-8");
  }
  if (const char* p = AttrsProblem(e.attrs, 1)) return bad(p);
  return {};
}

json IncidentToJson(const Incident& i) {
  // Emplaced one by one: an initializer list copies every value twice and is, on the
  // webhook path, most of the cost of the snapshot.
  json j = json::object();
  auto& o = j.get_ref<json::object_t&>();
  o.emplace("id", i.id);
  o.emplace("number", i.number);
  o.emplace("title", i.title);
  o.emplace("service_id", i.service_id);
  o.emplace("service_name", i.service_name);
  o.emplace("urgency", i.urgency);
  o.emplace("priority", i.priority);
  o.emplace("status", i.status);
  o.emplace("assignees", i.assignees);
  o.emplace("html_url", i.html_url);
  o.emplace("triggered_at", i.triggered_at);
  o.emplace("acknowledged_at", i.acknowledged_at);
  o.emplace("resolved_at", i.resolved_at);
  o.emplace("reopened_at", i.reopened_at);
  o.emplace("updated_at", i.updated_at);
  return j;
}

Result<Incident> IncidentFromJson(const json& j) {
  if (!j.is_object())
    return MakeError(ErrorCode::kInvalidInput, "bad_incident", "an incident must be a JSON object");
  Incident i;
  const std::pair<const char*, std::string*> strings[] = {{"id", &i.id},
                                                          {"title", &i.title},
                                                          {"service_id", &i.service_id},
                                                          {"service_name", &i.service_name},
                                                          {"urgency", &i.urgency},
                                                          {"priority", &i.priority},
                                                          {"status", &i.status},
                                                          {"html_url", &i.html_url}};
  for (const auto& [key, out] : strings) {
    if (auto r = ReadString(j, key, out, false); !r) return std::unexpected(r.error());
  }
  const std::pair<const char*, int64_t*> ints[] = {{"number", &i.number},
                                                   {"triggered_at", &i.triggered_at},
                                                   {"acknowledged_at", &i.acknowledged_at},
                                                   {"resolved_at", &i.resolved_at},
                                                   {"reopened_at", &i.reopened_at},
                                                   {"updated_at", &i.updated_at}};
  for (const auto& [key, out] : ints) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) continue;
    if (!it->is_number_integer()) {
      return MakeError(ErrorCode::kInvalidInput, "bad_field",
                       std::string("field '") + key + "' must be an integer");
    }
    *out = it->get<int64_t>();
  }
  if (auto it = j.find("assignees"); it != j.end() && it->is_array()) {
    for (const auto& a : *it) {
      if (a.is_string()) i.assignees.push_back(a.get<std::string>());
    }
  }
  if (i.id.empty())
    return MakeError(ErrorCode::kInvalidInput, "missing_field", "incident id is empty");
  return i;
}

std::optional<Incident> IncidentFromEvent(const Event& e) {
  if (e.source != kSourcePagerDuty || !e.attrs.is_object()) return std::nullopt;
  auto it = e.attrs.find("incident");
  if (it == e.attrs.end() || !it->is_object()) return std::nullopt;
  auto inc = IncidentFromJson(*it);
  if (!inc) return std::nullopt;
  return *inc;
}

namespace {
void TakeIfSet(std::string& dst, const std::string& src) {
  if (!src.empty()) dst = src;
}
Nanos EarliestSet(Nanos a, Nanos b) {
  if (a == 0) return b;
  if (b == 0) return a;
  return std::min(a, b);
}
}  // namespace

void MergeIncident(Incident& current, const Incident& update, std::string_view kind, Nanos at) {
  if (current.id.empty()) current.id = update.id;
  current.triggered_at = EarliestSet(current.triggered_at, update.triggered_at);
  if (kind == "incident.triggered") current.triggered_at = EarliestSet(current.triggered_at, at);
  if (kind == "incident.acknowledged")
    current.acknowledged_at = std::max(current.acknowledged_at, at);
  if (kind == "incident.resolved") current.resolved_at = std::max(current.resolved_at, at);
  if (kind == "incident.reopened") {
    current.reopened_at = std::max({current.reopened_at, at, update.reopened_at});
  }
  if (at < current.updated_at) return;  // older news: lifecycle only
  current.updated_at = at;
  if (update.number != 0) current.number = update.number;
  TakeIfSet(current.title, update.title);
  TakeIfSet(current.service_id, update.service_id);
  TakeIfSet(current.service_name, update.service_name);
  TakeIfSet(current.urgency, update.urgency);
  TakeIfSet(current.html_url, update.html_url);
  TakeIfSet(current.status, update.status);
  current.priority = update.priority.empty() && kind != "incident.priority_updated"
                         ? current.priority
                         : update.priority;
  if (!update.assignees.empty() || kind == "incident.resolved")
    current.assignees = update.assignees;
}

}  // namespace timelined
