#pragma once
// The logs source: POST /ingest/logs (Fluent Bit, Vector, curl; source label "log") and
// POST /loki/api/v1/push (Loki's JSON push; "loki"), both scope ingest, built from [logs].
// Runs wherever there is a feed.
#include "daemon/sources/source.h"

namespace timelined::daemon {

// Null without an IngestPipeline (the store role).
Result<std::unique_ptr<Source>> MakeLogsSource(const config::Config& config,
                                               const SourceContext& context);

}  // namespace timelined::daemon
