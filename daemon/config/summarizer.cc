#include "daemon/config/summarizer.h"

#include "daemon/config/config.h"
#include "daemon/config/section_keys.h"
#include "summarizer/config.h"

namespace timelined::config {
namespace {

using keys::KeySpec;
using keys::Where;
using Sm = SummarizerSettings;

std::string CheckUrl(std::string_view url) {
  if (url.empty()) return "";
  return url.starts_with("http://") || url.starts_with("https://")
             ? ""
             : "must be an http:// or https:// URL";
}

std::vector<KeySpec<SummarizerService>> ServiceKeys() {
  using E = SummarizerService;
  return {
      keys::StringKey<E>(
          "service", [](E& e) -> std::string& { return e.service; },
          "PagerDuty service id (looked up first) or service name.", {},
          [](std::string_view s) { return s.empty() ? std::string("must not be empty") : ""; },
          /*required=*/true),
      keys::StringListKey<E>(
          "scopes", [](E& e, const std::vector<std::string>& v) { e.scopes = v; }, {},
          "Event scopes of the service: exact (\"log/payments/api\") or a prefix ending in '/' "
          "(\"k8s/payments/\")."),
      keys::StringListKey<E>(
          "slack_channels", [](E& e, const std::vector<std::string>& v) { e.slack_channels = v; },
          {}, "Slack channel IDs (\"C0PAY\") whose messages belong to the service's incidents."),
      keys::IntKey<E>(
          "lookback_minutes", [](E& e) -> int& { return e.lookback_minutes; }, -1, 10'080,
          "Scoped events this long before the trigger are correlated (-1: the default)."),
      keys::IntKey<E>(
          "grace_minutes", [](E& e) -> int& { return e.grace_minutes; }, -1, 10'080,
          "Scoped events this long after the resolve are correlated (-1: the default)."),
  };
}

Result<void> AddService(Config& c, SummarizerService&& s, const Where& w) {
  for (const auto& existing : c.summarizer.services) {
    if (existing.service == s.service) {
      return keys::KeyError(w, "service '" + s.service + "' is listed twice");
    }
  }
  if (s.scopes.empty() && s.slack_channels.empty()) {
    return keys::KeyError(w, "give at least one of scopes and slack_channels");
  }
  c.summarizer.services.push_back(std::move(s));
  return {};
}

Nanos Minutes(int m) { return static_cast<Nanos>(m) * summarizer::kMinute; }

// [[slack.channels]]: a service's incident channel correlates with its incidents.
void MergeSlackChannels(const Config& c, summarizer::CorrelationConfig& correlation) {
  AddSlackChannelsTo(correlation, c.slack);
}

}  // namespace

std::vector<keys::KeySpec<Config>> SummarizerKeys() {
  using C = Config;
  return {
      keys::BoolKey<C>("summarizer.auto_draft", Field(&C::summarizer, &Sm::auto_draft),
                       "Generate a draft automatically when PagerDuty resolves an incident."),
      keys::IntKey<C>("summarizer.settle_delay_ms", Field(&C::summarizer, &Sm::settle_delay_ms), 0,
                      86'400'000,
                      "Wait this long after incident.resolved before the automatic draft, so "
                      "late evidence lands first; a reopen meanwhile cancels it."),
      keys::SecretKey<C>(
          "summarizer.regenerate_secret",
          [](C& c, const std::string& v) { c.summarizer.regenerate_secret = v; },
          "HMAC-SHA256 key for signed POST /v1/incidents/{id}/regenerate requests "
          "(X-Timelined-Timestamp + X-Timelined-Signature + Idempotency-Key). Unset: only "
          "bearer tokens with scope regenerate."),
      keys::IntKey<C>("summarizer.max_clock_skew_s", Field(&C::summarizer, &Sm::max_clock_skew_s),
                      1, 3600,
                      "Signed requests whose timestamp is further than this from now are "
                      "refused (replay window)."),
      keys::StringKey<C>("summarizer.notify_url", Field(&C::summarizer, &Sm::notify_url),
                         "If set, a JSON notice is POSTed here when a draft is ready.", {},
                         CheckUrl),
      keys::SecretKey<C>(
          "summarizer.notify_secret",
          [](C& c, const std::string& v) { c.summarizer.notify_secret = v; },
          "HMAC-SHA256 key signing the notify POST (same headers as regenerate)."),
      keys::IntKey<C>("summarizer.notify_timeout_ms", Field(&C::summarizer, &Sm::notify_timeout_ms),
                      100, 60'000, "Time allowed to the notify POST."),
      keys::IntKey<C>("summarizer.default_lookback_minutes",
                      Field(&C::summarizer, &Sm::default_lookback_minutes), 0, 10'080,
                      "Scoped events this long before the trigger are correlated."),
      keys::IntKey<C>("summarizer.default_grace_minutes",
                      Field(&C::summarizer, &Sm::default_grace_minutes), 0, 10'080,
                      "Scoped events this long after the resolve are correlated."),
      keys::StringKey<C>(
          "summarizer.markdown_citations", Field(&C::summarizer, &Sm::markdown_citations),
          "compact: a long Markdown row links its first and last cited event and the JSON "
          "draft holds every citation (a 10 000-event incident stays under 200 KB); full: "
          "every citation is linked and listed under Source events.",
          {"compact", "full"}),
      keys::BoolKey<C>("summarizer.node_events", Field(&C::summarizer, &Sm::node_events),
                       "Also correlate the events of the Kubernetes nodes that ran the "
                       "service's pods in the window (NodeNotReady, system OOM, evictions)."),
      keys::StringListKey<C>(
          "summarizer.default_scopes",
          [](C& c, const std::vector<std::string>& v) { c.summarizer.default_scopes = v; }, {},
          "Scopes correlated for incidents of services not listed in [[summarizer.services]]."),
      keys::StringListKey<C>(
          "summarizer.salient_keywords",
          [](C& c, const std::vector<std::string>& v) { c.summarizer.salient_keywords = v; }, {},
          "Words that make a Slack message salient (replaces the built-in list)."),
      keys::StringListKey<C>(
          "summarizer.mitigation_keywords",
          [](C& c, const std::vector<std::string>& v) { c.summarizer.mitigation_keywords = v; }, {},
          "Words that mark a mitigation, for time to mitigate (replaces the built-in list)."),
      keys::StringListKey<C>(
          "summarizer.include_reactions",
          [](C& c, const std::vector<std::string>& v) { c.summarizer.include_reactions = v; }, {},
          "Slack reactions (names without colons) that put a message in the timeline "
          "(default [\"pushpin\"])."),
      keys::StringListKey<C>(
          "summarizer.exclude_reactions",
          [](C& c, const std::vector<std::string>& v) { c.summarizer.exclude_reactions = v; }, {},
          "Slack reactions that keep a message out of the timeline, over every other rule "
          "(default [\"no_entry_sign\"])."),
      keys::TableArrayKey<C, SummarizerService>(
          "summarizer.services", "Correlation per PagerDuty service.", ServiceKeys(), AddService),
  };
}

Result<void> ValidateSummarizer(const Config& c) {
  // A short HMAC key can be guessed offline from one captured signed request.
  constexpr size_t kMinSecret = 16;
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string&>{"regenerate_secret",
                                                   c.summarizer.regenerate_secret},
        std::pair<const char*, const std::string&>{"notify_secret", c.summarizer.notify_secret}}) {
    if (!value.empty() && value.size() < kMinSecret) {
      return MakeError(ErrorCode::kInvalidInput, "invalid_config",
                       std::string("summarizer.") + name + " must be at least 16 characters");
    }
  }
  return {};
}

summarizer::SummarizerConfig ToSummarizerConfig(const Config& c) {
  const SummarizerSettings& s = c.summarizer;
  summarizer::SummarizerConfig out;
  auto& corr = out.correlation;
  corr.defaults.scopes = s.default_scopes;
  corr.defaults.lookback = Minutes(s.default_lookback_minutes);
  corr.defaults.grace = Minutes(s.default_grace_minutes);
  corr.node_events = s.node_events;
  out.limits.full_citations = s.markdown_citations == "full";
  for (const SummarizerService& svc : s.services) {
    summarizer::ServiceCorrelation sc;
    sc.scopes = svc.scopes;
    sc.slack_channels = svc.slack_channels;
    sc.lookback =
        Minutes(svc.lookback_minutes >= 0 ? svc.lookback_minutes : s.default_lookback_minutes);
    sc.grace = Minutes(svc.grace_minutes >= 0 ? svc.grace_minutes : s.default_grace_minutes);
    corr.services[svc.service] = std::move(sc);
  }
  MergeSlackChannels(c, corr);
  if (s.salient_keywords) out.salient_keywords = *s.salient_keywords;
  if (s.mitigation_keywords) out.mitigation_keywords = *s.mitigation_keywords;
  if (s.include_reactions) out.include_reactions = *s.include_reactions;
  if (s.exclude_reactions) out.exclude_reactions = *s.exclude_reactions;
  return out;
}

}  // namespace timelined::config
