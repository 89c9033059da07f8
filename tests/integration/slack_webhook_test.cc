// The Slack Events API webhook, bindings and thread backfill through the real binary.
// Requests are signed here with a test secret; conversations.replies is served by a local
// Beast server (tests/unit/connectors/common/fake_http_server.h).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

#include "store/model/event.h"
#include "store/model/hash.h"
#include "tests/integration/harness.h"
#include "tests/unit/connectors/common/fake_http_server.h"

namespace timelined::testing {
namespace {

using connectors::testing::CannedResponse;
using connectors::testing::FakeHttpServer;
using connectors::testing::RecordedRequest;
using nlohmann::json;

constexpr const char* kSecret = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr const char* kOldSecret = "0ld5ecret0f1ast0week000000000000";
constexpr const char* kTeam = "T0ACME01";
constexpr const char* kIncident = "Q1PAYMNT";

// `user_names` off unless a test is about them: the fake Slack APIs answer only what the
// test asks for.
std::string SlackToml(const std::string& api_base_url = "http://127.0.0.1:9/api",
                      const std::string& extra = "", bool user_names = false) {
  return std::string("[slack]\nsigning_secret = \"") + kSecret +
         "\"\nprevious_signing_secret = \"" + kOldSecret +
         "\"\nworkspace_url = \"https://acme.slack.com\"\nown_bot_id = \"B0TIMELINED\"\n"
         "bot_token = \"xoxb-test-token\"\napi_base_url = \"" +
         api_base_url +
         "\"\nrequest_timeout_ms = 5000\nuser_names = " + (user_names ? "true" : "false") + "\n" +
         extra;
}

std::string NowTs(long offset = 0) { return std::to_string(std::time(nullptr) + offset); }

std::map<std::string, std::string> Signed(const std::string& body, const std::string& ts,
                                          const std::string& secret = kSecret) {
  return {{"content-type", "application/json"},
          {"x-slack-request-timestamp", ts},
          {"x-slack-signature", "v0=" + HmacSha256Hex(secret, "v0:" + ts + ":" + body)}};
}

HttpResult PostSlack(uint16_t port, const json& payload,
                     std::map<std::string, std::string> extra = {}) {
  std::string body = payload.dump();
  auto headers = Signed(body, NowTs());
  headers.insert(extra.begin(), extra.end());
  return HttpCall(port, "POST", "/webhooks/slack", body, headers);
}

json Callback(const std::string& event_id, json inner) {
  return {{"token", "legacy-verification-token"},
          {"team_id", kTeam},
          {"api_app_id", "A0TIMELINED"},
          {"event", std::move(inner)},
          {"type", "event_callback"},
          {"event_id", event_id},
          {"event_time", 1773480390}};
}

json Message(const std::string& channel, const std::string& ts, const std::string& user,
             const std::string& text, const std::string& thread_ts = "") {
  json m = {{"type", "message"}, {"channel", channel}, {"channel_type", "channel"},
            {"user", user},      {"text", text},       {"ts", ts},
            {"event_ts", ts},    {"team", kTeam}};
  if (!thread_ts.empty()) {
    m["thread_ts"] = thread_ts;
    m["parent_user_id"] = "U0ALICE";
  }
  return m;
}

std::string MessageId(const std::string& channel, const std::string& ts,
                      const std::string& suffix = "") {
  return MakeEventId("slack", std::string(kTeam) + ":" + channel + ":" + ts + suffix);
}

// GET /v1/events/{id}: the event, or null when absent.
json GetEvent(uint16_t port, const std::string& id) {
  auto r = HttpCall(port, "GET", "/v1/events/" + id);
  if (r.status != 200) return nullptr;
  return json::parse(r.body);
}

// Creates incident `id` by ingesting a PagerDuty event that carries its snapshot.
void CreateIncident(uint16_t port, const std::string& id, int number,
                    const std::string& status = "triggered") {
  json e = {{"source", "pagerduty"},
            {"source_ref", "webhook:test-" + id},
            {"kind", "incident.triggered"},
            {"occurred_at", "2026-03-14T09:20:00Z"},
            {"incident_id", id},
            {"summary", "Payments API 5xx"},
            {"attrs",
             {{"incident",
               {{"id", id},
                {"number", number},
                {"title", "Payments API 5xx"},
                {"service_id", "PSVCPAY"},
                {"service_name", "payments"},
                {"status", status},
                {"html_url", "https://acme.pagerduty.com/incidents/" + id}}}}}};
  auto r = HttpCall(port, "POST", "/ingest/events", e.dump());
  ASSERT_EQ(r.status, 200) << r.body;
}

TEST(SlackWebhook, AnswersUrlVerificationAndSays404WhenNotConfigured) {
  TempDir dir;
  Daemon d(dir, SlackToml());
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  json challenge = {{"token", "legacy"},
                    {"challenge", "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"},
                    {"type", "url_verification"}};
  auto r = PostSlack(d.port(), challenge);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["challenge"], challenge["challenge"]);

  // Signed with the secret being rotated out: still accepted.
  std::string body = challenge.dump();
  std::string ts = NowTs();
  auto old = HttpCall(d.port(), "POST", "/webhooks/slack", body, Signed(body, ts, kOldSecret));
  EXPECT_EQ(old.status, 200) << old.body;

  TempDir bare_dir;
  Daemon bare(bare_dir);
  ASSERT_TRUE(bare.started()) << ReadFile(bare.log_path());
  auto off = PostSlack(bare.port(), challenge);
  EXPECT_EQ(off.status, 404);
  EXPECT_EQ(json::parse(off.body)["error"], "slack_not_configured");
}

TEST(SlackWebhook, BadSignatureOrStaleTimestampIs401AndStoresNothing) {
  TempDir dir;
  Daemon d(dir, SlackToml());
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  const std::string ts = "1773480390.001200";
  std::string body = Callback("Ev0BAD1", Message("C0INC", ts, "U0ALICE", "secret plan")).dump();
  struct Case {
    const char* name;
    std::map<std::string, std::string> headers;
    std::string body;
    const char* error;
  };
  std::string now = NowTs();
  std::string stale = NowTs(-400);
  std::string tampered = body;
  tampered.replace(tampered.find("secret plan"), 11, "public plan");
  const Case cases[] = {
      {"wrong secret", Signed(body, now, "not-the-secret"), body, "bad_signature"},
      {"tampered body", Signed(body, now), tampered, "bad_signature"},
      {"stale timestamp", Signed(body, stale), body, "stale_timestamp"},
      {"no headers", {{"content-type", "application/json"}}, body, "bad_timestamp"},
  };
  for (const Case& c : cases) {
    auto r = HttpCall(d.port(), "POST", "/webhooks/slack", c.body, c.headers);
    EXPECT_EQ(r.status, 401) << c.name << ": " << r.body;
    json j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << c.name;
    EXPECT_EQ(j["error"], c.error) << c.name;
  }
  EXPECT_TRUE(GetEvent(d.port(), MessageId("C0INC", ts)).is_null());
  auto count = HttpCall(d.port(), "GET", "/metrics");
  EXPECT_NE(count.body.find("timelined_webhook_signature_failures_total{reason=\"bad_signature\","
                            "source=\"slack\"} 2"),
            std::string::npos)
      << count.body;
  EXPECT_NE(count.body.find("timelined_store_events_inserted_total 0"), std::string::npos);
  EXPECT_EQ(ReadFile(d.log_path()).find("secret plan"), std::string::npos);  // no bodies in logs
}

TEST(SlackWebhook, RetriedDeliveryIsStoredOnce) {
  TempDir dir;
  Daemon d(dir, SlackToml());
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  const std::string ts = "1773480390.001200";
  json payload = Callback("Ev0RETRY1", Message("C0INC", ts, "U0ALICE", "db failover started"));
  auto first = PostSlack(d.port(), payload);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(json::parse(first.body)["inserted"], 1);
  // Slack's retry: a fresh timestamp and signature, the same event_id.
  auto retry = PostSlack(d.port(), payload,
                         {{"x-slack-retry-num", "1"}, {"x-slack-retry-reason", "http_timeout"}});
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(json::parse(retry.body)["duplicate"], true);
  // The same message under another event_id (an app_mention): one event by (channel, ts).
  json mention = Message("C0INC", ts, "U0ALICE", "db failover started");
  mention["type"] = "app_mention";
  auto again = PostSlack(d.port(), Callback("Ev0MENTION", mention));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["duplicates"], 1);

  json stored = GetEvent(d.port(), MessageId("C0INC", ts));
  ASSERT_TRUE(stored.is_object());
  EXPECT_EQ(stored["scope"], "slack/C0INC");
  EXPECT_FALSE(stored.contains("incident_id") && !stored["incident_id"].get<std::string>().empty());
  EXPECT_EQ(stored["url"], "https://acme.slack.com/archives/C0INC/p1773480390001200");
  auto metrics = HttpCall(d.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("timelined_store_events_inserted_total 1"), std::string::npos) << metrics;
}

// Slack's 3-second contract with a slow store: another process holds SQLite's write lock, so
// the delivery is not durable within [slack] ack_timeout_ms and is answered 503 (Slack
// retries) well before Slack would give up on it; once the lock goes, Slack's retry of the
// same delivery leaves exactly one stored message, never two, never none.
TEST(SlackWebhook, SlowStoreAnswers503InTimeAndTheRetryStoresOnce) {
  TempDir dir;
  // The publish timeout is a minute: only the Slack ack timeout can answer in time (had the
  // route waited for the writer, which gives up on the lock after 5 s, the answer would be
  // another error, and no "timeout" failure would be counted).
  Daemon d(dir, SlackToml("http://127.0.0.1:9/api", "ack_timeout_ms = 300\n"),
           "publish_timeout_ms = 60000");
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(d.db_path().c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10'000);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  const std::string ts = "1773480391.000100";
  const json payload = Callback("Ev0SLOW1", Message("C0INC", ts, "U0ALICE", "rolling back"));
  auto first = PostSlack(d.port(), payload);
  ASSERT_EQ(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(first.status, 503) << first.body;
  EXPECT_EQ(json::parse(first.body, nullptr, false).value("error", ""), "not_durable");
  EXPECT_TRUE(first.headers.contains("retry-after"));

  auto retry = PostSlack(d.port(), payload,
                         {{"x-slack-retry-num", "1"}, {"x-slack-retry-reason", "http_error"}});
  ASSERT_EQ(retry.status, 200) << retry.body;
  const json r = json::parse(retry.body);
  // Usually the first delivery committed once the lock went (duplicates 1); had the writer
  // given up on the lock instead, the retry stores it (inserted 1). Either way: one.
  EXPECT_EQ(r.value("inserted", 0) + r.value("duplicates", 0), 1) << retry.body;
  EXPECT_TRUE(GetEvent(d.port(), MessageId("C0INC", ts)).is_object());
  auto metrics = HttpCall(d.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("timelined_store_events_inserted_total 1\n"), std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find(R"(timelined_ingest_publish_failures_total{reason="timeout",source="slack"} 1)"),
      std::string::npos)
      << metrics;
}

// A thread discussed before anyone bound it, then bound through the API: the backfill
// fetches what the webhook never delivered (cursor pagination, one 429 with Retry-After),
// later edits and deletions arrive bound, and the incident's events include the thread.
TEST(SlackWebhook, BoundThreadWithBackfillEditAndDeletion) {
  const std::string root = "1773480390.001200";
  const std::string reply_a = "1773480400.000100";
  const std::string reply_b = "1773480455.004500";
  const std::string reply_c = "1773480470.000700";
  const std::string cursor = "bmV4dF90czoxNzczNDgwNDU1MDA0NTAw";
  int calls = 0;
  FakeHttpServer slack_api([&](const RecordedRequest& r) -> CannedResponse {
    ++calls;
    if (r.target.find("ts=1773480999.000100") != std::string::npos) {
      return {
          200, {{"content-type", "application/json"}}, R"({"ok":false,"error":"not_in_channel"})"};
    }
    json msg_root = Message("C0INC", root, "U0ALICE", "checkout 5xx, looking", root);
    msg_root.erase("channel");
    msg_root["reply_count"] = 3;
    if (r.target.find("cursor=") == std::string::npos) {
      json page = {
          {"ok", true},
          {"messages", {msg_root, Message("C0INC", reply_a, "U0BOB", "pods crash-looping", root)}},
          {"has_more", true},
          {"response_metadata", {{"next_cursor", cursor}}}};
      return {200, {{"content-type", "application/json"}}, page.dump()};
    }
    if (calls == 2) return {429, {{"retry-after", "1"}}, R"({"ok":false,"error":"ratelimited"})"};
    json page = {{"ok", true},
                 {"messages",
                  {Message("C0INC", reply_b, "U0BOB", "rolling back checkout-api to v2.14.1", root),
                   Message("C0INC", reply_c, "U0ALICE", "error rate back to normal", root)}},
                 {"has_more", false},
                 {"response_metadata", {{"next_cursor", ""}}}};
    return {200, {{"content-type", "application/json"}}, page.dump()};
  });
  TempDir dir;
  Daemon d(dir, SlackToml(slack_api.base_url() + "/api"));
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  CreateIncident(d.port(), kIncident, 4711);
  CreateIncident(d.port(), "Q2OTHER", 4712);

  // Before the binding: the root and the first reply arrive unbound.
  ASSERT_EQ(PostSlack(d.port(),
                      Callback("Ev01", Message("C0INC", root, "U0ALICE", "checkout 5xx, looking")))
                .status,
            200);
  ASSERT_EQ(PostSlack(d.port(), Callback("Ev02", Message("C0INC", reply_a, "U0BOB",
                                                         "pods crash-looping", root)))
                .status,
            200);
  EXPECT_EQ(GetEvent(d.port(), MessageId("C0INC", root)).value("incident_id", ""), "");

  // Bad input, unknown incident, then the binding (with its synchronous backfill).
  const std::string bind_path = std::string("/v1/incidents/") + kIncident + "/bindings";
  json bind = {{"channel", "C0INC"}, {"thread_ts", root}};
  EXPECT_EQ(HttpCall(d.port(), "POST", bind_path, R"({"channel":"c0inc"})").status, 400);
  EXPECT_EQ(HttpCall(d.port(), "POST", bind_path, R"({"channel":"C0INC","thread_ts":"x"})").status,
            400);
  EXPECT_EQ(HttpCall(d.port(), "POST", bind_path, R"({"channel":"C0INC","oops":1})").status, 400);
  EXPECT_EQ(HttpCall(d.port(), "POST", "/v1/incidents/QNOSUCH/bindings", bind.dump()).status, 404);
  auto bound = HttpCall(d.port(), "POST", bind_path, bind.dump());
  ASSERT_EQ(bound.status, 201) << bound.body;
  json b = json::parse(bound.body);
  EXPECT_EQ(b["binding"]["kind"], "slack_thread");
  EXPECT_EQ(b["binding"]["key"], "C0INC:" + root);
  EXPECT_EQ(b["backfill"]["status"], "done") << bound.body;
  EXPECT_EQ(b["backfill"]["fetched"], 4);
  EXPECT_EQ(b["backfill"]["inserted"], 2);  // the root and reply A were stored already
  EXPECT_EQ(b["backfill"]["duplicates"], 2);
  auto requests = slack_api.requests();
  ASSERT_EQ(requests.size(), 3u);  // page 1, the 429, page 2 again
  EXPECT_EQ(requests[0].headers["authorization"], "Bearer xoxb-test-token");
  EXPECT_NE(requests[0].target.find("channel=C0INC"), std::string::npos);
  EXPECT_NE(requests[2].target.find("cursor=" + cursor), std::string::npos);

  // Idempotent; the same thread cannot be bound to another incident.
  EXPECT_EQ(HttpCall(d.port(), "POST", bind_path, bind.dump()).status, 200);
  EXPECT_EQ(HttpCall(d.port(), "POST", "/v1/incidents/Q2OTHER/bindings", bind.dump()).status, 409);
  // A Slack API error is surfaced in the answer and the metrics; the binding stands.
  auto failing = HttpCall(d.port(), "POST", bind_path,
                          R"({"channel":"C0INC","thread_ts":"1773480999.000100"})");
  ASSERT_EQ(failing.status, 201) << failing.body;
  json fb = json::parse(failing.body)["backfill"];
  EXPECT_EQ(fb["status"], "failed");
  EXPECT_EQ(fb["error"], "not_in_channel");
  auto metrics = HttpCall(d.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find(
                "timelined_slack_backfill_total{outcome=\"error\",reason=\"permission_denied\"} 1"),
            std::string::npos)
      << metrics;
  auto listed = HttpCall(d.port(), "GET", bind_path);
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(json::parse(listed.body)["bindings"].size(), 2u);

  // After the binding: an edit of reply A and the deletion of reply B arrive bound.
  json edit = {
      {"type", "message"},
      {"subtype", "message_changed"},
      {"hidden", true},
      {"channel", "C0INC"},
      {"ts", "1773480600.000200"},
      {"event_ts", "1773480600.000200"},
      {"message", Message("C0INC", reply_a, "U0BOB", "pods crash-looping (OOMKilled)", root)},
      {"previous_message", Message("C0INC", reply_a, "U0BOB", "pods crash-looping", root)}};
  edit["message"]["edited"] = {{"user", "U0BOB"}, {"ts", "1773480600.000000"}};
  ASSERT_EQ(PostSlack(d.port(), Callback("Ev03", edit)).status, 200);
  json del = {{"type", "message"},
              {"subtype", "message_deleted"},
              {"hidden", true},
              {"channel", "C0INC"},
              {"ts", "1773480700.000300"},
              {"event_ts", "1773480700.000300"},
              {"deleted_ts", reply_b},
              {"previous_message",
               Message("C0INC", reply_b, "U0BOB", "rolling back checkout-api to v2.14.1", root)}};
  ASSERT_EQ(PostSlack(d.port(), Callback("Ev04", del)).status, 200);

  const std::string root_id = MessageId("C0INC", root);
  const std::string a_id = MessageId("C0INC", reply_a);
  const std::string b_id = MessageId("C0INC", reply_b);
  const std::string c_id = MessageId("C0INC", reply_c);
  const std::string edit_id = MessageId("C0INC", reply_a, ":edit:1773480600.000000");
  const std::string del_id = MessageId("C0INC", reply_b, ":deleted");
  json edited = GetEvent(d.port(), edit_id);
  ASSERT_TRUE(edited.is_object());
  EXPECT_EQ(edited["kind"], "slack.message_changed");
  EXPECT_EQ(edited["incident_id"], kIncident);
  EXPECT_EQ(edited["attrs"]["supersedes"], a_id);
  EXPECT_EQ(edited["body"], "pods crash-looping (OOMKilled)");
  json original = GetEvent(d.port(), a_id);
  ASSERT_TRUE(original.is_object());
  EXPECT_EQ(original["body"], "pods crash-looping");  // the original is kept as evidence
  json tomb = GetEvent(d.port(), del_id);
  ASSERT_TRUE(tomb.is_object());
  EXPECT_EQ(tomb["kind"], "slack.message_deleted");
  EXPECT_EQ(tomb["incident_id"], kIncident);
  EXPECT_EQ(tomb["attrs"]["supersedes"], b_id);
  // The deleted message is served as deleted, without its text (the row keeps it until
  // erasure exists).
  json deleted_original = GetEvent(d.port(), b_id);
  ASSERT_TRUE(deleted_original.is_object());
  EXPECT_EQ(deleted_original["kind"], "slack.message");
  EXPECT_EQ(deleted_original["body"], "");
  EXPECT_EQ(deleted_original["summary"], "(message deleted)");
  EXPECT_EQ(deleted_original["deleted"], true);
  EXPECT_EQ(deleted_original["deleted_by"], del_id);
  EXPECT_EQ(deleted_original["incident_id"], kIncident);  // came by backfill, bound
  EXPECT_EQ(deleted_original.dump().find("rolling back"), std::string::npos)
      << deleted_original.dump();
  EXPECT_FALSE(original.contains("deleted")) << "a message not deleted is served as is";

  auto events = HttpCall(d.port(), "GET", std::string("/v1/incidents/") + kIncident + "/events");
  ASSERT_EQ(events.status, 200) << events.body;
  std::map<std::string, std::string> why;
  const json listed_events = json::parse(events.body);
  for (const json& e : listed_events["events"]) {
    why[e["id"].get<std::string>()] = e["included_because"].get<std::string>();
  }
  const std::string thread_reason = "bound:slack_thread:C0INC:" + root;
  EXPECT_EQ(why[root_id], thread_reason);  // stored before the binding
  EXPECT_EQ(why[a_id], thread_reason);
  EXPECT_EQ(why[b_id], "named");  // backfilled with the incident's id
  EXPECT_EQ(why[c_id], "named");
  EXPECT_EQ(why[edit_id], "named");
  EXPECT_EQ(why[del_id], "named");
  EXPECT_EQ(why.size(), 7u);  // plus the PagerDuty trigger
  EXPECT_EQ(events.body.find("rolling back"), std::string::npos) << events.body;
  for (const json& e : listed_events["events"]) {
    EXPECT_EQ(e.contains("deleted"), e["id"] == b_id) << e.dump();
  }
}

// A root message naming a known incident binds its thread; a configured incident channel
// carries the open incident of its service.
TEST(SlackWebhook, RootNamingAnIncidentAndServiceChannelBind) {
  TempDir dir;
  Daemon d(dir, SlackToml("http://127.0.0.1:9/api",
                          "[[slack.channels]]\nchannel = \"C0PAY\"\nservice = \"PSVCPAY\"\n"));
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  // No incident open yet: a message in the service channel stays unbound.
  ASSERT_EQ(PostSlack(d.port(), Callback("Ev10", Message("C0PAY", "1773480300.000100", "U0ALICE",
                                                         "deploying payments v42")))
                .status,
            200);
  EXPECT_EQ(GetEvent(d.port(), MessageId("C0PAY", "1773480300.000100")).value("incident_id", ""),
            "");
  CreateIncident(d.port(), kIncident, 4711);

  const std::string root = "1773480390.001200";
  ASSERT_EQ(PostSlack(d.port(),
                      Callback("Ev11", Message("C0WAR", root, "U0ALICE",
                                               "war room for <https://acme.pagerduty.com/incidents/"
                                               "Q1PAYMNT|#4711 Payments API 5xx>")))
                .status,
            200);
  ASSERT_EQ(PostSlack(d.port(), Callback("Ev12", Message("C0WAR", "1773480401.000100", "U0BOB",
                                                         "on it", root)))
                .status,
            200);
  ASSERT_EQ(PostSlack(d.port(), Callback("Ev13", Message("C0WAR", "1773480402.000100", "U0BOB",
                                                         "unrelated, see #9999")))
                .status,
            200);
  ASSERT_EQ(PostSlack(d.port(), Callback("Ev14", Message("C0PAY", "1773480403.000100", "U0CAROL",
                                                         "5xx on payments again")))
                .status,
            200);
  EXPECT_EQ(GetEvent(d.port(), MessageId("C0WAR", root))["incident_id"], kIncident);
  EXPECT_EQ(GetEvent(d.port(), MessageId("C0WAR", "1773480401.000100"))["incident_id"], kIncident);
  EXPECT_EQ(GetEvent(d.port(), MessageId("C0WAR", "1773480402.000100")).value("incident_id", ""),
            "");  // #9999 is no known incident
  json in_channel = GetEvent(d.port(), MessageId("C0PAY", "1773480403.000100"));
  EXPECT_EQ(in_channel["incident_id"], kIncident);
  EXPECT_EQ(in_channel["scope"], "slack/C0PAY");

  auto listed = HttpCall(d.port(), "GET", std::string("/v1/incidents/") + kIncident + "/bindings");
  ASSERT_EQ(listed.status, 200);
  json bindings = json::parse(listed.body)["bindings"];
  ASSERT_EQ(bindings.size(), 1u);
  EXPECT_EQ(bindings[0]["key"], "C0WAR:" + root);
  // Binding a whole channel through the API.
  auto channel = HttpCall(d.port(), "POST", std::string("/v1/incidents/") + kIncident + "/bindings",
                          R"({"channel":"C0WAR2"})");
  ASSERT_EQ(channel.status, 201) << channel.body;
  EXPECT_EQ(json::parse(channel.body)["backfill"]["status"], "not_applicable");
  ASSERT_EQ(PostSlack(d.port(), Callback("Ev15", Message("C0WAR2", "1773480500.000100", "U0BOB",
                                                         "status page updated")))
                .status,
            200);
  EXPECT_EQ(GetEvent(d.port(), MessageId("C0WAR2", "1773480500.000100"))["incident_id"], kIncident);
}

// The binding of a thread whose backfill has a key.
json BackfillOf(const HttpResult& listed, const std::string& key) {
  if (listed.status != 200) return nullptr;
  json body = json::parse(listed.body, nullptr, false);
  if (!body.is_object()) return nullptr;
  for (const json& b : body["bindings"]) {
    if (b["key"] == key) return b.value("backfill", json());
  }
  return nullptr;
}

// A backfill's progress is on its binding: a job behind another is "queued"; a running job
// shows the pages and messages fetched so far, and when its next request is due while it
// waits out a 429; a finished job is "done" with its counts. The job gauges and the page
// counter follow. Slack's API here blocks page 2 of the long thread until the test has seen
// page 1's progress, and rate-limits the other thread for ten minutes.
TEST(SlackWebhook, BackfillProgressIsShownOnTheBinding) {
  const std::string root = "1773480390.001200";
  const std::string limited = "1773480500.000100";
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  FakeHttpServer slack_api([&](const RecordedRequest& r) -> CannedResponse {
    if (r.target.find("ts=" + limited) != std::string::npos) {
      return {429, {{"retry-after", "600"}}, R"({"ok":false,"error":"ratelimited"})"};
    }
    auto page = [&](std::vector<json> messages, const std::string& next) -> CannedResponse {
      json body = {{"ok", true},
                   {"messages", std::move(messages)},
                   {"has_more", !next.empty()},
                   {"response_metadata", {{"next_cursor", next}}}};
      return {200, {{"content-type", "application/json"}}, body.dump()};
    };
    if (r.target.find("cursor=") == std::string::npos) {
      return page({Message("C0INC", root, "U0ALICE", "checkout 5xx, looking", root),
                   Message("C0INC", "1773480400.000100", "U0BOB", "pods crash-looping", root)},
                  "cGFnZTI");
    }
    if (r.target.find("cursor=cGFnZTI") != std::string::npos) {
      std::unique_lock lock(mu);  // bounded, so a failed test never hangs the server
      cv.wait_for(lock, std::chrono::seconds(60), [&] { return release; });
      return page({Message("C0INC", "1773480455.004500", "U0BOB", "rolling back", root)},
                  "cGFnZTM");
    }
    return page({Message("C0INC", "1773480470.000700", "U0ALICE", "error rate normal", root)}, "");
  });
  auto unblock = [&] {
    std::lock_guard lock(mu);
    release = true;
    cv.notify_all();
  };
  TempDir dir;
  Daemon d(dir, SlackToml(slack_api.base_url() + "/api", "replies_min_interval_ms = 0\n"));
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  CreateIncident(d.port(), kIncident, 4711);
  const std::string bind_path = std::string("/v1/incidents/") + kIncident + "/bindings";

  auto queued = HttpCall(
      d.port(), "POST", bind_path,
      json{{"channel", "C0INC"}, {"thread_ts", root}, {"wait", false}, {"team", kTeam}}.dump());
  ASSERT_EQ(queued.status, 201) << queued.body;
  EXPECT_EQ(json::parse(queued.body)["backfill"]["status"], "queued");
  const std::string key = "C0INC:" + root;
  auto running = WaitForGet(d.port(), bind_path, [&](const HttpResult& r) {
    json b = BackfillOf(r, key);
    return b.is_object() && b["status"] == "running" && b["pages"] == 1;
  });
  json progress = BackfillOf(running, key);
  ASSERT_TRUE(progress.is_object()) << running.body;
  EXPECT_EQ(progress["status"], "running") << running.body;
  EXPECT_EQ(progress["fetched"], 2);
  EXPECT_TRUE(progress.contains("queued_at"));
  EXPECT_TRUE(progress.contains("started_at"));
  EXPECT_FALSE(progress.contains("finished_at"));

  // A second thread waits behind the first.
  auto second = HttpCall(
      d.port(), "POST", bind_path,
      json{{"channel", "C0INC"}, {"thread_ts", limited}, {"wait", false}, {"team", kTeam}}.dump());
  ASSERT_EQ(second.status, 201) << second.body;
  const std::string limited_key = "C0INC:" + limited;
  EXPECT_EQ(BackfillOf(HttpCall(d.port(), "GET", bind_path), limited_key)["status"], "queued");
  auto metrics = HttpCall(d.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("timelined_slack_backfill_jobs{state=\"queued\"} 1"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("timelined_slack_backfill_jobs{state=\"running\"} 1"), std::string::npos);

  unblock();
  auto done = WaitForGet(d.port(), bind_path, [&](const HttpResult& r) {
    json b = BackfillOf(r, key);
    return b.is_object() && b["status"] == "done";
  });
  json finished = BackfillOf(done, key);
  ASSERT_TRUE(finished.is_object()) << done.body;
  EXPECT_EQ(finished["status"], "done") << done.body;
  EXPECT_EQ(finished["pages"], 3);
  EXPECT_EQ(finished["fetched"], 4);
  EXPECT_EQ(finished["inserted"], 4);
  EXPECT_EQ(finished["duplicates"], 0);
  EXPECT_TRUE(finished.contains("finished_at"));

  // The rate-limited thread now runs, waiting out Retry-After: 600 s.
  auto waiting = WaitForGet(d.port(), bind_path, [&](const HttpResult& r) {
    json b = BackfillOf(r, limited_key);
    return b.is_object() && b["status"] == "running" && b.contains("next_request_at");
  });
  json wait = BackfillOf(waiting, limited_key);
  ASSERT_TRUE(wait.is_object()) << waiting.body;
  EXPECT_EQ(wait["status"], "running") << waiting.body;
  EXPECT_EQ(wait["pages"], 0);
  // RFC 3339 UTC strings of one format compare in time order.
  EXPECT_GT(wait.value("next_request_at", ""),
            FormatRfc3339((std::time(nullptr) + 300) * kNanosPerSecond));
  metrics = HttpCall(d.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("timelined_slack_backfill_pages_total 3"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("timelined_slack_backfill_jobs{state=\"queued\"} 0"), std::string::npos);
  EXPECT_NE(metrics.find("timelined_slack_backfill_jobs{state=\"running\"} 1"), std::string::npos);
  // Stopping the daemon interrupts the wait (the destructors below).
}

}  // namespace
}  // namespace timelined::testing

namespace timelined::testing {
namespace {

// Issue 13, point 6: each author's name is asked of users.info once and stored as a
// slack.user event without the rest of the profile; a user Slack does not know keeps the id;
// a regenerated draft names the author, cites the name and verifies.
TEST(SlackWebhook, AuthorsAreNamedOnceAndDraftsUseTheirNames) {
  std::mutex mu;
  std::map<std::string, int> asked;
  FakeHttpServer slack_api([&](const RecordedRequest& r) -> CannedResponse {
    const std::string prefix = "/api/users.info?user=";
    if (!r.target.starts_with(prefix)) return {404, {}, "unexpected"};
    const std::string user = r.target.substr(prefix.size());
    {
      std::lock_guard lock(mu);
      ++asked[user];
    }
    json answer = {{"ok", false}, {"error", "user_not_found"}};
    if (user == "U0ALICE" || user == "U0CAROL") {
      answer = {{"ok", true},
                {"user",
                 {{"id", user},
                  {"name", user == "U0ALICE" ? "alice" : "carol"},
                  {"real_name", user == "U0ALICE" ? "Alice Chen" : "Carol Diaz"},
                  {"profile",
                   {{"display_name", ""},
                    {"real_name", user == "U0ALICE" ? "Alice Chen" : "Carol Diaz"},
                    {"email", "someone@acme.example"}}},
                  {"is_bot", false}}}};
    }
    return {200, {{"content-type", "application/json"}}, answer.dump()};
  });
  auto asked_of = [&](const std::string& user) {
    std::lock_guard lock(mu);
    return asked[user];
  };
  TempDir dir;
  Daemon d(dir,
           SlackToml(slack_api.base_url() + "/api",
                     "[[slack.channels]]\nchannel = \"C0PAY\"\nservice = \"PSVCPAY\"\n", true));
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  CreateIncident(d.port(), kIncident, 4711);
  ASSERT_EQ(PostSlack(d.port(), Callback("Ev20", Message("C0PAY", "1773480600.000100", "U0ALICE",
                                                         "rolling back payments-api now")))
                .status,
            200);
  ASSERT_EQ(PostSlack(d.port(), Callback("Ev21", Message("C0PAY", "1773480601.000100", "U0BOB",
                                                         "root cause: pool size in v43")))
                .status,
            200);
  const std::string alice_id = MakeEventId("slack", std::string(kTeam) + ":user:U0ALICE");
  ASSERT_TRUE(WaitUntil([&] { return GetEvent(d.port(), alice_id).is_object(); }));
  json alice = GetEvent(d.port(), alice_id);
  EXPECT_EQ(alice["kind"], "slack.user");
  EXPECT_EQ(alice["attrs"]["display_name"], "Alice Chen");
  EXPECT_EQ(alice.value("incident_id", ""), "");
  EXPECT_EQ(alice.dump().find("acme.example"), std::string::npos) << alice.dump();

  // Alice again, then Carol: the worker is serial and Alice is settled, so once Carol has
  // been asked, Alice was asked only the once.
  ASSERT_EQ(PostSlack(d.port(), Callback("Ev22", Message("C0PAY", "1773480602.000100", "U0ALICE",
                                                         "rollback complete")))
                .status,
            200);
  ASSERT_EQ(PostSlack(d.port(), Callback("Ev23", Message("C0PAY", "1773480603.000100", "U0CAROL",
                                                         "status page updated")))
                .status,
            200);
  const std::string carol_id = MakeEventId("slack", std::string(kTeam) + ":user:U0CAROL");
  ASSERT_TRUE(WaitUntil([&] { return GetEvent(d.port(), carol_id).is_object(); }));
  EXPECT_EQ(asked_of("U0ALICE"), 1);
  EXPECT_EQ(asked_of("U0BOB"), 1);
  auto metrics = HttpCall(d.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("timelined_slack_user_names_total{outcome=\"fetched\",reason=\"\"} 2"),
            std::string::npos)
      << metrics;
  // Settled in memory: Alice's second message did not even reach the store lookup.
  EXPECT_NE(
      metrics.find("timelined_slack_user_names_total{outcome=\"stored_already\",reason=\"\"} 0"),
      std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find("timelined_slack_user_names_total{outcome=\"error\",reason=\"not_found\"} 1"),
      std::string::npos)
      << metrics;

  const std::string inc = std::string("/v1/incidents/") + kIncident;
  auto regen = HttpCall(d.port(), "POST", inc + "/regenerate");
  ASSERT_EQ(regen.status, 202) << regen.body;
  auto md = WaitForGet(d.port(), inc + "/timeline.md",
                       [](const HttpResult& r) { return r.status == 200; });
  ASSERT_EQ(md.status, 200) << md.body;
  EXPECT_NE(md.body.find("Alice Chen: \"rolling back payments-api now\""), std::string::npos)
      << md.body;
  EXPECT_NE(md.body.find("U0BOB: \"root cause: pool size in v43\""), std::string::npos) << md.body;
  EXPECT_NE(md.body.find("#" + alice_id + ")"), std::string::npos) << "the name is cited";
  EXPECT_NE(md.body.find("user `U0ALICE`"), std::string::npos) << "the id stays in Source events";

  ASSERT_EQ(d.Stop(), 0);
  const std::string file = dir.File("draft.md");
  WriteFile(file, md.body);
  auto ok = RunTimelined({"verify", file, "--db", d.db_path()});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

}  // namespace
}  // namespace timelined::testing

namespace timelined::testing {
namespace {

// A token without users:read: the first lookup's missing_scope turns lookups off until
// restart, said once in the log; later authors are not asked and messages still store.
TEST(SlackWebhook, ATokenThatCannotReadUsersTurnsNameLookupsOff) {
  std::atomic<int> asked{0};
  FakeHttpServer slack_api([&](const RecordedRequest&) -> CannedResponse {
    ++asked;
    return {200,
            {{"content-type", "application/json"}},
            R"({"ok":false,"error":"missing_scope","needed":"users:read"})"};
  });
  TempDir dir;
  Daemon d(dir, SlackToml(slack_api.base_url() + "/api", "", true));
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  ASSERT_EQ(PostSlack(d.port(),
                      Callback("Ev30", Message("C0PAY", "1773480700.000100", "U0ALICE", "looking")))
                .status,
            200);
  const std::string refused =
      "timelined_slack_user_names_total{outcome=\"error\",reason=\"permission_denied\"} 1";
  auto metrics = WaitForGet(d.port(), "/metrics", [&](const HttpResult& r) {
    return r.body.find(refused) != std::string::npos;
  });
  ASSERT_NE(metrics.body.find(refused), std::string::npos) << metrics.body;
  for (const char* user : {"U0BOB", "U0CAROL"}) {
    ASSERT_EQ(PostSlack(d.port(), Callback(std::string("Ev31") + user,
                                           Message("C0PAY", "1773480701.000100", user, "on it")))
                  .status,
              200);
  }
  // Want runs before the answer: a queued lookup would show in the gauge or the requests.
  metrics = HttpCall(d.port(), "GET", "/metrics");
  EXPECT_NE(metrics.body.find("timelined_slack_user_names_queued 0"), std::string::npos)
      << metrics.body;
  EXPECT_EQ(asked.load(), 1);
  ASSERT_EQ(d.Stop(), 0);
  const std::string log = ReadFile(d.log_path());
  const std::string line = "user names off until restart";
  ASSERT_NE(log.find(line), std::string::npos) << log;
  EXPECT_EQ(log.find(line, log.find(line) + 1), std::string::npos) << "said once";
  EXPECT_EQ(log.find("xoxb-test-token"), std::string::npos) << "the token is never logged";
}

}  // namespace
}  // namespace timelined::testing
