// Correlation of Slack threads and channels bound to an incident (reader.GetBindings),
// including messages stored before the binding existed (no incident_id).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "summarizer/correlate.h"
#include "test_util.h"

namespace timelined::summarizer {
namespace {

using testing::T;
using testing::VectorReader;

constexpr const char* kInc = testing::kIncidentId;

class BoundReader : public VectorReader {
 public:
  BoundReader(std::vector<Event> events, std::vector<Binding> bindings)
      : VectorReader(std::move(events)), bindings_(std::move(bindings)) {
    // The store's contract: ordered by (kind, key).
    std::sort(bindings_.begin(), bindings_.end(), [](const Binding& a, const Binding& b) {
      return a.kind != b.kind ? a.kind < b.kind : a.key < b.key;
    });
  }
  Result<std::vector<Binding>> GetBindings(const std::string& incident_id) const override {
    if (fail_) return MakeError(ErrorCode::kUnavailable, "busy");
    std::vector<Binding> out;
    for (const Binding& b : bindings_) {
      if (b.incident_id == incident_id) out.push_back(b);
    }
    return out;
  }
  bool fail_ = false;

 private:
  std::vector<Binding> bindings_;
};

// The Slack ts of minute `m` (+ `micros`), consistent with T(m).
std::string Ts(int m, int micros = 100) {
  char frac[8];
  std::snprintf(frac, sizeof frac, "%06d", micros);
  return std::to_string(T(m) / kNanosPerSecond) + "." + frac;
}

// An unbound Slack message as the Events API stores it: scope "slack/<channel>".
Event Msg(const std::string& channel, const std::string& ts, const std::string& thread_ts, Nanos at,
          const std::string& kind = "slack.message") {
  Event e = testing::MakeEvent("slack", "T1:" + channel + ":" + ts + ":" + kind, kind, at);
  e.scope = "slack/" + channel;
  e.attrs = {{"channel", channel}, {"ts", ts}};
  if (!thread_ts.empty()) e.attrs["thread_ts"] = thread_ts;
  return e;
}

std::map<std::string, std::string> Reasons(const std::vector<CorrelatedEvent>& v) {
  std::map<std::string, std::string> out;
  for (const auto& c : v) out[c.event.id] = c.reason;
  return out;
}

TEST(CorrelateBindings, BoundThreadTakesRootRepliesAndEditsStoredBeforeTheBinding) {
  Incident inc = testing::PaymentsIncident();  // 12:10 .. 12:40, no service config below
  const std::string root_ts = Ts(-50);         // long before the lookback: threads are not windowed
  Event root = Msg("C0INC", root_ts, "", T(-50));
  Event reply = Msg("C0INC", Ts(15), root_ts, T(15));
  Event edit = Msg("C0INC", Ts(15), root_ts, T(16), "slack.message_changed");
  Event late_reply = Msg("C0INC", Ts(90), root_ts, T(90));  // after resolve: still the thread
  Event other_thread = Msg("C0INC", Ts(20), Ts(19), T(20));
  Event channel_msg = Msg("C0INC", Ts(21), "", T(21));
  Event other_channel = Msg("C0OTHER", Ts(15, 7), root_ts, T(15));
  Event other_incident = Msg("C0INC", Ts(22), root_ts, T(22));
  other_incident.incident_id = "Q2OTHER";
  Binding b{kBindingSlackThread, "C0INC:" + root_ts, kInc, 1};
  BoundReader reader(
      {root, reply, edit, late_reply, other_thread, channel_msg, other_channel, other_incident},
      {b, Binding{kBindingSlackThread, "C0INC:" + Ts(19), "Q2OTHER", 1}});
  auto got = Correlate(inc, CorrelationConfig{}, reader, T(100));
  ASSERT_TRUE(got) << got.error().detail;
  const std::string reason = "bound:slack_thread:C0INC:" + root_ts;
  std::map<std::string, std::string> want = {
      {root.id, reason}, {reply.id, reason}, {edit.id, reason}, {late_reply.id, reason}};
  EXPECT_EQ(Reasons(*got), want);
  ASSERT_EQ(got->size(), 4u);
  EXPECT_EQ((*got)[0].event.id, root.id);  // time order across streams
  EXPECT_EQ((*got)[3].event.id, late_reply.id);
}

TEST(CorrelateBindings, BoundChannelTakesItsMessagesWithinTheWindow) {
  Incident inc = testing::PaymentsIncident();
  Event before = Msg("C0WAR", Ts(-25), "", T(-25));  // before 12:10 - 30 min
  Event in_lookback = Msg("C0WAR", Ts(-15), "", T(-15));
  Event during = Msg("C0WAR", Ts(30), Ts(29), T(30));
  Event after = Msg("C0WAR", Ts(55), "", T(55));  // after 12:40 + 10 min
  BoundReader reader({before, in_lookback, during, after},
                     {Binding{kBindingSlackChannel, "C0WAR", kInc, 1}});
  auto got = Correlate(inc, CorrelationConfig{}, reader, T(100));
  ASSERT_TRUE(got);
  std::map<std::string, std::string> want = {{in_lookback.id, "bound:slack_channel:C0WAR"},
                                             {during.id, "bound:slack_channel:C0WAR"}};
  EXPECT_EQ(Reasons(*got), want);
}

TEST(CorrelateBindings, NamedWinsOverBoundAndBoundOverScope) {
  Incident inc = testing::PaymentsIncident();
  const std::string root_ts = Ts(12);
  Event named = Msg("C0PAY", root_ts, "", T(12));
  named.incident_id = kInc;
  Event reply = Msg("C0PAY", Ts(14), root_ts, T(14));
  Event plain = Msg("C0PAY", Ts(16), "", T(16));
  CorrelationConfig config;
  config.services["PSVCPAY"].slack_channels = {"C0PAY"};
  BoundReader reader({named, reply, plain},
                     {Binding{kBindingSlackThread, "C0PAY:" + root_ts, kInc, 1}});
  auto got = Correlate(inc, config, reader, T(100));
  ASSERT_TRUE(got);
  std::map<std::string, std::string> want = {{named.id, "named"},
                                             {reply.id, "bound:slack_thread:C0PAY:" + root_ts},
                                             {plain.id, "scope:slack/C0PAY"}};
  EXPECT_EQ(Reasons(*got), want);
}

TEST(CorrelateBindings, BySourceOrderDeliversTheSameEventsOnce) {
  Incident inc = testing::PaymentsIncident();
  const std::string root_ts = Ts(12);
  Event root = Msg("C0PAY", root_ts, "", T(12));
  Event reply = Msg("C0PAY", Ts(14), root_ts, T(14));
  Event named_reply = Msg("C0PAY", Ts(15), root_ts, T(15));
  named_reply.incident_id = kInc;
  Event plain = Msg("C0PAY", Ts(16), "", T(16));
  CorrelationConfig config;
  config.services["PSVCPAY"].slack_channels = {"C0PAY"};
  BoundReader reader({root, reply, named_reply, plain},
                     {Binding{kBindingSlackThread, "C0PAY:" + root_ts, kInc, 1},
                      Binding{kBindingSlackChannel, "C0PAY", kInc, 1}});
  std::map<std::string, std::string> by_source;
  size_t visits = 0;
  auto n = CorrelateEach(
      inc, config, reader, T(100),
      [&](const Event& e, const std::string& reason) {
        ++visits;
        by_source[e.id] = reason;
        return true;
      },
      CorrelateOptions{.order = CorrelationOrder::kBySource});
  ASSERT_TRUE(n);
  EXPECT_EQ(visits, 4u);
  auto by_time = Correlate(inc, config, reader, T(100));
  ASSERT_TRUE(by_time);
  EXPECT_EQ(Reasons(*by_time), by_source);
  EXPECT_EQ(by_source[named_reply.id], "named");
  EXPECT_EQ(by_source[reply.id], "bound:slack_channel:C0PAY");  // (kind, key) order
  EXPECT_EQ(by_source[plain.id], "bound:slack_channel:C0PAY");
}

TEST(CorrelateBindings, MalformedOrUnknownBindingsAreSkippedAndReaderErrorsReturned) {
  Incident inc = testing::PaymentsIncident();
  Event m = Msg("C0INC", Ts(15), "", T(15));
  BoundReader reader({m}, {Binding{kBindingSlackThread, "C0INC", kInc, 1},
                           Binding{"pagerduty_service", "PSVCPAY", kInc, 1}});
  auto got = Correlate(inc, CorrelationConfig{}, reader, T(100));
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->empty());
  reader.fail_ = true;
  auto failed = Correlate(inc, CorrelationConfig{}, reader, T(100));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "busy");
}

TEST(CorrelateBindings, ReadersWithoutBindingsKeepTheOldBehaviour) {
  Incident inc = testing::PaymentsIncident();
  Event m = Msg("C0INC", Ts(15), "", T(15));
  VectorReader reader({m});
  auto bindings = reader.GetBindings(kInc);
  ASSERT_TRUE(bindings);
  EXPECT_TRUE(bindings->empty());
  auto got = Correlate(inc, CorrelationConfig{}, reader, T(100));
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->empty());
}

}  // namespace
}  // namespace timelined::summarizer
