#pragma once
// [summarizer]: drafts: settle delay, regenerate signing secret, notify URL, correlation (issue 6).
// The struct is a member of config::Config; its keys are declared in summarizer.cc
// (SummarizerKeys) and cross-checked by ValidateSummarizer. ToSummarizerConfig maps it onto
// the summarizer library's SummarizerConfig.
#include <optional>
#include <string>
#include <vector>

namespace timelined::summarizer {
struct SummarizerConfig;
}

namespace timelined::config {

struct Config;

// One [[summarizer.services]] element: which scopes and Slack channels belong to a
// PagerDuty service. lookback/grace of -1 take the [summarizer] defaults.
struct SummarizerService {
  std::string service;              // PagerDuty service id ("PSVCPAY") or name ("payments-api")
  std::vector<std::string> scopes;  // exact, or a prefix ending in '/'
  std::vector<std::string> slack_channels;  // "C0PAY" or "slack/C0PAY"
  int lookback_minutes = -1;
  int grace_minutes = -1;
};

struct SummarizerSettings {
  bool auto_draft = true;         // draft automatically when an incident resolves
  int settle_delay_ms = 120'000;  // ... this long after the resolve (a reopen cancels)
  std::string regenerate_secret;  // HMAC-SHA256 key of signed regenerate requests ("" = off)
  int max_clock_skew_s = 300;     // accepted |now − X-Timelined-Timestamp|
  std::string notify_url;         // POSTed (signed) when a draft is ready ("" = off)
  std::string notify_secret;      // HMAC key of the notify POST ("" = unsigned)
  int notify_timeout_ms = 5'000;
  std::string markdown_citations = "compact";  // compact | full (summarizer/render.h)
  bool node_events = true;                     // correlate events of nodes that ran its pods
  int default_lookback_minutes = 30;           // before triggered_at, for services not listed
  int default_grace_minutes = 10;              // after resolved_at
  std::vector<std::string> default_scopes;     // scopes correlated for every service
  std::vector<SummarizerService> services;     // [[summarizer.services]]
  // Unset = the summarizer's built-in lists.
  std::optional<std::vector<std::string>> salient_keywords;
  std::optional<std::vector<std::string>> mitigation_keywords;
  std::optional<std::vector<std::string>> include_reactions;
  std::optional<std::vector<std::string>> exclude_reactions;
};

// The summarizer library's configuration from [summarizer] (and, once [[slack.channels]]
// exists, the channel bindings of the Slack section: see MergeSlackChannels in summarizer.cc).
summarizer::SummarizerConfig ToSummarizerConfig(const Config& c);

}  // namespace timelined::config
