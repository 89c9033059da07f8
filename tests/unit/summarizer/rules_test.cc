#include "summarizer/rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "summarizer/builder.h"
#include "test_util.h"

namespace timelined::summarizer {
namespace {

using testing::K8s;
using testing::Log;
using testing::Pd;
using testing::Slack;
using testing::T;

Timeline Build(const std::vector<Event>& events, SummarizerConfig config = {},
               Incident inc = testing::PaymentsIncident()) {
  return BuildTimeline(inc, config, events);
}

const TimelineLine* FindKeyPrefix(const Timeline& t, const std::string& prefix) {
  for (const TimelineLine& l : t.lines) {
    if (l.key.starts_with(prefix)) return &l;
  }
  return nullptr;
}

std::vector<std::string> IdsOf(std::vector<Event> events) {
  std::vector<std::string> ids;
  for (const Event& e : events) ids.push_back(e.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(Lifecycle, WebhookAndLogEntryOfOneTransitionCollapse) {
  std::string mk = std::string(testing::kIncidentId) + "|acknowledged|1773489720";
  Event webhook = Pd("webhook-1", "acknowledged", T(12), "", mk);
  Event log_entry = Pd("log-entry-1", "acknowledged", T(12), "Alice Ops", mk);
  Timeline t = Build({webhook, log_entry});
  ASSERT_EQ(t.lines.size(), 1u);
  EXPECT_EQ(t.lines[0].text, "Acknowledged by Alice Ops");
  EXPECT_EQ(t.lines[0].citations, IdsOf({webhook, log_entry}));
  EXPECT_EQ(t.lines[0].key, "lifecycle:acknowledged:" + mk);
  EXPECT_EQ(t.lines[0].category, "lifecycle");
}

TEST(Lifecycle, EveryTransitionHasALine) {
  Event trig = Pd("t", "triggered", T(10));
  Event esc = Pd("e", "escalated", T(15), "PagerDuty");
  Event note = Pd("n", "annotated", T(20), "Bob");
  note.body = "Rolled back to v1.42";
  Event prio = Pd("p", "priority_updated", T(21), "Bob");
  Event res = Pd("r", "resolved", T(40), "Alice Ops");
  Event unknown = Pd("u", "x", T(41));
  unknown.kind = "pagerduty.incident.custom_thing";
  unknown.summary = "Something custom";
  Timeline t = Build({trig, esc, note, prio, res, unknown});
  std::vector<std::string> texts;
  for (const TimelineLine& l : t.lines) {
    if (l.category == "lifecycle") texts.push_back(l.text);
  }
  EXPECT_EQ(texts, (std::vector<std::string>{
                       "Incident triggered: Payments API 5xx rate above 5% (P1, high urgency)",
                       "Escalated by PagerDuty", "Note added by Bob: \"Rolled back to v1.42\"",
                       "Priority changed by Bob to P1", "Resolved by Alice Ops",
                       "PagerDuty pagerduty.incident.custom_thing: Something custom"}));
}

// The page names whom PagerDuty paged, from the trigger's own snapshot only.
TEST(Lifecycle, TriggeredLineNamesWhomPagerDutyPaged) {
  Event trig = Pd("t", "triggered", T(10), "Datadog");
  trig.attrs["incident"]["assignees"] = {"Alice Ops", "Bob Lead"};
  Timeline t = Build({trig});
  ASSERT_EQ(t.lines.size(), 1u);
  EXPECT_EQ(t.lines[0].text,
            "Incident triggered by Datadog: Payments API 5xx rate above 5% (P1, high urgency); "
            "paged Alice Ops, Bob Lead");
  // The webhook and the REST log entry of one trigger collapse into one line, whichever
  // arrives first: the assignees come from the member whose snapshot has them.
  std::string mk = std::string(testing::kIncidentId) + "|triggered|1773489600";
  Event webhook = Pd("w", "triggered", T(10), "Datadog", mk);
  webhook.attrs["incident"]["assignees"] = {"Alice Ops"};
  Event entry = Pd("le", "triggered", T(10), "Datadog", mk);
  entry.attrs.erase("incident");
  ASSERT_EQ(Build({webhook, entry}).lines.at(0).text, Build({entry, webhook}).lines.at(0).text);
  EXPECT_NE(Build({entry, webhook}).lines.at(0).text.find("; paged Alice Ops"), std::string::npos);
  // Without a snapshot of its own, the incident's latest assignees are not whom it paged.
  Event bare = Pd("t2", "triggered", T(10), "Datadog");
  bare.attrs.erase("incident");
  Incident inc = testing::PaymentsIncident();
  inc.assignees = {"Carol Now"};
  Timeline t2 = Build({bare}, {}, inc);
  ASSERT_EQ(t2.lines.size(), 1u);
  EXPECT_EQ(t2.lines[0].text.find("paged"), std::string::npos) << t2.lines[0].text;
}

TEST(Detection, FirstWarningSignalBeforeThePage) {
  Event signal = Log("l1", "error", T(3), "db pool exhausted");
  Event info = Log("l0", "info", T(1), "starting");
  Event trig = Pd("t", "triggered", T(10));
  Timeline t = Build({info, signal, trig});
  const TimelineLine* d = FindKeyPrefix(t, "detection:");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->text,
            "First warning signal 7 min before the page: log error in payments/api: \"db pool "
            "exhausted\"");
  EXPECT_EQ(d->citations, IdsOf({signal, trig})) << "the duration cites both of its ends";
  EXPECT_EQ(t.metrics[0].name, "time_to_detect");
  EXPECT_TRUE(t.metrics[0].present);
  EXPECT_EQ(t.metrics[0].seconds, 420);
  EXPECT_EQ(t.metrics[0].citations, IdsOf({signal, trig}));
  EXPECT_EQ(t.stats.not_shown.at("log lines below warning level"), 1u);
}

// Any line or metric that states a duration or a comparison cites every input it is
// computed from.
TEST(DerivedLines, CiteEveryInput) {
  std::string mk = std::string(testing::kIncidentId) + "|triggered|1773490200";
  Event webhook = Pd("trig-webhook", "triggered", T(10), "", mk);
  Event log_entry = Pd("trig-log-entry", "triggered", T(10), "Datadog", mk);
  Event ack = Pd("ack", "acknowledged", T(12), "Alice Ops");
  Event res = Pd("res", "resolved", T(40), "Alice Ops");
  Event signal = Log("sig", "error", T(3), "db pool exhausted");
  Event after = K8s("after", "BackOff", T(45), "p1", true, "Back-off");
  Timeline t = Build({webhook, log_entry, ack, res, signal, after});
  struct Want {
    const char* key_prefix;
    std::vector<Event> inputs;
  };
  const std::vector<Want> wants = {
      {"detection:first_signal", {signal, webhook, log_entry}},
      {"contradiction:after_resolve:", {after, res}},
  };
  for (const Want& w : wants) {
    const TimelineLine* l = FindKeyPrefix(t, w.key_prefix);
    ASSERT_NE(l, nullptr) << w.key_prefix;
    EXPECT_EQ(l->citations, IdsOf(w.inputs)) << w.key_prefix << ": " << l->text;
  }
  const std::map<std::string, std::vector<Event>> metric_inputs = {
      {"time_to_detect", {signal, webhook, log_entry}},
      {"time_to_acknowledge", {webhook, log_entry, ack}},
      {"time_to_resolve", {webhook, log_entry, res}},
  };
  for (const Metric& m : t.metrics) {
    auto it = metric_inputs.find(m.name);
    if (it == metric_inputs.end()) continue;
    EXPECT_EQ(m.citations, IdsOf(it->second)) << m.name;
  }
  Timeline no_ack = Build({webhook, res});
  const TimelineLine* c = FindKeyPrefix(no_ack, "contradiction:no_ack");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->citations, IdsOf({webhook, res}));
}

TEST(Detection, NoLineWhenSignalsStartAfterThePage) {
  Timeline t = Build({Pd("t", "triggered", T(10)), Log("l1", "error", T(11), "boom")});
  EXPECT_EQ(FindKeyPrefix(t, "detection:"), nullptr);
  EXPECT_FALSE(t.metrics[0].present);
  EXPECT_EQ(t.metrics[0].reason, "no warning signal before the trigger");
}

TEST(Kubernetes, WarningsGroupByReasonAndObjectCitingAllMembers) {
  std::vector<Event> events;
  for (int i = 0; i < 37; ++i) {
    events.push_back(K8s("b" + std::to_string(i), "BackOff", T(1, i * 29), "payments-7d9f-x2k9p",
                         true, "Back-off restarting failed container"));
  }
  Event other_pod = K8s("o", "BackOff", T(2), "payments-7d9f-zzzzz", true, "Back-off");
  Event oom =
      K8s("m", "OOMKilling", T(3), "payments-7d9f-x2k9p", true, "Memory cgroup out of memory");
  events.push_back(other_pod);
  events.push_back(oom);
  Timeline t = Build(events, {}, [] {
    Incident i = testing::PaymentsIncident();
    i.status = "triggered";
    i.resolved_at = 0;
    return i;
  }());
  const TimelineLine* l = FindKeyPrefix(t, "k8s:BackOff:payments/pod/payments-7d9f-x2k9p");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->text,
            "BackOff \xC3\x97"
            "37 on pod payments-7d9f-x2k9p, 12:01\xE2\x80\x93"
            "12:18 UTC: "
            "Back-off restarting failed container");
  std::vector<Event> members(events.begin(), events.begin() + 37);
  EXPECT_EQ(l->citations, IdsOf(members));
  EXPECT_EQ(l->at, T(1));
  EXPECT_EQ(l->end, T(1, 36 * 29));
  ASSERT_NE(FindKeyPrefix(t, "k8s:BackOff:payments/pod/payments-7d9f-zzzzz"), nullptr);
  const TimelineLine* o = FindKeyPrefix(t, "k8s:OOMKilling:");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->text, "OOMKilling on pod payments-7d9f-x2k9p: Memory cgroup out of memory");
}

// One snapshot of a Kubernetes Event object as the connector stores it: source_ref
// "<uid>:<count>", attrs.count = the occurrences so far.
Event Snapshot(const std::string& uid, int count, const std::string& reason, Nanos at,
               const std::string& pod, const std::string& message, bool warning = true) {
  Event e = K8s(uid + ":" + std::to_string(count), reason, at, pod, warning, message);
  e.attrs["count"] = count;
  return e;
}

Incident OpenIncident() {
  Incident i = testing::PaymentsIncident();
  i.status = "triggered";
  i.resolved_at = 0;
  return i;
}

TEST(KubernetesCounts, LineCountIsTheReportedOccurrencesNotTheSnapshots) {
  struct Case {
    const char* name;
    std::vector<std::pair<std::string, int>> snapshots;  // (object uid, count)
    std::string text;
  };
  const std::string msg = "Back-off restarting failed container";
  std::vector<Case> cases = {
      {"one object, four watch updates 1 2 5 9",
       {{"ev-a", 1}, {"ev-a", 2}, {"ev-a", 5}, {"ev-a", 9}},
       "BackOff \xC3\x97"
       "9 on pod p1, 12:01\xE2\x80\x93"
       "12:04 UTC: " +
           msg},
      {"updates arriving out of order",
       {{"ev-a", 9}, {"ev-a", 2}},
       "BackOff \xC3\x97"
       "9 on pod p1, 12:01\xE2\x80\x93"
       "12:02 UTC: " +
           msg},
      {"one snapshot with count 7",
       {{"ev-a", 7}},
       "BackOff \xC3\x97"
       "7 on pod p1, 12:01 UTC: " +
           msg},
      {"one snapshot with count 1", {{"ev-a", 1}}, "BackOff on pod p1: " + msg},
      {"two objects summed, each by its highest count",
       {{"ev-a", 1}, {"ev-a", 9}, {"ev-b", 2}, {"ev-b", 3}},
       "BackOff \xC3\x97"
       "12 on pod p1, 12:01\xE2\x80\x93"
       "12:04 UTC (2 Kubernetes events: 9 + 3): " +
           msg},
      {"same count in two objects is not one object",
       {{"ev-a", 4}, {"ev-b", 4}},
       "BackOff \xC3\x97"
       "8 on pod p1, 12:01\xE2\x80\x93"
       "12:02 UTC (2 Kubernetes events: 4 + 4): " +
           msg},
      {"objects that each happened once need no breakdown",
       {{"ev-a", 1}, {"ev-b", 1}, {"ev-c", 1}},
       "BackOff \xC3\x97"
       "3 on pod p1, 12:01\xE2\x80\x93"
       "12:03 UTC: " +
           msg},
  };
  for (const Case& c : cases) {
    std::vector<Event> events;
    for (size_t i = 0; i < c.snapshots.size(); ++i) {
      events.push_back(Snapshot(c.snapshots[i].first, c.snapshots[i].second, "BackOff",
                                T(1 + static_cast<int>(i)), "p1", msg));
    }
    Timeline t = Build(events, {}, OpenIncident());
    const TimelineLine* l = FindKeyPrefix(t, "k8s:BackOff:");
    ASSERT_NE(l, nullptr) << c.name;
    EXPECT_EQ(l->text, c.text) << c.name;
    EXPECT_EQ(l->citations, IdsOf(events)) << c.name << ": every snapshot is cited";
  }
}

TEST(KubernetesCounts, OccurrencesAndObjectKeyRules) {
  Event e = Snapshot("0f9e-uid", 4, "FailedScheduling", T(1), "db-2", "0/6 nodes");
  EXPECT_EQ(KubernetesOccurrences(e), 4);
  EXPECT_EQ(KubernetesObjectKey(e), "0f9e-uid");
  e.attrs.erase("count");
  e.attrs["series"] = {{"count", 4}, {"lastObservedTime", "2026-03-14T12:01:00Z"}};
  EXPECT_EQ(KubernetesOccurrences(e), 4) << "series.count";
  EXPECT_EQ(KubernetesObjectKey(e), "0f9e-uid");
  e.attrs["count"] = 2;
  EXPECT_EQ(KubernetesOccurrences(e), 4) << "the higher of count and series.count";
  EXPECT_EQ(KubernetesObjectKey(e), "0f9e-uid");
  e.attrs["count"] = 9;
  EXPECT_EQ(KubernetesObjectKey(e), "0f9e-uid") << "the ref's count is series.count";
  e.attrs = nlohmann::json::object();
  EXPECT_EQ(KubernetesOccurrences(e), 1) << "no count: one occurrence";
  EXPECT_EQ(KubernetesObjectKey(e), "0f9e-uid:4") << "suffix is not the count: whole ref";
  Event bare = testing::MakeEvent("kubernetes", "plain-ref", "k8s.BackOff", T(1));
  EXPECT_EQ(KubernetesObjectKey(bare), "plain-ref");
}

TEST(KubernetesCounts, DeployAndScalingLinesCountOccurrences) {
  Event k1 = Snapshot("ev-kill", 1, "Killing", T(5), "payments-api-6c8-aaaaa",
                      "Stopping container api", false);
  Event k3 = Snapshot("ev-kill", 3, "Killing", T(6), "payments-api-6c8-aaaaa",
                      "Stopping container api", false);
  Timeline t = Build({k1, k3});
  const TimelineLine* l = FindKeyPrefix(t, "deploy:Killing:");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->text,
            "Deploy/scale: Killing \xC3\x97"
            "3 in payments/payments-api-6c8, 12:05\xE2\x80\x93"
            "12:06 UTC: Stopping container api");
}

TEST(KubernetesCounts, AfterResolveCountsOccurrencesAfterTheCutoff) {
  struct Case {
    const char* name;
    std::vector<std::pair<int, Nanos>> snapshots;  // (count, time); resolve at 12:40
    const char* after;
  };
  std::vector<Case> cases = {
      {"counts 8 then 9, 10 after",
       {{8, T(30)}, {9, T(41, 30)}, {10, T(45)}},
       "\xC3\x97"
       "2 after"},
      {"a jump 8 -> 12 after",
       {{8, T(30)}, {12, T(45)}},
       "\xC3\x97"
       "4 after"},
      {"first seen after the resolve with 5, 6",
       {{5, T(42)}, {6, T(45)}},
       "\xC3\x97"
       "2 after"},
  };
  for (const Case& c : cases) {
    std::vector<Event> events = {Pd("r", "resolved", T(40), "Alice Ops"),
                                 Pd("a", "acknowledged", T(12), "Alice Ops")};
    for (const auto& [count, at] : c.snapshots)
      events.push_back(Snapshot("ev-x", count, "BackOff", at, "payments-x", "Back-off"));
    Timeline t = Build(events);
    const TimelineLine* l = FindKeyPrefix(t, "contradiction:after_resolve:k8s:");
    ASSERT_NE(l, nullptr) << c.name;
    EXPECT_NE(l->text.find(c.after), std::string::npos) << c.name << ": " << l->text;
  }
}

TEST(KubernetesGrouping, OnlySameReasonAndMessageTemplateShareALine) {
  struct Member {
    const char* ref;
    const char* reason;
    int minute;
    const char* pod;
    bool warning;
    const char* message;
  };
  struct Case {
    const char* name;
    std::vector<Member> members;
    std::vector<std::pair<Nanos, std::string>> lines;  // (at, text) in timeline order
  };
  std::vector<Case> cases = {
      {"Killing: liveness restarts and rollback stops stay apart, each at its own time",
       {{"k1", "Killing", 5, "payments-api-6c8-aaaaa", false,
         "Container api failed liveness probe, will be restarted"},
        {"k2", "Killing", 7, "payments-api-6c8-bbbbb", false,
         "Container api failed liveness probe, will be restarted"},
        {"k3", "Killing", 30, "payments-api-6c8-aaaaa", false, "Stopping container api"},
        {"k4", "Killing", 30, "payments-api-6c8-bbbbb", false, "Stopping container api"}},
       {{T(5),
         "Deploy/scale: Killing \xC3\x97"
         "2 in payments/payments-api-6c8, 12:05\xE2\x80\x93"
         "12:07 UTC: Container api failed liveness probe, will be restarted"},
        {T(30),
         "Deploy/scale: Killing \xC3\x97"
         "2 in payments/payments-api-6c8, 12:30 UTC: Stopping container api"}}},
      {"BackOff restarting and BackOff pulling on one pod are two facts",
       {{"b1", "BackOff", 1, "p1", true, "Back-off restarting failed container api"},
        {"b2", "BackOff", 2, "p1", true, "Back-off pulling image \"registry/x:v2\""},
        {"b3", "BackOff", 3, "p1", true, "Back-off restarting failed container api"}},
       {{T(1),
         "BackOff \xC3\x97"
         "2 on pod p1, 12:01\xE2\x80\x93"
         "12:03 UTC: Back-off restarting failed container api"},
        {T(2), "BackOff on pod p1: Back-off pulling image \"registry/x:v2\""}}},
      {"numbers differ, template the same: one line",
       {{"u1", "Unhealthy", 1, "p1", true,
         "Readiness probe failed: HTTP probe failed with statuscode: 503"},
        {"u2", "Unhealthy", 2, "p1", true,
         "Readiness probe failed: HTTP probe failed with statuscode: 500"}},
       {{T(1),
         "Unhealthy \xC3\x97"
         "2 on pod p1, 12:01\xE2\x80\x93"
         "12:02 UTC: Readiness probe failed: HTTP probe failed with statuscode: 503"}}},
      {"generated pod names in the message are the same template",
       {{"c1", "SuccessfulCreate", 5, "payments-api-6c8f9d7b5", false,
         "Created pod: payments-api-6c8f9d7b5-x2k9p"},
        {"c2", "SuccessfulCreate", 6, "payments-api-6c8f9d7b5", false,
         "Created pod: payments-api-6c8f9d7b5-q7w4m"}},
       {{T(5),
         "Deploy/scale: SuccessfulCreate \xC3\x97"
         "2 in payments/payments-api-6c8f9d7b5, 12:05\xE2\x80\x93"
         "12:06 UTC: Created pod: payments-api-6c8f9d7b5-x2k9p"}}},
  };
  for (const Case& c : cases) {
    std::vector<Event> events;
    for (const Member& m : c.members) {
      bool rs = std::string(m.reason) == "SuccessfulCreate";
      events.push_back(K8s(m.ref, m.reason, T(m.minute), m.pod, m.warning, m.message,
                           rs ? "ReplicaSet" : "Pod"));
    }
    Timeline t = Build(events, {}, OpenIncident());
    std::vector<std::pair<Nanos, std::string>> lines;
    size_t cited = 0;
    for (const TimelineLine& l : t.lines) {
      if (l.category != "kubernetes" && l.category != "deploy") continue;
      lines.emplace_back(l.at, l.text);
      cited += l.citations.size();
    }
    EXPECT_EQ(lines, c.lines) << c.name;
    EXPECT_EQ(cited, events.size()) << c.name << ": each member cited once";
  }
}

TEST(KubernetesGrouping, MessageTemplateMasksGeneratedNames) {
  Event e = K8s("x", "BackOff", T(1), "payments-api-6c8f9d7b5-x2k9p", true,
                "Back-off restarting failed container api in pod "
                "payments-api-6c8f9d7b5-x2k9p_payments(0f9e-uid)");
  EXPECT_EQ(KubernetesMessageTemplate(e),
            "Back-off restarting failed container api in pod <name>_payments(<num>f<num>e-uid)");
  Event kill = K8s("k", "Killing", T(1), "payments-api-6c8-aaaaa", false, "Stopping container api");
  Event live = K8s("l", "Killing", T(1), "payments-api-6c8-aaaaa", false,
                   "Container api failed liveness probe, will be restarted");
  EXPECT_NE(KubernetesMessageTemplate(kill), KubernetesMessageTemplate(live));
}

TEST(Kubernetes, DeployLines) {
  // One rollout: its scale-ups, the old replica set's scale-down and the new pods' creation
  // are one line citing all of them.
  Event up = K8s("s1", "ScalingReplicaSet", T(5), "payments-api", false,
                 "Scaled up replica set payments-api-6c8 to 3", "Deployment");
  Event down = K8s("s2", "ScalingReplicaSet", T(6), "payments-api", false,
                   "Scaled down replica set payments-api-5b7 to 0", "Deployment");
  Event c1 = K8s("c1", "SuccessfulCreate", T(5, 1), "payments-api-6c8", false,
                 "Created pod: payments-api-6c8-aaaaa", "ReplicaSet");
  Event c2 = K8s("c2", "SuccessfulCreate", T(5, 2), "payments-api-6c8", false,
                 "Created pod: payments-api-6c8-bbbbb", "ReplicaSet");
  Event pulled = K8s("p1", "Scheduled", T(5, 3), "payments-api-6c8-aaaaa", false, "assigned");
  Timeline t = Build({up, down, c1, c2, pulled});
  std::vector<std::string> texts;
  for (const TimelineLine& l : t.lines) texts.push_back(l.text);
  EXPECT_EQ(texts, (std::vector<std::string>{
                       "Rollout of deployment payments-api to replica set payments-api-6c8 (3 "
                       "pods): started 12:05:00 UTC, completed 12:06:00 UTC"}));
  std::vector<std::string> members = {c1.id, c2.id, up.id, down.id};
  std::sort(members.begin(), members.end());
  EXPECT_EQ(t.lines[0].citations, members);
  EXPECT_EQ(t.lines[0].at, T(5));
  EXPECT_EQ(t.lines[0].end, T(6));
  EXPECT_EQ(t.stats.not_shown.at("Kubernetes Normal events"), 1u);
}

Event Scaling(const std::string& ref, Nanos at, const std::string& message) {
  return K8s(ref, "ScalingReplicaSet", at, "payments-api", false, message, "Deployment");
}

// A rollout step by step (Kubernetes 1.27+ messages), then a rollback to the replica set it
// replaced: two lines, the second named a rollback. A liveness kill and a container
// restart of the new pods during the rollout are not part of it and keep their own lines.
TEST(Kubernetes, RolloutAndRollbackEachOneLine) {
  const std::string rs = "payments-api-6c8f9d7b5";
  const std::string old_rs = "payments-api-5b7d4c9f8";
  std::vector<Event> rollout = {
      Scaling("s1", T(5), "Scaled up replica set " + rs + " to 1 from 0"),
      K8s("c1", "SuccessfulCreate", T(5, 1), rs, false, "Created pod: " + rs + "-x2k9p",
          "ReplicaSet"),
      K8s("p1", "Pulled", T(5, 10), rs + "-x2k9p", false,
          "Successfully pulled image \"registry.acme.io/payments-api:v1.43.0\" in 2.1s"),
      K8s("st1", "Started", T(5, 11), rs + "-x2k9p", false, "Started container api"),
      Scaling("s2", T(5, 30), "Scaled down replica set " + old_rs + " to 1 from 2"),
      K8s("k1", "Killing", T(5, 31), old_rs + "-hh2lp", false, "Stopping container api"),
      Scaling("s3", T(5, 32), "Scaled up replica set " + rs + " to 2 from 1"),
  };
  Event live = K8s("k2", "Killing", T(7), rs + "-x2k9p", false,
                   "Container api failed liveness probe, will be restarted");
  Event restart = K8s("st1", "Started", T(7, 5), rs + "-x2k9p", false, "Started container api");
  restart.source_ref = "st1:2";
  restart.id = "k8_restart2";
  restart.attrs["count"] = 2;
  std::vector<Event> rollback = {
      Scaling("s4", T(10), "Scaled up replica set " + old_rs + " to 2 from 1"),
      Scaling("s5", T(10, 20), "Scaled down replica set " + rs + " to 0 from 2"),
      K8s("k3", "Killing", T(10, 21), rs + "-x2k9p", false, "Stopping container api"),
  };
  std::vector<Event> all = rollout;
  all.insert(all.end(), rollback.begin(), rollback.end());
  all.push_back(live);
  all.push_back(restart);
  Timeline t = Build(all);
  std::vector<std::string> texts;
  for (const TimelineLine& l : t.lines) texts.push_back(l.text);
  EXPECT_EQ(texts,
            (std::vector<std::string>{
                "Rollout of deployment payments-api to image tag v1.43.0 (replica set " + rs +
                    ", 2 pods): started 12:05:00 UTC, not completed before the next rollout at "
                    "12:10:00 UTC",
                "Deploy/scale: Killing on pod " + rs +
                    "-x2k9p: Container api failed liveness probe, will be restarted",
                // The restart: Kubernetes counted the container's second start.
                "Deploy/scale: Started \xC3\x97"
                "2 in payments/" +
                    rs + ", 12:07 UTC: Started container api",
                "Rollback of deployment payments-api to replica set " + old_rs +
                    " (2 pods): started 12:10:00 UTC, completed 12:10:20 UTC"}));
  ASSERT_EQ(t.lines.size(), 4u);
  auto ids = [](const std::vector<Event>& v) {
    std::vector<std::string> out;
    for (const Event& e : v) out.push_back(e.id);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(t.lines[0].citations, ids(rollout));
  EXPECT_EQ(t.lines[3].citations, ids(rollback));
  EXPECT_EQ(t.lines[2].citations, std::vector<std::string>{"k8_restart2"});
}

// Core/v1 events have whole seconds: a rollout whose scale-up, first pod and old replica
// set's scale-down share one second is still one rollout, not a rollback.
TEST(Kubernetes, RolloutWithinOneSecond) {
  Event up = Scaling("s1", T(5), "Scaled up replica set payments-api-6c8 to 1 from 0");
  Event create = K8s("c1", "SuccessfulCreate", T(5), "payments-api-6c8", false,
                     "Created pod: payments-api-6c8-aaaaa", "ReplicaSet");
  Event down = Scaling("s2", T(5), "Scaled down replica set payments-api-5b7 to 0 from 1");
  Timeline t = Build({up, create, down});
  ASSERT_EQ(t.lines.size(), 1u);
  EXPECT_EQ(t.lines[0].text,
            "Rollout of deployment payments-api to replica set payments-api-6c8 (1 pod): started "
            "12:05:00 UTC, completed 12:05:00 UTC");
  EXPECT_EQ(t.lines[0].citations.size(), 3u);
}

// A → B → C, then back to B: three lines, the last a rollback to B. An autoscaler's
// scale-up of C after its rollout completed is its own line; a Deployment whose name
// prefixes another's ("payments" and "payments-api") does not take the other's pods; a
// sidecar pulled first does not name the rollout's image.
TEST(Kubernetes, RollbackToAnEarlierReplicaSetAndWhatStaysOut) {
  std::vector<Event> b = {
      Scaling("s1", T(1), "Scaled up replica set payments-api-bbb to 1 from 0"),
      K8s("p0", "Pulled", T(1, 5), "payments-api-bbb-aaaaa", false,
          "Successfully pulled image \"docker.io/istio/proxyv2:1.20.3\" in 1s"),
      K8s("p1", "Pulled", T(1, 6), "payments-api-bbb-aaaaa", false,
          "Successfully pulled image \"registry.acme.io/payments-api:v2\" in 1s"),
      Scaling("s2", T(1, 30), "Scaled down replica set payments-api-aaa to 0 from 1")};
  std::vector<Event> c = {
      Scaling("s3", T(3), "Scaled up replica set payments-api-ccc to 1 from 0"),
      Scaling("s4", T(3, 30), "Scaled down replica set payments-api-bbb to 0 from 1")};
  Event hpa = Scaling("s5", T(4), "Scaled up replica set payments-api-ccc to 4 from 1");
  std::vector<Event> back = {
      Scaling("s6", T(5), "Scaled up replica set payments-api-bbb to 1 from 0"),
      Scaling("s7", T(5, 20), "Scaled down replica set payments-api-ccc to 0 from 4")};
  Event other = K8s("k1", "Killing", T(5, 21), "payments-xyz-abcde", false,
                    "Stopping container api");  // Deployment "payments", not "payments-api"
  Event other_up = Scaling("s8", T(5, 2), "Scaled up replica set payments-xyz to 1 from 0");
  other_up.attrs["object"]["name"] = "payments";
  std::vector<Event> all = b;
  all.insert(all.end(), c.begin(), c.end());
  all.insert(all.end(), back.begin(), back.end());
  all.push_back(hpa);
  all.push_back(other);
  all.push_back(other_up);
  Timeline t = Build(all);
  std::vector<std::string> texts;
  for (const TimelineLine& l : t.lines) texts.push_back(l.text);
  EXPECT_EQ(texts,
            (std::vector<std::string>{
                "Rollout of deployment payments-api to image tag v2 (replica set "
                "payments-api-bbb, 1 pod): started 12:01:00 UTC, completed 12:01:30 UTC",
                "Rollout of deployment payments-api to replica set payments-api-ccc (1 pod): "
                "started 12:03:00 UTC, completed 12:03:30 UTC",
                "Deploy/scale: Scaled up replica set payments-api-ccc to 4 from 1",
                "Rollback of deployment payments-api to replica set payments-api-bbb (1 pod): "
                "started 12:05:00 UTC, completed 12:05:20 UTC",
                "Rollout of deployment payments to replica set payments-xyz (1 pod): started "
                "12:05:02 UTC, not completed in the evidence",
                "Deploy/scale: Killing on pod payments-xyz-abcde: Stopping container api"}));
}

// A scale-up with no other replica set going down (an autoscaler) is not a rollout.
TEST(Kubernetes, ScalingWithoutAReplacementIsNotARollout) {
  Event hpa = Scaling("s1", T(5), "Scaled up replica set payments-api-6c8 to 5");
  Event create = K8s("c1", "SuccessfulCreate", T(5, 1), "payments-api-6c8", false,
                     "Created pod: payments-api-6c8-aaaaa", "ReplicaSet");
  Timeline t = Build({hpa, create});
  ASSERT_EQ(t.lines.size(), 2u);
  EXPECT_EQ(t.lines[0].text, "Deploy/scale: Scaled up replica set payments-api-6c8 to 5");
  EXPECT_EQ(t.lines[1].text,
            "Deploy/scale: SuccessfulCreate on replicaset payments-api-6c8: Created pod: "
            "payments-api-6c8-aaaaa");
}

// A node's condition arrives as a Normal event the connector rates warning: shown. A
// Normal pod event at the same severity is not a warning.
TEST(Kubernetes, NodeConditionsAreWarnings) {
  Event node = K8s("n1", "NodeNotReady", T(5), "node-3", false,
                   "Node node-3 status is now: NodeNotReady", "Node");
  node.severity = "warning";
  node.scope = "k8s/node/node-3";
  Event pod = K8s("p1", "Pulling", T(5), "payments-api-6c8-aaaaa", false, "Pulling image");
  pod.severity = "warning";
  Timeline t = Build({node, pod});
  std::vector<const TimelineLine*> lines;
  for (const TimelineLine& l : t.lines) {
    if (l.category == kCategoryKubernetes) lines.push_back(&l);
  }
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]->text, "NodeNotReady on node node-3: Node node-3 status is now: NodeNotReady");
  EXPECT_EQ(lines[0]->citations, std::vector<std::string>{node.id});
  EXPECT_EQ(t.stats.not_shown.at("Kubernetes Normal events"), 1u);
}

TEST(Logs, GroupByTemplateWithCountAndSpan) {
  Event a = Log("a", "error", T(1), "timeout after 250ms calling 10.0.0.7:5432");
  Event b = Log("b", "error", T(4), "timeout after 1.5s calling 10.0.0.8:5432");
  Event c = Log("c", "error", T(2), "card 4111 declined");
  Event w = Log("w", "warn", T(3), "timeout after 9ms calling 10.0.0.9:5432");
  Timeline t = Build({a, b, c, w});
  std::vector<std::string> texts;
  for (const TimelineLine& l : t.lines) {
    if (l.category == "log") texts.push_back(l.text);
  }
  EXPECT_EQ(texts,
            (std::vector<std::string>{
                "Log errors \xC3\x97"
                "2 in payments/api, 12:01\xE2\x80\x93"
                "12:04 UTC: "
                "\"timeout after <dur> calling <ip>\"",
                "Log error in payments/api: \"card 4111 declined\"",
                "Log warning in payments/api: \"timeout after 9ms calling 10.0.0.9:5432\""}));
  EXPECT_EQ(FindKeyPrefix(t, "log:log/payments/api:error:")->citations.size(), 2u);
}

Event PodLog(const std::string& ref, Nanos at, const std::string& message, const std::string& pod) {
  Event e = Log(ref, "error", at, message);
  if (!pod.empty()) e.attrs["labels"] = {{"namespace", "payments"}, {"pod", pod}};
  return e;
}

// A log group names where its lines came from: the Deployment and replica set read from
// the pod names, and the lines per pod, largest first.
TEST(Logs, GroupNamesTheWorkloadAndCountsPerPod) {
  const std::string rs = "payments-api-6c8f9d7b5";
  std::vector<Event> one_rs;
  for (int i = 0; i < 3; ++i)
    one_rs.push_back(PodLog("a" + std::to_string(i), T(1, i), "boom", rs + "-x2k9p"));
  one_rs.push_back(PodLog("b", T(2), "boom", rs + "-q7w4m"));
  Timeline t = Build(one_rs);
  EXPECT_EQ(FindKeyPrefix(t, "log:")->text,
            "Log errors \xC3\x97"
            "4 in payments/api, 12:01\xE2\x80\x93"
            "12:02 UTC, from deployment "
            "payments-api (replica set payments-api-6c8f9d7b5; pods x2k9p \xC3\x97"
            "3, q7w4m \xC3\x97"
            "1): \"boom\"");

  // Two replica sets of one Deployment (a rollout), a line with no pod label.
  Timeline two = Build({PodLog("a", T(1), "boom", rs + "-x2k9p"),
                        PodLog("b", T(2), "boom", "payments-api-5b7d4c9f8-hh2lp"),
                        PodLog("c", T(3), "boom", "")});
  EXPECT_EQ(FindKeyPrefix(two, "log:")->text,
            "Log errors \xC3\x97"
            "3 in payments/api, 12:01\xE2\x80\x93"
            "12:03 UTC, from deployment "
            "payments-api (pods 5b7d4c9f8-hh2lp \xC3\x97"
            "1, 6c8f9d7b5-x2k9p \xC3\x97"
            "1; 1 with no pod): \"boom\"");

  // Pods that are not a Deployment's, more than four of them; one line from one pod.
  std::vector<Event> stateful;
  for (int i = 0; i < 6; ++i)
    stateful.push_back(PodLog("s" + std::to_string(i), T(1, i), "boom", "db-" + std::to_string(i)));
  EXPECT_EQ(FindKeyPrefix(Build(stateful), "log:")->text,
            "Log errors \xC3\x97"
            "6 in payments/api, 12:01 UTC, from pods db-0 \xC3\x97"
            "1, db-1 \xC3\x97"
            "1, db-2 \xC3\x97"
            "1, db-3 \xC3\x97"
            "1, 2 more pods: \"boom\"");
  EXPECT_EQ(FindKeyPrefix(Build({PodLog("x", T(1), "boom", rs + "-x2k9p")}), "log:")->text,
            "Log error in payments/api from deployment payments-api (replica set "
            "payments-api-6c8f9d7b5; pod x2k9p): \"boom\"");
}

TEST(Logs, GroupTextLeavesOutTheLinesOwnTimestampAndLevel) {
  Event a = Log("a", "error", T(1),
                "2026-03-14T12:01:07.120Z ERROR payment authorization failed: upstream timeout "
                "after 2500ms (order 88123)");
  Event b = Log("b", "error", T(4),
                "2026-03-14T12:04:55.004Z ERROR payment authorization failed: upstream timeout "
                "after 3000ms (order 88140)");
  Event one = Log("c", "warn", T(5), "[2026-03-14 12:05:00,001] [warn] pool at 19/20");
  Timeline t = Build({a, b, one}, {}, OpenIncident());
  std::vector<std::string> texts;
  for (const TimelineLine& l : t.lines) {
    if (l.category == "log" || l.category == "detection") texts.push_back(l.text);
  }
  EXPECT_EQ(texts, (std::vector<std::string>{
                       "First warning signal 9 min before the page: log error in payments/api: "
                       "\"payment authorization failed: upstream timeout after 2500ms (order "
                       "88123)\"",
                       "Log errors \xC3\x97"
                       "2 in payments/api, 12:01\xE2\x80\x93"
                       "12:04 UTC: \"payment authorization failed: upstream timeout after <dur> "
                       "(order <num>)\"",
                       "Log warning in payments/api: \"pool at 19/20\""}));
}

TEST(Logs, OverflowBeyondTheGroupLimitIsShownAndCited) {
  SummarizerConfig config;
  config.limits.max_groups = 2;
  std::vector<Event> events;
  const char* messages[] = {"alpha failed", "beta failed", "gamma failed", "delta failed"};
  for (int i = 0; i < 4; ++i)
    events.push_back(Log(std::to_string(i), "error", T(20 + i), messages[i]));
  Timeline t = Build(events, config);
  const TimelineLine* o = FindKeyPrefix(t, "log:overflow");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->citations.size(), 2u);
  EXPECT_EQ(o->text,
            "Log errors and warnings \xC3\x97"
            "2 in templates beyond the limit of 2 groups, "
            "12:22\xE2\x80\x93"
            "12:23 UTC");
  std::set<std::string> cited;
  for (const TimelineLine& l : t.lines) cited.insert(l.citations.begin(), l.citations.end());
  EXPECT_EQ(cited.size(), 4u);
}

TEST(Slack, SalientMessagesOnly) {
  Event keyword = Slack("1.1", T(20), "alice", "rolling back to   v1.42\nnow");
  Event chatter = Slack("1.2", T(21), "bob", "looking");
  Event pinned = Slack("1.3", T(22), "carol", "status page updated");
  pinned.attrs["pinned"] = true;
  Event reacted = Slack("1.4", T(23), "dave", "error rate back to baseline");
  reacted.attrs["reactions"] = {{{"name", "tada"}, {"count", 3}}};
  Event bot_reacted = Slack("1.5", T(24), "deploybot", "pipeline 77 finished");
  bot_reacted.attrs["bot"] = true;
  bot_reacted.attrs["reactions"] = {{{"name", "eyes"}, {"count", 1}}};
  Event bot_keyword = Slack("1.6", T(25), "deploybot", "Rollback of payments-api finished");
  bot_keyword.attrs["bot"] = true;
  Timeline t = Build({keyword, chatter, pinned, reacted, bot_reacted, bot_keyword});
  std::vector<std::string> texts;
  for (const TimelineLine& l : t.lines) texts.push_back(l.text);
  EXPECT_EQ(texts,
            (std::vector<std::string>{"alice: \"rolling back to v1.42 now\"",
                                      "carol: \"status page updated\" (pinned)",
                                      "dave: \"error rate back to baseline\" (with reactions)",
                                      "deploybot (bot): \"Rollback of payments-api finished\""}));
  EXPECT_EQ(t.stats.not_shown.at("Slack messages not salient"), 2u);
}

// Authors are named as Slack shows them, from their `slack.user` event (users.info), which
// the line cites; an author without one keeps the id, and bots are named as bots.
TEST(Slack, AuthorsAreNamedByTheirSlackUserEvents) {
  auto authored = [](Event e, const std::string& user) {
    e.attrs["team"] = "T1";
    e.attrs["user"] = user;
    e.actor = user;
    return e;
  };
  auto user_event = [](const std::string& user, const std::string& name, bool bot) {
    Event u = testing::MakeEvent("slack", "T1:user:" + user, "slack.user", T(0));
    u.scope = "slack-users/T1";
    u.actor = user;
    u.attrs = {{"team", "T1"}, {"user", user}, {"display_name", name}, {"is_bot", bot}};
    return u;
  };
  Event alice_user = user_event("U0ALICE", "Alice Chen", false);
  Event relay_user = user_event("U0RELAY", "Status Relay", true);
  Event other_team = user_event("U0BOB", "Bob Elsewhere", false);
  other_team.source_ref = "T2:user:U0BOB";
  other_team.id = MakeEventId("slack", other_team.source_ref);
  Event rollback = authored(Slack("30.1", T(20), "U0ALICE", "rollback complete"), "U0ALICE");
  Event bob = authored(Slack("30.2", T(21), "U0BOB", "root cause: pool size"), "U0BOB");
  Event relay = authored(Slack("30.3", T(22), "U0RELAY", "customer impact confirmed"), "U0RELAY");
  Event said = authored(Slack("30.4", T(23), "U0ALICE", "root cause: the flag"), "U0ALICE");
  Event gone = Slack("30.4:delete", T(24), "", "", "slack.message_deleted", said.id);
  gone.attrs["team"] = "T1";
  gone.attrs["original_user"] = "U0ALICE";
  Timeline t = Build({rollback, bob, relay, said, gone, alice_user, relay_user, other_team});
  std::vector<std::string> texts;
  for (const TimelineLine& l : t.lines) texts.push_back(l.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"Alice Chen: \"rollback complete\"",
                                             "U0BOB: \"root cause: pool size\"",
                                             "Status Relay (bot): \"customer impact confirmed\"",
                                             "Alice Chen: (message deleted)"}));
  EXPECT_EQ(t.lines[0].citations, IdsOf({rollback, alice_user}));
  EXPECT_EQ(t.lines[1].citations, IdsOf({bob}));  // T2's U0BOB is someone else
  EXPECT_EQ(t.lines[2].citations, IdsOf({relay, relay_user}));
  EXPECT_EQ(t.lines[3].citations, IdsOf({said, gone, alice_user}));
  // A user event is a name, not a timeline event.
  EXPECT_EQ(t.stats.correlated, 5u);
  // The summary's mitigation sentence quotes the named author and cites the name too.
  const SummarySentence* said_by = nullptr;
  for (const SummarySentence& x : t.summary) {
    if (x.text.find("Alice Chen") != std::string::npos) said_by = &x;
  }
  ASSERT_NE(said_by, nullptr) << "no summary sentence names the author";
  EXPECT_NE(std::find(said_by->citations.begin(), said_by->citations.end(), alice_user.id),
            said_by->citations.end());
}

TEST(Slack, EditsSupersedeAndDeletionsAreNotQuoted) {
  Event orig = Slack("2.1", T(20), "alice", "checking the pool");
  Event edit = Slack("2.1:edit:2.9", T(21), "alice", "root cause: pool size 5 after deploy",
                     "slack.message_changed", orig.id);
  Event salient = Slack("3.1", T(22), "bob", "reverting now");
  Event deleted = Slack("3.1:delete", T(23), "bob", "", "slack.message_deleted", salient.id);
  Event boring = Slack("4.1", T(24), "carol", "brb");
  Event boring_deleted =
      Slack("4.1:delete", T(25), "carol", "", "slack.message_deleted", boring.id);
  Timeline t = Build({orig, edit, salient, deleted, boring, boring_deleted});
  ASSERT_EQ(t.lines.size(), 2u);
  EXPECT_EQ(t.lines[0].text, "alice: \"root cause: pool size 5 after deploy\" (edited)");
  EXPECT_EQ(t.lines[0].citations, IdsOf({orig, edit}));
  EXPECT_EQ(t.lines[0].at, T(20));
  EXPECT_EQ(t.lines[0].key, "slack:" + orig.id);
  EXPECT_EQ(t.lines[1].text, "bob: (message deleted)");
  EXPECT_EQ(t.lines[1].citations, IdsOf({salient, deleted}));
  EXPECT_EQ(t.stats.not_shown.at("Slack messages deleted"), 1u);
}

TEST(Slack, EditOfAnUnseenOriginalCitesOnlyWhatWasSeen) {
  Event edit = Slack("5.1:edit", T(21), "alice", "decided to fail over", "slack.message_changed",
                     MakeEventId("slack", "T1:C0PAY:5.1"));
  Timeline t = Build({edit});
  ASSERT_EQ(t.lines.size(), 1u);
  EXPECT_EQ(t.lines[0].citations, std::vector<std::string>{edit.id});
}

// A reaction or pin taken back no longer counts: per person, the latest event says whether
// it is on; a backfilled copy's reactions are the state when it was fetched, and only later
// events change it.
TEST(Slack, RemovedReactionsAndPinsAreTakenBack) {
  auto signal = [](const Event& target, const std::string& kind, const std::string& name,
                   const std::string& user, Nanos at) {
    Event e = testing::MakeEvent(
        "slack",
        "T1:C0PAY:" + target.id + ":" + kind + ":" + name + ":" + user + ":" + std::to_string(at),
        "slack." + kind, at);
    e.scope = "slack/C0PAY";
    e.actor = user;
    e.attrs = {{"channel", "C0PAY"}, {"user", user}, {"target", target.id}};
    if (!name.empty()) e.attrs["reaction"] = name;
    return e;
  };
  // Excluded, then the exclude reaction is taken back: shown, citing both events.
  Event rollback = Slack("40.1", T(20), "alice", "rolling back now");
  Event ex_on = signal(rollback, "reaction_added", "no_entry_sign", "U1", T(21));
  Event ex_off = signal(rollback, "reaction_removed", "no_entry_sign", "U1", T(22));
  // Two people exclude, one takes it back: still excluded.
  Event decided = Slack("40.2", T(20), "bob", "decided: fail over");
  Event two_a = signal(decided, "reaction_added", "no_entry_sign", "U1", T(21));
  Event two_b = signal(decided, "reaction_added", "no_entry_sign", "U2", T(22));
  Event two_off = signal(decided, "reaction_removed", "no_entry_sign", "U1", T(23));
  // Included, then taken back: an ordinary message again (not salient).
  Event chatter = Slack("40.3", T(20), "carol", "brb");
  Event in_on = signal(chatter, "reaction_added", "pushpin", "U3", T(21));
  Event in_off = signal(chatter, "reaction_removed", "pushpin", "U3", T(22));
  // Backfilled with the exclude reaction on it (fetched at T(30)); removed at T(31).
  Event fetched = Slack("40.4", T(24), "dave", "root cause: pool size");
  fetched.received_at = T(30);
  fetched.attrs["reactions"] = {{{"name", "no_entry_sign"}, {"count", 1}}};
  Event before = signal(fetched, "reaction_added", "no_entry_sign", "U4", T(25));  // in the copy
  Event fetched_off = signal(fetched, "reaction_removed", "no_entry_sign", "U4", T(31));
  // Pinned in the copy, unpinned later: not pinned.
  Event pinned = Slack("40.5", T(26), "erin", "status page updated");
  pinned.received_at = T(30);
  pinned.attrs["pinned"] = true;
  Event unpin = signal(pinned, "pin_removed", "", "U5", T(32));
  const std::vector<Event> events{rollback, ex_on,   ex_off,      decided, two_a,
                                  two_b,    two_off, chatter,     in_on,   in_off,
                                  fetched,  before,  fetched_off, pinned,  unpin};
  Timeline t = Build(events);
  std::vector<std::string> texts;
  for (const TimelineLine& l : t.lines) texts.push_back(l.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"alice: \"rolling back now\"",
                                             "dave: \"root cause: pool size\""}));
  EXPECT_EQ(t.lines[0].citations, IdsOf({rollback, ex_on, ex_off}));
  EXPECT_EQ(t.stats.not_shown.at("Slack messages excluded by a reaction"), 1u);
  EXPECT_EQ(t.stats.not_shown.at("Slack messages not salient"), 2u);  // brb, status page
}

// Where the response started: the root of a thread with replies in the evidence is shown
// whatever its text, as is a backfilled root that says it has replies (reply_count).
TEST(Slack, ThreadRootIsAlwaysShown) {
  Event root = Slack("10.1", T(20), "alice", "looking");
  Event reply = Slack("10.2", T(21), "bob", "ok");
  reply.attrs["thread_ts"] = "10.1";
  Event backfilled_root = Slack("11.1", T(22), "pagerduty", "Incident #4711 triggered");
  backfilled_root.attrs["bot"] = true;
  backfilled_root.attrs["thread_ts"] = "11.1";
  backfilled_root.attrs["reply_count"] = 3;
  Event lonely = Slack("12.1", T(23), "carol", "brb");
  Timeline t = Build({reply, lonely, backfilled_root, root});
  std::vector<std::string> texts;
  for (const TimelineLine& l : t.lines) texts.push_back(l.text);
  EXPECT_EQ(texts, (std::vector<std::string>{
                       "alice: \"looking\" (thread root)",
                       "pagerduty (bot): \"Incident #4711 triggered\" (thread root)"}));
  EXPECT_EQ(t.lines[0].citations, std::vector<std::string>{root.id});
  EXPECT_EQ(t.stats.not_shown.at("Slack messages not salient"), 2u);  // the reply, "brb"
}

// Responders steer the timeline with reactions: an exclude reaction keeps any message out,
// an include reaction brings even a bot's message in, and the line cites the reaction.
TEST(Slack, IncludeAndExcludeReactions) {
  auto reaction = [](const Event& target, const std::string& name, Nanos at) {
    Event e = testing::MakeEvent("slack", "T1:C0PAY:r:" + target.id + ":" + name,
                                 "slack.reaction_added", at);
    e.scope = "slack/C0PAY";
    e.actor = "alice";
    e.attrs = {{"channel", "C0PAY"}, {"reaction", name}, {"target", target.id}};
    return e;
  };
  Event other_deploy = Slack("20.1", T(20), "erin", "fyi deploy of search-api done");
  Event excluded = reaction(other_deploy, "no_entry_sign", T(21));
  Event note = Slack("21.1", T(22), "deploybot", "pipeline 88 finished");
  note.attrs["bot"] = true;
  Event included = reaction(note, "pushpin", T(23));
  Event root_cause = Slack("22.1", T(24), "bob", "root cause found");
  root_cause.attrs["reactions"] = {{{"name", "no_entry_sign"}, {"count", 1}}};
  Event elsewhere = reaction(Slack("99.1", T(1), "x", "not in the evidence"), "eyes", T(25));
  const std::vector<Event> events{other_deploy, excluded, note, included, root_cause, elsewhere};
  Timeline t = Build(events);
  ASSERT_EQ(t.lines.size(), 1u);
  EXPECT_EQ(t.lines[0].text, "deploybot (bot): \"pipeline 88 finished\" (with reactions)");
  EXPECT_EQ(t.lines[0].citations, IdsOf({note, included}));
  EXPECT_EQ(t.stats.not_shown.at("Slack messages excluded by a reaction"), 2u);
  EXPECT_FALSE(t.stats.not_shown.contains("Slack messages not salient"));
  EXPECT_EQ(t.stats.not_shown.at("Slack reactions/pins on messages not in the evidence"), 1u);
  // Configured lists replace the defaults.
  SummarizerConfig c;
  c.include_reactions = {"timeline"};
  c.exclude_reactions = {};
  Timeline custom = Build(events, c);
  std::vector<std::string> texts;
  for (const TimelineLine& l : custom.lines) texts.push_back(l.text);
  EXPECT_EQ(texts,
            (std::vector<std::string>{"erin: \"fyi deploy of search-api done\" (with reactions)",
                                      "bob: \"root cause found\" (with reactions)"}));
}

TEST(Contradictions, WarningsContinuingAfterResolve) {
  Event res = Pd("r", "resolved", T(40), "Alice Ops");
  Event ack = Pd("a", "acknowledged", T(12), "Alice Ops");
  Event before = K8s("b1", "BackOff", T(30), "payments-x", true, "Back-off");
  Event within_tolerance = K8s("b2", "BackOff", T(40, 30), "payments-x", true, "Back-off");
  Event after1 = K8s("b3", "BackOff", T(41, 30), "payments-x", true, "Back-off");
  Event after2 = K8s("b4", "BackOff", T(45), "payments-x", true, "Back-off");
  Event log_after = Log("l1", "error", T(44), "payment 7 failed");
  Timeline t = Build({res, ack, before, within_tolerance, after1, after2, log_after});
  const TimelineLine* c = FindKeyPrefix(t, "contradiction:after_resolve:k8s:");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->text,
            "Contradiction: incident resolved at 12:40 UTC but BackOff on pod payments-x continued "
            "until 12:45 UTC (\xC3\x97"
            "2 after the resolve)");
  EXPECT_EQ(c->citations, IdsOf({res, after1, after2}));
  EXPECT_EQ(c->at, T(40));
  const TimelineLine* lc = FindKeyPrefix(t, "contradiction:after_resolve:log:");
  ASSERT_NE(lc, nullptr);
  EXPECT_EQ(lc->text,
            "Contradiction: incident resolved at 12:40 UTC but log errors \"payment <num> failed\" "
            "in payments/api continued until 12:44 UTC (\xC3\x97"
            "1 after the resolve)");
  EXPECT_EQ(FindKeyPrefix(t, "contradiction:no_ack"), nullptr);
}

TEST(Contradictions, ResolvedWithoutAcknowledgement) {
  Event trig = Pd("t", "triggered", T(10));
  Event res = Pd("r", "resolved", T(40));
  Timeline t = Build({trig, res});
  const TimelineLine* c = FindKeyPrefix(t, "contradiction:no_ack");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(
      c->text,
      "Contradiction: resolved at 12:40 UTC without any acknowledgement (acknowledged by no one)");
  EXPECT_EQ(c->citations, IdsOf({trig, res}));
}

TEST(Timeline, LinesNeverCiteOutsideTheInputAndAreOrdered) {
  std::vector<Event> events = {Pd("t", "triggered", T(10)),
                               Pd("a", "acknowledged", T(12), "Alice"),
                               Pd("r", "resolved", T(40)),
                               Log("l1", "error", T(5), "boom 1"),
                               Log("l2", "error", T(45), "boom 2"),
                               K8s("k", "BackOff", T(42), "p", true, "x"),
                               Slack("9.1", T(30), "alice", "all clear"),
                               Slack("9.2:edit", T(31), "bob", "hotfix deployed",
                                     "slack.message_changed", MakeEventId("slack", "not-in-set"))};
  Timeline t = Build(events);
  std::set<std::string> input;
  for (const Event& e : events) input.insert(e.id);
  std::set<std::string> keys;
  for (size_t i = 0; i < t.lines.size(); ++i) {
    const TimelineLine& l = t.lines[i];
    EXPECT_FALSE(l.citations.empty()) << l.key;
    EXPECT_TRUE(std::is_sorted(l.citations.begin(), l.citations.end()));
    for (const std::string& id : l.citations) EXPECT_TRUE(input.contains(id)) << l.key << " " << id;
    EXPECT_TRUE(keys.insert(l.key).second) << l.key;
    if (i > 0) {
      const TimelineLine& p = t.lines[i - 1];
      EXPECT_TRUE(p.at < l.at ||
                  (p.at == l.at && CategoryRank(p.category) <= CategoryRank(l.category)));
    }
  }
  for (const Metric& m : t.metrics) {
    for (const std::string& id : m.citations) EXPECT_TRUE(input.contains(id)) << m.name;
  }
}

TEST(Timeline, OrderOfInputDoesNotMatter) {
  std::vector<Event> events = {Pd("t", "triggered", T(10)),
                               Log("l1", "error", T(5), "boom 1"),
                               Log("l2", "error", T(6), "boom 2"),
                               K8s("k", "BackOff", T(7), "p", true, "x"),
                               K8s("k2", "BackOff", T(8), "p", true, "y"),
                               Slack("9.1", T(30), "alice", "all clear")};
  events.push_back(Log("l3", "error", T(6), "boom 3"));  // same time as l2: ties by id
  Timeline a = Build(events);
  std::reverse(events.begin(), events.end());
  Timeline b = Build(events);
  EXPECT_EQ(a.lines, b.lines);
  EXPECT_EQ(a.metrics, b.metrics);
  // What a compact Markdown row links (not part of operator==).
  ASSERT_EQ(a.lines.size(), b.lines.size());
  size_t grouped = 0;
  for (size_t i = 0; i < a.lines.size(); ++i) {
    EXPECT_EQ(a.lines[i].first_id, b.lines[i].first_id) << a.lines[i].text;
    EXPECT_EQ(a.lines[i].last_id, b.lines[i].last_id) << a.lines[i].text;
    if (a.lines[i].citations.size() > 2) {
      ++grouped;
      EXPECT_NE(a.lines[i].first_id, a.lines[i].last_id);
    }
  }
  EXPECT_GE(grouped, 1u);
}

}  // namespace
}  // namespace timelined::summarizer
