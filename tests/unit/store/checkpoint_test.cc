// WAL checkpoints off the writer: a background pass plus the writer finishing the short
// tail restart the WAL under continuous writes; past the hard limit the writer checkpoints
// inline. Every figure asserted is read from the store's own counters and the WAL header,
// and every loop is bounded by a number of commits, not by time.
#include <gtest/gtest.h>

#include <filesystem>

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

TEST(CheckpointTest, BackgroundPassThenTailRestartsTheWalUnderContinuousWrites) {
  TempDir dir;
  StoreOptions o = Options(dir);
  o.checkpoint_wal_pages = 32;
  o.checkpoint_hard_limit_pages = 1 << 30;  // never: only the background path may run
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
  EXPECT_GE(s.checkpoints_background, 1u);
  EXPECT_GE(s.checkpoints_tail, 1u);
  EXPECT_EQ(s.checkpoints_hard_limit, 0u);
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
  o.checkpoint_wal_pages = 16;  // equal: every commit at the limit checkpoints inline
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
  EXPECT_EQ(s.checkpoints_background, 0u);
  // One event per commit writes a handful of pages: the WAL restarts near the limit
  // instead of holding all 400 commits.
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
