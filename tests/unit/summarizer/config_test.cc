#include "summarizer/config.h"

#include <gtest/gtest.h>

namespace timelined::summarizer {
namespace {

TEST(Config, HashIsStableAndSensitive) {
  SummarizerConfig a, b;
  EXPECT_EQ(ConfigHash(a), ConfigHash(b));
  EXPECT_EQ(ConfigHash(a).size(), 64u);
  b.correlation.services["PSVC"].scopes = {"k8s/payments/"};
  EXPECT_NE(ConfigHash(a), ConfigHash(b));
  SummarizerConfig c;
  c.limits.quote_chars = 100;
  EXPECT_NE(ConfigHash(a), ConfigHash(c));
}

TEST(Config, JsonRoundTrip) {
  SummarizerConfig a;
  a.correlation.services["PSVC"].scopes = {"k8s/payments/", "log/payments/api"};
  a.correlation.services["PSVC"].slack_channels = {"C0PAY"};
  a.correlation.services["PSVC"].lookback = 5 * kMinute;
  a.recovery_kinds = {"k8s.Recovered"};
  a.limits.max_groups = 42;
  auto b = SummarizerConfigFromJson(SummarizerConfigToJson(a));
  ASSERT_TRUE(b);
  EXPECT_EQ(ConfigHash(a), ConfigHash(*b));
  EXPECT_EQ(b->correlation.services["PSVC"].lookback, 5 * kMinute);
}

TEST(Config, DefaultsAndBadInput) {
  auto d = SummarizerConfigFromJson(nlohmann::json::object());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->salient_keywords, DefaultSalientKeywords());
  EXPECT_EQ(d->correlation.defaults.lookback, 30 * kMinute);
  EXPECT_EQ(d->correlation.defaults.grace, 10 * kMinute);
  EXPECT_FALSE(SummarizerConfigFromJson(nlohmann::json{{"salient_keywords", "x"}}));
  EXPECT_FALSE(SummarizerConfigFromJson(nlohmann::json{{"limits", {{"max_groups", -1}}}}));
  EXPECT_FALSE(SummarizerConfigFromJson(nlohmann::json::array()));
}

}  // namespace
}  // namespace timelined::summarizer
