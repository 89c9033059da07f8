#include "connectors/kubernetes/event_parser.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "store/model/hash.h"
#include "tests/unit/connectors/kubernetes/fixture_util.h"

namespace timelined::connectors::kubernetes {
namespace {

using nlohmann::json;
using testing::ReadFixture;

constexpr Nanos kReceived = 1773480000LL * kNanosPerSecond;  // 2026-03-14T09:20:00Z

Nanos T(const char* rfc3339) { return ParseRfc3339(rfc3339).value_or(-1); }

Event ParseFixture(const std::string& name) {
  const std::string text = ReadFixture("kubernetes/" + name);
  const json obj = json::parse(text, nullptr, false);
  auto events = ParseEventObject(obj, text, kReceived);
  EXPECT_TRUE(events.has_value()) << name << ": " << (events ? "" : events.error().detail);
  if (!events || events->size() != 1) return Event{};
  return events->front();
}

struct Case {
  const char* file;
  const char* source_ref;
  const char* kind;
  const char* severity;
  const char* scope;
  const char* occurred_at;
  const char* first_seen;
  const char* actor;
  const char* url;
  const char* summary_prefix;
  int64_t count;
  bool combined;
};

const Case kCases[] = {
    {"core_v1_backoff.json", "e7a3c1d2-6b4f-4e8a-9f0b-1c2d3e4f5a61:37", "k8s.BackOff", "error",
     "k8s/prod/payments", "2026-03-14T09:19:40Z", "2026-03-14T09:01:12Z", "kubelet",
     "k8s://prod/Pod/payments-7d9f8b6c4-x2k9p",
     "BackOff on pod payments-7d9f8b6c4-x2k9p: Back-off restarting failed container api", 37,
     false},
    {"new_style_failed_scheduling.json", "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d:4",
     "k8s.FailedScheduling", "warning", "k8s/prod/db", "2026-03-14T09:31:12.004211Z",
     "2026-03-14T09:26:10.482913Z", "default-scheduler", "k8s://prod/Pod/db-2",
     "FailedScheduling on pod db-2: 0/6 nodes are available: 3 Insufficient memory", 4, false},
    {"events_v1_regarding.json", "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f:2", "k8s.ScalingReplicaSet",
     "info", "k8s/prod/payments", "2026-03-14T08:58:02Z", "2026-03-14T08:58:00Z",
     "deployment-controller", "k8s://prod/Deployment/payments",
     "ScalingReplicaSet on deployment payments: Scaled up replica set payments-7d9f8b6c4 to 3 "
     "from 1",
     2, false},
    {"missing_timestamps.json", "77aa88bb-99cc-4ddd-8eee-ff0011223344:1", "k8s.SuccessfulCreate",
     "info", "k8s/prod/payments", "2026-03-14T08:58:01Z", "2026-03-14T08:58:01Z",
     "replicaset-controller", "k8s://prod/ReplicaSet/payments-7d9f8b6c4",
     "SuccessfulCreate on replicaset payments-7d9f8b6c4: Created pod: payments-7d9f8b6c4-x2k9p", 1,
     false},
    {"combined.json", "c0c0c0c0-1111-4222-8333-444455556666:12", "k8s.Unhealthy", "warning",
     "k8s/prod/cache", "2026-03-14T09:14:30Z", "2026-03-14T09:05:00Z", "kubelet",
     "k8s://prod/Pod/cache-0",
     "Unhealthy on pod cache-0: Liveness probe failed: dial tcp 10.0.3.17:6379: connect: "
     "connection refused",
     12, true},
    {"node_oomkilling.json", "0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d:1", "k8s.OOMKilling", "error",
     "k8s/node/worker-3", "2026-03-14T09:17:03Z", "2026-03-14T09:17:03Z", "kernel-monitor",
     "k8s://_cluster/Node/worker-3", "OOMKilling on node worker-3: Out of memory: Killed process",
     1, false},
};

TEST(KubernetesEventParser, FixtureTable) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.file);
    const std::string text = ReadFixture(std::string("kubernetes/") + c.file);
    const Event e = ParseFixture(c.file);
    EXPECT_EQ(e.source, "kubernetes");
    EXPECT_EQ(e.source_ref, c.source_ref);
    EXPECT_EQ(e.id, MakeEventId("kubernetes", c.source_ref));
    EXPECT_TRUE(e.id.starts_with("k8_"));
    EXPECT_EQ(e.kind, c.kind);
    EXPECT_EQ(e.severity, c.severity);
    EXPECT_EQ(e.scope, c.scope);
    EXPECT_EQ(e.occurred_at, T(c.occurred_at));
    EXPECT_EQ(e.received_at, kReceived);
    EXPECT_EQ(e.attrs["first_seen"], T(c.first_seen));
    EXPECT_EQ(e.attrs["last_seen"], T(c.occurred_at));
    EXPECT_EQ(e.actor, c.actor);
    EXPECT_EQ(e.url, c.url);
    EXPECT_TRUE(e.summary.starts_with(c.summary_prefix)) << e.summary;
    EXPECT_LE(e.summary.size(), kSummaryMaxBytes);
    EXPECT_EQ(e.attrs["count"], c.count);
    EXPECT_EQ(e.attrs["combined"], c.combined);
    EXPECT_EQ(e.raw_sha256, Sha256Hex(text));
    EXPECT_FALSE(e.attrs.contains("time_missing"));
    EXPECT_TRUE(ValidateEvent(e).has_value());
  }
}

TEST(KubernetesEventParser, KeepsObjectReferenceAndReportingAttrs) {
  const Event e = ParseFixture("core_v1_backoff.json");
  EXPECT_EQ(e.attrs["namespace"], "prod");
  EXPECT_EQ(e.attrs["workload"], "payments");
  EXPECT_EQ(e.attrs["reason"], "BackOff");
  EXPECT_EQ(e.attrs["type"], "Warning");
  EXPECT_EQ(e.attrs["object"]["kind"], "Pod");
  EXPECT_EQ(e.attrs["object"]["name"], "payments-7d9f8b6c4-x2k9p");
  EXPECT_EQ(e.attrs["object"]["uid"], "5b1c0c39-1f7e-4a53-9c2e-0d1f1c0f9a11");
  EXPECT_EQ(e.attrs["object"]["fieldPath"], "spec.containers{api}");
  EXPECT_EQ(e.attrs["reporting_component"], "kubelet");
  EXPECT_EQ(e.attrs["reporting_instance"], "worker-3");
  EXPECT_EQ(e.attrs["host"], "worker-3");
  EXPECT_EQ(e.attrs["api_group"], "core/v1");
  EXPECT_EQ(e.body, e.attrs["message"]);
}

TEST(KubernetesEventParser, EventsV1ShapeUsesRegardingAndNote) {
  const Event e = ParseFixture("events_v1_regarding.json");
  EXPECT_EQ(e.attrs["api_group"], "events.k8s.io/v1");
  EXPECT_EQ(e.attrs["object"]["kind"], "Deployment");
  EXPECT_EQ(e.body, "Scaled up replica set payments-7d9f8b6c4 to 3 from 1");
}

TEST(KubernetesEventParser, CombinedPrefixStrippedFromSummaryNotFromBody) {
  const Event e = ParseFixture("combined.json");
  EXPECT_TRUE(e.body.starts_with("(combined from similar events): Liveness probe failed"));
  EXPECT_EQ(e.attrs["message"],
            "Liveness probe failed: dial tcp 10.0.3.17:6379: connect: connection refused");
  EXPECT_EQ(e.summary.find("combined from"), std::string::npos);
}

TEST(KubernetesEventParser, LongMessageSummaryIsBoundedUtf8) {
  const Event e = ParseFixture("new_style_failed_scheduling.json");
  EXPECT_EQ(e.summary.size(), kSummaryMaxBytes);
  EXPECT_TRUE(e.summary.ends_with("\xE2\x80\xA6"));
  EXPECT_GT(e.body.size(), e.summary.size());
}

TEST(KubernetesEventParser, TimestampFallbackChain) {
  struct TimeCase {
    json fields;
    const char* occurred;
    const char* first;
  };
  const TimeCase cases[] = {
      {{{"series", {{"count", 3}, {"lastObservedTime", "2026-03-14T10:00:00.5Z"}}},
        {"lastTimestamp", "2026-03-14T09:00:00Z"},
        {"eventTime", "2026-03-14T08:00:00.000001Z"},
        {"firstTimestamp", "2026-03-14T07:00:00Z"}},
       "2026-03-14T10:00:00.5Z",
       "2026-03-14T07:00:00Z"},
      {{{"lastTimestamp", "2026-03-14T09:00:00Z"},
        {"eventTime", "2026-03-14T08:00:00.000001Z"},
        {"firstTimestamp", "2026-03-14T07:00:00Z"}},
       "2026-03-14T09:00:00Z",
       "2026-03-14T07:00:00Z"},
      {{{"lastTimestamp", nullptr},
        {"eventTime", "2026-03-14T08:00:00.000001Z"},
        {"firstTimestamp", nullptr}},
       "2026-03-14T08:00:00.000001Z",
       "2026-03-14T08:00:00.000001Z"},
      {{{"firstTimestamp", "2026-03-14T07:00:00Z"}},
       "2026-03-14T07:00:00Z",
       "2026-03-14T07:00:00Z"},
      {json::object(), "2026-03-14T06:00:00Z", "2026-03-14T06:00:00Z"},
  };
  for (const TimeCase& c : cases) {
    SCOPED_TRACE(c.fields.dump());
    json obj = {
        {"kind", "Event"},
        {"metadata",
         {{"uid", "u-1"}, {"namespace", "ns"}, {"creationTimestamp", "2026-03-14T06:00:00Z"}}},
        {"involvedObject", {{"kind", "Pod"}, {"name", "web-0"}}},
        {"reason", "Started"}};
    obj.update(c.fields);
    auto events = ParseEventObject(obj, "", kReceived);
    ASSERT_TRUE(events.has_value());
    EXPECT_EQ(events->at(0).occurred_at, T(c.occurred));
    EXPECT_EQ(events->at(0).attrs["first_seen"], T(c.first));
    EXPECT_EQ(events->at(0).raw_sha256, Sha256Hex(obj.dump()));
  }
}

TEST(KubernetesEventParser, NoTimestampAtAllUsesReceivedAt) {
  const json obj = {{"metadata", {{"uid", "u-2"}}}, {"involvedObject", {{"kind", "Pod"}}}};
  auto events = ParseEventObject(obj, "", kReceived);
  ASSERT_TRUE(events.has_value());
  EXPECT_EQ(events->at(0).occurred_at, kReceived);
  EXPECT_EQ(events->at(0).attrs["time_missing"], true);
  EXPECT_EQ(events->at(0).kind, "k8s.Unknown");
}

TEST(KubernetesEventParser, CountPriority) {
  struct CountCase {
    json fields;
    int64_t expected;
  };
  const CountCase cases[] = {
      {{{"series", {{"count", 9}}}, {"count", 5}, {"deprecatedCount", 3}}, 9},
      {{{"count", 5}, {"deprecatedCount", 3}}, 5},
      {{{"count", 0}, {"deprecatedCount", 3}}, 3},
      {{{"series", nullptr}, {"count", nullptr}}, 1},
      {json::object(), 1},
  };
  for (const CountCase& c : cases) {
    json obj = {{"metadata", {{"uid", "u-3"}}}};
    obj.update(c.fields);
    EXPECT_EQ(OccurrenceCount(obj), c.expected) << c.fields.dump();
    auto events = ParseEventObject(obj, "", kReceived);
    ASSERT_TRUE(events.has_value());
    EXPECT_EQ(events->at(0).source_ref, "u-3:" + std::to_string(c.expected));
  }
}

// A count the API server cannot have sent is not silently turned into 1.
TEST(KubernetesEventParser, ImpossibleCountsRejectTheObject) {
  const json bad_counts[] = {
      {{"count", 1e20}},
      {{"count", -5}},
      {{"count", 2.5}},
      {{"count", "7"}},
      {{"series", {{"count", 3000000000LL}}}},
      {{"deprecatedCount", -1}},
  };
  for (const json& fields : bad_counts) {
    json obj = {{"metadata", {{"uid", "u-5"}}}};
    obj.update(fields);
    auto events = ParseEventObject(obj, "", kReceived);
    ASSERT_FALSE(events.has_value()) << fields.dump();
    EXPECT_EQ(events.error().message, "invalid_k8s_event");
  }
}

// An unparseable time is said in attrs, never silently replaced without a trace.
TEST(KubernetesEventParser, UnparseableTimeIsFlagged) {
  json obj = {{"metadata", {{"uid", "u-6"}, {"creationTimestamp", "2026-03-14T09:00:00Z"}}},
              {"lastTimestamp", "yesterday at noon"},
              {"firstTimestamp", "2026-03-14T08:59:00Z"}};
  auto events = ParseEventObject(obj, "", kReceived);
  ASSERT_TRUE(events.has_value());
  EXPECT_EQ(events->at(0).attrs["time_unparsed"], "lastTimestamp");
  EXPECT_EQ(events->at(0).occurred_at, T("2026-03-14T08:59:00Z"));
  obj["lastTimestamp"] = "2026-03-14T09:05:00Z";
  events = ParseEventObject(obj, "", kReceived);
  ASSERT_TRUE(events.has_value());
  EXPECT_FALSE(events->at(0).attrs.contains("time_unparsed"));
}

TEST(KubernetesEventParser, SeverityTable) {
  struct SevCase {
    const char* type;
    const char* reason;
    const char* message;
    const char* severity;
  };
  const SevCase cases[] = {
      {"Warning", "BackOff", "Back-off restarting failed container api in pod x", "error"},
      {"Warning", "BackOff", "Back-off pulling image \"registry/app:1.2\"", "warning"},
      {"Warning", "OOMKilling", "Out of memory", "error"},
      {"Warning", "SystemOOM", "System OOM encountered", "error"},
      {"Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit", "error"},
      {"Warning", "Evicted", "The node was low on resource: memory.", "error"},
      {"Normal", "Killing", "Stopping container api", "warning"},
      {"Warning", "Unhealthy", "Readiness probe failed", "warning"},
      {"Warning", "FailedScheduling", "0/6 nodes are available", "warning"},
      {"Normal", "NodeNotReady", "Node is not ready", "warning"},
      {"Warning", "Failed", "Error: ErrImagePull", "warning"},
      {"Warning", "FailedMount", "MountVolume.SetUp failed", "warning"},
      {"Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox", "warning"},
      {"Warning", "SomethingNew", "x", "warning"},
      {"Normal", "ScalingReplicaSet", "Scaled up", "info"},
      {"Normal", "Pulled", "Successfully pulled image", "info"},
  };
  for (const SevCase& c : cases) {
    const json obj = {{"metadata", {{"uid", "u-4"}}},
                      {"type", c.type},
                      {"reason", c.reason},
                      {"message", c.message},
                      {"involvedObject", {{"kind", "Pod"}, {"name", "p"}, {"namespace", "n"}}}};
    auto events = ParseEventObject(obj, "", kReceived);
    ASSERT_TRUE(events.has_value());
    EXPECT_EQ(events->at(0).severity, c.severity) << c.reason << ": " << c.message;
  }
}

TEST(KubernetesEventParser, RejectsInvalidObjects) {
  const json cases[] = {
      json::array(),
      json("Event"),
      {{"kind", "Pod"}, {"metadata", {{"uid", "u"}}}},
      {{"kind", "Event"}, {"metadata", {{"name", "no-uid"}}}},
      {{"kind", "Event"}},
  };
  for (const json& obj : cases) {
    auto events = ParseEventObject(obj, "", kReceived);
    ASSERT_FALSE(events.has_value()) << obj.dump();
    EXPECT_EQ(events.error().code, ErrorCode::kInvalidInput);
  }
}

TEST(KubernetesEventParser, ReasonIsSanitisedAndBounded) {
  const json obj = {{"metadata", {{"uid", "u-5"}}},
                    {"reason", "Weird Reason/With\nJunk" + std::string(100, 'x')}};
  auto events = ParseEventObject(obj, "", kReceived);
  ASSERT_TRUE(events.has_value());
  EXPECT_TRUE(events->at(0).kind.starts_with("k8s.WeirdReasonWithJunkxxx"));
  EXPECT_EQ(events->at(0).kind.size(), 4u + 64u);
}

// Golden files: tests/fixtures/kubernetes/<case>.expected.json holds EventToJson of the
// parsed event. TIMELINED_UPDATE_GOLDEN=1 rewrites them (review the diff before committing).
TEST(KubernetesEventParser, GoldenFiles) {
  const bool update = std::getenv("TIMELINED_UPDATE_GOLDEN") != nullptr;
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.file);
    const Event e = ParseFixture(c.file);
    const std::string golden_name =
        std::string(c.file).substr(0, std::string(c.file).size() - 5) + ".expected.json";
    const std::string actual = EventToJson(e).dump(2) + "\n";
    if (update) {
      std::ofstream(testing::FixturePath("kubernetes/" + golden_name)) << actual;
      continue;
    }
    EXPECT_EQ(actual, ReadFixture("kubernetes/" + golden_name));
  }
}

}  // namespace
}  // namespace timelined::connectors::kubernetes
