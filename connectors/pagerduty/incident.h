#pragma once
// PagerDuty helpers shared by the webhook and log-entry parsers: the incident model in
// both wire shapes, the match key that pairs a webhook with the log entry of the same
// transition, severity and scope rules. Pure; thread-safe.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/time.h"

namespace timelined::connectors::pagerduty {

inline constexpr std::string_view kAutomationActor = "PagerDuty automation";
inline constexpr size_t kSummaryBytes = 200;  // summaries are cut here (UTF-8 safe)

// Normalises an incident object into the model, from either shape (PROTOCOLS.md 1.3):
// webhook `data` (number, assignees[]) or the REST Incident (incident_number,
// assignments[].assignee). triggered_at = created_at; reopened_at and resolved_at when
// present. kInvalidInput "invalid_incident" when it is not an object or has no string id.
Result<Incident> IncidentFromRest(const nlohmann::json& incident);
// The body of GET /incidents/{id}: {"incident": {...}}.
Result<Incident> ParseIncidentResponse(std::string_view body);

// "<incident id>|<transition>|<occurred_at in whole seconds>". Events with equal keys
// describe the same incident transition (e.g. a webhook and its REST log entry).
std::string MatchKey(std::string_view incident_id, std::string_view transition, Nanos occurred_at);

// Severity of a triggered or reopened incident: priority P1/P2 (also SEV1/SEV2) ->
// critical; else high urgency -> error; low urgency -> warning; unknown urgency -> error.
std::string TriggerSeverity(std::string_view urgency, std::string_view priority);

// "pagerduty/service/<id>", or "" for an empty id.
std::string ServiceScope(std::string_view service_id);

// The "summary" (else "name") of a reference object j[key]; "" when absent or null.
std::string RefSummary(const nlohmann::json& j, std::string_view key);
// "Alice, Bob": summaries of the references in array j[key] (entries may also be
// {"assignee": ref} as in REST assignments); "" when none.
std::string JoinRefSummaries(const nlohmann::json& j, std::string_view key);

// The actor of an event: agent.summary; else client.name (the monitoring tool that raised
// or resolved it, or the integration that ran an action); else kAutomationActor. Escalations
// and unacknowledgements without an agent are PagerDuty's own timers, never the client's,
// although the envelope still names the client the incident came from: kAutomationActor.
std::string ActorOf(const nlohmann::json& envelope);

}  // namespace timelined::connectors::pagerduty
