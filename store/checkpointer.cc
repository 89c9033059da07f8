#include "store/checkpointer.h"

#include <algorithm>

#include "store/log.h"

namespace timelined::store {
namespace {

// How long to leave a WAL alone after a pass that could not copy everything it was meant
// to (a reader still uses those frames), instead of trying again after every commit.
constexpr std::chrono::milliseconds kRetryPause{100};

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

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
      threshold_pages_(threshold_pages),
      hard_limit_pages_(hard_limit_pages),
      tail_pages_(std::max<int64_t>(threshold_pages / 64, 16)) {}

Checkpointer::~Checkpointer() { Stop(); }

void Checkpointer::Attach(sqlite3* db) { sqlite3_wal_hook(db, &Checkpointer::OnWal, this); }

void Checkpointer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  db_ = sql::Db();
}

int Checkpointer::OnWal(void* self, sqlite3* db, const char* schema, int pages) {
  auto* c = static_cast<Checkpointer*>(self);
  if (pages >= c->hard_limit_pages_) {
    c->RunInline(db, schema, Pass::kHardLimit);
  } else if (c->Decide(pages) == Action::kInline) {
    c->RunInline(db, schema, Pass::kTail);
  }
  // The commit itself has succeeded whatever the checkpoint did.
  return SQLITE_OK;
}

Checkpointer::Action Checkpointer::Decide(int64_t pages) {
  std::lock_guard lock(mu_);
  if (pages < copied_) copied_ = 0;  // the WAL has restarted from its beginning
  wal_pages_ = pages;
  if (pages < threshold_pages_ || requested_ || stopping_) return Action::kNone;
  if (std::chrono::steady_clock::now() < retry_after_) return Action::kNone;
  if (copied_ > 0 && pages - copied_ <= tail_pages_) return Action::kInline;
  requested_ = true;
  cv_.notify_one();
  return Action::kWake;
}

void Checkpointer::RunInline(sqlite3* db, const char* schema, Pass pass) {
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
    Record(Pass::kBackground, rc, log, copied, SecondsSince(t0));
    lock.lock();
    requested_ = false;
  }
}

void Checkpointer::Record(Pass pass, int rc, int64_t log_pages, int64_t copied_pages,
                          double seconds) {
  std::lock_guard lock(mu_);
  (pass == Pass::kBackground ? seconds_sum_ : inline_seconds_sum_) += seconds;
  // SQLITE_BUSY: another connection was checkpointing at the same moment; nothing is lost.
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    ++failures_;
    retry_after_ = std::chrono::steady_clock::now() + kRetryPause;
    Log().warn("wal checkpoint failed: {} (wal {} pages, {} copied)", sqlite3_errstr(rc), log_pages,
               copied_pages);
    return;
  }
  const bool progressed = copied_pages > copied_;
  const bool complete = copied_pages >= log_pages;
  if (rc == SQLITE_OK) copied_ = std::max<int64_t>(copied_pages, 0);
  if (!complete && (pass != Pass::kBackground || !progressed)) {
    retry_after_ = std::chrono::steady_clock::now() + kRetryPause;
  }
  switch (pass) {
    case Pass::kBackground:
      ++background_;
      break;
    case Pass::kTail:
      ++tail_;
      break;
    case Pass::kHardLimit:
      ++hard_;
      Log().warn(
          "wal at {} pages: checkpointed on the writer in {:.0f} ms (the background checkpoint "
          "is behind)",
          log_pages, seconds * 1000);
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
