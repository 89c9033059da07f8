#pragma once
// Route handlers of the read and generic-ingest API. Each is a plain function over
// http::Request so it can be tested without sockets.
#include "daemon/http/types.h"
#include "daemon/ingest.h"
#include "store/sqlite_store.h"
#include "summarizer/config.h"

namespace timelined::daemon {

void HandleGetEvent(const store::SqliteEventStore& store, http::Request& req,
                    http::Respond respond);
void HandleListIncidents(const store::SqliteEventStore& store, http::Request& req,
                         http::Respond respond);
void HandleGetIncident(const store::SqliteEventStore& store, http::Request& req,
                       http::Respond respond);
// The incident's events with why each is included ("included_because"): named, bound
// Slack threads/channels ("bound:…") and scoped ones ("scope:…") as summarizer::Correlate
// finds them under `correlation`; for an id without an incidents row, the named ones.
void HandleIncidentEvents(const store::SqliteEventStore& store,
                          const summarizer::CorrelationConfig& correlation, const Clock& clock,
                          http::Request& req, http::Respond respond);

// POST /ingest/events: one event object, an array of them, or {"events": [...]}, in the
// model's JSON form. All-or-nothing: any invalid event rejects the request (400 naming its
// index) and nothing is stored. raw_sha256, when absent, is the SHA-256 of the body for a
// single event, or of the element's compact JSON in an array.
void HandleIngestEvents(IngestPipeline& ingest, const Clock& clock, http::Request& req,
                        http::Respond respond);

}  // namespace timelined::daemon
