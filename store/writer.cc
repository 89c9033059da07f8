#include "store/writer.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

#include "store/log.h"
#include "store/model/hash.h"
#include "store/rows.h"

namespace timelined::store {
namespace {

// Incidents rows kept by the writer (see incident_cache_): a few MiB at most.
constexpr size_t kIncidentCacheSize = 4096;

// Histogram slot for `v` given the finite upper bounds; the last slot is +Inf.
template <size_t N>
size_t Bucket(const double (&bounds)[N], double v) {
  return static_cast<size_t>(std::lower_bound(bounds, bounds + N, v) - bounds);
}

std::vector<uint64_t> Cumulative(std::vector<uint64_t> counts) {
  for (size_t i = 1; i < counts.size(); ++i) counts[i] += counts[i - 1];
  return counts;
}

}  // namespace

Writer::Writer(sql::Db db, ChainHead head, size_t max_batch_events, size_t queue_limit_events)
    : db_(std::move(db)),
      head_(std::move(head)),
      max_batch_events_(std::max<size_t>(1, max_batch_events)),
      queue_limit_events_(queue_limit_events),
      committed_seq_(head_.seq),
      listeners_(std::make_shared<const Listeners>()) {
  stats_.batch_size_buckets.assign(std::size(kBatchSizeBounds) + 1, 0);
  stats_.commit_latency_buckets.assign(std::size(kCommitLatencyBounds) + 1, 0);
}

Result<std::unique_ptr<Writer>> Writer::Start(sql::Db db, ChainHead head, size_t max_batch_events,
                                              size_t queue_limit_events) {
  std::unique_ptr<Writer> w(
      new Writer(std::move(db), std::move(head), max_batch_events, queue_limit_events));
  auto prepare = [&](sql::Stmt& st, std::string_view text) -> Result<void> {
    auto p = sql::Stmt::Prepare(w->db_.get(), text);
    if (!p) return std::unexpected(p.error());
    st = std::move(*p);
    return {};
  };
  const std::string get_incident =
      "SELECT " + std::string(rows::kIncidentColumns) + " FROM incidents WHERE id = ?";
  if (auto r = prepare(w->insert_, rows::kInsertEvent); !r) return std::unexpected(r.error());
  if (auto r = prepare(w->get_incident_, get_incident); !r) return std::unexpected(r.error());
  if (auto r = prepare(w->put_incident_, rows::kUpsertIncident); !r) {
    return std::unexpected(r.error());
  }
  w->thread_ = std::thread([p = w.get()] { p->Run(); });
  // Named before Open() returns, for top, perf and gdb (and the bench, which looks it up).
  pthread_setname_np(w->thread_.native_handle(), "store-writer");
  return w;
}

Writer::~Writer() { Close(); }

void Writer::Submit(std::vector<Event> events, Done done) {
  std::vector<Encoded> encoded;
  encoded.reserve(events.size());
  for (const Event& e : events) {
    std::string attrs = rows::AttrsText(e);
    std::string canonical = CanonicalJson(e, attrs);
    encoded.push_back({std::move(canonical), std::move(attrs)});
  }
  std::unique_lock lock(mu_);
  if (!accepting_) {
    lock.unlock();
    done(MakeError(ErrorCode::kUnavailable, "store_closed", "the event store is closed"));
    return;
  }
  if (events.size() > queue_limit_events_ - std::min(queued_events_, queue_limit_events_)) {
    lock.unlock();
    done(MakeError(ErrorCode::kExhausted, "store_queue_full",
                   "the store writer queue is full; retry later"));
    return;
  }
  // The writer only waits on an empty queue, so only the first batch needs to wake it.
  const bool wake = queue_.empty();
  queued_events_ += events.size();
  queue_.push_back(Pending{std::move(events), std::move(encoded), std::move(done)});
  lock.unlock();
  if (wake) cv_.notify_one();
}

void Writer::AddCommitListener(CommitListener listener) {
  std::lock_guard lock(mu_);
  auto next = std::make_shared<Listeners>(*listeners_);
  next->push_back(std::move(listener));
  listeners_ = std::move(next);
}

void Writer::Close() {
  {
    std::lock_guard lock(mu_);
    accepting_ = false;
  }
  cv_.notify_all();
  if (std::this_thread::get_id() == thread_.get_id()) return;  // joined by ~Writer
  std::call_once(joined_, [this] {
    if (thread_.joinable()) thread_.join();
    // Statements first: the connection closes only once they are finalized.
    insert_ = {};
    get_incident_ = {};
    put_incident_ = {};
    db_ = {};
  });
}

void Writer::Run() {
  for (;;) {
    std::vector<Pending> batch;
    size_t events = 0;
    std::shared_ptr<const Listeners> listeners;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty() || !accepting_; });
      if (queue_.empty()) return;  // closed and drained
      // Everything pending goes into this transaction, up to the batch bound; a Submit is
      // never split, so its `done` reports one transaction.
      while (!queue_.empty() &&
             (batch.empty() || events + queue_.front().events.size() <= max_batch_events_)) {
        events += queue_.front().events.size();
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_events_ -= events;
      listeners = listeners_;
    }
    Commit(batch, events, *listeners);
  }
}

void Writer::Commit(std::vector<Pending>& batch, size_t events, const Listeners& listeners) {
  Result<Applied> applied = Applied{std::vector<WriteResult>(batch.size()), {}};
  if (events > 0) {
    const auto t0 = std::chrono::steady_clock::now();
    applied = Apply(batch);
    Record(events, applied ? &*applied : nullptr,
           std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (!applied) {
    Log().error("[op=commit] transaction of {} events in {} batches failed: {} ({})", events,
                batch.size(), applied.error().message, applied.error().detail);
    for (auto& p : batch) p.done(std::unexpected(applied.error()));
    return;
  }
  for (size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(applied->results[i]));
  if (!applied->inserted.empty()) {
    for (const auto& listener : listeners) listener(applied->inserted);
  }
}

Result<Writer::Applied> Writer::Apply(std::vector<Pending>& batch) {
  const ChainHead saved = head_;
  auto fail = [&](Error e) -> Result<Applied> {
    // A failed ROLLBACK leaves nothing to do; the error reported is the one that caused it.
    if (sqlite3_get_autocommit(db_.get()) == 0) (void)db_.Exec("ROLLBACK");
    head_ = saved;
    incident_cache_.clear();  // it may hold rows of the rolled-back transaction
    return std::unexpected(std::move(e));
  };
  if (auto r = db_.Exec("BEGIN IMMEDIATE"); !r) return fail(r.error());
  // Another process (`timelined import`, a second store instance on the same file) may have
  // appended since our last commit: re-read the head under the write lock so the chain
  // never forks. A primary-key probe, cheap next to the inserts.
  if (auto r = ReloadHead(); !r) return fail(r.error());
  Applied out;
  out.results.resize(batch.size());
  try {
    for (size_t i = 0; i < batch.size(); ++i) {
      WriteResult& result = out.results[i];
      Pending& p = batch[i];
      for (size_t j = 0; j < p.events.size(); ++j) {
        Event& e = p.events[j];
        auto inserted = InsertOne(e, p.encoded[j]);
        if (!inserted) return fail(inserted.error());
        if (!*inserted) {
          ++result.duplicates;
          continue;
        }
        ++result.inserted;
        result.inserted_ids.push_back(e.id);
        if (auto r = UpsertIncident(e); !r) return fail(r.error());
      }
    }
  } catch (const std::exception& ex) {
    // Nothing on this path should throw; if it does, lose the transaction, not the thread.
    return fail(Error{ErrorCode::kInternal, "store_exception", ex.what()});
  }
  if (auto r = db_.Exec("COMMIT"); !r) return fail(r.error());
  committed_seq_.store(head_.seq, std::memory_order_release);
  out.inserted.reserve(static_cast<size_t>(head_.seq - saved.seq));
  for (auto& p : batch) {
    for (Event& e : p.events) {
      if (e.seq != 0) out.inserted.push_back(std::move(e));
    }
  }
  return out;
}

Result<void> Writer::ReloadHead() {
  if (!head_query_) {
    auto st =
        sql::Stmt::Prepare(db_.get(), "SELECT seq, chain FROM events ORDER BY seq DESC LIMIT 1");
    if (!st) return std::unexpected(st.error());
    head_query_.emplace(std::move(*st));
  }
  sql::StmtResetter reset(*head_query_);
  const int rc = head_query_->Step();
  if (rc == SQLITE_DONE && head_.seq == 0) return {};
  if (rc != SQLITE_ROW) {
    if (rc == SQLITE_DONE) {
      return std::unexpected(
          Error{ErrorCode::kInternal, "chain_head_moved_back",
                "the events table is empty but this writer has written; run verify-store"});
    }
    return std::unexpected(sql::SqliteError(db_.get(), rc, "chain_head"));
  }
  ChainHead db_head{head_query_->ColumnInt(0), std::string(head_query_->ColumnText(1))};
  // Only a forward extension by another writer is adopted; a head that went backwards or
  // changed in place means rows were deleted or rewritten: refuse to link onto it.
  if (db_head.seq < head_.seq || (db_head.seq == head_.seq && db_head.chain != head_.chain)) {
    return std::unexpected(
        Error{ErrorCode::kInternal, "chain_head_moved_back",
              "the stored chain head is behind this writer's; run verify-store"});
  }
  // Another writer appended: it may have updated incidents too.
  if (db_head.seq != head_.seq) incident_cache_.clear();
  head_ = std::move(db_head);
  return {};
}

Result<bool> Writer::InsertOne(Event& e, const Encoded& encoded) {
  // seq and chain are the store's to assign, whatever the caller left in them.
  e.seq = 0;
  e.chain.clear();
  const int64_t seq = head_.seq + 1;
  // ChainHash(head_.chain, e) as event.h defines it, from the canonical JSON made earlier.
  chain_input_.assign(head_.chain);
  chain_input_.append(encoded.canonical);
  std::string chain = Sha256Hex(chain_input_);
  rows::BindEvent(insert_, e, seq, chain, encoded.attrs);
  const int rc = insert_.Step();
  insert_.Reset();
  if (rc != SQLITE_DONE) return std::unexpected(sql::SqliteError(db_.get(), rc, "event_insert"));
  // ON CONFLICT(id) DO NOTHING: no change means the id was already stored, possibly
  // earlier in this same transaction.
  if (sqlite3_changes(db_.get()) == 0) return false;
  e.seq = seq;
  e.chain = std::move(chain);
  head_.seq = seq;
  head_.chain = e.chain;
  return true;
}

Result<void> Writer::UpsertIncident(const Event& e) {
  std::optional<Incident> update = IncidentFromEvent(e);
  if (!update) return {};
  Incident current;
  current.id = update->id;
  if (auto cached = incident_cache_.find(update->id); cached != incident_cache_.end()) {
    current = cached->second;
  } else {
    sql::StmtResetter reset(get_incident_);
    get_incident_.BindText(1, update->id);
    const int rc = get_incident_.Step();
    if (rc == SQLITE_ROW) {
      current = rows::ReadIncident(get_incident_);
    } else if (rc != SQLITE_DONE) {
      return std::unexpected(sql::SqliteError(db_.get(), rc, "incident_read"));
    }
  }
  MergeIncident(current, *update, e.kind, e.occurred_at);
  const std::string assignees = rows::AssigneesText(current);
  sql::StmtResetter reset(put_incident_);
  rows::BindIncident(put_incident_, current, assignees);
  if (int rc = put_incident_.Step(); rc != SQLITE_DONE) {
    return std::unexpected(sql::SqliteError(db_.get(), rc, "incident_write"));
  }
  if (incident_cache_.size() >= kIncidentCacheSize) incident_cache_.clear();
  incident_cache_.insert_or_assign(current.id, std::move(current));
  return {};
}

void Writer::Record(size_t events, const Applied* applied, double seconds) {
  std::lock_guard lock(stats_mu_);
  if (applied == nullptr) {
    ++stats_.commit_failures;
    return;
  }
  for (const auto& r : applied->results) {
    stats_.events_inserted += r.inserted;
    stats_.events_duplicate += r.duplicates;
  }
  ++stats_.transactions;
  ++stats_.batch_size_buckets[Bucket(kBatchSizeBounds, static_cast<double>(events))];
  ++stats_.commit_latency_buckets[Bucket(kCommitLatencyBounds, seconds)];
  stats_.batch_size_sum += events;
  stats_.commit_latency_sum_seconds += seconds;
}

StoreStats Writer::Stats() const {
  StoreStats s;
  {
    std::lock_guard lock(stats_mu_);
    s = stats_;
  }
  s.batch_size_buckets = Cumulative(std::move(s.batch_size_buckets));
  s.commit_latency_buckets = Cumulative(std::move(s.commit_latency_buckets));
  std::lock_guard lock(mu_);
  s.queue_depth = queued_events_;
  return s;
}

}  // namespace timelined::store
