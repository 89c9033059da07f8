#pragma once
// What the machine-ingest routes (logs, Loki, kubectl events) share: the request body decoded
// as its Content-Encoding says, the error answer, and the 200 JSON answer.
#include <cstddef>
#include <functional>
#include <string>

#include "daemon/http/types.h"
#include "daemon/ingest/pipeline.h"

namespace timelined::daemon {

// The body as sent, decompressed when Content-Encoding says gzip (at most `max_decompressed`
// bytes: kTooLarge beyond). Another encoding: kInvalidInput "unsupported_encoding".
Result<std::string> DecodedBody(const http::Request& req, size_t max_decompressed);

// kTooLarge: 413 "body_too_large"; anything else as Response::FromError.
http::Response IngestErrorResponse(const Error& e);

// {"accepted","inserted","duplicates","invalid_lines"}.
std::function<http::Response(const IngestOutcome&)> IngestOkJson(size_t invalid_lines);

}  // namespace timelined::daemon
