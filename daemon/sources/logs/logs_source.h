#pragma once
// The logs source: POST /ingest/logs (Fluent Bit, Vector, curl; source label "log"),
// POST /loki/api/v1/push (Loki's JSON or protobuf push; "loki") and POST /v1/logs =
// /otlp/v1/logs (OTLP/HTTP logs; "otlp"), all scope ingest, built from [logs].
// Runs wherever there is a feed.
#include "daemon/sources/source.h"

namespace timelined::daemon {

// Null without an IngestPipeline (the store role).
Result<std::unique_ptr<Source>> MakeLogsSource(const config::Config& config,
                                               const SourceContext& context);

}  // namespace timelined::daemon
