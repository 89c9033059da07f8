#pragma once
// The logs source's handlers: log pushes (Fluent Bit, Vector, curl) and the Loki push.
// Each parses the whole body first (all-or-nothing unless skip_invalid_lines) and answers
// only once the events are durable.
#include "connectors/logs/log_parser.h"
#include "daemon/http/types.h"
#include "daemon/ingest/pipeline.h"

namespace timelined::daemon {

struct MachineIngestOptions {
  connectors::logs::LogOptions log;
  size_t max_decompressed_bytes = 64 * 1024 * 1024;
};

// POST /ingest/logs: JSON array, NDJSON, concatenated JSON or text/plain (labels from the
// query string); Content-Encoding: gzip accepted.
void HandleIngestLogs(IngestPipeline& ingest, const MachineIngestOptions& options,
                      const Clock& clock, http::Request& req, http::Respond respond);
// POST /loki/api/v1/push: Loki's JSON push, or its protobuf push (application/x-protobuf,
// snappy-compressed, as Promtail, Alloy and Vector send it); 204 on success.
void HandleLokiPush(IngestPipeline& ingest, const MachineIngestOptions& options, const Clock& clock,
                    http::Request& req, http::Respond respond);
// POST /v1/logs (and /otlp/v1/logs): OTLP/HTTP logs, protobuf or JSON, gzip accepted; 200
// with ExportLogsServiceResponse in the request's encoding (partial_success counts records
// skipped under skip_invalid_lines); other content types 415. Errors are JSON
// {"error","detail"} like every route, not google.rpc.Status: OTLP clients act on the
// status code (400 drop, 429/503 + Retry-After retry) and only log the body.
void HandleOtlpLogs(IngestPipeline& ingest, const MachineIngestOptions& options, const Clock& clock,
                    http::Request& req, http::Respond respond);

}  // namespace timelined::daemon
