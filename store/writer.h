#pragma once
// Writer: the one thread that writes the event store, with group commit. Internal to
// timelined_store; SqliteEventStore is its public face.
//
// Submit() queues a batch under a mutex and wakes the thread. The thread takes every
// queued batch (up to max_batch_events; a batch is never split), applies them in one
// IMMEDIATE transaction, commits, then runs each batch's `done` and the commit listeners.
// The next transaction starts as soon as that ends, with whatever queued meanwhile, so
// batches group under load without a timer. On any failure the transaction is rolled
// back, the in-memory chain head is restored and every batch in it fails.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store/sqlite_store.h"
#include "store/sqlite_util.h"

namespace timelined::store {

class Writer {
 public:
  using Done = std::function<void(Result<WriteResult>)>;
  struct ChainHead {
    int64_t seq = 0;    // last seq written, 0 for an empty store
    std::string chain;  // its chain value, "" for an empty store
  };

  // Takes the configured, migrated write connection, prepares the statements and starts
  // the thread.
  static Result<std::unique_ptr<Writer>> Start(sql::Db db, ChainHead head, size_t max_batch_events,
                                               size_t queue_limit_events);
  ~Writer();  // Close()s
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // See SqliteEventStore::Submit. Validation is the caller's; this checks capacity only.
  void Submit(std::vector<Event> events, Done done);
  void AddCommitListener(CommitListener listener);
  // Stops accepting, drains the queue, joins the thread, closes the connection.
  // Idempotent. From the writer thread itself (a callback) it only stops accepting.
  void Close();

  StoreStats Stats() const;
  // The last seq whose transaction has committed.
  int64_t CommittedSeq() const { return committed_seq_.load(std::memory_order_acquire); }

 private:
  // What the writer needs beyond the event, serialized on the submitting thread so the
  // single writer thread spends its time in SQLite and SHA-256, not in JSON.
  struct Encoded {
    std::string canonical;  // CanonicalJson(e): what the chain hashes
    std::string attrs;      // rows::AttrsText(e): what the attrs column holds
  };
  struct Pending {
    std::vector<Event> events;
    std::vector<Encoded> encoded;  // parallel to events
    Done done;
  };
  struct Applied {
    std::vector<WriteResult> results;  // one per Pending
    std::vector<Event> inserted;       // in chain order, seq and chain set
  };
  using Listeners = std::vector<CommitListener>;

  Writer(sql::Db db, ChainHead head, size_t max_batch_events, size_t queue_limit_events);
  void Run();
  void Commit(std::vector<Pending>& batch, size_t events, const Listeners& listeners);
  Result<Applied> Apply(std::vector<Pending>& batch);
  Result<void> ReloadHead();
  Result<bool> InsertOne(Event& e, const Encoded& encoded);
  Result<void> UpsertIncident(const Event& e);
  void Record(size_t events, const Applied* applied, double seconds);

  sql::Db db_;
  sql::Stmt insert_, get_incident_, put_incident_;
  ChainHead head_;                       // writer thread only
  std::optional<sql::Stmt> head_query_;  // writer thread only: re-reads the chain head
  std::string chain_input_;  // writer thread only: reused buffer for the chain hash input
  // Writer thread only: the incidents rows as this writer last wrote them, so a PagerDuty
  // event's upsert skips the SELECT. Only the writers of this file write incidents, always
  // with an event: it is dropped when another writer's events appear (ReloadHead), when a
  // transaction rolls back, and when it reaches kIncidentCacheSize.
  std::unordered_map<std::string, Incident> incident_cache_;
  const size_t max_batch_events_;
  const size_t queue_limit_events_;
  std::atomic<int64_t> committed_seq_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;                   // guarded by mu_
  size_t queued_events_ = 0;                    // guarded by mu_
  bool accepting_ = true;                       // guarded by mu_
  std::shared_ptr<const Listeners> listeners_;  // guarded by mu_; copied on write

  mutable std::mutex stats_mu_;
  StoreStats stats_;  // guarded by stats_mu_; buckets not cumulative

  std::once_flag joined_;
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace timelined::store
