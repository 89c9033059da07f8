// [summarizer]: keys, [[summarizer.services]] and the mapping onto SummarizerConfig.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "daemon/config/config.h"
#include "summarizer/config.h"

namespace timelined::config {
namespace {

using ::testing::HasSubstr;

TEST(SummarizerConfig, DefaultsMapOntoTheLibraryDefaults) {
  Config c = DefaultConfig();
  EXPECT_TRUE(c.summarizer.auto_draft);
  EXPECT_EQ(c.summarizer.settle_delay_ms, 120'000);
  summarizer::SummarizerConfig s = ToSummarizerConfig(c);
  summarizer::SummarizerConfig lib;
  EXPECT_EQ(summarizer::ConfigHash(s), summarizer::ConfigHash(lib));
}

TEST(SummarizerConfig, ServicesKeywordsAndSecretsAreRead) {
  ::setenv("TIMELINED_TEST_REGEN_SECRET", "0123456789abcdef0123", 1);
  auto c = ParseConfig(R"(
[summarizer]
settle_delay_ms = 500
auto_draft = false
regenerate_secret_env = "TIMELINED_TEST_REGEN_SECRET"
default_lookback_minutes = 45
default_scopes = ["log/shared/"]
salient_keywords = ["rollback"]
exclude_reactions = ["x", "no_entry_sign"]
[[summarizer.services]]
service = "PSVCPAY"
scopes = ["k8s/payments/"]
slack_channels = ["C0PAY"]
grace_minutes = 20
)");
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->summarizer.settle_delay_ms, 500);
  EXPECT_FALSE(c->summarizer.auto_draft);
  EXPECT_EQ(c->summarizer.regenerate_secret, "0123456789abcdef0123");
  summarizer::SummarizerConfig s = ToSummarizerConfig(*c);
  ASSERT_TRUE(s.correlation.services.contains("PSVCPAY"));
  const auto& svc = s.correlation.services.at("PSVCPAY");
  EXPECT_EQ(svc.scopes, std::vector<std::string>{"k8s/payments/"});
  EXPECT_EQ(svc.slack_channels, std::vector<std::string>{"C0PAY"});
  EXPECT_EQ(svc.lookback, 45 * summarizer::kMinute);  // the default
  EXPECT_EQ(svc.grace, 20 * summarizer::kMinute);
  EXPECT_EQ(s.correlation.defaults.scopes, std::vector<std::string>{"log/shared/"});
  EXPECT_EQ(s.salient_keywords, std::vector<std::string>{"rollback"});
  EXPECT_EQ(s.mitigation_keywords, summarizer::DefaultMitigationKeywords());
  EXPECT_EQ(s.exclude_reactions, (std::vector<std::string>{"x", "no_entry_sign"}));
  EXPECT_EQ(s.include_reactions, summarizer::DefaultIncludeReactions());
}

TEST(SummarizerConfig, BadEntriesAreRefusedWithTheKey) {
  auto dup = ParseConfig(R"(
[[summarizer.services]]
service = "A"
scopes = ["x"]
[[summarizer.services]]
service = "A"
scopes = ["y"]
)");
  ASSERT_FALSE(dup);
  EXPECT_THAT(dup.error().detail, HasSubstr("summarizer.services[1]"));
  auto empty = ParseConfig("[[summarizer.services]]\nservice = \"A\"\n");
  ASSERT_FALSE(empty);
  EXPECT_THAT(empty.error().detail, HasSubstr("at least one of scopes and slack_channels"));
  auto short_secret = ParseConfig("[summarizer]\nregenerate_secret = \"short\"\n");
  ASSERT_FALSE(short_secret);
  EXPECT_THAT(short_secret.error().detail, HasSubstr("at least 16 characters"));
  EXPECT_THAT(short_secret.error().detail, ::testing::Not(HasSubstr("short\"")));
  auto url = ParseConfig("[summarizer]\nnotify_url = \"ftp://x\"\n");
  ASSERT_FALSE(url);
  EXPECT_THAT(url.error().detail, HasSubstr("summarizer.notify_url"));
}

}  // namespace
}  // namespace timelined::config
