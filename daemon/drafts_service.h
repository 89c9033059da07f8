#pragma once
// DraftService: generates, stores and watches draft timelines inside the daemon.
//
// Triggers:
//   auto_close   IncidentHooks announces a durable incident.resolved: a draft is scheduled
//                `settle_delay` later. A later status transition of the incident (reopened,
//                acknowledged, triggered — occurring after the resolve) cancels it; when the
//                timer fires the incident is re-read and must still be resolved.
//   regenerate   Generate(..., "regenerate") from POST /v1/incidents/{id}/regenerate.
//   api          Generate(..., "api") (the CLI and tools).
// Staleness: OnEvidence (the writer thread, after every commit) checks each newly stored
// event against an in-memory index of the incidents whose drafts are fresh: named events by
// incident_id, scoped events by the incident's correlation patterns and window (a cheap
// time-window test first, so old incidents cost two comparisons). A match drops the incident
// from the index and queues MarkDraftsStale on the worker. An event arriving while a draft of
// its incident is being built marks the new draft stale as soon as it is saved (it may or may
// not have been included; stale errs on the side of "regenerate me"). Events whose seq is
// at most the store's committed seq when the build started are known to be in the draft's
// snapshot and never mark it stale (commit listeners can lag the commit).
//
// Threads: one worker thread owns building, saving, stale marking and notifying, so drafts
// are never built on the HTTP or writer threads and an incident's versions are assigned in
// queue order. Callbacks (`done`) run on the worker. Every public method is thread-safe.
//
// Notify: with notify_url set, after each saved draft the worker POSTs
//   {"incident_id","version","trigger","input_digest","location","markdown_location"}
// with headers X-Timelined-Timestamp (unix seconds) and, when notify_secret is set,
//   X-Timelined-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "\n" + body)>.
// Failures are logged and counted, never retried (the draft is stored either way).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "daemon/bounded_map.h"
#include "daemon/incident_hooks.h"
#include "store/draft_store.h"
#include "store/model/time.h"
#include "summarizer/config.h"

namespace timelined::connectors {
class HttpClient;
}

namespace timelined::daemon {

struct DraftServiceOptions {
  bool auto_draft = true;
  std::chrono::milliseconds settle_delay{120'000};
  std::string notify_url;  // "" = no notice
  std::string notify_secret;
  std::chrono::milliseconds notify_timeout{5'000};
};

// What a successful generation stored (also what an Idempotency-Key replay returns). The
// route renders it; the service knows nothing of HTTP.
struct DraftSaved {
  std::string incident_id;
  int version = 0;
  std::string trigger;
  std::string input_digest;
  size_t cited = 0;       // distinct events cited
  size_t correlated = 0;  // events correlated to the incident
};

// A reused Idempotency-Key names another incident.
inline constexpr Reason kIdempotencyKeyReused{"idempotency_key_reused", ErrorCode::kUnprocessable};

// "/v1/incidents/<id>/timeline.<format>?version=N" (format "json" or "md"): where a stored
// version is served, for the API's Location header and the draft notice.
std::string DraftPath(std::string_view incident_id, int version, std::string_view format);

struct DraftServiceStats {
  uint64_t drafts_built = 0;
  uint64_t build_failures = 0;
  uint64_t auto_scheduled = 0;
  uint64_t auto_cancelled = 0;
  uint64_t marked_stale = 0;
  uint64_t notify_failures = 0;
};

class DraftService {
 public:
  using Outcome = Result<DraftSaved>;
  using Done = std::function<void(const Outcome&)>;

  // `store` and `clock` outlive the service. `notify_client` may be null (notices then use
  // a BeastHttpClient created at Start when notify_url is set).
  DraftService(store::DraftStore& store, summarizer::SummarizerConfig config,
               DraftServiceOptions options, const Clock& clock,
               std::shared_ptr<connectors::HttpClient> notify_client = nullptr);
  ~DraftService();  // Stop()s
  DraftService(const DraftService&) = delete;
  DraftService& operator=(const DraftService&) = delete;

  // Subscribes to `hooks` (before traffic starts).
  void Attach(IncidentHooks& hooks);
  // Loads the fresh-draft index from the store and starts the worker.
  Result<void> Start();
  // Cancels pending auto drafts, finishes the job in progress, joins the worker. Queued
  // requests are answered 503. Idempotent.
  void Stop();

  // Queues a new version of the incident's draft; `done` runs on the worker. With a
  // non-empty `idempotency_key`, a key seen before (within 24 h, last 10 000 keys) is
  // answered with the first answer instead of building again; the same key for another
  // incident is answered kIdempotencyKeyReused. Errors: kNotFound (no such incident), kStopping,
  // kUnavailable/kExhausted (retry), kInternal.
  void Generate(std::string incident_id, std::string trigger, std::string idempotency_key,
                Done done);

  // The hooks (public so tests can drive them without a store commit).
  void OnTransition(const LifecycleTransition& t);
  void OnEvidence(const std::vector<Event>& inserted);

  // Called on the worker after each stored draft (tests, and a place for future notices).
  // Set before Start().
  void SetSavedListener(std::function<void(const std::string& incident_id, int version)> fn) {
    saved_listener_ = std::move(fn);
  }

  bool AutoDraftPending(const std::string& incident_id) const;
  DraftServiceStats Stats() const;
  const summarizer::SummarizerConfig& config() const { return config_; }

 private:
  struct Job {
    enum class Kind { kGenerate, kStale } kind = Kind::kGenerate;
    std::string incident_id;
    std::string trigger;
    std::string idempotency_key;
    Done done;
  };
  // An incident whose latest draft is fresh (or being built), with what correlates to it.
  struct Watched {
    std::vector<std::string> patterns;  // scopes and "slack/<C>" channel scopes
    Nanos from = 0, to = 0;             // scoped window; 0/0 = named events only
    int64_t seq = 0;        // events up to this seq were committed before the draft was read
    bool building = false;  // a draft is being built right now
    bool dirty = false;     // evidence arrived while building
  };
  struct Cached {
    std::string incident_id;
    Outcome outcome;
    Nanos at = 0;
  };

  void Run();
  void Enqueue(Job job);
  void RunGuardedJob(Job& job);  // RunJob; an exception answers 500 and is counted
  void RunJob(Job& job);
  Outcome Build(const std::string& incident_id, const std::string& trigger);
  void MarkStale(const std::string& incident_id);
  Result<Watched> WatchFor(const Incident& incident) const;
  bool Matches(const Watched& w, const Event& e, const std::string& incident_id) const;
  void Notify(const DraftSaved& d);
  std::optional<Outcome> CachedOutcome(const Job& job);
  void Remember(const Job& job, const Outcome& o);

  store::DraftStore& store_;
  const summarizer::SummarizerConfig config_;
  const DraftServiceOptions options_;
  const Clock& clock_;
  std::shared_ptr<connectors::HttpClient> notify_client_;
  std::function<void(const std::string&, int)> saved_listener_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;  // guarded by mu_
  // Pending auto drafts, by incident and by deadline (so the worker finds the next one in
  // O(log n), however many resolved incidents are settling).
  struct Due {
    std::chrono::steady_clock::time_point at;
    Nanos resolved_at = 0;  // the resolve that scheduled it
  };
  std::map<std::string, Due> due_;  // guarded by mu_
  std::set<std::pair<std::chrono::steady_clock::time_point, std::string>> due_by_time_;  // mu_
  bool running_ = false;     // guarded by mu_
  bool stopping_ = false;    // guarded by mu_
  DraftServiceStats stats_;  // guarded by mu_

  mutable std::mutex watch_mu_;
  std::map<std::string, Watched> watched_;  // guarded by watch_mu_

  // Worker thread only.
  static constexpr size_t kIdempotencyKeys = 10'000;
  BoundedMap<std::string, Cached> idempotency_{kIdempotencyKeys};

  std::thread worker_;
};

// The stored draft as served: the Markdown "Stale" header line and the JSON meta "stale"
// follow the row's stale flag (drafts are stored as generated, stale = false).
std::string ServedMarkdown(const store::StoredDraft& d);
std::string ServedJson(const store::StoredDraft& d);

// "v1=" + lower-case hex HMAC-SHA256(secret, message).
std::string SignV1(std::string_view secret, std::string_view message);

}  // namespace timelined::daemon
