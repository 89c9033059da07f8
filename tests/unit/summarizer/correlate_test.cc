#include "summarizer/correlate.h"

#include <gtest/gtest.h>

#include <map>

#include "test_util.h"

namespace timelined::summarizer {
namespace {

using testing::K8s;
using testing::Log;
using testing::Pd;
using testing::Slack;
using testing::T;
using testing::VectorReader;

CorrelationConfig PaymentsConfig() {
  CorrelationConfig c;
  ServiceCorrelation s;
  s.scopes = {"k8s/payments/", "log/payments/api"};
  s.slack_channels = {"C0PAY"};
  c.services["PSVCPAY"] = s;
  return c;
}

std::vector<std::string> Ids(const std::vector<CorrelatedEvent>& v) {
  std::vector<std::string> out;
  for (const auto& e : v) out.push_back(e.event.id);
  return out;
}

TEST(Correlate, NamedAndScopedWithinWindowInOrder) {
  Incident inc = testing::PaymentsIncident();  // triggered 12:10, resolved 12:40
  Event named = Pd("w1", "triggered", T(10));
  Event early = Log("l0", "error", T(-21), "too early");  // before 12:10 - 30 min
  Event in_lookback = Log("l1", "error", T(-19), "in lookback");
  Event k8 = K8s("k1", "BackOff", T(15), "payments-1");
  Event other_ns = Log("l2", "error", T(15), "other", "log/checkout/api");
  Event in_grace = Log("l3", "error", T(49), "in grace");
  Event late = Log("l4", "error", T(51), "after grace");
  Event slack_scoped = Slack("1.1", T(20), "bob", "hi");
  slack_scoped.incident_id.clear();
  slack_scoped.scope = "slack/C0PAY";
  VectorReader reader({late, in_grace, other_ns, k8, in_lookback, early, named, slack_scoped});
  auto got = Correlate(inc, PaymentsConfig(), reader, T(100));
  ASSERT_TRUE(got);
  EXPECT_EQ(Ids(*got), (std::vector<std::string>{in_lookback.id, named.id, k8.id, slack_scoped.id,
                                                 in_grace.id}));
  EXPECT_EQ((*got)[1].reason, "named");
  EXPECT_EQ((*got)[2].reason, "scope:k8s/payments/");
  EXPECT_EQ((*got)[3].reason, "scope:slack/C0PAY");
}

TEST(Correlate, DeduplicatesEventsMatchedTwiceKeepingNamed) {
  Incident inc = testing::PaymentsIncident();
  Event both = Slack("1.2", T(20), "alice", "rolling back");
  both.scope = "slack/C0PAY";  // named and in a configured channel
  VectorReader reader({both});
  auto got = Correlate(inc, PaymentsConfig(), reader, T(100));
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].reason, "named");
}

TEST(Correlate, ScopedEventsNamingAnotherIncidentAreExcluded) {
  Incident inc = testing::PaymentsIncident();
  Event other = Slack("1.3", T(20), "carol", "other incident");
  other.incident_id = "Q2OTHER";
  other.scope = "slack/C0PAY";
  VectorReader reader({other});
  auto got = Correlate(inc, PaymentsConfig(), reader, T(100));
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->empty());
}

TEST(Correlate, OpenIncidentUsesNowAndServiceNameLookup) {
  Incident inc = testing::PaymentsIncident();
  inc.status = "acknowledged";
  inc.resolved_at = 0;
  inc.service_id = "PUNKNOWN";  // falls back to the name
  CorrelationConfig c;
  c.services["payments-api"] = PaymentsConfig().services["PSVCPAY"];
  Event at_70 = Log("l5", "error", T(70), "still failing");
  VectorReader reader({at_70});
  auto before_now = Correlate(inc, c, reader, T(55));  // window ends 12:55 + 10 min
  ASSERT_TRUE(before_now);
  EXPECT_TRUE(before_now->empty());
  auto after_now = Correlate(inc, c, reader, T(65));
  ASSERT_TRUE(after_now);
  EXPECT_EQ(after_now->size(), 1u);
}

TEST(Correlate, UnknownTriggerUsesFirstNamedEvent) {
  Incident inc = testing::PaymentsIncident();
  inc.triggered_at = 0;
  Event first = Pd("w1", "triggered", T(10));
  Event scoped = Log("l1", "error", T(-10), "lookback from first named");
  VectorReader reader({first, scoped});
  auto got = Correlate(inc, PaymentsConfig(), reader, T(100));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->size(), 2u);
}

TEST(Correlate, PagesThroughManyEventsAtOneTimestamp) {
  Incident inc = testing::PaymentsIncident();
  std::vector<Event> events;
  for (int i = 0; i < 2500; ++i)
    events.push_back(Log("same" + std::to_string(i), "error", T(15), "x"));
  for (int i = 0; i < 1500; ++i)
    events.push_back(Log("later" + std::to_string(i), "error", T(16), "y"));
  VectorReader reader(events);
  size_t n = 0;
  std::string last_id;
  Nanos last_at = 0;
  auto r =
      CorrelateEach(inc, PaymentsConfig(), reader, T(100), [&](const Event& e, const std::string&) {
        EXPECT_TRUE(e.occurred_at > last_at || (e.occurred_at == last_at && e.id > last_id));
        last_at = e.occurred_at;
        last_id = e.id;
        ++n;
        return true;
      });
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 4000u);
  EXPECT_EQ(n, 4000u);
  EXPECT_GT(reader.queries, 4u);  // it really paged
}

TEST(Correlate, VisitorCanStopEarly) {
  Incident inc = testing::PaymentsIncident();
  VectorReader reader({Log("a", "error", T(11), "a"), Log("b", "error", T(12), "b")});
  size_t n = 0;
  auto r =
      CorrelateEach(inc, PaymentsConfig(), reader, T(100), [&](const Event&, const std::string&) {
        ++n;
        return false;
      });
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 1u);
  EXPECT_EQ(n, 1u);
}

TEST(Correlate, BySourceDeliversTheSameSetAndReasonsWithoutCopies) {
  Incident inc = testing::PaymentsIncident();
  CorrelationConfig c = PaymentsConfig();
  // Overlapping patterns: the exact scope is also under the prefix.
  c.services["PSVCPAY"].scopes = {"log/payments/", "log/payments/api", "k8s/payments/"};
  Event both = Slack("1.2", T(20), "alice", "rolling back");
  both.scope = "slack/C0PAY";
  Event other = Slack("1.3", T(21), "carol", "other incident");
  other.incident_id = "Q2OTHER";
  other.scope = "slack/C0PAY";
  std::vector<Event> events = {Pd("w1", "triggered", T(10)),
                               both,
                               other,
                               Log("l1", "error", T(-5), "a"),
                               Log("l2", "error", T(15), "b"),
                               Log("l3", "error", T(70), "late"),
                               K8s("k1", "BackOff", T(16), "p1")};
  VectorReader reader(events);
  std::map<std::string, std::string> by_time, by_source;
  auto collect = [](std::map<std::string, std::string>* m) {
    return [m](const Event& e, const std::string& reason) {
      EXPECT_TRUE(m->emplace(e.id, reason).second) << "duplicate " << e.id;
      return true;
    };
  };
  ASSERT_TRUE(CorrelateEach(inc, c, reader, T(100), collect(&by_time)));
  ASSERT_TRUE(CorrelateEach(inc, c, reader, T(100), collect(&by_source),
                            CorrelateOptions{.order = CorrelationOrder::kBySource}));
  EXPECT_EQ(by_time, by_source);
  EXPECT_EQ(by_time.size(), 5u);
  EXPECT_EQ(by_time[both.id], "named");
  EXPECT_EQ(by_time[events[4].id], "scope:log/payments/");
}

Event NodeEvent(const std::string& ref, const std::string& node, Nanos at,
                const std::string& reason = "NodeNotReady") {
  Event e = K8s(ref, reason, at, node, false, "Node " + node + " status is now: " + reason, "Node");
  e.scope = "k8s/node/" + node;
  e.severity = "warning";
  e.attrs["namespace"] = "";
  e.attrs["workload"] = node;
  return e;
}

// The nodes that ran the service's pods (named by the scheduler, or the kubelet reporting a
// pod event) bring their node events in, within the window; other nodes' events stay out,
// and node_events = false turns the rule off. Both orders agree.
TEST(Correlate, EventsOfNodesThatRanTheServicesPods) {
  Incident inc = testing::PaymentsIncident();  // triggered 12:10, resolved 12:40
  Event scheduled = K8s("k1", "Scheduled", T(5), "payments-api-6c8-aaaaa", false,
                        "Successfully assigned payments/payments-api-6c8-aaaaa to node-3");
  Event backoff = K8s("k2", "BackOff", T(12), "payments-api-6c8-bbbbb");
  backoff.attrs["reporting_component"] = "kubelet";
  backoff.attrs["host"] = "node-5";
  // Another service's pod on node-9: its node is not the incident's.
  Event other = K8s("k3", "Scheduled", T(5), "search-1", false,
                    "Successfully assigned search/search-1 to node-9");
  other.scope = "k8s/search/search";
  Event n3 = NodeEvent("n3", "node-3", T(11));
  Event n5 = NodeEvent("n5", "node-5", T(13), "OOMKilling");
  Event n5_late = NodeEvent("n5-late", "node-5", T(80));  // after the grace
  Event n9 = NodeEvent("n9", "node-9", T(11));
  VectorReader reader({scheduled, backoff, other, n3, n5, n5_late, n9});
  auto got = Correlate(inc, PaymentsConfig(), reader, T(100));
  ASSERT_TRUE(got);
  std::map<std::string, std::string> reasons;
  for (const auto& c : *got) reasons[c.event.id] = c.reason;
  EXPECT_EQ(reasons, (std::map<std::string, std::string>{{scheduled.id, "scope:k8s/payments/"},
                                                         {backoff.id, "scope:k8s/payments/"},
                                                         {n3.id, "node:node-3"},
                                                         {n5.id, "node:node-5"}}));
  std::map<std::string, std::string> by_source;
  ASSERT_TRUE(CorrelateEach(
      inc, PaymentsConfig(), reader, T(100),
      [&](const Event& e, const std::string& r) { return by_source.emplace(e.id, r).second; },
      CorrelateOptions{.order = CorrelationOrder::kBySource}));
  EXPECT_EQ(by_source, reasons);
  auto scopes = NodeScopes(inc, PaymentsConfig(), reader, T(100));
  ASSERT_TRUE(scopes);
  EXPECT_EQ(*scopes, (std::vector<std::string>{"k8s/node/node-3", "k8s/node/node-5"}));

  CorrelationConfig off = PaymentsConfig();
  off.node_events = false;
  auto without = Correlate(inc, off, reader, T(100));
  ASSERT_TRUE(without);
  EXPECT_EQ(Ids(*without), (std::vector<std::string>{scheduled.id, backoff.id}));
}

TEST(Correlate, KeepAndIdentityOnlyOptions) {
  Incident inc = testing::PaymentsIncident();
  Event a = Log("a", "error", T(11), "a");
  Event b = K8s("b", "BackOff", T(12), "p", true, "msg");
  VectorReader reader({a, b});
  std::vector<Event> got;
  CorrelateOptions o{.keep = [&b](const Event& e) { return e.id == b.id; }, .identity_only = true};
  auto r = CorrelateEach(
      inc, PaymentsConfig(), reader, T(100),
      [&](const Event& e, const std::string&) {
        got.push_back(e);
        return true;
      },
      o);
  ASSERT_TRUE(r);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, b.id);
  EXPECT_EQ(got[0].raw_sha256, b.raw_sha256);
  EXPECT_EQ(got[0].kind, b.kind);
  EXPECT_TRUE(got[0].body.empty());
  EXPECT_TRUE(got[0].attrs.empty());
}

TEST(Correlate, ScopeMatching) {
  EXPECT_TRUE(ScopeMatches("k8s/payments/api", "k8s/payments/"));
  EXPECT_FALSE(ScopeMatches("k8s/payments-v2/api", "k8s/payments/"));
  EXPECT_TRUE(ScopeMatches("log/payments/api", "log/payments/api"));
  EXPECT_FALSE(ScopeMatches("log/payments/api2", "log/payments/api"));
  EXPECT_FALSE(ScopeMatches("x", ""));
}

}  // namespace
}  // namespace timelined::summarizer
