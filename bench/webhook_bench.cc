// webhook_bench: signed PagerDuty V3 webhooks per second to durable, next to the daemon's own
// POST /ingest/events single-event rate, in the same run, on the same in-process daemon
// (127.0.0.1:0, default store settings). The load client is one thread driving C keep-alive
// connections asynchronously (Beast), so it takes one core at most and the daemon the rest.
// Every request carries a distinct, pre-built body (webhooks pre-signed), so none is a
// duplicate; bodies and signatures are built before the clock starts.
//
// Phases alternate (ingest, webhook, ingest, webhook, ...) so that store growth and machine
// noise hit both cases alike; each case's figure sums its rounds.
//
// Usage: webhook_bench [--requests N] [--connections C] [--rounds R] [--threads T] [--dir D]
//                      [--only ingest|webhook]   (one case alone, e.g. under perf record)
//                      [--trace FILE]   (each request's completion time and latency)
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "daemon/app.h"
#include "store/model/hash.h"

namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = boost::asio::ip::tcp;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kSecret = "bench-signing-secret";

struct Request {
  std::string target;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

std::string Iso(int64_t seconds) {
  return timelined::FormatRfc3339(seconds * 1'000'000'000LL + 123'000'000LL);
}

// A V3 delivery as PagerDuty sends it: lifecycle types over many incidents, ~1.7 KB each.
Request Webhook(int round, int i) {
  static const char* const kTypes[] = {"incident.triggered", "incident.acknowledged",
                                       "incident.escalated", "incident.annotated",
                                       "incident.resolved"};
  const char* type = kTypes[i % 5];
  std::string incident = "QB" + std::to_string(round) + "X" + std::to_string(i / 5);
  std::string event_id = "01BENCH" + std::to_string(round) + "E" + std::to_string(i);
  json service = {{"id", "PSVC123"},
                  {"type", "service_reference"},
                  {"summary", "Payments"},
                  {"self", "https://api.pagerduty.com/services/PSVC123"},
                  {"html_url", "https://acme.pagerduty.com/service-directory/PSVC123"}};
  json user = {{"id", "PUSR1AL"},
               {"type", "user_reference"},
               {"summary", "Alice Smith"},
               {"self", "https://api.pagerduty.com/users/PUSR1AL"},
               {"html_url", "https://acme.pagerduty.com/users/PUSR1AL"}};
  json incident_data = {
      {"id", incident},
      {"type", "incident"},
      {"self", "https://api.pagerduty.com/incidents/" + incident},
      {"html_url", "https://acme.pagerduty.com/incidents/" + incident},
      {"number", 1000 + i / 5},
      {"status", i % 5 == 4   ? "resolved"
                 : i % 5 == 0 ? "triggered"
                              : "acknowledged"},
      {"incident_key", "bench-" + incident},
      {"created_at", Iso(1773480000 + i / 5)},
      {"title", "Checkout API 5xx on payments-api (bench " + std::to_string(i / 5) + ")"},
      {"service", service},
      {"assignees", i % 5 == 4 ? json::array() : json::array({user})},
      {"escalation_policy",
       {{"id", "PEP0001"},
        {"type", "escalation_policy_reference"},
        {"summary", "Payments On-Call"}}},
      {"teams",
       json::array({{{"id", "PTEAM01"}, {"type", "team_reference"}, {"summary", "Checkout"}}})},
      {"priority", {{"id", "PPRIO1"}, {"type", "priority_reference"}, {"summary", "P1"}}},
      {"urgency", "high"},
      {"conference_bridge", nullptr},
      {"resolve_reason", nullptr}};
  json data = incident_data;
  if (std::string(type) == "incident.annotated") {
    data = {{"id", "PNOTE" + std::to_string(i)},
            {"type", "incident_note"},
            {"content", "Rolled back deploy 4711; error rate falling."},
            {"trimmed", false},
            {"incident",
             {{"id", incident},
              {"type", "incident_reference"},
              {"html_url", "https://acme.pagerduty.com/incidents/" + incident}}}};
  }
  json body = {{"event",
                {{"id", event_id},
                 {"event_type", type},
                 {"resource_type", "incident"},
                 {"occurred_at", Iso(1773480000 + i)},
                 {"agent", i % 5 == 0 ? json(nullptr) : user},
                 {"client", i % 5 == 0 ? json{{"name", "Datadog"}} : json(nullptr)},
                 {"data", data}}}};
  Request r;
  r.target = "/webhooks/pagerduty";
  r.body = body.dump();
  r.headers = {{"Content-Type", "application/json"},
               {"User-Agent", "PagerDuty-Webhook/V3.0"},
               {"X-Webhook-Id", "wh-" + event_id},
               {"X-Webhook-Subscription", "PBENCH1"},
               {"X-PagerDuty-Signature", "v1=" + timelined::HmacSha256Hex(kSecret, r.body)}};
  return r;
}

// One event in the model's JSON form, like a log line pushed by a shipper.
Request IngestEvent(int round, int i) {
  json e = {
      {"source", "log"},
      {"source_ref", "bench-" + std::to_string(round) + "-" + std::to_string(i)},
      {"kind", "log.error"},
      {"occurred_at", 1773480370000000000LL + i},
      {"scope", "log/payments/api"},
      {"severity", "error"},
      {"summary",
       "upstream request failed: connection reset by peer while reading "
       "response header"},
      {"body", std::string(300, 'x')},
      {"attrs",
       {{"labels", {{"namespace", "payments"}, {"app", "api"}, {"pod", "api-7d9f8b6c4-x2k9p"}}}}}};
  return Request{"/ingest/events", e.dump(), {{"Content-Type", "application/json"}}};
}

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

struct Figures {
  long ok = 0;
  long failed = 0;
  double seconds = 0;
  double cpu_seconds = 0;  // the whole process (daemon + load client), user + system
  std::vector<double> latencies_ms;
  std::vector<double> finished_s;  // completion time of each request since the round began
};

// Drives `requests` over `connections` keep-alive connections from one thread.
class Load {
 public:
  Load(uint16_t port, const std::vector<Request>& requests, int connections)
      : port_(port), requests_(requests), connections_(connections) {}

  Figures Run() {
    boost::asio::io_context ioc;
    Figures f;
    f.latencies_ms.reserve(requests_.size());
    figures_ = &f;
    auto t0 = Clock::now();
    t0_ = t0;
    const double cpu0 = ProcessCpuSeconds();
    for (int c = 0; c < connections_; ++c) std::make_shared<Conn>(ioc, *this)->Start();
    ioc.run();
    f.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    f.cpu_seconds = ProcessCpuSeconds() - cpu0;
    return f;
  }

 private:
  struct Conn : std::enable_shared_from_this<Conn> {
    Conn(boost::asio::io_context& ioc, Load& load) : stream(ioc), load(load) {}
    void Start() {
      stream.async_connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), load.port_),
                           [self = shared_from_this()](beast::error_code ec) {
                             if (ec) return self->Fail();
                             self->Next();
                           });
    }
    void Next() {
      size_t i = load.next_++;
      if (i >= load.requests_.size()) return;
      const Request& r = load.requests_[i];
      req = {bhttp::verb::post, r.target, 11};
      req.set(bhttp::field::host, "127.0.0.1");
      for (const auto& [k, v] : r.headers) req.set(k, v);
      req.body() = r.body;
      req.prepare_payload();
      start = Clock::now();
      bhttp::async_write(stream, req, [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec) return self->Fail();
        self->res = {};
        bhttp::async_read(self->stream, self->buf, self->res,
                          [self](beast::error_code ec2, size_t) {
                            if (ec2) return self->Fail();
                            self->Done();
                          });
      });
    }
    void Done() {
      const auto now = Clock::now();
      load.figures_->latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(now - start).count());
      load.figures_->finished_s.push_back(std::chrono::duration<double>(now - load.t0_).count());
      if (res.result_int() == 200) {
        ++load.figures_->ok;
      } else {
        if (load.figures_->failed++ == 0)
          std::fprintf(stderr, "first failure: %d %s\n", res.result_int(), res.body().c_str());
      }
      Next();
    }
    void Fail() { ++load.figures_->failed; }

    beast::tcp_stream stream;
    Load& load;
    beast::flat_buffer buf;
    bhttp::request<bhttp::string_body> req;
    bhttp::response<bhttp::string_body> res;
    Clock::time_point start;
  };

  uint16_t port_;
  const std::vector<Request>& requests_;
  int connections_;
  size_t next_ = 0;  // only touched on the io_context thread
  Clock::time_point t0_;
  Figures* figures_ = nullptr;
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

void Merge(Figures& into, Figures&& f) {
  into.ok += f.ok;
  into.failed += f.failed;
  for (double t : f.finished_s) into.finished_s.push_back(into.seconds + t);
  into.seconds += f.seconds;
  into.cpu_seconds += f.cpu_seconds;
  into.latencies_ms.insert(into.latencies_ms.end(), f.latencies_ms.begin(), f.latencies_ms.end());
}

struct Args {
  int requests = 20'000;  // per case and round
  int connections = 64;
  int rounds = 5;
  int threads = 2;
  std::string only;   // "ingest" or "webhook": run one case (for profiling)
  std::string trace;  // file for "case seconds latency_ms" per request, to find stalls
  std::string dir;
};

Args Parse(int argc, char** argv) {
  timelined::bench::Flags f(argc, argv);
  Args a;
  a.requests = f.Int("--requests", a.requests);
  a.connections = f.Int("--connections", a.connections);
  a.rounds = f.Int("--rounds", a.rounds);
  a.threads = f.Int("--threads", a.threads);
  a.dir = f.String("--dir", a.dir);
  a.only = f.String("--only", a.only);
  a.trace = f.String("--trace", a.trace);
  f.RefuseOthers();
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = Parse(argc, argv);
  const timelined::bench::ScratchDir scratch(a.dir, "webhook_bench");
  const std::string& dir = scratch.path();
  timelined::config::Config c = timelined::config::DefaultConfig();
  c.server.listen = "127.0.0.1:0";
  c.server.threads = a.threads;
  c.store.path = dir + "/bench.db";
  c.log.level = "warn";
  c.pagerduty.subscriptions.push_back({"PBENCH1", kSecret});
  auto app = timelined::daemon::App::Create(c);
  if (!app) {
    std::fprintf(stderr, "cannot start: %s\n", app.error().detail.c_str());
    return 1;
  }
  auto port = (*app)->Start();
  if (!port) return 1;

  // Warm-up (page cache, allocator, connections): not counted.
  {
    std::vector<Request> warm;
    for (int i = 0; i < 2000; ++i) warm.push_back(i % 2 ? Webhook(99, i) : IngestEvent(99, i));
    Load(*port, warm, a.connections).Run();
  }
  Figures ingest, webhook;
  std::vector<double> round_ratios;
  for (int round = 0; round < a.rounds; ++round) {
    std::vector<Request> events, hooks;
    for (int i = 0; i < a.requests; ++i) {
      events.push_back(IngestEvent(round, i));
      hooks.push_back(Webhook(round, i));
    }
    Figures in, wh;
    if (a.only != "webhook") in = Load(*port, events, a.connections).Run();
    if (a.only != "ingest") wh = Load(*port, hooks, a.connections).Run();
    if (in.seconds > 0 && wh.seconds > 0) {
      round_ratios.push_back((static_cast<double>(wh.ok) / wh.seconds) /
                             (static_cast<double>(in.ok) / in.seconds));
    }
    Merge(ingest, std::move(in));
    Merge(webhook, std::move(wh));
  }
  if (!a.trace.empty()) {
    if (FILE* f = std::fopen(a.trace.c_str(), "w")) {
      for (auto [name, fig] : {std::pair{"ingest", &ingest}, std::pair{"webhook", &webhook}}) {
        for (size_t i = 0; i < fig->finished_s.size(); ++i) {
          std::fprintf(f, "%s %.6f %.3f\n", name, fig->finished_s[i], fig->latencies_ms[i]);
        }
      }
      std::fclose(f);
    }
  }
  double ingest_rps = static_cast<double>(ingest.ok) / ingest.seconds;
  double webhook_rps = static_cast<double>(webhook.ok) / webhook.seconds;
  std::printf(
      "webhook_bench: %d connections, %d requests x %d rounds per case, %d server threads\n",
      a.connections, a.requests, a.rounds, a.threads);
  std::printf("%-36s %10s %8s %8s %8s %8s\n", "case", "req/s", "p50 ms", "p99 ms", "ok", "failed");
  std::printf("%-36s %10.0f %8.2f %8.2f %8ld %8ld\n", "POST /ingest/events (1 event)", ingest_rps,
              Percentile(ingest.latencies_ms, 0.5), Percentile(ingest.latencies_ms, 0.99),
              ingest.ok, ingest.failed);
  std::printf("%-36s %10.0f %8.2f %8.2f %8ld %8ld\n", "POST /webhooks/pagerduty (signed)",
              webhook_rps, Percentile(webhook.latencies_ms, 0.5),
              Percentile(webhook.latencies_ms, 0.99), webhook.ok, webhook.failed);
  std::printf("ratio webhook/ingest: %.0f %% (target >= 70 %%, webhook p99 target < 50 ms)\n",
              100.0 * webhook_rps / ingest_rps);
  // CPU per request (daemon and load client together) and how busy the two cores were:
  // the ratio follows the CPU cost when both cases keep the machine equally busy.
  for (auto [name, fig] : {std::pair{"ingest", &ingest}, std::pair{"webhook", &webhook}}) {
    if (fig->ok == 0 || fig->seconds <= 0) continue;
    std::printf("%-8s cpu %.0f us/request, %.0f %% of one core busy\n", name,
                1e6 * fig->cpu_seconds / static_cast<double>(fig->ok),
                100.0 * fig->cpu_seconds / fig->seconds);
  }
  if (!round_ratios.empty()) {
    std::printf("ratio per round:");
    for (double r : round_ratios) std::printf(" %.0f %%", 100.0 * r);
    std::printf("\n");
  }
  const timelined::store::StoreStats st = (*app)->store().Stats();
  std::printf(
      "store: %llu transactions; WAL checkpoints: %llu in the background (%.2f s), on the "
      "writer %llu tails + %llu at the hard limit (%.3f s)\n",
      static_cast<unsigned long long>(st.transactions),
      static_cast<unsigned long long>(st.checkpoints_background), st.checkpoint_background_seconds,
      static_cast<unsigned long long>(st.checkpoints_tail),
      static_cast<unsigned long long>(st.checkpoints_hard_limit), st.checkpoint_writer_seconds);
  (*app)->Stop();
  return ingest.failed + webhook.failed == 0 ? 0 : 1;
}
