#pragma once
// [pagerduty]: V3 webhook subscriptions and secrets, REST API token and base URL for backfill
// (issue 3). The struct is a member of config::Config; its keys are declared in pagerduty.cc
// (PagerDutyKeys) and cross-checked by ValidatePagerDuty.
//
// Secrets (subscription signing secrets, the REST token) are held in memory as given: the
// signing secret is the HMAC key and the token is sent on every REST call. Never log them.
#include <string>
#include <vector>

namespace timelined::config {

// One [[pagerduty.subscriptions]] entry. Several entries with the same id are secrets in
// rotation: a delivery signed with any of them passes.
struct PagerDutySubscription {
  std::string id;      // X-Webhook-Subscription value (e.g. "PXSUIZH"), or "*" for any
  std::string secret;  // the signing secret PagerDuty returned when the subscription was made
};

struct PagerDutyConfig {
  std::vector<PagerDutySubscription> subscriptions;  // none: POST /webhooks/pagerduty is 404
  std::string api_token;                             // REST API key; "" disables backfill
  std::string api_base_url = "https://api.pagerduty.com";
  int request_timeout_ms = 10'000;   // per REST request (connect and response each)
  int max_retries = 5;               // per REST request: 429 / 5xx / transport failures
  bool backfill_on_resolve = false;  // fetch log entries after a durable incident.resolved
};

}  // namespace timelined::config
