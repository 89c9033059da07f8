#pragma once
// [slack]: Events API signing secret, workspace URL, bot token and base URL for thread backfill,
// channel bindings (issue 3). The struct is a member of config::Config; its keys are declared in
// slack.cc (SlackKeys) and cross-checked by ValidateSlack.
#include <string>
#include <string_view>
#include <vector>

namespace timelined::config {

// [[slack.channels]]: a PagerDuty service's incident channel. Messages there keep scope
// "slack/<channel>", correlate with the service's incidents and, when one of its incidents is
// open as they arrive, carry its incident_id.
struct SlackChannel {
  std::string channel;  // channel ID, "C0PAY"
  std::string service;  // PagerDuty service id ("PSVCPAY") or name ("payments")
};

// Secrets starting with this count as unset (the example file's placeholders).
inline constexpr std::string_view kSlackPlaceholderPrefix = "REPLACE-ME";

struct SlackConfig {
  std::string signing_secret;           // Events API signing secret; empty = webhook off
  std::string previous_signing_secret;  // accepted too, while rotating
  std::string workspace_url;            // "https://acme.slack.com", for permalinks
  std::string own_bot_id;               // this app's bot id: its messages are dropped
  std::string bot_token;                // xoxb-/xoxp- token for conversations.replies
  std::string api_base_url = "https://slack.com/api";
  int request_timeout_ms = 10'000;  // per Web API request
  int replies_page_limit = 15;      // conversations.replies `limit`
  std::vector<SlackChannel> channels;

  bool webhook_enabled() const {
    return !signing_secret.empty() && !signing_secret.starts_with(kSlackPlaceholderPrefix);
  }
  bool backfill_enabled() const {
    return !bot_token.empty() && !bot_token.starts_with(kSlackPlaceholderPrefix);
  }
  // The secret being rotated out, unless unset or a placeholder.
  const std::string& previous_secret() const {
    static const std::string kNone;
    return previous_signing_secret.starts_with(kSlackPlaceholderPrefix) ? kNone
                                                                        : previous_signing_secret;
  }
};

}  // namespace timelined::config
