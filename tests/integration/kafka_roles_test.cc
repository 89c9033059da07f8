// `serve --role ingest|store|all` through the real binary against librdkafka's mock
// cluster, started in this test process: the daemons get its bootstrap address in
// [kafka] brokers. What is checked (issue 5): events posted to an ingest instance are
// stored once each by a store instance; a store instance SIGKILLed mid-stream and
// restarted loses and duplicates nothing; with the brokers down a post gets 503, never a
// 2xx for an event that is not in Kafka; injected produce errors are retried without
// duplicates; a poison message goes to the DLQ and the consumer carries on; a stopped store
// instance's partitions move to the other one.
//
// The mock's first group join takes ~3 s and a member joining after another one left waits
// session.timeout.ms - 1 s (6 s here); it keeps only ~5 MB per partition: volumes are small.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/model/event.h"
#include "tests/integration/harness.h"

namespace timelined::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kPartitions = 4;
constexpr int16_t kApiProduce = 0;  // Kafka protocol ApiKey
const char* const kTopic = "timelined.events";
const char* const kDlq = "timelined.events.dlq";

class MockCluster {
 public:
  MockCluster() {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char errstr[256];
    rd_kafka_conf_set(conf, "log_level", "2", errstr, sizeof(errstr));
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    EXPECT_NE(rk_, nullptr) << errstr;
    mc_ = rd_kafka_mock_cluster_new(rk_, 3);
    EXPECT_NE(mc_, nullptr);
    EXPECT_EQ(rd_kafka_mock_topic_create(mc_, kTopic, kPartitions, 1), 0);
    EXPECT_EQ(rd_kafka_mock_topic_create(mc_, kDlq, 1, 1), 0);
    for (int32_t p = 0; p < kPartitions; ++p)
      EXPECT_EQ(rd_kafka_mock_partition_set_leader(mc_, kTopic, p, p % 3 + 1), 0);
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(mc_);
    rd_kafka_destroy(rk_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  rd_kafka_mock_cluster_t* get() const { return mc_; }
  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(mc_); }
  void SetBrokersUp(bool up) {
    for (int32_t b = 1; b <= 3; ++b) {
      if (up) {
        rd_kafka_mock_broker_set_up(mc_, b);
      } else {
        rd_kafka_mock_broker_set_down(mc_, b);
      }
    }
  }

  // The [kafka] section for a daemon: short session timeout and reconnect backoff suited
  // to the mock; `delivery_timeout_ms` bounds how long a post waits for a down cluster.
  // TIMELINED_KAFKA_DEBUG=fetch,cgrp (librdkafka debug contexts) logs them in every daemon.
  std::string Toml(int delivery_timeout_ms = 10'000) const {
    const char* debug = getenv("TIMELINED_KAFKA_DEBUG");
    // socket.timeout.ms: a broker set down by the mock leaves requests in flight unanswered;
    // they fail (and the client reconnects) after this, 60 s by default.
    return "[kafka]\nbrokers = \"" + bootstraps() +
           "\"\n"
           "consumer_batch_size = 100\n"
           "delivery_timeout_ms = " +
           std::to_string(delivery_timeout_ms) +
           "\n"
           "[kafka.properties]\n"
           "\"session.timeout.ms\" = 6000\n"
           "\"heartbeat.interval.ms\" = 500\n"
           "\"reconnect.backoff.max.ms\" = 500\n"
           "\"socket.timeout.ms\" = 5000\n" +
           (debug ? "\"debug\" = \"" + std::string(debug) +
                        "\"\n\"log_level\" = 7\n[log]\nlevel = \"debug\"\n"
                  : std::string("\"log_level\" = 3\n"));
  }

 private:
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* mc_ = nullptr;
};

const std::vector<std::string> kIngest = {"--role", "ingest"};
const std::vector<std::string> kStore = {"--role", "store"};

std::string EventJson(const std::string& ref) {
  return json{{"source", "log"},
              {"source_ref", ref},
              {"kind", "log.error"},
              {"occurred_at", "2026-03-14T09:26:10Z"},
              {"scope", "log/payments/" + ref},  // the key: spread over partitions
              {"severity", "error"},
              {"summary", "disk full on db-1"}}
      .dump();
}

// Posts refs [from, to) as one request; returns the status.
int PostBatch(HttpClient& client, const std::string& tag, int from, int to) {
  json events = json::array();
  for (int i = from; i < to; ++i) events.push_back(json::parse(EventJson(tag + std::to_string(i))));
  return client
      .Call("POST", "/ingest/events", json{{"events", events}}.dump(),
            {{"content-type", "application/json"}})
      .status;
}

std::string Id(const std::string& ref) { return MakeEventId("log", ref); }

// The ids stored in a daemon's SQLite file (read-only, while it runs), and how many rows.
struct Stored {
  std::multiset<std::string> ids;
  bool Has(const std::string& id) const { return ids.contains(id); }
  size_t Distinct() const { return std::set<std::string>(ids.begin(), ids.end()).size(); }
};

Stored ReadStored(const std::string& db) {
  Stored out;
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return out;
  }
  sqlite3_busy_timeout(h, 2000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, "SELECT id FROM events", -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW)
      out.ids.insert(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

// A metric's value from /metrics (the first series whose line starts with `series`).
double Metric(uint16_t port, const std::string& series) {
  auto r = HttpCall(port, "GET", "/metrics");
  size_t at = r.body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(r.body.substr(at + series.size() + 2));
}

bool ReadyWithKafka(uint16_t port) { return HttpCall(port, "GET", "/readyz").status == 200; }

// Every value in the event topic (all partitions, from the beginning), for diagnostics.
std::vector<std::string> TopicValues(const std::string& brokers) {
  std::vector<std::string> out;
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[256];
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), errstr, sizeof(errstr));
  rd_kafka_conf_set(conf, "group.id", "topic-reader", errstr, sizeof(errstr));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) return out;
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(kPartitions);
  for (int p = 0; p < kPartitions; ++p)
    rd_kafka_topic_partition_list_add(parts, kTopic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  int idle = 0;
  while (idle < (out.empty() ? 100 : 30)) {  // 10 s for the first message, then 3 s idle
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) {
      ++idle;
      continue;
    }
    idle = 0;
    if (!m->err && m->payload)  // "p<partition>@<offset> <value>"
      out.emplace_back("p" + std::to_string(m->partition) + "@" + std::to_string(m->offset) + " " +
                       std::string(static_cast<const char*>(m->payload), m->len));
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

TEST(KafkaRoles, RolesNeedKafkaAndBadRolesFail) {
  TempDir dir;
  auto bad = RunTimelined({"serve", "--role", "archive", "--db", dir.File("x.db")});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("unknown role 'archive'"), std::string::npos) << bad.output;
  for (const char* role : {"ingest", "store"}) {
    auto r = RunTimelined({"serve", "--role", role, "--db", dir.File("x.db")});
    EXPECT_EQ(r.exit_code, 1) << role;
    EXPECT_NE(r.output.find("needs Kafka: set [kafka] brokers"), std::string::npos) << r.output;
  }
  WriteFile(dir.File("bad.toml"),
            "[kafka]\nbrokers = \"127.0.0.1:1\"\n[kafka.properties]\n\"no.such.property\" = 1\n");
  auto unknown = RunTimelined({"check-config", dir.File("bad.toml")});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("kafka.properties.no.such.property"), std::string::npos)
      << unknown.output;
  EXPECT_NE(unknown.output.find("No such configuration property"), std::string::npos)
      << unknown.output;
  EXPECT_FALSE(std::filesystem::exists(dir.File("x.db")));
}

// Ingest → Kafka → store: once each; the ingest instance opens no SQLite and serves no
// reads; the store instance serves no ingest routes.
TEST(KafkaRoles, IngestToStoreOnceEach) {
  MockCluster kafka;
  TempDir store_dir, ingest_dir;
  Daemon store(store_dir, kafka.Toml(), "", kStore);
  ASSERT_TRUE(store.started()) << ReadFile(store.log_path());
  Daemon ingest(ingest_dir, kafka.Toml(), "", kIngest);
  ASSERT_TRUE(ingest.started()) << ReadFile(ingest.log_path());
  ASSERT_TRUE(WaitUntil([&] { return ReadyWithKafka(ingest.port()); }));
  auto ready = json::parse(HttpCall(ingest.port(), "GET", "/readyz").body);
  EXPECT_EQ(ready["role"], "ingest");
  EXPECT_EQ(ready["feed"], "kafka");
  EXPECT_EQ(ready["kafka_producer_connected"], true);

  HttpClient client(ingest.port());
  constexpr int kN = 300;
  for (int i = 0; i < kN; i += 20) ASSERT_EQ(PostBatch(client, "a", i, i + 20), 200);
  ASSERT_TRUE(WaitUntil([&] { return ReadStored(store.db_path()).ids.size() >= kN; }))
      << ReadStored(store.db_path()).ids.size();
  Stored s = ReadStored(store.db_path());
  EXPECT_EQ(s.ids.size(), static_cast<size_t>(kN));
  EXPECT_EQ(s.Distinct(), static_cast<size_t>(kN));
  for (int i = 0; i < kN; ++i) EXPECT_TRUE(s.Has(Id("a" + std::to_string(i)))) << i;

  // Roles: no SQLite and no read routes on ingest; no ingest routes on store.
  EXPECT_FALSE(std::filesystem::exists(ingest.db_path()));
  EXPECT_EQ(HttpCall(ingest.port(), "GET", "/v1/incidents").status, 404);
  EXPECT_EQ(HttpCall(ingest.port(), "GET", "/v1/events/" + Id("a1")).status, 404);
  EXPECT_EQ(HttpCall(store.port(), "POST", "/ingest/events", EventJson("z")).status, 404);
  EXPECT_EQ(HttpCall(store.port(), "GET", "/v1/events/" + Id("a1")).status, 200);
  EXPECT_TRUE(WaitUntil([&] { return ReadyWithKafka(store.port()); }));

  EXPECT_EQ(Metric(ingest.port(), "timelined_kafka_delivered_total"), kN);
  EXPECT_EQ(Metric(ingest.port(), "timelined_kafka_produce_queue_depth"), 0);
  EXPECT_GE(Metric(store.port(), "timelined_kafka_consumer_batches_committed_total"), 1);
  EXPECT_TRUE(WaitUntil([&] {
    auto body = HttpCall(store.port(), "GET", "/metrics").body;
    return body.find("timelined_kafka_consumer_lag{") != std::string::npos;
  }));
  EXPECT_EQ(ingest.Stop(SIGTERM), 0);
  EXPECT_EQ(store.Stop(SIGTERM), 0);
}

// SIGKILL the store instance mid-stream, restart it on the same file: nothing missing,
// nothing duplicated.
TEST(KafkaRoles, StoreKilledMidStreamLosesAndDuplicatesNothing) {
  MockCluster kafka;
  TempDir store_dir, ingest_dir;
  auto store = std::make_unique<Daemon>(store_dir, kafka.Toml(), "", kStore);
  ASSERT_TRUE(store->started()) << ReadFile(store->log_path());
  Daemon ingest(ingest_dir, kafka.Toml(), "", kIngest);
  ASSERT_TRUE(ingest.started()) << ReadFile(ingest.log_path());
  HttpClient client(ingest.port());
  constexpr int kN = 600;
  int posted = 0;
  for (; posted < kN / 2; posted += 20) ASSERT_EQ(PostBatch(client, "k", posted, posted + 20), 200);
  // Mid-stream: some of it stored, not necessarily all.
  ASSERT_TRUE(WaitUntil([&] { return !ReadStored(store->db_path()).ids.empty(); }));
  store->Stop(SIGKILL);
  for (; posted < kN; posted += 20) ASSERT_EQ(PostBatch(client, "k", posted, posted + 20), 200);
  store = std::make_unique<Daemon>(store_dir, kafka.Toml(), "", kStore);
  ASSERT_TRUE(store->started()) << ReadFile(store->log_path());
  ASSERT_TRUE(WaitUntil([&] { return ReadStored(store->db_path()).ids.size() >= kN; }, seconds(60)))
      << ReadStored(store->db_path()).ids.size();
  Stored s = ReadStored(store->db_path());
  EXPECT_EQ(s.ids.size(), static_cast<size_t>(kN));
  EXPECT_EQ(s.Distinct(), static_cast<size_t>(kN));
  for (int i = 0; i < kN; ++i) EXPECT_TRUE(s.Has(Id("k" + std::to_string(i)))) << i;
  EXPECT_EQ(store->Stop(SIGTERM), 0);
  auto verify = RunTimelined({"verify-store", "--db", store->db_path()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

// Brokers down during a stream of posts: every 2xx is stored once they are back; every
// other answer is 503 (with Retry-After).
TEST(KafkaRoles, BrokersDownEveryAcknowledgedPostIsStored) {
  MockCluster kafka;
  TempDir store_dir, ingest_dir;
  Daemon store(store_dir, kafka.Toml(), "", kStore);
  ASSERT_TRUE(store.started()) << ReadFile(store.log_path());
  Daemon ingest(ingest_dir, kafka.Toml(1500), "", kIngest);
  ASSERT_TRUE(ingest.started()) << ReadFile(ingest.log_path());
  ASSERT_TRUE(WaitUntil([&] { return ReadyWithKafka(ingest.port()); }));

  std::atomic<int> unavailable{0};
  std::atomic<bool> done{false};
  std::vector<int> acked;  // refs answered 2xx
  std::vector<int> other_status;
  std::thread poster([&] {
    HttpClient client(ingest.port());
    for (int i = 0; !done.load(); ++i) {
      auto r = client.Call("POST", "/ingest/events", EventJson("d" + std::to_string(i)),
                           {{"content-type", "application/json"}});
      if (r.status == 200) {
        acked.push_back(i);
      } else if (r.status == 503 && r.headers.contains("retry-after")) {
        ++unavailable;
      } else {
        other_status.push_back(r.status);
      }
    }
  });
  ASSERT_TRUE(WaitUntil([&] { return ReadStored(store.db_path()).ids.size() >= 20; }));
  kafka.SetBrokersUp(false);
  // Down until posts have failed, and /readyz says so.
  EXPECT_TRUE(WaitUntil([&] { return unavailable.load() >= 2; }));
  EXPECT_TRUE(WaitUntil([&] { return !ReadyWithKafka(ingest.port()); }));
  kafka.SetBrokersUp(true);
  EXPECT_TRUE(WaitUntil([&] { return ReadyWithKafka(ingest.port()); }));
  done = true;
  poster.join();
  // One more after the outage, so the stream demonstrably resumed.
  HttpClient client(ingest.port());
  ASSERT_EQ(PostBatch(client, "after", 0, 5), 200);
  EXPECT_TRUE(other_status.empty()) << other_status.front();
  EXPECT_GE(unavailable.load(), 2);
  auto missing = [&] {
    Stored s = ReadStored(store.db_path());
    std::vector<int> out;
    for (int i : acked)
      if (!s.Has(Id("d" + std::to_string(i)))) out.push_back(i);
    if (!s.Has(Id("after4"))) out.push_back(-1);
    return out;
  };
  if (!WaitUntil([&] { return missing().empty(); })) {
    // Say whether the missing events reached Kafka (producer side) or not (consumer side).
    Stored st = ReadStored(store.db_path());
    std::string report;
    for (const std::string& v : TopicValues(kafka.bootstraps())) {
      auto j = json::parse(v.substr(v.find(' ') + 1), nullptr, false);
      if (!j.is_discarded() && !st.Has(j.value("id", "")))
        report += v.substr(0, v.find(' ')) + " " + j.value("source_ref", "") + " not stored\n";
    }
    ADD_FAILURE() << missing().size() << " of " << acked.size()
                  << " acknowledged posts not stored, first " << missing().front()
                  << "; in the topic but not stored:\n"
                  << report << "store log:\n"
                  << ReadFile(store.log_path());
  }
  Stored s = ReadStored(store.db_path());
  EXPECT_EQ(s.ids.size(), s.Distinct());
  EXPECT_GT(Metric(ingest.port(), "timelined_kafka_delivery_errors_total"), 0);
}

// Produce requests failing with retriable errors: the producer retries, every post gets
// its 2xx and the store holds each event once (and saw no duplicate).
TEST(KafkaRoles, InjectedProduceErrorsAreRetriedWithoutDuplicates) {
  MockCluster kafka;
  TempDir store_dir, ingest_dir;
  Daemon store(store_dir, kafka.Toml(), "", kStore);
  ASSERT_TRUE(store.started()) << ReadFile(store.log_path());
  Daemon ingest(ingest_dir, kafka.Toml(), "", kIngest);
  ASSERT_TRUE(ingest.started()) << ReadFile(ingest.log_path());
  HttpClient client(ingest.port());
  ASSERT_EQ(PostBatch(client, "warm", 0, 4), 200);  // connected, producer id assigned
  for (int32_t broker = 1; broker <= 3; ++broker) {
    ASSERT_EQ(rd_kafka_mock_broker_push_request_error_rtts(
                  kafka.get(), broker, kApiProduce, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                  0, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, 0,
                  RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, 0),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  constexpr int kN = 200;
  for (int i = 0; i < kN; i += 10) ASSERT_EQ(PostBatch(client, "e", i, i + 10), 200);
  ASSERT_TRUE(WaitUntil([&] { return ReadStored(store.db_path()).ids.size() >= kN + 4; }));
  Stored s = ReadStored(store.db_path());
  EXPECT_EQ(s.ids.size(), static_cast<size_t>(kN + 4));
  EXPECT_EQ(s.Distinct(), s.ids.size());
  for (int32_t broker = 1; broker <= 3; ++broker) {
    size_t left = 99;
    ASSERT_EQ(rd_kafka_mock_broker_error_stack_cnt(kafka.get(), broker, kApiProduce, &left),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(left, 0u) << "broker " << broker << " did not see its injected errors";
  }
  EXPECT_EQ(Metric(ingest.port(), "timelined_kafka_delivered_total"), kN + 4);
  EXPECT_EQ(Metric(ingest.port(), "timelined_kafka_delivery_errors_total"), 0);
  EXPECT_EQ(Metric(store.port(), "timelined_kafka_consumer_events_duplicate_total"), 0);
  // The idempotent producer wrote no message twice.
  EXPECT_EQ(TopicValues(kafka.bootstraps()).size(), static_cast<size_t>(kN + 4));
}

// Produces raw values straight to the topic (not through timelined).
bool ProduceRaw(const std::string& brokers, const std::string& value) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[256];
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), errstr, sizeof(errstr));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) return false;
  bool ok = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(kTopic), RD_KAFKA_V_KEY("poison", 6),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR;
  ok = ok && rd_kafka_flush(rk, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR;
  rd_kafka_destroy(rk);
  return ok;
}

// Reads the DLQ topic (one partition) from the beginning: headers of the first message.
std::map<std::string, std::string> FirstDlqHeaders(const std::string& brokers) {
  std::map<std::string, std::string> out;
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[256];
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), errstr, sizeof(errstr));
  rd_kafka_conf_set(conf, "group.id", "dlq-reader", errstr, sizeof(errstr));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) return out;
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, kDlq, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  const auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (out.empty() && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    rd_kafka_headers_t* hdrs = nullptr;
    if (!m->err && rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name;
      const void* value;
      size_t size;
      for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == 0; ++i)
        out[name] = std::string(static_cast<const char*>(value), size);
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

// A poison message lands in the DLQ with its error and origin; the consumer carries on.
// Runs `--role all` with Kafka: KafkaFeed and the store consumer in one process.
TEST(KafkaRoles, PoisonMessageGoesToTheDlqAndTheConsumerCarriesOn) {
  MockCluster kafka;
  TempDir dir;
  Daemon all(dir, kafka.Toml(), "", {"--role", "all"});
  ASSERT_TRUE(all.started()) << ReadFile(all.log_path());
  HttpClient client(all.port());
  ASSERT_EQ(PostBatch(client, "p", 0, 10), 200);
  ASSERT_TRUE(ProduceRaw(kafka.bootstraps(), "{not json"));
  ASSERT_EQ(PostBatch(client, "p", 10, 20), 200);
  ASSERT_TRUE(WaitUntil([&] { return ReadStored(all.db_path()).ids.size() >= 20; }));
  EXPECT_TRUE(
      WaitUntil([&] { return Metric(all.port(), "timelined_kafka_dlq_messages_total") == 1; }));
  auto headers = FirstDlqHeaders(kafka.bootstraps());
  EXPECT_EQ(headers["original_topic"], kTopic);
  EXPECT_TRUE(headers["error"].starts_with("invalid_json")) << headers["error"];
  EXPECT_TRUE(headers.contains("original_partition"));
  EXPECT_TRUE(headers.contains("original_offset"));
  EXPECT_EQ(ReadStored(all.db_path()).ids.size(), 20u);
  EXPECT_EQ(HttpCall(all.port(), "GET", "/v1/events/" + Id("p15")).status, 200);
}

// Two store instances in one group (each with its own SQLite file) split the partitions;
// stopping one moves its partitions to the other, and nothing is lost.
TEST(KafkaRoles, StoppingOneOfTwoStoreInstancesMovesItsPartitions) {
  MockCluster kafka;
  TempDir a_dir, b_dir, ingest_dir;
  Daemon a(a_dir, kafka.Toml(), "", kStore);
  ASSERT_TRUE(a.started()) << ReadFile(a.log_path());
  Daemon b(b_dir, kafka.Toml(), "", kStore);
  ASSERT_TRUE(b.started()) << ReadFile(b.log_path());
  Daemon ingest(ingest_dir, kafka.Toml(), "", kIngest);
  ASSERT_TRUE(ingest.started()) << ReadFile(ingest.log_path());
  HttpClient client(ingest.port());
  constexpr int kN = 200;
  for (int i = 0; i < kN; i += 20) ASSERT_EQ(PostBatch(client, "s", i, i + 20), 200);
  auto union_has_all = [&](const std::string& tag) {
    Stored sa = ReadStored(a.db_path());
    Stored sb = ReadStored(b.db_path());
    for (int i = 0; i < kN; ++i) {
      std::string id = Id(tag + std::to_string(i));
      if (!sa.Has(id) && !sb.Has(id)) return false;
    }
    return true;
  };
  ASSERT_TRUE(WaitUntil([&] { return union_has_all("s"); }, seconds(60)));
  // Both members got partitions (the group split them): each file holds part of it.
  EXPECT_TRUE(WaitUntil([&] {
    return !ReadStored(a.db_path()).ids.empty() && !ReadStored(b.db_path()).ids.empty();
  }));
  ASSERT_EQ(a.Stop(SIGTERM), 0);
  for (int i = 0; i < kN; i += 20) ASSERT_EQ(PostBatch(client, "t", i, i + 20), 200);
  // Everything posted after the stop ends up in b.
  ASSERT_TRUE(WaitUntil(
      [&] {
        Stored sb = ReadStored(b.db_path());
        for (int i = 0; i < kN; ++i)
          if (!sb.Has(Id("t" + std::to_string(i)))) return false;
        return true;
      },
      seconds(60)));
  EXPECT_TRUE(union_has_all("s"));
  Stored sa = ReadStored(a.db_path());
  Stored sb = ReadStored(b.db_path());
  EXPECT_EQ(sa.ids.size(), sa.Distinct());
  EXPECT_EQ(sb.ids.size(), sb.Distinct());
}

}  // namespace
}  // namespace timelined::testing

namespace timelined::testing {
namespace {

// Acceptance parity (issue 11): whatever ingest answers 2xx, the store consumer stores —
// nothing acknowledged turns into a dead letter. A table of edge-case events, each posted
// on its own; the ones refused must be refused before the 2xx.
TEST(KafkaRoles, EverythingAcknowledgedIsStoredNothingGoesToTheDlq) {
  MockCluster kafka;
  TempDir dir;
  Daemon all(dir, kafka.Toml(), "", {"--role", "all"});
  ASSERT_TRUE(all.started()) << ReadFile(all.log_path());
  ASSERT_TRUE(WaitUntil([&] { return ReadyWithKafka(all.port()); }));

  auto base = [](const std::string& ref) {
    return json{{"source", "custom"}, {"source_ref", ref}, {"kind", "k"}, {"occurred_at", 5}};
  };
  auto nested = [](int levels) {
    json v = "leaf";
    for (int i = 0; i < levels; ++i) v = json::array({v});
    return v;
  };
  std::vector<std::pair<std::string, std::string>> bodies;  // name, body
  auto add = [&](const std::string& name, json j) { bodies.emplace_back(name, j.dump()); };
  add("plain", base("plain"));
  {
    json j = base("unicode \xe2\x82\xac \xf0\x9f\x94\xa5");
    j["summary"] = "caf\xc3\xa9 \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac";
    j["attrs"] = {{"\xc3\xa9t\xc3\xa9", "\xf0\x9f\x98\x80"}};
    add("unicode", j);
  }
  {
    json j = base("attrs31");
    j["attrs"] = {{"d", nested(30)}};
    add("attrs at the depth limit", j);
  }
  {
    json j = base("attrs40");
    j["attrs"] = {{"d", nested(40)}};
    add("attrs too deep", j);
  }
  {
    json j = base("numbers");
    j["attrs"] = {{"u", std::numeric_limits<uint64_t>::max()},
                  {"i", std::numeric_limits<int64_t>::min()},
                  {"f", 1e308},
                  {"g", 0.1},
                  {"z", -0.0}};
    add("extreme numbers", j);
  }
  {
    json j = base(std::string(2048, 'r'));
    j["summary"] = std::string(4096, 's');
    j["body"] = std::string(256 * 1024, 'b');
    add("fields at their size limits", j);
  }
  {
    json j = base("received-negative");
    j["received_at"] = -1;
    add("negative received_at", j);
  }
  {
    json j = base("escapes");
    j["body"] = std::string("nul \0 tab \t quote \" backslash \\ ctrl \x01", 38);
    add("control characters", j);
  }

  HttpClient client(all.port());
  std::set<std::string> acked;
  size_t refused = 0;
  for (const auto& [name, body] : bodies) {
    auto r = client.Call("POST", "/ingest/events", body, {{"content-type", "application/json"}});
    ASSERT_TRUE(r.status == 200 || r.status == 400) << name << ": " << r.status << " " << r.body;
    if (r.status == 200) {
      const json answer = json::parse(r.body);
      for (const auto& id : answer["ids"]) acked.insert(id.get<std::string>());
    } else {
      ++refused;
    }
  }
  // Text logs: one not UTF-8 in the line, one not UTF-8 in a label.
  auto text = client.Call("POST", "/ingest/logs?app=api", "2026-03-14T09:00:00Z caf\xe9 down\n",
                          {{"content-type", "text/plain"}});
  ASSERT_EQ(text.status, 200) << text.body;
  auto label = client.Call("POST", "/ingest/logs?app=%FFpay", "2026-03-14T09:00:01Z up\n",
                           {{"content-type", "text/plain"}});
  EXPECT_TRUE(label.status == 200 || label.status == 400) << label.body;
  const size_t logs_acked = 1 + (label.status == 200 ? 1 : 0);

  EXPECT_EQ(refused, 2u) << "attrs too deep and a negative received_at are refused";
  ASSERT_TRUE(WaitUntil([&] {
    return ReadStored(all.db_path()).ids.size() >= acked.size() + logs_acked;
  })) << ReadStored(all.db_path()).ids.size()
      << " of " << acked.size() + logs_acked;
  const Stored s = ReadStored(all.db_path());
  for (const std::string& id : acked) EXPECT_TRUE(s.Has(id)) << id;
  EXPECT_EQ(s.ids.size(), acked.size() + logs_acked);
  EXPECT_LE(Metric(all.port(), "timelined_kafka_dlq_messages_total"), 0);  // -1: not shown
}

}  // namespace
}  // namespace timelined::testing
