// Slack pieces of the daemon without sockets: the retry-dedup set, the store's bindings
// methods, and how SlackBindings resolves a message's incident.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "daemon/sources/slack/slack_bindings.h"
#include "daemon/sources/slack/webhooks_slack.h"
#include "store/sqlite_store.h"

namespace timelined::daemon {
namespace {

constexpr Nanos kS = kNanosPerSecond;

std::chrono::steady_clock::time_point Later() {
  return std::chrono::steady_clock::now() + std::chrono::seconds(5);
}

TEST(RecentKeys, ForgetsAfterTheTtlAndKeepsAtMostMaxKeys) {
  RecentKeys keys(10 * kS, 3);
  keys.Insert("T1:Ev1", 100 * kS);
  EXPECT_TRUE(keys.Contains("T1:Ev1", 105 * kS));
  EXPECT_FALSE(keys.Contains("T1:Ev2", 105 * kS));
  EXPECT_FALSE(keys.Contains("T1:Ev1", 110 * kS));  // expired
  EXPECT_EQ(keys.size(), 0u);
  for (int i = 0; i < 5; ++i) keys.Insert("k" + std::to_string(i), 200 * kS + i);
  EXPECT_EQ(keys.size(), 3u);  // the oldest went first
  EXPECT_FALSE(keys.Contains("k0", 201 * kS));
  EXPECT_TRUE(keys.Contains("k4", 201 * kS));
  keys.Insert("k2", 205 * kS);  // re-inserted: the newer expiry counts
  EXPECT_TRUE(keys.Contains("k2", 212 * kS));
  EXPECT_FALSE(keys.Contains("k3", 212 * kS));
}

TEST(AddSlackChannelsTo, AddsChannelsToTheirServicesStartingFromDefaults) {
  summarizer::CorrelationConfig c;
  c.defaults.lookback = 5 * kS;
  c.services["PSVCPAY"].scopes = {"k8s/payments/"};
  config::SlackConfig s;
  s.channels = {{"C0PAY", "PSVCPAY"}, {"C0PAY2", "PSVCPAY"}, {"C0CHK", "checkout"}};
  AddSlackChannelsTo(c, s);
  AddSlackChannelsTo(c, s);  // idempotent
  EXPECT_EQ(c.services["PSVCPAY"].slack_channels, (std::vector<std::string>{"C0PAY", "C0PAY2"}));
  EXPECT_EQ(c.services["PSVCPAY"].scopes, std::vector<std::string>{"k8s/payments/"});
  EXPECT_EQ(c.services["checkout"].slack_channels, std::vector<std::string>{"C0CHK"});
  EXPECT_EQ(c.services["checkout"].lookback, 5 * kS);
}

class SlackBindingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("slack_bindings_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::StoreOptions o;
    o.path = (dir_ / "t.db").string();
    auto s = store::SqliteEventStore::Open(o);
    ASSERT_TRUE(s) << s.error().detail;
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void AddIncident(const std::string& id, int number, const std::string& status, Nanos triggered) {
    Event e;
    e.source = "pagerduty";
    e.source_ref = "webhook:" + id + status;
    e.id = MakeEventId(e.source, e.source_ref);
    e.kind = "incident." + status;
    e.incident_id = id;
    e.occurred_at = triggered;
    e.received_at = triggered;
    e.raw_sha256 = std::string(64, 'a');
    e.attrs = {{"incident",
                {{"id", id},
                 {"number", number},
                 {"service_id", "PSVCPAY"},
                 {"service_name", "payments"},
                 {"status", status},
                 {"triggered_at", triggered}}}};
    ASSERT_TRUE(store_->SubmitAndWait({e}));
  }

  static Event Msg(const std::string& channel, const std::string& ts, const std::string& text,
                   const std::string& thread_ts = "", const std::string& kind = "slack.message") {
    Event e;
    e.source = "slack";
    e.kind = kind;
    e.body = text;
    e.scope = "slack/" + channel;
    e.attrs = {{"channel", channel}, {"ts", ts}};
    if (!thread_ts.empty()) e.attrs["thread_ts"] = thread_ts;
    return e;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteEventStore> store_;
};

TEST_F(SlackBindingsTest, StoreBindingsAreIdempotentAndFirstWins) {
  Binding b{kBindingSlackThread, "C0INC:1.000100", "Q1", 0};
  auto first = store_->AddBinding(b, "test", 5000);
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_TRUE(first->created);
  EXPECT_GT(first->stored.created_at, 0);
  auto again = store_->AddBinding(b, "test", 5000);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->stored, first->stored);
  auto other =
      store_->AddBinding(Binding{kBindingSlackThread, "C0INC:1.000100", "Q2", 0}, "t", 5000);
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->created);
  EXPECT_EQ(other->stored.incident_id, "Q1");
  ASSERT_TRUE(store_->AddBinding(Binding{kBindingSlackChannel, "C0WAR", "Q1", 5}, "t", 5000));
  auto of_q1 = store_->GetBindings("Q1");
  ASSERT_TRUE(of_q1);
  ASSERT_EQ(of_q1->size(), 2u);
  EXPECT_EQ((*of_q1)[0].kind, kBindingSlackChannel);  // (kind, key) order
  EXPECT_EQ((*of_q1)[0].created_at, 5);
  EXPECT_TRUE(store_->GetBindings("Q2")->empty());
  EXPECT_EQ(store_->ListBindings()->size(), 2u);
  EXPECT_FALSE(store_->AddBinding(Binding{kBindingSlackChannel, "", "Q1", 0}, "t", 5000));
}

TEST_F(SlackBindingsTest, FindsIncidentsByNumberAndOpenOnesByService) {
  AddIncident("Q1", 4711, "resolved", 100 * kS);
  AddIncident("Q2", 4712, "acknowledged", 200 * kS);
  AddIncident("Q3", 4713, "triggered", 300 * kS);
  EXPECT_EQ((*store_->FindIncidentByNumber(4712))->id, "Q2");
  EXPECT_FALSE(store_->FindIncidentByNumber(1)->has_value());
  EXPECT_EQ((*store_->FindOpenIncidentOfService("PSVCPAY"))->id, "Q3");  // newest open
  EXPECT_EQ((*store_->FindOpenIncidentOfService("payments"))->id, "Q3");
  EXPECT_FALSE(store_->FindOpenIncidentOfService("checkout")->has_value());
}

TEST_F(SlackBindingsTest, ResolvesThreadChannelRootReferenceAndServiceChannel) {
  AddIncident("Q1ABC", 4711, "resolved", 100 * kS);
  SlackBindings b(*store_, {{"C0PAY", "PSVCPAY"}});
  ASSERT_TRUE(b.Load());
  std::optional<Binding> created;
  // Unknown references and replies never bind.
  EXPECT_EQ(*b.Resolve(Msg("C0WAR", "10.000100", "see #9999"), &created, Later()), "");
  EXPECT_EQ(*b.Resolve(Msg("C0WAR", "11.000100", "re #4711", "10.000100"), &created, Later()), "");
  EXPECT_FALSE(created);
  // A root naming a known incident binds its thread; replies follow.
  EXPECT_EQ(*b.Resolve(Msg("C0WAR", "12.000100", "war room for #4711"), &created, Later()),
            "Q1ABC");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->key, "C0WAR:12.000100");
  std::optional<Binding> none;
  EXPECT_EQ(*b.Resolve(Msg("C0WAR", "13.000100", "on it", "12.000100"), &none, Later()), "Q1ABC");
  EXPECT_FALSE(none);
  // By URL, in an edit of a root.
  EXPECT_EQ(
      *b.Resolve(Msg("C0WAR", "14.000100", "<https://acme.pagerduty.com/incidents/Q1ABC|incident>",
                     "", "slack.message_changed"),
                 &none, Later()),
      "Q1ABC");
  // Service channel: unbound while no incident of the service is open.
  EXPECT_EQ(*b.Resolve(Msg("C0PAY", "15.000100", "deploying"), &none, Later()), "");
  AddIncident("Q2OPEN", 4712, "triggered", 200 * kS);
  EXPECT_EQ(*b.Resolve(Msg("C0PAY", "16.000100", "5xx again"), &none, Later()), "Q2OPEN");
  // An explicit channel binding wins over the service.
  ASSERT_TRUE(b.Bind(Binding{kBindingSlackChannel, "C0PAY", "Q1ABC", 0}, "test"));
  EXPECT_EQ(*b.Resolve(Msg("C0PAY", "17.000100", "5xx again"), &none, Later()), "Q1ABC");
  // A fresh cache loads what is stored.
  SlackBindings reloaded(*store_, {});
  ASSERT_TRUE(reloaded.Load());
  EXPECT_EQ(reloaded.Lookup(kBindingSlackThread, "C0WAR:12.000100"), "Q1ABC");
}

// A root naming an incident binds its thread with a write that must not outlast Slack's
// deadline: with the write lock held elsewhere and the deadline passed, Resolve fails with
// kUnavailable (the webhook answers 503, Slack retries) and binds nothing; the retry, once
// the lock is free, binds the thread.
TEST_F(SlackBindingsTest, ThreadRootBindingGivesUpAtTheDeadlineWhileLocked) {
  AddIncident("Q1ABC", 4711, "triggered", 100 * kS);
  SlackBindings b(*store_, {});
  ASSERT_TRUE(b.Load());
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "t.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::optional<Binding> created;
  const Event root = Msg("C0WAR", "12.000100", "war room for #4711");
  auto blocked = b.Resolve(root, &created, std::chrono::steady_clock::now());
  ASSERT_FALSE(blocked.has_value());
  EXPECT_EQ(blocked.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(created);
  EXPECT_FALSE(b.Lookup(kBindingSlackThread, "C0WAR:12.000100").has_value());
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  auto retried = b.Resolve(root, &created, Later());
  ASSERT_TRUE(retried.has_value()) << retried.error().detail;
  EXPECT_EQ(*retried, "Q1ABC");
  EXPECT_TRUE(created);
}

}  // namespace
}  // namespace timelined::daemon
