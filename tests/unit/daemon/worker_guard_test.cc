#include "daemon/worker_guard.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace timelined::daemon {
namespace {

TEST(WorkerGuard, AnExceptionIsCaughtAndCountedByWorker) {
  const uint64_t before = WorkerExceptionCounts()["guard_test"];
  int ran = 0;
  EXPECT_TRUE(RunGuarded("guard_test", [&] { ++ran; }));
  EXPECT_FALSE(RunGuarded("guard_test", [] { throw std::runtime_error("body bytes"); }));
  EXPECT_FALSE(RunGuarded("guard_test", [] { throw 42; }));
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(WorkerExceptionCounts()["guard_test"], before + 2);
}

}  // namespace
}  // namespace timelined::daemon
