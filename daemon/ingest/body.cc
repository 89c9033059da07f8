#include "daemon/ingest/body.h"

#include <nlohmann/json.hpp>

#include "connectors/logs/gunzip.h"

namespace timelined::daemon {

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

http::Response IngestErrorResponse(const Error& e) {
  if (e.code == ErrorCode::kTooLarge) {
    return http::Response::JsonError(413, "body_too_large", e.detail);
  }
  return http::Response::FromError(e);
}

std::function<http::Response(const IngestOutcome&)> IngestOkJson(size_t invalid_lines) {
  return [invalid_lines](const IngestOutcome& o) {
    return http::Response::Json(200, nlohmann::json{{"accepted", o.accepted},
                                                    {"inserted", o.inserted},
                                                    {"duplicates", o.duplicates},
                                                    {"invalid_lines", invalid_lines}}
                                         .dump());
  };
}

}  // namespace timelined::daemon
