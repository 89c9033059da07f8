#include "daemon/sources/logs/log_routes.h"

#include <nlohmann/json.hpp>

#include "connectors/kubernetes/kubectl_import.h"
#include "connectors/logs/gunzip.h"
#include "connectors/logs/loki.h"

namespace timelined::daemon {
namespace {

using nlohmann::json;

// The body as sent, decompressed when Content-Encoding says gzip.
Result<std::string> DecodedBody(const http::Request& req, size_t max_decompressed) {
  std::string_view encoding = req.Header("content-encoding");
  if (encoding.empty() || encoding == "identity") return req.body;
  if (encoding == "gzip" || encoding == "x-gzip") {
    return connectors::logs::Gunzip(req.body, max_decompressed);
  }
  return MakeError(
      ErrorCode::kInvalidInput, "unsupported_encoding",
      "Content-Encoding " + std::string(encoding) + " is not supported; use gzip or none");
}

http::Response ErrorResponse(const Error& e) {
  if (e.code == ErrorCode::kTooLarge) {
    return http::Response::JsonError(413, "body_too_large", e.detail);
  }
  return http::Response::FromError(e);
}

std::function<http::Response(const IngestOutcome&)> OkJson(size_t invalid_lines) {
  return [invalid_lines](const IngestOutcome& o) {
    return http::Response::Json(200, json{{"accepted", o.accepted},
                                          {"inserted", o.inserted},
                                          {"duplicates", o.duplicates},
                                          {"invalid_lines", invalid_lines}}
                                         .dump());
  };
}

}  // namespace

void HandleIngestLogs(IngestPipeline& ingest, const MachineIngestOptions& options,
                      const Clock& clock, http::Request& req, http::Respond respond) {
  auto body = DecodedBody(req, options.max_decompressed_bytes);
  if (!body) return respond(ErrorResponse(body.error()));
  auto parsed = connectors::logs::ParseLogBody(*body, req.Header("content-type"), options.log,
                                               req.query, clock.Now());
  if (!parsed) return respond(ErrorResponse(parsed.error()));
  size_t invalid = parsed->invalid_lines;
  ingest.SubmitAndRespond("log", std::move(parsed->events), std::move(respond), OkJson(invalid));
}

void HandleLokiPush(IngestPipeline& ingest, const MachineIngestOptions& options, const Clock& clock,
                    http::Request& req, http::Respond respond) {
  if (connectors::logs::IsLokiProtobuf(req.Header("content-type"))) {
    return respond(http::Response::JsonError(415, "unsupported_media_type",
                                             "Loki protobuf pushes are not supported; configure "
                                             "the client for JSON (application/json)"));
  }
  auto body = DecodedBody(req, options.max_decompressed_bytes);
  if (!body) return respond(ErrorResponse(body.error()));
  auto parsed = connectors::logs::ParseLokiPush(*body, options.log, clock.Now());
  if (!parsed) return respond(ErrorResponse(parsed.error()));
  ingest.SubmitAndRespond("loki", std::move(parsed->events), std::move(respond),
                          [](const IngestOutcome&) { return http::Response::NoContent(); });
}

void HandleIngestKubernetes(IngestPipeline& ingest, const MachineIngestOptions& options,
                            const Clock& clock, http::Request& req, http::Respond respond) {
  auto body = DecodedBody(req, options.max_decompressed_bytes);
  if (!body) return respond(ErrorResponse(body.error()));
  auto events = connectors::kubernetes::ParseKubectlJson(*body, clock.Now());
  if (!events) return respond(ErrorResponse(events.error()));
  ingest.SubmitAndRespond("kubernetes", std::move(*events), std::move(respond), OkJson(0));
}

}  // namespace timelined::daemon
