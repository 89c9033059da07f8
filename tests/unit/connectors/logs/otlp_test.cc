// OTLP/HTTP logs (ParseOtlpLogsProtobuf, ParseOtlpLogsJson) and the export response. The
// protobuf bodies are written with the wire-format writer from opentelemetry-proto's
// logs.proto / common.proto field numbers; the JSON ones in OTLP's JSON mapping.
#include "connectors/logs/otlp.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "connectors/common/protobuf_reader.h"
#include "store/model/hash.h"
#include "tests/unit/connectors/common/proto_writer.h"

namespace timelined::connectors::logs {
namespace {

using nlohmann::json;
using testing::Fixed64Field;
using testing::LenField;
using testing::OtlpKeyValue;
using testing::OtlpString;
using testing::VarintField;

constexpr Nanos kReceived = 1773480600LL * kNanosPerSecond;
constexpr uint64_t kT1 = 1773480070482913000ULL;
constexpr uint64_t kT2 = 1773480071000000000ULL;

std::string ResourceLogs(const std::string& resource, const std::vector<std::string>& scopes) {
  return testing::OtlpResourceLogs(resource, scopes);
}
std::string ScopeLogs(const std::string& scope, const std::vector<std::string>& records) {
  return testing::OtlpScopeLogs(scope, records);
}

const std::string kResource =
    LenField(1, OtlpKeyValue("k8s.namespace.name", OtlpString("prod"))) +
    LenField(1, OtlpKeyValue("k8s.pod.name", OtlpString("checkout-7d4b9c-x2x9z"))) +
    LenField(1, OtlpKeyValue("k8s.deployment.name", OtlpString("checkout"))) +
    LenField(1, OtlpKeyValue("service.name", OtlpString("checkout-svc")));
const std::string kScope = LenField(1, "io.opentelemetry.java") + LenField(2, "1.40.0");
// An error with a trace, an int attribute and a string body.
const std::string kRecord1 = Fixed64Field(1, kT1) + VarintField(2, 17) + LenField(3, "ERROR") +
                             LenField(5, OtlpString("payment gateway timeout")) +
                             LenField(6, OtlpKeyValue("http.status", VarintField(3, 503))) +
                             LenField(9, std::string(16, '\xab')) +
                             LenField(10, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
// Only an observed time, a level in severity_text only, a kvlist body.
const std::string kRecord2 =
    Fixed64Field(11, kT2) + LenField(3, "Warning") +
    LenField(5, LenField(6, LenField(1, OtlpKeyValue("msg", OtlpString("slow"))) +
                                LenField(1, OtlpKeyValue("ms", VarintField(3, 1500)))));

const std::string kBody = ResourceLogs(kResource, {ScopeLogs(kScope, {kRecord1, kRecord2})});

const char* kJsonBody = R"({"resourceLogs":[{
  "resource":{"attributes":[
    {"key":"k8s.namespace.name","value":{"stringValue":"prod"}},
    {"key":"k8s.pod.name","value":{"stringValue":"checkout-7d4b9c-x2x9z"}},
    {"key":"k8s.deployment.name","value":{"stringValue":"checkout"}},
    {"key":"service.name","value":{"stringValue":"checkout-svc"}}]},
  "scopeLogs":[{"scope":{"name":"io.opentelemetry.java","version":"1.40.0"},
    "logRecords":[
      {"timeUnixNano":"1773480070482913000","severityNumber":17,"severityText":"ERROR",
       "body":{"stringValue":"payment gateway timeout"},
       "attributes":[{"key":"http.status","value":{"intValue":"503"}}],
       "traceId":"abababababababababababababababab","spanId":"0102030405060708"},
      {"observedTimeUnixNano":"1773480071000000000","severityText":"Warning",
       "body":{"kvlistValue":{"values":[{"key":"msg","value":{"stringValue":"slow"}},
                                        {"key":"ms","value":{"intValue":1500}}]}}}]}]}]})";

TEST(OtlpLogs, ProtobufRecordsBecomeLogEvents) {
  auto r = ParseOtlpLogsProtobuf(kBody, {}, kReceived);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->events.size(), 2u);
  EXPECT_EQ(r->records, 2u);
  EXPECT_EQ(r->invalid_lines, 0u);

  const Event& a = r->events[0];
  EXPECT_EQ(a.source, "log");
  EXPECT_EQ(a.kind, "log.error");
  EXPECT_EQ(a.occurred_at, static_cast<Nanos>(kT1));
  EXPECT_EQ(a.scope, "log/prod/checkout");
  EXPECT_EQ(a.summary, "payment gateway timeout");
  EXPECT_EQ(a.attrs["labels"], (json{{"namespace", "prod"},
                                     {"pod", "checkout-7d4b9c-x2x9z"},
                                     {"app", "checkout"},
                                     {"service", "checkout-svc"}}));
  const json& o = a.attrs["otlp"];
  EXPECT_EQ(o["attributes"], (json{{"http.status", 503}}));
  EXPECT_EQ(o["resource"]["service.name"], "checkout-svc");
  EXPECT_EQ(o["scope"], (json{{"name", "io.opentelemetry.java"}, {"version", "1.40.0"}}));
  EXPECT_EQ(o["severity_number"], 17);
  EXPECT_EQ(o["trace_id"], "abababababababababababababababab");
  EXPECT_EQ(o["span_id"], "0102030405060708");
  EXPECT_FALSE(o.contains("time_source"));
  EXPECT_EQ(a.raw_sha256, Sha256Hex(kRecord1));

  const Event& b = r->events[1];
  EXPECT_EQ(b.kind, "log.warn");  // from severity_text
  EXPECT_EQ(b.occurred_at, static_cast<Nanos>(kT2));
  EXPECT_EQ(b.attrs["otlp"]["time_source"], "observed");
  EXPECT_EQ(json::parse(b.body), (json{{"msg", "slow"}, {"ms", 1500}}));
  EXPECT_NE(a.id, b.id);
}

// The same records in OTLP/JSON give the same events (IDs included) but for raw_sha256,
// which hashes the bytes received; re-parsing gives the same IDs (idempotent re-push).
TEST(OtlpLogs, JsonGivesTheSameEventsAsProtobuf) {
  auto proto = ParseOtlpLogsProtobuf(kBody, {}, kReceived);
  auto js = ParseOtlpLogsJson(kJsonBody, {}, kReceived);
  ASSERT_TRUE(proto.has_value()) << proto.error().detail;
  ASSERT_TRUE(js.has_value()) << js.error().detail;
  ASSERT_EQ(js->events.size(), proto->events.size());
  for (size_t i = 0; i < js->events.size(); ++i) {
    SCOPED_TRACE(i);
    Event p = proto->events[i];
    const Event& j = js->events[i];
    EXPECT_EQ(j.id, p.id);
    EXPECT_EQ(j.source_ref, p.source_ref);
    EXPECT_EQ(j.kind, p.kind);
    EXPECT_EQ(j.occurred_at, p.occurred_at);
    EXPECT_EQ(j.scope, p.scope);
    EXPECT_EQ(j.body, p.body);
    EXPECT_EQ(j.attrs, p.attrs);
    EXPECT_NE(j.raw_sha256, p.raw_sha256);
  }
  // raw_sha256 is the record's exact JSON text.
  const std::string text = kJsonBody;
  const size_t begin = text.find(R"({"timeUnixNano")");
  const size_t end = text.find(R"(,
      {"observedTimeUnixNano")");
  EXPECT_EQ(js->events[0].raw_sha256, Sha256Hex(text.substr(begin, end - begin)));
  auto again = ParseOtlpLogsJson(kJsonBody, {}, kReceived + 1000);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->events[0].id, js->events[0].id);
}

TEST(OtlpLogs, ResourceAfterItsScopesAndSnakeCaseNames) {
  // On the wire the resource may come last.
  const std::string reordered =
      LenField(1, LenField(2, ScopeLogs("", {kRecord1})) + LenField(1, kResource));
  auto r = ParseOtlpLogsProtobuf(reordered, {}, kReceived);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->events[0].scope, "log/prod/checkout");

  auto snake = ParseOtlpLogsJson(
      R"({"resource_logs":[{"scope_logs":[{"log_records":[
          {"time_unix_nano":1773480070482913000,"severity_number":"9",
           "body":{"string_value":"started"}}]}]}]})",
      {}, kReceived);
  ASSERT_TRUE(snake.has_value()) << snake.error().detail;
  ASSERT_EQ(snake->events.size(), 1u);
  EXPECT_EQ(snake->events[0].kind, "log.info");
  EXPECT_EQ(snake->events[0].summary, "started");
  EXPECT_EQ(snake->events[0].scope, "log/_/_");
}

TEST(OtlpLogs, LabelsFromResourceAttributes) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> attrs;
    std::string scope;
  } cases[] = {
      {{{"k8s.namespace.name", "prod"}, {"k8s.statefulset.name", "db"}}, "log/prod/db"},
      {{{"k8s.namespace.name", "prod"}, {"k8s.pod.name", "api-5f7d8c9b4-abcde"}}, "log/prod/api"},
      {{{"service.name", "billing"}}, "log/_/billing"},
      // The SDKs' default when no service.name is configured names nothing.
      {{{"service.name", "unknown_service:java"}, {"k8s.container.name", "worker"}},
       "log/_/worker"},
      {{}, "log/_/_"},
  };
  for (const auto& c : cases) {
    std::string resource;
    for (const auto& [k, v] : c.attrs) resource += LenField(1, OtlpKeyValue(k, OtlpString(v)));
    auto r =
        ParseOtlpLogsProtobuf(ResourceLogs(resource, {ScopeLogs("", {kRecord1})}), {}, kReceived);
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    ASSERT_EQ(r->events.size(), 1u);
    EXPECT_EQ(r->events[0].scope, c.scope);
  }
}

TEST(OtlpLogs, SeverityNumberToLevel) {
  struct Case {
    uint64_t number;
    std::string text;
    std::string kind;
  } cases[] = {
      {1, "", "log.debug"},        {8, "", "log.debug"},     {9, "", "log.info"},
      {12, "", "log.info"},        {13, "", "log.warn"},     {16, "", "log.warn"},
      {17, "", "log.error"},       {20, "", "log.error"},    {21, "", "log.fatal"},
      {24, "", "log.fatal"},       {17, "INFO", "log.info"},  // the text names the level
      {17, "custom", "log.error"},                            // it does not: the number does
      {0, "", "log.info"},         {99, "", "log.info"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::to_string(c.number) + " " + c.text);
    std::string rec = Fixed64Field(1, kT1) + LenField(5, OtlpString("plain words"));
    if (c.number != 0) rec += VarintField(2, c.number);
    if (!c.text.empty()) rec += LenField(3, c.text);
    auto r = ParseOtlpLogsProtobuf(ResourceLogs("", {ScopeLogs("", {rec})}), {}, kReceived);
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    ASSERT_EQ(r->events.size(), 1u);
    EXPECT_EQ(r->events[0].kind, c.kind);
  }
}

TEST(OtlpLogs, BodyValuesAndTimes) {
  auto one = [](const std::string& rec) {
    auto r = ParseOtlpLogsProtobuf(ResourceLogs("", {ScopeLogs("", {rec})}), {}, kReceived);
    EXPECT_TRUE(r.has_value() && r->events.size() == 1u);
    return r.has_value() && !r->events.empty() ? r->events[0] : Event{};
  };
  double d = 2.5;
  uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  const std::string array =
      LenField(5, LenField(1, OtlpString("a")) + LenField(1, VarintField(2, 1)) +
                      LenField(1, Fixed64Field(4, bits)) +
                      LenField(1, LenField(7, std::string("\x00\xff", 2))));
  EXPECT_EQ(one(Fixed64Field(1, kT1) + LenField(5, array)).body, R"(["a",true,2.5,"AP8="])");
  // No body: the event name; no time at all: received_at, flagged.
  const Event named = one(LenField(12, "payment.declined"));
  EXPECT_EQ(named.summary, "payment.declined");
  EXPECT_EQ(named.occurred_at, kReceived);
  EXPECT_EQ(named.attrs["time_missing"], true);
  EXPECT_EQ(named.attrs["otlp"]["event_name"], "payment.declined");
  // Invalid UTF-8 is repaired.
  EXPECT_EQ(one(Fixed64Field(1, kT1) + LenField(5, OtlpString("bad \xff byte"))).summary,
            "bad \xEF\xBF\xBD byte");
}

TEST(OtlpLogs, OversizedAttributesAreDropped) {
  LogOptions small;
  small.fields_max_bytes = 64;
  const std::string rec = Fixed64Field(1, kT1) + LenField(5, OtlpString("x")) +
                          LenField(6, OtlpKeyValue("big", OtlpString(std::string(100, 'a'))));
  auto r = ParseOtlpLogsProtobuf(ResourceLogs(kResource, {ScopeLogs("", {rec})}), small, kReceived);
  ASSERT_TRUE(r.has_value());
  const json& o = r->events.at(0).attrs["otlp"];
  EXPECT_EQ(o["attributes_truncated"], true);
  EXPECT_FALSE(o.contains("attributes"));
  EXPECT_FALSE(o.contains("resource"));
  EXPECT_EQ(r->events[0].scope, "log/prod/checkout");  // labels are kept
}

// One 7 KiB resource over 300 tiny records: copied into the first records' attrs until the
// request has copied 1 MiB (4x a small body), then dropped; labels stay on every record.
TEST(OtlpLogs, ResourceCopiesAreBoundedPerRequest) {
  const std::string resource =
      kResource + LenField(1, OtlpKeyValue("big", OtlpString(std::string(7000, 'r'))));
  std::vector<std::string> records;
  for (int i = 0; i < 300; ++i) {
    records.push_back(Fixed64Field(1, kT1 + static_cast<uint64_t>(i)) +
                      LenField(5, OtlpString("r" + std::to_string(i))));
  }
  auto r = ParseOtlpLogsProtobuf(ResourceLogs(resource, {ScopeLogs("", records)}), {}, kReceived);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->events.size(), 300u);
  size_t copied = 0;
  for (const auto& e : r->events) {
    EXPECT_EQ(e.scope, "log/prod/checkout");
    if (e.attrs["otlp"].contains("resource")) ++copied;
  }
  EXPECT_TRUE(r->events.front().attrs["otlp"].contains("resource"));
  EXPECT_EQ(r->events.back().attrs["otlp"]["attributes_truncated"], true);
  EXPECT_GT(copied, 100u);
  EXPECT_LT(copied, 160u);

  // A large scope counts as well.
  const std::string scope = LenField(1, std::string(7000, 's'));
  auto s =
      ParseOtlpLogsProtobuf(ResourceLogs(kResource, {ScopeLogs(scope, records)}), {}, kReceived);
  ASSERT_TRUE(s.has_value()) << s.error().detail;
  ASSERT_EQ(s->events.size(), 300u);
  EXPECT_TRUE(s->events.front().attrs["otlp"].contains("scope"));
  EXPECT_FALSE(s->events.back().attrs["otlp"].contains("scope"));
  EXPECT_EQ(s->events.back().attrs["otlp"]["attributes_truncated"], true);
}

// Label values are copied into every event: cut at 253 bytes like scope parts.
TEST(OtlpLogs, LongLabelValuesAreCut) {
  const std::string resource =
      LenField(1, OtlpKeyValue("k8s.namespace.name", OtlpString(std::string(400, 'n'))));
  auto r =
      ParseOtlpLogsProtobuf(ResourceLogs(resource, {ScopeLogs("", {kRecord1})}), {}, kReceived);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  const std::string ns = r->events.at(0).attrs["labels"]["namespace"];
  EXPECT_LE(ns.size(), 253u);
  EXPECT_GT(ns.size(), 200u);
  EXPECT_EQ(r->events[0].attrs["otlp"]["resource"]["k8s.namespace.name"].get<std::string>().size(),
            400u);  // the resource itself, under fields_max_bytes, is kept whole
}

std::string Nested(int depth) {
  std::string v = OtlpString("leaf");
  for (int i = 0; i < depth; ++i) v = LenField(5, LenField(1, v));  // array of one
  return v;
}

TEST(OtlpLogs, MalformedRequestsFail) {
  const std::string good = Fixed64Field(1, kT1) + LenField(5, OtlpString("x"));
  struct Case {
    const char* name;
    std::string body;
  } cases[] = {
      {"not protobuf",
       "\x0a\x05"
       "ab"},
      {"resource_logs as a varint", VarintField(1, 3)},
      {"scope_logs as a varint", LenField(1, VarintField(2, 1))},
      {"resource attribute not a KeyValue", LenField(1, LenField(1, LenField(1, "\x08")))},
      {"nested past 32", ResourceLogs(LenField(1, OtlpKeyValue("deep", Nested(40))), {})},
      {"scope name as a varint", ResourceLogs("", {ScopeLogs(VarintField(1, 1), {good})})},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = ParseOtlpLogsProtobuf(c.body, {.skip_invalid_lines = true}, kReceived);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message, "invalid_otlp_logs");
  }
  // 32 levels are fine.
  EXPECT_TRUE(ParseOtlpLogsProtobuf(
                  ResourceLogs(LenField(1, OtlpKeyValue("d", Nested(31))), {ScopeLogs("", {good})}),
                  {}, kReceived)
                  .has_value());

  const char* json_cases[] = {
      "not json",
      "[]",
      R"({"resourceLogs":{}})",
      R"({"resourceLogs":[{"scopeLogs":{}}]})",
      R"({"resourceLogs":[{"resource":{"attributes":[{"value":{}}]}}]})",
      R"({"resourceLogs":[{"scopeLogs":[{"scope":{"name":5}}]}]})",
  };
  for (const char* body : json_cases) {
    SCOPED_TRACE(body);
    auto r = ParseOtlpLogsJson(body, {.skip_invalid_lines = true}, kReceived);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message, "invalid_otlp_logs");
  }
  auto empty = ParseOtlpLogsJson("{}", {}, kReceived);
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->events.empty());
}

// A bad record fails the request, or with skip_invalid_lines is counted (OTLP's partial
// success) and the rest are kept.
TEST(OtlpLogs, BadRecordsFollowSkipInvalidLines) {
  const std::string good = Fixed64Field(1, kT1) + LenField(5, OtlpString("kept"));
  const std::string body = ResourceLogs(
      "", {ScopeLogs("", {good, VarintField(5, 1), Fixed64Field(1, kT1)}),
           ScopeLogs("", {Fixed64Field(1, UINT64_MAX) + LenField(5, OtlpString("far"))})});
  auto strict = ParseOtlpLogsProtobuf(body, {}, kReceived);
  ASSERT_FALSE(strict.has_value());
  EXPECT_EQ(strict.error().detail, "resource 1 scope 1 record 2: malformed LogRecord");
  auto skip = ParseOtlpLogsProtobuf(body, {.skip_invalid_lines = true}, kReceived);
  ASSERT_TRUE(skip.has_value());
  ASSERT_EQ(skip->events.size(), 1u);
  EXPECT_EQ(skip->events[0].summary, "kept");
  EXPECT_EQ(skip->records, 4u);
  EXPECT_EQ(skip->invalid_lines, 3u);
  EXPECT_EQ(skip->first_invalid, "resource 1 scope 1 record 2: malformed LogRecord");

  const char* json_body = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[
      {"timeUnixNano":"1773480070482913000","body":{"stringValue":"kept"}},
      {"timeUnixNano":"soon","body":{"stringValue":"x"}},
      {"traceId":"not-hex","body":{"stringValue":"x"}},
      {"body":{"intValue":"twelve"}},
      {"timeUnixNano":"1773480070482913000"}]}]}]})";
  auto js = ParseOtlpLogsJson(json_body, {.skip_invalid_lines = true}, kReceived);
  ASSERT_TRUE(js.has_value()) << js.error().detail;
  EXPECT_EQ(js->events.size(), 1u);
  EXPECT_EQ(js->invalid_lines, 4u);
  auto js_strict = ParseOtlpLogsJson(json_body, {}, kReceived);
  ASSERT_FALSE(js_strict.has_value());
  EXPECT_EQ(js_strict.error().detail, "resource 1 scope 1 record 2: malformed LogRecord");
}

TEST(OtlpLogs, ExportResponse) {
  EXPECT_EQ(OtlpLogsResponseProtobuf(0, ""), "");
  EXPECT_EQ(OtlpLogsResponseJson(0, ""), "{}");
  // ExportLogsServiceResponse { partial_success = 1 { rejected_log_records = 1;
  // error_message = 2; } }
  const std::string pb = OtlpLogsResponseProtobuf(3, "record 2: bad");
  EXPECT_EQ(pb, LenField(1, VarintField(1, 3) + LenField(2, "record 2: bad")));
  EXPECT_EQ(
      json::parse(OtlpLogsResponseJson(3, "record 2: bad")),
      (json{{"partialSuccess", {{"rejectedLogRecords", "3"}, {"errorMessage", "record 2: bad"}}}}));
}

}  // namespace
}  // namespace timelined::connectors::logs
