#include <gtest/gtest.h>

#include "connectors/slack/message.h"

namespace timelined::connectors::slack {
namespace {

TEST(SlackLinksTest, ParseSlackTs) {
  struct Case {
    std::string ts;
    std::optional<Nanos> want;
  };
  const std::vector<Case> cases = {
      {"1355517523.000005", 1355517523LL * kNanosPerSecond + 5'000},
      {"1355517523.999999", 1355517523LL * kNanosPerSecond + 999'999'000},
      {"1355517523", 1355517523LL * kNanosPerSecond},
      {"1355517523.5", 1355517523LL * kNanosPerSecond + 500'000'000},
      {"1355517523.123456789", 1355517523LL * kNanosPerSecond + 123'456'789},
      {"", std::nullopt},
      {".000005", std::nullopt},
      {"1355517523.", std::nullopt},
      {"1355517523.0000050000", std::nullopt},
      {"13555a7523.000005", std::nullopt},
      {"-1355517523.000005", std::nullopt},
      {"1e9", std::nullopt},
      {"99999999999999.000001", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.ts);
    EXPECT_EQ(ParseSlackTs(c.ts), c.want);
  }
  // Micro-second digits survive where a double would lose them.
  EXPECT_NE(ParseSlackTs("1773480455.004501"), ParseSlackTs("1773480455.004500"));
}

TEST(SlackLinksTest, Permalink) {
  EXPECT_EQ(Permalink("https://acme.slack.com", "C0INC1234", "1358546515.000008", ""),
            "https://acme.slack.com/archives/C0INC1234/p1358546515000008");
  EXPECT_EQ(
      Permalink("https://acme.slack.com/", "C0INC1234", "1773480455.004500", "1773480390.001200"),
      "https://acme.slack.com/archives/C0INC1234/p1773480455004500"
      "?thread_ts=1773480390.001200&cid=C0INC1234");
  // A thread parent (thread_ts == ts) links like a channel message.
  EXPECT_EQ(Permalink("https://acme.slack.com", "C1", "1.000001", "1.000001"),
            "https://acme.slack.com/archives/C1/p1000001");
  EXPECT_EQ(Permalink("", "C1", "1.000001", ""), "");
}

TEST(SlackLinksTest, FindIncidentReferences) {
  struct Case {
    std::string text;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"see <https://acme.pagerduty.com/incidents/Q1ABCDEF2GHIJK|#1234 Checkout API 5xx>",
       {"id:Q1ABCDEF2GHIJK", "number:1234"}},
      {"https://acme.eu.pagerduty.com/incidents/PT4KHLK/timeline and #77",
       {"id:PT4KHLK", "number:77"}},
      {"HTTPS://ACME.PAGERDUTY.COM/incidents/PABC123", {"id:PABC123"}},
      {"#1234 again #1234 and #0042", {"number:1234", "number:42"}},
      {"(#99)", {"number:99"}},
      {"no refs here: <#C0INC1234|incident-room> issue#12 &#8212; x.com/#5 #12ab #", {}},
      {"https://example.com/incidents/NOTPD", {}},
      {"https://acme.pagerduty.com/incidents/", {}},
      {"", {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(FindIncidentReferences(c.text), c.want);
  }
}

// Found by the fuzzers (UBSan: signed overflow): 11 digits of seconds pass the end of Nanos.
TEST(SlackLinksTest, ParseSlackTsBeyondNanosIsRejected) {
  EXPECT_FALSE(ParseSlackTs("99999999999.000000"));
  EXPECT_TRUE(ParseSlackTs("9223372035.000000"));
}

}  // namespace
}  // namespace timelined::connectors::slack
