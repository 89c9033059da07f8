#include "connectors/logs/log_record.h"

#include <algorithm>
#include <initializer_list>

#include "connectors/common/json_text.h"
#include "connectors/common/workload.h"
#include "connectors/logs/log_level.h"
#include "store/model/hash.h"
#include "store/model/redactor.h"

namespace timelined::connectors::logs {
namespace {

using nlohmann::json;

constexpr size_t kMaxPart = 253;
constexpr size_t kMaxLabelsKey = 1024;

const json& Child(const json& j, std::string_view key) {
  static const json kEmpty = json::object();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}

std::string Str(const json& j, std::string_view key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The first non-empty string among (object, key) pairs.
std::string FirstOf(std::initializer_list<std::pair<const json*, std::string_view>> candidates) {
  for (const auto& [obj, key] : candidates) {
    std::string s = Str(*obj, key);
    if (!s.empty()) return s;
  }
  return {};
}

std::string Label(const Labels& labels, std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys) {
    auto it = labels.find(std::string(k));
    if (it != labels.end() && !it->second.empty()) return it->second;
  }
  return {};
}

std::string Part(std::string_view s) {
  std::string out(s.substr(0, kMaxPart));
  for (char& c : out) {
    if (c == '/') c = '_';
  }
  return out.empty() ? "_" : out;
}

void AppendEscaped(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
}

std::string TrimTrailingNewlines(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

Labels LabelsFromRecord(const json& record, const Labels& query_labels) {
  const json& k8s = Child(record, "kubernetes");
  const json& k8s_labels = Child(k8s, "labels");
  const json& pod_labels = Child(k8s, "pod_labels");
  Labels labels = query_labels;
  auto set = [&labels](const char* key, std::string value) {
    if (!value.empty()) labels[key] = std::move(value);
  };
  set("namespace",
      FirstOf({{&k8s, "namespace_name"}, {&k8s, "pod_namespace"}, {&record, "namespace"}}));
  set("pod", FirstOf({{&k8s, "pod_name"}, {&record, "pod"}}));
  set("container", FirstOf({{&k8s, "container_name"}, {&record, "container"}}));
  set("app", FirstOf({{&k8s_labels, "app"},
                      {&k8s_labels, "app.kubernetes.io/name"},
                      {&pod_labels, "app"},
                      {&pod_labels, "app.kubernetes.io/name"},
                      {&record, "app"}}));
  set("service", FirstOf({{&record, "service"}, {&record, "service_name"}}));
  set("job", Str(record, "job"));
  set("stream", Str(record, "stream"));
  set("host",
      FirstOf({{&k8s, "host"}, {&k8s, "pod_node_name"}, {&record, "host"}, {&record, "hostname"}}));
  return labels;
}

std::string WorkloadFromLabels(const Labels& labels) {
  std::string w = Label(labels, {"app", "app_kubernetes_io_name", "service", "service_name",
                                 "container", "k8s_container_name"});
  if (!w.empty()) return w;
  const std::string pod = Label(labels, {"pod", "k8s_pod_name", "pod_name"});
  if (!pod.empty()) return DeriveWorkload("Pod", pod);
  return Label(labels, {"job"});
}

std::string ScopeFromLabels(const Labels& labels) {
  const std::string ns = Label(labels, {"namespace", "k8s_namespace_name", "namespace_name"});
  return "log/" + Part(ns) + "/" + Part(WorkloadFromLabels(labels));
}

std::string LabelsKey(const Labels& labels) {
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out.push_back(',');
    out += k;
    out += "=\"";
    AppendEscaped(out, v);
    out.push_back('"');
  }
  out.push_back('}');
  if (out.size() > kMaxLabelsKey) return "sha256:" + Sha256Hex(out);
  return out;
}

Event MakeLogEvent(const LogRecord& r, const LogOptions& options, Nanos received_at) {
  // The level never enters source_ref: inferring it differently later cannot change an ID.
  std::string level_source = "field";
  std::optional<std::string> level = r.level;
  if (!level) {
    if (auto d = DetectLevel(r.message)) {
      level = std::move(d->level);
      level_source = std::string(d->source);
    } else if (auto s = r.labels.find("stream");
               s != r.labels.end() && s->second == "stderr" && !options.stderr_level.empty()) {
      level = options.stderr_level;
      level_source = "inferred";
    } else {
      level_source = "default";
    }
  }
  const std::string lvl = level.value_or("info");
  const Nanos ts = r.time.value_or(received_at);
  const std::string message = TrimTrailingNewlines(r.message);

  Event e;
  e.source = std::string(kSourceLog);
  e.source_ref = LabelsKey(r.labels) + "|" + std::to_string(ts) + "|" + Sha256Hex(r.message);
  if (!r.time) e.source_ref += "|" + std::to_string(r.ordinal);
  e.id = MakeEventId(e.source, e.source_ref);
  e.kind = "log." + lvl;
  e.occurred_at = ts;
  e.received_at = received_at;
  e.scope = ScopeFromLabels(r.labels);
  e.severity = SeverityForLevel(lvl);
  e.actor = TruncateUtf8(WorkloadFromLabels(r.labels), kMaxPart);
  e.summary = TruncateUtf8(OneLine(message), options.summary_max_bytes);
  e.body = TruncateUtf8(message, options.body_max_bytes);
  e.raw_sha256 = Sha256Hex(r.raw);
  e.attrs = json{{"labels", r.labels}, {"level", lvl}, {"level_source", level_source}};
  if (auto it = r.labels.find("stream"); it != r.labels.end()) e.attrs["stream"] = it->second;
  if (!r.time) e.attrs["time_missing"] = true;
  if (e.body.size() < message.size()) e.attrs["truncated"] = true;
  for (const auto& [k, v] : r.extra.items()) e.attrs[k] = v;
  return e;
}

void RedactSplitPrivateKeys(std::vector<Event>& events, const LogOptions& options) {
  const bool any = std::any_of(events.begin(), events.end(), [](const Event& e) {
    return e.body.find("-----BEGIN") != std::string::npos;
  });
  if (!any) return;
  // Streams in order of first appearance; each keeps its events in batch order.
  std::map<std::string, std::vector<size_t>> streams;
  for (size_t i = 0; i < events.size(); ++i) {
    auto it = events[i].attrs.find("labels");
    streams[it != events[i].attrs.end() ? it->dump() : std::string()].push_back(i);
  }
  for (const auto& [key, members] : streams) {
    std::vector<std::string*> bodies;
    std::vector<std::string> before;
    for (size_t i : members) {
      bodies.push_back(&events[i].body);
      before.push_back(events[i].body);
    }
    if (RedactPemAcrossLines(bodies) == 0) continue;
    for (size_t k = 0; k < members.size(); ++k) {
      Event& e = events[members[k]];
      if (e.body == before[k]) continue;
      e.summary = TruncateUtf8(OneLine(e.body), options.summary_max_bytes);
      ++e.redactions;
    }
  }
}

}  // namespace timelined::connectors::logs
