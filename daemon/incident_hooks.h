#pragma once
// IncidentHooks: the in-process subscription to incident lifecycle transitions once they are
// durable. It listens to the store's commits (so a transition is announced exactly once — a
// retried webhook is a duplicate insert and is not announced again — and only after it is in
// SQLite, whatever the feed), and calls every subscriber with the PagerDuty events whose kind
// is an `incident.*` transition, plus every other newly stored event for evidence watchers
// (stale-draft marking).
//
// Subscribers run on the store's writer thread, between transactions: they must be quick
// (post to a queue or a timer) and must not write to the store synchronously.
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "store/model/event.h"
#include "store/sqlite_store.h"

namespace timelined::daemon {

struct LifecycleTransition {
  std::string incident_id;
  std::string kind;      // "incident.resolved", "incident.reopened", ...
  std::string event_id;  // the citation ID of the event announcing it
  Nanos occurred_at = 0;
};

class IncidentHooks {
 public:
  using TransitionCallback = std::function<void(const LifecycleTransition&)>;
  using EvidenceCallback = std::function<void(const std::vector<Event>& inserted)>;

  // Registers one commit listener on `store` (call before traffic starts).
  explicit IncidentHooks(store::SqliteEventStore& store);

  // Subscribers are added at start-up, before traffic.
  void OnTransition(TransitionCallback cb);
  void OnEvidence(EvidenceCallback cb);

  // What the commit listener does; public so tests can drive it without a store.
  void Dispatch(const std::vector<Event>& inserted);

 private:
  std::mutex mu_;
  std::vector<TransitionCallback> transition_subscribers_;
  std::vector<EvidenceCallback> evidence_subscribers_;
};

// True for the PagerDuty kinds that change an incident's status: incident.triggered,
// acknowledged, unacknowledged, resolved, reopened.
bool IsStatusTransition(std::string_view kind);

}  // namespace timelined::daemon
