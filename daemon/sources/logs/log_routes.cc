#include "daemon/sources/logs/log_routes.h"

#include "connectors/logs/loki.h"
#include "connectors/logs/snappy.h"
#include "daemon/ingest/body.h"

namespace timelined::daemon {

void HandleIngestLogs(IngestPipeline& ingest, const MachineIngestOptions& options,
                      const Clock& clock, http::Request& req, http::Respond respond) {
  auto body = DecodedBody(req, options.max_decompressed_bytes);
  if (!body) return respond(IngestErrorResponse(body.error()));
  auto parsed = connectors::logs::ParseLogBody(*body, req.Header("content-type"), options.log,
                                               req.query, clock.Now());
  if (!parsed) return respond(IngestErrorResponse(parsed.error()));
  size_t invalid = parsed->invalid_lines;
  ingest.SubmitAndRespond("log", std::move(parsed->events), std::move(respond),
                          IngestOkJson(invalid));
}

void HandleLokiPush(IngestPipeline& ingest, const MachineIngestOptions& options, const Clock& clock,
                    http::Request& req, http::Respond respond) {
  auto body = DecodedBody(req, options.max_decompressed_bytes);
  if (!body) return respond(IngestErrorResponse(body.error()));
  Result<connectors::logs::LogParse> parsed;
  if (connectors::logs::IsLokiProtobuf(req.Header("content-type"))) {
    // Promtail, Alloy and Vector: one snappy block, whatever Content-Encoding says.
    auto raw = connectors::logs::SnappyUncompress(*body, options.max_decompressed_bytes);
    if (!raw) return respond(IngestErrorResponse(raw.error()));
    parsed = connectors::logs::ParseLokiProtobufPush(*raw, options.log, clock.Now());
  } else {
    parsed = connectors::logs::ParseLokiPush(*body, options.log, clock.Now());
  }
  if (!parsed) return respond(IngestErrorResponse(parsed.error()));
  ingest.SubmitAndRespond("loki", std::move(parsed->events), std::move(respond),
                          [](const IngestOutcome&) { return http::Response::NoContent(); });
}

}  // namespace timelined::daemon
