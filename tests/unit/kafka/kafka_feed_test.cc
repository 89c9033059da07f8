// KafkaFeed against the mock cluster, and the KafkaFeed -> StoreConsumer -> SQLite path.
#include "store/kafka_feed.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>

#include "store/kafka_consumer.h"
#include "tests/unit/kafka/kafka_test_util.h"

namespace timelined::store {
namespace {

using namespace kafka_test;  // NOLINT(google-build-using-namespace)

class KafkaFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_ = cluster_.Options();
    store_ = OpenStore(dir_.File("events.db"), waiter_);
    ASSERT_NE(store_, nullptr);
  }

  std::unique_ptr<KafkaFeed> MakeFeed() {
    auto feed = KafkaFeed::Create(options_);
    EXPECT_TRUE(feed.has_value()) << (feed ? "" : feed.error().detail);
    return feed ? std::move(*feed) : nullptr;
  }
  std::unique_ptr<StoreConsumer> StartConsumer() {
    auto consumer = StoreConsumer::Create(options_, *store_);
    EXPECT_TRUE(consumer.has_value()) << (consumer ? "" : consumer.error().detail);
    if (!consumer) return nullptr;
    EXPECT_TRUE((*consumer)->Start().has_value());
    return std::move(*consumer);
  }
  // Every event is stored once, with its content intact, and the chain verifies.
  void ExpectStoredExactly(const std::vector<Event>& events) {
    EXPECT_EQ(Count(*store_), events.size());
    for (const Event& e : events) {
      auto got = store_->GetEvent(e.id);
      ASSERT_TRUE(got.has_value());
      ASSERT_TRUE(got->has_value()) << e.id;
      Event stored = **got;
      stored.seq = 0;
      stored.chain.clear();
      EXPECT_EQ(stored, e);
    }
    auto chain = store_->VerifyChain();
    ASSERT_TRUE(chain.has_value());
    EXPECT_TRUE(chain->ok) << chain->reason;
  }

  // Per-partition positions, for a failure message: which partition fell short, and where.
  static std::string Describe(const StoreConsumerStats& s) {
    std::string out = "stored " + std::to_string(s.events_stored) + ", rebalances " +
                      std::to_string(s.rebalances) + ", consumer errors " +
                      std::to_string(s.consumer_errors) + "; partitions:";
    for (const auto& p : s.partitions) {
      out += " " + std::to_string(p.partition) + "@" + std::to_string(p.committed) + "/" +
             std::to_string(p.high_watermark);
    }
    return out;
  }

  MockCluster cluster_;
  KafkaOptions options_;
  TempDir dir_;
  Waiter waiter_;
  std::unique_ptr<SqliteEventStore> store_;
};

TEST(KafkaFeedConfigTest, RejectsBadOptions) {
  KafkaOptions o;
  auto r = KafkaFeed::Create(o);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);

  o.brokers = "127.0.0.1:1";
  o.extra = {{"security.protocol", "carrier_pigeon"}};
  r = KafkaFeed::Create(o);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(r.error().detail.find("security.protocol"), std::string::npos) << r.error().detail;

  // A rejected secret property is named, its value never shown.
  o.extra = {{"sasl.oauthbearer.client.secret", "hunter2-secret"}};
  o.producer_extra = {{"ssl.key.password", "hunter2"}, {"no.such.property", "x"}};
  r = KafkaFeed::Create(o);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().detail.find("hunter2"), std::string::npos) << r.error().detail;
}

TEST_F(KafkaFeedTest, PublishedEventsAreStoredExactlyOnce) {
  auto feed = MakeFeed();
  ASSERT_NE(feed, nullptr);
  const std::vector<Event> events = MakeEvents("once", 0, 200);
  for (size_t i = 0; i < events.size(); i += 50) {
    std::vector<Event> batch(events.begin() + i, events.begin() + i + 50);
    auto r = PublishAndWait(*feed, std::move(batch));
    ASSERT_TRUE(r.has_value()) << r.error().message << ": " << r.error().detail;
    EXPECT_EQ(r->accepted, 50u);
  }
  EXPECT_TRUE(feed->Ready());
  const KafkaFeedStats fs = feed->Stats();
  EXPECT_EQ(fs.delivered, 200u);
  EXPECT_EQ(fs.in_flight, 0u);
  EXPECT_EQ(fs.batches_ok, 4u);

  auto consumer = StartConsumer();
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(waiter_.Until([&] { return Count(*store_) == events.size(); }));
  ExpectStoredExactly(events);
  ASSERT_TRUE(waiter_.Until([&] { return consumer->Stats().events_stored >= events.size(); }));
  // Lag drains to zero on every partition, and every partition was assigned here.
  ASSERT_TRUE(waiter_.Until([&] {
    const auto s = consumer->Stats();
    if (s.partitions.size() != static_cast<size_t>(kPartitions)) return false;
    for (const auto& p : s.partitions)
      if (p.lag != 0) return false;
    return true;
  })) << "lag did not drain";
  const StoreConsumerStats cs = consumer->Stats();
  EXPECT_EQ(cs.events_stored, 200u);
  EXPECT_EQ(cs.events_inserted, 200u);
  EXPECT_EQ(cs.events_duplicate, 0u);
  EXPECT_GE(cs.batches_committed, 2u);  // batch size 100
  EXPECT_EQ(cs.dlq_messages, 0u);
  int64_t high_sum = 0;
  for (const auto& p : cs.partitions) {
    EXPECT_GT(p.high_watermark, 0) << "partition " << p.partition << " got no events";
    high_sum += p.high_watermark;
  }
  EXPECT_EQ(high_sum, 200);
}

TEST_F(KafkaFeedTest, PublishingTwiceStoresEachEventOnce) {
  auto feed = MakeFeed();
  ASSERT_NE(feed, nullptr);
  const std::vector<Event> events = MakeEvents("twice", 0, 120);
  ASSERT_TRUE(PublishAndWait(*feed, events).has_value());
  ASSERT_TRUE(PublishAndWait(*feed, events).has_value());
  auto consumer = StartConsumer();
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(waiter_.Until([&] { return consumer->Stats().events_stored == 240u; }));
  ExpectStoredExactly(events);
  const StoreConsumerStats cs = consumer->Stats();
  EXPECT_EQ(cs.events_inserted, 120u);
  EXPECT_EQ(cs.events_duplicate, 120u);
}

TEST_F(KafkaFeedTest, RetriableProduceErrorsAreRetriedWithoutDuplicates) {
  // One Produce request in flight per broker. librdkafka 2.0.2's mock cluster checks no
  // sequence numbers for an idempotent producer without a transactional.id: of two requests
  // pipelined for a partition, it fails the first with its injected error, appends nothing,
  // and appends the second, which a real broker refuses (OUT_OF_ORDER_SEQUENCE_NUMBER).
  // librdkafka then acknowledges the first request's messages "implicitly" by the second's
  // success, as Kafka's sequence guarantee entitles it to: acknowledged, and not in the log,
  // by the mock's doing (issue 11: 1 to 4 messages missing in 7 of 16 runs under ASan, where
  // the events of one Publish span several linger windows). Unpipelined, each retry is the
  // next request of its partition and the mock's missing check cannot matter.
  options_.producer_extra["max.in.flight.requests.per.connection"] = "1";
  auto feed = MakeFeed();
  ASSERT_NE(feed, nullptr);
  // Warm up: metadata known and a producer id assigned before the errors are queued.
  ASSERT_TRUE(PublishAndWait(*feed, MakeEvents("inject", 0, 1)).has_value());
  for (int32_t broker = 1; broker <= 3; ++broker) {
    ASSERT_EQ(
        rd_kafka_mock_broker_push_request_error_rtts(
            cluster_.get(), broker, kApiProduce, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 0,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, 0,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, 0),
        RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  const std::vector<Event> events = MakeEvents("inject", 0, 150);
  auto r = PublishAndWait(*feed, events);
  ASSERT_TRUE(r.has_value()) << r.error().message << ": " << r.error().detail;
  for (int32_t broker = 1; broker <= 3; ++broker) {
    size_t left = 99;
    ASSERT_EQ(rd_kafka_mock_broker_error_stack_cnt(cluster_.get(), broker, kApiProduce, &left),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(left, 0u) << "broker " << broker << " did not see its injected errors";
  }
  EXPECT_EQ(feed->Stats().delivery_errors, 0u);
  // Every acknowledged message is in the topic and none is there twice: the 150 and the
  // warm-up event, sent again as event 0.
  EXPECT_EQ(TopicMessages(options_.brokers, options_.topic, kPartitions), 151)
      << "acknowledged messages are missing from the topic, or were written twice";

  auto consumer = StartConsumer();
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(waiter_.Until([&] { return consumer->Stats().events_stored >= 151u; }))
      << Describe(consumer->Stats());
  ExpectStoredExactly(events);
  EXPECT_EQ(consumer->Stats().events_duplicate, 1u);  // only the warm-up event, re-sent
}

TEST_F(KafkaFeedTest, BrokersDownFailsPublishInBoundThenRecovers) {
  options_.delivery_timeout_ms = 3000;
  auto feed = MakeFeed();
  ASSERT_NE(feed, nullptr);
  ASSERT_TRUE(waiter_.Until([&] { return feed->Ready(); })) << "never connected";
  ASSERT_TRUE(PublishAndWait(*feed, MakeEvents("down", 0, 10)).has_value());

  ASSERT_EQ(rd_kafka_mock_broker_set_down(cluster_.get(), -1), RD_KAFKA_RESP_ERR_NO_ERROR);
  const auto start = std::chrono::steady_clock::now();
  std::promise<Result<PublishResult>> promise;
  auto future = promise.get_future();
  feed->Publish(MakeEvents("down", 10, 20),
                [&promise](Result<PublishResult> r) { promise.set_value(std::move(r)); });
  ASSERT_EQ(future.wait_for(std::chrono::seconds(15)), std::future_status::ready)
      << "no completion while brokers were down";
  const auto elapsed = std::chrono::steady_clock::now() - start;
  auto failed = future.get();
  ASSERT_FALSE(failed.has_value()) << "success reported for events not in Kafka";
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  // message.timeout.ms plus librdkafka's 1 s timeout scan granularity and some slack.
  EXPECT_LT(elapsed, std::chrono::milliseconds(3000 + 5000));
  EXPECT_TRUE(waiter_.Until([&] { return !feed->Ready(); })) << "Ready() stayed true";
  EXPECT_EQ(feed->Stats().delivery_errors, 10u);

  ASSERT_EQ(rd_kafka_mock_broker_set_up(cluster_.get(), -1), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_TRUE(waiter_.Until([&] { return feed->Ready(); })) << "did not reconnect";
  std::vector<Event> acknowledged = MakeEvents("down", 0, 10);
  for (int round = 0; round < 3; ++round) {
    auto batch = MakeEvents("down", 20 + round * 10, 30 + round * 10);
    auto r = PublishAndWait(*feed, batch);
    ASSERT_TRUE(r.has_value()) << "round " << round << ": " << r.error().detail;
    acknowledged.insert(acknowledged.end(), batch.begin(), batch.end());
  }

  auto consumer = StartConsumer();
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(waiter_.Until([&] {
    for (const Event& e : acknowledged) {
      auto got = store_->GetEvent(e.id);
      if (!got || !got->has_value()) return false;
    }
    return true;
  })) << "an acknowledged event was not stored";
  auto chain = store_->VerifyChain();
  ASSERT_TRUE(chain.has_value());
  EXPECT_TRUE(chain->ok);
}

TEST_F(KafkaFeedTest, LocalQueueBoundRejectsWithExhausted) {
  options_.queue_limit = 10;
  options_.delivery_timeout_ms = 2000;
  auto feed = MakeFeed();
  ASSERT_NE(feed, nullptr);
  // Larger than the bound by itself: rejected at once, nothing produced.
  std::optional<Result<PublishResult>> inline_result;
  feed->Publish(MakeEvents("bound", 0, 11), [&](Result<PublishResult> r) { inline_result = r; });
  ASSERT_TRUE(inline_result.has_value()) << "a rejection should complete inline";
  ASSERT_FALSE(inline_result->has_value());
  EXPECT_EQ(inline_result->error().code, ErrorCode::kExhausted);

  // With brokers down, 8 events stay in flight; 5 more would exceed the bound.
  ASSERT_EQ(rd_kafka_mock_broker_set_down(cluster_.get(), -1), RD_KAFKA_RESP_ERR_NO_ERROR);
  std::promise<Result<PublishResult>> first;
  feed->Publish(MakeEvents("bound", 0, 8),
                [&first](Result<PublishResult> r) { first.set_value(std::move(r)); });
  EXPECT_EQ(feed->Stats().in_flight, 8u);
  inline_result.reset();
  feed->Publish(MakeEvents("bound", 8, 13), [&](Result<PublishResult> r) { inline_result = r; });
  ASSERT_TRUE(inline_result.has_value());
  ASSERT_FALSE(inline_result->has_value());
  EXPECT_EQ(inline_result->error().code, ErrorCode::kExhausted);
  EXPECT_EQ(feed->Stats().batches_rejected, 2u);

  auto f = first.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(15)), std::future_status::ready);
  auto r = f.get();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(feed->Stats().in_flight, 0u);
}

TEST_F(KafkaFeedTest, DestructorFailsWhatItCannotDeliver) {
  options_.flush_timeout_ms = 500;
  auto feed = MakeFeed();
  ASSERT_NE(feed, nullptr);
  ASSERT_EQ(rd_kafka_mock_broker_set_down(cluster_.get(), -1), RD_KAFKA_RESP_ERR_NO_ERROR);
  std::atomic<int> calls{0};
  std::atomic<int> failures{0};
  feed->Publish(MakeEvents("dtor", 0, 5), [&](Result<PublishResult> r) {
    ++calls;
    if (!r) ++failures;
  });
  feed.reset();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(failures.load(), 1);
}

}  // namespace
}  // namespace timelined::store
