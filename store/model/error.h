#pragma once
// Error values for expected failures. The code says what the caller must do, not what
// went wrong (after abseil's status codes):
//   kInvalidInput      reject, answer 4xx, do not retry
//   kUnauthenticated   401: no or bad credentials
//   kPermissionDenied  403: credentials lack the scope
//   kNotFound          404
//   kTooLarge          413: body or field over a configured bound
//   kUnprocessable     422: well-formed, but contradicts an earlier request; do not retry as is
//   kUnavailable       retry later with backoff (503 + Retry-After)
//   kExhausted         back-pressure (429/503 + Retry-After)
//   kInternal          a bug or a broken invariant: 500, logged
#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace timelined {

enum class ErrorCode {
  kInvalidInput,
  kUnauthenticated,
  kPermissionDenied,
  kNotFound,
  kTooLarge,
  kUnprocessable,
  kUnavailable,
  kExhausted,
  kInternal,
};

// A reason some caller branches on, declared once: its name is the Error::message clients
// see, its code what the caller must do. Producers make the error from the constant
// (MakeError(kNotDurable, ...)) and consumers test it with Error::Is, so control flow never
// compares hand-typed strings and a renamed reason changes both sides at once. Reasons no
// code branches on may stay plain strings.
struct Reason {
  std::string_view name;
  ErrorCode code;
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // short, stable, safe to show: "invalid_json", "bad_signature"
  std::string detail;   // human explanation; never contains secrets or raw bodies

  bool Is(const Reason& r) const { return code == r.code && message == r.name; }
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> MakeError(ErrorCode code, std::string message,
                                        std::string detail = {}) {
  return std::unexpected(Error{code, std::move(message), std::move(detail)});
}

inline std::unexpected<Error> MakeError(const Reason& reason, std::string detail = {}) {
  return MakeError(reason.code, std::string(reason.name), std::move(detail));
}

// The reasons more than one library produces or branches on.
inline constexpr Reason kInvalidJson{"invalid_json", ErrorCode::kInvalidInput};
inline constexpr Reason kInvalidPayload{"invalid_payload", ErrorCode::kInvalidInput};
inline constexpr Reason kMissingSignature{"missing_signature", ErrorCode::kUnauthenticated};
inline constexpr Reason kBadSignature{"bad_signature", ErrorCode::kUnauthenticated};
// Not known to be durable within the publish timeout; a retry is safe (IDs are deterministic).
inline constexpr Reason kNotDurable{"not_durable", ErrorCode::kUnavailable};
// The daemon is shutting down; the work was not done.
inline constexpr Reason kStopping{"stopping", ErrorCode::kUnavailable};

// The HTTP status an error maps to at the API edge.
int HttpStatusFor(ErrorCode code);
// A stable lower-case name of the code, for logs and metrics labels.
const char* ErrorCodeName(ErrorCode code);

}  // namespace timelined
