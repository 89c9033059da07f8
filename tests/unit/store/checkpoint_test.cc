// WAL checkpoints off the writer. The decisions (background pass, inline tail, hard limit,
// pauses) are NextCheckpointAction's, tested as a table; the store tests check that the WAL
// really restarts under continuous writes and stays bounded, reading the store's counters.
// Loops are bounded by a number of commits, not by time; which path restarts the WAL first
// (a fast background pass alone, or the writer's inline copy) depends on the machine, so
// only the outcome is asserted there.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/checkpointer.h"
#include "store/sqlite_store.h"
#include "tests/unit/store/store_test_util.h"

namespace timelined::store {
namespace {

using namespace testing_util;

// One commit of one event; fails the test on error.
void CommitOne(SqliteEventStore& store, int i) {
  auto r = store.SubmitAndWait({MakeEvent("ck-" + std::to_string(i), kT0 + i)});
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->inserted, 1u);
}

TEST(CheckpointRules, BackgroundTailHardLimitAndPauses) {
  const CheckpointLimits l{.threshold = 100, .hard_limit = 400, .tail = 10};
  using A = CheckpointAction;
  struct Case {
    CheckpointView v;
    A want;
    const char* why;
  };
  const Case cases[] = {
      {{.pages = 99}, A::kNone, "below the threshold"},
      {{.pages = 100}, A::kBackground, "at the threshold, nothing copied yet"},
      {{.pages = 150, .copied = 120}, A::kBackground, "a pass left more than the tail"},
      {{.pages = 130, .copied = 120}, A::kTail, "a pass left a short tail"},
      {{.pages = 130, .copied = 120, .inline_done = true},
       A::kBackground,
       "one inline copy per generation"},
      {{.pages = 130, .copied = 120, .pass_running = true}, A::kNone, "a pass holds the lock"},
      {{.pages = 130, .copied = 120, .backing_off = true}, A::kNone, "pausing"},
      {{.pages = 400, .copied = 100}, A::kHardLimit, "past the hard limit, any tail"},
      {{.pages = 400, .pass_running = true}, A::kNone, "hard limit waits for the pass"},
      {{.pages = 400, .backing_off = true}, A::kNone, "hard limit pauses too"},
      {{.pages = 500, .copied = 100, .inline_done = true},
       A::kBackground,
       "after an inline copy that did not restart: background passes only"},
  };
  for (const Case& c : cases) EXPECT_EQ(NextCheckpointAction(c.v, l), c.want) << c.why;
}

TEST(CheckpointTest, TheWalRestartsUnderContinuousWrites) {
  TempDir dir;
  StoreOptions o = Options(dir);
  o.checkpoint_wal_pages = 32;
  o.checkpoint_hard_limit_pages = 4096;
  auto store = OpenStore(o);
  ASSERT_NE(store, nullptr);

  // Keep committing until the WAL has been restarted at least once: its page count after a
  // commit drops below the largest seen. Without checkpoints it only grows.
  constexpr int kMaxCommits = 20'000;
  uint64_t largest = 0;
  bool restarted = false;
  int commits = 0;
  for (; commits < kMaxCommits && !restarted; ++commits) {
    CommitOne(*store, commits);
    const uint64_t pages = store->Stats().wal_pages;
    restarted = pages < largest;
    largest = std::max(largest, pages);
  }
  const StoreStats s = store->Stats();
  EXPECT_TRUE(restarted) << "WAL never restarted in " << commits << " commits (largest " << largest
                         << " pages)";
  EXPECT_GE(s.checkpoints_background, 1u) << "the first pass at the threshold is a background one";
  EXPECT_EQ(s.checkpoint_failures, 0u);

  // Everything is still there and the chain verifies, through a fresh open.
  store->Close();
  store.reset();
  auto reopened = OpenStore(o);
  ASSERT_NE(reopened, nullptr);
  auto report = reopened->VerifyChain();
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->reason;
  EXPECT_EQ(report->events_checked, static_cast<uint64_t>(commits));
}

TEST(CheckpointTest, HardLimitCheckpointsOnTheWriterAndBoundsTheWal) {
  TempDir dir;
  StoreOptions o = Options(dir);
  o.checkpoint_wal_pages = 16;  // equal: the first decision at the limit is the hard limit
  o.checkpoint_hard_limit_pages = 16;
  auto store = OpenStore(o);
  ASSERT_NE(store, nullptr);
  uint64_t largest = 0;
  for (int i = 0; i < 400; ++i) {
    CommitOne(*store, i);
    largest = std::max(largest, store->Stats().wal_pages);
  }
  const StoreStats s = store->Stats();
  EXPECT_GE(s.checkpoints_hard_limit, 1u);
  // One event per commit writes a handful of pages: the WAL restarts near the limit
  // instead of holding all 400 commits (wal_pages is recorded after every commit).
  EXPECT_GE(largest, 16u);
  EXPECT_LT(largest, 64u);
}

TEST(CheckpointTest, RefusesThresholdsThatCannotWork) {
  TempDir dir;
  StoreOptions o = Options(dir);
  o.checkpoint_wal_pages = 0;
  auto zero = SqliteEventStore::Open(o);
  ASSERT_FALSE(zero.has_value());
  EXPECT_EQ(zero.error().message, "store_options");
  o.checkpoint_wal_pages = 100;
  o.checkpoint_hard_limit_pages = 10;
  auto inverted = SqliteEventStore::Open(o);
  ASSERT_FALSE(inverted.has_value());
  EXPECT_EQ(inverted.error().message, "store_options");
  EXPECT_FALSE(std::filesystem::exists(o.path)) << "a refused open must not create the file";
}

}  // namespace
}  // namespace timelined::store
