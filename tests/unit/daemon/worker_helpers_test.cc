// SerialWorker and BoundedMap: the two helpers the daemon's workers share.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/bounded_map.h"
#include "daemon/serial_worker.h"
#include "daemon/worker_guard.h"
#include "tests/unit/store/store_test_util.h"  // Latch

namespace timelined::daemon {
namespace {

using store::testing_util::Latch;

struct Recorder {
  std::mutex mu;
  std::vector<std::string> ran;
  std::vector<std::string> dropped;
};

TEST(SerialWorker, RunsJobsInOrderAndRefusesBeyondTheCap) {
  Latch entered, released;  // the first job blocks, so the queue fills behind it
  Recorder rec;
  std::promise<void> last_ran;
  SerialWorker<std::string> w(
      "test_worker",
      [&](std::string& job) {
        if (job == "block") {
          entered.Open();
          released.Wait();
        }
        std::lock_guard lock(rec.mu);
        rec.ran.push_back(job);
        if (job == "b") last_ran.set_value();
      },
      [&](std::string& job) {
        std::lock_guard lock(rec.mu);
        rec.dropped.push_back(job);
      },
      /*max_queued=*/2);
  w.Start();
  std::string block = "block";
  ASSERT_EQ(w.TryPush(block), SerialWorker<std::string>::Push::kQueued);
  ASSERT_TRUE(entered.Wait());  // the running job does not count against the cap
  std::string a = "a", b = "b", c = "c";
  EXPECT_EQ(w.TryPush(a), SerialWorker<std::string>::Push::kQueued);
  EXPECT_EQ(w.TryPush(b), SerialWorker<std::string>::Push::kQueued);
  EXPECT_EQ(w.TryPush(c), SerialWorker<std::string>::Push::kFull);
  EXPECT_EQ(c, "c");  // a refused job stays with the caller
  released.Open();
  last_ran.get_future().wait();
  w.Stop();
  EXPECT_EQ(rec.ran, (std::vector<std::string>{"block", "a", "b"}));
  EXPECT_TRUE(rec.dropped.empty());
}

TEST(SerialWorker, StopWakesTheRunningJobThenFailsQueuedOnesAndRefusesNewOnes) {
  Recorder rec;
  std::promise<void> sleeping;
  SerialWorker<std::string>* self = nullptr;
  SerialWorker<std::string> w(
      "test_worker",
      [&](std::string& job) {
        if (job == "sleep") {
          sleeping.set_value();
          self->Sleep(std::chrono::hours(1));  // only Stop() ends this in time for ctest
        }
        std::lock_guard lock(rec.mu);
        rec.ran.push_back(job);
      },
      [&](std::string& job) {
        std::lock_guard lock(rec.mu);
        rec.dropped.push_back(job);
      });
  self = &w;
  w.Start();
  std::string sleep = "sleep", a = "a", b = "b";
  ASSERT_EQ(w.TryPush(sleep), SerialWorker<std::string>::Push::kQueued);
  sleeping.get_future().wait();
  ASSERT_EQ(w.TryPush(a), SerialWorker<std::string>::Push::kQueued);
  ASSERT_EQ(w.TryPush(b), SerialWorker<std::string>::Push::kQueued);

  w.Stop();  // wakes the sleeping job, lets it finish, then hands a and b to `dropped`
  EXPECT_EQ(rec.ran, std::vector<std::string>{"sleep"});
  EXPECT_EQ(rec.dropped, (std::vector<std::string>{"a", "b"}));

  std::string late = "late";
  EXPECT_EQ(w.TryPush(late), SerialWorker<std::string>::Push::kStopping);
  EXPECT_EQ(late, "late");
  w.Stop();  // idempotent
  EXPECT_EQ(rec.dropped.size(), 2u);
}

TEST(SerialWorker, AThrowingJobIsCountedAndTheWorkerGoesOn) {
  const uint64_t before = WorkerExceptionCounts()["throwing_test_worker"];
  std::promise<void> second_ran;
  SerialWorker<int> w(
      "throwing_test_worker",
      [&](int& job) {
        if (job == 1) throw std::runtime_error("boom");
        second_ran.set_value();
      },
      [](int&) {});
  w.Start();
  int one = 1, two = 2;
  ASSERT_EQ(w.TryPush(one), SerialWorker<int>::Push::kQueued);
  ASSERT_EQ(w.TryPush(two), SerialWorker<int>::Push::kQueued);
  second_ran.get_future().wait();
  w.Stop();
  EXPECT_EQ(WorkerExceptionCounts()["throwing_test_worker"], before + 1);
}

TEST(BoundedMap, ForgetsTheOldestKeyBeyondCapacity) {
  BoundedMap<std::string, int> m(2);
  m.Put("a", 1);
  m.Put("b", 2);
  m.Put("a", 10);  // overwrite: keeps its place in line, evicts nothing
  ASSERT_NE(m.Find("a"), nullptr);
  EXPECT_EQ(*m.Find("a"), 10);
  EXPECT_EQ(m.size(), 2u);
  m.Put("c", 3);  // "a" is the oldest inserted
  EXPECT_EQ(m.Find("a"), nullptr);
  EXPECT_TRUE(m.Contains("b"));
  EXPECT_TRUE(m.Contains("c"));
  EXPECT_EQ(m.size(), 2u);
}

TEST(BoundedSet, RemembersAtMostCapacityKeys) {
  BoundedSet<int> s(3);
  for (int i = 0; i < 10; ++i) s.Put(i);
  EXPECT_EQ(s.size(), 3u);
  for (int i = 0; i < 7; ++i) EXPECT_FALSE(s.Contains(i)) << i;
  for (int i = 7; i < 10; ++i) EXPECT_TRUE(s.Contains(i)) << i;
}

}  // namespace
}  // namespace timelined::daemon
