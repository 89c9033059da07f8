#pragma once
// Summarizer configuration: which scopes belong to which PagerDuty service (correlation),
// which words make a Slack message salient, which Kubernetes reasons are deploys, and the
// limits that keep drafts bounded. Plain values; the daemon maps its TOML onto them.
//
// ConfigHash() is the SHA-256 of the canonical JSON of the whole configuration (keys
// sorted, no whitespace, durations in int64 ns): a draft records it so a reader can tell
// whether two drafts were generated under the same rules.
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/model/error.h"
#include "store/model/time.h"

namespace timelined::summarizer {

inline constexpr Nanos kMinute = 60 * kNanosPerSecond;

struct ServiceCorrelation {
  // Exact scopes ("log/payments/api") or prefixes ending in '/' ("k8s/payments/").
  std::vector<std::string> scopes;
  // Slack channel IDs ("C0PAY") or scopes ("slack/C0PAY"); both mean scope "slack/<C…>".
  std::vector<std::string> slack_channels;
  Nanos lookback = 30 * kMinute;  // before triggered_at
  Nanos grace = 10 * kMinute;     // after resolved_at (or now, while open)
};

struct CorrelationConfig {
  // Keyed by PagerDuty service id or service name; the id is looked up first.
  std::map<std::string, ServiceCorrelation> services;
  ServiceCorrelation defaults;  // for services not listed
  // Also correlate the events of the nodes that ran the service's pods in the window
  // (scope "k8s/node/<name>", reason "node:<name>").
  bool node_events = true;
};

struct SummarizerLimits {
  size_t quote_chars = 140;    // Slack quotes and representative texts, in code points
  size_t shown_citations = 3;  // per table row in Markdown; the rest behind "+N more"
  size_t max_groups = 500;     // distinct groups per rule; further ones share an overflow line
  Nanos contradiction_tolerance = kMinute;  // warnings this soon after resolve are not flagged
  // Markdown links every citation (and lists every member of a grouped line); by default a
  // long row links its first and last member and the JSON draft holds the rest (render.h).
  bool full_citations = false;
};

std::vector<std::string> DefaultSalientKeywords();
std::vector<std::string> DefaultMitigationKeywords();
std::vector<std::string> DefaultDeployReasons();
std::vector<std::string> DefaultIncludeReactions();  // pushpin
std::vector<std::string> DefaultExcludeReactions();  // no_entry_sign

// A default-constructed config has every list at its default and no services.
struct SummarizerConfig {
  CorrelationConfig correlation;
  // Case-insensitive, matched at the start of a word ("deploy" matches "deployed").
  std::vector<std::string> salient_keywords = DefaultSalientKeywords();
  // Slack reaction names (without colons) a responder adds to put a message in the timeline
  // whatever its text, or to keep it out (exclude wins over every other rule).
  std::vector<std::string> include_reactions = DefaultIncludeReactions();
  std::vector<std::string> exclude_reactions = DefaultExcludeReactions();
  // Used by the time-to-mitigate metric (Slack messages, PagerDuty notes/status updates).
  std::vector<std::string> mitigation_keywords = DefaultMitigationKeywords();
  // Kubernetes reasons shown as deploy/scale/restart lines (when not of type Warning).
  std::vector<std::string> deploy_reasons = DefaultDeployReasons();
  // Event kinds that count as a recovery signal for time to mitigate (default none).
  std::vector<std::string> recovery_kinds;
  SummarizerLimits limits;
};

// Canonical JSON form (also what SummarizerConfigFromJson reads).
nlohmann::json SummarizerConfigToJson(const SummarizerConfig& c);
// Reads the JSON form; missing keys keep their defaults. Never throws.
Result<SummarizerConfig> SummarizerConfigFromJson(const nlohmann::json& j);
// Lower-case hex SHA-256 of the canonical JSON.
std::string ConfigHash(const SummarizerConfig& c);

}  // namespace timelined::summarizer
