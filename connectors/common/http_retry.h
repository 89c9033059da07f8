#pragma once
// Bounded retries around HttpClient::Send for backfill-style callers, and the mapping of
// a final HTTP status to an Error. Runs on the caller's thread; sleeps only through the
// injected Sleeper.
#include <functional>
#include <string_view>

#include "connectors/common/http_client.h"
#include "connectors/common/retry.h"

namespace timelined::connectors {

// Sends `request`, retrying up to policy.max_retries times on:
//   - transport errors with code kUnavailable (backoff),
//   - HTTP 429 (delay = Retry-After, else ratelimit-reset, else backoff),
//   - HTTP 5xx (delay = Retry-After when given, else backoff).
// Each delay goes through `sleep`. Returns the last response (which may still be a 429 or
// 5xx when retries ran out) or the last transport error. Other statuses return at once.
// `cancelled` (may be empty) is asked after each delay: once it says true, the last result
// is returned without another attempt (a worker that is stopping sends nothing more).
Result<HttpResponse> SendWithRetry(HttpClient& client, const HttpRequest& request,
                                   const RetryPolicy& policy, const Sleeper& sleep,
                                   const std::function<bool()>& cancelled = {});

// The Error a non-2xx status maps to (message "http_<status>", detail mentions `what`):
// 400/422 kInvalidInput, 401 kUnauthenticated, 403 kPermissionDenied, 404 kNotFound,
// 429 kExhausted, 5xx kUnavailable, anything else kInternal.
Error HttpStatusError(int status, std::string_view what);

}  // namespace timelined::connectors
