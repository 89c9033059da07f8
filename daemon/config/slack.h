#pragma once
// [slack]: Events API signing secret, workspace URL, bot token and base URL for thread backfill,
// channel bindings (issue 3). The struct is a member of config::Config; its keys are declared in
// slack.cc (SlackKeys) and cross-checked by ValidateSlack.
#include <string>
#include <string_view>
#include <vector>

#include "summarizer/config.h"

namespace timelined::config {

// [[slack.channels]]: a PagerDuty service's incident channel. Messages there keep scope
// "slack/<channel>", correlate with the service's incidents and, when one of its incidents is
// open as they arrive, carry its incident_id.
struct SlackChannel {
  std::string channel;  // channel ID, "C0PAY"
  std::string service;  // PagerDuty service id ("PSVCPAY") or name ("payments")
};

struct SlackConfig {
  std::string signing_secret;           // Events API signing secret; empty = webhook off
  std::string previous_signing_secret;  // accepted too, while rotating
  std::string workspace_url;            // "https://acme.slack.com", for permalinks
  std::string own_bot_id;               // this app's bot id: its messages are dropped
  std::string bot_token;                // xoxb-/xoxp- token for conversations.replies
  std::string api_base_url = "https://slack.com/api";
  int request_timeout_ms = 10'000;  // per Web API request
  int replies_page_limit = 15;      // conversations.replies `limit`
  // Pause between two conversations.replies requests: 1200 keeps Slack's Tier 3 (50/min);
  // commercially distributed non-Marketplace apps need 60000 (1/min).
  int replies_min_interval_ms = 1'200;
  // Fetch the name of each message's author with users.info (scope users:read) and store it
  // as a slack.user event, so drafts name people as Slack shows them. Needs bot_token.
  bool user_names = true;
  // How long an Events API delivery waits for durability before 503: under Slack's 3 s, so
  // Slack sees the 503 and retries instead of timing out (and retrying anyway).
  int ack_timeout_ms = 2'500;
  std::vector<SlackChannel> channels;

  bool webhook_enabled() const { return !signing_secret.empty(); }
  bool backfill_enabled() const { return !bot_token.empty(); }
  bool user_names_enabled() const { return user_names && !bot_token.empty(); }
  // The secret being rotated out ("" when none).
  const std::string& previous_secret() const { return previous_signing_secret; }
};

// Adds every [[slack.channels]] entry to `correlation` as a Slack channel of its service
// (services[service].slack_channels), starting from `correlation.defaults` for a service not
// yet listed. Idempotent. ToSummarizerConfig calls it, so drafts and GET .../events agree.
void AddSlackChannelsTo(summarizer::CorrelationConfig& correlation, const SlackConfig& slack);

}  // namespace timelined::config
