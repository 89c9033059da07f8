#include "store/model/redactor.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace timelined {
namespace {

std::unique_ptr<Redactor> MakeRedactor(const std::vector<RedactionPattern>& extra = {}) {
  auto r = Redactor::Create(extra);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().detail);
  return r ? std::move(*r) : nullptr;
}

struct Case {
  const char* name;
  const char* input;
  const char* expected;
  int count;
};

// Every built-in pattern, with the exact output expected.
const Case kPositive[] = {
    {"aws_key", "key AKIAIOSFODNN7EXAMPLE in env", "key [REDACTED:aws_key] in env", 1},
    {"aws_key_sts", "ASIAY34FZKBOKMUTVV7A", "[REDACTED:aws_key]", 1},
    {"aws_secret_env", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
     "AWS_SECRET_ACCESS_KEY=[REDACTED:aws_secret]\n", 1},
    {"aws_secret_ini", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
     "aws_secret_access_key = [REDACTED:aws_secret]", 1},
    {"aws_secret_json", R"({"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})",
     R"({"SecretAccessKey": "[REDACTED:aws_secret]"})", 1},
    {"aws_secret_prose", "AWS secret access key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY.",
     "AWS secret access key: [REDACTED:aws_secret].", 1},
    {"github_classic", "push with ghp_1234567890abcdefghijABCDEFGHIJ123456 failed",
     "push with [REDACTED:github_token] failed", 1},
    {"github_fine_grained",
     "GH=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU",
     "GH=[REDACTED:github_token]", 1},
    {"github_in_url",
     "https://x-access-token:ghs_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r",
     "https://x-access-token:[REDACTED:github_token]@github.com/o/r", 1},
    {"slack_bot", "SLACK_BOT=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
     "SLACK_BOT=[REDACTED:slack_token]", 1},
    {"slack_app", "use xapp-1-A0123456789-1234567890123-abcdef0123456789 here",
     "use [REDACTED:slack_token] here", 1},
    {"slack_webhook",
     "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
     "https://hooks.slack.com/services/[REDACTED:slack_webhook]", 1},
    {"bearer_header", "Authorization: Bearer abcdefgh.ijkl-mnop_qrst",
     "Authorization: Bearer [REDACTED:bearer_token]", 1},
    {"bearer_header_short_word", "authorization=Bearer letmein",
     "authorization=Bearer [REDACTED:bearer_token]", 1},
    {"bearer_loose", "curl -H 'Bearer 2YotnFZFEjr1zCsicMWpAA' https://api",
     "curl -H 'Bearer [REDACTED:bearer_token]' https://api", 1},
    {"basic_auth",
     "Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic [REDACTED:basic_auth]", 1},
    {"jwt",
     "session eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
     "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U expired",
     "session [REDACTED:jwt] expired", 1},
    {"jwt_in_bearer",
     "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX2hlcmU",
     "Authorization: Bearer [REDACTED:jwt]", 1},
    {"private_key_multiline",
     "before\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
     "4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u\n"
     "-----END RSA PRIVATE KEY-----\nafter",
     "before\n[REDACTED:private_key]\nafter", 1},
    {"private_key_escaped_json",
     R"({"private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n"})",
     R"({"private_key": "[REDACTED:private_key]\n"})", 1},
    {"private_key_truncated", "key: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA",
     "key: [REDACTED:private_key]", 1},
    {"url_password", "dsn postgres://app:s3cr3t@db.internal:5432/payments ok",
     "dsn postgres://app:[REDACTED:url_password]@db.internal:5432/payments ok", 1},
    {"url_password_no_user", "redis://:hunter2@cache:6379/0",
     "redis://:[REDACTED:url_password]@cache:6379/0", 1},
    {"password_eq", "login password=hunter2 user=bob",
     "login password=[REDACTED:password] user=bob", 1},
    {"passwd_colon", "passwd: hunter2", "passwd: [REDACTED:password]", 1},
    {"password_yaml_word_at_eol", "  mysql_root_password: letmein\n",
     "  mysql_root_password: [REDACTED:password]\n", 1},
    {"password_quoted_spaces", "db.password = 'p@ss word'", "db.password = '[REDACTED:password]'",
     1},
    {"password_escaped_json", R"(body {\"password\":\"hunter2\"})",
     R"(body {\"password\":\"[REDACTED:password]\"})", 1},
    {"secret_json", R"({"secret": "s3cr3t value", "n": 1})",
     R"({"secret": "[REDACTED:secret]", "n": 1})", 1},
    {"client_secret", "client_secret=xyz-123", "client_secret=[REDACTED:secret]", 1},
    {"token_query", "GET /cb?access_token=abc123&next=1",
     "GET /cb?access_token=[REDACTED:token]&next=1", 1},
    {"api_key_env", "API_KEY=sk_live_abcdef", "API_KEY=[REDACTED:token]", 1},
    {"api_key_header", "X-Api-Key: 0123abcd", "X-Api-Key: [REDACTED:token]", 1},
    {"card_spaces", "card 4111 1111 1111 1111 declined", "card [REDACTED:card_number] declined", 1},
    {"card_dashes", "4111-1111-1111-1111", "[REDACTED:card_number]", 1},
    {"card_mastercard", "pan=5555555555554444;", "pan=[REDACTED:card_number];", 1},
    {"card_amex", "amex 378282246310005", "amex [REDACTED:card_number]", 1},
    {"card_then_cvv", "card 4111 1111 1111 1111 123", "card [REDACTED:card_number] 123", 1},
    {"card_dots", "card 4111.1111.1111.1111 declined", "card [REDACTED:card_number] declined", 1},
    {"card_dots_end_of_sentence", "the card was 4111.1111.1111.1111.",
     "the card was [REDACTED:card_number].", 1},
    {"card_glued_underscore", "cc_4111111111111111", "cc_[REDACTED:card_number]", 1},
    {"card_after_equals", "pan=4012888888881881&x=1", "pan=[REDACTED:card_number]&x=1", 1},
    {"card_amex_groups", "amex 3782 822463 10005 ok", "amex [REDACTED:card_number] ok", 1},
    {"aws_key_glued_before", "aws_AKIAIOSFODNN7EXAMPLE", "aws_[REDACTED:aws_key]", 1},
    {"aws_key_glued_lower", "keyAKIAIOSFODNN7EXAMPLEfor prod", "key[REDACTED:aws_key]for prod", 1},
    {"aws_key_twice_adjacent", "AKIAIOSFODNN7EXAMPLE,AKIAI44QH8DHBEXAMPLE",
     "[REDACTED:aws_key],[REDACTED:aws_key]", 2},
    {"slack_token_query_label", "GET /ingest/logs?app=xoxb-123456789012-abcdefABCDEF&ns=prod",
     "GET /ingest/logs?app=[REDACTED:slack_token]&ns=prod", 1},
    {"slack_token_glued", "app_xoxb-123456789012-abcdefABCDEF", "app_[REDACTED:slack_token]", 1},
    {"slack_token_labels_key", R"({app="xoxp-1234567890-abcdefghij",namespace="prod"})",
     R"({app="[REDACTED:slack_token]",namespace="prod"})", 1},
    {"github_glued", "token_ghp_1234567890abcdefghijABCDEFGHIJ123456",
     "token_[REDACTED:github_token]", 1},
    {"iban_spaced", "pay to GB82 WEST 1234 5698 7654 32 EUR today",
     "pay to [REDACTED:iban] EUR today", 1},
    {"iban_compact", "IBAN DE89370400440532013000.", "IBAN [REDACTED:iban].", 1},
    {"email", "contact alice.smith+oncall@example.co.uk now", "contact [REDACTED:email] now", 1},
    {"email_in_url_user", "https://bob@example.com/x", "https://[REDACTED:email]/x", 1},
    {"several",
     "user alice@example.com password=hunter2 key AKIAIOSFODNN7EXAMPLE card 4111111111111111",
     "user [REDACTED:email] password=[REDACTED:password] key [REDACTED:aws_key] card "
     "[REDACTED:card_number]",
     4},
};

TEST(Redactor, EveryBuiltinPattern) {
  auto r = MakeRedactor();
  ASSERT_NE(r, nullptr);
  for (const Case& c : kPositive) {
    std::string text = c.input;
    EXPECT_EQ(r->RedactText(text), c.count) << c.name;
    EXPECT_EQ(text, c.expected) << c.name;
  }
}

TEST(Redactor, IsIdempotent) {
  auto r = MakeRedactor();
  ASSERT_NE(r, nullptr);
  for (const Case& c : kPositive) {
    std::string text = c.input;
    r->RedactText(text);
    const std::string once = text;
    EXPECT_EQ(r->RedactText(text), 0) << c.name;
    EXPECT_EQ(text, once) << c.name;
  }
}

// Ordinary incident text that must come through unchanged.
const char* const kOrdinary[] = {
    "2026-03-14T09:26:10Z",
    "2026-03-14 09:26:10.123456789 +0000 UTC",
    "upgraded to v1.2.3, then 2.14.0-rc.1",
    "pod payments-7d9f8b6c4-x2k9p restarted 37 times",
    "uid 3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    "commit 3f786850e387550fdab836ed7e6dc881de23001b",
    "hash wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY without a key name",
    R"({"resourceVersion": "123456789", "count": 1234567})",
    "ts 1710408370123456789",
    "order 1234567 and 4111 1111 1111 1112",
    "GB82 WEST 1234 5698 7654 33",
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
    "image nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
    "10.0.12.7:8080 HTTP 503 after 30000ms",
    "Back-off restarting failed container",
    "password reset flow failing for some users",
    "token refresh succeeded",
    "rotate the secret tomorrow",
    "Bearer authentication required",
    "failed to fetch oauth token: unexpected status from server",
    "max_tokens=1024 token_count=512 tokens: 900",
    "PASSWORD=${DB_PASSWORD}",
    R"({"token": null, "password": ""})",
    "https://acme.pagerduty.com/incidents/Q1ABCDEF",
    "https://acme.slack.com/archives/C024BE91L/p1710408370123456",
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----",
    "phone +1 555 123 4567",
    "BackOff x37, 12:01-12:19",
    // Near-misses: identifiers with long digit runs that are not secrets.
    "request f47ac10b-58cc-4372-a567-0e02b2c3d479 failed",
    "uuid 41234567-1234-1234-1234-123456789012",
    "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "git 4b825dc642cb6eb9a060e54bf8d69288fbee4904 and short 4b825dc",
    "order ORD-2026-000123 refunded",
    "2026-12-06T00:07:36.123456789Z and 2026-12-06 00:07:36,123",
    "epoch ms 1765000000000, ns 1765000000000000000",
    "from 192.168.100.200 via 10.4.111.111 and 255.255.255.255",
    "pod payments-api-5d8f7c9b6-x2k9p, checkout-worker-0, web-6f4b8d7c5f-4xq2z",
    "ratio 0.5555555555554444 and 5555555555554444.5 nope",
    "account 4111111111111111111111 too long",
    "AKIAIOSFODNN7EXAMPLE0 is one character too long",
    "mixed 4111 1111-1111.1111 separators",
    "",
};

TEST(Redactor, LeavesOrdinaryTextAlone) {
  auto r = MakeRedactor();
  ASSERT_NE(r, nullptr);
  for (const char* input : kOrdinary) {
    std::string text = input;
    EXPECT_EQ(r->RedactText(text), 0) << input;
    EXPECT_EQ(text, input);
  }
}

TEST(Luhn, TrueAndFalseCases) {
  struct {
    const char* s;
    bool valid;
  } cases[] = {
      {"4111 1111 1111 1111", true},
      {"4111-1111-1111-1111", true},
      {"5555555555554444", true},
      {"378282246310005", true},
      {"6011111111111117", true},
      {"79927398713", true},
      {"4111.1111.1111.1111", true},
      {"4111 1111 1111 1112", false},
      {"79927398710", false},
      {"4111x1111", false},
      {"", false},
  };
  for (const auto& c : cases) EXPECT_EQ(LuhnValid(c.s), c.valid) << c.s;
}

TEST(Iban, ValidAndInvalid) {
  struct {
    const char* s;
    bool valid;
  } cases[] = {
      {"GB82 WEST 1234 5698 7654 32", true}, {"DE89370400440532013000", true},
      {"FR1420041010050500013M02606", true}, {"NO9386011117947", true},
      {"gb82west12345698765432", true},      {"GB82 WEST 1234 5698 7654 33", false},
      {"DE89370400440532013001", false},     {"GB82-WEST-1234", false},
      {"1234567890123456", false},           {"", false},
  };
  for (const auto& c : cases) EXPECT_EQ(IbanValid(c.s), c.valid) << c.s;
}

TEST(Redactor, ExtraPatternsFromConfig) {
  auto r = MakeRedactor({{"employee_id", R"(EMP-\d{6})"}, {"ticket_code", R"(ticket=(\w+))"}});
  ASSERT_NE(r, nullptr);
  std::string text = "badge EMP-123456 used, ticket=abc9 issued";
  EXPECT_EQ(r->RedactText(text), 2);
  EXPECT_EQ(text, "badge [REDACTED:employee_id] used, ticket=[REDACTED:ticket_code] issued");
  EXPECT_EQ(r->RedactText(text), 0);
}

TEST(Redactor, ExtraPatternNeverRedactsMarkers) {
  auto r = MakeRedactor({{"caps", "[A-Z]{4,}"}});
  ASSERT_NE(r, nullptr);
  std::string text = "AKIAIOSFODNN7EXAMPLE SECRETWORD";
  EXPECT_EQ(r->RedactText(text), 2);
  EXPECT_EQ(text, "[REDACTED:aws_key] [REDACTED:caps]");
  EXPECT_EQ(r->RedactText(text), 0);
}

TEST(Redactor, RejectsBadExtraPatterns) {
  struct {
    RedactionPattern p;
    const char* why;
  } cases[] = {
      {{"Bad-Name", "x+"}, "name must match"},
      {{"", "x+"}, "name must match"},
      {{"unclosed", "(abc"}, "invalid regex"},
      {{"lookahead", "a(?=b)"}, "invalid regex"},
      {{"empty_match", "a*"}, "empty string"},
      {{"no_regex", ""}, "empty regex"},
      {{"too_big", R"([\p{L}\p{N}]{1000}[\p{L}\p{N}]{1000})"}, "invalid regex"},
  };
  for (const auto& c : cases) {
    auto r = Redactor::Create({{"good", "x+"}, c.p});
    ASSERT_FALSE(r.has_value()) << c.p.name;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
    EXPECT_NE(r.error().detail.find("'" + c.p.name + "'"), std::string::npos) << r.error().detail;
    EXPECT_NE(r.error().detail.find(c.why), std::string::npos) << r.error().detail;
  }
}

TEST(Redactor, HostileConfigPatternReturns) {
  // Catastrophic for a backtracking engine; RE2 is linear. No timing assertion: the test
  // finishing at all is the point.
  auto r = MakeRedactor({{"hostile", "(a+)+$"}});
  ASSERT_NE(r, nullptr);
  std::string text(100000, 'a');
  text += '!';
  const std::string before = text;
  EXPECT_EQ(r->RedactText(text), 0);
  EXPECT_EQ(text, before);
}

TEST(Redactor, RedactEventCoversFieldsAndNestedAttrs) {
  auto r = MakeRedactor();
  ASSERT_NE(r, nullptr);
  Event e;
  e.summary = "login failed for alice@example.com";
  e.body = "config: password=hunter2";
  e.actor = "bob@example.com";
  e.url = "https://svc:pw123@example.org/x";
  e.redactions = 2;  // counted earlier (e.g. by a connector): added to, not replaced
  e.attrs = nlohmann::json::parse(R"({
    "headers": {"Authorization": "Bearer abc123def456"},
    "list": ["x AKIAIOSFODNN7EXAMPLE", 5, {"deep": ["carol@example.com"]}],
    "password": "plain words are a secret here",
    "token": null,
    "alice@example.com": "key redacted too",
    "count": 1234567
  })");
  EXPECT_EQ(r->RedactEvent(e), 9);
  EXPECT_EQ(e.redactions, 11);
  EXPECT_EQ(e.summary, "login failed for [REDACTED:email]");
  EXPECT_EQ(e.body, "config: password=[REDACTED:password]");
  EXPECT_EQ(e.actor, "[REDACTED:email]");
  EXPECT_EQ(e.url, "https://svc:[REDACTED:url_password]@example.org/x");
  EXPECT_EQ(e.attrs["headers"]["Authorization"], "Bearer [REDACTED:bearer_token]");
  EXPECT_EQ(e.attrs["list"][0], "x [REDACTED:aws_key]");
  EXPECT_EQ(e.attrs["list"][1], 5);
  EXPECT_EQ(e.attrs["list"][2]["deep"][0], "[REDACTED:email]");
  EXPECT_EQ(e.attrs["password"], "[REDACTED:password]");
  EXPECT_TRUE(e.attrs["token"].is_null());
  EXPECT_FALSE(e.attrs.contains("alice@example.com"));
  EXPECT_EQ(e.attrs["[REDACTED:email]"], "key redacted too");
  EXPECT_EQ(e.attrs["count"], 1234567);

  // A second pass finds nothing and leaves the count alone.
  const Event once = e;
  EXPECT_EQ(r->RedactEvent(e), 0);
  EXPECT_EQ(e, once);
}

TEST(Redactor, RedactEventCoversEveryStoredString) {
  auto r = MakeRedactor();
  ASSERT_NE(r, nullptr);
  Event e;
  e.source = "custom";
  e.source_ref = "job/AKIAIOSFODNN7EXAMPLE/1";
  e.id = MakeEventId(e.source, e.source_ref);
  const std::string id = e.id;
  e.kind = "deploy.aws_AKIAIOSFODNN7EXAMPLE";
  e.scope = "svc/alice@example.com";
  e.incident_id = "AKIAIOSFODNN7EXAMPLE";
  e.severity = "info";
  e.raw_sha256 = std::string(64, 'a');
  e.attrs = nlohmann::json::parse(R"({
    "AKIAIOSFODNN7EXAMPLE": "as a key",
    "AKIAI44QH8DHBEXAMPLE": "another key that redacts to the same name",
    "nested": {"bob@example.com": {"AKIAIOSFODNN7EXAMPLE": 1}},
    "cc_number": 4012888888881881,
    "amex": 378282246310005,
    "negative": -4111111111111111,
    "not_luhn": 4012888888881882,
    "epoch_ns": 1765000000000000000,
    "short": 4111111111,
    "float": 4111111111111111.0,
    "password": 123456,
    "api_key": true,
    "ok": 42
  })");
  EXPECT_EQ(r->RedactEvent(e), 11);
  EXPECT_EQ(e.id, id) << "the id stays that of the original source_ref";
  EXPECT_EQ(e.source_ref, "job/[REDACTED:aws_key]/1");
  EXPECT_EQ(e.kind, "deploy.aws_[REDACTED:aws_key]");
  EXPECT_EQ(e.scope, "svc/[REDACTED:email]");
  EXPECT_EQ(e.incident_id, "[REDACTED:aws_key]");
  EXPECT_EQ(e.source, "custom");
  const std::string stored = e.attrs.dump();
  EXPECT_EQ(stored.find("AKIA"), std::string::npos) << stored;
  EXPECT_EQ(stored.find("example.com"), std::string::npos) << stored;
  EXPECT_EQ(stored.find("4012888888881881"), std::string::npos) << stored;
  // Both keys kept, under distinct names.
  const std::string a = e.attrs.value("[REDACTED:aws_key]", "");
  const std::string b = e.attrs.value("[REDACTED:aws_key], 2", "");
  EXPECT_EQ(std::set<std::string>({a, b}),
            std::set<std::string>({"as a key", "another key that redacts to the same name"}));
  EXPECT_EQ(e.attrs["nested"]["[REDACTED:email]"]["[REDACTED:aws_key]"], 1);
  EXPECT_EQ(e.attrs["cc_number"], "[REDACTED:card_number]");
  EXPECT_EQ(e.attrs["amex"], "[REDACTED:card_number]");
  EXPECT_EQ(e.attrs["negative"], -4111111111111111) << "a negative number is not a card";
  EXPECT_EQ(e.attrs["not_luhn"], 4012888888881882);
  EXPECT_EQ(e.attrs["epoch_ns"], 1765000000000000000);
  EXPECT_EQ(e.attrs["short"], 4111111111);
  EXPECT_TRUE(e.attrs["float"].is_number_float());
  EXPECT_EQ(e.attrs["password"], "[REDACTED:password]");
  EXPECT_EQ(e.attrs["api_key"], true);
  EXPECT_EQ(e.attrs["ok"], 42);

  const Event once = e;
  EXPECT_EQ(r->RedactEvent(e), 0);
  EXPECT_EQ(e, once);
}

TEST(RedactPemAcrossLines, RedactsTheBlockAsAWhole) {
  struct {
    const char* name;
    std::vector<std::string> in;
    std::vector<std::string> out;
    int changed;
  } cases[] = {
      {"whole_block",
       {"starting", "-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo",
        "4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u",
        "-----END RSA PRIVATE KEY-----", "done"},
       {"starting", "[REDACTED:private_key]", "[REDACTED:private_key]", "[REDACTED:private_key]",
        "[REDACTED:private_key]", "done"},
       4},
      {"prefix_and_suffix_kept",
       {"12:00 key: -----BEGIN PRIVATE KEY-----\r", "MIIEvQIBADANBg==\r",
        "-----END PRIVATE KEY----- (end)\r"},
       {"12:00 key: [REDACTED:private_key]\r", "[REDACTED:private_key]\r",
        "[REDACTED:private_key] (end)\r"},
       3},
      {"openssh_and_pgp",
       {"-----BEGIN OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAA",
        "-----END OPENSSH PRIVATE KEY-----", "-----BEGIN PGP PRIVATE KEY BLOCK-----", "Version: 1",
        "lQOYBF", "-----END PGP PRIVATE KEY BLOCK-----"},
       {"[REDACTED:private_key]", "[REDACTED:private_key]", "[REDACTED:private_key]",
        "[REDACTED:private_key]", "[REDACTED:private_key]", "[REDACTED:private_key]",
        "[REDACTED:private_key]"},
       7},
      {"no_end_key_material_only",
       {"-----BEGIN EC PRIVATE KEY-----", "Proc-Type: 4,ENCRYPTED",
        "MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49",
        "connection reset by peer", "AAAA"},
       {"[REDACTED:private_key]", "[REDACTED:private_key]", "[REDACTED:private_key]",
        "connection reset by peer", "AAAA"},
       3},
      {"single_line_left_to_redact_text",
       {"-----BEGIN PRIVATE KEY-----MIIB-----END PRIVATE KEY-----", "next"},
       {"-----BEGIN PRIVATE KEY-----MIIB-----END PRIVATE KEY-----", "next"},
       0},
      {"certificates_and_public_keys_kept",
       {"-----BEGIN CERTIFICATE-----", "MIIBszCCAVmgAwIBAgIU", "-----END CERTIFICATE-----",
        "-----BEGIN PUBLIC KEY-----", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
        "-----END PUBLIC KEY-----"},
       {"-----BEGIN CERTIFICATE-----", "MIIBszCCAVmgAwIBAgIU", "-----END CERTIFICATE-----",
        "-----BEGIN PUBLIC KEY-----", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
        "-----END PUBLIC KEY-----"},
       0},
      {"lowercase_label_is_not_a_boundary",
       {"-----BEGIN rsa private key-----", "abc"},
       {"-----BEGIN rsa private key-----", "abc"},
       0},
  };
  for (auto& c : cases) {
    std::vector<std::string> lines = c.in;
    std::vector<std::string*> ptrs;
    for (auto& l : lines) ptrs.push_back(&l);
    EXPECT_EQ(RedactPemAcrossLines(ptrs), c.changed) << c.name;
    EXPECT_EQ(lines, c.out) << c.name;
    EXPECT_EQ(RedactPemAcrossLines(ptrs), 0) << c.name << ": a second pass changes nothing";
    EXPECT_EQ(lines, c.out) << c.name;
  }
}

TEST(RedactPemAcrossLines, EndTooFarAwayIsNotTheBlocksEnd) {
  std::vector<std::string> lines = {"-----BEGIN PRIVATE KEY-----"};
  for (int i = 0; i < 300; ++i) lines.push_back("log line " + std::to_string(i));
  lines.push_back("-----END PRIVATE KEY-----");
  std::vector<std::string*> ptrs;
  for (auto& l : lines) ptrs.push_back(&l);
  EXPECT_EQ(RedactPemAcrossLines(ptrs), 1);
  EXPECT_EQ(lines[0], "[REDACTED:private_key]");
  EXPECT_EQ(lines[1], "log line 0");
  EXPECT_EQ(lines.back(), "-----END PRIVATE KEY-----");
}

TEST(Redactor, DeeplyNestedAttrsDoNotOverflow) {
  auto r = MakeRedactor();
  ASSERT_NE(r, nullptr);
  Event e;
  nlohmann::json root = nlohmann::json::array();
  nlohmann::json* cur = &root;
  for (int i = 0; i < 10000; ++i) {
    cur->push_back(nlohmann::json::array());
    cur = &cur->back();
  }
  cur->push_back("mail dave@example.com");
  e.attrs["nested"] = std::move(root);
  EXPECT_EQ(r->RedactEvent(e), 1);
  const nlohmann::json* j = &e.attrs["nested"];
  while (j->is_array()) j = &(*j)[0];
  EXPECT_EQ(*j, "mail [REDACTED:email]");
}

}  // namespace
}  // namespace timelined
