// http_ingest_bench: events/s for POST /ingest/events with 100-event bodies, answered only
// once durable, through the real HTTP server and store writer (in-process daemon on
// 127.0.0.1:0, load clients on keep-alive connections in the same process).
//
// Usage: http_ingest_bench [--requests N] [--connections C] [--events-per-request E] [--dir D]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "daemon/app.h"

namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = boost::asio::ip::tcp;
using nlohmann::json;

namespace {

std::string Body(int conn, int req, int events) {
  json batch = json::array();
  for (int k = 0; k < events; ++k) {
    std::string ref =
        "bench-" + std::to_string(conn) + "-" + std::to_string(req) + "-" + std::to_string(k);
    batch.push_back(
        {{"source", "log"},
         {"source_ref", ref},
         {"kind", "log.error"},
         {"occurred_at", 1773480370000000000LL + req * 1000 + k},
         {"scope", "log/payments/api"},
         {"severity", "error"},
         {"summary",
          "upstream request failed: connection reset by peer while reading response header"},
         {"body", std::string(300, 'x')},
         {"attrs",
          {{"labels",
            {{"namespace", "payments"}, {"app", "api"}, {"pod", "api-7d9f8b6c4-x2k9p"}}}}}});
  }
  return batch.dump();
}

struct Args {
  int requests = 2000;
  int connections = 8;
  int events = 100;
  std::string dir;
};

Args Parse(int argc, char** argv) {
  timelined::bench::Flags f(argc, argv);
  Args a;
  a.requests = f.Int("--requests", a.requests);
  a.connections = f.Int("--connections", a.connections);
  a.events = f.Int("--events-per-request", a.events);
  a.dir = f.String("--dir", a.dir);
  f.RefuseOthers();
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = Parse(argc, argv);
  const timelined::bench::ScratchDir scratch(a.dir, "http_bench");
  const std::string& dir = scratch.path();
  timelined::config::Config c = timelined::config::DefaultConfig();
  c.server.listen = "127.0.0.1:0";
  c.store.path = dir + "/bench.db";
  auto app = timelined::daemon::App::Create(c);
  if (!app) {
    std::fprintf(stderr, "cannot start: %s\n", app.error().detail.c_str());
    return 1;
  }
  auto port = (*app)->Start();
  if (!port) return 1;

  // Bodies are built before the clock starts so the figure is the daemon's, not JSON building.
  std::vector<std::vector<std::string>> bodies(a.connections);
  int per_conn = a.requests / a.connections;
  for (int c2 = 0; c2 < a.connections; ++c2) {
    for (int r = 0; r < per_conn; ++r) bodies[c2].push_back(Body(c2, r, a.events));
  }
  std::atomic<long> ok{0}, failed{0};
  std::vector<double> latencies_ms;
  std::mutex lat_mu;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int c2 = 0; c2 < a.connections; ++c2) {
    clients.emplace_back([&, c2] {
      boost::asio::io_context ioc;
      beast::tcp_stream stream(ioc);
      stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), *port));
      std::vector<double> mine;
      for (const std::string& body : bodies[c2]) {
        bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/ingest/events", 11};
        req.set(bhttp::field::host, "127.0.0.1");
        req.set(bhttp::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
        auto s = std::chrono::steady_clock::now();
        bhttp::write(stream, req);
        beast::flat_buffer buf;
        bhttp::response<bhttp::string_body> res;
        bhttp::read(stream, buf, res);
        mine.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s)
                .count());
        (res.result_int() == 200 ? ok : failed)++;
      }
      std::lock_guard lock(lat_mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : clients) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    return latencies_ms.empty() ? 0
                                : latencies_ms[static_cast<size_t>(p * (latencies_ms.size() - 1))];
  };
  double events = static_cast<double>(ok.load()) * a.events;
  std::printf("http_ingest_bench: %d connections, %d events/request, %ld ok, %ld failed\n",
              a.connections, a.events, ok.load(), failed.load());
  std::printf("%-28s %12s %12s %10s %10s\n", "case", "requests/s", "events/s", "p50 ms", "p99 ms");
  std::printf("%-28s %12.0f %12.0f %10.1f %10.1f\n", "POST /ingest/events", ok / secs,
              events / secs, pct(0.5), pct(0.99));
  (*app)->Stop();
  return failed.load() == 0 ? 0 : 1;
}
