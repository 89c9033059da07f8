#pragma once
// PagerDuty V3 webhook parser: one verified request body -> zero or one Event.
// Pure: no clock, no I/O, no logging; thread-safe. Verify the signature first
// (signature.h); this parser trusts nothing but does not authenticate.
//
// Mapping (PROTOCOLS.md 1.3):
//   source "pagerduty", source_ref "webhook:<event.id>" (a retry keeps the event ID)
//   kind = event_type for every documented type ("incident.triggered",
//          "incident.annotated", "incident.responder.added", "service.updated", ...);
//          an unknown type gives kind "pagerduty.<event_type>" (never an error)
//   occurred_at = event.occurred_at; actor = agent.summary, else client.name, else
//          "PagerDuty automation"
//   incident_id = data.id (data.type "incident") or data.incident.id (notes, status
//          updates, responders, ...); scope "pagerduty/service/<id>" when known;
//          url = the incident's html_url
//   severity: triggered/reopened -> TriggerSeverity(urgency, priority); others "info"
//   attrs: event_type, event_id, webhook_id, subscription_id (from X-Webhook-Id /
//          X-Webhook-Subscription), resource_type, data_type, transition,
//          match_key ("<incident>|<transition>|<seconds>", see MatchKey), incident
//          (IncidentToJson snapshot when data.type == "incident"), plus per-type details
//          (content, priority, assignees, responder, state, custom_fields, ...).
//   raw_sha256 = Sha256Hex(raw_body).
// "pagey.ping" -> ping = true and no events.
// Errors (kInvalidInput): "invalid_json", "invalid_payload" (not an object),
// "missing_field" (event, event.id, event.event_type, event.occurred_at),
// "bad_timestamp" (occurred_at is not RFC 3339).
#include <string_view>
#include <vector>

#include "connectors/common/headers.h"
#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/time.h"

namespace timelined::connectors::pagerduty {

struct WebhookParse {
  bool ping = false;          // pagey.ping test event: answer 2xx, store nothing
  std::vector<Event> events;  // V3 carries one event per request
};

Result<WebhookParse> ParseWebhook(std::string_view raw_body, const Headers& headers,
                                  Nanos received_at);

// The transition name of an event type: "incident.responder.added" -> "responder_added",
// "incident.triggered" -> "triggered", "service.updated" -> "service_updated".
std::string TransitionOf(std::string_view event_type);

}  // namespace timelined::connectors::pagerduty
