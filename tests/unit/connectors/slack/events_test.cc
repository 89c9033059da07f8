#include "connectors/slack/events.h"

#include <gtest/gtest.h>

#include "store/model/hash.h"
#include "tests/unit/connectors/common/fixtures.h"

namespace timelined::connectors::slack {
namespace {

using testing::ReadFixture;

constexpr Nanos kReceived = 1'773'480'460'000'000'000;
constexpr std::string_view kTeam = "T0ACME01";
constexpr std::string_view kChannel = "C0INC1234";
constexpr std::string_view kRootTs = "1773480390.001200";
constexpr std::string_view kReplyTs = "1773480455.004500";

SlackOptions Options() { return {"https://acme.slack.com", "B0TIMELINED"}; }

Result<SlackParse> Parse(std::string_view fixture) {
  std::string raw = ReadFixture("slack/" + std::string(fixture) + ".json");
  EXPECT_FALSE(raw.empty()) << fixture;
  return ParseEventsApi(raw, kReceived, Options());
}

std::string Ref(std::string_view ts) {
  return std::string(kTeam) + ":" + std::string(kChannel) + ":" + std::string(ts);
}

// Fixtures that produce no event, and what the parser says about them.
TEST(SlackEventsTest, NonMessageOutcomes) {
  struct Case {
    std::string fixture;
    SlackParse::Type type;
  };
  for (const Case& c : {Case{"url_verification", SlackParse::kUrlVerification},
                        Case{"app_rate_limited", SlackParse::kRateLimited},
                        Case{"channel_join", SlackParse::kIgnored},
                        Case{"message_changed_unfurl", SlackParse::kIgnored},
                        Case{"message_own_bot", SlackParse::kIgnored},
                        Case{"unknown_inner", SlackParse::kIgnored}}) {
    SCOPED_TRACE(c.fixture);
    auto parsed = Parse(c.fixture);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().detail;
    EXPECT_EQ(parsed->type, c.type);
    EXPECT_TRUE(parsed->events.empty());
  }
  EXPECT_EQ(Parse("url_verification")->challenge,
            "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
  EXPECT_EQ(Parse("app_rate_limited")->team_id, kTeam);
  auto join = Parse("channel_join");
  EXPECT_EQ(join->dedup_key, "T0ACME01:Ev0JOIN0001");  // still deduplicated by the daemon
}

TEST(SlackEventsTest, ChannelMessage) {
  std::string raw = ReadFixture("slack/message_channel.json");
  auto parsed = ParseEventsApi(raw, kReceived, Options());
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->type, SlackParse::kEventCallback);
  EXPECT_EQ(parsed->team_id, kTeam);
  EXPECT_EQ(parsed->event_id, "Ev0ROOT0001");
  EXPECT_EQ(parsed->dedup_key, "T0ACME01:Ev0ROOT0001");
  ASSERT_EQ(parsed->events.size(), 1u);
  const Event& e = parsed->events[0];
  EXPECT_EQ(e.source, "slack");
  EXPECT_EQ(e.source_ref, Ref(kRootTs));
  EXPECT_EQ(e.id, MessageEventId(kTeam, kChannel, kRootTs));
  EXPECT_EQ(e.kind, "slack.message");
  EXPECT_EQ(e.occurred_at, 1773480390LL * kNanosPerSecond + 1'200'000);
  EXPECT_EQ(e.received_at, kReceived);
  EXPECT_EQ(e.actor, "U0ALICE");
  EXPECT_EQ(e.scope, "slack/C0INC1234");
  EXPECT_EQ(e.url, "https://acme.slack.com/archives/C0INC1234/p1773480390001200");
  EXPECT_TRUE(e.body.starts_with("Checkout is throwing 5xx"));
  EXPECT_EQ(e.summary, e.body);  // short: not truncated
  EXPECT_EQ(e.raw_sha256, Sha256Hex(raw));
  EXPECT_EQ(e.incident_id, "");  // bound later by the daemon
  EXPECT_EQ(e.attrs["ts"], kRootTs);
  EXPECT_TRUE(e.attrs["ts"].is_string());
  EXPECT_EQ(e.attrs["team"], kTeam);
  EXPECT_EQ(e.attrs["channel"], kChannel);
  EXPECT_EQ(e.attrs["event_id"], "Ev0ROOT0001");
  EXPECT_EQ(e.attrs["user"], "U0ALICE");
  EXPECT_EQ(e.attrs["bot"], false);
  EXPECT_EQ(e.attrs["is_reply"], false);
  EXPECT_FALSE(e.attrs.contains("thread_ts"));
  EXPECT_TRUE(ValidateEvent(e).has_value());
  EXPECT_EQ(FindIncidentReferences(e.body),
            (std::vector<std::string>{"id:Q1ABCDEF2GHIJK", "number:1234"}));
}

TEST(SlackEventsTest, ThreadReplyHasThreadPermalink) {
  auto parsed = Parse("message_thread_reply");
  ASSERT_TRUE(parsed.has_value());
  const Event& e = parsed->events.at(0);
  EXPECT_EQ(e.kind, "slack.message");
  EXPECT_EQ(e.source_ref, Ref(kReplyTs));
  EXPECT_EQ(e.attrs["thread_ts"], kRootTs);
  EXPECT_EQ(e.attrs["is_reply"], true);
  EXPECT_EQ(e.url,
            "https://acme.slack.com/archives/C0INC1234/p1773480455004500"
            "?thread_ts=1773480390.001200&cid=C0INC1234");
}

TEST(SlackEventsTest, HumanEditSupersedesOriginal) {
  auto parsed = Parse("message_changed_edit");
  ASSERT_TRUE(parsed.has_value());
  ASSERT_EQ(parsed->type, SlackParse::kEventCallback);
  const Event& e = parsed->events.at(0);
  EXPECT_EQ(e.kind, "slack.message_changed");
  EXPECT_EQ(e.source_ref, Ref(kReplyTs) + ":edit:1773480500.000000");
  EXPECT_EQ(e.attrs["supersedes"], MessageEventId(kTeam, kChannel, kReplyTs));
  EXPECT_EQ(e.attrs["ts"], kReplyTs);
  EXPECT_EQ(e.attrs["edited_ts"], "1773480500.000000");
  EXPECT_EQ(e.attrs["subtype"], "message_changed");
  EXPECT_EQ(e.occurred_at, 1773480500LL * kNanosPerSecond);
  EXPECT_EQ(e.actor, "U0BOB");
  EXPECT_EQ(e.body, "Rolling back checkout-api to v2.14.1 now (not .2)");
  EXPECT_TRUE(e.url.ends_with("?thread_ts=1773480390.001200&cid=C0INC1234"));
  EXPECT_NE(e.id, MessageEventId(kTeam, kChannel, kReplyTs));
}

TEST(SlackEventsTest, DeletionIsATombstone) {
  auto parsed = Parse("message_deleted");
  ASSERT_TRUE(parsed.has_value());
  const Event& e = parsed->events.at(0);
  EXPECT_EQ(e.kind, "slack.message_deleted");
  EXPECT_EQ(e.source_ref, Ref(kReplyTs) + ":deleted");
  EXPECT_EQ(e.attrs["supersedes"], MessageEventId(kTeam, kChannel, kReplyTs));
  EXPECT_EQ(e.attrs["original_user"], "U0BOB");
  EXPECT_EQ(e.occurred_at, 1773480600LL * kNanosPerSecond + 100'000);
  EXPECT_EQ(e.body, "");  // the deleted text is not copied again
  EXPECT_TRUE(ValidateEvent(e).has_value());
}

TEST(SlackEventsTest, BotMessagesAreKeptAndMarked) {
  auto modern = Parse("message_bot");
  ASSERT_TRUE(modern.has_value());
  const Event& e = modern->events.at(0);
  EXPECT_EQ(e.actor, "deploy-bot");
  EXPECT_EQ(e.attrs["bot"], true);
  EXPECT_EQ(e.attrs["bot_id"], "B0DEPLOYBOT");

  auto legacy = Parse("message_bot_legacy");
  ASSERT_TRUE(legacy.has_value());
  const Event& l = legacy->events.at(0);
  EXPECT_EQ(l.actor, "Grafana");
  EXPECT_EQ(l.attrs["bot"], true);
  EXPECT_EQ(l.attrs["subtype"], "bot_message");
  EXPECT_EQ(l.body, "[Alerting] Checkout 5xx rate > 5%");  // from the attachment fallback

  // Without own_bot_id configured, our own message is just another bot message.
  auto own = ParseEventsApi(ReadFixture("slack/message_own_bot.json"), kReceived, {});
  ASSERT_TRUE(own.has_value());
  EXPECT_EQ(own->events.size(), 1u);
}

TEST(SlackEventsTest, SameMessageUnderTwoEventIdsGetsOneEventId) {
  std::string raw = ReadFixture("slack/message_channel.json");
  auto doc = nlohmann::json::parse(raw);
  doc["event_id"] = "Ev0MENTION01";
  doc["event"]["type"] = "app_mention";
  auto first = ParseEventsApi(raw, kReceived, Options());
  auto second = ParseEventsApi(doc.dump(), kReceived, Options());
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_NE(first->dedup_key, second->dedup_key);
  EXPECT_EQ(first->events.at(0).id, second->events.at(0).id);
}

TEST(SlackEventsTest, MessageRepliedWithoutSubtypeMapsTheParent) {
  auto parsed = Parse("message_replied_nosubtype");
  ASSERT_TRUE(parsed.has_value());
  ASSERT_EQ(parsed->events.size(), 1u);
  const Event& e = parsed->events[0];
  EXPECT_EQ(e.kind, "slack.message");
  EXPECT_EQ(e.id, MessageEventId(kTeam, kChannel, kRootTs));  // same as the root message
  EXPECT_EQ(e.attrs["reply_count"], 1);
  EXPECT_EQ(e.attrs["is_reply"], false);
}

TEST(SlackEventsTest, ReactionAddedTargetsTheMessage) {
  auto parsed = Parse("reaction_added");
  ASSERT_TRUE(parsed.has_value());
  const Event& e = parsed->events.at(0);
  EXPECT_EQ(e.kind, "slack.reaction_added");
  EXPECT_EQ(e.attrs["target"], MessageEventId(kTeam, kChannel, kReplyTs));
  EXPECT_EQ(e.attrs["reaction"], "white_check_mark");
  EXPECT_EQ(e.actor, "U0CAROL");
  EXPECT_TRUE(ValidateEvent(e).has_value());
}

// Taking a reaction back is evidence too: the summarizer needs it to retract an exclude
// or include signal.
TEST(SlackEventsTest, ReactionRemovedTargetsTheMessageWithItsOwnId) {
  auto added = Parse("reaction_added");
  auto removed = Parse("reaction_removed");
  ASSERT_TRUE(added.has_value() && removed.has_value());
  const Event& e = removed->events.at(0);
  EXPECT_EQ(e.kind, "slack.reaction_removed");
  EXPECT_EQ(e.attrs["target"], MessageEventId(kTeam, kChannel, kReplyTs));
  EXPECT_EQ(e.attrs["reaction"], "white_check_mark");
  EXPECT_EQ(e.summary, "Removed reaction :white_check_mark:");
  EXPECT_NE(e.id, added->events.at(0).id);
  EXPECT_TRUE(ValidateEvent(e).has_value());
}

TEST(SlackEventsTest, LongTextIsSummarisedOnACharacterBoundary) {
  auto doc = nlohmann::json::parse(ReadFixture("slack/message_channel.json"));
  std::string text;
  for (int i = 0; i < 150; ++i) text += "\xC3\xA9";  // 300 bytes of 'é'
  doc["event"]["text"] = text;
  auto parsed = ParseEventsApi(doc.dump(), kReceived, Options());
  ASSERT_TRUE(parsed.has_value());
  const Event& e = parsed->events.at(0);
  EXPECT_EQ(e.body, text);
  EXPECT_EQ(e.summary, text.substr(0, 200) + "\xE2\x80\xA6");
}

TEST(SlackEventsTest, RejectsMalformedInput) {
  struct Case {
    std::string name;
    std::string body;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"not_json", "{", "invalid_json"},
      {"form_body", "payload=%7B%7D", "invalid_json"},
      {"not_object", "42", "invalid_payload"},
      {"no_challenge", R"({"type":"url_verification"})", "missing_field"},
      {"no_team", R"({"type":"event_callback","event_id":"Ev1","event":{}})", "missing_field"},
      {"no_event_id", R"({"type":"event_callback","team_id":"T1","event":{}})", "missing_field"},
      {"no_event", R"({"type":"event_callback","team_id":"T1","event_id":"Ev1"})", "missing_field"},
      {"no_channel",
       R"({"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"message","ts":"1.000001"}})",
       "missing_field"},
      {"bad_ts",
       R"({"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"message","channel":"C1","ts":"12.5e3"}})",
       "invalid_message"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto parsed = ParseEventsApi(c.body, kReceived, Options());
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(parsed.error().message, c.error);
  }
  // An unknown top-level type is authentic but ignored, never an error.
  auto unknown = ParseEventsApi(R"({"type":"something_new"})", kReceived, Options());
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->type, SlackParse::kIgnored);
}

}  // namespace
}  // namespace timelined::connectors::slack
