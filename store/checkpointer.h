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
//     that tail itself, inline: ~18 ms on the dev machine (mostly fsyncs) instead of the
//     ~100 ms of a whole checkpoint, and the next transaction restarts the WAL. A longer
//     tail gets another background pass.
//   - at `hard_limit_pages` or more (the background passes cannot keep up), the writer
//     copies whatever is left inline once the running pass is over, as SQLite would have.
//   - the writer copies inline at most once per WAL generation; after that, and after a
//     pass that copied nothing new or found the lock taken, nothing is tried for 100 ms.
//     That is what happens while a reader keeps an old snapshot open: PASSIVE cannot copy
//     the frames it may still read, nor restart the WAL under it (neither could SQLite's own
//     auto-checkpoint), so the WAL grows until the reader is done instead of the store
//     checkpointing after every commit.
// The choice is NextCheckpointAction, a pure function of what the writer knows.
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

// What the writer's connection knows after a commit.
struct CheckpointView {
  int64_t pages = 0;          // frames in the WAL now
  int64_t copied = 0;         // frames of this WAL generation already copied (0: none)
  bool pass_running = false;  // a background pass is asked for or running
  bool backing_off = false;   // within the pause after a pass that could not do its job
  bool inline_done = false;   // the writer already copied inline in this WAL generation
};
struct CheckpointLimits {
  int64_t threshold = 0;   // start a background pass from here
  int64_t hard_limit = 0;  // copy inline from here, whatever the tail
  int64_t tail = 0;        // copy inline when a pass left at most this much
};
enum class CheckpointAction { kNone, kBackground, kTail, kHardLimit };
CheckpointAction NextCheckpointAction(const CheckpointView& v, const CheckpointLimits& l);

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
  // Joins the thread and closes the connection. Idempotent and safe from several threads.
  // Close the writer's connection first: a hook after Stop() can only copy inline.
  void Stop();

  // Adds the checkpoint figures to `s`.
  void AddStats(StoreStats& s) const;

 private:
  Checkpointer(sql::Db db, int64_t threshold_pages, int64_t hard_limit_pages);
  static int OnWal(void* self, sqlite3* db, const char* schema, int pages);
  // What the writer does after a commit that left `pages` in the WAL; wakes the thread for
  // kBackground.
  CheckpointAction Decide(int64_t pages);
  void RunInline(sqlite3* db, const char* schema, CheckpointAction pass);
  void Run();
  void Record(CheckpointAction pass, int rc, int64_t log_pages, int64_t copied_pages,
              double seconds);

  sql::Db db_;  // this thread only
  const CheckpointLimits limits_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;    // guarded by mu_: a pass is asked for or running
  bool stopping_ = false;     // guarded by mu_
  int64_t wal_pages_ = 0;     // guarded by mu_: as of the writer's last commit
  int64_t copied_ = 0;        // guarded by mu_: frames of the current WAL already copied
  bool inline_done_ = false;  // guarded by mu_
  std::chrono::steady_clock::time_point retry_after_{};           // guarded by mu_
  std::chrono::steady_clock::time_point warned_at_{};             // guarded by mu_
  uint64_t background_ = 0, tail_ = 0, hard_ = 0, failures_ = 0;  // guarded by mu_
  double seconds_sum_ = 0, inline_seconds_sum_ = 0;               // guarded by mu_
  std::once_flag stopped_;
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace timelined::store
