#pragma once
// PagerDuty REST incident log entries (GET /incidents/{id}/log_entries, PROTOCOLS.md 1.5)
// -> Events, for backfill. Pure; thread-safe.
//
// Mapping: source "pagerduty", source_ref "log_entry:<id>", url = entry html_url (else the
// incident's), occurred_at = created_at, incident_id = incident.id, scope from service.id,
// actor = agent.summary (else "PagerDuty automation"). Kinds:
//   trigger -> incident.triggered        acknowledge / acknowledgement -> incident.acknowledged
//   unacknowledge -> incident.unacknowledged   resolve -> incident.resolved
//   assign -> incident.reassigned        escalate -> incident.escalated
//   annotate -> incident.annotated       delegate -> incident.delegated
//   notify -> pagerduty.notify           any other "<x>_log_entry" -> pagerduty.<x>
// attrs.transition / attrs.match_key use the same names as the webhook parser, so a
// webhook and the log entry of the same transition get equal match keys (same incident,
// same transition, same whole second).
// raw_sha256 = Sha256Hex of the whole page body (the exact bytes received).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/time.h"

namespace timelined::connectors::pagerduty {

struct LogEntriesPage {
  std::vector<Event> events;
  bool more = false;   // another page follows (offset += limit)
  int64_t offset = 0;  // as echoed by the server
  int64_t limit = 0;
  size_t skipped = 0;  // entries without id / type / valid created_at (not mapped)
};

// Errors (kInvalidInput): "invalid_json"; "invalid_payload" when log_entries is missing.
Result<LogEntriesPage> ParseLogEntries(std::string_view body, Nanos received_at);

// One entry; kInvalidInput "invalid_log_entry" when id, type or created_at is unusable.
Result<Event> LogEntryToEvent(const nlohmann::json& entry, std::string_view raw_sha256,
                              Nanos received_at);

}  // namespace timelined::connectors::pagerduty
