// [pagerduty]: subscriptions with rotated secrets, secret forms, REST settings, and the checks
// that refuse a half-configured section at startup.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "daemon/config/config.h"

namespace timelined::config {
namespace {

using testing::HasSubstr;
using testing::Not;

std::string ErrorOf(std::string_view text) {
  auto c = ParseConfig(text, "/etc/timelined.toml");
  if (c) {
    ADD_FAILURE() << "expected an error for:\n" << text;
    return {};
  }
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidInput);
  return c.error().detail;
}

TEST(PagerDutyConfig, DefaultsAreOff) {
  Config c = DefaultConfig();
  EXPECT_TRUE(c.pagerduty.subscriptions.empty());
  EXPECT_TRUE(c.pagerduty.api_token.empty());
  EXPECT_EQ(c.pagerduty.api_base_url, "https://api.pagerduty.com");
  EXPECT_FALSE(c.pagerduty.backfill_on_resolve);
}

TEST(PagerDutyConfig, SubscriptionsRotationAndSecretForms) {
  setenv("TIMELINED_TEST_PD_SECRET", "from-env", 1);
  auto c = ParseConfig(R"(
[[pagerduty.subscriptions]]
id = "PXSUIZH"
secret = "old"
[[pagerduty.subscriptions]]
id = "PXSUIZH"
secret_env = "TIMELINED_TEST_PD_SECRET"
[[pagerduty.subscriptions]]
id = "*"
secret = "any"
[pagerduty]
api_token_env = "TIMELINED_TEST_PD_SECRET"
api_base_url = "http://127.0.0.1:9"
request_timeout_ms = 2500
max_retries = 2
backfill_on_resolve = true
)");
  ASSERT_TRUE(c.has_value()) << c.error().detail;
  ASSERT_EQ(c->pagerduty.subscriptions.size(), 3u);
  EXPECT_EQ(c->pagerduty.subscriptions[0].id, "PXSUIZH");
  EXPECT_EQ(c->pagerduty.subscriptions[0].secret, "old");
  EXPECT_EQ(c->pagerduty.subscriptions[1].secret, "from-env");
  EXPECT_EQ(c->pagerduty.subscriptions[2].id, "*");
  EXPECT_EQ(c->pagerduty.api_token, "from-env");
  EXPECT_EQ(c->pagerduty.api_base_url, "http://127.0.0.1:9");
  EXPECT_EQ(c->pagerduty.request_timeout_ms, 2500);
  EXPECT_EQ(c->pagerduty.max_retries, 2);
  EXPECT_TRUE(c->pagerduty.backfill_on_resolve);
}

TEST(PagerDutyConfig, RefusesHalfConfiguredSections) {
  struct Case {
    const char* name;
    const char* toml;
    const char* expect;
  };
  const Case cases[] = {
      {"subscription without secret", "[[pagerduty.subscriptions]]\nid = \"P1\"\n",
       "pagerduty.subscriptions[0].secret"},
      {"subscription without id", "[[pagerduty.subscriptions]]\nsecret = \"s\"\n",
       "pagerduty.subscriptions[0].id"},
      {"bad id", "[[pagerduty.subscriptions]]\nid = \"P 1\"\nsecret = \"s\"\n",
       "pagerduty.subscriptions[0].id"},
      {"empty secret", "[[pagerduty.subscriptions]]\nid = \"P1\"\nsecret = \"\"\n", "empty"},
      {"unknown key", "[[pagerduty.subscriptions]]\nid = \"P1\"\nsecret = \"s\"\nsecrets = 1\n",
       "unknown key"},
      {"resolve backfill without token", "[pagerduty]\nbackfill_on_resolve = true\n",
       "needs pagerduty.api_token"},
      {"bad base url", "[pagerduty]\napi_base_url = \"ftp://example.com\"\n",
       "pagerduty.api_base_url"},
      {"timeout out of bounds", "[pagerduty]\nrequest_timeout_ms = 5\n",
       "pagerduty.request_timeout_ms"},
  };
  for (const Case& c : cases) {
    std::string e = ErrorOf(c.toml);
    EXPECT_THAT(e, HasSubstr(c.expect)) << c.name;
  }
  // Errors never echo a secret.
  EXPECT_THAT(ErrorOf("[[pagerduty.subscriptions]]\nid = \"P 1\"\nsecret = \"hunter2\"\n"),
              Not(HasSubstr("hunter2")));
}

}  // namespace
}  // namespace timelined::config
