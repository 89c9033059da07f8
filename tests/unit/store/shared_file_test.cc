// Two writers on one SQLite file (`timelined import` next to a running daemon, or two store
// instances sharing a volume) interleave commits; the chain must stay one unbroken line.
#include <gtest/gtest.h>

#include "tests/unit/store/store_test_util.h"

namespace timelined::store {
namespace {

using namespace testing_util;

TEST(SharedFile, InterleavedWritersKeepOneChain) {
  TempDir dir;
  auto a = OpenStore(Options(dir));
  auto b = OpenStore(Options(dir));
  ASSERT_TRUE(a && b);
  for (int i = 0; i < 10; ++i) {
    auto& writer = (i % 2 == 0) ? a : b;
    auto r = writer->SubmitAndWait(
        {MakeEvent("shared-" + std::to_string(i), (i + 1) * kNanosPerSecond)});
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->inserted, 1u);
  }
  auto report = a->VerifyChain();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->reason << " at seq " << report->first_bad_seq;
  EXPECT_EQ(report->events_checked, 10u);
  // A duplicate through the other writer is still a no-op.
  auto dup = b->SubmitAndWait({MakeEvent("shared-0", kNanosPerSecond)});
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->duplicates, 1u);
}

}  // namespace
}  // namespace timelined::store
