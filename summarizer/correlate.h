#pragma once
// Correlation: which stored events belong to an incident (DESIGN.md, "Correlation").
//
//   named   events whose incident_id is the incident's id (any time), reason "named";
//   bound   events of a Slack thread or channel bound to the incident (reader.GetBindings),
//           also those stored before the binding existed: a thread ("<channel>:<ts>") is
//           the events of scope "slack/<channel>" whose attrs.thread_ts or attrs.ts is the
//           root's ts, from the root's second on; a channel is every event of scope
//           "slack/<channel>" within the window below (any time when it is unknown);
//           reason "bound:<kind>:<key>" ("bound:slack_thread:C0PAY:1712345678.000100");
//   scoped  events whose scope equals a configured scope, starts with a configured prefix
//           (a pattern ending in '/'), or is "slack/<channel>" for a configured channel,
//           within [triggered − lookback, end + grace], where end = resolved_at when the
//           incident is resolved and `now` while it is open; reason "scope:<pattern>".
//   node     with node_events on, events of scope "k8s/node/<name>" within the same window
//           for every node that ran pods of the service's Kubernetes scopes in it (the
//           scheduler's "Successfully assigned <ns>/<pod> to <node>", or the kubelet that
//           reported a pod event: attrs.host / attrs.reporting_instance); at most 256 nodes;
//           reason "node:<name>". NodeNotReady, a system OOM or an eviction on that node
//           explains the pods' failures.
//           Events naming a *different* incident are never taken in by scope, binding or node.
// The service's settings are found by incident.service_id, then service_name, else the
// defaults. When triggered_at is unknown (0) the earliest named event stands in for it;
// with neither, only named events are returned.
//
// Each event is delivered once (an event matched several ways keeps the first reason:
// named, then bindings by (kind, key), then patterns in configuration order, then nodes), in one of
// two orders:
//   kByTime    (occurred_at, id) over everything. Each source query is read in pages and
//              merged, so memory is bounded by (number of patterns × page size); events
//              are copied into the page buffers.
//   kBySource  query after query (named, then each pattern), each in (occurred_at, id)
//              order; duplicates are recognised without state (an event is skipped when an
//              earlier query also matches it). No copies, no paging: the cheapest way to
//              feed an order-insensitive consumer such as TimelineBuilder.
// Both orders are deterministic for a given store content, configuration and `now`.
//
// Errors: whatever the reader returns (kUnavailable, kInternal, …), unchanged.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/reader.h"
#include "summarizer/config.h"

namespace timelined::summarizer {

struct CorrelatedEvent {
  Event event;
  std::string reason;  // "named" | "bound:<kind>:<key>" | "scope:<pattern>" | "node:<name>"
};

// Return false to stop early (then CorrelateEach returns the count visited so far). The
// event reference is only valid during the call.
using CorrelatedVisitor = std::function<bool(const Event& event, const std::string& reason)>;

enum class CorrelationOrder { kByTime, kBySource };

struct CorrelateOptions {
  CorrelationOrder order = CorrelationOrder::kByTime;
  // kByTime only, to make a pass over a known subset cheap: events failing `keep` are
  // dropped before they are buffered, and with `identity_only` only id, source,
  // source_ref, kind, occurred_at, received_at, incident_id, scope, url and raw_sha256
  // are copied (attrs, texts and actor are left empty). Skipped events are not counted.
  std::function<bool(const Event&)> keep;
  bool identity_only = false;
};

// The settings used for the incident's service.
const ServiceCorrelation& ServiceConfigFor(const Incident& incident, const CorrelationConfig& c);

// True while the incident is triggered or acknowledged (or has no status and no resolve).
bool IncidentOpen(const Incident& incident);

// True when `scope` matches `pattern` (exact, or prefix when the pattern ends in '/').
bool ScopeMatches(std::string_view scope, std::string_view pattern);

// The scoped time window [from, to]; from == to == 0 when scoped correlation is off.
struct CorrelationWindow {
  Nanos from = 0;
  Nanos to = 0;
};
Result<CorrelationWindow> WindowFor(const Incident& incident, const ServiceCorrelation& s,
                                    const EventReader& reader, Nanos now_for_open_incident);

// Streams the correlated events to `visit`; returns how many were visited.
Result<size_t> CorrelateEach(const Incident& incident, const CorrelationConfig& config,
                             const EventReader& reader, Nanos now_for_open_incident,
                             const CorrelatedVisitor& visit, const CorrelateOptions& options = {});

// The "k8s/node/<name>" scopes the node rule adds for this incident now (for staleness:
// a later event on one of those nodes changes the draft).
Result<std::vector<std::string>> NodeScopes(const Incident& incident,
                                            const CorrelationConfig& config,
                                            const EventReader& reader, Nanos now_for_open_incident);

// Collects CorrelateEach in kByTime order (for /v1/incidents/{id}/events and tests).
Result<std::vector<CorrelatedEvent>> Correlate(const Incident& incident,
                                               const CorrelationConfig& config,
                                               const EventReader& reader,
                                               Nanos now_for_open_incident);

}  // namespace timelined::summarizer
