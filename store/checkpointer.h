#pragma once
// Checkpointer: moves WAL frames into the database file on its own thread and connection,
// so the event writer never stalls on a checkpoint. Internal to timelined_store.
//
// SQLite's automatic checkpoint runs inside the COMMIT that crosses the threshold, on the
// committing thread: with a 64 MiB threshold that is a ~100 ms pause of the single writer
// every few thousand events, which every request waiting on that writer sees (it was the
// whole p99 of the ingest and webhook benches). Instead the writer's connection reports
// its WAL size after each commit (sqlite3_wal_hook, which also turns auto-checkpoint off
// for it):
//   - at `threshold_pages` or more, this thread runs a PASSIVE checkpoint: it copies the
//     WAL into the database without taking the writer's lock, so commits go on meanwhile.
//   - SQLite only restarts the WAL from its beginning when a write transaction starts with
//     every frame copied, which a concurrent pass never quite reaches under load. So once a
//     pass has left only a short tail (what was committed during it), the writer copies
//     that tail itself, inline: a few milliseconds instead of the whole checkpoint, and the
//     next transaction restarts the WAL. A longer tail gets another background pass.
//   - a pass that copies nothing new (a reader still uses those frames) is retried after a
//     pause, not on every commit.
//   - at `hard_limit_pages` or more (the background passes cannot keep up), the writer
//     checkpoints inline, as SQLite would have, so the WAL stays bounded.
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite_store.h"
#include "store/sqlite_util.h"

namespace timelined::store {

class Checkpointer {
 public:
  // Opens its own connection to `path` (an existing WAL database) and starts the thread.
  static Result<std::unique_ptr<Checkpointer>> Start(const std::string& path, int busy_timeout_ms,
                                                     int64_t threshold_pages,
                                                     int64_t hard_limit_pages);
  ~Checkpointer();  // Stop()s
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Installs the WAL hook on the writer's connection `db`. Call once, before its first
  // commit; the hook runs on the writer thread and must not outlive this object.
  void Attach(sqlite3* db);
  // Joins the thread and closes the connection. Idempotent. Detach the writer first (close
  // its connection): a hook after Stop() only checkpoints inline past the hard limit.
  void Stop();

  // Adds the checkpoint figures to `s`.
  void AddStats(StoreStats& s) const;

 private:
  enum class Pass { kBackground, kTail, kHardLimit };
  Checkpointer(sql::Db db, int64_t threshold_pages, int64_t hard_limit_pages);
  static int OnWal(void* self, sqlite3* db, const char* schema, int pages);
  // What the writer does after a commit that left `pages` in the WAL.
  enum class Action { kNone, kWake, kInline };
  Action Decide(int64_t pages);
  void RunInline(sqlite3* db, const char* schema, Pass pass);
  void Run();
  void Record(Pass pass, int rc, int64_t log_pages, int64_t copied_pages, double seconds);

  sql::Db db_;  // this thread only
  const int64_t threshold_pages_;
  const int64_t hard_limit_pages_;
  const int64_t tail_pages_;  // at most this much left after a pass: the writer finishes it

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;  // guarded by mu_: a pass is asked for or running
  bool stopping_ = false;   // guarded by mu_
  int64_t wal_pages_ = 0;   // guarded by mu_: as of the writer's last commit
  int64_t copied_ = 0;      // guarded by mu_: frames of the current WAL already copied
  std::chrono::steady_clock::time_point retry_after_{};           // guarded by mu_
  uint64_t background_ = 0, tail_ = 0, hard_ = 0, failures_ = 0;  // guarded by mu_
  double seconds_sum_ = 0, inline_seconds_sum_ = 0;               // guarded by mu_
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace timelined::store
