#include "connectors/slack/signature.h"

#include <charconv>
#include <string>

#include "connectors/common/headers.h"
#include "store/model/hash.h"

namespace timelined::connectors::slack {

Result<void> VerifySignature(std::string_view raw_body, std::string_view timestamp_header,
                             std::string_view signature_header, std::string_view signing_secret,
                             Nanos now) {
  std::string_view ts = TrimAscii(timestamp_header);
  int64_t seconds = 0;
  auto [ptr, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), seconds);
  if (ts.empty() || ts.size() > 12 || ec != std::errc() || ptr != ts.data() + ts.size() ||
      seconds < 0) {
    return MakeError(ErrorCode::kUnauthenticated, "bad_timestamp",
                     "X-Slack-Request-Timestamp is not Unix seconds");
  }
  int64_t skew = now / kNanosPerSecond - seconds;
  if (skew > kMaxClockSkewSeconds || skew < -kMaxClockSkewSeconds) {
    return MakeError(ErrorCode::kUnauthenticated, "stale_timestamp",
                     "X-Slack-Request-Timestamp is more than 300 s from now");
  }
  std::string_view signature = TrimAscii(signature_header);
  if (signature.empty()) {
    return MakeError(kMissingSignature, "X-Slack-Signature header is missing");
  }
  std::string basestring = "v0:";
  basestring.append(ts).append(":").append(raw_body);
  std::string expected = "v0=" + HmacSha256Hex(signing_secret, basestring);
  // Slack sends lower-case hex; compare case-insensitively without branching on content.
  if (signing_secret.empty() || !ConstantTimeEqual(ToLowerAscii(signature), expected)) {
    return MakeError(kBadSignature, "X-Slack-Signature does not match the signing secret");
  }
  return {};
}

}  // namespace timelined::connectors::slack
