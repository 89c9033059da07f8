#pragma once
// SlackUserNames: stores the name Slack shows for every author of a stored message, so a
// draft says "Alice Chen" where the Events API sent U0ALICE (issue 13, point 6). Built when
// [slack] bot_token is set and user_names is on.
//
// Want(team, AuthorsOf(events)) runs after messages are durable (the Events API webhook, the
// thread backfill): each human author of a message (attrs.user, or original_user of a
// deletion; bots carry their name already; reactions and pins are not messages) not settled
// since the daemon started is queued once. The worker looks the
// user's `slack.user` event up in the store first (after a restart nobody is fetched twice),
// else calls users.info (connectors/slack/users.h) and publishes the event through the
// IngestPipeline, redacted like any event. Drafts find it by its ID (summarizer/rules.h).
//
// Requests are paced 600 ms apart (users.info is Tier 4) and a 429 waits its Retry-After.
// Failures are logged once per user with Slack's error code (never the token or the body)
// and counted. One the token causes (invalid_auth, token_revoked, missing_scope …) turns
// lookups off until restart, logged once as an error; one about the user (user_not_found)
// settles that user until restart; a transient one (5xx, transport, store unavailable) is
// retried on the worker after 20 s and 40 s, then on the user's next message a minute on.
//
// Bounded: at most 10 000 users wait (more are dropped and counted) and 100 000 are
// remembered. Metrics: timelined_slack_user_names_total{outcome="fetched"|"stored_already"|
// "error"|"dropped",reason} and the gauge timelined_slack_user_names_queued.
//
// Threads: Want is safe from any thread (it only queues); one SerialWorker thread fetches,
// with the Slack client's retries and 429 Retry-After waits interrupted by Stop().
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connectors/common/http_client.h"
#include "connectors/slack/backfill.h"
#include "daemon/bounded_map.h"
#include "daemon/config/slack.h"
#include "daemon/http/metrics.h"
#include "daemon/ingest/pipeline.h"
#include "daemon/serial_worker.h"
#include "store/model/reader.h"

namespace timelined::daemon {

class SlackUserNames {
 public:
  // kInvalidInput when bot_token is empty or api_base_url is not a URL. `http` replaces the
  // Beast client (tests).
  static Result<std::unique_ptr<SlackUserNames>> Create(
      const config::SlackConfig& slack, const EventReader& store, IngestPipeline& ingest,
      http::MetricsRegistry& metrics, std::shared_ptr<connectors::HttpClient> http = nullptr);
  ~SlackUserNames();  // Stop()s

  // The human authors of Slack messages (attrs.user, or original_user of a deletion; not
  // bots, whose messages carry their name), sorted and unique.
  static std::vector<std::string> AuthorsOf(const std::vector<Event>& events);

  // Queues the users of workspace `team` not settled yet.
  void Want(const std::string& team, const std::vector<std::string>& users);

  // Interrupts waits, joins the worker (the lookup running finishes its request first) and
  // drops the queue. Idempotent.
  void Stop();

 private:
  struct Job {
    std::string team;
    std::string user;
  };
  SlackUserNames(const EventReader& store, IngestPipeline& ingest, http::MetricsRegistry& metrics);
  void Run(const Job& job);
  // One lookup: "stored_already" or "fetched", or why not.
  Result<std::string> LookUp(const Job& job);
  void Count(std::string_view outcome, std::string_view reason);
  void SetQueued(int delta);
  // Settles `key` for good (retry_at = 0) or until retry_at (ns since the epoch).
  void Settle(const std::string& key, Nanos retry_at);

  const EventReader& store_;
  IngestPipeline& ingest_;
  http::MetricsRegistry& metrics_;
  std::unique_ptr<connectors::slack::SlackBackfill> api_;  // worker thread only

  std::mutex mu_;
  // "<team>:<user>" -> 0 once queued, stored or refused for good; else when a retry may go.
  BoundedMap<std::string, Nanos> users_{100'000};  // guarded by mu_
  int queued_ = 0;                                 // guarded by mu_
  std::atomic<bool> disabled_{false};              // the token cannot read users: no more lookups

  SerialWorker<Job> worker_;  // last: stopped and joined before the rest goes
};

}  // namespace timelined::daemon
