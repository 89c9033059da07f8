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

TEST(Metrics, ComputeRejectsOutOfOrderInputs) {
  MetricInputs in;
  in.triggered = MetricPoint{T(10), {"pd_a"}};
  in.first_ack = MetricPoint{T(9), {"pd_b"}};
  auto ms = ComputeMetrics(in);
  EXPECT_EQ(Find(ms, "time_to_acknowledge").reason, "inputs out of order (clock skew?)");
}

}  // namespace
}  // namespace timelined::summarizer
