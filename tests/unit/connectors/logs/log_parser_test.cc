#include "connectors/logs/log_parser.h"

#include <gtest/gtest.h>

#include <set>

#include "connectors/logs/log_record.h"
#include "store/model/hash.h"
#include "tests/unit/connectors/kubernetes/fixture_util.h"

namespace timelined::connectors::logs {
namespace {

using nlohmann::json;
using testing::ReadFixture;

constexpr Nanos kReceived = 1773480600LL * kNanosPerSecond;  // 2026-03-14T09:30:00Z
const Labels kNoLabels;

Nanos T(const char* s) { return ParseRfc3339(s, true).value_or(-1); }

LogParse MustParse(std::string_view body, std::string_view content_type = "application/json",
                   const LogOptions& options = {}, const Labels& labels = kNoLabels,
                   Nanos received_at = kReceived) {
  auto r = ParseLogBody(body, content_type, options, labels, received_at);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().detail);
  return r.value_or(LogParse{});
}

TEST(LogParser, FormatTable) {
  struct Expect {
    const char* summary;
    const char* kind;
    const char* scope;
    Nanos occurred_at;
  };
  struct Case {
    const char* file;
    const char* content_type;
    Labels query;
    std::vector<Expect> events;
  };
  const Case cases[] = {
      {"fluentbit_json_lines.ndjson",
       "application/x-ndjson",
       {},
       {{"2026-03-14T09:21:10.482Z ERROR payment gateway timeout after 30s", "log.error",
         "log/prod/payments", 1773480070482913000},
        {"retrying request id=42", "log.info", "log/prod/payments", 1773480071000001000}}},
      {"fluentbit_json_array.json",
       "application/json",
       {},
       {{"panic: runtime error: invalid memory address", "log.fatal", "log/prod/ledger",
         1773480070482913000},
        {"WARN slow query 2300ms", "log.warn", "log/prod/ledger", 1773480071000000000}}},
      {"fluentbit_json_stream.json",
       "application/json",
       {},
       {{"first", "log.info", "log/_/_", T("2026-03-14T09:21:10.482913Z")},
        {"second {with braces}", "log.info", "log/_/_", T("2026-03-14T09:21:11Z")},
        {"third \"quoted\" }{", "log.info", "log/_/_", T("2026-03-14T09:21:12Z")}}},
      {"vector_ndjson_no_trailing_newline.ndjson",
       "application/x-ndjson",
       {},
       {{"upstream connect error or disconnect/reset before headers", "log.error",
         "log/shop/checkout", 1773480070482913123},
        {"request completed", "log.info", "log/shop/checkout", 1773480071000000001}}},
      {"plain.txt",
       "text/plain; charset=utf-8",
       {{"namespace", "prod"}, {"app", "payments"}},
       {{"2026-03-14T09:21:10.482Z ERROR connection refused to db:5432", "log.error",
         "log/prod/payments", T("2026-03-14T09:21:10.482Z")},
        {"Exception in thread \"main\" java.lang.NullPointerException", "log.error",
         "log/prod/payments", kReceived},
        {"at com.example.Foo.bar(Foo.java:42)", "log.info", "log/prod/payments", kReceived}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const LogParse p =
        MustParse(ReadFixture(std::string("logs/") + c.file), c.content_type, {}, c.query);
    ASSERT_EQ(p.events.size(), c.events.size());
    EXPECT_EQ(p.records, c.events.size());
    EXPECT_EQ(p.invalid_lines, 0u);
    for (size_t i = 0; i < c.events.size(); ++i) {
      const Event& e = p.events[i];
      EXPECT_EQ(e.summary, c.events[i].summary);
      EXPECT_EQ(e.kind, c.events[i].kind);
      EXPECT_EQ(e.scope, c.events[i].scope);
      EXPECT_EQ(e.occurred_at, c.events[i].occurred_at);
      EXPECT_EQ(e.source, "log");
      EXPECT_TRUE(e.id.starts_with("lg_"));
      EXPECT_TRUE(ValidateEvent(e).has_value()) << ValidateEvent(e).error().detail;
    }
  }
}

TEST(LogParser, FluentBitRecordDetails) {
  const LogParse p = MustParse(ReadFixture("logs/fluentbit_json_lines.ndjson"));
  ASSERT_EQ(p.events.size(), 2u);
  const Event& e = p.events[0];
  EXPECT_EQ(e.severity, "error");
  EXPECT_EQ(e.body, "2026-03-14T09:21:10.482Z ERROR payment gateway timeout after 30s");
  EXPECT_EQ(e.attrs["labels"]["namespace"], "prod");
  EXPECT_EQ(e.attrs["labels"]["pod"], "payments-7d9f8b6c4-x2k9p");
  EXPECT_EQ(e.attrs["labels"]["container"], "api");
  EXPECT_EQ(e.attrs["labels"]["app"], "payments");
  EXPECT_EQ(e.attrs["labels"]["host"], "worker-3");
  EXPECT_EQ(e.attrs["stream"], "stderr");
  EXPECT_EQ(e.attrs["level"], "error");
  EXPECT_EQ(e.attrs["level_source"], "text");
  EXPECT_TRUE(e.attrs["fields"].contains("kubernetes"));
  EXPECT_FALSE(e.attrs["fields"].contains("log"));
  EXPECT_FALSE(e.attrs["fields"].contains("date"));
  // raw_sha256 hashes the record's own line.
  const std::string body = ReadFixture("logs/fluentbit_json_lines.ndjson");
  EXPECT_EQ(e.raw_sha256, Sha256Hex(body.substr(0, body.find('\n'))));
  // source_ref = labels | ns | sha256(message as received)
  EXPECT_EQ(e.source_ref,
            "{app=\"payments\",container=\"api\",host=\"worker-3\",namespace=\"prod\","
            "pod=\"payments-7d9f8b6c4-x2k9p\",stream=\"stderr\"}|1773480070482913000|" +
                Sha256Hex("2026-03-14T09:21:10.482Z ERROR payment gateway timeout after 30s\n"));
}

TEST(LogParser, TimeEncodings) {
  struct Case {
    json date;
    Nanos expected;  // 0 = missing -> received_at
  };
  const Case cases[] = {
      {1773480070.482913, 1773480070482913000},                 // double (Fluent Bit default)
      {1773480070, 1773480070000000000},                        // epoch seconds
      {1773480070482, 1773480070482000000},                     // epoch_ms
      {1773480070482913, 1773480070482913000},                  // epoch µs
      {1773480070482913123, 1773480070482913123},               // epoch ns
      {"2026-03-14T09:21:10.482913123Z", 1773480070482913123},  // RFC 3339 with ns (Vector)
      {"2026-03-14T09:21:10.482913Z", 1773480070482913000},     // iso8601 (Fluent Bit)
      {"2026-03-14 09:21:10.482913", 1773480070482913000},      // java_sql_timestamp
      {"2026-03-14T11:21:10.5+02:00", 1773480070500000000},     // offset
      {"1773480070.25", 1773480070250000000},                   // decimal string
      {"1773480070482", 1773480070482000000},                   // digit string (ms)
      {"not a time", 0},
      {-5, 0},
      {nullptr, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.date.dump());
    const json rec = {{"date", c.date}, {"log", "m"}};
    const LogParse p = MustParse(rec.dump());
    ASSERT_EQ(p.events.size(), 1u);
    const Event& e = p.events[0];
    EXPECT_EQ(e.occurred_at, c.expected == 0 ? kReceived : c.expected);
    EXPECT_EQ(e.attrs.contains("time_missing"), c.expected == 0);
    if (c.expected == 0) {
      EXPECT_EQ(e.attrs["time_unparsed"], "date");
    }
  }
  // No time key at all.
  const LogParse missing = MustParse(R"({"log":"m"})");
  ASSERT_EQ(missing.events.size(), 1u);
  EXPECT_EQ(missing.events[0].occurred_at, kReceived);
  EXPECT_EQ(missing.events[0].attrs["time_missing"], true);
  EXPECT_FALSE(missing.events[0].attrs.contains("time_unparsed"));
}

TEST(LogParser, TimeKeyPriorityAndCustomKeys) {
  // "date" wins over "time"; an unparseable first key falls through to the next.
  const LogParse p = MustParse(R"({"date":1773480070,"time":"2026-03-14T00:00:00Z","log":"a"})"
                               "\n"
                               R"({"date":"yesterday","time":"2026-03-14T00:00:00Z","log":"b"})");
  ASSERT_EQ(p.events.size(), 2u);
  EXPECT_EQ(p.events[0].occurred_at, 1773480070000000000);
  EXPECT_EQ(p.events[1].occurred_at, T("2026-03-14T00:00:00Z"));
  EXPECT_FALSE(p.events[1].attrs.contains("time_unparsed"));
  LogOptions o;
  o.time_keys = {"event_time"};
  o.message_keys = {"text"};
  const LogParse q = MustParse(R"({"event_time":1773480070,"text":"custom","log":"other"})",
                               "application/json", o);
  ASSERT_EQ(q.events.size(), 1u);
  EXPECT_EQ(q.events[0].occurred_at, 1773480070000000000);
  EXPECT_EQ(q.events[0].summary, "custom");
  EXPECT_EQ(q.events[0].attrs["fields"]["log"], "other");
}

TEST(LogParser, MessageKeyFallbacks) {
  const LogParse p = MustParse(R"({"ts":1773480070,"msg":"from msg"})"
                               "\n"
                               R"({"ts":1773480070,"MESSAGE":"from journald"})"
                               "\n"
                               R"({"ts":1773480070,"event":"login","user":"u1"})"
                               "\n"
                               R"({"ts":1773480070,"log":{"nested":true}})");
  ASSERT_EQ(p.events.size(), 4u);
  EXPECT_EQ(p.events[0].summary, "from msg");
  EXPECT_EQ(p.events[1].summary, "from journald");
  EXPECT_EQ(p.events[2].summary, R"({"event":"login","user":"u1"})");
  EXPECT_EQ(p.events[3].summary, R"({"nested":true})");
}

TEST(LogParser, BadLinesFailTheBatchWithTheLineNumber) {
  const std::string body =
      "{\"log\":\"one\",\"ts\":1773480070}\n"
      "{\"log\":\"two\",\"ts\":1773480071}\n"
      "{\"log\":\"three\",\"ts\":17734800\n"  // truncated record
      "{\"log\":\"four\",\"ts\":1773480073}\n"
      "[1]\n";
  auto r = ParseLogBody(body, "application/json", {}, kNoLabels, kReceived);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(r.error().message, "invalid_log_line");
  EXPECT_EQ(r.error().detail, "line 3 (record 3): invalid JSON");

  LogOptions skip;
  skip.skip_invalid_lines = true;
  const LogParse p = MustParse(body, "application/json", skip);
  ASSERT_EQ(p.events.size(), 3u);
  EXPECT_EQ(p.events[2].summary, "four");
  EXPECT_EQ(p.records, 5u);
  EXPECT_EQ(p.invalid_lines, 2u);  // line 3 and the non-object array element on line 5
  EXPECT_EQ(p.first_invalid, "line 3 (record 3): invalid JSON");
}

TEST(LogParser, BadRecordReasons) {
  struct Case {
    std::string body;
    std::string detail;
  };
  const Case cases[] = {
      {R"([{"log":"a"},"b"])", "line 1 (record 2): not a JSON object"},
      {"{\"log\":\"a\"}\n{}", "line 2 (record 2): empty record"},
      {"{\"log\":\"a\"}\n{\"log\": tru}\n", "line 2 (record 2): invalid JSON"},
      {"{\"log\":\"a\"} trailing\n", "line 1 (record 2): invalid JSON"},
      {"[{\"log\":\"a\"},,]", "line 1 (record 1): invalid JSON array"},
  };
  for (const Case& c : cases) {
    auto r = ParseLogBody(c.body, "application/json", {}, kNoLabels, kReceived);
    ASSERT_FALSE(r.has_value()) << c.body;
    EXPECT_EQ(r.error().detail, c.detail) << c.body;
  }
  auto text = ParseLogBody("hello world\n", "application/json", {}, kNoLabels, kReceived);
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().message, "unsupported_body");
}

TEST(LogParser, PrettyPrintedRecordsSpanLines) {
  const LogParse p =
      MustParse("{\n  \"log\": \"a\",\n  \"ts\": 1773480070\n}\n{\n  \"log\": \"b\"\n}");
  ASSERT_EQ(p.events.size(), 2u);
  EXPECT_EQ(p.events[1].summary, "b");
}

TEST(LogParser, EmptyBodiesGiveNoEvents) {
  for (const char* body : {"", "  \n", "[]", "\xEF\xBB\xBF"}) {
    const LogParse p = MustParse(body);
    EXPECT_TRUE(p.events.empty()) << body;
  }
  EXPECT_TRUE(MustParse("\n\n", "text/plain").events.empty());
}

TEST(LogParser, LevelsInferredFromPatternsAreRecordedAndKeepTheId) {
  const std::string body =
      R"({"time":"2026-03-14T11:54:12Z","stream":"stdout","log":"java.lang.OutOfMemoryError: Java heap space"})"
      "\n"
      R"({"time":"2026-03-14T11:54:13Z","stream":"stderr","log":"Traceback (most recent call last):"})"
      "\n"
      R"({"time":"2026-03-14T11:54:14Z","stream":"stderr","log":"panic: runtime error: index out of range"})"
      "\n"
      R"({"time":"2026-03-14T11:54:15Z","stream":"stdout","log":"SEVERE: pool exhausted"})"
      "\n"
      R"({"time":"2026-03-14T11:54:16Z","stream":"stderr","log":"GET /healthz 200"})"
      "\n"
      R"({"time":"2026-03-14T11:54:17Z","stream":"stdout","log":"GET /healthz 200"})";
  struct Expect {
    const char* kind;
    const char* severity;
    const char* source;
  };
  const Expect plain[] = {{"log.error", "error", "inferred"},    {"log.error", "error", "inferred"},
                          {"log.fatal", "critical", "inferred"}, {"log.error", "error", "text"},
                          {"log.info", "info", "default"},       {"log.info", "info", "default"}};
  const LogParse p = MustParse(body);
  ASSERT_EQ(p.events.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(p.events[i].kind, plain[i].kind) << i;
    EXPECT_EQ(p.events[i].severity, plain[i].severity) << i;
    EXPECT_EQ(p.events[i].attrs["level_source"], plain[i].source) << i;
  }
  // Where stderr carries only problems, a stderr line with no level says so; stdout does not.
  const LogParse s = MustParse(body, "application/json", LogOptions{.stderr_level = "warn"});
  ASSERT_EQ(s.events.size(), 6u);
  EXPECT_EQ(s.events[4].kind, "log.warn");
  EXPECT_EQ(s.events[4].severity, "warning");
  EXPECT_EQ(s.events[4].attrs["level_source"], "inferred");
  EXPECT_EQ(s.events[5].kind, "log.info");
  EXPECT_EQ(s.events[1].kind, "log.error") << "a pattern wins over the stream";
  // The level is not part of the identity: same IDs whatever level was inferred, and the
  // same line with an explicit level field is the same event.
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(p.events[i].id, s.events[i].id) << i;
  const LogParse f = MustParse(
      R"({"time":"2026-03-14T11:54:12Z","stream":"stdout","level":"info","log":"java.lang.OutOfMemoryError: Java heap space"})");
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].kind, "log.info");
  EXPECT_EQ(f.events[0].id, p.events[0].id);
}

TEST(LogParser, LevelFieldsWinOverText) {
  const LogParse p = MustParse(R"({"log":"ERROR in text","level":"debug"})"
                               "\n"
                               R"({"log":"plain","severity":"WARNING"})"
                               "\n"
                               R"({"log":"pino","level":50})"
                               "\n"
                               R"({"log":"syslog","level":2})"
                               "\n"
                               R"({"log":"unknown level value","level":"chatty"})");
  ASSERT_EQ(p.events.size(), 5u);
  const char* kinds[] = {"log.debug", "log.warn", "log.error", "log.fatal", "log.info"};
  const char* severities[] = {"info", "warning", "error", "critical", "info"};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(p.events[i].kind, kinds[i]) << i;
    EXPECT_EQ(p.events[i].severity, severities[i]) << i;
  }
  EXPECT_EQ(p.events[0].attrs["level_source"], "field");
  EXPECT_EQ(p.events[4].attrs["level_source"], "default");
  EXPECT_EQ(p.events[4].attrs["fields"]["level"], "chatty");  // kept when not understood
}

TEST(LogParser, SameLineTwiceSameIdDifferentTimeDifferentId) {
  const std::string a =
      R"({"date":1773480070.5,"log":"boom","kubernetes":{"namespace_name":"prod"}})";
  const std::string b =
      R"({"date":1773480075.5,"log":"boom","kubernetes":{"namespace_name":"prod"}})";
  const LogParse first = MustParse(a + "\n" + b);
  const LogParse again = MustParse(a, "application/json", {}, kNoLabels, kReceived + 99);
  ASSERT_EQ(first.events.size(), 2u);
  ASSERT_EQ(again.events.size(), 1u);
  EXPECT_EQ(first.events[0].id, again.events[0].id);  // re-sent line dedups
  EXPECT_NE(first.events[0].id, first.events[1].id);  // same text, other time
  // Another stream (labels) with the same text and time is another line.
  const LogParse other =
      MustParse(R"({"date":1773480070.5,"log":"boom","kubernetes":{"namespace_name":"dev"}})");
  EXPECT_NE(other.events[0].id, first.events[0].id);
}

TEST(LogParser, IdenticalUntimedLinesInOneBatchStayDistinct) {
  const LogParse p = MustParse("retrying\nretrying\n", "text/plain");
  ASSERT_EQ(p.events.size(), 2u);
  EXPECT_NE(p.events[0].id, p.events[1].id);
}

// A PEM key pushed as text lines: every line of the block is redacted, the lines around it
// are not, and the IDs are those of the original lines (the same push dedupes).
TEST(LogParser, PrivateKeyAcrossPlainLinesIsRedactedAsAWhole) {
  const std::string body =
      "2026-03-14T09:26:10Z loading key\n"
      "-----BEGIN RSA PRIVATE KEY-----\r\n"
      "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
      "4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq\n"
      "-----END RSA PRIVATE KEY-----\n"
      "2026-03-14T09:26:11Z key loaded\n";
  const LogParse p = MustParse(body, "text/plain");
  ASSERT_EQ(p.events.size(), 6u);
  EXPECT_EQ(p.events[0].body, "2026-03-14T09:26:10Z loading key");
  EXPECT_EQ(p.events[0].redactions, 0);
  for (size_t i = 1; i <= 4; ++i) {
    EXPECT_EQ(p.events[i].body, "[REDACTED:private_key]") << i;
    EXPECT_EQ(p.events[i].summary, "[REDACTED:private_key]") << i;
    EXPECT_EQ(p.events[i].redactions, 1) << i;
  }
  EXPECT_EQ(p.events[5].body, "2026-03-14T09:26:11Z key loaded");
  EXPECT_EQ(p.events[2].raw_sha256, Sha256Hex("MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo"));
  std::set<std::string> ids;
  for (const Event& e : p.events) {
    ids.insert(e.id);
    EXPECT_EQ(e.source_ref.find("MIIE"), std::string::npos);
  }
  EXPECT_EQ(ids.size(), 6u);
  const LogParse again = MustParse(body, "text/plain");
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(again.events[i].id, p.events[i].id);
}

// Fluent Bit sends each line of a container's output as its own record: the block is
// joined per stream, so another pod's line in between neither breaks nor joins it.
TEST(LogParser, PrivateKeyAcrossJsonRecordsOfOneStream) {
  const std::string body = R"([
    {"log":"-----BEGIN PRIVATE KEY-----","kubernetes":{"namespace_name":"prod","pod_name":"a-1"}},
    {"log":"unrelated line","kubernetes":{"namespace_name":"prod","pod_name":"b-1"}},
    {"log":"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC","kubernetes":{"namespace_name":"prod","pod_name":"a-1"}},
    {"log":"-----END PRIVATE KEY-----","kubernetes":{"namespace_name":"prod","pod_name":"a-1"}}
  ])";
  const LogParse p = MustParse(body);
  ASSERT_EQ(p.events.size(), 4u);
  EXPECT_EQ(p.events[0].body, "[REDACTED:private_key]");
  EXPECT_EQ(p.events[1].body, "unrelated line");
  EXPECT_EQ(p.events[2].body, "[REDACTED:private_key]");
  EXPECT_EQ(p.events[3].body, "[REDACTED:private_key]");
}

TEST(LogParser, PlainTextInvalidUtf8IsReplaced) {
  const LogParse p = MustParse("bad \xFF byte\n", "text/plain");
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].body, "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(p.events[0].raw_sha256, Sha256Hex("bad \xFF byte"));  // the bytes as received
  EXPECT_NO_THROW(EventToJson(p.events[0]).dump());
}

TEST(LogParser, QueryLabelsAndRecordLabelsMerge) {
  const LogParse p =
      MustParse(R"({"log":"x","kubernetes":{"namespace_name":"prod"}})", "application/json", {},
                {{"namespace", "ignored"}, {"cluster", "eu-1"}});
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].attrs["labels"]["namespace"], "prod");
  EXPECT_EQ(p.events[0].attrs["labels"]["cluster"], "eu-1");
}

TEST(LogParser, SummaryAndBodyBounds) {
  const std::string long_msg = std::string(300, 'a') + "\n" + std::string(10, 'b');
  const LogParse p = MustParse(json{{"log", long_msg}}.dump());
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].summary.size(), 200u);
  EXPECT_TRUE(p.events[0].summary.ends_with("\xE2\x80\xA6"));
  EXPECT_EQ(p.events[0].body, long_msg);
  LogOptions small;
  small.body_max_bytes = 50;
  small.fields_max_bytes = 20;
  const LogParse q =
      MustParse(json{{"log", long_msg}, {"a", "short"}, {"z", std::string(100, 'z')}}.dump(),
                "application/json", small);
  ASSERT_EQ(q.events.size(), 1u);
  EXPECT_EQ(q.events[0].body.size(), 50u);
  EXPECT_EQ(q.events[0].attrs["truncated"], true);
  EXPECT_EQ(q.events[0].attrs["fields"], (json{{"a", "short"}}));
  EXPECT_EQ(q.events[0].attrs["fields_truncated"], true);
}

TEST(LogScope, DerivationTable) {
  struct Case {
    Labels labels;
    const char* scope;
  };
  const Case cases[] = {
      {{{"namespace", "prod"}, {"app", "payments"}, {"container", "api"}}, "log/prod/payments"},
      {{{"namespace", "prod"}, {"service", "ledger"}, {"container", "api"}}, "log/prod/ledger"},
      {{{"namespace", "prod"}, {"container", "api"}, {"pod", "payments-7d9f8b6c4-x2k9p"}},
       "log/prod/api"},
      {{{"namespace", "prod"}, {"pod", "payments-7d9f8b6c4-x2k9p"}}, "log/prod/payments"},
      {{{"namespace", "prod"}, {"pod", "db-0"}}, "log/prod/db"},
      {{{"job", "default/nginx"}}, "log/_/default_nginx"},
      {{{"k8s_namespace_name", "shop"}, {"service_name", "cart"}}, "log/shop/cart"},
      {{{"host", "web-1"}}, "log/_/_"},
      {{}, "log/_/_"},
  };
  for (const Case& c : cases) EXPECT_EQ(ScopeFromLabels(c.labels), c.scope);
}

TEST(LogLabels, FromShipperRecords) {
  const json vector_rec = json::parse(
      R"({"message":"m","host":"node-1","kubernetes":{"pod_name":"web-7d9f8b6c4-abcde",)"
      R"("pod_namespace":"shop","container_name":"nginx","pod_node_name":"node-1",)"
      R"("pod_labels":{"app.kubernetes.io/name":"web"}}})");
  const Labels v = LabelsFromRecord(vector_rec, {});
  EXPECT_EQ(v.at("namespace"), "shop");
  EXPECT_EQ(v.at("app"), "web");
  EXPECT_EQ(v.at("host"), "node-1");
  EXPECT_EQ(ScopeFromLabels(v), "log/shop/web");
}

}  // namespace
}  // namespace timelined::connectors::logs
