#pragma once
// SlackThreadBackfiller: when a thread gets bound to an incident, fetches the whole thread
// with conversations.replies (connectors/slack/backfill.h) and publishes it through the
// IngestPipeline with the incident's id, so replies posted before the binding (or whose
// webhooks were missed) are not lost. Messages already stored stay as they are (the store
// is idempotent); correlation takes them in through the binding.
//
// Threads: a SerialWorker (daemon/serial_worker.h) runs the jobs in order (Slack
// rate-limits this method per app and workspace, so serial is what the budget allows
// anyway); Enqueue is safe from any thread. Retry delays (429 Retry-After, backoff) are the
// worker's Sleep, which Stop() interrupts. Failures (ok:false, HTTP errors) are logged once per job
// with the Slack error code and counted in timelined_slack_backfill_total{outcome="error",reason}.
//
// Progress: every thread's latest backfill has a BackfillStatus (queued, running with pages and
// messages so far and when the next request is due, done, failed with the reason), kept in
// memory for the last 10 000 threads and shown by GET /v1/incidents/{id}/bindings. Gauges
// timelined_slack_backfill_jobs{state} count the queued and running jobs. A restart forgets
// queued jobs and statuses (the binding stays): POSTing the binding again backfills it.
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "connectors/common/http_client.h"
#include "connectors/slack/backfill.h"
#include "daemon/bounded_map.h"
#include "daemon/config/slack.h"
#include "daemon/http/metrics.h"
#include "daemon/ingest/pipeline.h"
#include "daemon/serial_worker.h"
#include "daemon/sources/slack/slack_user_names.h"
#include "store/model/error.h"

namespace timelined::daemon {

struct BackfillJob {
  std::string team;  // workspace (T…): part of every message's event ID
  std::string channel;
  std::string thread_ts;
  std::string incident_id;  // set on every fetched message
};

struct BackfillOutcome {
  size_t fetched = 0;  // messages mapped from the thread
  size_t inserted = 0;
  size_t duplicates = 0;
};

using BackfillDone = std::function<void(Result<BackfillOutcome>)>;

// Where a thread's latest backfill is. Times are wall-clock nanoseconds, 0 for not yet.
struct BackfillStatus {
  std::string state;  // "queued" | "running" | "done" | "failed"
  Nanos queued_at = 0;
  Nanos started_at = 0;
  Nanos finished_at = 0;
  Nanos next_request_at = 0;  // running: paced or retried, the next request waits until then
  int pending = 0;            // jobs of this thread queued and not started
  int pages = 0;              // conversations.replies pages fetched so far
  size_t fetched = 0;         // messages mapped so far
  size_t inserted = 0;        // done: new events
  size_t duplicates = 0;      // done: events stored already
  std::string error;          // failed: the Slack error code or the daemon's reason
  std::string detail;
};

class SlackThreadBackfiller {
 public:
  // kInvalidInput when slack.bot_token is empty or api_base_url is not a URL. `http`
  // replaces the Beast client (tests).
  // `names` (may be null) is told the authors of every backfilled thread.
  static Result<std::unique_ptr<SlackThreadBackfiller>> Create(
      const config::SlackConfig& slack, IngestPipeline& ingest, http::MetricsRegistry& metrics,
      SlackUserNames* names = nullptr, std::shared_ptr<connectors::HttpClient> http = nullptr);
  ~SlackThreadBackfiller();  // Stop()s

  // Queues a job; `done` (may be empty) runs once on the worker thread with the outcome,
  // or on the calling thread with kUnavailable "stopping" after Stop().
  void Enqueue(BackfillJob job, BackfillDone done);

  // The latest backfill of thread `channel:thread_ts` since the daemon started, if any.
  std::optional<BackfillStatus> Status(const std::string& thread_key) const;

  // Interrupts retry waits, joins the worker (the job running finishes its current request
  // first), then fails queued jobs with kUnavailable "stopping". Idempotent.
  void Stop();

 private:
  struct Queued {
    BackfillJob job;
    BackfillDone done;
  };
  SlackThreadBackfiller(IngestPipeline& ingest, http::MetricsRegistry& metrics);
  Result<BackfillOutcome> RunJob(const BackfillJob& job);
  // Applies `change` to the status of `key` (creating it).
  void Update(const std::string& key, const std::function<void(BackfillStatus&)>& change);
  void CountJobs(int queued, int running);    // adds to the job counts; sets the gauges
  void Waiting(std::chrono::milliseconds d);  // the sleeper: marks the running job, then sleeps

  IngestPipeline& ingest_;
  http::MetricsRegistry& metrics_;
  SlackUserNames* names_ = nullptr;
  std::unique_ptr<connectors::slack::SlackBackfill> backfill_;  // worker thread only
  std::string running_key_;                                     // worker thread only

  mutable std::mutex mu_;
  BoundedMap<std::string, BackfillStatus> statuses_{10'000};  // guarded by mu_
  int queued_ = 0;                                            // guarded by mu_
  int running_ = 0;                                           // guarded by mu_

  SerialWorker<Queued> worker_;  // last: stopped and joined before the rest goes
};

}  // namespace timelined::daemon
