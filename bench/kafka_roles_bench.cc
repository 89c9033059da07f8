// kafka_roles_bench: end-to-end events/s through the daemon's roles, next to the local feed
// in the same run:
//   local   POST /ingest/events → App(--role all, no Kafka) → LocalFeed → SQLite
//   kafka   POST /ingest/events → App(--role ingest) → KafkaFeed → librdkafka mock cluster
//           → App(--role store) → StoreConsumer → SQLite; the clock stops when the store
//           holds every event (not when the ingest instance answered)
// then a sustained load at half the Kafka rate, sampling the backlog every 100 ms: events
// acknowledged by the ingest instance but not yet in the store's SQLite, and the consumer
// lag it exports (timelined_kafka_consumer_lag summed over partitions).
//
// Both Apps run in this process (as http_ingest_bench does), the mock cluster too; load
// clients are keep-alive connections. The mock keeps only ~5 MB per partition: keep the
// volume modest (default 20 000 events of ~600 bytes over 4 partitions).
//
// Usage: kafka_roles_bench [--requests N] [--connections C] [--events-per-request E]
//                          [--seconds S] [--dir D]
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "bench/bench_util.h"
#include "daemon/app.h"

namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = boost::asio::ip::tcp;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using timelined::daemon::App;
using timelined::daemon::Role;

namespace {

struct Args {
  int requests = 200;
  int connections = 8;
  int events = 100;
  int seconds = 10;
  std::string dir;
};

Args Parse(int argc, char** argv) {
  timelined::bench::Flags f(argc, argv);
  Args a;
  a.requests = f.Int("--requests", a.requests);
  a.connections = f.Int("--connections", a.connections);
  a.events = f.Int("--events-per-request", a.events);
  a.seconds = f.Int("--seconds", a.seconds);
  a.dir = f.String("--dir", a.dir);
  f.RefuseOthers();
  return a;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string Body(const std::string& tag, int conn, int req, int events) {
  json batch = json::array();
  for (int k = 0; k < events; ++k) {
    std::string ref =
        tag + "-" + std::to_string(conn) + "-" + std::to_string(req) + "-" + std::to_string(k);
    batch.push_back(
        {{"source", "log"},
         {"source_ref", ref},
         {"kind", "log.error"},
         {"occurred_at", 1773480370000000000LL + req * 1000 + k},
         {"scope", "log/payments/api-" + std::to_string(k % 16)},  // spread over partitions
         {"severity", "error"},
         {"summary",
          "upstream request failed: connection reset by peer while reading response header"},
         {"body", std::string(300, 'x')},
         {"attrs", {{"labels", {{"namespace", "payments"}, {"app", "api"}}}}}});
  }
  return batch.dump();
}

// One keep-alive connection.
class Client {
 public:
  explicit Client(uint16_t port) : stream_(ioc_) {
    stream_.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  }
  int Post(const std::string& body) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/ingest/events", 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    bhttp::write(stream_, req);
    beast::flat_buffer buf;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream_, buf, res);
    return res.result_int();
  }

 private:
  boost::asio::io_context ioc_;
  beast::tcp_stream stream_;
};

// Posts every body (bodies[c] on connection c); returns the number of 2xx.
long PostAll(uint16_t port, const std::vector<std::vector<std::string>>& bodies) {
  std::atomic<long> ok{0};
  std::vector<std::thread> clients;
  for (const auto& mine : bodies) {
    clients.emplace_back([&, port] {
      Client client(port);
      for (const std::string& body : mine) ok += client.Post(body) == 200;
    });
  }
  for (auto& t : clients) t.join();
  return ok.load();
}

std::vector<std::vector<std::string>> Bodies(const std::string& tag, const Args& a) {
  std::vector<std::vector<std::string>> bodies(a.connections);
  for (int c = 0; c < a.connections; ++c) {
    for (int r = 0; r < a.requests / a.connections; ++r)
      bodies[c].push_back(Body(tag, c, r, a.events));
  }
  return bodies;
}

uint64_t Count(App& app) {
  auto n = app.store().CountEvents();
  return n ? *n : 0;
}

// Sum of timelined_kafka_consumer_lag over partitions, and how many partitions report it.
std::pair<int64_t, int> ConsumerLag(App& store) {
  std::istringstream text(store.metrics().RenderPrometheus());
  std::string line;
  int64_t sum = 0;
  int partitions = 0;
  while (std::getline(text, line)) {
    if (!line.starts_with("timelined_kafka_consumer_lag{")) continue;
    sum += static_cast<int64_t>(std::stod(line.substr(line.rfind(' ') + 1)));
    ++partitions;
  }
  return {sum, partitions};
}

bool WaitFor(const std::function<bool()>& pred, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!pred()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::unique_ptr<App> Start(timelined::config::Config c, Role role) {
  auto app = App::Create(std::move(c), role);
  if (!app) {
    std::fprintf(stderr, "cannot start: %s\n", app.error().detail.c_str());
    std::exit(1);
  }
  if (!(*app)->Start()) std::exit(1);
  return std::move(*app);
}

uint16_t PortOf(const std::string& ready_file) {
  std::ifstream in(ready_file);
  int port = 0;
  in >> port;
  return static_cast<uint16_t>(port);
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  const Args a = Parse(argc, argv);
  const timelined::bench::ScratchDir scratch(a.dir, "kafka_roles_bench");
  const std::string& dir = scratch.path();
  const long total = static_cast<long>(a.requests / a.connections) * a.connections * a.events;
  auto base = [&](const std::string& name) {
    timelined::config::Config c = timelined::config::DefaultConfig();
    c.server.listen = "127.0.0.1:0";
    c.server.ready_file = dir + "/" + name + ".port";
    c.store.path = dir + "/" + name + ".db";
    return c;
  };

  // 1. Local feed.
  double local_rate = 0;
  {
    auto app = Start(base("local"), Role::kAll);
    const uint16_t port = PortOf(dir + "/local.port");
    auto bodies = Bodies("local", a);
    const auto t0 = Clock::now();
    const long ok = PostAll(port, bodies);
    const double s = Seconds(Clock::now() - t0);
    local_rate = static_cast<double>(ok) * a.events / s;
    std::printf("local: %ld events stored in %.2f s (%ld of %d requests 2xx)\n", ok * a.events, s,
                ok, a.requests);
    app->Stop();
  }

  // 2. ingest → mock Kafka → store.
  rd_kafka_conf_t* mconf = rd_kafka_conf_new();
  char errstr[256];
  rd_kafka_conf_set(mconf, "log_level", "2", errstr, sizeof(errstr));
  rd_kafka_t* mrk = rd_kafka_new(RD_KAFKA_PRODUCER, mconf, errstr, sizeof(errstr));
  rd_kafka_mock_cluster_t* mock = rd_kafka_mock_cluster_new(mrk, 3);
  rd_kafka_mock_topic_create(mock, "timelined.events", 4, 1);
  rd_kafka_mock_topic_create(mock, "timelined.events.dlq", 1, 1);
  auto with_kafka = [&](const std::string& name) {
    timelined::config::Config c = base(name);
    c.kafka.brokers = rd_kafka_mock_cluster_bootstraps(mock);
    c.kafka.extra = {{"session.timeout.ms", "6000"}, {"log_level", "2"}};
    return c;
  };
  auto store = Start(with_kafka("store"), Role::kStore);
  auto ingest = Start(with_kafka("ingest"), Role::kIngest);
  const uint16_t ingest_port = PortOf(dir + "/ingest.port");
  if (!WaitFor([&] { return ConsumerLag(*store).second == 4; }, std::chrono::seconds(30))) {
    std::fprintf(stderr, "the store consumer got no assignment\n");
    return 1;
  }
  double kafka_rate = 0;
  {
    auto bodies = Bodies("kafka", a);
    const auto t0 = Clock::now();
    const long ok = PostAll(ingest_port, bodies);
    const double acked_s = Seconds(Clock::now() - t0);
    const bool all = WaitFor([&] { return Count(*store) >= static_cast<uint64_t>(ok * a.events); },
                             std::chrono::seconds(120));
    const double s = Seconds(Clock::now() - t0);
    kafka_rate = static_cast<double>(ok) * a.events / s;
    std::printf(
        "kafka: %ld events acknowledged by ingest in %.2f s, all in the store's SQLite after "
        "%.2f s (%s; %ld of %d requests 2xx)\n",
        ok * a.events, acked_s, s, all ? "complete" : "INCOMPLETE", ok, a.requests);
  }

  // 3. Sustained load at half the Kafka rate: one request every `interval` per connection.
  const double offered = kafka_rate / 2;
  const auto interval = std::chrono::duration<double>(a.connections * a.events / offered);
  std::atomic<long> acked{0};
  std::atomic<bool> done{false};
  const uint64_t before = Count(*store);
  std::vector<int64_t> backlog, lag;
  std::thread sampler([&] {
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      backlog.push_back(acked.load() * a.events - static_cast<int64_t>(Count(*store) - before));
      lag.push_back(ConsumerLag(*store).first);
    }
  });
  {
    std::vector<std::thread> clients;
    const auto end = Clock::now() + std::chrono::seconds(a.seconds);
    for (int c = 0; c < a.connections; ++c) {
      clients.emplace_back([&, c] {
        Client client(ingest_port);
        auto next = Clock::now() +
                    std::chrono::duration_cast<Clock::duration>(interval) * c / a.connections;
        for (int r = 0; Clock::now() < end; ++r) {
          std::this_thread::sleep_until(next);
          next += std::chrono::duration_cast<Clock::duration>(interval);
          acked += client.Post(Body("sustained", c, r, a.events)) == 200;
        }
      });
    }
    for (auto& t : clients) t.join();
  }
  const auto drain0 = Clock::now();
  WaitFor([&] { return Count(*store) - before >= static_cast<uint64_t>(acked * a.events); },
          std::chrono::seconds(60));
  const double drain_s = Seconds(Clock::now() - drain0);
  done = true;
  sampler.join();
  auto stats = [](std::vector<int64_t> v) {
    std::sort(v.begin(), v.end());
    if (v.empty()) return std::tuple<int64_t, int64_t, int64_t>{0, 0, 0};
    return std::tuple<int64_t, int64_t, int64_t>{v[v.size() / 2], v[v.size() * 99 / 100], v.back()};
  };
  auto [b50, b99, bmax] = stats(backlog);
  auto [l50, l99, lmax] = stats(lag);
  const double sustained_rate = static_cast<double>(acked.load()) * a.events / a.seconds;

  std::printf("\n| path | events | events/s | vs local |\n|---|---|---|---|\n");
  std::printf("| HTTP → all (LocalFeed) → SQLite | %ld | %.0f | 100 %% |\n", total, local_rate);
  std::printf("| HTTP → ingest → Kafka (mock) → store → SQLite | %ld | %.0f | %.0f %% |\n", total,
              kafka_rate, 100 * kafka_rate / local_rate);
  std::printf(
      "\nsustained %d s at %.0f events/s offered (%.0f achieved): backlog acked-but-not-stored "
      "p50 %lld p99 %lld max %lld events; consumer lag p50 %lld p99 %lld max %lld messages; "
      "drained %.2f s after the load stopped\n",
      a.seconds, offered, sustained_rate, static_cast<long long>(b50), static_cast<long long>(b99),
      static_cast<long long>(bmax), static_cast<long long>(l50), static_cast<long long>(l99),
      static_cast<long long>(lmax), drain_s);
  ingest->Stop();
  store->Stop();
  ingest.reset();
  store.reset();
  rd_kafka_mock_cluster_destroy(mock);
  rd_kafka_destroy(mrk);
  return 0;
}
