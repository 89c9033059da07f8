#include "store/model/event.h"

#include <gtest/gtest.h>

#include "store/model/hash.h"
#include "store/model/time.h"

namespace timelined {
namespace {

// Vectors computed independently (Python hashlib + base64.b32encode, lower-cased).
struct IdVector {
  const char* source;
  const char* source_ref;
  const char* id;
};
constexpr IdVector kIdVectors[] = {
    {"pagerduty", "webhook:01DEN4HAYNZ7H6TM7ZVGD8X1KV", "pd_lanfh27hltbipzb6"},
    {"slack", "T1DC2JH3J:C0123:1355517523.000005", "sl_h4stmfry4jnt2voq"},
    {"kubernetes", "4f6a3b1e-8c0d-4a7e-9f2b-1c2d3e4f5a6b:3", "k8_7ljdzxiuhl4miz7o"},
    {"log", "", "lg_rnyb6rsrc76euhlp"},
    {"custom", "x", "ev_hthm5lew5yywu5dk"},
};

TEST(EventId, MatchesTestVectors) {
  for (const auto& v : kIdVectors) {
    EXPECT_EQ(MakeEventId(v.source, v.source_ref), v.id) << v.source << " " << v.source_ref;
    EXPECT_TRUE(IsValidEventId(v.id));
  }
}

TEST(EventId, SeparatorPreventsAmbiguity) {
  // "ab" + "c" and "a" + "bc" must differ: the NUL separator is part of the input.
  EXPECT_NE(MakeEventId("log", "ab"), MakeEventId("lo", "gab"));
}

TEST(EventId, RejectsMalformed) {
  EXPECT_FALSE(IsValidEventId("pd_lanfh27hltbipzb"));   // short
  EXPECT_FALSE(IsValidEventId("zz_lanfh27hltbipzb6"));  // unknown prefix
  EXPECT_FALSE(IsValidEventId("pd_lanfh27hltbipzb1"));  // '1' not in base32
  EXPECT_FALSE(IsValidEventId("pd-lanfh27hltbipzb6"));
}

Event Sample() {
  Event e;
  e.source = "pagerduty";
  e.source_ref = "webhook:abc";
  e.id = MakeEventId(e.source, e.source_ref);
  e.kind = "incident.triggered";
  e.occurred_at = 1'700'000'000'123'000'000;
  e.received_at = 1'700'000'001'000'000'000;
  e.incident_id = "Q1ABC";
  e.summary = "Triggered #12 \"Checkout 5xx\"";
  e.attrs = {{"z", 1}, {"a", {{"k", "v"}}}};
  return e;
}

TEST(CanonicalJson, SortedCompactAndStable) {
  Event e = Sample();
  std::string c = CanonicalJson(e);
  EXPECT_EQ(c.find(' '), c.find("#12") - 1);  // the only space is inside the summary
  EXPECT_LT(c.find("\"actor\""), c.find("\"attrs\""));
  EXPECT_LT(c.find("\"attrs\":{\"a\""), c.find("\"z\":1"));
  EXPECT_EQ(c.find("\"seq\""), std::string::npos);
  EXPECT_EQ(c.find("\"chain\""), std::string::npos);
  Event copy = e;
  copy.seq = 99;
  copy.chain = "ff";
  EXPECT_EQ(CanonicalJson(copy), c);  // store fields excluded
  EXPECT_EQ(c.substr(0, 14), "{\"actor\":\"\",\"a");
}

TEST(CanonicalJson, InvalidUtf8DoesNotThrow) {
  Event e = Sample();
  e.body = std::string("bad \xff byte");
  EXPECT_NO_THROW(CanonicalJson(e));
}

TEST(Chain, DependsOnPreviousAndContent) {
  Event e = Sample();
  std::string c1 = ChainHash("", e);
  EXPECT_EQ(c1, Sha256Hex(CanonicalJson(e)));
  std::string c2 = ChainHash(c1, e);
  EXPECT_NE(c1, c2);
  e.summary += "!";
  EXPECT_NE(ChainHash("", e), c1);
}

TEST(EventJson, RoundTrip) {
  Event e = Sample();
  e.raw_sha256 = Sha256Hex("raw");
  auto back = EventFromJson(EventToJson(e));
  ASSERT_TRUE(back) << back.error().detail;
  EXPECT_EQ(*back, e);
}

TEST(EventJson, AcceptsRfc3339AndComputesId) {
  auto j = nlohmann::json::parse(R"({"source":"log","source_ref":"r1","kind":"log.error",
    "occurred_at":"2026-03-14T09:26:10.5Z","summary":"x"})");
  auto e = EventFromJson(j);
  ASSERT_TRUE(e) << e.error().detail;
  EXPECT_EQ(e->id, MakeEventId("log", "r1"));
  EXPECT_EQ(e->occurred_at, *ParseRfc3339("2026-03-14T09:26:10Z") + 500'000'000);
  EXPECT_EQ(e->severity, "info");
}

// Ingest derives the id from the original source_ref, then redacts source_ref: the stored
// event keeps the original id. ValidateEvent accepts that only when source_ref carries a
// redaction marker, and the id still has to be a well-formed ID of the event's source.
TEST(ValidateEvent, RedactedSourceRefKeepsTheOriginalId) {
  Event e = Sample();
  e.source = "log";
  e.source_ref = "{app=\"xoxb-123456789012-abcdefABCDEF\"}|1|abc";
  e.id = MakeEventId(e.source, e.source_ref);
  ASSERT_TRUE(ValidateEvent(e));
  e.source_ref = "{app=\"[REDACTED:slack_token]\"}|1|abc";
  EXPECT_TRUE(ValidateEvent(e)) << "the original id is kept";

  Event wrong_prefix = e;
  wrong_prefix.id = MakeEventId("slack", "x");
  EXPECT_FALSE(ValidateEvent(wrong_prefix));
  Event malformed = e;
  malformed.id = "lg_not-an-id";
  EXPECT_FALSE(ValidateEvent(malformed));
  Event no_marker = e;
  no_marker.source_ref = "{app=\"other\"}|1|abc";
  EXPECT_FALSE(ValidateEvent(no_marker)) << "without a marker the id must match";

  // The ingest route stays strict: a client cannot pick the id of a redacted source_ref.
  nlohmann::json j = EventToJson(e);
  auto parsed = EventFromJson(j);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message, "id_mismatch");
  j.erase("id");
  parsed = EventFromJson(j);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(parsed->id, MakeEventId("log", e.source_ref));
}

struct BadEventCase {
  const char* name;
  const char* json;
  const char* error;
};

class EventFromJsonBad : public ::testing::TestWithParam<BadEventCase> {};

TEST_P(EventFromJsonBad, Rejected) {
  auto j = nlohmann::json::parse(GetParam().json, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  auto e = EventFromJson(j);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(e.error().message, GetParam().error) << e.error().detail;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EventFromJsonBad,
    ::testing::Values(
        BadEventCase{"not_object", "[1]", "bad_event"},
        BadEventCase{"missing_kind", R"({"source":"log","source_ref":"a","occurred_at":1})",
                     "missing_field"},
        BadEventCase{"missing_time", R"({"source":"log","source_ref":"a","kind":"k"})",
                     "missing_field"},
        BadEventCase{"bad_time",
                     R"({"source":"log","source_ref":"a","kind":"k","occurred_at":"yesterday"})",
                     "bad_field"},
        BadEventCase{"unknown_field",
                     R"({"source":"log","source_ref":"a","kind":"k","occurred_at":1,"sumary":"x"})",
                     "unknown_field"},
        BadEventCase{
            "id_mismatch",
            R"({"id":"lg_aaaaaaaaaaaaaaaa","source":"log","source_ref":"a","kind":"k","occurred_at":1})",
            "id_mismatch"},
        BadEventCase{
            "bad_severity",
            R"({"source":"log","source_ref":"a","kind":"k","occurred_at":1,"severity":"meh"})",
            "invalid_event"},
        BadEventCase{"bad_source",
                     R"({"source":"Log!","source_ref":"a","kind":"k","occurred_at":1})",
                     "invalid_event"},
        BadEventCase{"attrs_array",
                     R"({"source":"log","source_ref":"a","kind":"k","occurred_at":1,"attrs":[]})",
                     "bad_field"},
        BadEventCase{"wrong_type", R"({"source":"log","source_ref":"a","kind":5,"occurred_at":1})",
                     "bad_field"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(Time, ParsesAndFormats) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339("2026-03-14T09:26:10.482913Z"), 1773480370482913000);
  EXPECT_EQ(ParseRfc3339("2026-03-14T10:26:10+01:00"), ParseRfc3339("2026-03-14T09:26:10Z"));
  EXPECT_EQ(ParseRfc3339("2018-05-30 09:39:52.000681", true),
            ParseRfc3339("2018-05-30T09:39:52.000681Z"));
  EXPECT_FALSE(ParseRfc3339("2018-05-30 09:39:52.000681"));
  EXPECT_FALSE(ParseRfc3339("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2026-03-14T09:26:10."));
  EXPECT_EQ(FormatRfc3339(1773480370482913000, 6), "2026-03-14T09:26:10.482913Z");
  EXPECT_EQ(FormatRfc3339(0, 0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-1, 3), "1969-12-31T23:59:59.999Z");
}

TEST(Time, SecondsToNanosRefusesWhatNanosCannotHold) {
  EXPECT_EQ(SecondsToNanos(1773480370, 482913000), 1773480370482913000);
  EXPECT_EQ(SecondsToNanos(-1, 999'999'999), -1);
  // 2262-04-11T23:47:16.854775807Z is the last representable instant.
  EXPECT_EQ(SecondsToNanos(9223372036, 854775807), INT64_MAX);
  EXPECT_FALSE(SecondsToNanos(9223372036, 854775808));
  EXPECT_FALSE(SecondsToNanos(9223372037));
  EXPECT_FALSE(SecondsToNanos(-9223372037));
  EXPECT_FALSE(SecondsToNanos(INT64_MAX));
  EXPECT_FALSE(ParseRfc3339("2262-04-11T23:47:17Z"));
  EXPECT_TRUE(ParseRfc3339("2262-04-11T23:47:16Z"));
}

TEST(Error, AReasonIsMadeAndRecognisedByItsConstant) {
  Error e = MakeError(kNotDurable, "publish timed out").error();
  EXPECT_EQ(e.message, "not_durable");
  EXPECT_EQ(e.code, ErrorCode::kUnavailable);
  EXPECT_TRUE(e.Is(kNotDurable));
  EXPECT_FALSE(e.Is(kStopping));
  // Same name, other code: another reason (a caller must not retry an invalid input).
  const Error other{ErrorCode::kInvalidInput, "not_durable", ""};
  EXPECT_FALSE(other.Is(kNotDurable));
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnprocessable), 422);
  EXPECT_STREQ(ErrorCodeName(ErrorCode::kUnprocessable), "unprocessable");
}

TEST(Hash, HexBase32Hmac) {
  std::string out;
  EXPECT_TRUE(HexDecode("00ffA0", &out));
  EXPECT_EQ(out, std::string("\x00\xff\xa0", 3));
  EXPECT_FALSE(HexDecode("0g", &out));
  EXPECT_FALSE(HexDecode("abc", &out));
  const uint8_t bytes[] = {'f', 'o', 'o', 'b', 'a', 'r'};
  EXPECT_EQ(Base32Lower(bytes, 6, 10), "mzxw6ytboi");  // RFC 4648: "MZXW6YTBOI"
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
}

TEST(Incident, MergeConvergesOutOfOrder) {
  Incident trig{
      .id = "Q1", .number = 7, .title = "API down", .status = "triggered", .triggered_at = 100};
  Incident ack = trig;
  ack.status = "acknowledged";
  ack.assignees = {"Alice"};
  Incident res = trig;
  res.status = "resolved";

  Incident in_order, reversed;
  MergeIncident(in_order, trig, "incident.triggered", 100);
  MergeIncident(in_order, ack, "incident.acknowledged", 200);
  MergeIncident(in_order, res, "incident.resolved", 300);
  MergeIncident(reversed, res, "incident.resolved", 300);
  MergeIncident(reversed, ack, "incident.acknowledged", 200);
  MergeIncident(reversed, trig, "incident.triggered", 100);
  EXPECT_EQ(in_order, reversed);
  EXPECT_EQ(in_order.status, "resolved");
  EXPECT_EQ(in_order.triggered_at, 100);
  EXPECT_EQ(in_order.acknowledged_at, 200);
  EXPECT_EQ(in_order.resolved_at, 300);
  EXPECT_EQ(in_order.updated_at, 300);
}

TEST(Incident, FromEventNeedsPagerDutySnapshot) {
  Event e = Sample();
  EXPECT_FALSE(IncidentFromEvent(e));
  e.attrs["incident"] = IncidentToJson(Incident{.id = "Q1", .number = 3});
  auto inc = IncidentFromEvent(e);
  ASSERT_TRUE(inc);
  EXPECT_EQ(inc->number, 3);
  e.source = "slack";
  EXPECT_FALSE(IncidentFromEvent(e));
}

// Found by the fuzzers (UBSan: signed overflow): times outside 1677..2262 do not fit Nanos.
TEST(TimeTest, ParseRfc3339OutOfNanosRangeIsRejected) {
  EXPECT_EQ(ParseRfc3339("2262-04-11T23:47:16.854775807Z"), INT64_MAX);
  EXPECT_FALSE(ParseRfc3339("2262-04-11T23:47:16.854775808Z"));
  EXPECT_FALSE(ParseRfc3339("4052-03-14T09:26:10Z"));
  EXPECT_FALSE(ParseRfc3339("0012-03-14T09:26:10Z"));
}

}  // namespace
}  // namespace timelined
