// Operating the daemon through the real binary (issue 17): the graceful drain on SIGTERM, and
// the counters operators alert on exported at 0 from the start.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/model/hash.h"
#include "store/sqlite_store.h"
#include "tests/integration/harness.h"

namespace timelined::testing {
namespace {

using nlohmann::json;

std::string EventJson(const std::string& ref) {
  return json{{"source", "log"},
              {"source_ref", ref},
              {"kind", "log.error"},
              {"occurred_at", "2026-03-14T09:26:10Z"},
              {"scope", "log/payments/api"},
              {"severity", "error"},
              {"summary", "disk full on db-1"}}
      .dump();
}

// The acknowledged event ids a 200 answer to POST /ingest/events names.
void CollectIds(const HttpResult& r, std::mutex& mu, std::set<std::string>& acked) {
  json answer = json::parse(r.body, nullptr, false);
  if (!answer.is_object() || !answer.contains("ids")) {
    ADD_FAILURE() << "200 without ids: " << r.body;
    return;
  }
  std::lock_guard lock(mu);
  for (const auto& id : answer["ids"]) acked.insert(id.get<std::string>());
}

// SIGTERM: /readyz turns 503 (reason draining) while ingest keeps answering 2xx on fresh and
// keep-alive connections; only then does the listener close; every acknowledged event is
// stored after exit.
TEST(Drain, ReadyzFailsFirstRequestsKeepBeingServedNothingAcknowledgedIsLost) {
  TempDir dir;
  Daemon d(dir, "", "drain_ms = 3000\nshutdown_grace_ms = 10000");
  ASSERT_TRUE(d.started());
  const uint16_t port = d.port();
  ASSERT_EQ(HttpCall(port, "GET", "/readyz").status, 200);

  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<bool> signalled{false};
  std::atomic<int> keepalive_posts_after_signal{0};
  // Keep-alive clients posting throughout: requests in flight when the listener closes.
  std::vector<std::thread> clients;
  for (int c = 0; c < 2; ++c) {
    clients.emplace_back([&, c] {
      HttpClient client(port);
      for (int i = 0;; ++i) {
        const bool after = signalled;
        auto r = client.Call("POST", "/ingest/events",
                             EventJson("ka-" + std::to_string(c) + "-" + std::to_string(i)));
        if (r.status == 0) break;  // the connection was closed by the stop
        EXPECT_EQ(r.status, 200) << r.body;
        if (r.status != 200) break;
        CollectIds(r, mu, acked);
        if (after) ++keepalive_posts_after_signal;
      }
    });
  }
  // One acknowledged post before the signal, so the store has something either way.
  auto first = HttpCall(port, "POST", "/ingest/events", EventJson("before"));
  ASSERT_EQ(first.status, 200) << first.body;
  CollectIds(first, mu, acked);

  d.Signal(SIGTERM);
  signalled = true;
  bool saw_draining = false;
  int fresh_posts_while_draining = 0;
  int readyz_ok_after_draining = 0;
  int failures = 0;
  // Alternate /readyz and a post on fresh connections until a connection fails: that is the
  // listener closing. The deadline only matters when the test fails.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
    auto rz = HttpCall(port, "GET", "/readyz");
    if (rz.status == 0) break;
    if (rz.status == 503) {
      json j = json::parse(rz.body, nullptr, false);
      const std::string reason = j.is_object() ? j.value("reason", "") : "";
      EXPECT_TRUE(reason == "draining" || reason == "stopping") << rz.body;
      if (reason == "draining") saw_draining = true;
    } else {
      EXPECT_EQ(rz.status, 200) << rz.body;
      if (saw_draining) ++readyz_ok_after_draining;
    }
    auto p = HttpCall(port, "POST", "/ingest/events", EventJson("fresh-" + std::to_string(i)));
    if (p.status == 0) break;
    if (p.status != 200) {
      ++failures;
      ADD_FAILURE() << "during the drain: " << p.status << " " << p.body;
      break;
    }
    CollectIds(p, mu, acked);
    if (saw_draining) ++fresh_posts_while_draining;
  }
  EXPECT_TRUE(saw_draining) << "/readyz never answered 503 draining before the listener closed";
  EXPECT_EQ(readyz_ok_after_draining, 0) << "/readyz went back to 200 during the drain";
  EXPECT_GT(fresh_posts_while_draining, 0) << "no request was served while /readyz said 503";
  EXPECT_EQ(failures, 0);
  // The listener is closed now: new connections are refused until the process is gone.
  EXPECT_EQ(HttpCall(port, "GET", "/healthz").status, 0);
  EXPECT_EQ(d.Wait(std::chrono::seconds(60)), 0);
  for (auto& t : clients) t.join();
  EXPECT_GT(keepalive_posts_after_signal.load(), 0);
  ExpectAllStored(d.db_path(), acked);
  std::printf(
      "drain: %zu events acknowledged and stored; %d fresh-connection posts served "
      "while /readyz said 503; %d keep-alive posts answered after the signal\n",
      acked.size(), fresh_posts_while_draining, keepalive_posts_after_signal.load());
  const std::string log = ReadFile(d.log_path());
  EXPECT_NE(log.find("draining for 3000 ms"), std::string::npos) << log;
}

// A second signal ends a long drain at once (an operator's second Ctrl-C).
TEST(Drain, SecondSignalEndsTheDrain) {
  TempDir dir;
  Daemon d(dir, "", "drain_ms = 300000");
  ASSERT_TRUE(d.started());
  d.Signal(SIGTERM);
  auto rz = WaitForGet(d.port(), "/readyz", [](const HttpResult& r) { return r.status == 503; });
  ASSERT_EQ(rz.status, 503) << rz.body;
  EXPECT_EQ(json::parse(rz.body).value("reason", ""), "draining") << rz.body;
  // Still serving while draining.
  EXPECT_EQ(HttpCall(d.port(), "GET", "/healthz").status, 200);
  d.Signal(SIGINT);
  // Far less than the 300 s drain: the process exits after the second signal.
  EXPECT_EQ(d.Wait(std::chrono::seconds(60)), 0);
  EXPECT_NE(ReadFile(d.log_path()).find("while draining: stopping now"), std::string::npos);
}

// drain_ms = 0: the listener closes at once, as before; /readyz was 200 up to the signal.
TEST(Drain, ZeroDrainClosesAtOnce) {
  TempDir dir;
  Daemon d(dir, "", "drain_ms = 0");
  ASSERT_TRUE(d.started());
  EXPECT_EQ(HttpCall(d.port(), "GET", "/readyz").status, 200);
  EXPECT_EQ(d.Stop(SIGTERM), 0);
  EXPECT_NE(ReadFile(d.log_path()).find("server.drain_ms = 0"), std::string::npos);
}

// One sample line of the Prometheus text: name, labels, value.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string value;
};

std::vector<Sample> ParseMetrics(const std::string& text) {
  static const std::regex kLine(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$)");
  static const std::regex kLabel(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)")re");
  std::vector<Sample> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (line.empty() || line[0] == '#' || !std::regex_match(line, m, kLine)) continue;
    Sample s{m[1], {}, m[4]};
    const std::string labels = m[3];
    for (auto it = std::sregex_iterator(labels.begin(), labels.end(), kLabel);
         it != std::sregex_iterator(); ++it) {
      s.labels[(*it)[1]] = (*it)[2];
    }
    out.push_back(std::move(s));
  }
  return out;
}

// The counters the alert rules in deploy/prometheus use.
std::set<std::string> RuleCounters() {
  const std::string rules =
      ReadFile(std::string(TIMELINED_FIXTURES) + "/../../deploy/prometheus/timelined-rules.yml");
  EXPECT_FALSE(rules.empty());
  std::set<std::string> names;
  static const std::regex kName("timelined_[a-z_]*_total");
  for (auto it = std::sregex_iterator(rules.begin(), rules.end(), kName);
       it != std::sregex_iterator(); ++it) {
    names.insert(it->str());
  }
  return names;
}

// Before any traffic, every counter an alert uses is in /metrics at 0 with every label set
// knowable at start: per configured source, per configured webhook source and reason, per
// backfill trigger and result, per route for 503. (increase() misses a series' first sample:
// a counter born at 1 hides the first failure — and PagerDuty disables a webhook after 3.)
TEST(MetricsAtStart, AlertedCountersAreExportedAtZero) {
  TempDir dir;
  const std::string config =
      "[pagerduty]\napi_token = \"u+test-rest-token\"\napi_base_url = \"http://127.0.0.1:9\"\n"
      "backfill_on_resolve = true\n"
      "[[pagerduty.subscriptions]]\nid = \"PSUB1\"\nsecret = \"pd-secret-0123456789abcdef\"\n"
      "[slack]\nsigning_secret = \"8f742231b10e8888abcd99yyyzzz85a5\"\n"
      "bot_token = \"xoxb-test-token\"\napi_base_url = \"http://127.0.0.1:9/api\"\n";
  Daemon d(dir, config);
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  auto r = HttpCall(d.port(), "GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  const std::vector<Sample> samples = ParseMetrics(r.body);
  auto find = [&](const std::string& name, const std::map<std::string, std::string>& labels) {
    for (const Sample& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    return std::string("absent");
  };

  // Every counter the rules alert on: present, and every series at 0. The Kafka ones exist
  // only with [kafka] brokers (their collectors export them from the start there).
  for (const std::string& name : RuleCounters()) {
    if (name.rfind("timelined_kafka_", 0) == 0) continue;
    int series = 0;
    for (const Sample& s : samples) {
      if (s.name != name) continue;
      ++series;
      EXPECT_EQ(s.value, "0") << name << " has a non-zero series before any traffic";
    }
    EXPECT_GT(series, 0) << name << " is not exported before its first increment";
  }

  std::vector<std::pair<std::string, std::map<std::string, std::string>>> expected;
  for (const char* reason : {"missing_signature", "bad_signature"}) {
    expected.push_back({"timelined_webhook_signature_failures_total",
                        {{"source", "pagerduty"}, {"reason", reason}}});
  }
  for (const char* reason :
       {"bad_timestamp", "stale_timestamp", "missing_signature", "bad_signature"}) {
    expected.push_back(
        {"timelined_webhook_signature_failures_total", {{"source", "slack"}, {"reason", reason}}});
  }
  for (const char* trigger : {"api", "resolve"}) {
    for (const char* result : {"ok", "error", "refused"}) {
      expected.push_back(
          {"timelined_pagerduty_backfills_total", {{"trigger", trigger}, {"result", result}}});
    }
  }
  expected.push_back({"timelined_slack_backfill_total", {{"outcome", "ok"}, {"reason", ""}}});
  for (const char* reason : {"unavailable", "unauthenticated", "internal"}) {
    expected.push_back(
        {"timelined_slack_backfill_total", {{"outcome", "error"}, {"reason", reason}}});
  }
  for (const char* source :
       {"api", "log", "loki", "otlp", "kubernetes", "pagerduty", "pagerduty_backfill", "slack"}) {
    expected.push_back({"timelined_ingest_redactions_total", {{"source", source}}});
    for (const char* reason : {"timeout", "unavailable", "exhausted", "invalid_event"}) {
      expected.push_back(
          {"timelined_ingest_publish_failures_total", {{"source", source}, {"reason", reason}}});
    }
  }
  for (const char* worker : {"drafts", "pagerduty_backfill", "slack_backfill"}) {
    expected.push_back({"timelined_worker_exceptions_total", {{"worker", worker}}});
  }
  expected.push_back({"timelined_drafts_total", {{"result", "failed"}}});
  expected.push_back({"timelined_drafts_notify_failures_total", {}});
  expected.push_back({"timelined_store_commit_failures_total", {}});
  expected.push_back({"timelined_store_wal_checkpoint_failures_total", {}});
  for (const char* route : {"/ingest/events", "/webhooks/pagerduty", "/webhooks/slack"}) {
    expected.push_back({"timelined_http_requests_total",
                        {{"route", route}, {"method", "POST"}, {"status", "503"}}});
  }
  for (const auto& [name, labels] : expected) {
    std::string shown;
    for (const auto& [k, v] : labels) shown += k + "=\"" + v + "\" ";
    EXPECT_EQ(find(name, labels), "0") << name << "{" << shown << "}";
  }
  EXPECT_EQ(d.Stop(SIGTERM), 0);
}

// Label sets follow the configuration: no webhook source configured, no signature series
// for it (nor backfill series without an API token).
TEST(MetricsAtStart, LabelSetsFollowTheConfiguration) {
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started());
  auto r = HttpCall(d.port(), "GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("timelined_webhook_signature_failures_total{"), std::string::npos);
  EXPECT_EQ(r.body.find("timelined_pagerduty_backfills_total{"), std::string::npos);
  EXPECT_EQ(r.body.find("source=\"pagerduty\""), std::string::npos);
  const std::vector<Sample> samples = ParseMetrics(r.body);
  bool api_timeout = false;
  for (const Sample& s : samples) {
    if (s.name == "timelined_ingest_publish_failures_total" && s.labels.size() == 2 &&
        s.labels.at("source") == "api" && s.labels.at("reason") == "timeout") {
      api_timeout = s.value == "0";
    }
  }
  EXPECT_TRUE(api_timeout) << r.body;
  EXPECT_EQ(d.Stop(SIGTERM), 0);
}

// [server] access_log with [log] format = "json": one JSON line per response whose fields
// name the route pattern, status, token and request id, and never the path's IDs, the query
// or the body; the message's tags become fields in every JSON line.
TEST(Logs, JsonAccessLogHasFieldsAndNeverThePathQueryOrBody) {
  TempDir dir;
  const std::string toml =
      "[log]\nformat = \"json\"\n[[auth.tokens]]\nname = \"shipper\"\n"
      "sha256 = \"" +
      Sha256Hex("ingest-secret") + "\"\nscopes = [\"ingest\", \"read\"]\n";
  Daemon d(dir, toml, "access_log = true");
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  const std::map<std::string, std::string> auth = {{"authorization", "Bearer ingest-secret"},
                                                   {"x-request-id", "req-42"}};
  auto posted = HttpCall(d.port(), "POST", "/ingest/events", EventJson("secret-ref-77"), auth);
  ASSERT_EQ(posted.status, 200) << posted.body;
  // Refused (the read API takes no such parameter) or not found: either way one access line.
  auto missing = HttpCall(d.port(), "GET", "/v1/events/log_nosuchevent?token=leaky", "", auth);
  EXPECT_GE(missing.status, 400);
  EXPECT_EQ(d.Stop(SIGTERM), 0);

  const std::string log = ReadFile(d.log_path());
  std::vector<json> access;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    json j = json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not a JSON line: " << line;
    ASSERT_TRUE(j.contains("time") && j.contains("level") && j.contains("msg")) << line;
    if (j.value("log", "") == "access") access.push_back(j);
  }
  ASSERT_EQ(access.size(), 2u) << log;
  EXPECT_EQ(access[0]["method"], "POST");
  EXPECT_EQ(access[0]["route"], "/ingest/events");
  EXPECT_EQ(access[0]["status"], "200");
  EXPECT_EQ(access[0]["token"], "shipper");
  EXPECT_EQ(access[0]["request_id"], "req-42");
  EXPECT_EQ(access[0]["peer"], "127.0.0.1");
  EXPECT_NE(access[0]["bytes_in"], "0");
  EXPECT_TRUE(access[0].contains("ms"));
  EXPECT_EQ(access[1]["route"], "/v1/events/{id}");
  EXPECT_EQ(access[1]["status"], std::to_string(missing.status));
  for (const char* never :
       {"secret-ref-77", "disk full", "nosuchevent", "leaky", "ingest-secret"}) {
    EXPECT_EQ(log.find(never), std::string::npos) << never << " reached the log";
  }
}

// Without access_log there is no access line.
TEST(Logs, NoAccessLogByDefault) {
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started());
  ASSERT_EQ(HttpCall(d.port(), "POST", "/ingest/events", EventJson("quiet")).status, 200);
  EXPECT_EQ(d.Stop(SIGTERM), 0);
  EXPECT_EQ(ReadFile(d.log_path()).find("log=access"), std::string::npos);
}

}  // namespace
}  // namespace timelined::testing
