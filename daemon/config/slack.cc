#include <algorithm>
#include <set>

#include "daemon/config/config.h"
#include "daemon/config/section_keys.h"

namespace timelined::config {
namespace {

using keys::KeySpec;
using keys::Where;
using Sc = SlackConfig;

std::unexpected<Error> Invalid(std::string detail) {
  return MakeError(ErrorCode::kInvalidInput, "invalid_config", std::move(detail));
}

// Slack IDs (channels C…/G…, bots B…) are upper-case letters and digits.
bool IsSlackId(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

std::string CheckSlackId(std::string_view s) {
  return s.empty() || IsSlackId(s) ? "" : "expected a Slack ID (A-Z 0-9), e.g. C0PAY or B0BOT";
}

std::string CheckHttpUrl(std::string_view s) {
  if (s.empty()) return "";
  bool ok = (s.starts_with("https://") || s.starts_with("http://")) &&
            s.find_first_of(" \t\r\n?#") == std::string_view::npos;
  return ok ? "" : "expected an http(s) URL without query or fragment";
}

std::vector<KeySpec<SlackChannel>> ChannelKeys() {
  using E = SlackChannel;
  return {
      keys::StringKey<E>(
          "channel", [](E& e) -> std::string& { return e.channel; },
          "Channel ID (C…/G…), as in the channel's \"Copy link\".", {},
          [](std::string_view s) -> std::string {
            return IsSlackId(s) ? "" : "expected a channel ID (A-Z 0-9), e.g. C0PAY";
          },
          /*required=*/true),
      keys::StringKey<E>(
          "service", [](E& e) -> std::string& { return e.service; },
          "PagerDuty service id or name whose incidents this channel belongs to.", {},
          [](std::string_view s) -> std::string { return s.empty() ? "must not be empty" : ""; },
          /*required=*/true),
  };
}

Result<void> AddChannel(Config& c, SlackChannel&& ch, const Where& w) {
  for (const SlackChannel& existing : c.slack.channels) {
    if (existing.channel == ch.channel) {
      return keys::KeyError(w, "channel " + ch.channel + " is listed twice");
    }
  }
  c.slack.channels.push_back(std::move(ch));
  return {};
}

}  // namespace

std::vector<keys::KeySpec<Config>> SlackKeys() {
  using C = Config;
  return {
      keys::SecretKey<C>(
          "slack.signing_secret", [](C& c, const std::string& s) { c.slack.signing_secret = s; },
          "Slack app signing secret (Basic Information > App Credentials). Unset: "
          "POST /webhooks/slack answers 404."),
      keys::SecretKey<C>(
          "slack.previous_signing_secret",
          [](C& c, const std::string& s) { c.slack.previous_signing_secret = s; },
          "The secret being rotated out: requests signed with either secret pass."),
      keys::StringKey<C>("slack.workspace_url", Field(&C::slack, &Sc::workspace_url),
                         "Workspace URL (auth.test `url`), e.g. https://acme.slack.com; "
                         "permalinks are built from it. Empty: no permalinks.",
                         {}, CheckHttpUrl),
      keys::StringKey<C>("slack.own_bot_id", Field(&C::slack, &Sc::own_bot_id),
                         "This app's bot ID (B…); its own messages are not stored.", {},
                         CheckSlackId),
      keys::SecretKey<C>(
          "slack.bot_token", [](C& c, const std::string& s) { c.slack.bot_token = s; },
          "Bot token (xoxb-…) for conversations.replies, used to backfill a thread when it "
          "gets bound to an incident. Unset: no backfill."),
      keys::StringKey<C>("slack.api_base_url", Field(&C::slack, &Sc::api_base_url),
                         "Slack Web API base URL (tests point it at a local server).", {},
                         [](std::string_view s) {
                           return s.empty() ? std::string("must not be empty") : CheckHttpUrl(s);
                         }),
      keys::IntKey<C>("slack.request_timeout_ms", Field(&C::slack, &Sc::request_timeout_ms), 100,
                      300'000, "Timeout of one Web API request."),
      keys::IntKey<C>("slack.ack_timeout_ms", Field(&C::slack, &Sc::ack_timeout_ms), 100, 2'900,
                      "Longest wait for an Events API delivery to be durable before answering "
                      "503 (Slack retries; under its 3 s deadline). At most "
                      "server.publish_timeout_ms applies."),
      keys::IntKey<C>("slack.replies_page_limit", Field(&C::slack, &Sc::replies_page_limit), 1,
                      1000,
                      "Messages per conversations.replies page (non-Marketplace apps get at "
                      "most 15)."),
      keys::IntKey<C>("slack.replies_min_interval_ms",
                      Field(&C::slack, &Sc::replies_min_interval_ms), 0, 600'000,
                      "Pause between two conversations.replies requests: 1200 keeps Tier 3 "
                      "(50/min); commercially distributed non-Marketplace apps need 60000."),
      keys::BoolKey<C>("slack.user_names", Field(&C::slack, &Sc::user_names),
                       "Fetch each message author's name with users.info (bot scope "
                       "users:read) and store it, so drafts say \"Alice Chen\" where Slack "
                       "sent U0ALICE. Only with bot_token. Default true."),
      keys::TableArrayKey<C, SlackChannel>(
          "slack.channels",
          "A service's incident channel: its messages correlate with that service's incidents "
          "and carry the open incident's id.",
          ChannelKeys(), AddChannel),
  };
}

Result<void> ValidateSlack(const Config& c) {
  const SlackConfig& s = c.slack;
  if (!s.previous_signing_secret.empty() && s.signing_secret.empty()) {
    return Invalid("slack.previous_signing_secret is set without slack.signing_secret");
  }
  if (!s.workspace_url.empty() && s.workspace_url.back() == '/') {
    return Invalid("slack.workspace_url: drop the trailing '/' (" + s.workspace_url + ")");
  }
  return {};
}

void AddSlackChannelsTo(summarizer::CorrelationConfig& correlation, const SlackConfig& slack) {
  for (const SlackChannel& c : slack.channels) {
    auto [it, inserted] = correlation.services.try_emplace(c.service, correlation.defaults);
    std::vector<std::string>& channels = it->second.slack_channels;
    if (std::find(channels.begin(), channels.end(), c.channel) == channels.end()) {
      channels.push_back(c.channel);
    }
  }
}

}  // namespace timelined::config
