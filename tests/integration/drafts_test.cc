// Drafts through the real binary: the payments bad-deploy incident ingested over HTTP, the
// automatic draft after the settle delay, citations that resolve, export/verify (and verify
// failing after tampering), stale on late evidence, regenerate + diff, reopen cancelling the
// auto draft, and signed regenerate with Idempotency-Key replay.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "store/model/event.h"
#include "store/model/hash.h"
#include "store/model/time.h"
#include "tests/integration/harness.h"

namespace timelined::testing {
namespace {

using nlohmann::json;

const std::string kIncident = "Q1PAYMNT7";

const char* kServiceToml = R"(
[summarizer]
settle_delay_ms = 200
[[summarizer.services]]
service = "PSVCPAY"
scopes = ["k8s/payments/payments-api", "log/payments/api"]
slack_channels = ["C0PAY"]
)";

// The golden incident's evidence, without its Slack users' names: those come only from
// users.info, and /ingest/events refuses them (slack_webhook_test covers names).
json FixtureEvents(json* users = nullptr) {
  auto j = json::parse(
      ReadFile(std::string(TIMELINED_FIXTURES) + "/summarizer/payments_bad_deploy.json"));
  json evidence = json::array();
  for (json& e : j["events"]) {
    if (e["kind"] == "slack.user") {
      if (users != nullptr) users->push_back(e);
    } else {
      evidence.push_back(std::move(e));
    }
  }
  return evidence;
}

// A salient Slack reply in the incident thread, posted after the auto draft.
json LateReply() {
  return json{{"source", "slack"},
              {"source_ref", "T0ACME:C0PAY:1773491100.001300"},
              {"kind", "slack.message"},
              {"occurred_at", "2026-03-14T12:25:00Z"},
              {"incident_id", "Q1PAYMNT7"},
              {"actor", "bob"},
              {"body", "root cause confirmed: the db pool size change in v1.43.0"},
              {"url", "https://acme.slack.com/archives/C0PAY/p1773491100001300"},
              {"attrs",
               {{"channel", "C0PAY"},
                {"ts", "1773491100.001300"},
                {"thread_ts", "1773489780.000100"},
                {"bot", false},
                {"pinned", false},
                {"reactions", json::array()}}}};
}

std::string IdOf(const json& e) {
  return MakeEventId(e["source"].get<std::string>(), e["source_ref"].get<std::string>());
}

HttpResult Ingest(uint16_t port, const json& events) {
  return HttpCall(port, "POST", "/ingest/events", json{{"events", events}}.dump(),
                  {{"content-type", "application/json"}});
}

// The rows of the Markdown "## Timeline" table.
std::vector<std::string> TimelineRows(const std::string& md) {
  std::vector<std::string> rows;
  size_t at = md.find("\n## Timeline\n");
  if (at == std::string::npos) return rows;
  size_t end = md.find("\n## ", at + 1);
  std::string section = md.substr(at, end == std::string::npos ? std::string::npos : end - at);
  size_t pos = 0;
  while ((pos = section.find("\n| 20", pos)) != std::string::npos) {
    size_t eol = section.find('\n', pos + 1);
    rows.push_back(section.substr(pos + 1, eol - pos - 1));
    pos = eol;
  }
  return rows;
}

TEST(Drafts, AutoDraftCitesStoredEventsExportsVerifiesGoesStaleAndRegenerates) {
  TempDir dir;
  auto d = std::make_unique<Daemon>(dir, kServiceToml);
  ASSERT_TRUE(d->started()) << ReadFile(d->log_path());
  const uint16_t port = d->port();
  const json late = json::array({LateReply()});
  json users = json::array();
  auto in = Ingest(port, FixtureEvents(&users));
  ASSERT_EQ(in.status, 200) << in.body;
  // A name stored first would relabel that person's messages in every draft.
  ASSERT_FALSE(users.empty());
  auto spoof = Ingest(port, json::array({users[0]}));
  EXPECT_EQ(spoof.status, 400) << spoof.body;
  EXPECT_EQ(json::parse(spoof.body)["error"], "reserved_event") << spoof.body;
  json disguised = users[0];
  disguised["kind"] = "slack.note";
  EXPECT_EQ(Ingest(port, json::array({disguised})).status, 400);

  // The auto draft appears once the settle delay has passed.
  const std::string md_target = "/v1/incidents/" + kIncident + "/timeline.md";
  auto md = WaitForGet(port, md_target, [](const HttpResult& r) { return r.status == 200; });
  ASSERT_EQ(md.status, 200) << md.body << ReadFile(d->log_path());
  EXPECT_EQ(md.headers["content-type"], "text/markdown; charset=utf-8");
  EXPECT_NE(md.body.find("version 1, trigger `auto_close`"), std::string::npos);
  EXPECT_NE(md.body.find("- **Stale:** no"), std::string::npos);

  // Every timeline row cites at least one event; every cited ID resolves.
  auto rows = TimelineRows(md.body);
  ASSERT_GT(rows.size(), 10u);
  for (const auto& row : rows) EXPECT_NE(row.find("](#"), std::string::npos) << row;
  auto tj = HttpCall(port, "GET", "/v1/incidents/" + kIncident + "/timeline.json");
  ASSERT_EQ(tj.status, 200);
  auto timeline = json::parse(tj.body);
  std::set<std::string> cited;
  for (const auto& line : timeline["lines"]) {
    EXPECT_FALSE(line["citations"].empty()) << line.dump();
    for (const auto& id : line["citations"]) cited.insert(id.get<std::string>());
  }
  ASSERT_FALSE(cited.empty());
  for (const auto& id : cited) {
    EXPECT_EQ(HttpCall(port, "GET", "/v1/events/" + id).status, 200) << id;
  }

  // /events returns exactly the correlated set, each with its reason.
  auto ev = HttpCall(port, "GET", "/v1/incidents/" + kIncident + "/events");
  ASSERT_EQ(ev.status, 200);
  auto evj = json::parse(ev.body);
  EXPECT_EQ(evj["count"], timeline["stats"]["correlated"]);
  std::set<std::string> reasons;
  for (const auto& e : evj["events"]) reasons.insert(e["included_because"].get<std::string>());
  EXPECT_TRUE(reasons.contains("named"));
  EXPECT_TRUE(reasons.contains("scope:k8s/payments/payments-api"));
  for (const auto& id : cited) {
    bool found = false;
    for (const auto& e : evj["events"]) found = found || e["id"] == id;
    EXPECT_TRUE(found) << id << " cited but not correlated";
  }

  // A late Slack reply marks the draft stale: API and Markdown header.
  ASSERT_EQ(Ingest(port, late).status, 200);
  auto drafts = WaitForGet(port, "/v1/incidents/" + kIncident + "/drafts", [](const HttpResult& r) {
    return r.status == 200 && json::parse(r.body)["drafts"][0]["stale"] == true;
  });
  auto dj = json::parse(drafts.body);
  ASSERT_EQ(dj["drafts"].size(), 1u);
  EXPECT_EQ(dj["drafts"][0]["stale"], true);
  EXPECT_EQ(dj["drafts"][0]["trigger"], "auto_close");
  auto stale_md = HttpCall(port, "GET", md_target + "?version=1");
  EXPECT_NE(stale_md.body.find("- **Stale:** yes"), std::string::npos);

  // Regenerate: version 2, and the diff shows the new line citing the late reply.
  auto regen = HttpCall(port, "POST", "/v1/incidents/" + kIncident + "/regenerate");
  ASSERT_EQ(regen.status, 202) << regen.body;
  EXPECT_EQ(regen.headers["location"], "/v1/incidents/" + kIncident + "/timeline.json?version=2");
  auto diff = HttpCall(port, "GET", "/v1/incidents/" + kIncident + "/diff?from=1&to=2");
  ASSERT_EQ(diff.status, 200) << diff.body;
  auto diffj = json::parse(diff.body);
  const std::string late_id = IdOf(late[0]);
  bool added = false;
  for (const auto& line : diffj["diff"]["added"]) {
    for (const auto& c : line["citations"]) added = added || c == late_id;
  }
  EXPECT_TRUE(added) << diff.body;
  auto diff_md = HttpCall(port, "GET", "/v1/incidents/" + kIncident + "/diff?from=1&to=2", "",
                          {{"accept", "text/markdown"}});
  EXPECT_EQ(diff_md.headers["content-type"], "text/markdown; charset=utf-8");
  EXPECT_EQ(HttpCall(port, "GET", md_target + "?version=3").status, 404);
  EXPECT_EQ(HttpCall(port, "GET", "/v1/incidents/NOPE/timeline.json").status, 404);
  EXPECT_EQ(HttpCall(port, "GET", md_target + "?version=x").status, 400);
  auto v2 = HttpCall(port, "GET", md_target);
  ASSERT_EQ(v2.status, 200);
  EXPECT_NE(v2.body.find("version 2, trigger `api`"), std::string::npos);
  EXPECT_NE(v2.body.find("- **Stale:** no"), std::string::npos);

  // Export from the stopped daemon's store matches the route; verify passes, then fails
  // naming the line once a cited event is tampered with.
  ASSERT_EQ(d->Stop(), 0);
  const std::string db = d->db_path();
  auto exported = RunTimelined({"export", kIncident, "--db", db});
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_EQ(exported.output, v2.body);
  auto exported_json =
      RunTimelined({"export", kIncident, "--db", db, "--format", "json", "--version", "1"});
  ASSERT_EQ(exported_json.exit_code, 0) << exported_json.output;
  EXPECT_EQ(json::parse(exported_json.output)["meta"]["stale"], true);
  const std::string file = dir.File("draft.md");
  WriteFile(file, exported.output);
  auto ok = RunTimelined({"verify", file, "--db", db});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("ok"), std::string::npos) << ok.output;

  const std::string victim = *cited.begin();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  const std::string sql =
      "UPDATE events SET raw_sha256 = '" + std::string(64, 'f') + "' WHERE id = '" + victim + "'";
  ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto bad = RunTimelined({"verify", file, "--db", db});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("line "), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find(victim), std::string::npos) << bad.output;
}

TEST(Drafts, ReopenBeforeTheSettleDelayCancelsTheAutoDraft) {
  TempDir dir;
  std::string toml = kServiceToml;
  toml.replace(toml.find("settle_delay_ms = 200"), 21, "settle_delay_ms = 600000");
  Daemon d(dir, toml);
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  ASSERT_EQ(Ingest(d.port(), FixtureEvents()).status, 200);
  json reopen = {{"source", "pagerduty"},
                 {"source_ref", "webhook:reopen-1"},
                 {"kind", "incident.reopened"},
                 {"incident_id", kIncident},
                 {"occurred_at", "2026-03-14T12:30:00Z"},
                 {"summary", "Reopened"}};
  ASSERT_EQ(Ingest(d.port(), json::array({reopen})).status, 200);
  auto m = WaitForGet(d.port(), "/metrics", [](const HttpResult& r) {
    return r.body.find("timelined_drafts_auto_total{outcome=\"cancelled\"} 1") != std::string::npos;
  });
  EXPECT_NE(m.body.find("timelined_drafts_auto_total{outcome=\"cancelled\"} 1"), std::string::npos)
      << m.body;
  auto drafts = HttpCall(d.port(), "GET", "/v1/incidents/" + kIncident + "/drafts");
  ASSERT_EQ(drafts.status, 200);
  EXPECT_TRUE(json::parse(drafts.body)["drafts"].empty());
}

TEST(Drafts, SignedRegenerateWithIdempotencyKeyReplaysTheSameAnswer) {
  TempDir dir;
  std::string toml = std::string(kServiceToml) + "";
  toml.replace(toml.find("settle_delay_ms = 200"), 21,
               "auto_draft = false\nregenerate_secret = \"s3cret-for-tests\"");
  Daemon d(dir, toml);
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  ASSERT_EQ(Ingest(d.port(), FixtureEvents()).status, 200);
  const std::string path = "/v1/incidents/" + kIncident + "/regenerate";
  const std::string body = R"({"reason":"chat-ops"})";
  auto signed_headers = [&](const std::string& key, int64_t ts, const std::string& secret) {
    const std::string t = std::to_string(ts);
    return std::map<std::string, std::string>{
        {"content-type", "application/json"},
        {"idempotency-key", key},
        {"x-timelined-timestamp", t},
        {"x-timelined-signature",
         "v1=" + HmacSha256Hex(secret, t + "\nPOST " + path + "\n" + key + "\n" + body)}};
  };
  const int64_t now = SystemClock::Instance().Now() / kNanosPerSecond;

  auto wrong = HttpCall(d.port(), "POST", path, body, signed_headers("k1", now, "wrong"));
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  auto old =
      HttpCall(d.port(), "POST", path, body, signed_headers("k1", now - 3600, "s3cret-for-tests"));
  EXPECT_EQ(old.status, 401) << old.body;
  auto h = signed_headers("k1", now, "s3cret-for-tests");
  auto other_path = HttpCall(d.port(), "POST", "/v1/incidents/Q1OTHER/regenerate", body, h);
  EXPECT_EQ(other_path.status, 401) << other_path.body;
  auto no_key = h;
  no_key.erase("idempotency-key");
  EXPECT_EQ(HttpCall(d.port(), "POST", path, body, no_key).status, 400);

  auto first = HttpCall(d.port(), "POST", path, body, h);
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(first.headers["location"], "/v1/incidents/" + kIncident + "/timeline.json?version=1");
  auto replay = HttpCall(d.port(), "POST", path, body, h);
  EXPECT_EQ(replay.status, 202);
  EXPECT_EQ(replay.body, first.body);
  EXPECT_EQ(replay.headers["location"], first.headers["location"]);
  auto drafts =
      json::parse(HttpCall(d.port(), "GET", "/v1/incidents/" + kIncident + "/drafts").body);
  ASSERT_EQ(drafts["drafts"].size(), 1u);
  EXPECT_EQ(drafts["drafts"][0]["trigger"], "regenerate");

  auto second =
      HttpCall(d.port(), "POST", path, body, signed_headers("k2", now, "s3cret-for-tests"));
  ASSERT_EQ(second.status, 202) << second.body;
  EXPECT_EQ(second.headers["location"], "/v1/incidents/" + kIncident + "/timeline.json?version=2");
}

}  // namespace
}  // namespace timelined::testing
