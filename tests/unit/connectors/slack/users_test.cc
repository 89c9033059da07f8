#include "connectors/slack/users.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "connectors/slack/backfill.h"
#include "store/model/hash.h"
#include "tests/unit/connectors/common/fake_http_server.h"
#include "tests/unit/connectors/common/fixtures.h"

namespace timelined::connectors::slack {
namespace {

using nlohmann::json;
using testing::CannedResponse;
using testing::FakeHttpServer;
using testing::ReadFixture;
using testing::RecordedRequest;

constexpr Nanos kReceived = 1'773'490'000'000'000'000;
const SlackOptions kOptions{.workspace_url = "https://acme.slack.com", .own_bot_id = ""};

TEST(SlackUsers, UsersInfoBecomesOneUserEventWithTheShownNameAndNothingElseOfTheProfile) {
  const std::string body = ReadFixture("slack/users_info.json");
  auto e = ParseUserInfo(body, "T0ACME01", "U0ALICE", kReceived, kOptions);
  ASSERT_TRUE(e.has_value()) << e.error().detail;
  EXPECT_EQ(e->id, UserEventId("T0ACME01", "U0ALICE"));
  EXPECT_EQ(e->id, MakeEventId("slack", "T0ACME01:user:U0ALICE"));
  EXPECT_EQ(e->kind, "slack.user");
  EXPECT_EQ(e->actor, "U0ALICE");
  EXPECT_EQ(e->scope, "slack-users/T0ACME01");
  EXPECT_EQ(e->incident_id, "");
  EXPECT_EQ(e->occurred_at, int64_t{1'773'400'000} * kNanosPerSecond);  // user.updated
  EXPECT_EQ(e->received_at, kReceived);
  EXPECT_EQ(e->summary, "Slack user U0ALICE: Alice Chen");
  EXPECT_EQ(e->url, "https://acme.slack.com/team/U0ALICE");
  EXPECT_EQ(e->raw_sha256, Sha256Hex(body));
  // display_name is empty here, so Slack shows the real name.
  EXPECT_EQ(e->attrs, (json{{"team", "T0ACME01"},
                            {"user", "U0ALICE"},
                            {"display_name", "Alice Chen"},
                            {"is_bot", false},
                            {"deleted", false}}));
  const std::string all = EventToJson(*e).dump();
  for (const char* kept_out : {"alice.chen@acme.example", "+44 20", "SRE, payments", "on call",
                               "avatars.slack-edge", "Europe/London"}) {
    EXPECT_EQ(all.find(kept_out), std::string::npos) << kept_out;
  }
}

TEST(SlackUsers, TheNameSlackShowsWinsAndBotsAreBots) {
  json doc = json::parse(ReadFixture("slack/users_info.json"));
  doc["user"]["profile"]["display_name"] = "alice.c";
  auto shown = ParseUserInfo(doc.dump(), "T0ACME01", "U0ALICE", kReceived, kOptions);
  ASSERT_TRUE(shown.has_value());
  EXPECT_EQ(shown->attrs["display_name"], "alice.c");

  json bot = {{"ok", true},
              {"user",
               {{"id", "U0RELAY"},
                {"name", "statusrelay"},
                {"is_bot", true},
                {"profile", {{"real_name", "Status Relay"}}}}}};
  auto b = ParseUserInfo(bot.dump(), "T0ACME01", "U0RELAY", kReceived, SlackOptions{});
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->attrs["display_name"], "Status Relay");
  EXPECT_EQ(b->attrs["is_bot"], true);
  EXPECT_EQ(b->summary, "Slack user U0RELAY: Status Relay (bot)");
  EXPECT_EQ(b->url, "");                 // no workspace URL, no profile link
  EXPECT_EQ(b->occurred_at, kReceived);  // no `updated`
  json slackbot = {{"ok", true}, {"user", {{"id", "USLACKBOT"}, {"name", "slackbot"}}}};
  auto sb = ParseUserInfo(slackbot.dump(), "T0ACME01", "USLACKBOT", kReceived, kOptions);
  ASSERT_TRUE(sb.has_value());
  EXPECT_EQ(sb->attrs["is_bot"], true);
  EXPECT_EQ(sb->attrs["display_name"], "slackbot");
}

TEST(SlackUsers, BadAnswersAreClearErrors) {
  struct Case {
    std::string body;
    std::string message;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {"not json", "invalid_json", ErrorCode::kInvalidInput},
      {"[]", "invalid_payload", ErrorCode::kInvalidInput},
      {R"({"ok":true})", "invalid_payload", ErrorCode::kInvalidInput},
      {R"({"ok":true,"user":{"id":"U0MALLORY","name":"mallory"}})", "invalid_payload",
       ErrorCode::kInvalidInput},
      {R"({"ok":true,"user":{"id":"U0ALICE"}})", "invalid_payload", ErrorCode::kInvalidInput},
      {R"({"ok":false,"error":"user_not_found"})", "user_not_found", ErrorCode::kNotFound},
      {R"({"ok":false,"error":"missing_scope","needed":"users:read"})", "missing_scope",
       ErrorCode::kPermissionDenied},
      {R"({"ok":false,"error":"invalid_auth"})", "invalid_auth", ErrorCode::kUnauthenticated},
  };
  for (const Case& c : cases) {
    auto e = ParseUserInfo(c.body, "T0ACME01", "U0ALICE", kReceived, kOptions);
    ASSERT_FALSE(e.has_value()) << c.body;
    EXPECT_EQ(e.error().message, c.message) << c.body;
    EXPECT_EQ(e.error().code, c.code) << c.body;
  }
}

TEST(SlackUsers, FetchUserAsksUsersInfoWithTheTokenAndRetries) {
  int calls = 0;
  FakeHttpServer server([&](const RecordedRequest&) -> CannedResponse {
    if (++calls == 1) return {503, {}, "busy"};
    return {200, {{"content-type", "application/json"}}, ReadFixture("slack/users_info.json")};
  });
  SlackBackfillOptions options;
  options.base_url = server.base_url() + "/api";
  options.token = "xoxb-test-token";
  options.retry.max_retries = 2;
  options.retry.backoff_base = std::chrono::milliseconds(1);
  options.slack = kOptions;
  std::vector<std::chrono::milliseconds> sleeps;
  auto api = SlackBackfill::Create(options, nullptr,
                                   [&sleeps](std::chrono::milliseconds d) { sleeps.push_back(d); });
  ASSERT_TRUE(api.has_value());
  auto e = (*api)->FetchUser("T0ACME01", "U0ALICE");
  ASSERT_TRUE(e.has_value()) << e.error().message << " " << e.error().detail;
  EXPECT_EQ(e->attrs["display_name"], "Alice Chen");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].target, "/api/users.info?user=U0ALICE");
  EXPECT_EQ(requests[1].headers["authorization"], "Bearer xoxb-test-token");
  EXPECT_EQ(sleeps.size(), 1u);

  // A malformed id is refused before any request; a body that is not an answer is the
  // server's fault (kUnavailable), not the caller's.
  auto bad = (*api)->FetchUser("T0ACME01", "U0/../x");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message, "bad_argument");
  EXPECT_EQ(server.requests().size(), 2u);
}

}  // namespace
}  // namespace timelined::connectors::slack
