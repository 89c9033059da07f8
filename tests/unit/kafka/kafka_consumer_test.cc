// StoreConsumer against the mock cluster: dead letters, stop/resume, failover in a group.
#include "store/kafka_consumer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "store/kafka_codec.h"
#include "store/kafka_feed.h"
#include "tests/unit/kafka/kafka_test_util.h"

namespace timelined::store {
namespace {

using namespace kafka_test;  // NOLINT(google-build-using-namespace)

class StoreConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_ = cluster_.Options();
    store_ = OpenStore(dir_.File("events.db"), waiter_);
    ASSERT_NE(store_, nullptr);
    auto feed = KafkaFeed::Create(options_);
    ASSERT_TRUE(feed.has_value());
    feed_ = std::move(*feed);
  }

  std::unique_ptr<StoreConsumer> StartConsumer(SqliteEventStore& store) {
    auto consumer = StoreConsumer::Create(options_, store);
    EXPECT_TRUE(consumer.has_value()) << (consumer ? "" : consumer.error().detail);
    if (!consumer) return nullptr;
    EXPECT_TRUE((*consumer)->Start().has_value());
    return std::move(*consumer);
  }
  void Publish(const std::vector<Event>& events) {
    auto r = PublishAndWait(*feed_, events);
    ASSERT_TRUE(r.has_value()) << r.error().detail;
  }
  bool AllStored(const SqliteEventStore& store, const std::vector<Event>& events) {
    for (const Event& e : events) {
      auto got = store.GetEvent(e.id);
      if (!got || !got->has_value()) return false;
    }
    return true;
  }

  void SplitAndFailOver(const std::string& assignor);

  MockCluster cluster_;
  KafkaOptions options_;
  TempDir dir_;
  Waiter waiter_;
  std::unique_ptr<SqliteEventStore> store_;
  std::unique_ptr<KafkaFeed> feed_;
};

TEST_F(StoreConsumerTest, PoisonMessagesGoToTheDlqAndConsumptionContinues) {
  const std::vector<Event> before = MakeEvents("poison", 0, 30);
  const std::vector<Event> after = MakeEvents("poison", 30, 60);
  Publish(before);
  nlohmann::json v2 = nlohmann::json::parse(EncodeEvent(MakeEvent("poison", 99)));
  v2["v"] = 2;
  ASSERT_TRUE(ProduceRaw(options_.brokers, options_.topic, {"not json", v2.dump()}));
  Publish(after);

  auto consumer = StartConsumer(*store_);
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(waiter_.Until([&] { return Count(*store_) == 60u; }));
  EXPECT_TRUE(AllStored(*store_, before));
  EXPECT_TRUE(AllStored(*store_, after));
  ASSERT_TRUE(waiter_.Until([&] { return consumer->Stats().dlq_messages == 2u; }));

  const auto dead = ConsumeRaw(options_.brokers, options_.dlq_topic, 2);
  ASSERT_EQ(dead.size(), 2u);
  std::set<std::string> values;
  for (const RawMessage& m : dead) {
    values.insert(m.value);
    EXPECT_EQ(m.key, "raw");
    EXPECT_EQ(m.headers.at("original_topic"), options_.topic);
    const int partition = std::stoi(m.headers.at("original_partition"));
    EXPECT_GE(partition, 0);
    EXPECT_LT(partition, kPartitions);
    EXPECT_GE(std::stoll(m.headers.at("original_offset")), 0);
    if (m.value == "not json") {
      EXPECT_EQ(m.headers.at("error").rfind("invalid_json", 0), 0u) << m.headers.at("error");
    } else {
      EXPECT_EQ(m.headers.at("error").rfind("unsupported_version", 0), 0u) << m.headers.at("error");
    }
  }
  EXPECT_EQ(values, (std::set<std::string>{"not json", v2.dump()}));
  EXPECT_FALSE(store_->GetEvent(MakeEvent("poison", 99).id)->has_value());
}

TEST_F(StoreConsumerTest, GracefulStopHandsOverWithoutLossOrRedelivery) {
  options_.consumer_batch_size = 10;
  const std::vector<Event> events = MakeEvents("resume", 0, 400);
  std::atomic<bool> publish_failed{false};
  std::thread publisher([&] {
    for (size_t i = 0; i < events.size(); i += 20) {
      std::vector<Event> batch(events.begin() + i, events.begin() + i + 20);
      if (!PublishAndWait(*feed_, std::move(batch))) publish_failed = true;
    }
  });
  auto first = StartConsumer(*store_);
  ASSERT_NE(first, nullptr);
  // Stop mid-stream: some, not all, stored.
  EXPECT_TRUE(waiter_.Until([&] { return Count(*store_) >= 50u; }));
  first->Stop();
  const StoreConsumerStats s1 = first->Stats();
  publisher.join();
  ASSERT_FALSE(publish_failed.load());
  EXPECT_LT(Count(*store_), events.size()) << "the first consumer finished everything";
  EXPECT_EQ(s1.commit_failures, 0u);

  auto second = StartConsumer(*store_);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(waiter_.Until([&] { return Count(*store_) == events.size(); }));
  EXPECT_TRUE(AllStored(*store_, events));
  // The stats count a batch after its commit listener ran: wait for them too.
  ASSERT_TRUE(waiter_.Until(
      [&] { return s1.events_stored + second->Stats().events_stored >= events.size(); }));
  // Offsets were committed up to exactly what the first one stored: no message twice.
  EXPECT_EQ(s1.events_stored + second->Stats().events_stored, events.size());
  EXPECT_EQ(store_->Stats().events_duplicate, 0u);
  auto chain = store_->VerifyChain();
  ASSERT_TRUE(chain.has_value());
  EXPECT_TRUE(chain->ok);
}

TEST_F(StoreConsumerTest, NothingIsCommittedPastAFailedStoreWrite) {
  options_.consumer_retry_backoff_max_ms = 200;
  const std::string path = dir_.File("events.db");
  const std::vector<Event> stored = MakeEvents("crash", 0, 100);
  const std::vector<Event> unstored = MakeEvents("crash", 100, 250);
  Publish(stored);
  auto first = StartConsumer(*store_);
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(waiter_.Until([&] { return Count(*store_) == stored.size(); }));
  ASSERT_TRUE(waiter_.Until([&] {
    const auto s = first->Stats();
    return s.events_stored == stored.size() && s.partitions.size() == kPartitions;
  }));

  // The store fails from now on (as a full disk would): the consumer retries and must
  // not commit the offsets of what it could not write.
  store_->Close();
  Publish(unstored);
  ASSERT_TRUE(waiter_.Until([&] { return first->Stats().store_failures >= 3u; }));
  first->Stop();
  const StoreConsumerStats s1 = first->Stats();
  EXPECT_EQ(s1.events_stored, stored.size());
  first.reset();
  store_.reset();

  // A new instance on the same file resumes from the committed offsets.
  store_ = OpenStore(path, waiter_);
  ASSERT_NE(store_, nullptr);
  auto second = StartConsumer(*store_);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(waiter_.Until([&] { return Count(*store_) == stored.size() + unstored.size(); }));
  EXPECT_TRUE(AllStored(*store_, unstored));
  ASSERT_TRUE(waiter_.Until([&] { return second->Stats().events_stored >= unstored.size(); }));
  EXPECT_EQ(second->Stats().events_duplicate, 0u) << "committed offsets were re-read";
  auto chain = store_->VerifyChain();
  ASSERT_TRUE(chain.has_value());
  EXPECT_TRUE(chain->ok);
}

// Two consumers in one group with the given assignor: they split the partitions; when one
// stops, the other takes them over without loss and without re-reading committed events.
void StoreConsumerTest::SplitAndFailOver(const std::string& assignor) {
  options_.consumer_extra["partition.assignment.strategy"] = assignor;
  auto a = StartConsumer(*store_);
  auto b = StartConsumer(*store_);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(waiter_.Until([&] {
    return a->Stats().partitions.size() == 2u && b->Stats().partitions.size() == 2u;
  })) << "partitions were not split: "
      << a->Stats().partitions.size() << " + " << b->Stats().partitions.size();
  std::set<int32_t> owned;
  for (const auto* c : {a.get(), b.get()})
    for (const auto& p : c->Stats().partitions) owned.insert(p.partition);
  EXPECT_EQ(owned.size(), static_cast<size_t>(kPartitions));

  const std::vector<Event> first = MakeEvents("split", 0, 200);
  Publish(first);
  ASSERT_TRUE(waiter_.Until([&] { return Count(*store_) == first.size(); }));
  ASSERT_TRUE(waiter_.Until(
      [&] { return a->Stats().events_stored + b->Stats().events_stored >= first.size(); }));
  EXPECT_GT(a->Stats().events_stored, 0u);
  EXPECT_GT(b->Stats().events_stored, 0u);

  a->Stop();
  ASSERT_TRUE(waiter_.Until([&] { return b->Stats().partitions.size() == kPartitions; }))
      << "the survivor did not take over";
  const std::vector<Event> second = MakeEvents("split", 200, 400);
  Publish(second);
  ASSERT_TRUE(waiter_.Until([&] { return Count(*store_) == first.size() + second.size(); }));
  EXPECT_TRUE(AllStored(*store_, first));
  EXPECT_TRUE(AllStored(*store_, second));
  ASSERT_TRUE(
      waiter_.Until([&] { return a->Stats().events_stored + b->Stats().events_stored >= 400u; }));
  EXPECT_EQ(a->Stats().events_stored + b->Stats().events_stored, 400u);
  EXPECT_EQ(store_->Stats().events_duplicate, 0u);
}

TEST_F(StoreConsumerTest, TwoConsumersSplitPartitionsAndFailOver) { SplitAndFailOver("range"); }

TEST_F(StoreConsumerTest, CooperativeRebalanceFailsOverToo) {
  SplitAndFailOver("cooperative-sticky");
}

}  // namespace
}  // namespace timelined::store
