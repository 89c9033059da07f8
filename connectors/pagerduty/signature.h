#pragma once
// PagerDuty V3 webhook authentication (X-PagerDuty-Signature). Pure; thread-safe.
// See PROTOCOLS.md 1.2.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/model/error.h"

namespace timelined::connectors::pagerduty {

inline constexpr std::string_view kSignatureHeader = "x-pagerduty-signature";
inline constexpr std::string_view kWebhookIdHeader = "x-webhook-id";
inline constexpr std::string_view kSubscriptionHeader = "x-webhook-subscription";

struct PagerDutyOptions {
  // X-Webhook-Subscription id -> signing secrets accepted for it (several during
  // rotation). Key "*" applies to any subscription (and to requests without the header).
  std::map<std::string, std::vector<std::string>> subscription_secrets;
};

// The secrets for `subscription_id`: its own entry plus the "*" entry, own first,
// without duplicates. Empty when neither exists (every request then fails verification).
std::vector<std::string> SecretsFor(const PagerDutyOptions& options,
                                    std::string_view subscription_id);

// Verifies `signature_header` ("v1=<hex>[,v1=<hex>...]") over the exact raw body bytes.
// Entries are trimmed; entries of other versions or with invalid hex are skipped. Passes
// when any v1 signature equals HMAC-SHA256(secret, raw_body) for any secret (compared in
// constant time). Errors (kUnauthenticated): "missing_signature" when the header is empty;
// "bad_signature" when nothing matches (also when the header holds no valid v1 entry or
// `secrets` is empty).
Result<void> VerifySignature(std::string_view raw_body, std::string_view signature_header,
                             const std::vector<std::string>& secrets);

}  // namespace timelined::connectors::pagerduty
