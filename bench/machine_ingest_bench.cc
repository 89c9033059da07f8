// machine_ingest_bench: the machine-evidence paths next to the generic one, in one run, each
// on a fresh in-process daemon (127.0.0.1:0, real HTTP server, real SQLite writer):
//
//   POST /ingest/events   100-event JSON bodies                      → events/s to durable
//   POST /ingest/logs     1 000-line NDJSON bodies (Fluent Bit shape) → lines/s to durable
//   POST /loki/api/v1/push  the same 1 000 lines as one Loki stream: protobuf in a snappy
//                         block (Promtail/Alloy/Vector), and Loki JSON    → lines/s to durable
//   POST /v1/logs         the same 1 000 lines as one OTLP ExportLogsServiceRequest (the
//                         OTel Collector's otlphttp exporter): protobuf, and OTLP/JSON
//                                                                      → lines/s to durable
//   Kubernetes watch      a fake API server (plain HTTP on loopback) streams N ADDED
//                         events; watcher → IngestPipeline → store     → events/s to durable
//
// Every HTTP answer waits until the events are durable (group commit), so requests/s ×
// events/request is a durable rate. The watch figure runs from App::Start (LIST, then WATCH)
// until the store has inserted all N events.
//
// Usage: machine_ingest_bench [--requests N] [--connections C] [--watch-events W] [--dir D]
#include <snappy.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "daemon/app.h"
#include "tests/unit/connectors/common/proto_writer.h"
#include "tests/unit/connectors/kubernetes/fake_api_server.h"

namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = boost::asio::ip::tcp;
using nlohmann::json;
using timelined::connectors::testing::FakeApiServer;
using timelined::connectors::testing::FakeResponse;

namespace {

constexpr int64_t kBaseNs = 1773480370000000000LL;

struct Args {
  int requests = 200;  // per HTTP case
  int connections = 8;
  int watch_events = 50'000;
  std::string dir;
};

Args Parse(int argc, char** argv) {
  timelined::bench::Flags f(argc, argv);
  Args a;
  a.requests = f.Int("--requests", a.requests);
  a.connections = f.Int("--connections", a.connections);
  a.watch_events = f.Int("--watch-events", a.watch_events);
  a.dir = f.String("--dir", a.dir);
  f.RefuseOthers();
  return a;
}

std::string EventsBody(int conn, int req) {
  json batch = json::array();
  for (int k = 0; k < 100; ++k) {
    batch.push_back(
        {{"source", "log"},
         {"source_ref",
          "b-" + std::to_string(conn) + "-" + std::to_string(req) + "-" + std::to_string(k)},
         {"kind", "log.error"},
         {"occurred_at", kBaseNs + req * 1000 + k},
         {"scope", "log/payments/api"},
         {"severity", "error"},
         {"summary", "upstream request failed: connection reset by peer while reading header"},
         {"attrs", {{"labels", {{"namespace", "payments"}, {"app", "api"}}}}}});
  }
  return batch.dump();
}

std::string LogLine(int conn, int req, int k) {
  return "2026-03-14T09:26:10Z ERROR upstream request failed: connection reset (conn " +
         std::to_string(conn) + " req " + std::to_string(req) + " line " + std::to_string(k) + ")";
}

// Fluent Bit json_lines with the kubernetes filter's metadata; every line distinct.
std::string LogsBody(int conn, int req) {
  std::string out;
  for (int k = 0; k < 1000; ++k) {
    json line = {{"date", static_cast<double>(kBaseNs / 1000000000) + req + k / 1000.0},
                 {"log", LogLine(conn, req, k)},
                 {"stream", "stderr"},
                 {"kubernetes",
                  {{"namespace_name", "payments"},
                   {"pod_name", "api-7d9f8b6c4-x2k9p"},
                   {"container_name", "api"}}}};
    out += line.dump();
    out += '\n';
  }
  return out;
}

constexpr const char* kLokiLabels =
    R"({container="api", namespace="payments", pod="api-7d9f8b6c4-x2k9p", stream="stderr"})";

// The same lines as LogsBody, as Promtail sends them: one stream, snappy-compressed protobuf.
std::string LokiProtoBody(int conn, int req) {
  std::vector<std::string> entries;
  for (int k = 0; k < 1000; ++k) {
    entries.push_back(timelined::connectors::testing::LokiEntry(
        kBaseNs + int64_t{req} * 1'000'000'000 + k * 1'000'000, LogLine(conn, req, k)));
  }
  const std::string push = timelined::connectors::testing::LokiStream(kLokiLabels, entries);
  std::string block;
  snappy::Compress(push.data(), push.size(), &block);
  return block;
}

// The same as Loki's JSON push (Fluent Bit's loki output).
std::string LokiJsonBody(int conn, int req) {
  json values = json::array();
  for (int k = 0; k < 1000; ++k) {
    values.push_back({std::to_string(kBaseNs + int64_t{req} * 1'000'000'000 + k * 1'000'000),
                      LogLine(conn, req, k)});
  }
  json stream = {{"container", "api"},
                 {"namespace", "payments"},
                 {"pod", "api-7d9f8b6c4-x2k9p"},
                 {"stream", "stderr"}};
  return json{{"streams", json::array({{{"stream", stream}, {"values", values}}})}}.dump();
}

struct Load {
  long ok = 0;
  long failed = 0;
  double seconds = 0;
};

Load RunHttp(uint16_t port, const std::string& target, const std::string& content_type,
             const std::vector<std::vector<std::string>>& bodies) {
  std::atomic<long> ok{0}, failed{0};
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (const auto& mine : bodies) {
    clients.emplace_back([&, &mine = mine] {
      boost::asio::io_context ioc;
      beast::tcp_stream stream(ioc);
      stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
      for (const std::string& body : mine) {
        bhttp::request<bhttp::string_body> req{bhttp::verb::post, target, 11};
        req.set(bhttp::field::host, "127.0.0.1");
        req.set(bhttp::field::content_type, content_type);
        req.body() = body;
        req.prepare_payload();
        bhttp::write(stream, req);
        beast::flat_buffer buf;
        bhttp::response<bhttp::string_body> res;
        bhttp::read(stream, buf, res);
        (res.result_int() / 100 == 2 ? ok : failed)++;  // 204 from the Loki push
      }
    });
  }
  for (auto& t : clients) t.join();
  return {ok.load(), failed.load(),
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
}

timelined::config::Config BaseConfig(const std::string& db) {
  timelined::config::Config c = timelined::config::DefaultConfig();
  c.server.listen = "127.0.0.1:0";
  c.server.max_body_bytes = 64 << 20;
  c.store.path = db;
  return c;
}

// Bodies are built before the clock starts, so the figure is the daemon's.
template <class F>
std::vector<std::vector<std::string>> Bodies(const Args& a, F make) {
  std::vector<std::vector<std::string>> bodies(a.connections);
  for (int c = 0; c < a.connections; ++c) {
    for (int r = 0; r < a.requests / a.connections; ++r) bodies[c].push_back(make(c, r));
  }
  return bodies;
}

bool HttpCase(const std::string& dir, const char* name, const std::string& label,
              const std::string& target, const std::string& content_type, int per_request,
              const std::vector<std::vector<std::string>>& bodies) {
  auto app = timelined::daemon::App::Create(BaseConfig(dir + "/" + name + ".db"));
  if (!app) return false;
  auto port = (*app)->Start();
  if (!port) return false;
  Load l = RunHttp(*port, target, content_type, bodies);
  (*app)->Stop();
  std::printf("%-34s %10ld %12.0f %14.0f\n", label.c_str(), l.ok, l.ok / l.seconds,
              l.ok * per_request / l.seconds);
  return l.failed == 0;
}

std::string WatchLine(int i) {
  const std::string uid = "bench-" + std::to_string(i);
  json obj = {{"kind", "Event"},
              {"apiVersion", "v1"},
              {"metadata",
               {{"uid", uid},
                {"name", "payments-7d9f8b6c4-x2k9p." + uid},
                {"namespace", "prod"},
                {"resourceVersion", std::to_string(1000 + i)}}},
              {"involvedObject", {{"kind", "Pod"}, {"name", "payments-7d9f8b6c4-x2k9p"}}},
              {"reason", "BackOff"},
              {"type", "Warning"},
              {"message", "Back-off restarting failed container api in pod payments"},
              {"count", 1},
              {"lastTimestamp", "2026-03-14T09:19:40Z"}};
  return json{{"type", "ADDED"}, {"object", obj}}.dump() + "\n";
}

bool WatchCase(const std::string& dir, int n) {
  std::deque<FakeResponse> script;
  script.push_back(
      {200,
       {R"({"kind":"EventList","apiVersion":"v1","metadata":{"resourceVersion":"1000"},"items":[]})"},
       FakeResponse::End::kClean,
       {}});
  FakeResponse watch{200, {}, FakeResponse::End::kHold, {}};
  std::string piece;
  for (int i = 0; i < n; ++i) {
    piece += WatchLine(i);
    if (piece.size() >= 64 * 1024 || i + 1 == n)
      watch.pieces.push_back(std::move(piece)), piece = {};
  }
  script.push_back(std::move(watch));
  FakeApiServer api(std::move(script));
  const std::string kubeconfig = dir + "/kubeconfig";
  std::ofstream(kubeconfig) << "apiVersion: v1\nkind: Config\ncurrent-context: b\nclusters:\n"
                               "- name: fake\n  cluster:\n    server: "
                            << api.url()
                            << "\ncontexts:\n- name: b\n  context:\n    cluster: fake\n"
                               "    user: u\nusers:\n- name: u\n  user:\n    token: t\n";
  auto c = BaseConfig(dir + "/watch.db");
  c.kubernetes.enabled = true;
  c.kubernetes.credentials = "kubeconfig";
  c.kubernetes.kubeconfig = kubeconfig;
  auto app = timelined::daemon::App::Create(c);
  if (!app) {
    std::fprintf(stderr, "watch case: %s\n", app.error().detail.c_str());
    return false;
  }
  auto t0 = std::chrono::steady_clock::now();
  if (!(*app)->Start()) return false;
  const auto deadline = t0 + std::chrono::minutes(5);
  uint64_t inserted = 0;
  while ((inserted = (*app)->store().Stats().events_inserted) < static_cast<uint64_t>(n) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto tx = (*app)->store().Stats().transactions;
  (*app)->Stop();
  std::printf("%-34s %10s %12s %14.0f   (%llu events, %llu store transactions)\n",
              "kubernetes watch (fake API)", "-", "-", static_cast<double>(inserted) / secs,
              static_cast<unsigned long long>(inserted), static_cast<unsigned long long>(tx));
  return inserted == static_cast<uint64_t>(n);
}

}  // namespace

// The same lines as OTLP log records of one resource (k8s attributes), one scope.
std::string OtlpProtoBody(int conn, int req) {
  namespace t = timelined::connectors::testing;
  const std::string resource =
      t::LenField(1, t::OtlpKeyValue("k8s.namespace.name", t::OtlpString("payments"))) +
      t::LenField(1, t::OtlpKeyValue("k8s.pod.name", t::OtlpString("api-7d9f8b6c4-x2k9p"))) +
      t::LenField(1, t::OtlpKeyValue("k8s.container.name", t::OtlpString("api")));
  std::vector<std::string> records;
  for (int k = 0; k < 1000; ++k) {
    records.push_back(
        t::Fixed64Field(
            1, static_cast<uint64_t>(kBaseNs + int64_t{req} * 1'000'000'000 + k * 1'000'000)) +
        t::LenField(5, t::OtlpString(LogLine(conn, req, k))));
  }
  return t::OtlpResourceLogs(resource, {t::OtlpScopeLogs("", records)});
}

std::string OtlpJsonBody(int conn, int req) {
  auto kv = [](const char* k, const char* v) {
    return json{{"key", k}, {"value", {{"stringValue", v}}}};
  };
  json records = json::array();
  for (int k = 0; k < 1000; ++k) {
    records.push_back(
        {{"timeUnixNano", std::to_string(kBaseNs + int64_t{req} * 1'000'000'000 + k * 1'000'000)},
         {"body", {{"stringValue", LogLine(conn, req, k)}}}});
  }
  json resource = {{"attributes", json::array({kv("k8s.namespace.name", "payments"),
                                               kv("k8s.pod.name", "api-7d9f8b6c4-x2k9p"),
                                               kv("k8s.container.name", "api")})}};
  return json{
      {"resourceLogs", json::array({{{"resource", resource},
                                     {"scopeLogs", json::array({{{"logRecords", records}}})}}})}}
      .dump();
}

int main(int argc, char** argv) {
  Args a = Parse(argc, argv);
  const timelined::bench::ScratchDir scratch(a.dir, "machine_bench");
  const std::string& dir = scratch.path();
  auto events = Bodies(a, EventsBody);
  auto logs = Bodies(a, LogsBody);
  std::printf("machine_ingest_bench: %d connections, %d requests per HTTP case, %d watch events\n",
              a.connections, a.requests / a.connections * a.connections, a.watch_events);
  std::printf("%-34s %10s %12s %14s\n", "case", "requests", "requests/s", "events/s durable");
  auto loki_proto = Bodies(a, LokiProtoBody);
  auto loki_json = Bodies(a, LokiJsonBody);
  bool ok = HttpCase(dir, "events", "POST /ingest/events", "/ingest/events", "application/json",
                     100, events);
  ok = HttpCase(dir, "logs", "POST /ingest/logs (NDJSON)", "/ingest/logs", "application/x-ndjson",
                1000, logs) &&
       ok;
  ok = HttpCase(dir, "loki_proto", "POST /loki/.../push (protobuf)", "/loki/api/v1/push",
                "application/x-protobuf", 1000, loki_proto) &&
       ok;
  ok = HttpCase(dir, "loki_json", "POST /loki/.../push (JSON)", "/loki/api/v1/push",
                "application/json", 1000, loki_json) &&
       ok;
  ok = HttpCase(dir, "otlp_proto", "POST /v1/logs (OTLP protobuf)", "/v1/logs",
                "application/x-protobuf", 1000, Bodies(a, OtlpProtoBody)) &&
       ok;
  ok = HttpCase(dir, "otlp_json", "POST /v1/logs (OTLP JSON)", "/v1/logs", "application/json", 1000,
                Bodies(a, OtlpJsonBody)) &&
       ok;
  ok = WatchCase(dir, a.watch_events) && ok;
  return ok ? 0 : 1;
}
