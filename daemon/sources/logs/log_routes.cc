#include "daemon/sources/logs/log_routes.h"

#include <cctype>

#include "connectors/logs/loki.h"
#include "connectors/logs/otlp.h"
#include "connectors/logs/snappy.h"
#include "daemon/ingest/body.h"

namespace timelined::daemon {
namespace {

// "application/json; charset=utf-8" is application/json.
bool IsJsonMediaType(std::string_view content_type) {
  std::string lower;
  for (char c : content_type.substr(0, content_type.find(';'))) {
    if (c != ' ' && c != '\t')
      lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return lower == "application/json";
}

}  // namespace

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

void HandleOtlpLogs(IngestPipeline& ingest, const MachineIngestOptions& options, const Clock& clock,
                    http::Request& req, http::Respond respond) {
  namespace logs = connectors::logs;
  const std::string_view content_type = req.Header("content-type");
  const bool protobuf = logs::IsLokiProtobuf(content_type);
  if (!protobuf && !IsJsonMediaType(content_type)) {
    return respond(
        http::Response::JsonError(415, "unsupported_media_type",
                                  "OTLP/HTTP logs are application/x-protobuf or application/json"));
  }
  auto body = DecodedBody(req, options.max_decompressed_bytes);
  if (!body) return respond(IngestErrorResponse(body.error()));
  auto parsed = protobuf ? logs::ParseOtlpLogsProtobuf(*body, options.log, clock.Now())
                         : logs::ParseOtlpLogsJson(*body, options.log, clock.Now());
  if (!parsed) return respond(IngestErrorResponse(parsed.error()));
  const size_t rejected = parsed->invalid_lines;
  std::string message = parsed->first_invalid;
  ingest.SubmitAndRespond(
      "otlp", std::move(parsed->events), std::move(respond),
      [protobuf, rejected, message = std::move(message)](const IngestOutcome&) {
        if (protobuf) {
          return http::Response::Text(200, logs::OtlpLogsResponseProtobuf(rejected, message),
                                      "application/x-protobuf");
        }
        return http::Response::Json(200, logs::OtlpLogsResponseJson(rejected, message));
      });
}

}  // namespace timelined::daemon
