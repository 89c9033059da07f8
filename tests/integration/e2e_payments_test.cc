// The payments bad-deploy incident end to end, as the sources send it: Fluent Bit log lines,
// a kubectl event list, PagerDuty V3 webhooks and Slack Events API callbacks
// (tests/fixtures/e2e/payments, in replay.txt order), each signed with the configured secret
// exactly as PagerDuty and Slack sign, through the real binary over HTTP. Then: the Slack
// thread is bound by its root naming the incident URL, the incident row is current, the
// automatic draft appears after the settle delay and cites only stored, correlated events,
// export + verify pass, a tampered event fails verify, a late Slack reply marks the draft
// stale, and regenerate makes version 2 whose diff shows the new line. scripts/demo replays
// the same files with curl and openssl.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/model/hash.h"
#include "tests/integration/harness.h"

namespace timelined::testing {
namespace {

using json = nlohmann::json;

const std::string kDir = std::string(TIMELINED_FIXTURES) + "/e2e/payments/";
const std::string kIncident = "Q1PAYMNT7";
const std::string kPdSecret = "e2e-pagerduty-signing-secret";
const std::string kSlackSecret = "e2e-slack-signing-secret";

const std::string kToml = R"(
[[pagerduty.subscriptions]]
id = "PE2E001"
secret = ")" + kPdSecret + R"("

[slack]
signing_secret = ")" + kSlackSecret +
                          R"("
workspace_url = "https://acme.slack.com"

[summarizer]
settle_delay_ms = 1000

[[summarizer.services]]
service = "PSVCPAY"
scopes = ["k8s/payments/payments-api", "log/payments/api"]
slack_channels = ["C0PAY"]
)";

HttpResult Replay(uint16_t port, const std::string& source, const std::string& body) {
  if (source == "pagerduty") {
    return HttpCall(port, "POST", "/webhooks/pagerduty", body,
                    {{"content-type", "application/json"},
                     {"x-webhook-subscription", "PE2E001"},
                     {"x-pagerduty-signature", "v1=" + HmacSha256Hex(kPdSecret, body)}});
  }
  if (source == "slack") {
    const std::string ts = std::to_string(std::time(nullptr));
    return HttpCall(
        port, "POST", "/webhooks/slack", body,
        {{"content-type", "application/json"},
         {"x-slack-request-timestamp", ts},
         {"x-slack-signature", "v0=" + HmacSha256Hex(kSlackSecret, "v0:" + ts + ":" + body)}});
  }
  if (source == "logs") {
    return HttpCall(port, "POST", "/ingest/logs", body, {{"content-type", "application/x-ndjson"}});
  }
  return HttpCall(port, "POST", "/ingest/kubernetes", body, {{"content-type", "application/json"}});
}

std::set<std::string> Cited(const json& timeline) {
  std::set<std::string> cited;
  for (const auto& line : timeline["lines"]) {
    for (const auto& id : line["citations"]) cited.insert(id.get<std::string>());
  }
  return cited;
}

TEST(E2ePayments, SignedReplayGivesAnAutoDraftThatVerifiesGoesStaleAndRegenerates) {
  TempDir dir;
  auto d = std::make_unique<Daemon>(dir, kToml);
  ASSERT_TRUE(d->started()) << ReadFile(d->log_path());
  const uint16_t port = d->port();

  // Replay every step; each is acknowledged only once durable.
  std::istringstream steps(ReadFile(kDir + "replay.txt"));
  std::string line;
  int replayed = 0;
  while (std::getline(steps, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string source, file;
    fields >> source >> file;
    auto r = Replay(port, source, ReadFile(kDir + file));
    ASSERT_TRUE(r.status == 200 || r.status == 204) << file << ": " << r.status << " " << r.body;
    ++replayed;
  }
  ASSERT_EQ(replayed, 16);
  // A retried PagerDuty delivery is one event.
  auto retry = Replay(port, "pagerduty", ReadFile(kDir + "16_pd_resolved.json"));
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(json::parse(retry.body)["duplicates"], 1);

  // The incident row follows the webhooks; the thread root bound the thread.
  auto inc = json::parse(HttpCall(port, "GET", "/v1/incidents/" + kIncident).body);
  EXPECT_EQ(inc["status"], "resolved") << inc.dump();
  EXPECT_EQ(inc["number"], 4711);
  EXPECT_EQ(inc["service_id"], "PSVCPAY");
  auto bindings = HttpCall(port, "GET", "/v1/incidents/" + kIncident + "/bindings");
  ASSERT_EQ(bindings.status, 200) << bindings.body;
  EXPECT_NE(bindings.body.find("1773489671.000300"), std::string::npos) << bindings.body;

  // The automatic draft, after the settle delay.
  const std::string base = "/v1/incidents/" + kIncident;
  auto md =
      WaitForGet(port, base + "/timeline.md", [](const HttpResult& r) { return r.status == 200; });
  ASSERT_EQ(md.status, 200) << md.body << ReadFile(d->log_path());
  EXPECT_NE(md.body.find("trigger `auto_close`"), std::string::npos);
  EXPECT_NE(md.body.find("- **Stale:** no"), std::string::npos);
  // Every source tells part of the story.
  for (const char* expected : {"OOMKilling", "BackOff", "payment authorization failed",
                               "Rolling back payments-api", "acknowledged", "resolved"}) {
    EXPECT_NE(md.body.find(expected), std::string::npos) << expected << "\n" << md.body;
  }
  auto timeline = json::parse(HttpCall(port, "GET", base + "/timeline.json").body);
  ASSERT_GT(timeline["lines"].size(), 8u);
  for (const auto& l : timeline["lines"]) EXPECT_FALSE(l["citations"].empty()) << l.dump();
  // Cited IDs are stored and correlated with the incident.
  auto correlated = json::parse(HttpCall(port, "GET", base + "/events").body);
  std::set<std::string> correlated_ids;
  for (const auto& e : correlated["events"]) correlated_ids.insert(e["id"].get<std::string>());
  const auto cited = Cited(timeline);
  for (const auto& id : cited) {
    EXPECT_EQ(HttpCall(port, "GET", "/v1/events/" + id).status, 200) << id;
    EXPECT_TRUE(correlated_ids.contains(id)) << id << " cited but not correlated";
  }

  // A late reply in the thread marks the draft stale; regenerate makes version 2 with it.
  const std::string late = ReadFile(kDir + "late/late_reply.json");
  ASSERT_EQ(Replay(port, "slack", late).status, 200);
  auto stale = WaitForGet(port, base + "/drafts", [](const HttpResult& r) {
    return r.status == 200 && json::parse(r.body)["drafts"][0]["stale"] == true;
  });
  ASSERT_EQ(json::parse(stale.body)["drafts"][0]["stale"], true) << stale.body;
  auto regen = HttpCall(port, "POST", base + "/regenerate");
  ASSERT_EQ(regen.status, 202) << regen.body;
  EXPECT_NE(regen.headers["location"].find("version=2"), std::string::npos);
  auto diff = HttpCall(port, "GET", base + "/diff?from=1&to=2");
  ASSERT_EQ(diff.status, 200) << diff.body;
  EXPECT_NE(diff.body.find("Root cause confirmed"), std::string::npos) << diff.body;

  // Export the latest draft from the stopped daemon's store; verify passes, then fails after
  // one cited event is tampered with.
  ASSERT_EQ(d->Stop(), 0);
  const std::string db = d->db_path();
  auto exported = RunTimelined({"export", kIncident, "--db", db});
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  const std::string file = dir.File("postmortem.md");
  WriteFile(file, exported.output);
  auto ok = RunTimelined({"verify", file, "--db", db});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;

  // Rows edited by hand (issue 14, point 3): the evidence is intact, so verify passes and
  // names each edited, added and removed row; --strict fails on them and passes on the
  // file as generated.
  auto as_generated = RunTimelined({"verify", file, "--strict", "--db", db});
  EXPECT_EQ(as_generated.exit_code, 0) << as_generated.output;
  EXPECT_NE(as_generated.output.find(" 0 edited, 0 added by hand, 0 removed; 0 other lines"),
            std::string::npos)
      << as_generated.output;
  std::string edited = exported.output;
  const size_t first_row = edited.find("\n| 20", edited.find("## Timeline")) + 1;
  edited.insert(edited.find(" | ", first_row) + 3, "EDITED ");
  const size_t second_row = edited.find("\n| 20", first_row) + 1;
  const size_t second_end = edited.find('\n', second_row);
  const std::string removed_row = edited.substr(second_row, second_end - second_row);
  edited.erase(second_row, second_end - second_row + 1);
  edited.insert(edited.find("\n\n## Source events"),
                "\n| 2026-03-14 12:30:00 | Customer comms sent by the duty manager |  |");
  // And the title, outside any row (the old line is missing, the new one not generated).
  edited.replace(0, edited.find('\n'), "# Incident #4711: a title written by hand");
  const std::string hand_file = dir.File("postmortem-edited.md");
  WriteFile(hand_file, edited);
  auto hand = RunTimelined({"verify", hand_file, "--db", db});
  EXPECT_EQ(hand.exit_code, 0) << hand.output;
  EXPECT_NE(hand.output.find(" 1 edited, 1 added by hand, 1 removed; 2 other lines"),
            std::string::npos)
      << hand.output;
  EXPECT_NE(hand.output.find("current:   | "), std::string::npos) << hand.output;
  EXPECT_NE(hand.output.find("EDITED"), std::string::npos) << hand.output;
  EXPECT_NE(hand.output.find("Customer comms sent"), std::string::npos) << hand.output;
  EXPECT_NE(hand.output.find(removed_row), std::string::npos) << hand.output;
  auto hand_strict = RunTimelined({"verify", hand_file, "--strict", "--db", db});
  EXPECT_EQ(hand_strict.exit_code, 1) << hand_strict.output;
  // A file whose header names a draft it is not (here version 1, stored before the
  // regenerate): a compact draft is checked against that draft's citations, so it fails.
  std::string renamed = exported.output;
  const std::string v2 = "- **Draft:** version 2,";
  ASSERT_NE(renamed.find(v2), std::string::npos);
  renamed.replace(renamed.find(v2), v2.size(), "- **Draft:** version 1,");
  const std::string renamed_file = dir.File("postmortem-renamed.md");
  WriteFile(renamed_file, renamed);
  auto other = RunTimelined({"verify", renamed_file, "--db", db});
  EXPECT_EQ(other.exit_code, 1) << other.output;
  EXPECT_NE(other.output.find("input digest differs"), std::string::npos) << other.output;

  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  const std::string victim = *cited.begin();
  const std::string sql =
      "UPDATE events SET raw_sha256 = '" + std::string(64, '0') + "' WHERE id = '" + victim + "'";
  ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_changes(raw), 1);
  sqlite3_close(raw);
  auto bad = RunTimelined({"verify", file, "--db", db});
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_NE(bad.output.find(victim), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace timelined::testing
