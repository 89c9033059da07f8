#include "connectors/common/http_retry.h"

#include <optional>

namespace timelined::connectors {
namespace {

// The delay a 429/5xx response asks for, if any.
std::optional<std::chrono::milliseconds> RequestedDelay(const HttpResponse& response) {
  if (auto delay = ParseDelaySeconds(HeaderValue(response.headers, "retry-after"))) return delay;
  if (response.status == 429)
    return ParseDelaySeconds(HeaderValue(response.headers, "ratelimit-reset"));
  return std::nullopt;
}

bool Retryable(const Result<HttpResponse>& result) {
  if (!result) return result.error().code == ErrorCode::kUnavailable;
  return result->status == 429 || result->status >= 500;
}

}  // namespace

Result<HttpResponse> SendWithRetry(HttpClient& client, const HttpRequest& request,
                                   const RetryPolicy& policy, const Sleeper& sleep,
                                   const std::function<bool()>& cancelled) {
  Result<HttpResponse> result = client.Send(request);
  for (int retry = 1; retry <= policy.max_retries && Retryable(result); ++retry) {
    std::optional<std::chrono::milliseconds> delay;
    if (result) delay = RequestedDelay(*result);
    sleep(delay.value_or(BackoffDelay(policy, retry)));
    if (cancelled && cancelled()) break;
    result = client.Send(request);
  }
  return result;
}

Error HttpStatusError(int status, std::string_view what) {
  ErrorCode code = ErrorCode::kInternal;
  if (status == 400 || status == 422) code = ErrorCode::kInvalidInput;
  if (status == 401) code = ErrorCode::kUnauthenticated;
  if (status == 403) code = ErrorCode::kPermissionDenied;
  if (status == 404) code = ErrorCode::kNotFound;
  if (status == 429) code = ErrorCode::kExhausted;
  if (status >= 500 && status <= 599) code = ErrorCode::kUnavailable;
  return Error{code, "http_" + std::to_string(status),
               std::string(what) + " returned HTTP " + std::to_string(status)};
}

}  // namespace timelined::connectors
