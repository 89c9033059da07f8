#include "summarizer/metrics.h"

#include <gtest/gtest.h>

#include "summarizer/builder.h"
#include "test_util.h"

namespace timelined::summarizer {
namespace {

using testing::Log;
using testing::Pd;
using testing::Slack;
using testing::T;

const Metric& Find(const std::vector<Metric>& ms, const std::string& name) {
  for (const Metric& m : ms) {
    if (m.name == name) return m;
  }
  static Metric none;
  return none;
}

TEST(Metrics, AllPresentWithFormulasAndCitations) {
  Event sig = Log("l", "error", T(3), "boom");
  Event trig = Pd("t", "triggered", T(10));
  Event ack = Pd("a", "acknowledged", T(12), "Alice");
  Event mit = Slack("1.1", T(25), "alice", "Rolled back to v1.42, errors dropping");
  Event res = Pd("r", "resolved", T(40), "Alice");
  Timeline t = BuildTimeline(testing::PaymentsIncident(), {}, {sig, trig, ack, mit, res});
  ASSERT_EQ(t.metrics.size(), 4u);
  const Metric& detect = Find(t.metrics, "time_to_detect");
  EXPECT_EQ(detect.seconds, 420);
  EXPECT_EQ(detect.formula, "triggered_at \xE2\x88\x92 first_signal_at");
  const Metric& ackm = Find(t.metrics, "time_to_acknowledge");
  EXPECT_TRUE(ackm.present);
  EXPECT_EQ(ackm.seconds, 120);
  std::vector<std::string> want = {trig.id, ack.id};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ackm.citations, want);
  const Metric& mitm = Find(t.metrics, "time_to_mitigate");
  EXPECT_TRUE(mitm.present);
  EXPECT_EQ(mitm.seconds, 900);
  const Metric& resm = Find(t.metrics, "time_to_resolve");
  EXPECT_EQ(resm.seconds, 1800);
  EXPECT_EQ(resm.formula, "resolved_at \xE2\x88\x92 triggered_at");
}

TEST(Metrics, OmittedWithReasons) {
  Incident open = testing::PaymentsIncident();
  open.status = "triggered";
  open.resolved_at = 0;
  Timeline t = BuildTimeline(open, {}, {Pd("t", "triggered", T(10))});
  EXPECT_EQ(Find(t.metrics, "time_to_detect").reason, "no warning signal before the trigger");
  EXPECT_EQ(Find(t.metrics, "time_to_acknowledge").reason, "no acknowledgement event");
  EXPECT_FALSE(Find(t.metrics, "time_to_mitigate").present);
  EXPECT_EQ(Find(t.metrics, "time_to_resolve").reason, "incident is not resolved");
  for (const Metric& m : t.metrics) EXPECT_TRUE(m.citations.empty());

  Timeline none = BuildTimeline(testing::PaymentsIncident(), {}, {});
  EXPECT_EQ(Find(none.metrics, "time_to_resolve").reason, "no incident.triggered event");
}

TEST(Metrics, RecoveryKindCountsAsMitigation) {
  SummarizerConfig config;
  config.recovery_kinds = {"k8s.Recovered"};
  Event trig = Pd("t", "triggered", T(10));
  Event rec = testing::MakeEvent("kubernetes", "rec", "k8s.Recovered", T(18));
  Timeline t = BuildTimeline(testing::PaymentsIncident(), config, {trig, rec});
  EXPECT_EQ(Find(t.metrics, "time_to_mitigate").seconds, 480);
}

// Time to mitigate runs to evidence that the mitigation took effect: announcing a rollback
// ("rolling back now", "preparing rollback") is not it; the Deployment scaling the bad
// replica set down to 0 is, and so is a statement that it is done.
TEST(Metrics, MitigationIsMeasuredFromEffectNotIntent) {
  Event trig = Pd("t", "triggered", T(10));
  Event intent = Slack("1.1", T(12), "carol", "preparing rollback, rolling back payments-api now");
  Event rollout_step = testing::K8s("s1", "ScalingReplicaSet", T(13), "", false,
                                    "Scaled up replica set payments-api-5b7d4c9f8 to 3");
  rollout_step.attrs["object"] = {{"kind", "Deployment"}, {"name", "payments-api"}};
  Event done = testing::K8s("s2", "ScalingReplicaSet", T(14), "", false,
                            "Scaled down replica set payments-api-6c8f9d7b5 to 0 from 2");
  done.attrs["object"] = {{"kind", "Deployment"}, {"name", "payments-api"}};
  Event said = Slack("1.2", T(16), "carol", "rollback complete, error rate back to normal");
  Timeline t =
      BuildTimeline(testing::PaymentsIncident(), {}, {trig, intent, rollout_step, done, said});
  const Metric& m = Find(t.metrics, "time_to_mitigate");
  ASSERT_TRUE(m.present) << m.reason;
  EXPECT_EQ(m.seconds, 240);  // T(10) -> T(14)
  std::vector<std::string> want = {trig.id, done.id};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(m.citations, want);
  EXPECT_NE(m.formula.find("rollout/rollback completed in Kubernetes"), std::string::npos);
  // Without the Kubernetes evidence, the statement of effect counts; the intent never does.
  Timeline said_only =
      BuildTimeline(testing::PaymentsIncident(), {}, {trig, intent, rollout_step, said});
  EXPECT_EQ(Find(said_only.metrics, "time_to_mitigate").seconds, 360);
  Timeline intent_only = BuildTimeline(testing::PaymentsIncident(), {}, {trig, intent});
  EXPECT_FALSE(Find(intent_only.metrics, "time_to_mitigate").present);
}

// A rollout started before the first signal: "change to first signal" and "change to page",
// measured from the first scale-up of the latest replica set rolled out before the signal,
// each citing both of its ends. Without such a rollout neither metric exists.
TEST(Metrics, ChangeMetricsWhenARolloutPrecedesTheFirstSignal) {
  auto scaling = [](const std::string& ref, Nanos at, const std::string& message) {
    Event e = testing::K8s(ref, "ScalingReplicaSet", at, "", false, message);
    e.attrs["object"] = {{"kind", "Deployment"}, {"name", "payments-api"}};
    return e;
  };
  // 111 and 333 roll out "from 0" (Kubernetes 1.27+); 222 is known as a rollout because the
  // Deployment scales 111 down meanwhile (older messages); 444 is an autoscaler's scale-up
  // and no rollout.
  Event old_rollout = scaling("s0", T(1), "Scaled up replica set payments-api-111 to 1 from 0");
  Event start = scaling("s1", T(3), "Scaled up replica set payments-api-222 to 1");
  Event step = scaling("s2", T(4), "Scaled up replica set payments-api-222 to 2");
  Event old_down = scaling("s4", T(4), "Scaled down replica set payments-api-111 to 0");
  Event hpa = scaling("s5", T(4, 30), "Scaled up replica set payments-api-444 to 5");
  Event after = scaling("s3", T(8), "Scaled up replica set payments-api-333 to 1 from 0");
  Event sig = Log("l", "error", T(5), "boom");
  Event trig = Pd("t", "triggered", T(10));
  Timeline t = BuildTimeline(testing::PaymentsIncident(), {},
                             {old_rollout, step, start, old_down, hpa, after, sig, trig});
  ASSERT_EQ(t.metrics.size(), 6u);
  const Metric& to_signal = Find(t.metrics, "change_to_first_signal");
  ASSERT_TRUE(to_signal.present) << to_signal.reason;
  EXPECT_EQ(to_signal.seconds, 120);  // T(3) -> T(5)
  std::vector<std::string> want = {start.id, sig.id};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(to_signal.citations, want);
  EXPECT_EQ(to_signal.label, "Change to first signal");
  const Metric& to_page = Find(t.metrics, "change_to_page");
  EXPECT_EQ(to_page.seconds, 420);  // T(3) -> T(10)
  want = {start.id, trig.id};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(to_page.citations, want);

  Timeline no_change = BuildTimeline(testing::PaymentsIncident(), {}, {after, sig, trig});
  EXPECT_EQ(no_change.metrics.size(), 4u);
  // An autoscaler's scale-up alone is no change.
  Timeline hpa_only = BuildTimeline(testing::PaymentsIncident(), {}, {hpa, sig, trig});
  EXPECT_EQ(hpa_only.metrics.size(), 4u);
  ASSERT_FALSE(hpa_only.summary.empty());
  EXPECT_TRUE(hpa_only.summary.front().text.starts_with("First signal"))
      << hpa_only.summary.front().text;
}

// With a known bad change, only that replica set going to 0 is the mitigation taking effect;
// another Deployment finishing a rollout meanwhile is not.
TEST(Metrics, MitigationWaitsForTheChangedReplicaSet) {
  auto scaling = [](const std::string& ref, Nanos at, const std::string& deployment,
                    const std::string& message) {
    Event e = testing::K8s(ref, "ScalingReplicaSet", at, "", false, message);
    e.attrs["object"] = {{"kind", "Deployment"}, {"name", deployment}};
    return e;
  };
  Event start =
      scaling("s1", T(3), "payments-api", "Scaled up replica set payments-api-222 to 1 from 0");
  Event sig = Log("l", "error", T(5), "boom");
  Event trig = Pd("t", "triggered", T(10));
  Event other = scaling("o1", T(11), "search-api", "Scaled down replica set search-api-9 to 0");
  Event rolled_back =
      scaling("s9", T(13), "payments-api", "Scaled down replica set payments-api-222 to 0");
  Timeline t =
      BuildTimeline(testing::PaymentsIncident(), {}, {start, sig, trig, other, rolled_back});
  const Metric& m = Find(t.metrics, "time_to_mitigate");
  ASSERT_TRUE(m.present) << m.reason;
  EXPECT_EQ(m.seconds, 180);  // T(10) -> T(13), not T(11)
  EXPECT_NE(std::find(m.citations.begin(), m.citations.end(), rolled_back.id), m.citations.end());
}

TEST(Metrics, ComputeRejectsOutOfOrderInputs) {
  MetricInputs in;
  in.triggered = MetricPoint{T(10), {"pd_a"}};
  in.first_ack = MetricPoint{T(9), {"pd_b"}};
  auto ms = ComputeMetrics(in);
  EXPECT_EQ(Find(ms, "time_to_acknowledge").reason, "inputs out of order (clock skew?)");
}

}  // namespace
}  // namespace timelined::summarizer
