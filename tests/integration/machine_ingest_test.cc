// Log pushes in each format and kubectl event dumps through the real binary, read back.
#include <gtest/gtest.h>
#include <signal.h>
#include <snappy.h>
#include <zlib.h>

#include <map>
#include <nlohmann/json.hpp>

#include "store/model/hash.h"
#include "store/model/time.h"
#include "store/sqlite_store.h"
#include "tests/integration/harness.h"
#include "tests/unit/connectors/common/proto_writer.h"

namespace timelined::testing {
namespace {

using nlohmann::json;

std::string Fixture(const std::string& rel) {
  return ReadFile(std::string(TIMELINED_FIXTURES) + "/" + rel);
}

std::string Gzip(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(in.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::vector<Event> AllEvents(const std::string& db) {
  store::StoreOptions o;
  o.path = db;
  auto st = store::SqliteEventStore::Open(o);
  if (!st) return {};
  auto all = (*st)->QueryEvents(EventQuery{});
  return all ? *all : std::vector<Event>{};
}

std::string Snappy(const std::string& in) {
  std::string out;
  snappy::Compress(in.data(), in.size(), &out);
  return out;
}

struct PushCase {
  const char* name;
  const char* fixture;
  const char* content_type;
  int status;
};

TEST(MachineIngest, EveryLogFormatStoresEveryLine) {
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  const PushCase cases[] = {
      {"fluentbit json", "logs/fluentbit_json_array.json", "application/json", 200},
      {"fluentbit json_lines", "logs/fluentbit_json_lines.ndjson", "application/x-ndjson", 200},
      {"fluentbit json_stream", "logs/fluentbit_json_stream.json", "application/json", 200},
      {"vector ndjson", "logs/vector_ndjson_no_trailing_newline.ndjson", "application/x-ndjson",
       200},
  };
  size_t total = 0;
  for (const auto& c : cases) {
    auto r = HttpCall(d.port(), "POST", "/ingest/logs", Fixture(c.fixture),
                      {{"content-type", c.content_type}});
    ASSERT_EQ(r.status, c.status) << c.name << ": " << r.body;
    json j = json::parse(r.body);
    EXPECT_GT(j["accepted"].get<size_t>(), 0u) << c.name;
    total += j["inserted"].get<size_t>();
  }
  auto plain = HttpCall(d.port(), "POST", "/ingest/logs?namespace=payments&app=api",
                        Fixture("logs/plain.txt"), {{"content-type", "text/plain"}});
  ASSERT_EQ(plain.status, 200) << plain.body;
  total += json::parse(plain.body)["inserted"].get<size_t>();

  auto gz = HttpCall(
      d.port(), "POST", "/ingest/logs",
      Gzip(
          R"({"log":"ERROR upstream timeout 503","date":1773480370.25,"kubernetes":{"namespace_name":"payments","pod_name":"api-7d9f8b6c4-x2k9p"}})"),
      {{"content-encoding", "gzip"}});
  ASSERT_EQ(gz.status, 200) << gz.body;
  total += json::parse(gz.body)["inserted"].get<size_t>();

  auto loki = HttpCall(d.port(), "POST", "/loki/api/v1/push", Fixture("logs/loki_push.json"),
                       {{"content-type", "application/json"}});
  EXPECT_EQ(loki.status, 204) << loki.body;

  ASSERT_EQ(d.Stop(SIGTERM), 0);
  auto events = AllEvents(d.db_path());
  EXPECT_GT(events.size(), total);  // + the Loki lines
  bool saw_gzip_line = false;
  for (const auto& e : events) {
    EXPECT_EQ(e.source, "log");
    EXPECT_EQ(e.kind.rfind("log.", 0), 0u) << e.kind;
    if (e.summary.find("upstream timeout") != std::string::npos) {
      saw_gzip_line = true;
      EXPECT_EQ(e.kind, "log.error");
      EXPECT_EQ(e.scope.rfind("log/payments/", 0), 0u) << e.scope;
    }
  }
  EXPECT_TRUE(saw_gzip_line);
}

// The Loki protobuf push as Promtail, Alloy and Vector send it (snappy block, no
// Content-Encoding): stored once, a re-push and a JSON push of the same lines store nothing
// new, bad bodies are 4xx and store nothing.
TEST(MachineIngest, LokiProtobufPushIsStoredOnceAndMatchesTheJsonPush) {
  using connectors::testing::LokiEntry;
  using connectors::testing::LokiStream;
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  const std::map<std::string, std::string> proto = {{"content-type", "application/x-protobuf"}};
  const std::string push = LokiStream(R"({app="payments", level="error", namespace="prod"})",
                                      {LokiEntry(1773480070482913000, "gateway timeout"),
                                       LokiEntry(1773480071000000000, "gateway timeout again",
                                                 {{"trace_id", "abc123"}, {"user", "u1"}})}) +
                           LokiStream(R"({host="web-1", job="varlogs"})",
                                      {LokiEntry(1773480072000000000, "INFO started")});
  auto first = HttpCall(d.port(), "POST", "/loki/api/v1/push", Snappy(push), proto);
  ASSERT_EQ(first.status, 204) << first.body;
  auto again = HttpCall(d.port(), "POST", "/loki/api/v1/push", Snappy(push), proto);
  EXPECT_EQ(again.status, 204) << again.body;
  auto as_json = HttpCall(d.port(), "POST", "/loki/api/v1/push", Fixture("logs/loki_push.json"),
                          {{"content-type", "application/json"}});
  EXPECT_EQ(as_json.status, 204) << as_json.body;

  struct Bad {
    const char* name;
    std::string body;
    int status;
    const char* error;
  } bad[] = {
      {"not snappy", push, 400, "invalid_snappy"},
      {"snappy of JSON", Snappy(Fixture("logs/loki_push.json")), 400, "invalid_loki_push"},
      {"labels not Prometheus", Snappy(LokiStream("app=x", {LokiEntry(1773480070000000000, "x")})),
       400, "invalid_loki_push"},
      {"snappy bomb", connectors::testing::Varint(0xffffffff) + std::string("\x00\x41", 2), 413,
       "body_too_large"},
  };
  for (const auto& b : bad) {
    auto r = HttpCall(d.port(), "POST", "/loki/api/v1/push", b.body, proto);
    EXPECT_EQ(r.status, b.status) << b.name << ": " << r.body;
    EXPECT_EQ(json::parse(r.body, nullptr, false).value("error", ""), b.error) << b.name;
  }

  ASSERT_EQ(d.Stop(SIGTERM), 0);
  const auto events = AllEvents(d.db_path());
  ASSERT_EQ(events.size(), 3u);
  std::map<std::string, const Event*> by_summary;
  for (const auto& e : events) by_summary[e.summary] = &e;
  ASSERT_EQ(by_summary.count("gateway timeout again"), 1u);
  const Event& e = *by_summary["gateway timeout again"];
  EXPECT_EQ(e.kind, "log.error");
  EXPECT_EQ(e.scope, "log/prod/payments");
  EXPECT_EQ(e.occurred_at, 1773480071000000000);
  EXPECT_EQ(e.attrs["structured_metadata"], (json{{"trace_id", "abc123"}, {"user", "u1"}}));
}

// OTLP/HTTP logs as the Collector's otlphttp exporter sends them (protobuf, gzip) and in
// OTLP/JSON: stored once, answered with ExportLogsServiceResponse in the request's encoding.
std::string OtlpRecord(uint64_t time_ns, int severity, const std::string& body) {
  using connectors::testing::Fixed64Field;
  using connectors::testing::LenField;
  using connectors::testing::OtlpString;
  using connectors::testing::VarintField;
  return Fixed64Field(1, time_ns) + VarintField(2, static_cast<uint64_t>(severity)) +
         LenField(5, OtlpString(body));
}

std::string OtlpPush(const std::vector<std::string>& records) {
  using connectors::testing::LenField;
  using connectors::testing::OtlpKeyValue;
  using connectors::testing::OtlpString;
  const std::string resource =
      LenField(1, OtlpKeyValue("k8s.namespace.name", OtlpString("prod"))) +
      LenField(1, OtlpKeyValue("k8s.deployment.name", OtlpString("checkout")));
  return connectors::testing::OtlpResourceLogs(resource,
                                               {connectors::testing::OtlpScopeLogs("", records)});
}

TEST(MachineIngest, OtlpLogsAreStoredOnceInEitherEncoding) {
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  const std::string push = OtlpPush({OtlpRecord(1773480070482913000, 17, "payment timeout"),
                                     OtlpRecord(1773480071000000000, 9, "retrying")});
  const std::map<std::string, std::string> proto_gzip = {{"content-type", "application/x-protobuf"},
                                                         {"content-encoding", "gzip"}};
  auto first = HttpCall(d.port(), "POST", "/v1/logs", Gzip(push), proto_gzip);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.headers["content-type"], "application/x-protobuf");
  EXPECT_EQ(first.body, "");  // no partial_success: nothing rejected
  auto again = HttpCall(d.port(), "POST", "/otlp/v1/logs", push,
                        {{"content-type", "application/x-protobuf"}});
  EXPECT_EQ(again.status, 200) << again.body;
  const std::string as_json = R"({"resourceLogs":[{"resource":{"attributes":[
      {"key":"k8s.namespace.name","value":{"stringValue":"prod"}},
      {"key":"k8s.deployment.name","value":{"stringValue":"checkout"}}]},
    "scopeLogs":[{"logRecords":[
      {"timeUnixNano":"1773480070482913000","severityNumber":17,
       "body":{"stringValue":"payment timeout"}},
      {"timeUnixNano":"1773480072000000000","severityNumber":13,
       "body":{"stringValue":"queue depth 900"}}]}]}]})";
  auto js = HttpCall(d.port(), "POST", "/v1/logs", as_json, {{"content-type", "application/json"}});
  EXPECT_EQ(js.status, 200) << js.body;
  EXPECT_EQ(js.body, "{}");

  struct Bad {
    const char* name;
    std::string body;
    const char* content_type;
    int status;
    const char* error;
  } bad[] = {
      {"text", "hello", "text/plain", 415, "unsupported_media_type"},
      {"not protobuf",
       "\x0a\x05"
       "ab",
       "application/x-protobuf", 400, "invalid_otlp_logs"},
      {"a record without a body",
       OtlpPush({OtlpRecord(1773480073000000000, 9, "ok"),
                 connectors::testing::Fixed64Field(1, 1773480074000000000)}),
       "application/x-protobuf", 400, "invalid_otlp_logs"},
      {"JSON not OTLP", R"({"resourceLogs":{}})", "application/json", 400, "invalid_otlp_logs"},
  };
  for (const auto& b : bad) {
    auto r = HttpCall(d.port(), "POST", "/v1/logs", b.body, {{"content-type", b.content_type}});
    EXPECT_EQ(r.status, b.status) << b.name << ": " << r.body;
    EXPECT_EQ(json::parse(r.body, nullptr, false).value("error", ""), b.error) << b.name;
  }
  auto unauth_metrics = HttpCall(d.port(), "GET", "/metrics");
  EXPECT_NE(unauth_metrics.body.find(R"(source="otlp")"), std::string::npos);

  ASSERT_EQ(d.Stop(SIGTERM), 0);
  const auto events = AllEvents(d.db_path());
  ASSERT_EQ(events.size(), 3u);  // the bad pushes stored nothing, the repeats nothing new
  std::map<std::string, const Event*> by_summary;
  for (const auto& e : events) by_summary[e.summary] = &e;
  ASSERT_EQ(by_summary.count("payment timeout"), 1u);
  EXPECT_EQ(by_summary["payment timeout"]->kind, "log.error");
  EXPECT_EQ(by_summary["payment timeout"]->scope, "log/prod/checkout");
  ASSERT_EQ(by_summary.count("queue depth 900"), 1u);
  EXPECT_EQ(by_summary["queue depth 900"]->kind, "log.warn");
}

TEST(MachineIngest, OtlpPartialSuccessCountsSkippedRecords) {
  TempDir dir;
  Daemon d(dir, "[logs]\nskip_invalid_lines = true\n");
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  const std::string push = OtlpPush({OtlpRecord(1773480073000000000, 9, "ok"),
                                     connectors::testing::Fixed64Field(1, 1773480074000000000)});
  auto r =
      HttpCall(d.port(), "POST", "/v1/logs", push, {{"content-type", "application/x-protobuf"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, connectors::testing::LenField(
                        1, connectors::testing::VarintField(1, 1) +
                               connectors::testing::LenField(
                                   2, "resource 1 scope 1 record 2: no body and no event_name")));
  ASSERT_EQ(d.Stop(SIGTERM), 0);
  EXPECT_EQ(AllEvents(d.db_path()).size(), 1u);
}

TEST(MachineIngest, BadLineRejectsWholeBatchNamingIt) {
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started());
  std::string body =
      "{\"log\":\"ok one\",\"date\":1773480370}\n{\"log\":\"ok "
      "two\",\"date\":1773480371}\n{broken\n";
  auto r = HttpCall(d.port(), "POST", "/ingest/logs", body);
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_NE(json::parse(r.body)["detail"].get<std::string>().find("line 3"), std::string::npos)
      << r.body;
  ASSERT_EQ(d.Stop(SIGTERM), 0);
  EXPECT_TRUE(AllEvents(d.db_path()).empty());
}

TEST(MachineIngest, SkipInvalidLinesStoresTheGoodOnes) {
  TempDir dir;
  Daemon d(dir, "[logs]\nskip_invalid_lines = true\n");
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  std::string body =
      "{\"log\":\"ok one\",\"date\":1773480370}\n{broken\n{\"log\":\"ok "
      "two\",\"date\":1773480371}\n";
  auto r = HttpCall(d.port(), "POST", "/ingest/logs", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["invalid_lines"], 1);
  ASSERT_EQ(d.Stop(SIGTERM), 0);
  EXPECT_EQ(AllEvents(d.db_path()).size(), 2u);
}

TEST(MachineIngest, KubectlDumpsAndIdempotentReimport) {
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started());
  auto list =
      HttpCall(d.port(), "POST", "/ingest/kubernetes", Fixture("kubernetes/kubectl_list.json"));
  ASSERT_EQ(list.status, 200) << list.body;
  size_t first = json::parse(list.body)["inserted"];
  EXPECT_GT(first, 0u);
  auto again =
      HttpCall(d.port(), "POST", "/ingest/kubernetes", Fixture("kubernetes/kubectl_list.json"));
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["inserted"], 0);
  auto watch =
      HttpCall(d.port(), "POST", "/ingest/kubernetes", Fixture("kubernetes/kubectl_watch.txt"));
  ASSERT_EQ(watch.status, 200) << watch.body;
  auto bad = HttpCall(d.port(), "POST", "/ingest/kubernetes", "{\"kind\":\"List\",\"items\":[{]}");
  EXPECT_EQ(bad.status, 400);
  ASSERT_EQ(d.Stop(SIGTERM), 0);
  for (const auto& e : AllEvents(d.db_path())) {
    EXPECT_EQ(e.source, "kubernetes");
    EXPECT_EQ(e.kind.rfind("k8s.", 0), 0u);
  }
}

}  // namespace
}  // namespace timelined::testing

namespace timelined::testing {
namespace {

TEST(MachineIngest, ImportCommandIsIdempotentAndRejectsGarbage) {
  TempDir dir;
  std::string db = dir.File("import.db");
  std::string fixture = std::string(TIMELINED_FIXTURES) + "/kubernetes/kubectl_list.json";
  auto first = RunTimelined({"import", fixture, "--db", db});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("kubernetes events"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find("0 already stored"), std::string::npos) << first.output;
  auto again = RunTimelined({"import", fixture, "--db", db});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find(" 0 new"), std::string::npos) << again.output;
  auto logs =
      RunTimelined({"import", std::string(TIMELINED_FIXTURES) + "/logs/fluentbit_json_lines.ndjson",
                    "--db", db});
  ASSERT_EQ(logs.exit_code, 0) << logs.output;
  EXPECT_NE(logs.output.find("log events"), std::string::npos) << logs.output;
  WriteFile(dir.File("junk.txt"), "{\"not\": [closed\n");
  auto junk = RunTimelined({"import", dir.File("junk.txt"), "--db", db});
  EXPECT_EQ(junk.exit_code, 1) << junk.output;
  auto verify = RunTimelined({"verify-store", "--db", db});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

}  // namespace
}  // namespace timelined::testing

namespace timelined::testing {
namespace {

// What each shipper sends when configured as the README says (bearer token, gzip where
// the README turns it on), one distinct line per format; every line is read back from the
// store with its time, scope, kind and text.
TEST(MachineIngest, EachShipperFormatReadsBackLineByLine) {
  TempDir dir;
  const std::string token = "tok-ingest-0123456789";
  Daemon d(dir, "[[auth.tokens]]\nname = \"shippers\"\nsha256 = \"" + Sha256Hex(token) +
                    "\"\nscopes = [\"ingest\", \"read\"]\n");
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  const std::map<std::string, std::string> bearer = {{"authorization", "Bearer " + token}};
  auto with = [&](std::map<std::string, std::string> h) {
    h.insert(bearer.begin(), bearer.end());
    return h;
  };
  const std::string fb_k8s =
      R"("kubernetes":{"namespace_name":"payments","pod_name":"api-7d9f8b6c4-x2k9p","container_name":"api"})";
  struct Push {
    const char* name;
    std::string target;
    std::string body;
    std::map<std::string, std::string> headers;
    int status;
  };
  const std::vector<Push> pushes = {
      // Fluent Bit `Format json`, `Json_date_format double` (its historical default).
      {"fluentbit json", "/ingest/logs",
       "[{\"date\":1773480370.25,\"log\":\"fb-json GET /health 200\"," + fb_k8s + "}]",
       with({{"content-type", "application/json"}}), 200},
      // The README stanza: json_lines, iso8601 dates, gzip.
      {"fluentbit json_lines gzip", "/ingest/logs",
       Gzip("{\"date\":\"2026-03-14T09:26:11.000681Z\",\"log\":\"fb-lines ERROR db timeout\"," +
            fb_k8s +
            "}\n{\"date\":\"2026-03-14T09:26:12.000000Z\",\"log\":\"fb-lines WARN "
            "slow query\"," +
            fb_k8s + "}\n"),
       with({{"content-type", "application/x-ndjson"}, {"content-encoding", "gzip"}}), 200},
      // Fluent Bit json_stream: records back to back.
      {"fluentbit json_stream", "/ingest/logs",
       "{\"date\":1773480373,\"log\":\"fb-stream one\"," + fb_k8s +
           "}{\"date\":1773480374,\"log\":\"fb-stream two\"," + fb_k8s + "}",
       with({{"content-type", "application/json"}}), 200},
      // Vector `encoding.codec = "json"` without framing: a JSON array.
      {"vector json", "/ingest/logs",
       R"([{"message":"vec-json started","timestamp":"2026-03-14T09:26:15.123456789Z","kubernetes":{"pod_namespace":"checkout","pod_name":"cart-5f6d7c8b9-abcde"}}])",
       with({{"content-type", "application/json"}}), 200},
      // The README sink: ndjson framing (no trailing newline), gzip.
      {"vector ndjson gzip", "/ingest/logs",
       Gzip(
           R"({"message":"vec-nd level=error msg=\"payment declined\"","timestamp":"2026-03-14T09:26:16Z","kubernetes":{"pod_namespace":"checkout","pod_name":"cart-5f6d7c8b9-abcde"}})"
           "\n"
           R"({"message":"vec-nd second","timestamp":"2026-03-14T09:26:17Z","kubernetes":{"pod_namespace":"checkout","pod_name":"cart-5f6d7c8b9-abcde"}})"),
       with({{"content-type", "application/x-ndjson"}, {"content-encoding", "gzip"}}), 200},
      // Loki JSON push, nanosecond timestamp strings.
      {"loki json", "/loki/api/v1/push",
       R"({"streams":[{"stream":{"namespace":"edge","app":"gateway"},"values":[["1773480378500000000","loki-line ERROR upstream reset"]]}]})",
       with({{"content-type", "application/json"}}), 204},
      // A pasted snippet, labels from the query string.
      {"text/plain", "/ingest/logs?namespace=batch&app=reports",
       "text-line one\ntext-line ERROR two\n", with({{"content-type", "text/plain"}}), 200},
  };
  for (const auto& p : pushes) {
    auto r = HttpCall(d.port(), "POST", p.target, p.body, p.headers);
    EXPECT_EQ(r.status, p.status) << p.name << ": " << r.body;
  }
  // Without the token nothing is accepted (the README's Header/auth lines matter).
  EXPECT_EQ(HttpCall(d.port(), "POST", "/ingest/logs", "{\"log\":\"x\"}").status, 401);
  ASSERT_EQ(d.Stop(SIGTERM), 0);

  struct Want {
    std::string kind;
    std::string scope;
    std::string occurred;  // RFC 3339 with ns, or "" when the line has no time
  };
  const std::map<std::string, Want> want = {
      {"fb-json GET /health 200",
       {"log.info", "log/payments/api", "2026-03-14T09:26:10.250000000Z"}},
      {"fb-lines ERROR db timeout",
       {"log.error", "log/payments/api", "2026-03-14T09:26:11.000681000Z"}},
      {"fb-lines WARN slow query",
       {"log.warn", "log/payments/api", "2026-03-14T09:26:12.000000000Z"}},
      {"fb-stream one", {"log.info", "log/payments/api", "2026-03-14T09:26:13.000000000Z"}},
      {"fb-stream two", {"log.info", "log/payments/api", "2026-03-14T09:26:14.000000000Z"}},
      {"vec-json started", {"log.info", "log/checkout/cart", "2026-03-14T09:26:15.123456789Z"}},
      {"vec-nd level=error msg=\"payment declined\"",
       {"log.error", "log/checkout/cart", "2026-03-14T09:26:16.000000000Z"}},
      {"vec-nd second", {"log.info", "log/checkout/cart", "2026-03-14T09:26:17.000000000Z"}},
      {"loki-line ERROR upstream reset",
       {"log.error", "log/edge/gateway", "2026-03-14T09:26:18.500000000Z"}},
      {"text-line one", {"log.info", "log/batch/reports", ""}},
      {"text-line ERROR two", {"log.error", "log/batch/reports", ""}},
  };
  auto events = AllEvents(d.db_path());
  std::map<std::string, int> seen;
  for (const auto& e : events) {
    auto it = want.find(e.summary);
    if (it == want.end()) {
      ADD_FAILURE() << "unexpected event: " << e.summary;
      continue;
    }
    ++seen[e.summary];
    EXPECT_EQ(e.source, "log") << e.summary;
    EXPECT_EQ(e.kind, it->second.kind) << e.summary;
    EXPECT_EQ(e.scope, it->second.scope) << e.summary;
    if (!it->second.occurred.empty()) {
      EXPECT_EQ(FormatRfc3339(e.occurred_at, 9), it->second.occurred) << e.summary;
    } else {
      EXPECT_EQ(e.occurred_at, e.received_at) << e.summary;
    }
  }
  for (const auto& [summary, w] : want) EXPECT_EQ(seen[summary], 1) << summary;
}

}  // namespace
}  // namespace timelined::testing
