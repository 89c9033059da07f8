#include "connectors/pagerduty/webhook.h"

#include <gtest/gtest.h>

#include "connectors/pagerduty/incident.h"
#include "connectors/pagerduty/signature.h"
#include "store/model/hash.h"
#include "tests/unit/connectors/common/fixtures.h"

namespace timelined::connectors::pagerduty {
namespace {

using testing::ReadFixture;

constexpr std::string_view kIncident = "Q1ABCDEF2GHIJK";
constexpr Nanos kReceived = 1'773'480'000'000'000'000;  // 2026-03-14T09:20:00Z

Headers DeliveryHeaders() {
  return MakeHeaders({{"X-Webhook-Id", "wh-7f3c"},
                      {"X-Webhook-Subscription", "PXSUIZH"},
                      {"User-Agent", "PagerDuty-Webhook/V3.0"}});
}

struct Expect {
  std::string fixture;
  std::string kind;
  std::string summary;
  std::string severity;
  std::string actor;
  std::string transition;
  std::string occurred_at;  // RFC 3339
  std::string body;
};

class WebhookTypesTest : public ::testing::TestWithParam<Expect> {};

TEST_P(WebhookTypesTest, MapsEventType) {
  const Expect& x = GetParam();
  std::string raw = ReadFixture("pagerduty/" + x.fixture + ".json");
  ASSERT_FALSE(raw.empty());
  auto parsed = ParseWebhook(raw, DeliveryHeaders(), kReceived);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().detail;
  ASSERT_FALSE(parsed->ping);
  ASSERT_EQ(parsed->events.size(), 1u);
  const Event& e = parsed->events[0];
  EXPECT_EQ(e.kind, x.kind);
  EXPECT_EQ(e.summary, x.summary);
  EXPECT_EQ(e.severity, x.severity);
  EXPECT_EQ(e.actor, x.actor);
  EXPECT_EQ(e.body, x.body);
  EXPECT_EQ(e.occurred_at, *ParseRfc3339(x.occurred_at));
  EXPECT_EQ(e.received_at, kReceived);
  EXPECT_EQ(e.source, "pagerduty");
  EXPECT_TRUE(e.source_ref.starts_with("webhook:01EV"));
  EXPECT_EQ(e.id, MakeEventId("pagerduty", e.source_ref));
  EXPECT_EQ(e.raw_sha256, Sha256Hex(raw));
  EXPECT_EQ(e.attrs["transition"], x.transition);
  EXPECT_EQ(e.attrs["webhook_id"], "wh-7f3c");
  EXPECT_EQ(e.attrs["subscription_id"], "PXSUIZH");
  if (x.kind.starts_with("service.")) {
    EXPECT_EQ(e.incident_id, "");
    EXPECT_FALSE(e.attrs.contains("match_key"));
  } else {
    EXPECT_EQ(e.incident_id, kIncident);
    EXPECT_EQ(e.url, "https://acme.pagerduty.com/incidents/Q1ABCDEF2GHIJK");
    std::string seconds = std::to_string(e.occurred_at / kNanosPerSecond);
    EXPECT_EQ(e.attrs["match_key"], std::string(kIncident) + "|" + x.transition + "|" + seconds);
  }
  EXPECT_TRUE(ValidateEvent(e).has_value()) << ValidateEvent(e).error().detail;
}

const std::string kTitle = "#1234 'Checkout API 5xx' on service Payments";

INSTANTIATE_TEST_SUITE_P(
    AllTypes, WebhookTypesTest,
    ::testing::Values(
        Expect{"incident_triggered", "incident.triggered",
               "Triggered " + kTitle + " (P1, high urgency)", "critical", "Datadog", "triggered",
               "2026-03-14T09:26:10.482Z", ""},
        Expect{"incident_triggered_low", "incident.triggered",
               "Triggered " + kTitle + " (low urgency)", "warning", "PagerDuty automation",
               "triggered", "2026-03-14T09:26:10.482Z", ""},
        Expect{"incident_acknowledged", "incident.acknowledged", "Acknowledged by Alice Smith",
               "info", "Alice Smith", "acknowledged", "2026-03-14T09:29:41.007Z", ""},
        Expect{"incident_unacknowledged", "incident.unacknowledged",
               "Unacknowledged by PagerDuty automation", "info", "PagerDuty automation",
               "unacknowledged", "2026-03-14T09:59:41Z", ""},
        Expect{"incident_escalated", "incident.escalated", "Escalated to Bob Jones", "info",
               "PagerDuty automation", "escalated", "2026-03-14T09:31:00Z", ""},
        Expect{"incident_reassigned", "incident.reassigned",
               "Reassigned to Bob Jones, Carol White by Alice Smith", "info", "Alice Smith",
               "reassigned", "2026-03-14T09:33:12.250Z", ""},
        Expect{"incident_delegated", "incident.delegated",
               "Delegated to escalation policy Database Team", "info", "Alice Smith", "delegated",
               "2026-03-14T09:35:00Z", ""},
        Expect{"incident_resolved", "incident.resolved", "Resolved by Alice Smith", "info",
               "Alice Smith", "resolved", "2026-03-14T10:41:03.900Z", ""},
        Expect{"incident_reopened", "incident.reopened", "Reopened by Bob Jones", "critical",
               "Bob Jones", "reopened", "2026-03-14T10:50:00Z", ""},
        Expect{"incident_priority_updated", "incident.priority_updated", "Priority changed to P2",
               "info", "Alice Smith", "priority_updated", "2026-03-14T09:40:00Z", ""},
        Expect{"incident_service_updated", "incident.service_updated",
               "Moved to service Checkout Frontend", "info", "Alice Smith", "service_updated",
               "2026-03-14T09:41:00Z", ""},
        Expect{"incident_type_changed", "incident.incident_type.changed",
               "Incident type changed to Security Incident", "info", "Alice Smith",
               "incident_type_changed", "2026-03-14T09:42:00Z", ""},
        Expect{"incident_annotated", "incident.annotated",
               "Note by Bob Jones: Rolled back checkout-api to v2.14.2; error rate dropping.",
               "info", "Bob Jones", "annotated", "2026-03-14T09:45:30.120Z",
               "Rolled back checkout-api to v2.14.2; error rate dropping."},
        Expect{"incident_status_update_published", "incident.status_update_published",
               "Status update: Checkout is degraded; a rollback is in progress. Next update in 30 "
               "minutes.",
               "info", "Alice Smith", "status_update_published", "2026-03-14T09:50:00Z",
               "Checkout is degraded; a rollback is in progress. Next update in 30 minutes."},
        Expect{"incident_responder_added", "incident.responder.added",
               "Responder Database Team requested by Alice Smith: Please help with the DB", "info",
               "Alice Smith", "responder_added", "2026-03-14T09:36:00Z", "Please help with the DB"},
        Expect{"incident_responder_replied", "incident.responder.replied",
               "Responder Carol White replied: joined", "info", "Carol White", "responder_replied",
               "2026-03-14T09:37:00Z", ""},
        Expect{"incident_conference_bridge_updated", "incident.conference_bridge.updated",
               "Conference bridge updated: +1 555-0100,,123456# https://meet.example.com/abc",
               "info", "Alice Smith", "conference_bridge_updated", "2026-03-14T09:32:00Z", ""},
        Expect{"incident_custom_field_values_updated", "incident.custom_field_values.updated",
               "Custom fields updated: environment=production, customers_affected=1200", "info",
               "Alice Smith", "custom_field_values_updated", "2026-03-14T09:38:00Z", ""},
        Expect{"incident_role_assigned", "incident.role.assigned",
               "Role Incident Commander assigned to Bob Jones", "info", "Alice Smith",
               "role_assigned", "2026-03-14T09:34:00Z", ""},
        Expect{"incident_task_created", "incident.task.created",
               "Task 'Notify customer support' created", "info", "Alice Smith", "task_created",
               "2026-03-14T09:39:00Z", ""},
        Expect{"incident_action_invocation_created", "incident.action_invocation.created",
               "Automation action 'Restart checkout pods' started", "info", "Automation Actions",
               "action_invocation_created", "2026-03-14T09:28:00Z", ""},
        Expect{"incident_workflow_started", "incident.workflow.started",
               "Workflow 'Major incident kickoff' started", "info", "PagerDuty automation",
               "workflow_started", "2026-03-14T09:27:00Z", ""},
        Expect{"service_updated", "service.updated", "Service 'Payments' updated", "info",
               "Alice Smith", "service_updated", "2026-03-14T11:00:00Z", ""},
        Expect{"unknown_type", "pagerduty.incident.quantum_state.collapsed",
               "PagerDuty event incident.quantum_state.collapsed by Alice Smith", "info",
               "Alice Smith", "quantum_state_collapsed", "2026-03-14T09:44:00Z", ""}),
    [](const ::testing::TestParamInfo<Expect>& p) { return p.param.fixture; });

TEST(WebhookTest, TriggeredCarriesIncidentSnapshotAndScope) {
  auto parsed = ParseWebhook(ReadFixture("pagerduty/incident_triggered.json"), {}, kReceived);
  ASSERT_TRUE(parsed.has_value());
  const Event& e = parsed->events.at(0);
  EXPECT_EQ(e.scope, "pagerduty/service/PSVC123");
  auto incident = IncidentFromEvent(e);
  ASSERT_TRUE(incident.has_value());
  EXPECT_EQ(incident->id, kIncident);
  EXPECT_EQ(incident->number, 1234);
  EXPECT_EQ(incident->title, "Checkout API 5xx");
  EXPECT_EQ(incident->service_id, "PSVC123");
  EXPECT_EQ(incident->service_name, "Payments");
  EXPECT_EQ(incident->urgency, "high");
  EXPECT_EQ(incident->priority, "P1");
  EXPECT_EQ(incident->status, "triggered");
  EXPECT_EQ(incident->assignees, std::vector<std::string>{"Alice Smith"});
  EXPECT_EQ(incident->triggered_at, *ParseRfc3339("2026-03-14T09:26:10Z"));
  // Headers absent: the attrs still exist, empty.
  EXPECT_EQ(e.attrs["webhook_id"], "");
}

TEST(WebhookTest, ReopenedSnapshotHasReopenedAt) {
  auto parsed = ParseWebhook(ReadFixture("pagerduty/incident_reopened.json"), {}, kReceived);
  ASSERT_TRUE(parsed.has_value());
  auto incident = IncidentFromEvent(parsed->events.at(0));
  ASSERT_TRUE(incident.has_value());
  EXPECT_EQ(incident->reopened_at, *ParseRfc3339("2026-03-14T10:50:00Z"));
}

TEST(WebhookTest, NoteHasNoIncidentSnapshot) {
  auto parsed = ParseWebhook(ReadFixture("pagerduty/incident_annotated.json"), {}, kReceived);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_FALSE(parsed->events.at(0).attrs.contains("incident"));
  EXPECT_EQ(parsed->events.at(0).attrs["note_id"], "PNOTE01");
}

TEST(WebhookTest, PingGivesNoEvents) {
  auto parsed = ParseWebhook(ReadFixture("pagerduty/pagey_ping.json"), {}, kReceived);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(parsed->ping);
  EXPECT_TRUE(parsed->events.empty());
}

TEST(WebhookTest, RetryOfSameEventKeepsEventId) {
  std::string raw = ReadFixture("pagerduty/incident_acknowledged.json");
  auto first = ParseWebhook(raw, DeliveryHeaders(), kReceived);
  auto retry = ParseWebhook(raw, DeliveryHeaders(), kReceived + 60 * kNanosPerSecond);
  ASSERT_TRUE(first.has_value() && retry.has_value());
  EXPECT_EQ(first->events.at(0).id, retry->events.at(0).id);
  EXPECT_NE(first->events.at(0).received_at, retry->events.at(0).received_at);
  // A different event of the same incident gets a different ID.
  auto other = ParseWebhook(ReadFixture("pagerduty/incident_resolved.json"), {}, kReceived);
  ASSERT_TRUE(other.has_value());
  EXPECT_NE(other->events.at(0).id, first->events.at(0).id);
}

struct BadCase {
  std::string name;
  std::string body;
  std::string error;
};

TEST(WebhookTest, RejectsMalformedPayloads) {
  const std::vector<BadCase> cases = {
      {"not_json", "{\"event\": ", "invalid_json"},
      {"empty", "", "invalid_json"},
      {"array", "[1,2]", "invalid_payload"},
      {"no_event", R"({"messages":[]})", "missing_field"},
      {"event_not_object", R"({"event":"x"})", "missing_field"},
      {"no_id",
       R"({"event":{"event_type":"incident.triggered","occurred_at":"2026-03-14T09:26:10Z"}})",
       "missing_field"},
      {"no_type", R"({"event":{"id":"E1","occurred_at":"2026-03-14T09:26:10Z"}})", "missing_field"},
      {"no_time", R"({"event":{"id":"E1","event_type":"incident.triggered"}})", "missing_field"},
      {"bad_time",
       R"({"event":{"id":"E1","event_type":"incident.triggered","occurred_at":"yesterday"}})",
       "bad_timestamp"},
      {"id_not_string",
       R"({"event":{"id":7,"event_type":"incident.triggered","occurred_at":"2026-03-14T09:26:10Z"}})",
       "missing_field"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto parsed = ParseWebhook(c.body, {}, kReceived);
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(parsed.error().message, c.error);
  }
}

TEST(WebhookTest, NullDataStillGivesAnEvent) {
  auto parsed = ParseWebhook(
      R"({"event":{"id":"E2","event_type":"incident.responder.added","occurred_at":"2026-03-14T09:26:10Z","agent":null,"data":null}})",
      {}, kReceived);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_EQ(parsed->events.size(), 1u);
  EXPECT_EQ(parsed->events[0].kind, "incident.responder.added");
  EXPECT_EQ(parsed->events[0].incident_id, "");
  EXPECT_TRUE(ValidateEvent(parsed->events[0]).has_value());
}

TEST(WebhookTest, HugeBodyIsParsedAndClamped) {
  // 3 MiB note: size limits are the server's job, but the parser must neither crash nor
  // produce an event the store would reject.
  std::string content(3 * 1024 * 1024, 'x');
  std::string raw =
      R"({"event":{"id":"E3","event_type":"incident.annotated","occurred_at":"2026-03-14T09:26:10Z",)"
      R"("agent":null,"data":{"type":"incident_note","incident":{"id":"Q1"},"content":")" +
      content + "\"}}}";
  auto parsed = ParseWebhook(raw, {}, kReceived);
  ASSERT_TRUE(parsed.has_value());
  const Event& e = parsed->events.at(0);
  EXPECT_LE(e.body.size(), 256u * 1024);
  EXPECT_EQ(e.attrs["truncated"], true);
  EXPECT_EQ(e.raw_sha256, Sha256Hex(raw));
  EXPECT_TRUE(ValidateEvent(e).has_value());
  // Garbage of the same size is an error, not a crash.
  auto garbage = ParseWebhook(std::string(3 * 1024 * 1024, '{'), {}, kReceived);
  EXPECT_FALSE(garbage.has_value());
}

TEST(WebhookTest, VerifiedFixtureRoundTrip) {
  // What the daemon does: verify with the subscription's secrets, then parse.
  std::string raw = ReadFixture("pagerduty/incident_triggered.json");
  PagerDutyOptions options;
  options.subscription_secrets["PXSUIZH"] = {"s3cret"};
  std::string header = "v1=" + HmacSha256Hex("s3cret", raw);
  EXPECT_TRUE(VerifySignature(raw, header, SecretsFor(options, "PXSUIZH")).has_value());
  EXPECT_FALSE(VerifySignature(raw, header, SecretsFor(options, "PXOTHER")).has_value());
}

TEST(WebhookTest, TransitionOf) {
  EXPECT_EQ(TransitionOf("incident.triggered"), "triggered");
  EXPECT_EQ(TransitionOf("incident.responder.added"), "responder_added");
  EXPECT_EQ(TransitionOf("service.updated"), "service_updated");
}

// The monitoring client raised (or resolved) the incident, so it is the actor when no agent
// is named; an escalation or unacknowledgement with no agent is PagerDuty's own timer, not
// the client's doing, although the envelope still names the client.
TEST(WebhookTest, ClientIsNeverTheActorOfATimerTransition) {
  const nlohmann::json datadog = {{"name", "Datadog"}};
  const nlohmann::json alice = {{"summary", "Alice Smith"}, {"type", "user_reference"}};
  struct Case {
    std::string event_type;
    nlohmann::json agent, client;
    std::string want;
  };
  for (const Case& c : {Case{"incident.triggered", nullptr, datadog, "Datadog"},
                        Case{"incident.triggered", nullptr, nullptr, "PagerDuty automation"},
                        Case{"incident.escalated", nullptr, datadog, "PagerDuty automation"},
                        Case{"incident.unacknowledged", nullptr, datadog, "PagerDuty automation"},
                        Case{"incident.resolved", nullptr, datadog, "Datadog"},
                        Case{"incident.escalated", alice, datadog, "Alice Smith"},
                        Case{"incident.triggered", alice, datadog, "Alice Smith"}}) {
    SCOPED_TRACE(c.event_type + " " + c.agent.dump());
    nlohmann::json envelope = {
        {"event_type", c.event_type}, {"agent", c.agent}, {"client", c.client}};
    EXPECT_EQ(ActorOf(envelope), c.want);
  }
}

}  // namespace
}  // namespace timelined::connectors::pagerduty
