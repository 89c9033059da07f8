#include "connectors/pagerduty/signature.h"

#include <gtest/gtest.h>

#include "store/model/hash.h"

namespace timelined::connectors::pagerduty {
namespace {

constexpr std::string_view kBody = R"({"event":{"id":"01EV","event_type":"incident.triggered"}})";
const std::string kSecret = "whsec-test-0123456789abcdef";
const std::string kOldSecret = "whsec-old-fedcba9876543210";

std::string V1(std::string_view secret, std::string_view body) {
  return "v1=" + HmacSha256Hex(secret, body);
}

struct Case {
  std::string name;
  std::string body;
  std::string header;
  std::vector<std::string> secrets;
  bool ok;
  std::string error;  // expected Error::message when !ok
};

TEST(PagerDutySignatureTest, Table) {
  const std::string good = V1(kSecret, kBody);
  const std::string old = V1(kOldSecret, kBody);
  std::string upper = good;
  for (size_t i = 3; i < upper.size(); ++i) upper[i] = static_cast<char>(toupper(upper[i]));
  const std::vector<Case> cases = {
      {"valid", std::string(kBody), good, {kSecret}, true, ""},
      {"valid_upper_hex", std::string(kBody), upper, {kSecret}, true, ""},
      {"tampered_body", std::string(kBody) + " ", good, {kSecret}, false, "bad_signature"},
      {"wrong_secret", std::string(kBody), good, {"other-secret"}, false, "bad_signature"},
      {"rotation_new_matches", std::string(kBody), old + "," + good, {kSecret}, true, ""},
      {"rotation_old_matches", std::string(kBody), good + ", " + old, {kOldSecret}, true, ""},
      {"rotation_spaces",
       std::string(kBody),
       "  " + old + " ,\t" + good + " ",
       {kSecret},
       true,
       ""},
      {"two_secrets_configured", std::string(kBody), old, {kSecret, kOldSecret}, true, ""},
      {"missing_header", std::string(kBody), "", {kSecret}, false, "missing_signature"},
      {"blank_header", std::string(kBody), "  ", {kSecret}, false, "missing_signature"},
      {"other_version_only",
       std::string(kBody),
       "v2=" + good.substr(3),
       {kSecret},
       false,
       "bad_signature"},
      {"invalid_hex_skipped", std::string(kBody), "v1=zz,v1=abc," + good, {kSecret}, true, ""},
      {"invalid_hex_only", std::string(kBody), "v1=not-hex", {kSecret}, false, "bad_signature"},
      {"truncated_signature",
       std::string(kBody),
       good.substr(0, 40),
       {kSecret},
       false,
       "bad_signature"},
      {"no_secrets", std::string(kBody), good, {}, false, "bad_signature"},
      {"utf8_body",
       "{\"t\":\"caf\xC3\xA9\"}",
       V1(kSecret, "{\"t\":\"caf\xC3\xA9\"}"),
       {kSecret},
       true,
       ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto result = VerifySignature(c.body, c.header, c.secrets);
    EXPECT_EQ(result.has_value(), c.ok);
    if (!c.ok && !result) {
      EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
      EXPECT_EQ(result.error().message, c.error);
    }
  }
}

TEST(PagerDutySignatureTest, SecretsForSubscriptionAndWildcard) {
  PagerDutyOptions options;
  options.subscription_secrets["PXSUB01"] = {"a", "b"};
  options.subscription_secrets["*"] = {"w", "a"};
  EXPECT_EQ(SecretsFor(options, "PXSUB01"), (std::vector<std::string>{"a", "b", "w"}));
  EXPECT_EQ(SecretsFor(options, "PXOTHER"), (std::vector<std::string>{"w", "a"}));
  EXPECT_EQ(SecretsFor(options, ""), (std::vector<std::string>{"w", "a"}));
  options.subscription_secrets.erase("*");
  EXPECT_TRUE(SecretsFor(options, "PXOTHER").empty());
}

}  // namespace
}  // namespace timelined::connectors::pagerduty

namespace timelined::connectors::pagerduty {
namespace {

// A body far over PagerDuty's 256 KB (the daemon refuses those with 413 first): the
// signature still covers every byte, so a change in the last byte fails.
TEST(PagerDutySignatureTest, HugeBodyIsCoveredToTheLastByte) {
  std::string body = R"({"event":{"data":{"content":")" + std::string(3 << 20, 'n') + "\"}}}";
  const std::string sig = V1(kSecret, body);
  EXPECT_TRUE(VerifySignature(body, sig, {kSecret}).has_value());
  body.back() = ']';
  auto tampered = VerifySignature(body, sig, {kSecret});
  ASSERT_FALSE(tampered.has_value());
  EXPECT_EQ(tampered.error().message, "bad_signature");
}

}  // namespace
}  // namespace timelined::connectors::pagerduty
