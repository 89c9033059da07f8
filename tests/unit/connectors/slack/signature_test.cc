#include "connectors/slack/signature.h"

#include <gtest/gtest.h>

#include "store/model/hash.h"

namespace timelined::connectors::slack {
namespace {

// The published test vector (Slack docs; PROTOCOLS.md 2.1).
constexpr std::string_view kSecret = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr std::string_view kTimestamp = "1531420618";
constexpr std::string_view kBody =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    "G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    "collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%"
    "2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
    "803a0bc887a14d10d2c447fce8b6703c";
constexpr std::string_view kSignature =
    "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
constexpr Nanos kThen = 1531420618LL * kNanosPerSecond;

struct Case {
  std::string name;
  std::string body;
  std::string timestamp;
  std::string signature;
  std::string secret;
  Nanos now;
  std::string error;  // "" = passes
};

TEST(SlackSignatureTest, Table) {
  const std::string body(kBody);
  const std::string ts(kTimestamp);
  const std::string sig(kSignature);
  const std::string secret(kSecret);
  const std::vector<Case> cases = {
      {"published_vector", body, ts, sig, secret, kThen, ""},
      {"within_window_after", body, ts, sig, secret, kThen + 300 * kNanosPerSecond, ""},
      {"within_window_before", body, ts, sig, secret, kThen - 300 * kNanosPerSecond, ""},
      {"stale", body, ts, sig, secret, kThen + 301 * kNanosPerSecond, "stale_timestamp"},
      {"future", body, ts, sig, secret, kThen - 301 * kNanosPerSecond, "stale_timestamp"},
      {"tampered_body", body + "x", ts, sig, secret, kThen, "bad_signature"},
      {"wrong_secret", body, ts, sig, "not-the-secret", kThen, "bad_signature"},
      {"empty_secret", body, ts, sig, "", kThen, "bad_signature"},
      {"other_timestamp", body, "1531420619", sig, secret, kThen, "bad_signature"},
      {"non_numeric_timestamp", body, "15314x0618", sig, secret, kThen, "bad_timestamp"},
      {"empty_timestamp", body, "", sig, secret, kThen, "bad_timestamp"},
      {"negative_timestamp", body, "-1", sig, secret, kThen, "bad_timestamp"},
      {"missing_signature", body, ts, "", secret, kThen, "missing_signature"},
      {"no_version_prefix", body, ts, sig.substr(3), secret, kThen, "bad_signature"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto result = VerifySignature(c.body, c.timestamp, c.signature, c.secret, c.now);
    if (c.error.empty()) {
      EXPECT_TRUE(result.has_value()) << result.error().message;
    } else {
      ASSERT_FALSE(result.has_value());
      EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
      EXPECT_EQ(result.error().message, c.error);
    }
  }
}

TEST(SlackSignatureTest, SignsJsonBodiesToo) {
  std::string body = R"({"type":"event_callback","event_id":"Ev1"})";
  std::string sig = "v0=" + HmacSha256Hex("secret", "v0:1700000000:" + body);
  Nanos now = 1700000000LL * kNanosPerSecond;
  EXPECT_TRUE(VerifySignature(body, "1700000000", sig, "secret", now).has_value());
  EXPECT_FALSE(VerifySignature(body, "1700000000", sig, "secret2", now).has_value());
}

}  // namespace
}  // namespace timelined::connectors::slack
