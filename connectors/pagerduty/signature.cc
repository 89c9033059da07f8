#include "connectors/pagerduty/signature.h"

#include <algorithm>

#include "connectors/common/headers.h"
#include "store/model/hash.h"

namespace timelined::connectors::pagerduty {

std::vector<std::string> SecretsFor(const PagerDutyOptions& options,
                                    std::string_view subscription_id) {
  std::vector<std::string> out;
  auto add = [&](const std::string& key) {
    auto it = options.subscription_secrets.find(key);
    if (it == options.subscription_secrets.end()) return;
    for (const std::string& secret : it->second) {
      if (!secret.empty() && std::find(out.begin(), out.end(), secret) == out.end()) {
        out.push_back(secret);
      }
    }
  };
  if (!subscription_id.empty()) add(std::string(subscription_id));
  add("*");
  return out;
}

namespace {

// The decoded v1 signatures of the header; other versions and invalid hex are skipped.
std::vector<std::string> V1Signatures(std::string_view header) {
  std::vector<std::string> out;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view entry = TrimAscii(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (!entry.starts_with("v1=")) continue;
    std::string decoded;
    if (HexDecode(entry.substr(3), &decoded) && decoded.size() == 32) out.push_back(decoded);
  }
  return out;
}

}  // namespace

Result<void> VerifySignature(std::string_view raw_body, std::string_view signature_header,
                             const std::vector<std::string>& secrets) {
  if (TrimAscii(signature_header).empty()) {
    return MakeError(kMissingSignature, "X-PagerDuty-Signature header is missing");
  }
  std::vector<std::string> candidates = V1Signatures(signature_header);
  bool matched = false;
  for (const std::string& secret : secrets) {
    Sha256Digest mac = HmacSha256(secret, raw_body);
    std::string_view expected(reinterpret_cast<const char*>(mac.data()), mac.size());
    // No early exit: the time taken does not reveal which candidate matched.
    for (const std::string& candidate : candidates)
      matched |= ConstantTimeEqual(candidate, expected);
  }
  if (!matched) {
    return MakeError(kBadSignature, "no X-PagerDuty-Signature entry matches a configured secret");
  }
  return {};
}

}  // namespace timelined::connectors::pagerduty
