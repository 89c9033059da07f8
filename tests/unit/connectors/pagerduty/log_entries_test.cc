#include "connectors/pagerduty/log_entries.h"

#include <gtest/gtest.h>

#include <map>

#include "connectors/pagerduty/incident.h"
#include "connectors/pagerduty/webhook.h"
#include "store/model/hash.h"
#include "tests/unit/connectors/common/fixtures.h"

namespace timelined::connectors::pagerduty {
namespace {

using testing::ReadFixture;

constexpr Nanos kReceived = 1'773'490'000'000'000'000;

std::vector<Event> AllPages() {
  std::vector<Event> all;
  for (const char* page : {"log_entries_page1", "log_entries_page2", "log_entries_page3"}) {
    auto parsed =
        ParseLogEntries(ReadFixture(std::string("pagerduty/") + page + ".json"), kReceived);
    EXPECT_TRUE(parsed.has_value());
    if (parsed) all.insert(all.end(), parsed->events.begin(), parsed->events.end());
  }
  return all;
}

TEST(LogEntriesTest, PageFields) {
  std::string raw = ReadFixture("pagerduty/log_entries_page1.json");
  auto page = ParseLogEntries(raw, kReceived);
  ASSERT_TRUE(page.has_value());
  EXPECT_TRUE(page->more);
  EXPECT_EQ(page->offset, 0);
  EXPECT_EQ(page->limit, 3);
  EXPECT_EQ(page->skipped, 0u);
  ASSERT_EQ(page->events.size(), 3u);
  for (const Event& e : page->events) EXPECT_EQ(e.raw_sha256, Sha256Hex(raw));
  auto last = ParseLogEntries(ReadFixture("pagerduty/log_entries_page3.json"), kReceived);
  ASSERT_TRUE(last.has_value());
  EXPECT_FALSE(last->more);
  EXPECT_EQ(last->skipped, 1u);  // the entry with a broken created_at
  EXPECT_EQ(last->events.size(), 2u);
}

struct Expect {
  std::string log_entry_id;
  std::string kind;
  std::string transition;
  std::string actor;
  std::string summary;
};

TEST(LogEntriesTest, MapsEveryType) {
  const std::vector<Expect> expected = {
      {"RLE0TRIG", "incident.triggered", "triggered", "Datadog", "Triggered through the API."},
      {"RLE0NOTI", "pagerduty.notify", "notify", "PagerDuty automation",
       "Notified Alice Smith by push notification."},
      {"RLE0ACK1", "incident.acknowledged", "acknowledged", "Alice Smith",
       "Acknowledged by Alice Smith."},
      {"RLE0ASGN", "incident.reassigned", "reassigned", "Alice Smith",
       "Assigned to Bob Jones, Carol White."},
      {"RLE0NOTE", "incident.annotated", "annotated", "Bob Jones",
       "Note by Bob Jones: Rolled back checkout-api to v2.14.2; error rate dropping."},
      {"RLE0SNZE", "pagerduty.snooze", "snooze", "Bob Jones",
       "Snoozed for 30 minutes by Bob Jones."},
      {"RLE0RSLV", "incident.resolved", "resolved", "Alice Smith", "Resolved by Alice Smith."},
      {"RLE0ACK2", "incident.acknowledged", "acknowledged", "Bob Jones",
       "Acknowledged by Bob Jones."},
  };
  std::vector<Event> events = AllPages();
  ASSERT_EQ(events.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const Expect& x = expected[i];
    const Event& e = events[i];
    SCOPED_TRACE(x.log_entry_id);
    EXPECT_EQ(e.source_ref, "log_entry:" + x.log_entry_id);
    EXPECT_EQ(e.id, MakeEventId("pagerduty", e.source_ref));
    EXPECT_EQ(e.kind, x.kind);
    EXPECT_EQ(e.attrs["transition"], x.transition);
    EXPECT_EQ(e.actor, x.actor);
    EXPECT_EQ(e.summary, x.summary);
    EXPECT_EQ(e.incident_id, "Q1ABCDEF2GHIJK");
    EXPECT_EQ(e.scope, "pagerduty/service/PSVC123");
    EXPECT_EQ(e.url,
              "https://acme.pagerduty.com/incidents/Q1ABCDEF2GHIJK/log_entries/" + x.log_entry_id);
    EXPECT_EQ(e.received_at, kReceived);
    EXPECT_TRUE(ValidateEvent(e).has_value());
  }
  EXPECT_EQ(events[0].body, "Checkout API 5xx");
  EXPECT_EQ(events[3].attrs["assignees"], "Bob Jones, Carol White");
  EXPECT_EQ(events[4].body, "Rolled back checkout-api to v2.14.2; error rate dropping.");
}

TEST(LogEntriesTest, MatchKeysEqualTheWebhooksOfTheSameTransition) {
  std::map<std::string, std::string> by_entry;
  for (const Event& e : AllPages()) by_entry[e.attrs["log_entry_id"]] = e.attrs["match_key"];
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"incident_triggered", "RLE0TRIG"},  {"incident_acknowledged", "RLE0ACK1"},
      {"incident_reassigned", "RLE0ASGN"}, {"incident_annotated", "RLE0NOTE"},
      {"incident_resolved", "RLE0RSLV"},
  };
  for (const auto& [fixture, entry] : pairs) {
    SCOPED_TRACE(fixture);
    auto hook = ParseWebhook(ReadFixture("pagerduty/" + fixture + ".json"), {}, kReceived);
    ASSERT_TRUE(hook.has_value());
    const Event& webhook_event = hook->events.at(0);
    EXPECT_EQ(webhook_event.attrs["match_key"], by_entry[entry]);
    EXPECT_NE(webhook_event.id, MakeEventId("pagerduty", "log_entry:" + entry));
  }
  // A different transition at a different time does not collide.
  EXPECT_NE(by_entry["RLE0ACK1"], by_entry["RLE0ACK2"]);
}

TEST(LogEntriesTest, Errors) {
  EXPECT_EQ(ParseLogEntries("nope", kReceived).error().message, "invalid_json");
  EXPECT_EQ(ParseLogEntries(R"({"incidents":[]})", kReceived).error().message, "invalid_payload");
  auto empty = ParseLogEntries(R"({"log_entries":[],"more":false})", kReceived);
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->events.empty());
}

TEST(IncidentTest, RestAndWebhookShapesNormaliseAlike) {
  auto rest = ParseIncidentResponse(ReadFixture("pagerduty/rest_incident.json"));
  ASSERT_TRUE(rest.has_value()) << rest.error().detail;
  EXPECT_EQ(rest->id, "Q1ABCDEF2GHIJK");
  EXPECT_EQ(rest->number, 1234);
  EXPECT_EQ(rest->assignees, (std::vector<std::string>{"Bob Jones", "Carol White"}));
  EXPECT_EQ(rest->priority, "P1");
  EXPECT_EQ(rest->service_name, "Payments");
  EXPECT_EQ(rest->status, "acknowledged");

  auto doc = nlohmann::json::parse(ReadFixture("pagerduty/incident_reassigned.json"));
  auto hook = IncidentFromRest(doc["event"]["data"]);
  ASSERT_TRUE(hook.has_value());
  EXPECT_EQ(hook->number, rest->number);
  EXPECT_EQ(hook->assignees, rest->assignees);
  EXPECT_EQ(hook->title, rest->title);
  EXPECT_EQ(hook->triggered_at, rest->triggered_at);
  EXPECT_EQ(hook->html_url, rest->html_url);

  EXPECT_FALSE(IncidentFromRest(nlohmann::json::object()).has_value());
  EXPECT_FALSE(IncidentFromRest(nlohmann::json::array()).has_value());
}

TEST(IncidentTest, SeverityAndMatchKeyRules) {
  EXPECT_EQ(TriggerSeverity("high", "P1"), "critical");
  EXPECT_EQ(TriggerSeverity("low", "P2"), "critical");
  EXPECT_EQ(TriggerSeverity("high", "SEV-2"), "critical");
  EXPECT_EQ(TriggerSeverity("high", "P3"), "error");
  EXPECT_EQ(TriggerSeverity("high", ""), "error");
  EXPECT_EQ(TriggerSeverity("low", ""), "warning");
  EXPECT_EQ(MatchKey("Q1", "resolved", 1'500'000'000'999'999'999), "Q1|resolved|1500000000");
}

}  // namespace
}  // namespace timelined::connectors::pagerduty

namespace timelined::connectors::pagerduty {
namespace {

// Entries without id, type or a usable created_at are skipped and counted; the rest of the
// page is kept, and an entry without an incident still maps (no incident_id, no match_key).
TEST(LogEntriesTest, MissingFieldsAreSkippedAndCounted) {
  const char* page = R"({"log_entries":[
    {"type":"trigger_log_entry","created_at":"2026-03-14T09:26:10Z","incident":{"id":"Q1"}},
    {"id":"L2","created_at":"2026-03-14T09:26:10Z","incident":{"id":"Q1"}},
    {"id":"L3","type":"acknowledge_log_entry","incident":{"id":"Q1"}},
    {"id":"L4","type":"acknowledge_log_entry","created_at":42,"incident":{"id":"Q1"}},
    {"id":"L5","type":"resolve_log_entry","created_at":"2026-03-14T10:41:03Z","incident":{"id":"Q1"}},
    {"id":"L6","type":"annotate_log_entry","created_at":"2026-03-14T10:42:00Z"},
    "not an object"],
    "limit":100,"offset":0,"more":false})";
  auto parsed = ParseLogEntries(page, kReceived);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().detail;
  EXPECT_EQ(parsed->skipped, 5u);
  ASSERT_EQ(parsed->events.size(), 2u);
  EXPECT_EQ(parsed->events[0].kind, "incident.resolved");
  EXPECT_EQ(parsed->events[0].incident_id, "Q1");
  EXPECT_EQ(parsed->events[1].kind, "incident.annotated");
  EXPECT_EQ(parsed->events[1].incident_id, "");
  EXPECT_FALSE(parsed->events[1].attrs.contains("match_key"));
}

}  // namespace
}  // namespace timelined::connectors::pagerduty
