#pragma once
// PagerDutyBackfillWorker: runs PagerDuty REST backfills (an incident's log entries plus the
// incident itself) on one worker thread and publishes the result through the IngestPipeline,
// so an incident whose webhooks were missed still gets its whole lifecycle and a current
// incidents row. Used by POST /v1/incidents/{id}/backfill and, with
// [pagerduty] backfill_on_resolve, after every durable incident.resolved.
//
// Threads: a SerialWorker (daemon/serial_worker.h). Enqueue is safe from any thread
// (including the store's writer thread, where the IncidentHooks callbacks run: it only
// queues). Jobs run one at a time on the worker thread, which also keeps requests serial per
// token as PagerDuty asks. `done` runs on the worker thread, or, for a job refused or
// dropped, on the thread calling Enqueue or Stop. Stop() interrupts retry sleeps, waits for
// the running job, then fails queued jobs with kUnavailable "stopping".
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "connectors/pagerduty/backfill.h"
#include "daemon/bounded_map.h"
#include "daemon/config/pagerduty.h"
#include "daemon/http/metrics.h"
#include "daemon/incident_hooks.h"
#include "daemon/ingest/pipeline.h"
#include "daemon/serial_worker.h"

namespace timelined::daemon {

struct BackfillReport {
  std::string incident_id;
  size_t fetched = 0;     // log entries mapped to events
  size_t inserted = 0;    // of those, newly stored
  size_t duplicates = 0;  // already known (e.g. seen by webhook retry or an earlier backfill)
  Incident incident;      // as the REST API returned it
};

class PagerDutyBackfillWorker {
 public:
  using Done = std::function<void(Result<BackfillReport>)>;

  // Fails when the REST client cannot be built (bad base URL, empty token).
  // `http` replaces the Beast client (tests).
  static Result<std::unique_ptr<PagerDutyBackfillWorker>> Create(
      const config::PagerDutyConfig& config, IngestPipeline& ingest, http::MetricsRegistry& metrics,
      std::shared_ptr<connectors::HttpClient> http = nullptr);
  ~PagerDutyBackfillWorker();  // Stop()s

  // Queues a backfill. `trigger` labels metrics and logs ("api", "resolve"). Fails `done`
  // at once with kExhausted when kMaxQueued jobs are waiting, kUnavailable after Stop().
  void Enqueue(std::string incident_id, std::string trigger, Done done);

  // Subscribes to `hooks`: a durable incident.resolved enqueues a backfill of its incident,
  // unless that event was itself published by a backfill (no loop).
  void BackfillOnResolve(IncidentHooks& hooks);

  void Stop();

  static constexpr size_t kMaxQueued = 256;

 private:
  struct Job {
    std::string incident_id;
    std::string trigger;
    Done done;
  };

  PagerDutyBackfillWorker(IngestPipeline& ingest, http::MetricsRegistry& metrics);
  void RunJob(Job& job);
  Result<BackfillReport> RunOne(const std::string& incident_id);
  void RememberPublished(const std::vector<Event>& events);
  bool PublishedByBackfill(const std::string& event_id);

  IngestPipeline& ingest_;
  http::MetricsRegistry& metrics_;
  std::unique_ptr<connectors::pagerduty::PagerDutyBackfill> client_;

  // IDs of events this worker published, so their resolve transitions do not re-trigger.
  static constexpr size_t kMaxRemembered = 100'000;
  std::mutex published_mu_;
  BoundedSet<std::string> published_{kMaxRemembered};  // guarded by published_mu_

  SerialWorker<Job> worker_;  // last: stopped and joined before the rest goes
};

}  // namespace timelined::daemon
