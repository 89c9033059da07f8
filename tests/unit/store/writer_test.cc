// The store writer: group commit, back-pressure, close, validation, failed transactions,
// commit listeners and statistics.
#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <thread>

#include "store/sqlite_store.h"
#include "tests/unit/store/store_test_util.h"

namespace timelined::store {
namespace {

using namespace testing_util;

// Counts completions and wakes a waiter when all expected ones arrived.
class Completions {
 public:
  explicit Completions(size_t expected) : expected_(expected) {}
  std::function<void(Result<WriteResult>)> Callback() {
    return [this](Result<WriteResult> r) {
      std::lock_guard lock(mu_);
      if (r) {
        inserted_ += r->inserted;
        duplicates_ += r->duplicates;
      } else {
        errors_.push_back(r.error());
      }
      if (++done_ == expected_) cv_.notify_all();
    };
  }
  bool Wait() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kWait, [this] { return done_ >= expected_; });
  }
  size_t done() {
    std::lock_guard lock(mu_);
    return done_;
  }
  size_t inserted() {
    std::lock_guard lock(mu_);
    return inserted_;
  }
  size_t duplicates() {
    std::lock_guard lock(mu_);
    return duplicates_;
  }
  std::vector<Error> errors() {
    std::lock_guard lock(mu_);
    return errors_;
  }

 private:
  const size_t expected_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t done_ = 0, inserted_ = 0, duplicates_ = 0;
  std::vector<Error> errors_;
};

TEST(WriterTest, ConcurrentSubmitsAreGroupedIntoFewTransactions) {
  TempDir dir;
  auto store = OpenStore(Options(dir));
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 4, kBatchesPerThread = 50, kEventsPerBatch = 5;
  constexpr size_t kBatches = kThreads * kBatchesPerThread;
  Completions completions(kBatches);
  {
    // While the writer is parked, every producer queues all its batches; they must then
    // go to disk together rather than one transaction per Submit.
    WriterGate gate(*store);
    std::vector<std::thread> producers;
    for (int t = 0; t < kThreads; ++t) {
      producers.emplace_back([&, t] {
        for (int b = 0; b < kBatchesPerThread; ++b) {
          std::vector<Event> batch;
          for (int i = 0; i < kEventsPerBatch; ++i) {
            // Every producer also resends one event of another producer: a duplicate.
            const int owner = (i == 0) ? (t + 1) % kThreads : t;
            const int index = (i == 0) ? b * kEventsPerBatch + 1 : b * kEventsPerBatch + i;
            batch.push_back(
                MakeEvent(std::to_string(owner) + ":" + std::to_string(index), kT0 + index));
          }
          store->Submit(std::move(batch), completions.Callback());
        }
      });
    }
    for (auto& p : producers) p.join();
    EXPECT_EQ(completions.done(), 0u) << "nothing can complete while the writer is parked";
    EXPECT_EQ(store->Stats().queue_depth, kBatches * kEventsPerBatch);
  }
  ASSERT_TRUE(completions.Wait());
  EXPECT_TRUE(completions.errors().empty());
  const size_t distinct = kThreads * kBatchesPerThread * (kEventsPerBatch - 1);
  EXPECT_EQ(completions.inserted(), distinct);
  EXPECT_EQ(completions.duplicates(), kBatches * kEventsPerBatch - distinct);
  EXPECT_EQ(store->CountEvents().value(), distinct + 1);  // + the gate event
  StoreStats s = store->Stats();
  EXPECT_LT(s.transactions, kBatches);
  EXPECT_LE(s.transactions, 2u);  // the gate's, then everything queued behind it
  EXPECT_EQ(s.queue_depth, 0u);
  EXPECT_TRUE(store->VerifyChain().value().ok);
}

TEST(WriterTest, ATransactionNeverExceedsMaxBatchEventsButNeverSplitsASubmit) {
  TempDir dir;
  StoreOptions o = Options(dir);
  o.max_batch_events = 10;
  auto store = OpenStore(o);
  ASSERT_NE(store, nullptr);
  Completions completions(4);
  {
    WriterGate gate(*store);
    for (int b = 0; b < 3; ++b) {
      std::vector<Event> batch;
      for (int i = 0; i < 4; ++i) batch.push_back(MakeEvent(std::to_string(b * 4 + i), kT0));
      store->Submit(std::move(batch), completions.Callback());  // 4 + 4 | 4
    }
    std::vector<Event> big;
    for (int i = 0; i < 25; ++i) big.push_back(MakeEvent("big" + std::to_string(i), kT0));
    store->Submit(std::move(big), completions.Callback());  // alone: 25
  }
  ASSERT_TRUE(completions.Wait());
  StoreStats s = store->Stats();
  EXPECT_EQ(s.transactions, 4u);  // gate, 8, 4, 25
  EXPECT_EQ(s.batch_size_sum, 1u + 8 + 4 + 25);
  // Cumulative buckets, le 1, 10, 100, 1000, 10000, +Inf.
  EXPECT_EQ(s.batch_size_buckets, (std::vector<uint64_t>{1, 3, 4, 4, 4, 4}));
  ASSERT_EQ(s.commit_latency_buckets.size(), std::size(kCommitLatencyBounds) + 1);
  EXPECT_EQ(s.commit_latency_buckets.back(), 4u);
  EXPECT_TRUE(std::is_sorted(s.commit_latency_buckets.begin(), s.commit_latency_buckets.end()));
  EXPECT_GT(s.commit_latency_sum_seconds, 0.0);
}

TEST(WriterTest, FullQueueFailsFastWithExhausted) {
  TempDir dir;
  StoreOptions o = Options(dir);
  o.queue_limit_events = 10;
  auto store = OpenStore(o);
  ASSERT_NE(store, nullptr);
  Completions accepted(2);
  {
    WriterGate gate(*store);
    std::vector<Event> six, four;
    for (int i = 0; i < 6; ++i) six.push_back(MakeEvent("six" + std::to_string(i), kT0));
    for (int i = 0; i < 4; ++i) four.push_back(MakeEvent("four" + std::to_string(i), kT0));
    store->Submit(std::move(six), accepted.Callback());
    store->Submit(std::move(four), accepted.Callback());  // exactly at the limit
    std::optional<Result<WriteResult>> rejected;
    store->Submit({MakeEvent("one-too-many", kT0)},
                  [&rejected](Result<WriteResult> r) { rejected = std::move(r); });
    // Failing fast means on the caller's thread, before Submit returns.
    ASSERT_TRUE(rejected.has_value());
    ASSERT_FALSE(rejected->has_value());
    EXPECT_EQ(rejected->error().code, ErrorCode::kExhausted);
  }
  ASSERT_TRUE(accepted.Wait());
  EXPECT_TRUE(accepted.errors().empty());
  EXPECT_EQ(store->CountEvents().value(), 11u);
  // Room again once the writer drained the queue.
  EXPECT_TRUE(store->SubmitAndWait({MakeEvent("later", kT0)}).has_value());
}

TEST(WriterTest, SubmitAfterCloseIsUnavailableAndCloseCommitsWhatWasQueued) {
  TempDir dir;
  auto store = OpenStore(Options(dir));
  ASSERT_NE(store, nullptr);
  Completions queued(1);
  std::thread closer;
  {
    WriterGate gate(*store);
    store->Submit({MakeEvent("queued", kT0)}, queued.Callback());
    closer = std::thread([&store] { store->Close(); });
    // Close() must wait for the writer; it cannot finish while the gate holds it.
    gate.Release();
  }
  closer.join();
  EXPECT_EQ(queued.done(), 1u);
  EXPECT_TRUE(queued.errors().empty());
  EXPECT_EQ(queued.inserted(), 1u);
  std::optional<Result<WriteResult>> after;
  store->Submit({MakeEvent("late", kT0)}, [&after](Result<WriteResult> r) { after = r; });
  ASSERT_TRUE(after.has_value());
  ASSERT_FALSE(after->has_value());
  EXPECT_EQ(after->error().code, ErrorCode::kUnavailable);
  store->Close();  // idempotent
  // Readers still work after the writer stopped.
  EXPECT_EQ(store->CountEvents().value(), 2u);
}

TEST(WriterTest, InvalidEventRejectsTheWholeSubmit) {
  TempDir dir;
  auto store = OpenStore(Options(dir));
  ASSERT_NE(store, nullptr);
  Event bad = MakeEvent("bad", kT0);
  bad.id = MakeEventId("kubernetes", "something else");
  auto r = store->SubmitAndWait({MakeEvent("good", kT0), bad});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  Event bad_severity = MakeEvent("sev", kT0);
  bad_severity.severity = "fatal";
  EXPECT_EQ(store->SubmitAndWait({bad_severity}).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(store->CountEvents().value(), 0u);
  EXPECT_EQ(store->Stats().transactions, 0u);
}

TEST(WriterTest, FailedTransactionFailsEveryBatchInItAndRestoresTheChainHead) {
  TempDir dir;
  auto store = OpenStore(Options(dir));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->SubmitAndWait({MakeEvent("before", kT0)}).has_value());
  // A trigger planted from outside makes one insert fail mid-transaction.
  ASSERT_EQ(ExecRaw(store->path(),
                    "CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.kind = 'boom' "
                    "BEGIN SELECT RAISE(ABORT, 'boom'); END"),
            SQLITE_OK);
  Completions completions(3);
  {
    WriterGate gate(*store);
    Event boom = MakeEvent("boom", kT0);
    boom.kind = "boom";
    store->Submit({MakeEvent("x1", kT0)}, completions.Callback());
    store->Submit({MakeEvent("x2", kT0), boom}, completions.Callback());
    store->Submit({MakeEvent("x3", kT0)}, completions.Callback());
  }
  ASSERT_TRUE(completions.Wait());
  ASSERT_EQ(completions.errors().size(), 3u);
  for (const Error& e : completions.errors()) EXPECT_EQ(e.code, ErrorCode::kInternal);
  EXPECT_EQ(store->Stats().commit_failures, 1u);
  EXPECT_EQ(store->CountEvents().value(), 2u);  // "before" and the gate
  // The next transaction continues the chain from the last committed event.
  ASSERT_EQ(ExecRaw(store->path(), "DROP TRIGGER boom"), SQLITE_OK);
  auto r = store->SubmitAndWait({MakeEvent("x1", kT0)});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->inserted, 1u);
  EXPECT_EQ(store->GetEvent(MakeEvent("x1", 0).id).value()->seq, 3);
  auto report = store->VerifyChain().value();
  EXPECT_TRUE(report.ok) << report.reason;
}

TEST(WriterTest, BusyDatabaseFailsTheBatchAsUnavailable) {
  TempDir dir;
  StoreOptions o = Options(dir);
  o.busy_timeout_ms = 50;
  auto store = OpenStore(o);
  ASSERT_NE(store, nullptr);
  // Another process holds the write lock; the writer's BEGIN IMMEDIATE times out.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(store->path().c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto r = store->SubmitAndWait({MakeEvent("blocked", kT0)});
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store->Stats().commit_failures, 1u);
  EXPECT_TRUE(store->SubmitAndWait({MakeEvent("after", kT0)}).has_value());
  EXPECT_EQ(store->GetEvent(MakeEvent("after", 0).id).value()->seq, 1);
}

TEST(WriterTest, ListenersSeeOnlyNewEventsWithSeqAndChainAfterTheDones) {
  TempDir dir;
  auto store = OpenStore(Options(dir));
  ASSERT_NE(store, nullptr);
  std::mutex mu;
  std::vector<Event> heard;
  std::vector<std::string> order;
  store->AddCommitListener([&](const std::vector<Event>& inserted) {
    std::lock_guard lock(mu);
    order.push_back("listener");
    heard.insert(heard.end(), inserted.begin(), inserted.end());
  });
  Event a = MakeEvent("a", kT0), b = MakeEvent("b", kT0 + 1);
  Latch done;
  store->Submit({a, b, a}, [&](Result<WriteResult> r) {
    EXPECT_TRUE(r.has_value());
    std::lock_guard lock(mu);
    order.push_back("done");
    done.Open();
  });
  ASSERT_TRUE(done.Wait());
  ASSERT_TRUE(store->SubmitAndWait({a}).has_value());  // duplicate only: no listener call
  store->Close();  // the writer thread is joined: no more listener calls
  std::lock_guard lock(mu);
  EXPECT_EQ(order, (std::vector<std::string>{"done", "listener"}));
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_EQ(heard[0].id, a.id);
  EXPECT_EQ(heard[0].seq, 1);
  EXPECT_EQ(heard[0].chain, ChainHash("", a));
  EXPECT_EQ(heard[1].seq, 2);
  EXPECT_EQ(heard[1].chain, ChainHash(heard[0].chain, b));
}

TEST(WriterTest, CallerSuppliedSeqAndChainAreIgnored) {
  TempDir dir;
  auto store = OpenStore(Options(dir));
  ASSERT_NE(store, nullptr);
  Event e = MakeEvent("a", kT0);
  e.seq = 99;
  e.chain = "forged";
  ASSERT_TRUE(store->SubmitAndWait({e}).has_value());
  auto got = store->GetEvent(e.id).value();
  EXPECT_EQ(got->seq, 1);
  EXPECT_EQ(got->chain, ChainHash("", e));
}

}  // namespace
}  // namespace timelined::store
