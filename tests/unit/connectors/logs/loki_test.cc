#include "connectors/logs/loki.h"

#include <gtest/gtest.h>

#include "store/model/hash.h"
#include "tests/unit/connectors/kubernetes/fixture_util.h"

namespace timelined::connectors::logs {
namespace {

using nlohmann::json;

constexpr Nanos kReceived = 1773480600LL * kNanosPerSecond;

TEST(LokiPush, ValidPushWithStructuredMetadata) {
  const std::string body = testing::ReadFixture("logs/loki_push.json");
  auto r = ParseLokiPush(body, {}, kReceived);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->events.size(), 3u);
  EXPECT_EQ(r->records, 3u);
  const Event& a = r->events[0];
  EXPECT_EQ(a.occurred_at, 1773480070482913000);
  EXPECT_EQ(a.summary, "gateway timeout");
  EXPECT_EQ(a.kind, "log.error");  // from the "level" stream label
  EXPECT_EQ(a.scope, "log/prod/payments");
  EXPECT_EQ(a.attrs["labels"],
            (json{{"namespace", "prod"}, {"app", "payments"}, {"level", "error"}}));
  EXPECT_EQ(a.raw_sha256, Sha256Hex(R"(["1773480070482913000","gateway timeout"])"));
  EXPECT_FALSE(a.attrs.contains("structured_metadata"));
  const Event& b = r->events[1];
  EXPECT_EQ(b.attrs["structured_metadata"], (json{{"trace_id", "abc123"}, {"user", "u1"}}));
  const Event& c = r->events[2];
  EXPECT_EQ(c.kind, "log.info");
  EXPECT_EQ(c.scope, "log/_/varlogs");
  for (const Event& e : r->events) EXPECT_TRUE(ValidateEvent(e).has_value());
  // Re-pushing the same body gives the same IDs.
  auto again = ParseLokiPush(body, {}, kReceived + 5);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->events[1].id, b.id);
}

TEST(LokiPush, NumericTimestampIsRejectedEvenWhenSkippingBadLines) {
  const std::string body =
      R"({"streams":[{"stream":{"app":"a"},"values":[["1773480070000000000","ok"],[1773480071000000000,"bad"]]}]})";
  LogOptions skip;
  skip.skip_invalid_lines = true;
  for (const LogOptions& o : {LogOptions{}, skip}) {
    auto r = ParseLokiPush(body, o, kReceived);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(r.error().detail,
              "stream 1 entry 2 (line 1): timestamp must be a string of nanoseconds, not a number");
  }
}

TEST(LokiPush, BadEntriesFollowSkipInvalidLines) {
  const std::string body =
      "{\"streams\":[{\"stream\":{\"app\":\"a\"},\"values\":[\n"
      "[\"1773480070000000000\",\"ok\"],\n"
      "[\"17734800x\",\"bad ts\"],\n"
      "[\"1773480072000000000\",42],\n"
      "[\"1773480073000000000\",\"meta\",{\"n\":1}],\n"
      "[\"1773480074000000000\",\"ok too\"]]}]}";
  auto strict = ParseLokiPush(body, {}, kReceived);
  ASSERT_FALSE(strict.has_value());
  EXPECT_EQ(strict.error().detail,
            "stream 1 entry 2 (line 3): timestamp must be a string of nanoseconds");
  LogOptions skip;
  skip.skip_invalid_lines = true;
  auto lenient = ParseLokiPush(body, skip, kReceived);
  ASSERT_TRUE(lenient.has_value());
  ASSERT_EQ(lenient->events.size(), 2u);
  EXPECT_EQ(lenient->invalid_lines, 3u);
  EXPECT_EQ(lenient->records, 5u);
  EXPECT_EQ(lenient->events[1].summary, "ok too");
}

TEST(LokiPush, StructuralErrors) {
  const char* cases[] = {
      "not json",
      "{}",
      R"({"streams":{}})",
      R"({"streams":[1]})",
      R"({"streams":[{"values":[]}]})",
      R"({"streams":[{"stream":{"a":1},"values":[]}]})",
      R"({"streams":[{"stream":{"a":"b"}}]})",
  };
  for (const char* body : cases) {
    auto r = ParseLokiPush(body, {}, kReceived);
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().message, "invalid_loki_push") << body;
  }
}

TEST(LokiPush, ProtobufContentTypes) {
  EXPECT_TRUE(IsLokiProtobuf("application/x-protobuf"));
  EXPECT_TRUE(IsLokiProtobuf("Application/X-Protobuf; charset=binary"));
  EXPECT_FALSE(IsLokiProtobuf("application/json"));
  EXPECT_FALSE(IsLokiProtobuf(""));
}

}  // namespace
}  // namespace timelined::connectors::logs
