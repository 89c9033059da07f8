// The Loki protobuf push (ParseLokiProtobufPush, ParsePromLabels) and snappy decoding.
#include <gtest/gtest.h>
#include <snappy.h>

#include <optional>
#include <string>

#include "connectors/logs/loki.h"
#include "connectors/logs/snappy.h"
#include "store/model/hash.h"
#include "tests/unit/connectors/common/proto_writer.h"
#include "tests/unit/connectors/kubernetes/fixture_util.h"

namespace timelined::connectors::logs {
namespace {

using nlohmann::json;
using testing::LenField;
using testing::LokiEntry;
using testing::LokiStream;
using testing::VarintField;

constexpr Nanos kReceived = 1773480600LL * kNanosPerSecond;

// Written by hand from push.proto, not with the test encoder: PushRequest{streams: [
// {labels: `{app="api"}`, entries: [{timestamp: {seconds: 1, nanos: 2}, line: "hi"}]}]}.
const std::string kHandWritten(
    "\x0a\x19"                  // streams, 25 bytes
    "\x0a\x0b{app=\"api\"}"     //   labels, 11 bytes
    "\x12\x0a"                  //   entries, 10 bytes
    "\x0a\x04\x08\x01\x10\x02"  //     timestamp {seconds 1, nanos 2}
    "\x12\x02hi",               //     line
    27);

TEST(LokiProtobuf, HandWrittenFixture) {
  auto r = ParseLokiProtobufPush(kHandWritten, {}, kReceived);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->events.size(), 1u);
  const Event& e = r->events[0];
  EXPECT_EQ(e.occurred_at, 1'000'000'002);
  EXPECT_EQ(e.summary, "hi");
  EXPECT_EQ(e.scope, "log/_/api");
  EXPECT_EQ(e.attrs["labels"], (json{{"app", "api"}}));
  EXPECT_EQ(e.raw_sha256, Sha256Hex(kHandWritten.substr(2 + 2 + 11 + 2)));  // the entry's 10 bytes
  EXPECT_EQ(kHandWritten, LokiStream(R"({app="api"})", {LokiEntry(1'000'000'002, "hi")}));
}

// tests/fixtures/logs/loki_push.json as Promtail would send it: every event equal to the
// JSON push's but for raw_sha256, which hashes what was received.
TEST(LokiProtobuf, SameEventsAsTheJsonPush) {
  const std::string body = LokiStream(R"({app="payments", level="error", namespace="prod"})",
                                      {LokiEntry(1773480070482913000, "gateway timeout"),
                                       LokiEntry(1773480071000000000, "gateway timeout again",
                                                 {{"trace_id", "abc123"}, {"user", "u1"}})}) +
                           LokiStream(R"({host="web-1", job="varlogs"})",
                                      {LokiEntry(1773480072000000000, "INFO started")});
  auto proto = ParseLokiProtobufPush(body, {}, kReceived);
  ASSERT_TRUE(proto.has_value()) << proto.error().detail;
  auto js = ParseLokiPush(testing::ReadFixture("logs/loki_push.json"), {}, kReceived);
  ASSERT_TRUE(js.has_value());
  ASSERT_EQ(proto->events.size(), 3u);
  ASSERT_EQ(js->events.size(), 3u);
  EXPECT_EQ(proto->records, 3u);
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    Event p = proto->events[i];
    const Event& j = js->events[i];
    EXPECT_EQ(p.id, j.id);
    EXPECT_NE(p.raw_sha256, j.raw_sha256);
    EXPECT_TRUE(ValidateEvent(p).has_value());
    p.raw_sha256 = j.raw_sha256;
    EXPECT_EQ(EventToJson(p), EventToJson(j));
  }
}

TEST(LokiProtobuf, UnusableTimestampsFollowSkipInvalidLines) {
  const std::string no_ts = LenField(2, "no timestamp");
  const std::string bad_nanos =
      LenField(1, VarintField(1, 5) + VarintField(2, 1'000'000'000)) + LenField(2, "nanos");
  const std::string zero = LenField(1, "") + LenField(2, "timestamp present, all zero");
  const std::string body =
      LokiStream("{}", {LokiEntry(1773480070000000000, "ok"), no_ts, bad_nanos, zero});
  auto strict = ParseLokiProtobufPush(body, {}, kReceived);
  ASSERT_FALSE(strict.has_value());
  EXPECT_EQ(strict.error().message, "invalid_loki_push");
  EXPECT_EQ(strict.error().detail, "stream 1 entry 2: no timestamp");
  LogOptions skip;
  skip.skip_invalid_lines = true;
  auto r = ParseLokiProtobufPush(body, skip, kReceived);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->records, 4u);
  EXPECT_EQ(r->invalid_lines, 3u);
  EXPECT_EQ(r->first_invalid, "stream 1 entry 2: no timestamp");
}

TEST(LokiProtobuf, StructuralErrorsAlwaysFail) {
  LogOptions skip;
  skip.skip_invalid_lines = true;
  const std::string entry = LokiEntry(1773480070000000000, "x");
  struct Case {
    const char* name;
    std::string body;
    const char* detail;
  } cases[] = {
      {"not protobuf", "{\"streams\":[]}", "the body is not a protobuf PushRequest"},
      {"stream as varint", VarintField(1, 3), "stream 1: not a StreamAdapter"},
      {"no labels", LenField(1, LenField(2, entry)), "stream 1: no labels"},
      {"labels not Prometheus", LokiStream("app=api", {entry}),
       "stream 1: labels are not {name=\"value\", ...}: app=api"},
      {"labels as varint", LenField(1, VarintField(1, 1)),
       "stream 1: field 1 has the wrong wire type"},
      {"entry not protobuf", LokiStream("{}", {std::string("\x0b", 1)}),
       "stream 1 entry 1: not a protobuf EntryAdapter"},
      {"line as varint", LokiStream("{}", {VarintField(2, 1)}),
       "stream 1 entry 1: field 2 has the wrong wire type"},
      {"metadata malformed", LokiStream("{}", {entry + LenField(3, std::string("\x0b", 1))}),
       "stream 1 entry 1: malformed structured metadata"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    for (const LogOptions& o : {LogOptions{}, skip}) {
      auto r = ParseLokiProtobufPush(c.body, o, kReceived);
      ASSERT_FALSE(r.has_value());
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
      EXPECT_EQ(r.error().message, "invalid_loki_push");
      EXPECT_EQ(r.error().detail, c.detail);
    }
  }
}

TEST(LokiProtobuf, EmptyPushAndUnknownFields) {
  auto empty = ParseLokiProtobufPush("", {}, kReceived);
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->events.empty());
  // StreamAdapter.hash (3) and fields from a newer Loki are skipped.
  const std::string body =
      VarintField(9, 1) +
      LenField(1, LenField(1, "{a=\"b\"}") + VarintField(3, 42) +
                      LenField(2, LokiEntry(1773480070000000000, "x") + LenField(7, "new")));
  auto r = ParseLokiProtobufPush(body, {}, kReceived);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->events.size(), 1u);
}

TEST(LokiProtobuf, InvalidUtf8IsRepairedAndTheRawHashKeepsTheBytes) {
  const std::string entry = LokiEntry(1773480070000000000, "bad \xff byte", {{"k\xfe", "v\xfd"}});
  auto r = ParseLokiProtobufPush(LokiStream(R"({app="a\xff"})", {entry}), {}, kReceived);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  const Event& e = r->events.at(0);
  EXPECT_EQ(e.summary, "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(e.attrs["labels"]["app"], "a\xEF\xBF\xBD");
  EXPECT_EQ(e.attrs["structured_metadata"], (json{{"k\xEF\xBF\xBD", "v\xEF\xBF\xBD"}}));
  EXPECT_EQ(e.raw_sha256, Sha256Hex(entry));
  EXPECT_TRUE(ValidateEvent(e).has_value());
  (void)EventToJson(e).dump();  // would throw on invalid UTF-8
}

TEST(PromLabels, Table) {
  struct Case {
    const char* text;
    std::optional<Labels> want;
  } cases[] = {
      {"{}", Labels{}},
      {R"({app="api"})", Labels{{"app", "api"}}},
      {R"(  { a = "1" ,b="2", }  )", Labels{{"a", "1"}, {"b", "2"}}},
      {R"({a="q\"b\\s\nn\tt"})", Labels{{"a", "q\"b\\s\nn\tt"}}},
      {R"({a="\u00e9\U0001F600\x41\101"})", Labels{{"a",
                                                    "\xC3\xA9\xF0\x9F\x98\x80"
                                                    "AA"}}},
      {R"({a="\xff"})", Labels{{"a", "\xEF\xBF\xBD"}}},
      {R"({_x9="", a="2", a="3"})", Labels{{"_x9", ""}, {"a", "3"}}},
      {"", std::nullopt},
      {R"(app="api")", std::nullopt},
      {R"({9a="x"})", std::nullopt},
      {R"({a=x})", std::nullopt},
      {R"({a="x")", std::nullopt},
      {R"({a="x} )", std::nullopt},
      {R"({a="x"} junk)", std::nullopt},
      {R"({a="x" b="y"})", std::nullopt},
      {R"({a="\q"})", std::nullopt},
      {R"({a="\ud800"})", std::nullopt},
      {R"({a="\400"})", std::nullopt},
      {R"({a="\x4"})", std::nullopt},
      {"{a=\"line\nbreak\"}", std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(ParsePromLabels(c.text), c.want);
  }
}

TEST(Snappy, RoundTripWithTheLibrarysCompressor) {
  const std::string text = LokiStream(R"({app="api"})", {LokiEntry(1773480070000000000, "hello")});
  std::string block;
  snappy::Compress(text.data(), text.size(), &block);
  auto out = SnappyUncompress(block, 1 << 20);
  ASSERT_TRUE(out.has_value()) << out.error().detail;
  EXPECT_EQ(*out, text);
  auto empty = SnappyUncompress(std::string("\x00", 1), 0);
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
}

TEST(Snappy, BombIsRefusedBeforeAnythingIsAllocated) {
  // A header promising 4 GiB - 1 bytes and almost nothing after it.
  const std::string bomb = testing::Varint(0xffffffff) + "\x00\x41";
  auto r = SnappyUncompress(bomb, 1 << 20);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(r.error().message, "body_too_large");
  // Exactly at the limit is fine; one over is not.
  const std::string text(1000, 'a');
  std::string block;
  snappy::Compress(text.data(), text.size(), &block);
  EXPECT_TRUE(SnappyUncompress(block, 1000).has_value());
  EXPECT_EQ(SnappyUncompress(block, 999).error().code, ErrorCode::kTooLarge);
}

TEST(Snappy, CorruptInputIsInvalid) {
  std::string block;
  const std::string text(500, 'x');
  snappy::Compress(text.data(), text.size(), &block);
  for (const std::string& bad :
       {std::string(), std::string("\xff\xff\xff\xff\xff\xff", 6),
        block.substr(0, block.size() - 1), std::string("not snappy at all")}) {
    auto r = SnappyUncompress(bad, 1 << 20);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message, "invalid_snappy");
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  }
}

}  // namespace
}  // namespace timelined::connectors::logs
