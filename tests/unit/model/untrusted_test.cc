#include "store/model/untrusted.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "store/model/event.h"

namespace timelined {
namespace {

using nlohmann::json;

std::string Nested(int depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}

TEST(JsonDepth, CountsArraysAndObjectsAndSkipsStrings) {
  EXPECT_TRUE(JsonDepthWithin(Nested(64), 64));
  EXPECT_FALSE(JsonDepthWithin(Nested(65), 64));
  EXPECT_TRUE(JsonDepthWithin(R"({"a":{"b":[1,2,{"c":3}]}})", 4));
  EXPECT_FALSE(JsonDepthWithin(R"({"a":{"b":[1,2,{"c":3}]}})", 3));
  // Brackets inside strings, escaped quotes included, do not count.
  EXPECT_TRUE(JsonDepthWithin(R"(["[[[[\"[[[[", "{{{{"])", 1));
  // A string ending in an escaped backslash closes at its quote; the brackets after count.
  EXPECT_FALSE(JsonDepthWithin(R"(["a\\", [[1]]])", 2));
  EXPECT_TRUE(JsonDepthWithin(R"(["a\\\"]]]", [1]])", 2));
  EXPECT_TRUE(JsonDepthWithin(R"(["unterminated [[[[)", 1));
}

TEST(ParseUntrustedJson, AHundredThousandLevelsIsAnErrorNotACrash) {
  auto r = ParseUntrustedJson(Nested(100'000));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "json_too_deep");
  EXPECT_EQ(HttpStatusFor(r.error().code), 400);
  auto objects = ParseUntrustedJson(std::string(70'000, '{'));
  ASSERT_FALSE(objects.has_value());
  EXPECT_EQ(objects.error().message, "json_too_deep");
}

TEST(ParseUntrustedJson, ParsesWhatIsWithinTheLimitAndNamesInvalidJson) {
  auto ok = ParseUntrustedJson(Nested(kMaxJsonDepth));
  ASSERT_TRUE(ok.has_value());
  EXPECT_TRUE(ok->is_array());
  auto bad = ParseUntrustedJson("{\"a\":", kMaxJsonDepth, "line 3");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message, "invalid_json");
  EXPECT_NE(bad.error().detail.find("line 3"), std::string::npos);
  auto bad_utf8 = ParseUntrustedJson("\"\xff\"");
  ASSERT_FALSE(bad_utf8.has_value());
  EXPECT_EQ(bad_utf8.error().message, "invalid_json");
}

TEST(Utf8, ValidatesWellFormedSequencesOnly) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5"));  // é € 🔥
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
}

TEST(Utf8, RepairReplacesEachBadByteAndLeavesGoodTextAlone) {
  std::string good = "caf\xc3\xa9";
  EXPECT_FALSE(RepairUtf8(good));
  EXPECT_EQ(good, "caf\xc3\xa9");
  std::string bad =
      "a\xff"
      "b\xe2\x82";
  EXPECT_TRUE(RepairUtf8(bad));
  EXPECT_EQ(bad,
            "a\xef\xbf\xbd"
            "b\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_TRUE(IsValidUtf8(bad));
}

Event ValidEvent() {
  Event e;
  e.source = "custom";
  e.source_ref = "ref-1";
  e.id = MakeEventId(e.source, e.source_ref);
  e.kind = "deploy";
  e.occurred_at = 1'700'000'000'000'000'000;
  return e;
}

TEST(ValidateEvent, EveryTextFieldMustBeUtf8) {
  ASSERT_TRUE(ValidateEvent(ValidEvent()).has_value());
  for (auto field : {&Event::kind, &Event::scope, &Event::actor, &Event::summary, &Event::body,
                     &Event::url, &Event::incident_id}) {
    Event e = ValidEvent();
    e.*field = "x\xff";
    auto r = ValidateEvent(e);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message, "invalid_event");
  }
  Event e = ValidEvent();
  e.source_ref = "app=\xffpay";
  e.id = MakeEventId(e.source, e.source_ref);
  EXPECT_FALSE(ValidateEvent(e).has_value());
}

TEST(ValidateEvent, AttrsKeysValuesDepthAndNumbers) {
  Event e = ValidEvent();
  e.attrs = json::object();
  e.attrs["k\xff"] = 1;
  EXPECT_FALSE(ValidateEvent(e).has_value());
  e.attrs = json{{"k", std::string("v\xff")}};
  EXPECT_FALSE(ValidateEvent(e).has_value());
  e.attrs = json{{"k", std::nan("")}};
  EXPECT_FALSE(ValidateEvent(e).has_value());
  e.attrs = json{{"k", std::numeric_limits<double>::infinity()}};
  EXPECT_FALSE(ValidateEvent(e).has_value());

  // attrs itself is level 1: 31 nested arrays inside it are 32 levels, one more is too deep.
  auto nested = [](int levels) {
    json v = 1;
    for (int i = 0; i < levels; ++i) v = json::array({v});
    return json{{"deep", v}};
  };
  e.attrs = nested(kMaxAttrsDepth - 1);
  EXPECT_TRUE(ValidateEvent(e).has_value());
  e.attrs = nested(kMaxAttrsDepth);
  auto r = ValidateEvent(e);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().detail.find("deeper"), std::string::npos);
}

TEST(ValidateEvent, TimesAndCountsAreNotCoerced) {
  Event e = ValidEvent();
  e.received_at = -1;
  EXPECT_FALSE(ValidateEvent(e).has_value());
  e.received_at = std::numeric_limits<int64_t>::min();
  EXPECT_FALSE(ValidateEvent(e).has_value());

  json j = {{"source", "custom"}, {"source_ref", "r"}, {"kind", "k"}, {"occurred_at", 5}};
  j["redactions"] = 2147483648LL;  // used to wrap to a negative int
  auto r = EventFromJson(j);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "bad_field");
  j["redactions"] = 2147483647LL;
  EXPECT_TRUE(EventFromJson(j).has_value());
  j.erase("redactions");
  j["received_at"] = -5;
  EXPECT_FALSE(EventFromJson(j).has_value());
  j["received_at"] = std::numeric_limits<uint64_t>::max();
  EXPECT_FALSE(EventFromJson(j).has_value());
}

}  // namespace
}  // namespace timelined
