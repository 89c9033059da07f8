// The raw payloads of the end-to-end payments incident (tests/fixtures/e2e/payments) go
// through the same pure parsers the daemon uses, so a fixture that drifts from the wire
// format fails here, next to the parser, rather than deep inside the end-to-end test.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "connectors/common/headers.h"
#include "connectors/pagerduty/webhook.h"
#include "connectors/slack/events.h"
#include "connectors/slack/message.h"
#include "store/model/event.h"

namespace timelined::connectors {
namespace {

const std::string kDir = std::string(TIMELINED_FIXTURES) + "/e2e/payments/";

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Step {
  std::string source;
  std::string file;
};

std::vector<Step> Steps() {
  std::vector<Step> steps;
  std::istringstream in(Read(kDir + "replay.txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Step s;
    fields >> s.source >> s.file;
    steps.push_back(s);
  }
  return steps;
}

TEST(E2eFixtures, EveryPagerDutyAndSlackPayloadParsesToTheIncident) {
  auto steps = Steps();
  ASSERT_EQ(steps.size(), 16u);
  int pd = 0;
  int slack_events = 0;
  slack::SlackOptions options{"https://acme.slack.com", ""};
  for (const auto& s : steps) {
    std::string body = Read(kDir + s.file);
    ASSERT_FALSE(body.empty()) << s.file;
    if (s.source == "pagerduty") {
      auto parsed = pagerduty::ParseWebhook(body, Headers{}, 1);
      ASSERT_TRUE(parsed) << s.file << ": " << parsed.error().detail;
      ASSERT_EQ(parsed->events.size(), 1u) << s.file;
      EXPECT_EQ(parsed->events[0].incident_id, "Q1PAYMNT7") << s.file;
      if (parsed->events[0].kind != "incident.annotated") {
        auto incident = IncidentFromEvent(parsed->events[0]);
        ASSERT_TRUE(incident) << s.file;
        EXPECT_EQ(incident->number, 4711);
        EXPECT_EQ(incident->service_id, "PSVCPAY");
      }
      ++pd;
    } else if (s.source == "slack") {
      auto parsed = slack::ParseEventsApi(body, 1, options);
      ASSERT_TRUE(parsed) << s.file << ": " << parsed.error().detail;
      ASSERT_EQ(parsed->type, slack::SlackParse::Type::kEventCallback) << s.file;
      ASSERT_EQ(parsed->events.size(), 1u) << s.file;
      EXPECT_EQ(parsed->events[0].scope, "slack/C0PAY") << s.file;
      ++slack_events;
    }
  }
  EXPECT_EQ(pd, 5);
  EXPECT_EQ(slack_events, 9);
  auto late = slack::ParseEventsApi(Read(kDir + "late/late_reply.json"), 1, options);
  ASSERT_TRUE(late);
  ASSERT_EQ(late->events.size(), 1u);
  EXPECT_EQ(late->events[0].attrs.value("thread_ts", ""), "1773489671.000300");
}

}  // namespace
}  // namespace timelined::connectors
