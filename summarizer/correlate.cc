#include "summarizer/correlate.h"

#include <algorithm>
#include <optional>
#include <set>

namespace timelined::summarizer {
namespace {

constexpr size_t kPageSize = 1024;

bool Before(Nanos a_at, std::string_view a_id, Nanos b_at, std::string_view b_id) {
  return a_at < b_at || (a_at == b_at && a_id < b_id);
}

bool Before(const Event& a, const Event& b) {
  return Before(a.occurred_at, a.id, b.occurred_at, b.id);
}

Event IdentityOf(const Event& e) {
  Event out;
  out.id = e.id;
  out.source = e.source;
  out.source_ref = e.source_ref;
  out.kind = e.kind;
  out.occurred_at = e.occurred_at;
  out.received_at = e.received_at;
  out.incident_id = e.incident_id;
  out.scope = e.scope;
  out.url = e.url;
  out.raw_sha256 = e.raw_sha256;
  return out;
}

// attrs[key] when it is a string, else "".
std::string_view AttrString(const Event& e, const char* key) {
  if (!e.attrs.is_object()) return {};
  auto it = e.attrs.find(key);
  return it != e.attrs.end() && it->is_string()
             ? std::string_view(it->get_ref<const std::string&>())
             : std::string_view();
}

// One source query of the correlation and the events it admits.
struct StreamSpec {
  EventQuery query;
  std::string reason;   // "named" | "bound:<kind>:<key>" | "scope:<pattern>"
  std::string pattern;  // "" for the named stream
  std::string own_incident;
  std::string thread_ts;  // bound Slack thread: only its root and replies (attrs ts/thread_ts)
  // Scoped and bound streams never take in events that name another incident.
  bool Admits(const Event& e) const {
    if (pattern.empty()) return true;
    if (!e.incident_id.empty() && e.incident_id != own_incident) return false;
    return thread_ts.empty() || AttrString(e, "thread_ts") == thread_ts ||
           AttrString(e, "ts") == thread_ts;
  }
  // True when this stream delivers `e` (used to skip duplicates in kBySource order).
  bool Delivers(const Event& e) const {
    if (pattern.empty()) return e.incident_id == own_incident;
    if (!Admits(e) || !ScopeMatches(e.scope, pattern)) return false;
    return e.occurred_at >= query.from && (query.to == 0 || e.occurred_at <= query.to);
  }
};

// One source query read page by page. A page resumes at the last (occurred_at, id) seen:
// the query restarts at that time and skips what was already returned; when a whole page
// shares that time the page size doubles so progress is guaranteed.
class PagedStream {
 public:
  PagedStream(const StreamSpec& spec, const CorrelateOptions& options)
      : spec_(spec), options_(options) {}

  // Makes Head() valid unless the stream is exhausted.
  Result<void> Fill(const EventReader& reader) {
    while (pos_ == buf_.size() && !exhausted_) {
      if (auto r = LoadPage(reader); !r) return r;
    }
    return {};
  }
  const Event* Head() const { return pos_ < buf_.size() ? &buf_[pos_] : nullptr; }
  const std::string& reason() const { return spec_.reason; }
  void Pop() { ++pos_; }

 private:
  bool Wanted(const Event& e) const {
    if (has_last_ && !Before(last_at_, last_id_, e.occurred_at, e.id)) return false;
    return spec_.Admits(e) && (!options_.keep || options_.keep(e));
  }

  Result<void> LoadPage(const EventReader& reader) {
    EventQuery q = spec_.query;
    q.limit = page_;
    if (has_last_) q.from = std::max(spec_.query.from, last_at_);
    buf_.clear();
    pos_ = 0;
    size_t returned = 0;
    Nanos page_last_at = 0;
    std::string page_last_id;
    auto r = reader.ForEachEvent(q, [&](const Event& e) {
      ++returned;
      page_last_at = e.occurred_at;
      page_last_id = e.id;
      if (Wanted(e)) buf_.push_back(options_.identity_only ? IdentityOf(e) : e);
      return true;
    });
    if (!r) return r;
    if (returned < page_) exhausted_ = true;
    if (returned == 0) return {};
    bool progress = !has_last_ || Before(last_at_, last_id_, page_last_at, page_last_id);
    if (!progress) page_ *= 2;  // a full page of already-seen events at one timestamp
    has_last_ = true;
    last_at_ = page_last_at;
    last_id_ = std::move(page_last_id);
    return {};
  }

  const StreamSpec& spec_;
  const CorrelateOptions& options_;
  std::vector<Event> buf_;
  size_t pos_ = 0;
  bool has_last_ = false;
  Nanos last_at_ = 0;
  std::string last_id_;
  bool exhausted_ = false;
  size_t page_ = kPageSize;
};

// Whole seconds of a Slack ts ("1712345678.000100"), as ns; 0 when it does not parse.
Nanos SlackTsSeconds(std::string_view ts) {
  Nanos seconds = 0;
  size_t digits = 0;
  for (char c : ts.substr(0, ts.find('.'))) {
    if (c < '0' || c > '9' || ++digits > 12) return 0;
    seconds = seconds * 10 + (c - '0');
  }
  return seconds * kNanosPerSecond;
}

// The stream of a Slack binding: a thread from its root's time on (its replies, edits and
// deletions all come later), or a channel within the incident's window (unbounded when the
// window is unknown). nullopt for a kind this code does not know.
std::optional<StreamSpec> BindingSpec(const Binding& b, const CorrelationWindow& window,
                                      const std::string& incident_id) {
  StreamSpec spec;
  spec.reason = "bound:" + b.kind + ":" + b.key;
  spec.own_incident = incident_id;
  if (b.kind == kBindingSlackThread) {
    size_t colon = b.key.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == b.key.size()) return std::nullopt;
    spec.pattern = "slack/" + b.key.substr(0, colon);
    spec.thread_ts = b.key.substr(colon + 1);
    spec.query.from = SlackTsSeconds(spec.thread_ts);
  } else if (b.kind == kBindingSlackChannel) {
    spec.pattern = "slack/" + b.key;
    spec.query.from = window.from;
    spec.query.to = window.to;
  } else {
    return std::nullopt;
  }
  spec.query.scope = spec.pattern;
  return spec;
}

constexpr size_t kMaxNodes = 256;

// Kubernetes object names: DNS subdomains (lowercase alphanumerics, '-' and '.').
bool IsNodeName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  return true;
}

// The node a pod's event places it on: the scheduler's "Successfully assigned <ns>/<pod> to
// <node>", or the kubelet that reported it (source.host / reportingInstance).
void CollectNode(const Event& e, std::set<std::string>* nodes) {
  if (e.kind == "k8s.Scheduled") {
    std::string_view message = AttrString(e, "message");
    constexpr std::string_view kAssigned = "Successfully assigned ";
    size_t to = message.rfind(" to ");
    if (message.starts_with(kAssigned) && to != std::string_view::npos) {
      std::string_view node = message.substr(to + 4);
      if (IsNodeName(node) && nodes->size() < kMaxNodes) nodes->emplace(node);
    }
  }
  if (AttrString(e, "reporting_component") != "kubelet" && e.actor != "kubelet") return;
  for (const char* key : {"host", "reporting_instance"}) {
    std::string_view node = AttrString(e, key);
    if (IsNodeName(node) && nodes->size() < kMaxNodes) nodes->emplace(node);
  }
}

// The nodes that ran pods of the service's Kubernetes scopes (every scoped stream whose
// pattern starts with "k8s/", except node scopes) within those streams' window, sorted.
Result<std::set<std::string>> HostingNodes(const std::vector<StreamSpec>& specs,
                                           const EventReader& reader) {
  std::set<std::string> nodes;
  for (const StreamSpec& spec : specs) {
    if (spec.pattern.empty() || !spec.thread_ts.empty() || !spec.pattern.starts_with("k8s/") ||
        spec.pattern.starts_with("k8s/node/")) {
      continue;
    }
    if (nodes.size() >= kMaxNodes) break;
    auto r = reader.ForEachEvent(spec.query, [&](const Event& e) {
      if (spec.Admits(e)) CollectNode(e, &nodes);
      return nodes.size() < kMaxNodes;
    });
    if (!r) return std::unexpected(r.error());
  }
  return nodes;
}

// Node events ("NodeNotReady", a system OOM, evictions) explain pod failures but carry the
// scope "k8s/node/<name>", which no service pattern names: each hosting node gets a stream
// over the window, reason "node:<name>", unless a pattern already covers it.
void AddNodeSpecs(const std::set<std::string>& nodes, const CorrelationWindow& window,
                  const std::string& incident_id, std::vector<StreamSpec>* specs) {
  for (const std::string& node : nodes) {
    std::string scope = "k8s/node/" + node;
    bool covered = std::any_of(specs->begin(), specs->end(), [&](const StreamSpec& s) {
      return !s.pattern.empty() && s.thread_ts.empty() && ScopeMatches(scope, s.pattern) &&
             s.query.from <= window.from && (s.query.to == 0 || s.query.to >= window.to);
    });
    if (covered) continue;
    EventQuery q{.scope = scope, .from = window.from, .to = window.to};
    specs->push_back(StreamSpec{std::move(q), "node:" + node, scope, incident_id});
  }
}

Result<std::vector<StreamSpec>> BuildSpecs(const Incident& incident,
                                           const CorrelationConfig& config,
                                           const EventReader& reader, Nanos now) {
  std::vector<StreamSpec> specs;
  const ServiceCorrelation& s = ServiceConfigFor(incident, config);
  auto window = WindowFor(incident, s, reader, now);
  if (!window) return std::unexpected(window.error());
  if (!incident.id.empty()) {
    specs.push_back(StreamSpec{EventQuery{.incident_id = incident.id}, "named", "", incident.id});
    auto bindings = reader.GetBindings(incident.id);
    if (!bindings) return std::unexpected(bindings.error());
    for (const Binding& b : *bindings) {
      if (auto spec = BindingSpec(b, *window, incident.id)) specs.push_back(std::move(*spec));
    }
  }
  if (window->to == 0) return specs;
  std::vector<std::string> patterns = s.scopes;
  for (const std::string& c : s.slack_channels) {
    patterns.push_back(c.starts_with("slack/") ? c : "slack/" + c);
  }
  std::vector<std::string> used;
  for (const std::string& p : patterns) {
    if (p.empty() || std::find(used.begin(), used.end(), p) != used.end()) continue;
    used.push_back(p);
    EventQuery q{.from = window->from, .to = window->to};
    (p.back() == '/' ? q.scope_prefix : q.scope) = p;
    specs.push_back(StreamSpec{std::move(q), "scope:" + p, p, incident.id});
  }
  if (config.node_events) {
    auto nodes = HostingNodes(specs, reader);
    if (!nodes) return std::unexpected(nodes.error());
    AddNodeSpecs(*nodes, *window, incident.id, &specs);
  }
  return specs;
}

Result<size_t> MergeByTime(const std::vector<StreamSpec>& specs, const EventReader& reader,
                           const CorrelatedVisitor& visit, const CorrelateOptions& options) {
  std::vector<PagedStream> streams;
  streams.reserve(specs.size());
  for (const StreamSpec& spec : specs) streams.emplace_back(spec, options);
  size_t visited = 0;
  std::string last_id;
  for (;;) {
    PagedStream* best = nullptr;
    for (PagedStream& s : streams) {
      if (auto r = s.Fill(reader); !r) return std::unexpected(r.error());
      if (s.Head() && (best == nullptr || Before(*s.Head(), *best->Head()))) best = &s;
    }
    if (best == nullptr) break;
    const Event& head = *best->Head();
    if (visited > 0 && head.id == last_id) {  // matched by an earlier stream already
      best->Pop();
      continue;
    }
    last_id = head.id;
    ++visited;
    bool more = visit(head, best->reason());
    best->Pop();
    if (!more) break;
  }
  return visited;
}

Result<size_t> StreamBySource(const std::vector<StreamSpec>& specs, const EventReader& reader,
                              const CorrelatedVisitor& visit) {
  size_t visited = 0;
  bool stop = false;
  for (size_t k = 0; k < specs.size() && !stop; ++k) {
    auto r = reader.ForEachEvent(specs[k].query, [&](const Event& e) {
      if (!specs[k].Admits(e)) return true;
      for (size_t j = 0; j < k; ++j) {
        if (specs[j].Delivers(e)) return true;
      }
      ++visited;
      stop = !visit(e, specs[k].reason);
      return !stop;
    });
    if (!r) return std::unexpected(r.error());
  }
  return visited;
}

}  // namespace

const ServiceCorrelation& ServiceConfigFor(const Incident& incident, const CorrelationConfig& c) {
  for (const std::string* key : {&incident.service_id, &incident.service_name}) {
    if (key->empty()) continue;
    if (auto it = c.services.find(*key); it != c.services.end()) return it->second;
  }
  return c.defaults;
}

bool IncidentOpen(const Incident& i) {
  if (i.status == "triggered" || i.status == "acknowledged") return true;
  return i.status.empty() && i.resolved_at == 0;
}

bool ScopeMatches(std::string_view scope, std::string_view pattern) {
  if (pattern.empty()) return false;
  if (pattern.back() == '/') return scope.starts_with(pattern);
  return scope == pattern;
}

Result<CorrelationWindow> WindowFor(const Incident& incident, const ServiceCorrelation& s,
                                    const EventReader& reader, Nanos now) {
  Nanos trigger = incident.triggered_at;
  if (trigger == 0 && !incident.id.empty()) {
    auto r = reader.ForEachEvent(EventQuery{.incident_id = incident.id, .limit = 1},
                                 [&trigger](const Event& e) {
                                   trigger = e.occurred_at;
                                   return false;
                                 });
    if (!r) return std::unexpected(r.error());
  }
  if (trigger == 0) return CorrelationWindow{};
  Nanos end = !IncidentOpen(incident) && incident.resolved_at > 0 ? incident.resolved_at : now;
  end = std::max(end, trigger);
  return CorrelationWindow{.from = trigger - s.lookback, .to = end + s.grace};
}

Result<size_t> CorrelateEach(const Incident& incident, const CorrelationConfig& config,
                             const EventReader& reader, Nanos now, const CorrelatedVisitor& visit,
                             const CorrelateOptions& options) {
  auto specs = BuildSpecs(incident, config, reader, now);
  if (!specs) return std::unexpected(specs.error());
  if (options.order == CorrelationOrder::kBySource) return StreamBySource(*specs, reader, visit);
  return MergeByTime(*specs, reader, visit, options);
}

Result<std::vector<std::string>> NodeScopes(const Incident& incident,
                                            const CorrelationConfig& config,
                                            const EventReader& reader, Nanos now) {
  auto specs = BuildSpecs(incident, config, reader, now);
  if (!specs) return std::unexpected(specs.error());
  std::vector<std::string> out;
  for (const StreamSpec& spec : *specs) {
    if (spec.reason.starts_with("node:")) out.push_back(spec.pattern);
  }
  return out;
}

Result<std::vector<CorrelatedEvent>> Correlate(const Incident& incident,
                                               const CorrelationConfig& config,
                                               const EventReader& reader, Nanos now) {
  std::vector<CorrelatedEvent> out;
  auto r = CorrelateEach(incident, config, reader, now,
                         [&out](const Event& e, const std::string& reason) {
                           out.push_back(CorrelatedEvent{e, reason});
                           return true;
                         });
  if (!r) return std::unexpected(r.error());
  return out;
}

}  // namespace timelined::summarizer
