#include "daemon/config/pagerduty.h"

#include <algorithm>
#include <cctype>

#include "connectors/common/http_client.h"
#include "daemon/config/config.h"
#include "daemon/config/section_keys.h"

namespace timelined::config {
namespace {

using keys::KeySpec;
using keys::Where;

std::unexpected<Error> Invalid(std::string detail) {
  return MakeError(ErrorCode::kInvalidInput, "invalid_config", std::move(detail));
}

// Subscription ids are PagerDuty object ids (letters and digits); "*" matches any.
std::string CheckSubscriptionId(std::string_view s) {
  if (s == "*") return "";
  bool ok = !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  });
  return ok ? "" : "expected \"*\" or 1-64 characters among A-Z a-z 0-9 _ -";
}

std::vector<KeySpec<PagerDutySubscription>> SubscriptionKeys() {
  using E = PagerDutySubscription;
  return {
      keys::StringKey<E>(
          "id", [](E& e) -> std::string& { return e.id; },
          "The webhook subscription ID (X-Webhook-Subscription, e.g. \"PXSUIZH\"), or \"*\" "
          "for any subscription. Repeat an id with another secret during rotation.",
          {}, CheckSubscriptionId, /*required=*/true),
      keys::SecretKey<E>(
          "secret", [](E& e, const std::string& s) { e.secret = s; },
          "The subscription's signing secret (shown once when it is created).",
          /*allow_inline=*/true, /*required=*/true),
  };
}

}  // namespace

std::vector<KeySpec<Config>> PagerDutyKeys() {
  using C = Config;
  using P = PagerDutyConfig;
  return {
      keys::TableArrayKey<C, PagerDutySubscription>(
          "pagerduty.subscriptions",
          "V3 webhook subscriptions whose deliveries POST /webhooks/pagerduty accepts. None: "
          "the route answers 404.",
          SubscriptionKeys(),
          [](C& c, PagerDutySubscription&& s, const Where&) -> Result<void> {
            c.pagerduty.subscriptions.push_back(std::move(s));
            return {};
          }),
      keys::SecretKey<C>(
          "pagerduty.api_token", [](C& c, const std::string& s) { c.pagerduty.api_token = s; },
          "REST API key for backfill (GET /incidents/{id}/log_entries). Unset: backfill is "
          "off."),
      keys::StringKey<C>("pagerduty.api_base_url", Field(&C::pagerduty, &P::api_base_url),
                         "REST API base URL (EU: https://api.eu.pagerduty.com)."),
      keys::IntKey<C>("pagerduty.request_timeout_ms", Field(&C::pagerduty, &P::request_timeout_ms),
                      100, 300'000, "Timeout of one REST request (connect, then response)."),
      keys::IntKey<C>("pagerduty.max_retries", Field(&C::pagerduty, &P::max_retries), 0, 20,
                      "Retries of one REST request after 429 (Retry-After honoured), 5xx or a "
                      "transport failure."),
      keys::BoolKey<C>("pagerduty.backfill_on_resolve",
                       Field(&C::pagerduty, &P::backfill_on_resolve),
                       "After an incident.resolved is stored, fetch the incident's log entries "
                       "so missed webhooks are filled in (needs api_token)."),
  };
}

Result<void> ValidatePagerDuty(const Config& c) {
  const PagerDutyConfig& p = c.pagerduty;
  for (size_t i = 0; i < p.subscriptions.size(); ++i) {
    const std::string where = "pagerduty.subscriptions[" + std::to_string(i) + "]";
    if (std::string problem = CheckSubscriptionId(p.subscriptions[i].id); !problem.empty()) {
      // NOLINTNEXTLINE(performance-inefficient-string-concatenation): once, leaving the loop
      return Invalid(where + ".id: " + problem);
    }
    if (p.subscriptions[i].secret.empty()) {
      return Invalid(where + ": a signing secret is required (secret, secret_env or secret_file)");
    }
  }
  if (auto url = connectors::ParseUrl(p.api_base_url); !url) {
    return Invalid("pagerduty.api_base_url: " + url.error().detail);
  }
  if (p.backfill_on_resolve && p.api_token.empty()) {
    return Invalid(
        "pagerduty.backfill_on_resolve needs pagerduty.api_token (or api_token_env / "
        "api_token_file)");
  }
  return {};
}

}  // namespace timelined::config
