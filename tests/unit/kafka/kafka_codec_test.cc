#include "store/kafka_codec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/unit/kafka/kafka_test_util.h"

namespace timelined::store {
namespace {

using kafka_test::MakeEvent;
using nlohmann::json;

TEST(KafkaCodecTest, RoundTripKeepsEveryCanonicalField) {
  for (int i = 0; i < 6; ++i) {
    Event e = MakeEvent("codec", i);
    e.redactions = i;
    e.attrs["nested"] = {{"list", {1, 2, 3}}, {"utf8", "Grüße ✓"}};
    const std::string value = EncodeEvent(e);
    auto decoded = DecodeEvent(value);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message << ": " << decoded.error().detail;
    EXPECT_EQ(*decoded, e) << value;
    EXPECT_EQ(CanonicalJson(*decoded), CanonicalJson(e));
  }
}

// The producer redacts after deriving the id: a redacted source_ref travels with the
// original id, which the consumer keeps; a plain source_ref must still match its id.
TEST(KafkaCodecTest, RedactedSourceRefKeepsTheProducersId) {
  Event e = MakeEvent("codec", 3);
  e.source_ref = "job/AKIAIOSFODNN7EXAMPLE";
  e.id = MakeEventId(e.source, e.source_ref);
  e.source_ref = "job/[REDACTED:aws_key]";
  auto decoded = DecodeEvent(EncodeEvent(e));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().detail;
  EXPECT_EQ(*decoded, e);

  json j = json::parse(EncodeEvent(e));
  j["id"] = "not an id";
  EXPECT_FALSE(DecodeEvent(j.dump()).has_value());
  j["id"] = e.id;
  j["source_ref"] = "job/plain";
  auto r = DecodeEvent(j.dump());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "id_mismatch");
}

TEST(KafkaCodecTest, MessageIsVersionedAndCarriesNoStoreFields) {
  Event e = MakeEvent("codec", 1);
  e.seq = 42;
  e.chain = std::string(64, 'b');
  const json j = json::parse(EncodeEvent(e));
  EXPECT_EQ(j.at("v"), 1);
  EXPECT_FALSE(j.contains("seq"));
  EXPECT_FALSE(j.contains("chain"));
  EXPECT_EQ(j.at("id"), e.id);
  EXPECT_EQ(j.at("occurred_at"), e.occurred_at);
  // Decoding gives back the event without the store's fields.
  auto decoded = DecodeEvent(j.dump());
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->seq, 0);
  EXPECT_TRUE(decoded->chain.empty());
}

TEST(KafkaCodecTest, KeyIsIncidentThenScopeThenSource) {
  Event e = MakeEvent("codec", 0);
  e.incident_id = "Q1ABC";
  e.scope = "ns/app";
  EXPECT_EQ(EventKey(e), "Q1ABC");
  e.incident_id.clear();
  EXPECT_EQ(EventKey(e), "ns/app");
  e.scope.clear();
  EXPECT_EQ(EventKey(e), e.source);
}

TEST(KafkaCodecTest, RejectsUnknownOrMissingVersion) {
  json j = json::parse(EncodeEvent(MakeEvent("codec", 2)));
  j["v"] = 2;
  auto r = DecodeEvent(j.dump());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(r.error().message, "unsupported_version");

  j["v"] = "1";
  r = DecodeEvent(j.dump());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "missing_version");

  j.erase("v");
  r = DecodeEvent(j.dump());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "missing_version");
}

TEST(KafkaCodecTest, RejectsGarbage) {
  struct Case {
    std::string value;
    std::string message;
  };
  const Case cases[] = {
      {"", "empty_message"},
      {"not json", "invalid_json"},
      {"{\"v\":1,", "invalid_json"},
      {"[1,2,3]", "bad_event"},
      {"\"v\"", "bad_event"},
      {std::string(100, '[') + std::string(100, ']'), "invalid_json"},
      {"{\"v\":1}", "bad_event"},                               // no source, source_ref, kind ...
      {"{\"v\":1,\"seq\":3,\"source\":\"log\"}", "bad_event"},  // store fields
  };
  for (const Case& c : cases) {
    auto r = DecodeEvent(c.value);
    ASSERT_FALSE(r.has_value()) << c.value;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput) << c.value;
    if (c.message == "bad_event") {
      EXPECT_FALSE(r.error().message.empty()) << c.value;
    } else {
      EXPECT_EQ(r.error().message, c.message) << c.value;
    }
  }
}

TEST(KafkaCodecTest, RejectsAnIdThatDoesNotMatchItsSource) {
  json j = json::parse(EncodeEvent(MakeEvent("codec", 3)));
  j["source_ref"] = "tampered";
  auto r = DecodeEvent(j.dump());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "id_mismatch");
}

TEST(KafkaCodecTest, NestingWithinTheBoundAndBracketsInStringsAreFine) {
  Event e = MakeEvent("codec", 4);
  e.body = std::string(500, '[') + "\"{";
  json deep = json::object();
  for (int i = 0; i < 20; ++i) deep = json{{"d", deep}};
  e.attrs["deep"] = deep;
  auto r = DecodeEvent(EncodeEvent(e));
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(*r, e);
}

}  // namespace
}  // namespace timelined::store
