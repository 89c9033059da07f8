#pragma once
// Slack request signing (X-Slack-Signature / X-Slack-Request-Timestamp), PROTOCOLS.md 2.1.
// Pure (the current time is passed in); thread-safe.
#include <string_view>

#include "store/model/error.h"
#include "store/model/time.h"

namespace timelined::connectors::slack {

inline constexpr std::string_view kTimestampHeader = "x-slack-request-timestamp";
inline constexpr std::string_view kSignatureHeader = "x-slack-signature";
inline constexpr std::string_view kRetryNumHeader = "x-slack-retry-num";
inline constexpr int64_t kMaxClockSkewSeconds = 300;

// Checks "v0=" + hex(HMAC-SHA256(signing_secret, "v0:" + ts + ":" + raw_body)) against
// `signature_header` in constant time, after checking that `timestamp_header` (Unix
// seconds) is within 300 s of `now`. Errors (kUnauthenticated):
//   "bad_timestamp"      empty or non-numeric timestamp
//   "stale_timestamp"    |now - ts| > 300 s (replay window)
//   "missing_signature"  empty signature header
//   "bad_signature"      mismatch (also when signing_secret is empty)
Result<void> VerifySignature(std::string_view raw_body, std::string_view timestamp_header,
                             std::string_view signature_header, std::string_view signing_secret,
                             Nanos now);

}  // namespace timelined::connectors::slack
