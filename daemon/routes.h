#pragma once
// Route handlers of the read API (registered by core_routes.cc). Each is a plain function
// over http::Request so it can be tested without sockets. POST /ingest/events is the generic
// source's (sources/generic/generic_source.h).
#include "daemon/http/types.h"
#include "store/sqlite_store.h"
#include "summarizer/config.h"

namespace timelined::daemon {

// GET /v1/events/{id}. Here and in HandleIncidentEvents, a Slack message (or edit) whose
// slack.message_deleted tombstone is stored is served as deleted: summary
// "(message deleted)", body "", attrs without "files", "deleted": true and "deleted_by"
// = the tombstone's ID. The stored row still holds the text (erasure is not built yet).
void HandleGetEvent(const store::SqliteEventStore& store, http::Request& req,
                    const http::Respond& respond);
void HandleListIncidents(const store::SqliteEventStore& store, http::Request& req,
                         const http::Respond& respond);
void HandleGetIncident(const store::SqliteEventStore& store, http::Request& req,
                       const http::Respond& respond);
// GET /v1/incidents/{id}/events: exactly the incident's correlated set (summarizer
// Correlate: named events, plus scoped events of its service inside the window), in
// (occurred_at, id) order, each with "included_because": "named" | "bound:<kind>:<key>" |
// "scope:<pattern>" | "node:<name>". ?limit=N (default 10000, at most 100000) truncates, with
// "truncated": true.
void HandleIncidentEvents(const store::SqliteEventStore& store,
                          const summarizer::SummarizerConfig& config, http::Request& req,
                          const http::Respond& respond);

}  // namespace timelined::daemon
