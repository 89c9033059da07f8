#include "daemon/incident_hooks.h"

namespace timelined::daemon {

bool IsStatusTransition(std::string_view kind) {
  return kind == "incident.triggered" || kind == "incident.acknowledged" ||
         kind == "incident.unacknowledged" || kind == "incident.resolved" ||
         kind == "incident.reopened";
}

IncidentHooks::IncidentHooks(store::SqliteEventStore& store) {
  store.AddCommitListener([this](const std::vector<Event>& inserted) { Dispatch(inserted); });
}

void IncidentHooks::OnTransition(TransitionCallback cb) {
  std::lock_guard lock(mu_);
  transition_subscribers_.push_back(std::move(cb));
}

void IncidentHooks::OnEvidence(EvidenceCallback cb) {
  std::lock_guard lock(mu_);
  evidence_subscribers_.push_back(std::move(cb));
}

void IncidentHooks::Dispatch(const std::vector<Event>& inserted) {
  std::lock_guard lock(mu_);
  for (const Event& e : inserted) {
    if (e.source != "pagerduty" || e.incident_id.empty() || !IsStatusTransition(e.kind)) continue;
    LifecycleTransition t{e.incident_id, e.kind, e.id, e.occurred_at};
    for (const auto& cb : transition_subscribers_) cb(t);
  }
  if (inserted.empty()) return;
  for (const auto& cb : evidence_subscribers_) cb(inserted);
}

}  // namespace timelined::daemon
