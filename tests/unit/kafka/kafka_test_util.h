#pragma once
// Helpers for the Kafka tests: librdkafka's in-process mock cluster, a temporary SQLite
// store, event builders, raw produce/consume and bounded waits (no sleeps).
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/kafka_config.h"
#include "store/model/event.h"
#include "store/sqlite_store.h"
#include "tests/unit/store/store_test_util.h"

namespace timelined::store::kafka_test {

inline constexpr auto kWait = std::chrono::seconds(30);
inline constexpr Nanos kT0 = 1'773'480'000LL * kNanosPerSecond;  // 2026-03-14T09:20:00Z
inline constexpr int16_t kApiProduce = 0;                        // Kafka protocol ApiKey
inline constexpr int kPartitions = 4;

// Waits until pred() holds, re-checking whenever Notify() is called and at least every
// 20 ms; false after `timeout`.
class Waiter {
 public:
  bool Until(const std::function<bool()>& pred, std::chrono::milliseconds timeout = kWait) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mu_);
    while (!pred()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      cv_.wait_for(lock, std::chrono::milliseconds(20));
    }
    return true;
  }
  void Notify() { cv_.notify_all(); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
};

// A mock Kafka cluster of `brokers` brokers with the event topic (kPartitions partitions)
// and a one-partition DLQ topic.
class MockCluster {
 public:
  explicit MockCluster(int brokers = 3) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char errstr[256];
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    EXPECT_NE(rk_, nullptr) << errstr;
    mc_ = rd_kafka_mock_cluster_new(rk_, brokers);
    EXPECT_NE(mc_, nullptr);
    EXPECT_EQ(rd_kafka_mock_topic_create(mc_, "timelined.events", kPartitions, 1), 0);
    EXPECT_EQ(rd_kafka_mock_topic_create(mc_, "timelined.events.dlq", 1, 1), 0);
    // Deterministic leaders, so that every broker leads a partition of the event topic.
    for (int32_t p = 0; p < kPartitions; ++p)
      EXPECT_EQ(rd_kafka_mock_partition_set_leader(mc_, "timelined.events", p, p % brokers + 1), 0);
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(mc_);
    rd_kafka_destroy(rk_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  rd_kafka_mock_cluster_t* get() const { return mc_; }
  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(mc_); }

  // Options suited to the mock: short session timeout and reconnect backoff.
  KafkaOptions Options() const {
    KafkaOptions o;
    o.brokers = bootstraps();
    o.extra = {{"reconnect.backoff.max.ms", "500"}, {"log_level", "3"}};
    // TIMELINED_KAFKA_DEBUG=cgrp,fetch (librdkafka debug contexts) to see what a test does.
    if (const char* debug = getenv("TIMELINED_KAFKA_DEBUG")) {
      o.extra["debug"] = debug;
      o.extra["log_level"] = "7";
      spdlog::set_level(spdlog::level::debug);
    }
    // Keep topic.metadata.refresh.interval.ms at its default: a periodic refresh landing
    // while a join waits for metadata makes librdkafka 2.0.2 rejoin, and with the mock's
    // 5 s join delay a 1 s period lands there every time (a rejoin loop).
    o.consumer_extra = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}};
    o.consumer_batch_size = 100;
    o.lag_refresh_ms = 100;
    o.delivery_timeout_ms = 10'000;
    return o;
  }

 private:
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* mc_ = nullptr;
};

// The store tests' temp directory (removed on destruction).
using testing_util::TempDir;

inline std::unique_ptr<SqliteEventStore> OpenStore(const std::string& path, Waiter& waiter) {
  StoreOptions options;
  options.path = path;
  auto store = SqliteEventStore::Open(options);
  EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().detail);
  if (!store) return nullptr;
  (*store)->AddCommitListener([&waiter](const std::vector<Event>&) { waiter.Notify(); });
  return std::move(*store);
}

inline uint64_t Count(const SqliteEventStore& store) {
  auto n = store.CountEvents();
  return n ? *n : 0;
}

// Event i of a test: spread over incidents, scopes and sources so keys hit every partition.
inline Event MakeEvent(const std::string& tag, int i) {
  Event e;
  e.source = i % 3 == 0 ? "pagerduty" : (i % 3 == 1 ? "kubernetes" : "log");
  e.source_ref = tag + "-" + std::to_string(i);
  e.id = MakeEventId(e.source, e.source_ref);
  e.kind = i % 3 == 0 ? "incident.annotated" : (i % 3 == 1 ? "k8s.BackOff" : "log.error");
  e.occurred_at = kT0 + i * kNanosPerSecond;
  e.received_at = e.occurred_at + kNanosPerSecond;
  if (i % 3 == 0) e.incident_id = "Q" + std::to_string(i % 7);
  e.scope = "ns-" + std::to_string(i % 11) + "/api";
  e.severity = std::string(i % 2 ? kSeverityWarning : kSeverityError);
  e.actor = "tester";
  e.summary = "summary " + std::to_string(i);
  e.body = "body of " + e.source_ref;
  e.url = "https://example.test/" + e.source_ref;
  e.attrs = {{"i", i}, {"labels", {{"app", "api"}}}};
  e.raw_sha256 = std::string(64, 'a');
  return e;
}

inline std::vector<Event> MakeEvents(const std::string& tag, int from, int to) {
  std::vector<Event> out;
  for (int i = from; i < to; ++i) out.push_back(MakeEvent(tag, i));
  return out;
}

// Produces raw values to `topic` and waits for their delivery. True when all delivered.
inline bool ProduceRaw(const std::string& brokers, const std::string& topic,
                       const std::vector<std::string>& values) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[256];
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), errstr, sizeof(errstr));
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) return false;
  bool ok = true;
  for (const std::string& v : values) {
    ok = ok && rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY("raw", 3),
                                 RD_KAFKA_V_VALUE(const_cast<char*>(v.data()), v.size()),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR;
  }
  ok = ok && rd_kafka_flush(rk, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR;
  rd_kafka_destroy(rk);
  return ok;
}

// Messages in `topic`: the sum of its partitions' high watermarks, as the leaders report
// them; -1 if a query failed.
inline int64_t TopicMessages(const std::string& brokers, const std::string& topic, int partitions) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[256];
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), errstr, sizeof(errstr));
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) return -1;
  int64_t sum = 0;
  for (int32_t p = 0; p < partitions && sum >= 0; ++p) {
    int64_t lo = 0;
    int64_t hi = 0;
    if (rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &lo, &hi, 10'000) ==
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      sum += hi;
    } else {
      sum = -1;
    }
  }
  rd_kafka_destroy(rk);
  return sum;
}

struct RawMessage {
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

// Reads partition 0 of `topic` from the beginning until `count` messages arrived or
// `timeout` passed.
inline std::vector<RawMessage> ConsumeRaw(const std::string& brokers, const std::string& topic,
                                          size_t count, std::chrono::milliseconds timeout = kWait) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[256];
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), errstr, sizeof(errstr));
  rd_kafka_conf_set(conf, "group.id", "raw-reader", errstr, sizeof(errstr));
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  std::vector<RawMessage> out;
  if (rk == nullptr) return out;
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (!m->err) {
      RawMessage r;
      if (m->key) r.key.assign(static_cast<const char*>(m->key), m->key_len);
      if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
      rd_kafka_headers_t* hdrs = nullptr;
      if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == 0; ++i)
          r.headers[name] = std::string(static_cast<const char*>(value), size);
      }
      out.push_back(std::move(r));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

}  // namespace timelined::store::kafka_test
