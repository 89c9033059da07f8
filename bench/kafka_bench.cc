// kafka_bench: end-to-end events/s of KafkaFeed -> librdkafka mock cluster -> StoreConsumer
// -> SQLite, next to LocalFeed -> SQLite in the same run, then consumer lag under a
// sustained load at half the Kafka rate. Prints a table; asserts nothing.
//
//   kafka_bench [--events N] [--batch B] [--window W] [--seconds S] [--dir DIR]
//
// The mock cluster keeps only ~5 MB per partition: keep N modest (default 40000) so the
// consumer never falls behind retention.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "store/kafka_consumer.h"
#include "store/kafka_feed.h"
#include "store/local_feed.h"
#include "store/sqlite_store.h"

namespace {

using timelined::Event;
using timelined::Feed;
using timelined::PublishResult;
using timelined::Result;
using namespace timelined::store;  // NOLINT(google-build-using-namespace)
using Clock = std::chrono::steady_clock;

struct Args {
  int events = 40'000;
  int batch = 100;
  int window = 64;  // batches in flight per publisher
  int seconds = 10;
  std::string dir;
};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// CPU seconds (user + system) used by this process so far: on a shared machine the wall
// clock rates swing with other load, CPU per event much less.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

Event MakeEvent(const std::string& tag, int i) {
  Event e;
  e.source = "kubernetes";
  e.source_ref = tag + "/" + std::to_string(i);
  e.id = timelined::MakeEventId(e.source, e.source_ref);
  e.kind = "k8s.BackOff";
  e.occurred_at = 1'773'480'000LL * 1'000'000'000LL + i;
  e.received_at = e.occurred_at + 1'000'000;
  e.scope = "payments/api-" + std::to_string(i % 16);
  if (i % 4 == 0) e.incident_id = "Q" + std::to_string(i % 13);
  e.severity = "warning";
  e.summary = "Back-off restarting failed container api in pod api-" + std::to_string(i % 50);
  e.body = std::string(200, 'x');
  e.attrs = {{"count", i % 9}, {"reason", "BackOff"}, {"pod", "api-" + std::to_string(i % 50)}};
  e.raw_sha256 = std::string(64, 'c');
  return e;
}

std::vector<std::vector<Event>> MakeBatches(const std::string& tag, int n, int batch) {
  std::vector<std::vector<Event>> out;
  for (int i = 0; i < n; i += batch) {
    std::vector<Event> b;
    for (int j = i; j < std::min(n, i + batch); ++j) b.push_back(MakeEvent(tag, j));
    out.push_back(std::move(b));
  }
  return out;
}

// Publishes every batch with up to `window` in flight; returns the failures.
int PublishAll(Feed& feed, std::vector<std::vector<Event>> batches, int window) {
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  int failures = 0;
  for (auto& b : batches) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < window; });
      ++in_flight;
    }
    feed.Publish(std::move(b), [&](Result<PublishResult> r) {
      std::lock_guard lock(mu);
      --in_flight;
      if (!r) ++failures;
      cv.notify_all();
    });
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  return failures;
}

struct Store {
  std::unique_ptr<SqliteEventStore> db;
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<uint64_t> inserted{0};

  explicit Store(const std::string& path) {
    StoreOptions o;
    o.path = path;
    auto s = SqliteEventStore::Open(o);
    if (!s) {
      std::fprintf(stderr, "open %s: %s\n", path.c_str(), s.error().detail.c_str());
      std::exit(1);
    }
    db = std::move(*s);
    db->AddCommitListener([this](const std::vector<Event>& ev) {
      inserted += ev.size();
      cv.notify_all();
    });
  }
  bool WaitFor(uint64_t n, std::chrono::seconds timeout) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return inserted.load() >= n; });
  }
};

class Mock {
 public:
  explicit Mock(int partitions) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char errstr[256];
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    mc_ = rd_kafka_mock_cluster_new(rk_, 3);
    rd_kafka_mock_topic_create(mc_, "timelined.events", partitions, 1);
    rd_kafka_mock_topic_create(mc_, "timelined.events.dlq", 1, 1);
  }
  ~Mock() {
    rd_kafka_mock_cluster_destroy(mc_);
    rd_kafka_destroy(rk_);
  }
  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(mc_); }

 private:
  rd_kafka_t* rk_;
  rd_kafka_mock_cluster_t* mc_;
};

KafkaOptions Options(const Mock& mock) {
  KafkaOptions o;
  o.brokers = mock.bootstraps();
  o.extra = {{"log_level", "3"}};
  o.consumer_extra = {{"session.timeout.ms", "6000"}};
  o.lag_refresh_ms = 50;
  return o;
}

int64_t TotalLag(const StoreConsumer& c) {
  int64_t sum = 0;
  for (const auto& p : c.Stats().partitions) sum += std::max<int64_t>(p.lag, 0);
  return sum;
}

bool WaitAssigned(const StoreConsumer& c, size_t partitions) {
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock lock(mu);
  while (c.Stats().partitions.size() < partitions) {
    if (Clock::now() > deadline) return false;
    cv.wait_for(lock, std::chrono::milliseconds(20));
  }
  return true;
}

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--events") a.events = std::atoi(v);
    if (k == "--batch") a.batch = std::atoi(v);
    if (k == "--window") a.window = std::atoi(v);
    if (k == "--seconds") a.seconds = std::atoi(v);
    if (k == "--dir") a.dir = v;
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  Args args = Parse(argc, argv);
  std::string tmpl = (std::filesystem::temp_directory_path() / "kafka_bench.XXXXXX").string();
  const std::filesystem::path dir = args.dir.empty() ? mkdtemp(tmpl.data()) : args.dir;
  const int kPartitions = 4;

  // 1. LocalFeed -> SQLite.
  double local_rate = 0;
  double local_cpu_us = 0;
  {
    Store store((dir / "local.db").string());
    LocalFeed feed(*store.db);
    auto batches = MakeBatches("local", args.events, args.batch);
    const auto t0 = Clock::now();
    const double c0 = CpuSeconds();
    const int failures = PublishAll(feed, std::move(batches), args.window);
    const double s = Seconds(Clock::now() - t0);
    local_cpu_us = 1e6 * (CpuSeconds() - c0) / args.events;
    local_rate = args.events / s;
    std::printf("local: %d events in %.2f s, %d failed batches\n", args.events, s, failures);
  }

  // 2. KafkaFeed -> mock -> StoreConsumer -> SQLite.
  double kafka_rate = 0;
  double produce_rate = 0;
  double kafka_cpu_us = 0;
  {
    Mock mock(kPartitions);
    Store store((dir / "kafka.db").string());
    KafkaOptions o = Options(mock);
    auto consumer = StoreConsumer::Create(o, *store.db);
    auto feed = KafkaFeed::Create(o);
    if (!consumer || !feed || !(*consumer)->Start()) return 1;
    if (!WaitAssigned(**consumer, kPartitions)) return 1;
    auto batches = MakeBatches("kafka", args.events, args.batch);
    const auto t0 = Clock::now();
    const double c0 = CpuSeconds();
    const int failures = PublishAll(**feed, std::move(batches), args.window);
    const double produced = Seconds(Clock::now() - t0);
    const bool all = store.WaitFor(args.events, std::chrono::seconds(120));
    const double s = Seconds(Clock::now() - t0);
    kafka_cpu_us = 1e6 * (CpuSeconds() - c0) / args.events;
    produce_rate = args.events / produced;
    kafka_rate = args.events / s;
    const auto cs = (*consumer)->Stats();
    std::printf(
        "kafka: %d events produced in %.2f s, stored in %.2f s (%s), %d failed batches, "
        "%llu consumer batches\n",
        args.events, produced, s, all ? "all" : "INCOMPLETE", failures,
        static_cast<unsigned long long>(cs.batches_committed));
    (*consumer)->Stop();
  }

  // 3. Sustained load at half the Kafka end-to-end rate: consumer lag.
  std::vector<int64_t> lags;
  double offered = kafka_rate / 2;
  int sustained_events = 0;
  double drain_s = 0;
  {
    Mock mock(kPartitions);
    Store store((dir / "sustained.db").string());
    std::atomic<int> failures{0};  // outlives the feed, whose destructor may complete batches
    KafkaOptions o = Options(mock);
    auto consumer = StoreConsumer::Create(o, *store.db);
    auto feed = KafkaFeed::Create(o);
    if (!consumer || !feed || !(*consumer)->Start()) return 1;
    if (!WaitAssigned(**consumer, kPartitions)) return 1;
    std::atomic<bool> done{false};
    std::thread sampler([&] {
      std::mutex mu;
      std::condition_variable cv;
      std::unique_lock lock(mu);
      while (!done) {
        cv.wait_for(lock, std::chrono::milliseconds(100));
        lags.push_back(TotalLag(**consumer));
      }
    });
    // Pace in ticks of 10 ms, one batch per tick carrying the events due.
    const auto t0 = Clock::now();
    const auto end = t0 + std::chrono::seconds(args.seconds);
    int next = 0;
    std::mutex mu;
    std::condition_variable cv;
    for (auto tick = t0; tick < end; tick += std::chrono::milliseconds(10)) {
      {
        std::unique_lock lock(mu);
        cv.wait_until(lock, tick);
      }
      const int due = static_cast<int>(offered * Seconds(tick - t0));
      if (due <= next) continue;
      std::vector<Event> b;
      for (; next < due; ++next) b.push_back(MakeEvent("sustained", next));
      (*feed)->Publish(std::move(b), [&](Result<PublishResult> r) {
        if (!r) ++failures;
      });
    }
    sustained_events = next;
    const auto t1 = Clock::now();
    store.WaitFor(sustained_events, std::chrono::seconds(60));
    drain_s = Seconds(Clock::now() - t1);
    done = true;
    sampler.join();
    (*consumer)->Stop();
    if (failures) std::printf("sustained: %d failed batches\n", failures.load());
  }

  std::sort(lags.begin(), lags.end());
  const auto pct = [&](double p) {
    return lags.empty() ? 0 : lags[std::min(lags.size() - 1, size_t(p * lags.size()))];
  };
  std::printf(
      "\n| path | events | events/s | vs local | CPU us/event |\n|---|---:|---:|---:|---:|\n");
  std::printf("| LocalFeed -> SQLite | %d | %.0f | 100 %% | %.0f |\n", args.events, local_rate,
              local_cpu_us);
  std::printf("| KafkaFeed produce (delivery reports) | %d | %.0f | %.0f %% | |\n", args.events,
              produce_rate, 100 * produce_rate / local_rate);
  std::printf("| KafkaFeed -> mock -> StoreConsumer -> SQLite | %d | %.0f | %.0f %% | %.0f |\n",
              args.events, kafka_rate, 100 * kafka_rate / local_rate, kafka_cpu_us);
  std::printf(
      "\nsustained %d s at %.0f events/s (%d events): consumer lag p50 %lld, p99 %lld, max %lld "
      "messages; drained %.2f s after the last publish\n",
      args.seconds, offered, sustained_events, static_cast<long long>(pct(0.5)),
      static_cast<long long>(pct(0.99)), static_cast<long long>(lags.empty() ? 0 : lags.back()),
      drain_s);
  if (args.dir.empty()) std::filesystem::remove_all(dir);
  return 0;
}
