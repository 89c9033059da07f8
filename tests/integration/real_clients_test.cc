// Real clients against the real binary, where one can be installed here: the OpenTelemetry
// JS SDK's OTLP/HTTP log exporters (tests/clients/otlp_js, from npm), protobuf and JSON; a
// Loki push encoded by Google's protobuf runtime and python-snappy (tests/clients/loki_py,
// Debian packages), as Promtail, Alloy and Vector send it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "store/sqlite_store.h"
#include "tests/integration/harness.h"

namespace timelined::testing {
namespace {

using nlohmann::json;

// Runs `command` through the shell; returns its exit status (-1 when it did not exit) and
// its combined output.
int RunShell(const std::string& command, std::string* output) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[512];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) output->append(buf, n);
  const int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(RealClients, OpenTelemetryJsLogExportersProtobufAndJson) {
  const std::filesystem::path client(TIMELINED_OTLP_JS_CLIENT);
  if (!std::filesystem::exists(client / "node_modules" / "@opentelemetry" / "sdk-logs")) {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true") {
      FAIL() << client << "/node_modules is missing: scripts/deps runs npm ci there";
    }
    GTEST_SKIP() << "no " << client << "/node_modules (scripts/deps installs it)";
  }
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  const std::string url = "http://127.0.0.1:" + std::to_string(d.port()) + "/v1/logs";
  for (const char* encoding : {"proto", "json"}) {
    std::string out;
    const int rc =
        RunShell("cd '" + client.string() + "' && node send.mjs '" + url + "' " + encoding, &out);
    EXPECT_EQ(rc, 0) << encoding << ": " << out;
    EXPECT_NE(out.find("exported 2 records"), std::string::npos) << encoding << ": " << out;
  }
  ASSERT_EQ(d.Stop(SIGTERM), 0);

  store::StoreOptions o;
  o.path = d.db_path();
  auto st = store::SqliteEventStore::Open(o);
  ASSERT_TRUE(st.has_value());
  auto all = (*st)->QueryEvents(EventQuery{});
  ASSERT_TRUE(all.has_value());
  std::map<std::string, Event> by_body;
  for (const auto& e : *all) by_body[e.body] = e;
  ASSERT_EQ(by_body.size(), 4u);
  for (const char* encoding : {"proto", "json"}) {
    SCOPED_TRACE(encoding);
    const std::string tag = std::string("(") + encoding + ")";
    ASSERT_EQ(by_body.count("payment timeout " + tag), 1u);
    const Event& err = by_body["payment timeout " + tag];
    EXPECT_EQ(err.kind, "log.error");
    EXPECT_EQ(err.scope, "log/prod/checkout");
    EXPECT_EQ(err.occurred_at, 1773480070482000000);
    EXPECT_EQ(err.attrs["otlp"]["attributes"]["http.status_code"], 503);
    EXPECT_EQ(err.attrs["otlp"]["scope"]["name"], "timelined-client-test");
    const std::string warn_body = json{{"ms", 1500}, {"msg", "slow " + tag}}.dump();
    ASSERT_EQ(by_body.count(warn_body), 1u);
    EXPECT_EQ(by_body[warn_body].kind, "log.warn");
    EXPECT_EQ(by_body[warn_body].occurred_at, 1773480071000000000);
  }
}

TEST(RealClients, LokiProtobufPushFromPythonProtobufAndSnappy) {
  // Debian's interpreter, whose dist-packages hold python3-protobuf and python3-snappy (a
  // python3 earlier in PATH, e.g. pyenv's, would not see them).
  std::string probe;
  if (RunShell("/usr/bin/python3 -c 'import snappy, google.protobuf'", &probe) != 0) {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true") {
      FAIL() << "python3-protobuf or python3-snappy is missing: " << probe;
    }
    GTEST_SKIP() << "no python3-protobuf or python3-snappy (scripts/deps installs them)";
  }
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  const std::string url = "http://127.0.0.1:" + std::to_string(d.port()) + "/loki/api/v1/push";
  for (int attempt = 0; attempt < 2; ++attempt) {  // the second push is a retry: stored once
    std::string out;
    const int rc = RunShell(
        "/usr/bin/python3 '" + std::string(TIMELINED_LOKI_PY_CLIENT) + "/push.py' '" + url + "'",
        &out);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("pushed 2 entries: HTTP 204"), std::string::npos) << out;
  }
  ASSERT_EQ(d.Stop(SIGTERM), 0);

  store::StoreOptions o;
  o.path = d.db_path();
  auto st = store::SqliteEventStore::Open(o);
  ASSERT_TRUE(st.has_value());
  auto all = (*st)->QueryEvents(EventQuery{});
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 2u);
  std::map<std::string, Event> by_body;
  for (const auto& e : *all) by_body[e.body] = e;
  const Event& first = by_body["payment timeout (python client)"];
  EXPECT_EQ(first.kind, "log.error");
  EXPECT_EQ(first.scope, "log/prod/checkout");
  EXPECT_EQ(first.occurred_at, 1773480070482913000);
  const Event& second = by_body["payment timeout again (python client)"];
  EXPECT_EQ(second.occurred_at, 1773480071000000000);
  EXPECT_EQ(second.attrs["structured_metadata"], (json{{"trace_id", "abc123"}}));
}

}  // namespace
}  // namespace timelined::testing
