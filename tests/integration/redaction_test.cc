// Secrets through the real binary (issue 15, part 1): every stored string is redacted, a
// PEM key pushed as text lines is redacted as a whole, and none of the seeded secrets is
// anywhere in the database file, its -wal, the daemon's log or the read API.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/model/event.h"
#include "store/sqlite_store.h"
#include "tests/integration/harness.h"

namespace timelined::testing {
namespace {

using nlohmann::json;

// Distinctive pieces of each seeded secret: none may be found anywhere afterwards.
constexpr const char* kAwsKey = "AKIAZ7Q3K5REDACTME12";
constexpr const char* kSlackToken = "xoxb-555555555555-redactmeslacktoken";
constexpr const char* kCardNumber = "4012888888881881";
constexpr const char* kDottedCard = "4111.1111.1111.1111";
constexpr const char* kEmail = "mallory.secret@example.org";
// Lines of a (fake) PEM private key; each line's middle is distinctive.
const std::vector<std::string> kPemLines = {
    "-----BEGIN RSA PRIVATE KEY-----",
    "MIIEowIBAAKCAQEAzPemKeyMaterialLineOneQmVyeVNlY3JldEtleU1hdGVyaWFs",
    "x9TqPemKeyMaterialLineTwoU2VjcmV0S2V5TWF0ZXJpYWxUd29MaW5lc0FyZQ==",
    "-----END RSA PRIVATE KEY-----",
};
const std::vector<std::string> kSecrets = {kAwsKey,
                                           kSlackToken,
                                           kCardNumber,
                                           kDottedCard,
                                           kEmail,
                                           "PemKeyMaterialLineOne",
                                           "LineTwoU2VjcmV0",
                                           "BEGIN RSA PRIVATE",
                                           "END RSA PRIVATE"};

std::vector<Event> AllEvents(const std::string& db) {
  store::StoreOptions o;
  o.path = db;
  auto st = store::SqliteEventStore::Open(o);
  if (!st) return {};
  auto all = (*st)->QueryEvents(EventQuery{});
  return all ? *all : std::vector<Event>{};
}

// The seeded secrets found in `bytes`, named for the failure message.
std::vector<std::string> Leaks(const std::string& bytes) {
  std::vector<std::string> found;
  for (const std::string& s : kSecrets) {
    if (bytes.find(s) != std::string::npos) found.push_back(s);
  }
  return found;
}

std::string FileBytes(const std::string& path) {
  return std::filesystem::exists(path) ? ReadFile(path) : std::string();
}

TEST(Redaction, NoSeededSecretReachesTheStoreTheLogOrTheApi) {
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());

  // Generic ingest: a secret in every identity and routing field, attrs keys and numbers.
  const json generic = {{"source", "deployer"},
                        {"source_ref", std::string("job/") + kAwsKey + "/1"},
                        {"kind", std::string("deploy.aws_") + kAwsKey},
                        {"scope", std::string("svc/") + kEmail},
                        {"incident_id", "QSECRET1"},
                        {"occurred_at", "2026-03-14T09:26:10Z"},
                        {"summary", std::string("card ") + kDottedCard + " declined"},
                        {"body", std::string("key aws_") + kAwsKey},
                        {"actor", kEmail},
                        {"attrs",
                         {{kAwsKey, "used as a key"},
                          {"cc_number", 4012888888881881ULL},
                          {"labels", {{"app", kSlackToken}}}}}};
  const std::string id = MakeEventId("deployer", std::string("job/") + kAwsKey + "/1");
  auto r = HttpCall(d.port(), "POST", "/ingest/events", json::array({generic}).dump(),
                    {{"content-type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).value("inserted", -1), 1) << r.body;
  // The same item again dedupes: the ID comes from the original source_ref.
  r = HttpCall(d.port(), "POST", "/ingest/events", json::array({generic}).dump(),
               {{"content-type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).value("inserted", -1), 0) << r.body;
  EXPECT_EQ(json::parse(r.body).value("duplicates", -1), 1) << r.body;

  // A PEM key pushed as text/plain lines, with a Slack token in a query label.
  std::string text = "service starting\n";
  for (const std::string& line : kPemLines) text += line + "\n";
  text += "service ready\n";
  r = HttpCall(d.port(), "POST", std::string("/ingest/logs?namespace=prod&app=") + kSlackToken,
               text, {{"content-type", "text/plain"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).value("inserted", -1), 6) << r.body;

  // Read back through the API: every event, and the incident's list.
  auto events = AllEvents(d.db_path());
  ASSERT_EQ(events.size(), 7u);
  std::string api;
  bool saw_generic = false;
  int pem_lines = 0;
  for (const Event& e : events) {
    auto g = HttpCall(d.port(), "GET", "/v1/events/" + e.id);
    ASSERT_EQ(g.status, 200) << e.id << ": " << g.body;
    api += g.body;
    const json j = json::parse(g.body);
    if (e.id == id) {
      saw_generic = true;
      EXPECT_EQ(j["source_ref"], "job/[REDACTED:aws_key]/1");
      EXPECT_EQ(j["kind"], "deploy.aws_[REDACTED:aws_key]");
      EXPECT_EQ(j["scope"], "svc/[REDACTED:email]");
      EXPECT_EQ(j["attrs"]["cc_number"], "[REDACTED:card_number]");
      EXPECT_EQ(j["attrs"]["[REDACTED:aws_key]"], "used as a key");
      EXPECT_EQ(j["summary"], "card [REDACTED:card_number] declined");
    }
    if (j["body"] == "[REDACTED:private_key]") ++pem_lines;
    if (e.source == "log") {
      EXPECT_NE(j["source_ref"].get<std::string>().find("[REDACTED:slack_token]"),
                std::string::npos)
          << j.dump();
      EXPECT_EQ(j["scope"], "log/prod/[REDACTED:slack_token]");
    }
  }
  EXPECT_TRUE(saw_generic);
  EXPECT_EQ(pem_lines, 4) << "BEGIN, both key lines and END";
  auto list = HttpCall(d.port(), "GET", "/v1/incidents/QSECRET1/events");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(json::parse(list.body)["count"], 1) << list.body;
  api += list.body;
  EXPECT_EQ(Leaks(api), std::vector<std::string>{}) << api;

  // The bytes: database, -wal (before and after the daemon stops and checkpoints), log.
  EXPECT_EQ(Leaks(FileBytes(d.db_path())), std::vector<std::string>{});
  EXPECT_EQ(Leaks(FileBytes(d.db_path() + "-wal")), std::vector<std::string>{});
  ASSERT_EQ(d.Stop(SIGTERM), 0);
  EXPECT_EQ(Leaks(FileBytes(d.db_path())), std::vector<std::string>{});
  EXPECT_EQ(Leaks(FileBytes(d.db_path() + "-wal")), std::vector<std::string>{});
  EXPECT_EQ(Leaks(ReadFile(d.log_path())), std::vector<std::string>{});

  // The chain still verifies with redacted source_refs.
  auto verify = RunTimelined({"verify-store", "--db", d.db_path()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

}  // namespace
}  // namespace timelined::testing
