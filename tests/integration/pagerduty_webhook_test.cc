// PagerDuty through the real binary: signed V3 webhooks (lifecycle, retries, bad and rotated
// signatures, ping, unknown types) and REST backfill against a local Beast server serving
// paginated log entries with a 429. Signatures are computed here from test secrets.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/model/hash.h"
#include "store/model/time.h"
#include "tests/integration/harness.h"
#include "tests/unit/connectors/common/fake_http_server.h"

namespace timelined::testing {
namespace {

using connectors::Headers;
using connectors::testing::CannedResponse;
using connectors::testing::FakeHttpServer;
using connectors::testing::RecordedRequest;
using nlohmann::json;

constexpr const char* kIncident = "Q1ABCDEF2GHIJK";
constexpr const char* kSecret = "pd-test-secret-one";
constexpr const char* kRotated = "pd-test-secret-two";
constexpr const char* kFileSecret = "pd-test-secret-from-file";

std::string Fixture(const std::string& name) {
  return ReadFile(std::string(TIMELINED_FIXTURES) + "/pagerduty/" + name);
}

std::string Sign(const std::string& body, const std::string& secret) {
  return "v1=" + HmacSha256Hex(secret, body);
}

// Config with two secrets in rotation for PSUB1 and a secret from a file for PSUB2.
std::string SubscriptionsToml(const TempDir& dir) {
  WriteFile(dir.File("pd2.secret"), std::string(kFileSecret) + "\n");
  return std::string("[[pagerduty.subscriptions]]\nid = \"PSUB1\"\nsecret = \"") + kSecret +
         "\"\n[[pagerduty.subscriptions]]\nid = \"PSUB1\"\nsecret = \"" + kRotated +
         "\"\n[[pagerduty.subscriptions]]\nid = \"PSUB2\"\nsecret_file = \"" +
         dir.File("pd2.secret") + "\"\n";
}

// A delivery as PagerDuty sends it: X-Webhook-Id is the event id (stable across retries).
HttpResult Deliver(uint16_t port, const std::string& body, const std::string& signature,
                   const std::string& subscription = "PSUB1") {
  std::map<std::string, std::string> headers{{"content-type", "application/json"},
                                             {"user-agent", "PagerDuty-Webhook/V3.0"},
                                             {"x-webhook-subscription", subscription}};
  json j = json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.contains("event") && j["event"].contains("id")) {
    headers["x-webhook-id"] = "wh-" + j["event"]["id"].get<std::string>();
  }
  if (!signature.empty()) headers["x-pagerduty-signature"] = signature;
  return HttpCall(port, "POST", "/webhooks/pagerduty", body, headers);
}

// The value of the series `name` whose labels include every `labels` pair; 0 when absent.
double Metric(uint16_t port, const std::string& name,
              const std::vector<std::pair<std::string, std::string>>& labels) {
  auto r = HttpCall(port, "GET", "/metrics");
  std::istringstream in(r.body);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(name + "{") && line.rfind(name + " ", 0) != 0) continue;
    bool all = true;
    for (const auto& [k, v] : labels) all = all && line.find(k + "=\"" + v + "\"") != line.npos;
    if (all) return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return 0;
}

json IncidentEvents(uint16_t port) {
  auto r = HttpCall(port, "GET", std::string("/v1/incidents/") + kIncident + "/events");
  EXPECT_EQ(r.status, 200) << r.body;
  return json::parse(r.body, nullptr, false);
}

Nanos At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

const char* const kLifecycle[] = {"incident_triggered.json", "incident_acknowledged.json",
                                  "incident_annotated.json", "incident_escalated.json",
                                  "incident_resolved.json"};

TEST(PdWebhook, LifecycleWithRetryStoresOneEventPerDeliveryAndKeepsIncidentCurrent) {
  TempDir dir;
  Daemon d(dir, SubscriptionsToml(dir));
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());

  std::set<std::string> ids;
  for (const char* name : kLifecycle) {
    std::string body = Fixture(name);
    auto r = Deliver(d.port(), body, Sign(body, kSecret));
    ASSERT_EQ(r.status, 200) << name << ": " << r.body;
    json j = json::parse(r.body);
    EXPECT_EQ(j["inserted"], 1) << name;
    ids.insert(j["ids"][0].get<std::string>());
  }
  // PagerDuty retries the resolve (e.g. our answer was lost): same event, same ID, no new row.
  std::string resolved = Fixture("incident_resolved.json");
  auto retry = Deliver(d.port(), resolved, Sign(resolved, kSecret));
  ASSERT_EQ(retry.status, 200) << retry.body;
  json rj = json::parse(retry.body);
  EXPECT_EQ(rj["inserted"], 0);
  EXPECT_EQ(rj["duplicates"], 1);
  EXPECT_TRUE(ids.contains(rj["ids"][0].get<std::string>()));

  json events = IncidentEvents(d.port());
  ASSERT_EQ(events["count"], 5) << events.dump();
  std::multiset<std::string> kinds;
  for (const auto& e : events["events"]) kinds.insert(e["kind"].get<std::string>());
  EXPECT_EQ(kinds, (std::multiset<std::string>{"incident.triggered", "incident.acknowledged",
                                               "incident.annotated", "incident.escalated",
                                               "incident.resolved"}));

  auto inc = HttpCall(d.port(), "GET", std::string("/v1/incidents/") + kIncident);
  ASSERT_EQ(inc.status, 200) << inc.body;
  json i = json::parse(inc.body);
  EXPECT_EQ(i["status"], "resolved");
  EXPECT_EQ(i["number"], 1234);
  EXPECT_EQ(i["title"], "Checkout API 5xx");
  EXPECT_EQ(i["service_id"], "PSVC123");
  EXPECT_EQ(i["service_name"], "Payments");
  EXPECT_EQ(i["urgency"], "high");
  EXPECT_EQ(i["html_url"], "https://acme.pagerduty.com/incidents/Q1ABCDEF2GHIJK");
  EXPECT_EQ(i["triggered_at"], At("2026-03-14T09:26:10Z"));
  EXPECT_EQ(i["acknowledged_at"], At("2026-03-14T09:29:41.007Z"));
  EXPECT_EQ(i["resolved_at"], At("2026-03-14T10:41:03.900Z"));

  EXPECT_EQ(
      Metric(d.port(), "timelined_webhooks_total", {{"source", "pagerduty"}, {"result", "stored"}}),
      5);
  EXPECT_EQ(Metric(d.port(), "timelined_webhooks_total",
                   {{"source", "pagerduty"}, {"result", "duplicate"}}),
            1);
}

TEST(PdWebhook, BadOrMissingSignatureIs401StoresNothingLogsOnceAndCounts) {
  TempDir dir;
  Daemon d(dir, SubscriptionsToml(dir));
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  const std::string body = Fixture("incident_triggered.json");
  std::string tampered = body;
  tampered.replace(tampered.find("Checkout API 5xx"), 16, "Checkout API 2xx");

  struct Case {
    const char* name;
    std::string body;
    std::string signature;
    std::string subscription;
    const char* error;
  };
  const Case cases[] = {
      {"tampered body", tampered, Sign(body, kSecret), "PSUB1", "bad_signature"},
      {"wrong secret", body, Sign(body, "not-the-secret"), "PSUB1", "bad_signature"},
      {"other subscription's secret", body, Sign(body, kFileSecret), "PSUB1", "bad_signature"},
      {"unknown subscription", body, Sign(body, kSecret), "PNOPE", "bad_signature"},
      {"garbage header", body, "v1=zz,v0=" + HmacSha256Hex(kSecret, body), "PSUB1",
       "bad_signature"},
      {"missing header", body, "", "PSUB1", "missing_signature"},
  };
  for (const Case& c : cases) {
    auto r = Deliver(d.port(), c.body, c.signature, c.subscription);
    EXPECT_EQ(r.status, 401) << c.name << ": " << r.body;
    json j = json::parse(r.body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << c.name;
    EXPECT_EQ(j["error"], c.error) << c.name;
  }
  EXPECT_EQ(Metric(d.port(), "timelined_store_events_inserted_total", {}), 0);
  EXPECT_EQ(HttpCall(d.port(), "GET", std::string("/v1/incidents/") + kIncident).status, 404);
  EXPECT_EQ(Metric(d.port(), "timelined_webhook_signature_failures_total",
                   {{"source", "pagerduty"}, {"reason", "bad_signature"}}),
            5);
  EXPECT_EQ(Metric(d.port(), "timelined_webhook_signature_failures_total",
                   {{"source", "pagerduty"}, {"reason", "missing_signature"}}),
            1);
  EXPECT_EQ(Metric(d.port(), "timelined_webhooks_total",
                   {{"source", "pagerduty"}, {"result", "unauthenticated"}}),
            6);

  d.Stop();
  std::string log = ReadFile(d.log_path());
  size_t lines = 0;
  for (size_t p = log.find("webhook refused"); p != log.npos;
       p = log.find("webhook refused", p + 1))
    ++lines;
  EXPECT_EQ(lines, 6u) << log;
  EXPECT_EQ(log.find("Checkout API"), log.npos) << "a request body reached the log";
  EXPECT_EQ(log.find(kSecret), log.npos) << "a secret reached the log";
}

TEST(PdWebhook, RotatedSecretsPass) {
  TempDir dir;
  Daemon d(dir, SubscriptionsToml(dir));
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  const std::string triggered = Fixture("incident_triggered.json");
  const std::string acked = Fixture("incident_acknowledged.json");
  const std::string escalated = Fixture("incident_escalated.json");

  // PagerDuty signs with the old and the new secret during rotation; we know only the new.
  auto two = Deliver(d.port(), triggered,
                     Sign(triggered, "retired-secret") + ", " + Sign(triggered, kRotated));
  EXPECT_EQ(two.status, 200) << two.body;
  // Either configured secret of the subscription passes alone.
  auto second = Deliver(d.port(), acked, Sign(acked, kRotated));
  EXPECT_EQ(second.status, 200) << second.body;
  // The other subscription's secret (from a file) for its own deliveries.
  auto file = Deliver(d.port(), escalated, Sign(escalated, kFileSecret), "PSUB2");
  EXPECT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(IncidentEvents(d.port())["count"], 3);
}

TEST(PdWebhook, PingIsNotStoredUnknownTypeIsMalformedIs400) {
  TempDir dir;
  Daemon d(dir, SubscriptionsToml(dir));
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());

  std::string ping = Fixture("pagey_ping.json");
  auto p = Deliver(d.port(), ping, Sign(ping, kSecret));
  EXPECT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(Metric(d.port(), "timelined_store_events_inserted_total", {}), 0);
  EXPECT_EQ(
      Metric(d.port(), "timelined_webhooks_total", {{"source", "pagerduty"}, {"result", "ping"}}),
      1);

  std::string unknown = Fixture("unknown_type.json");
  auto u = Deliver(d.port(), unknown, Sign(unknown, kSecret));
  ASSERT_EQ(u.status, 200) << u.body;
  json events = IncidentEvents(d.port());
  ASSERT_EQ(events["count"], 1);
  EXPECT_EQ(events["events"][0]["kind"], "pagerduty.incident.quantum_state.collapsed");

  for (const std::string& bad :
       {std::string("{\"event\": "), std::string("[]"), std::string(R"({"event":{"id":"E1"}})")}) {
    auto r = Deliver(d.port(), bad, Sign(bad, kSecret));
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
    EXPECT_FALSE(json::parse(r.body, nullptr, false).is_discarded());
  }
  // Far over PagerDuty's 256 KB: refused before any HMAC or parsing work.
  std::string huge = R"({"event":{"id":"E2","data":")" + std::string(3 << 20, 'x') + "\"}}";
  auto big = Deliver(d.port(), huge, Sign(huge, kSecret));
  EXPECT_EQ(big.status, 413) << big.body.substr(0, 200);
  EXPECT_EQ(Metric(d.port(), "timelined_store_events_inserted_total", {}), 1);
}

TEST(PdWebhook, NotConfiguredIsAClear404) {
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  std::string body = Fixture("incident_triggered.json");
  auto r = Deliver(d.port(), body, Sign(body, kSecret));
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body.find("pagerduty webhooks not configured"), std::string::npos) << r.body;
  auto b = HttpCall(d.port(), "POST", std::string("/v1/incidents/") + kIncident + "/backfill");
  EXPECT_EQ(b.status, 404) << b.body;
  EXPECT_EQ(json::parse(b.body)["error"], "backfill_not_configured");
}

// ---- A fake PagerDuty REST API -----------------------------------------------------------

json LogEntry(const std::string& id, const std::string& type, const std::string& at,
              const std::string& agent) {
  return json{
      {"id", id},
      {"type", type},
      {"summary", type + " by " + agent},
      {"created_at", at},
      {"html_url",
       std::string("https://acme.pagerduty.com/incidents/") + kIncident + "/log_entries/" + id},
      {"agent", {{"id", "PUSR1AL"}, {"type", "user_reference"}, {"summary", agent}}},
      {"channel", {{"type", "web_ui"}}},
      {"service", {{"id", "PSVC123"}, {"type", "service_reference"}, {"summary", "Payments"}}},
      {"incident", {{"id", kIncident}, {"type", "incident_reference"}}},
      {"note", {{"content", "rolled back deploy 4711"}}}};
}

// The lifecycle as log entries, at the same seconds as the webhook fixtures, served as three
// pages whatever limit the client asks for (offset 0, limit, 2*limit).
std::vector<json> LogPages() {
  json p1 = json::array(
      {LogEntry("RLETRIG", "trigger_log_entry", "2026-03-14T09:26:10Z", "Datadog"),
       LogEntry("RLEACK", "acknowledge_log_entry", "2026-03-14T09:29:41Z", "Alice Smith")});
  json p2 = json::array(
      {LogEntry("RLEESC", "escalate_log_entry", "2026-03-14T09:31:00Z", "PagerDuty"),
       LogEntry("RLENOTE", "annotate_log_entry", "2026-03-14T09:45:30Z", "Alice Smith")});
  json p3 =
      json::array({LogEntry("RLERES", "resolve_log_entry", "2026-03-14T10:41:03Z", "Alice Smith")});
  return {p1, p2, p3};
}

json RestIncident() {
  return json{
      {"incident",
       {{"id", kIncident},
        {"type", "incident"},
        {"incident_number", 1234},
        {"title", "Checkout API 5xx"},
        {"status", "resolved"},
        {"urgency", "high"},
        {"created_at", "2026-03-14T09:26:10Z"},
        {"html_url", std::string("https://acme.pagerduty.com/incidents/") + kIncident},
        {"service", {{"id", "PSVC123"}, {"type", "service_reference"}, {"summary", "Payments"}}},
        {"assignments", json::array()},
        {"priority", {{"summary", "P1"}}}}}};
}

// Offset pagination with one 429 (Retry-After) on the second page.
FakeHttpServer::Handler PagerDutyApi(std::atomic<int>* throttled) {
  return [throttled](const RecordedRequest& req) -> CannedResponse {
    const std::string& target = req.target;
    const Headers json_type{{"content-type", "application/json"}};
    const std::string base = std::string("/incidents/") + kIncident;
    if (target == base) return {200, json_type, RestIncident().dump()};
    if (!target.starts_with(base + "/log_entries?")) {
      return {404, json_type, R"({"error":{"code":2100}})"};
    }
    auto num = [&](const std::string& key) {
      auto p = target.find(key + "=");
      return p == std::string::npos ? 0 : std::stoi(target.substr(p + key.size() + 1));
    };
    int limit = num("limit");
    int offset = num("offset");
    int page = limit > 0 ? offset / limit : 0;
    if (page == 1 && throttled->fetch_add(1) == 0) {
      Headers h = json_type;
      h["retry-after"] = "1";
      return {429, h, R"({"error":{"message":"Rate Limit Exceeded","code":2020}})"};
    }
    auto pages = LogPages();
    if (page >= static_cast<int>(pages.size())) return {400, json_type, "{}"};
    return {200, json_type,
            json{{"log_entries", pages[page]},
                 {"limit", limit},
                 {"offset", offset},
                 {"more", page + 1 < static_cast<int>(pages.size())},
                 {"total", nullptr}}
                .dump()};
  };
}

std::string BackfillToml(const TempDir& dir, const FakeHttpServer& api, bool on_resolve) {
  return SubscriptionsToml(dir) + "[pagerduty]\napi_token = \"u+test-rest-token\"\n" +
         "api_base_url = \"" + api.base_url() + "\"\nrequest_timeout_ms = 5000\n" +
         "backfill_on_resolve = " + (on_resolve ? "true" : "false") + "\n";
}

TEST(PdBackfill, PaginatedLogEntriesWith429GiveTheLifecycleAndMatchKeys) {
  std::atomic<int> throttled{0};
  FakeHttpServer api(PagerDutyApi(&throttled));
  TempDir dir;
  Daemon d(dir, BackfillToml(dir, api, false));
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());

  // Only the trigger arrived as a webhook; the rest was missed.
  std::string triggered = Fixture("incident_triggered.json");
  ASSERT_EQ(Deliver(d.port(), triggered, Sign(triggered, kSecret)).status, 200);

  const std::string path = std::string("/v1/incidents/") + kIncident + "/backfill";
  auto r = HttpCall(d.port(), "POST", path);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["log_entries"], 5);
  EXPECT_EQ(j["inserted"], 5);
  EXPECT_EQ(j["already_known"], 0);
  EXPECT_EQ(throttled.load(), 2) << "the throttled page was asked for again";
  std::set<std::string> offsets;
  for (const RecordedRequest& s : api.requests()) {
    EXPECT_EQ(s.headers.at("authorization"), "Token token=u+test-rest-token") << s.target;
    if (s.target.find("offset=") != std::string::npos)
      offsets.insert(s.target.substr(s.target.find("offset=")));
  }
  EXPECT_EQ(offsets.size(), 3u);

  // Again: everything is already known.
  auto again = HttpCall(d.port(), "POST", path);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["inserted"], 0);
  EXPECT_EQ(json::parse(again.body)["already_known"], 5);

  json events = IncidentEvents(d.port());
  ASSERT_EQ(events["count"], 6) << events.dump();
  std::map<std::string, std::vector<std::string>> by_match_key;  // match_key -> source_refs
  std::multiset<std::string> kinds;
  for (const auto& e : events["events"]) {
    by_match_key[e["attrs"]["match_key"].get<std::string>()].push_back(e["source_ref"]);
    kinds.insert(e["kind"].get<std::string>());
  }
  EXPECT_EQ(kinds, (std::multiset<std::string>{"incident.triggered", "incident.triggered",
                                               "incident.acknowledged", "incident.escalated",
                                               "incident.annotated", "incident.resolved"}));
  const auto& trig = by_match_key[std::string(kIncident) + "|triggered|" +
                                  std::to_string(At("2026-03-14T09:26:10Z") / 1'000'000'000)];
  EXPECT_EQ(trig.size(), 2u) << "webhook and log entry of the trigger share a match_key";

  auto inc = HttpCall(d.port(), "GET", std::string("/v1/incidents/") + kIncident);
  ASSERT_EQ(inc.status, 200);
  json i = json::parse(inc.body);
  EXPECT_EQ(i["status"], "resolved");
  EXPECT_EQ(i["number"], 1234);
  EXPECT_EQ(i["title"], "Checkout API 5xx");
  EXPECT_EQ(i["acknowledged_at"], At("2026-03-14T09:29:41Z"));
  EXPECT_EQ(i["resolved_at"], At("2026-03-14T10:41:03Z"));
  EXPECT_EQ(Metric(d.port(), "timelined_pagerduty_backfills_total",
                   {{"trigger", "api"}, {"result", "ok"}}),
            2);

  // Bad incident ids are refused before any request goes out.
  auto bad = HttpCall(d.port(), "POST", "/v1/incidents/no%20such/backfill");
  EXPECT_EQ(bad.status, 400) << bad.body;
}

TEST(PdBackfill, ResolveWebhookTriggersBackfillOnce) {
  std::atomic<int> throttled{1};  // no 429 here
  FakeHttpServer api(PagerDutyApi(&throttled));
  TempDir dir;
  Daemon d(dir, BackfillToml(dir, api, true));
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());

  std::string resolved = Fixture("incident_resolved.json");
  ASSERT_EQ(Deliver(d.port(), resolved, Sign(resolved, kSecret)).status, 200);
  ASSERT_TRUE(WaitUntil([&] {
    return Metric(d.port(), "timelined_pagerduty_backfills_total",
                  {{"trigger", "resolve"}, {"result", "ok"}}) >= 1;
  })) << ReadFile(d.log_path());
  EXPECT_EQ(IncidentEvents(d.port())["count"], 6);
  // The backfilled resolve log entry is itself a durable incident.resolved: it must not
  // start another backfill. A later, unrelated API backfill shows the worker drained.
  auto r = HttpCall(d.port(), "POST", std::string("/v1/incidents/") + kIncident + "/backfill");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Metric(d.port(), "timelined_pagerduty_backfills_total",
                   {{"trigger", "resolve"}, {"result", "ok"}}),
            1);
}

}  // namespace
}  // namespace timelined::testing
