#pragma once
// SqliteEventStore: the append-only, hash-chained evidence store.
//
// Threads: one writer thread owns the write connection and applies submitted batches with
// group commit: everything pending when a transaction starts goes into it, and the next
// transaction starts as soon as the previous commit ends (no fixed timer). Readers use
// their own connections from a small pool; every const method is safe from any thread.
//
// Idempotency: inserting an event whose id exists is a no-op (no chain link, not counted
// as inserted). Chain: each inserted event gets seq = previous seq + 1 and
// chain = ChainHash(previous chain, event), in commit order.
//
// Incidents: when a PagerDuty event carrying attrs["incident"] (see IncidentFromEvent) is
// inserted, the incidents row is merged in the same transaction (MergeIncident).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/binding_store.h"
#include "store/draft_store.h"
#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/reader.h"

namespace timelined::store {

class ReaderPool;

struct StoreOptions {
  std::string path;                     // SQLite file; ":memory:" is not supported (readers)
  int cache_mib = 64;                   // page cache per connection
  size_t max_batch_events = 10'000;     // per transaction at most (a bigger Submit goes alone)
  size_t queue_limit_events = 200'000;  // Submit fails with kExhausted beyond this
  int reader_connections = 4;
  bool synchronous_full = false;  // WAL + NORMAL is durable across process crashes
  int busy_timeout_ms = 5000;     // wait on another process's lock, then kUnavailable
  // WAL checkpoints run on a background thread once the WAL holds this many pages
  // (4 KiB each: 16384 = 64 MiB), and inline on the writer only past the hard limit.
  int64_t checkpoint_wal_pages = 16384;
  int64_t checkpoint_hard_limit_pages = 4 * 16384;
};

struct WriteResult {
  size_t inserted = 0;
  size_t duplicates = 0;
  std::vector<std::string> inserted_ids;  // in chain order
};

struct StoreStats {
  uint64_t events_inserted = 0;
  uint64_t events_duplicate = 0;
  uint64_t transactions = 0;
  uint64_t commit_failures = 0;
  uint64_t queue_depth = 0;
  // Histograms as cumulative bucket counts; bounds below.
  std::vector<uint64_t> batch_size_buckets;      // le: 1,10,100,1000,10000,+Inf
  std::vector<uint64_t> commit_latency_buckets;  // le seconds: .001,.005,.01,.05,.1,.5,1,+Inf
  double commit_latency_sum_seconds = 0;
  uint64_t batch_size_sum = 0;
  // WAL checkpoints (see store/checkpointer.h).
  uint64_t checkpoints_background = 0;  // on the checkpoint thread
  uint64_t checkpoints_tail = 0;        // on the writer: the short tail after a pass
  uint64_t checkpoints_hard_limit = 0;  // on the writer: the background passes fell behind
  uint64_t checkpoint_failures = 0;
  double checkpoint_background_seconds = 0;
  double checkpoint_writer_seconds = 0;  // time the writer spent checkpointing
  uint64_t wal_pages = 0;                // as of the last commit
};
inline constexpr double kBatchSizeBounds[] = {1, 10, 100, 1000, 10000};
inline constexpr double kCommitLatencyBounds[] = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1};

struct ChainReport {
  uint64_t events_checked = 0;
  bool ok = true;
  int64_t first_bad_seq = 0;  // 0 when ok
  std::string first_bad_id;
  std::string reason;  // "chain mismatch", "seq gap", ...
};

// Called on the writer thread after each commit with the events that were new.
// Must be quick; hand heavy work to another thread.
using CommitListener = std::function<void(const std::vector<Event>& inserted)>;

class SqliteEventStore final : public DraftStore, public BindingStore {
 public:
  // Opens or creates the file, applies pending migrations, starts the writer.
  static Result<std::unique_ptr<SqliteEventStore>> Open(const StoreOptions& options);
  ~SqliteEventStore() override;  // Close()s

  // Queues events for the writer. `done` runs on the writer thread after the transaction
  // holding them committed (or failed). Fails fast with kInvalidInput when any event fails
  // ValidateEvent (nothing of the batch is written), with kExhausted when the queue is full
  // and with kUnavailable after Close(); a fast failure runs `done` on the calling thread
  // before Submit returns. A batch is never split across transactions. Also serializes the
  // events (canonical JSON) on the calling thread, keeping that work off the writer.
  void Submit(std::vector<Event> events, std::function<void(Result<WriteResult>)> done);
  Result<WriteResult> SubmitAndWait(std::vector<Event> events);

  void AddCommitListener(CommitListener listener);  // before traffic starts

  // Stops accepting, commits everything queued, stops the writer. Idempotent.
  void Close();

  // EventReader, on a pooled read-only connection (blocks while all are taken: do not nest
  // more queries inside a ForEachEvent callback than reader_connections). ForEachEvent takes
  // at most one of incident_id, scope and scope_prefix (two are kInvalidInput); none means
  // every event in the time window.
  Result<std::optional<Event>> GetEvent(const std::string& id) const override;
  Result<void> ForEachEvent(const EventQuery& q,
                            const std::function<bool(const Event&)>& fn) const override;
  Result<std::optional<Incident>> GetIncident(const std::string& id) const override;
  Result<std::vector<Incident>> ListIncidents(size_t limit) const;
  Result<uint64_t> CountEvents() const;

  // Walks the whole chain in seq order and recomputes every link. Reasons: "chain mismatch"
  // (a row was edited), "seq gap" (a row was deleted; first_bad_seq is the missing seq),
  // "tail truncated" (rows this process committed are missing at the end).
  Result<ChainReport> VerifyChain() const;

  // DraftStore (store/draft_store.h; drafts.cc).
  Result<void> SaveDraft(const StoredDraft& d) override;
  Result<std::optional<StoredDraft>> GetDraft(const std::string& incident_id,
                                              int version) const override;
  Result<std::vector<StoredDraft>> ListDrafts(const std::string& incident_id) const override;
  Result<int> LatestDraftVersion(const std::string& incident_id) const override;
  Result<int> MarkDraftsStale(const std::string& incident_id) override;
  Result<std::vector<std::string>> IncidentsWithFreshDrafts() const override;
  int64_t CommittedSeq() const override;

  StoreStats Stats() const;
  int SchemaVersion() const;
  const std::string& path() const;

  // BindingStore (store/binding_store.h; bindings.cc).
  using BindingWrite = store::BindingWrite;
  Result<BindingWrite> AddBinding(const Binding& b, std::string_view actor,
                                  int busy_timeout_ms) override;
  Result<std::vector<Binding>> GetBindings(const std::string& incident_id) const override;
  Result<std::vector<Binding>> ListBindings() const override;
  Result<std::optional<Incident>> FindIncidentByNumber(int64_t number) const override;
  Result<std::optional<Incident>> FindOpenIncidentOfService(
      const std::string& service) const override;

 private:
  const ReaderPool& readers() const;  // for the methods defined in other files
  struct Impl;
  explicit SqliteEventStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace timelined::store
