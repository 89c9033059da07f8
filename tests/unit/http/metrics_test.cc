#include "daemon/http/metrics.h"

#include <gtest/gtest.h>

namespace timelined::http {
namespace {

TEST(MetricsTest, RendersExactExpositionText) {
  MetricsRegistry m;
  m.DeclareCounter("b_total", "B things.");
  m.DeclareGauge("a_gauge", "A gauge.\nSecond line \\ here.");
  m.DeclareHistogram("c_seconds", "C durations.", {0.5, 0.125});  // unsorted on purpose
  m.DeclareCounter("d_total", "Never used: not rendered.");
  m.Add("b_total", {{"z", "1"}, {"a", "x\"y\\z\nw"}}, 2);
  m.Add("b_total", {{"a", "p"}, {"z", "1"}});
  m.Set("a_gauge", {}, 1.5);
  m.Observe("c_seconds", {{"route", "/r"}}, 0.0625);
  m.Observe("c_seconds", {{"route", "/r"}}, 0.25);
  m.Observe("c_seconds", {{"route", "/r"}}, 7);

  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP a_gauge A gauge.\\nSecond line \\\\ here.\n"
            "# TYPE a_gauge gauge\n"
            "a_gauge 1.5\n"
            "# HELP b_total B things.\n"
            "# TYPE b_total counter\n"
            "b_total{a=\"p\",z=\"1\"} 1\n"
            "b_total{a=\"x\\\"y\\\\z\\nw\",z=\"1\"} 2\n"
            "# HELP c_seconds C durations.\n"
            "# TYPE c_seconds histogram\n"
            "c_seconds_bucket{route=\"/r\",le=\"0.125\"} 1\n"
            "c_seconds_bucket{route=\"/r\",le=\"0.5\"} 2\n"
            "c_seconds_bucket{route=\"/r\",le=\"+Inf\"} 3\n"
            "c_seconds_sum{route=\"/r\"} 7.3125\n"
            "c_seconds_count{route=\"/r\"} 3\n");
}

TEST(MetricsTest, LabelOrderDoesNotMakeANewSeries) {
  MetricsRegistry m;
  m.DeclareCounter("x_total", "X.");
  m.Add("x_total", {{"a", "1"}, {"b", "2"}});
  m.Add("x_total", {{"b", "2"}, {"a", "1"}}, 3);
  EXPECT_EQ(m.Value("x_total", {{"a", "1"}, {"b", "2"}}), 4);
  EXPECT_EQ(m.Value("x_total", {{"a", "1"}}), 0);
  EXPECT_EQ(m.Value("absent"), 0);
}

TEST(MetricsTest, CountersIgnoreNegativeIncrementsGaugesDoNot) {
  MetricsRegistry m;
  m.Add("c_total", {}, 5);
  m.Add("c_total", {}, -2);
  m.Set("g", {}, 5);
  m.Set("g", {}, -2);
  EXPECT_EQ(m.Value("c_total"), 5);
  EXPECT_EQ(m.Value("g"), -2);
}

TEST(MetricsTest, DeclareTwiceKeepsTheFirst) {
  MetricsRegistry m;
  m.DeclareCounter("x_total", "first");
  m.DeclareGauge("x_total", "second");
  m.Add("x_total", {});
  EXPECT_NE(m.RenderPrometheus().find("# TYPE x_total counter\n"), std::string::npos);
}

TEST(MetricsTest, SetHistogramFromCumulativeBuckets) {
  MetricsRegistry m;
  m.DeclareHistogram("h", "H.", {1, 2});
  m.SetHistogram("h", {}, {1, 3, 4}, 5.5);
  m.SetHistogram("h", {{"k", "v"}}, {1, 2}, 1);  // wrong length: ignored
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP h H.\n"
            "# TYPE h histogram\n"
            "h_bucket{le=\"1\"} 1\n"
            "h_bucket{le=\"2\"} 3\n"
            "h_bucket{le=\"+Inf\"} 4\n"
            "h_sum 5.5\n"
            "h_count 4\n");
  EXPECT_EQ(m.Value("h"), 4);
}

TEST(MetricsTest, CollectorsRunAtRenderTime) {
  MetricsRegistry m;
  m.DeclareGauge("queue_depth", "Queued events.");
  int depth = 3;
  int runs = 0;
  m.AddCollector([&](MetricsRegistry& r) {
    ++runs;
    r.Set("queue_depth", {}, depth);
  });
  EXPECT_NE(m.RenderPrometheus().find("queue_depth 3\n"), std::string::npos);
  depth = 7;
  EXPECT_NE(m.RenderPrometheus().find("queue_depth 7\n"), std::string::npos);
  EXPECT_EQ(runs, 2);
}

TEST(MetricsTest, ObserveOnUndeclaredUsesDefaultBounds) {
  MetricsRegistry m;
  m.Observe("lat", {}, 0.2);
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("lat_bucket{le=\"0.25\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_bucket{le=\"0.1\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("# HELP lat"), std::string::npos);
}

TEST(MetricsTest, WrongKindCallsAreIgnored) {
  MetricsRegistry m;
  m.DeclareHistogram("h", "H.", {1});
  m.Add("h", {}, 1);
  m.Set("h", {}, 1);
  EXPECT_EQ(m.Value("h"), 0);
  m.DeclareCounter("c_total", "C.");
  m.Observe("c_total", {}, 1);
  EXPECT_EQ(m.Value("c_total"), 0);
}

}  // namespace
}  // namespace timelined::http
