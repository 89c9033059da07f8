#pragma once
// Error values for expected failures. The code says what the caller must do, not what
// went wrong (after abseil's status codes):
//   kInvalidInput      reject, answer 4xx, do not retry
//   kUnauthenticated   401: no or bad credentials
//   kPermissionDenied  403: credentials lack the scope
//   kNotFound          404
//   kTooLarge          413: body or field over a configured bound
//   kUnavailable       retry later with backoff (503 + Retry-After)
//   kExhausted         back-pressure (429/503 + Retry-After)
//   kInternal          a bug or a broken invariant: 500, logged
#include <expected>
#include <string>
#include <utility>

namespace timelined {

enum class ErrorCode {
  kInvalidInput,
  kUnauthenticated,
  kPermissionDenied,
  kNotFound,
  kTooLarge,
  kUnavailable,
  kExhausted,
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // short, stable, safe to show: "invalid_json", "bad_signature"
  std::string detail;   // human explanation; never contains secrets or raw bodies
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> MakeError(ErrorCode code, std::string message,
                                        std::string detail = {}) {
  return std::unexpected(Error{code, std::move(message), std::move(detail)});
}

// The HTTP status an error maps to at the API edge.
int HttpStatusFor(ErrorCode code);
// A stable lower-case name of the code, for logs and metrics labels.
const char* ErrorCodeName(ErrorCode code);

}  // namespace timelined
