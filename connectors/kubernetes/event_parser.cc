#include "connectors/kubernetes/event_parser.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "connectors/common/json_text.h"
#include "connectors/common/workload.h"
#include "store/model/hash.h"

namespace timelined::connectors::kubernetes {
namespace {

using nlohmann::json;

constexpr std::string_view kCombinedPrefix = "(combined from similar events): ";
constexpr size_t kMaxReason = 64;
constexpr size_t kMaxName = 253;  // Kubernetes' DNS subdomain limit

const json* Member(const json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string Str(const json& j, std::string_view key) {
  const json* m = Member(j, key);
  return m != nullptr && m->is_string() ? m->get<std::string>() : std::string();
}

int64_t PositiveInt(const json& j, std::string_view key) {
  const json* m = Member(j, key);
  if (m == nullptr || !m->is_number_integer()) return 0;
  const int64_t v = m->get<int64_t>();
  return v > 0 ? v : 0;
}

std::optional<Nanos> Time(const json& j, std::string_view key) {
  const std::string s = Str(j, key);
  if (s.empty()) return std::nullopt;
  auto t = ParseRfc3339(s);
  if (!t || *t <= 0) return std::nullopt;
  return t;
}

// The first key of `keys` (each looked up in `j`) holding a valid time.
template <size_t N>
std::optional<Nanos> FirstTime(const json& j, const std::array<std::string_view, N>& keys) {
  for (std::string_view k : keys) {
    if (auto t = Time(j, k)) return t;
  }
  return std::nullopt;
}

const json& ChildOrEmpty(const json& j, std::string_view key) {
  static const json kEmpty = json::object();
  const json* m = Member(j, key);
  return m != nullptr && m->is_object() ? *m : kEmpty;
}

std::string CleanReason(std::string_view reason) {
  std::string out;
  for (char c : reason) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (ok) out.push_back(c);
    if (out.size() == kMaxReason) break;
  }
  return out.empty() ? "Unknown" : out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return Lower(haystack).find(needle) != std::string::npos;
}

std::string SeverityFor(std::string_view type, std::string_view reason, std::string_view msg) {
  static constexpr std::array<std::string_view, 4> kError = {"OOMKilling", "SystemOOM",
                                                             "BackoffLimitExceeded", "Evicted"};
  static constexpr std::array<std::string_view, 14> kWarning = {"BackOff",
                                                                "Killing",
                                                                "Unhealthy",
                                                                "FailedScheduling",
                                                                "NodeNotReady",
                                                                "Failed",
                                                                "FailedMount",
                                                                "FailedAttachVolume",
                                                                "FailedCreate",
                                                                "Preempted",
                                                                "FailedCreatePodSandBox",
                                                                "NodeHasDiskPressure",
                                                                "NodeHasInsufficientMemory",
                                                                "Rebooted"};
  auto in = [reason](const auto& table) {
    return std::find(table.begin(), table.end(), reason) != table.end();
  };
  if (in(kError)) return std::string(kSeverityError);
  if (reason == "BackOff" && Contains(msg, "restarting failed container")) {
    return std::string(kSeverityError);
  }
  if (type == "Warning" || in(kWarning)) return std::string(kSeverityWarning);
  return std::string(kSeverityInfo);
}

struct ObjectRef {
  std::string kind, name, namespace_name, uid, field_path, api_version;
};

ObjectRef ReadRef(const json& obj) {
  const json* r = Member(obj, "involvedObject");
  if (r == nullptr || !r->is_object()) r = Member(obj, "regarding");
  static const json kEmpty = json::object();
  const json& ref = r != nullptr && r->is_object() ? *r : kEmpty;
  return ObjectRef{Str(ref, "kind"), Str(ref, "name"),      Str(ref, "namespace"),
                   Str(ref, "uid"),  Str(ref, "fieldPath"), Str(ref, "apiVersion")};
}

std::string ReportingComponent(const json& obj) {
  for (std::string_view k : {"reportingComponent", "reportingController"}) {
    std::string s = Str(obj, k);
    if (!s.empty()) return s;
  }
  for (std::string_view k : {"source", "deprecatedSource"}) {
    std::string s = Str(ChildOrEmpty(obj, k), "component");
    if (!s.empty()) return s;
  }
  return {};
}

std::string ReportingHost(const json& obj) {
  for (std::string_view k : {"source", "deprecatedSource"}) {
    std::string s = Str(ChildOrEmpty(obj, k), "host");
    if (!s.empty()) return s;
  }
  return {};
}

std::string Bounded(std::string_view s) { return std::string(s.substr(0, kMaxName)); }

std::string ScopeFor(const ObjectRef& ref, std::string_view ns, std::string_view workload) {
  if (ref.kind == "Node") return "k8s/node/" + Bounded(ref.name);
  if (ns.empty()) return "k8s/cluster/" + Bounded(workload);
  if (workload.empty()) return "k8s/" + Bounded(ns);
  return "k8s/" + Bounded(ns) + "/" + Bounded(workload);
}

std::string UrlFor(const ObjectRef& ref, std::string_view ns) {
  const std::string space = ns.empty() ? "_cluster" : Bounded(ns);
  return "k8s://" + space + "/" + Bounded(ref.kind) + "/" + Bounded(ref.name);
}

std::string SummaryFor(std::string_view reason, const ObjectRef& ref, std::string_view msg) {
  std::string s(reason);
  if (!ref.name.empty()) {
    s += " on " + Lower(ref.kind.empty() ? "object" : ref.kind) + " " + Bounded(ref.name);
  }
  const std::string line = OneLine(msg);
  if (!line.empty()) s += ": " + line;
  return TruncateUtf8(s, kSummaryMaxBytes);
}

struct Times {
  Nanos occurred = 0;
  Nanos first = 0;
  bool missing = false;
  std::string unparsed;  // the first time field present but not RFC 3339, or ""
};

// The first of the event's time fields that holds a non-empty value that is not a time.
std::string UnparsedTimeField(const json& obj) {
  for (std::string_view k : {"lastTimestamp", "deprecatedLastTimestamp", "eventTime",
                             "firstTimestamp", "deprecatedFirstTimestamp"}) {
    const json* m = Member(obj, k);
    if (m == nullptr || m->is_null() ||
        (m->is_string() && m->get_ref<const std::string&>().empty()))
      continue;
    if (!m->is_string() || !ParseRfc3339(m->get_ref<const std::string&>())) return std::string(k);
  }
  const json* series = Member(obj, "series");
  if (series != nullptr && series->is_object()) {
    const json* m = Member(*series, "lastObservedTime");
    if (m != nullptr && !m->is_null() &&
        (!m->is_string() || !ParseRfc3339(m->get_ref<const std::string&>())))
      return "series.lastObservedTime";
  }
  return "";
}

// Why the occurrence count fields cannot be believed, or "". Kubernetes counts are int32;
// a negative, fractional or huge count is not something the API server sends.
std::string CountProblem(const json& obj) {
  const auto check = [](const json* m, std::string_view name) -> std::string {
    if (m == nullptr || m->is_null()) return "";
    if (!m->is_number_integer() || (m->is_number_unsigned() && m->get<uint64_t>() > INT32_MAX) ||
        m->get<int64_t>() < 0 || m->get<int64_t>() > INT32_MAX) {
      return std::string(name) + " is not a count (0..2147483647)";
    }
    return "";
  };
  const json* series = Member(obj, "series");
  std::string p =
      check(series != nullptr && series->is_object() ? Member(*series, "count") : nullptr,
            "series.count");
  if (p.empty()) p = check(Member(obj, "count"), "count");
  if (p.empty()) p = check(Member(obj, "deprecatedCount"), "deprecatedCount");
  return p;
}

Times ReadTimes(const json& obj, Nanos received_at) {
  const json& meta = ChildOrEmpty(obj, "metadata");
  std::optional<Nanos> last = Time(ChildOrEmpty(obj, "series"), "lastObservedTime");
  if (!last) {
    last = FirstTime<5>(obj, {"lastTimestamp", "deprecatedLastTimestamp", "eventTime",
                              "firstTimestamp", "deprecatedFirstTimestamp"});
  }
  if (!last) last = Time(meta, "creationTimestamp");
  std::optional<Nanos> first =
      FirstTime<3>(obj, {"firstTimestamp", "deprecatedFirstTimestamp", "eventTime"});
  if (!first) first = Time(meta, "creationTimestamp");
  Times t;
  t.missing = !last.has_value();
  t.unparsed = UnparsedTimeField(obj);
  t.occurred = last.value_or(received_at);
  t.first = first.value_or(t.occurred);
  return t;
}

json RelatedAttrs(const json& obj) {
  const json& rel = ChildOrEmpty(obj, "related");
  if (rel.empty()) return nullptr;
  return json{
      {"kind", Str(rel, "kind")}, {"name", Str(rel, "name")}, {"namespace", Str(rel, "namespace")}};
}

}  // namespace

int64_t OccurrenceCount(const json& obj) {
  if (int64_t c = PositiveInt(ChildOrEmpty(obj, "series"), "count")) return c;
  if (int64_t c = PositiveInt(obj, "count")) return c;
  if (int64_t c = PositiveInt(obj, "deprecatedCount")) return c;
  return 1;
}

std::string ObjectUid(const json& obj) { return Str(ChildOrEmpty(obj, "metadata"), "uid"); }

Result<std::vector<Event>> ParseEventObject(const json& obj, std::string_view raw_text,
                                            Nanos received_at) {
  if (!obj.is_object()) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_k8s_event", "not a JSON object");
  }
  const std::string object_kind = Str(obj, "kind");
  if (!object_kind.empty() && object_kind != "Event") {
    return MakeError(ErrorCode::kInvalidInput, "invalid_k8s_event",
                     "kind is not Event: " + TruncateUtf8(object_kind, 64));
  }
  const std::string uid = ObjectUid(obj);
  if (uid.empty() || uid.size() > kMaxName) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_k8s_event", "missing metadata.uid");
  }
  const json& meta = ChildOrEmpty(obj, "metadata");
  const ObjectRef ref = ReadRef(obj);
  std::string ns = Str(meta, "namespace");
  if (ns.empty()) ns = ref.namespace_name;
  if (ref.kind == "Node") ns.clear();
  const std::string reason = CleanReason(Str(obj, "reason"));
  const std::string type = Str(obj, "type");
  std::string message = Str(obj, "message");
  if (message.empty()) message = Str(obj, "note");
  const bool combined = message.starts_with(kCombinedPrefix);
  const std::string_view stripped =
      combined ? std::string_view(message).substr(kCombinedPrefix.size()) : message;
  if (const std::string p = CountProblem(obj); !p.empty())
    return MakeError(ErrorCode::kInvalidInput, "invalid_k8s_event", p);
  const int64_t count = OccurrenceCount(obj);
  const Times times = ReadTimes(obj, received_at);
  const std::string workload = DeriveWorkload(ref.kind, ref.name);
  const bool v1 = Member(obj, "regarding") != nullptr || Member(obj, "note") != nullptr ||
                  Str(obj, "apiVersion").starts_with("events.k8s.io/");

  Event e;
  e.source = std::string(kSourceKubernetes);
  e.source_ref = uid + ":" + std::to_string(count);
  e.id = MakeEventId(e.source, e.source_ref);
  e.kind = "k8s." + reason;
  e.occurred_at = times.occurred;
  e.received_at = received_at;
  e.scope = ScopeFor(ref, ns, workload);
  e.severity = SeverityFor(type, reason, stripped);
  e.actor = TruncateUtf8(ReportingComponent(obj), kMaxName);
  e.summary = SummaryFor(reason, ref, stripped);
  e.body = TruncateUtf8(message, kBodyMaxBytes);
  e.url = UrlFor(ref, ns);
  e.raw_sha256 = raw_text.empty()
                     ? Sha256Hex(obj.dump(-1, ' ', false, json::error_handler_t::replace))
                     : Sha256Hex(raw_text);
  e.attrs = json{{"namespace", ns},
                 {"object",
                  {{"kind", ref.kind},
                   {"name", ref.name},
                   {"uid", ref.uid},
                   {"fieldPath", ref.field_path},
                   {"apiVersion", ref.api_version}}},
                 {"workload", workload},
                 {"reason", reason},
                 {"type", type},
                 {"count", count},
                 {"message", TruncateUtf8(stripped, kBodyMaxBytes)},
                 {"combined", combined},
                 {"reporting_component", e.actor},
                 {"reporting_instance", Str(obj, "reportingInstance")},
                 {"host", ReportingHost(obj)},
                 {"action", Str(obj, "action")},
                 {"event_name", Str(meta, "name")},
                 {"first_seen", times.first},
                 {"last_seen", times.occurred},
                 {"api_group", v1 ? "events.k8s.io/v1" : "core/v1"}};
  if (json related = RelatedAttrs(obj); !related.is_null()) e.attrs["related"] = related;
  if (times.missing) e.attrs["time_missing"] = true;
  // A time field that did not parse is said, never silently replaced by another.
  if (!times.unparsed.empty()) e.attrs["time_unparsed"] = times.unparsed;
  std::vector<Event> out;
  out.push_back(std::move(e));
  return out;
}

}  // namespace timelined::connectors::kubernetes
