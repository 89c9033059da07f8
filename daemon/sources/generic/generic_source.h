#pragma once
// The generic source: POST /ingest/events (scope ingest), events from any source in the
// model's JSON form, published under the source label "api". Runs wherever there is a feed.
#include "daemon/http/types.h"
#include "daemon/ingest/pipeline.h"
#include "daemon/sources/source.h"

namespace timelined::daemon {

// POST /ingest/events: one event object, an array of them, or {"events": [...]}, in the
// model's JSON form. All-or-nothing: any invalid event rejects the request (400 naming its
// index) and nothing is stored. raw_sha256, when absent, is the SHA-256 of the body for a
// single event, or of the element's compact JSON in an array.
void HandleIngestEvents(IngestPipeline& ingest, const Clock& clock, http::Request& req,
                        http::Respond respond);

// Null without an IngestPipeline (the store role).
Result<std::unique_ptr<Source>> MakeGenericSource(const config::Config& config,
                                                  const SourceContext& context);

}  // namespace timelined::daemon
