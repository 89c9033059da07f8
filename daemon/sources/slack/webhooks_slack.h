#pragma once
// POST /webhooks/slack: the Slack Events API (PROTOCOLS.md §2).
//
// Not bearer-guarded: the request signature authenticates it. Per request:
//   1. [slack] signing_secret unset -> 404 {"error":"slack_not_configured"}.
//   2. X-Slack-Signature over "v0:{ts}:{raw body}" with signing_secret, else with
//      previous_signing_secret (rotation); timestamp within 5 minutes. Failure -> 401 JSON,
//      one warn line (reason and peer, never the body), and
//      timelined_webhook_signature_failures_total{source="slack",reason}.
//   3. ParseEventsApi: url_verification -> 200 {"challenge": ...}; app_rate_limited and
//      ignored types -> 200; malformed -> 400 with X-Slack-No-Retry: 1.
//   4. event_callback: a (team_id, event_id) seen durable in the last 15 minutes -> 200
//      at once (Slack's retries). Otherwise each event gets its incident (SlackBindings),
//      goes through the IngestPipeline, and the answer is 200 only once durable (503 +
//      Retry-After if not). The key is remembered only after durability, so a retry of a
//      delivery that failed is processed again; (channel, ts) duplicates collapse in the
//      store by event ID. A thread bound by its root message is then backfilled, and the
//      messages' authors go to SlackUserNames (their names, once stored, appear in drafts).
//
// Threads: Handle runs on the server's I/O threads and completes on a feed thread.
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "connectors/slack/message.h"
#include "daemon/config/slack.h"
#include "daemon/http/metrics.h"
#include "daemon/http/types.h"
#include "daemon/ingest/pipeline.h"
#include "daemon/sources/slack/slack_backfill_worker.h"
#include "daemon/sources/slack/slack_bindings.h"
#include "daemon/sources/slack/slack_user_names.h"
#include "store/model/time.h"

namespace timelined::daemon {

// A set of keys that forgets each key `ttl` after its insertion and holds at most
// `max_keys` (the oldest go first). Thread-safe.
class RecentKeys {
 public:
  RecentKeys(Nanos ttl, size_t max_keys) : ttl_(ttl), max_keys_(max_keys) {}
  bool Contains(const std::string& key, Nanos now);
  void Insert(const std::string& key, Nanos now);
  size_t size() const;

 private:
  void Expire(Nanos now);  // mu_ held

  const Nanos ttl_;
  const size_t max_keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Nanos> expires_;   // guarded by mu_
  std::deque<std::pair<Nanos, std::string>> order_;  // guarded by mu_; by insertion
};

inline constexpr Nanos kSlackDedupTtl = 15 * 60 * kNanosPerSecond;  // retries come within ~6 min
inline constexpr size_t kSlackDedupMaxKeys = 100'000;

class SlackWebhook {
 public:
  // `backfill` may be null (no bot token): threads are bound but not backfilled. `names` may
  // be null: authors keep their user ids.
  SlackWebhook(const config::SlackConfig& config, IngestPipeline& ingest, SlackBindings& bindings,
               SlackThreadBackfiller* backfill, SlackUserNames* names,
               http::MetricsRegistry& metrics, const Clock& clock);

  void Handle(http::Request& req, http::Respond respond);

  // The workspace of the last verified event_callback ("" before the first).
  std::string last_team() const;

 private:
  Result<void> Verify(const http::Request& req) const;
  void HandleCallback(std::string team, std::string dedup_key, std::vector<Event> events,
                      http::Respond respond);

  const config::SlackConfig& config_;
  connectors::slack::SlackOptions options_;
  IngestPipeline& ingest_;
  SlackBindings& bindings_;
  SlackThreadBackfiller* backfill_;
  SlackUserNames* names_;
  http::MetricsRegistry& metrics_;
  const Clock& clock_;
  RecentKeys seen_{kSlackDedupTtl, kSlackDedupMaxKeys};
  mutable std::mutex team_mu_;
  std::string last_team_;  // guarded by team_mu_
};

}  // namespace timelined::daemon
