// LocalFeed: completion only after the transaction committed, with the store's counts.
#include "store/local_feed.h"

#include <gtest/gtest.h>

#include "tests/unit/store/store_test_util.h"

namespace timelined::store {
namespace {

using namespace testing_util;

TEST(LocalFeedTest, CompletesAfterCommitWithCounts) {
  TempDir dir;
  auto store = OpenStore(Options(dir));
  ASSERT_NE(store, nullptr);
  LocalFeed feed(*store);
  EXPECT_TRUE(feed.Ready());
  Event a = MakeEvent("a", kT0), b = MakeEvent("b", kT0 + 1);

  Latch called;
  std::optional<Result<PublishResult>> result;
  std::optional<Result<std::optional<Event>>> seen_in_callback;
  feed.Publish({a, b, a}, [&](Result<PublishResult> r) {
    // Durable means readable from another connection at this point.
    seen_in_callback = store->GetEvent(b.id);
    result = std::move(r);
    called.Open();
  });
  ASSERT_TRUE(called.Wait());
  ASSERT_TRUE(result->has_value());
  EXPECT_EQ((*result)->accepted, 3u);
  EXPECT_EQ((*result)->inserted, 2u);
  EXPECT_EQ((*result)->duplicates, 1u);
  ASSERT_TRUE(seen_in_callback->has_value());
  ASSERT_TRUE(seen_in_callback->value().has_value());
  EXPECT_EQ(seen_in_callback->value()->seq, 2);

  auto again = PublishAndWait(feed, {a});
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->inserted, 0u);
  EXPECT_EQ(again->duplicates, 1u);
}

TEST(LocalFeedTest, PassesStoreErrorsThrough) {
  TempDir dir;
  auto store = OpenStore(Options(dir));
  ASSERT_NE(store, nullptr);
  LocalFeed feed(*store);
  Event bad = MakeEvent("bad", kT0);
  bad.kind.clear();
  auto invalid = PublishAndWait(feed, {bad});
  ASSERT_FALSE(invalid.has_value());
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidInput);
  store->Close();
  auto closed = PublishAndWait(feed, {MakeEvent("late", kT0)});
  ASSERT_FALSE(closed.has_value());
  EXPECT_EQ(closed.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace timelined::store
