// Log pushes in each format and kubectl event dumps through the real binary, read back.
#include <gtest/gtest.h>
#include <signal.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include "store/sqlite_store.h"
#include "tests/integration/harness.h"

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
  auto proto = HttpCall(d.port(), "POST", "/loki/api/v1/push", "\x01\x02",
                        {{"content-type", "application/x-protobuf"}});
  EXPECT_EQ(proto.status, 415);

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
