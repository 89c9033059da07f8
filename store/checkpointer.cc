#include "store/checkpointer.h"

#include <algorithm>

#include "store/log.h"

namespace timelined::store {
namespace {

// How long to leave a WAL alone after a pass that could not do its job: nothing new copied,
// the checkpoint lock taken, or an inline copy that did not restart the WAL (a reader still
// uses those frames). Instead of trying again after every commit.
constexpr std::chrono::milliseconds kRetryPause{100};
// At most one "checkpointed on the writer" warning per this long.
constexpr std::chrono::seconds kWarnEvery{10};

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

CheckpointAction NextCheckpointAction(const CheckpointView& v, const CheckpointLimits& l) {
  if (v.pages < l.threshold) return CheckpointAction::kNone;
  // A running pass holds the checkpoint lock: an inline pass now would only find it taken.
  // When it ends, the next commit decides again.
  if (v.pass_running || v.backing_off) return CheckpointAction::kNone;
  if (!v.inline_done) {
    // Past the hard limit, copy what is left whatever its size: the passes cannot keep up.
    if (v.pages >= l.hard_limit) return CheckpointAction::kHardLimit;
    if (v.copied > 0 && v.pages - v.copied <= l.tail) return CheckpointAction::kTail;
  }
  return CheckpointAction::kBackground;
}

Result<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& path,
                                                          int busy_timeout_ms,
                                                          int64_t threshold_pages,
                                                          int64_t hard_limit_pages) {
  auto db = sql::Db::Open(path, SQLITE_OPEN_READWRITE);
  if (!db) return std::unexpected(db.error());
  // PASSIVE checkpoints never wait on the busy handler; the timeout only covers opening.
  // The read makes the connection open the WAL: until it has, a checkpoint does nothing
  // and reports -1 frames.
  if (auto r = db->Exec("PRAGMA busy_timeout = " + std::to_string(busy_timeout_ms) +
                        "; SELECT 1 FROM sqlite_master LIMIT 1");
      !r) {
    return std::unexpected(r.error());
  }
  std::unique_ptr<Checkpointer> c(new Checkpointer(std::move(*db), threshold_pages,
                                                   std::max(hard_limit_pages, threshold_pages)));
  c->thread_ = std::thread([p = c.get()] { p->Run(); });
  pthread_setname_np(c->thread_.native_handle(), "store-checkpoint");
  return c;
}

Checkpointer::Checkpointer(sql::Db db, int64_t threshold_pages, int64_t hard_limit_pages)
    : db_(std::move(db)),
      limits_{threshold_pages, hard_limit_pages, std::max<int64_t>(threshold_pages / 64, 16)} {}

Checkpointer::~Checkpointer() { Stop(); }

void Checkpointer::Attach(sqlite3* db) { sqlite3_wal_hook(db, &Checkpointer::OnWal, this); }

void Checkpointer::Stop() {
  std::call_once(stopped_, [this] {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    db_ = sql::Db();
  });
}

int Checkpointer::OnWal(void* self, sqlite3* db, const char* schema, int pages) {
  auto* c = static_cast<Checkpointer*>(self);
  const CheckpointAction action = c->Decide(pages);  // kBackground: the thread is woken
  if (action == CheckpointAction::kTail || action == CheckpointAction::kHardLimit) {
    c->RunInline(db, schema, action);
  }
  // The commit itself has succeeded whatever the checkpoint did.
  return SQLITE_OK;
}

CheckpointAction Checkpointer::Decide(int64_t pages) {
  std::lock_guard lock(mu_);
  if (pages < copied_) {  // the WAL has restarted from its beginning: a new generation
    copied_ = 0;
    inline_done_ = false;
    retry_after_ = {};
  }
  wal_pages_ = pages;
  const CheckpointView view{.pages = pages,
                            .copied = copied_,
                            .pass_running = requested_,
                            .backing_off = std::chrono::steady_clock::now() < retry_after_,
                            .inline_done = inline_done_};
  const CheckpointAction action = NextCheckpointAction(view, limits_);
  if (action != CheckpointAction::kBackground) return action;
  if (stopping_) return CheckpointAction::kNone;  // no thread left to wake
  requested_ = true;
  cv_.notify_one();
  return action;
}

void Checkpointer::RunInline(sqlite3* db, const char* schema, CheckpointAction pass) {
  int log = 0, copied = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const int rc = sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
  Record(pass, rc, log, copied, SecondsSince(t0));
}

void Checkpointer::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return requested_ || stopping_; });
    if (stopping_) return;
    lock.unlock();
    int log = 0, copied = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const int rc =
        sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    Record(CheckpointAction::kBackground, rc, log, copied, SecondsSince(t0));
    lock.lock();
    requested_ = false;
  }
}

void Checkpointer::Record(CheckpointAction pass, int rc, int64_t log_pages, int64_t copied_pages,
                          double seconds) {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  (pass == CheckpointAction::kBackground ? seconds_sum_ : inline_seconds_sum_) += seconds;
  if (pass != CheckpointAction::kBackground) inline_done_ = true;
  // The lock was taken (another connection checkpointing, e.g. the drafts connection's own
  // auto-checkpoint): nothing was done and nothing is lost. Counted nowhere; try later.
  if ((rc & 0xff) == SQLITE_BUSY || (rc == SQLITE_OK && log_pages < 0)) {
    retry_after_ = now + kRetryPause;
    return;
  }
  if (rc != SQLITE_OK) {
    ++failures_;
    retry_after_ = now + kRetryPause;
    Log().warn("wal checkpoint failed: {} (wal {} pages, {} copied)", sqlite3_errstr(rc), log_pages,
               copied_pages);
    return;
  }
  const bool progressed = copied_pages > copied_;
  const bool complete = copied_pages >= log_pages;
  copied_ = std::max<int64_t>(copied_pages, 0);
  // After an inline copy the next transaction restarts the WAL unless a reader still uses
  // it; a background pass that copied nothing new, or that completed after the inline copy
  // of this generation, means the same. Either way: pause.
  if (pass != CheckpointAction::kBackground || !progressed || (complete && inline_done_)) {
    retry_after_ = now + kRetryPause;
  }
  switch (pass) {
    case CheckpointAction::kBackground:
      ++background_;
      break;
    case CheckpointAction::kTail:
      ++tail_;
      break;
    case CheckpointAction::kNone:
      break;
    case CheckpointAction::kHardLimit:
      ++hard_;
      if (now - warned_at_ >= kWarnEvery) {
        warned_at_ = now;
        Log().warn(
            "wal at {} pages: copied {} on the writer in {:.0f} ms (the background checkpoint "
            "is behind, or a reader holds an old snapshot)",
            log_pages, copied_pages, seconds * 1000);
      }
      break;
  }
}

void Checkpointer::AddStats(StoreStats& s) const {
  std::lock_guard lock(mu_);
  s.checkpoints_background = background_;
  s.checkpoints_tail = tail_;
  s.checkpoints_hard_limit = hard_;
  s.checkpoint_failures = failures_;
  s.checkpoint_background_seconds = seconds_sum_;
  s.checkpoint_writer_seconds = inline_seconds_sum_;
  s.wal_pages = static_cast<uint64_t>(wal_pages_);
}

}  // namespace timelined::store
