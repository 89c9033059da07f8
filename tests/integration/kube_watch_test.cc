// The [kubernetes] watcher through the real binary: a fake API server on loopback serves a
// LIST, then a watch stream with ADDED, MODIFIED (count up and unchanged), BOOKMARK, a dropped
// connection, an in-stream ERROR 410 and the relist; the store must end with exactly the
// right occurrences, none duplicated, none missed.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/model/event.h"
#include "store/sqlite_store.h"
#include "tests/integration/harness.h"
#include "tests/unit/connectors/common/test_proxy.h"
#include "tests/unit/connectors/kubernetes/fake_api_server.h"
#include "tests/unit/connectors/kubernetes/test_certs.h"

namespace timelined::testing {
namespace {

using connectors::testing::FakeApiServer;
using connectors::testing::FakeResponse;
using nlohmann::json;
using End = FakeResponse::End;

json Ev(const std::string& uid, int count, const std::string& rv) {
  return {{"kind", "Event"},
          {"apiVersion", "v1"},
          {"metadata",
           {{"uid", uid},
            {"name", "payments-7d9f8b6c4-x2k9p." + uid},
            {"namespace", "prod"},
            {"resourceVersion", rv}}},
          {"involvedObject", {{"kind", "Pod"}, {"name", "payments-7d9f8b6c4-x2k9p"}}},
          {"reason", "BackOff"},
          {"type", "Warning"},
          {"message", "Back-off restarting failed container api"},
          {"count", count},
          {"lastTimestamp", "2026-03-14T09:19:4" + std::to_string(count) + "Z"}};
}

std::string Line(const std::string& type, const json& obj) {
  return json{{"type", type}, {"object", obj}}.dump() + "\n";
}

std::string Bookmark(const std::string& rv) {
  return Line("BOOKMARK",
              {{"kind", "Event"}, {"apiVersion", "v1"}, {"metadata", {{"resourceVersion", rv}}}});
}

std::string Expired() {
  return Line("ERROR", {{"kind", "Status"},
                        {"apiVersion", "v1"},
                        {"metadata", json::object()},
                        {"status", "Failure"},
                        {"message", "too old resource version: 104 (190)"},
                        {"reason", "Expired"},
                        {"code", 410}});
}

FakeResponse List(const std::string& rv, const std::vector<json>& items) {
  json body = {{"kind", "EventList"},
               {"apiVersion", "v1"},
               {"metadata", {{"resourceVersion", rv}}},
               {"items", items}};
  return {200, {body.dump()}, End::kClean, {}};
}

std::string Id(const std::string& uid, int count) {
  return MakeEventId("kubernetes", uid + ":" + std::to_string(count));
}

std::string Kubeconfig(const std::string& server) {
  return "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: fake\n"
         "  cluster:\n    server: " +
         server +
         "\ncontexts:\n- name: test\n  context:\n    cluster: fake\n    user: watcher\n"
         "users:\n- name: watcher\n  user:\n    token: test-token-123\n";
}

std::string KubeToml(const std::string& kubeconfig) {
  return "[kubernetes]\nenabled = true\ncredentials = \"kubeconfig\"\nkubeconfig = \"" +
         kubeconfig + "\"\nnamespace = \"prod\"\nfield_selector = \"type=Warning\"\n" +
         "backoff_base_ms = 10\nbackoff_cap_ms = 200\n";
}

double Metric(const std::string& text, const std::string& name) {
  size_t at = 0;
  while ((at = text.find(name, at)) != std::string::npos) {
    const bool line_start = at == 0 || text[at - 1] == '\n';
    const size_t end = at + name.size();
    if (line_start && end < text.size() && text[end] == ' ') return std::stod(text.substr(end + 1));
    at = end;
  }
  return -2;
}

std::vector<Event> AllEvents(const std::string& db) {
  store::StoreOptions o;
  o.path = db;
  auto st = store::SqliteEventStore::Open(o);
  if (!st) return {};
  auto all = (*st)->QueryEvents(EventQuery{});
  return all ? *all : std::vector<Event>{};
}

TEST(KubeWatch, ListWatchDropExpiredRelistStoresEveryOccurrenceOnce) {
  std::deque<FakeResponse> script;
  // 1. LIST at RV 100: a:1, b:1.
  script.push_back(List("100", {Ev("a", 1, "90"), Ev("b", 1, "95")}));
  // 2. WATCH from 100: c:1 added, a up to 2, b unchanged (no-op), a bookmark, then the
  //    connection drops without the final chunk.
  script.push_back({200,
                    {Line("ADDED", Ev("c", 1, "101")), Line("MODIFIED", Ev("a", 2, "102")),
                     Line("MODIFIED", Ev("b", 1, "103")), Bookmark("104")},
                    End::kDrop,
                    {}});
  // 3. WATCH resumed from 104: a up to 3, then the history is gone (in-stream 410).
  script.push_back({200, {Line("MODIFIED", Ev("a", 3, "105")), Expired()}, End::kClean, {}});
  // 4. Re-LIST at RV 200: a:3 and b:1 already stored, c went up to 2 and d appeared while
  //    the watch was blind.
  script.push_back(
      List("200", {Ev("a", 3, "105"), Ev("b", 1, "95"), Ev("c", 2, "150"), Ev("d", 1, "160")}));
  // 5. WATCH from 200: e:1, then held open until the daemon stops.
  script.push_back({200, {Line("ADDED", Ev("e", 1, "201"))}, End::kHold, {}});
  FakeApiServer api(std::move(script));

  TempDir dir;
  WriteFile(dir.File("kubeconfig"), Kubeconfig(api.url()));
  Daemon d(dir, KubeToml(dir.File("kubeconfig")));
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());

  const std::vector<std::pair<std::string, int>> expected = {
      {"a", 1}, {"b", 1}, {"c", 1}, {"a", 2}, {"a", 3}, {"c", 2}, {"d", 1}, {"e", 1}};
  HttpClient http(d.port());
  ASSERT_TRUE(WaitUntil([&] { return http.Call("GET", "/v1/events/" + Id("e", 1)).status == 200; }))
      << ReadFile(d.log_path());
  for (const auto& [uid, count] : expected) {
    auto r = http.Call("GET", "/v1/events/" + Id(uid, count));
    ASSERT_EQ(r.status, 200) << uid << ":" << count << " " << r.body;
    json e = json::parse(r.body);
    EXPECT_EQ(e["source_ref"], uid + ":" + std::to_string(count));
    EXPECT_EQ(e["kind"], "k8s.BackOff");
    EXPECT_EQ(e["scope"], "k8s/prod/payments");
  }
  // b never went past count 1, and no occurrence was invented.
  EXPECT_EQ(http.Call("GET", "/v1/events/" + Id("b", 2)).status, 404);

  ASSERT_TRUE(api.WaitForRequests(5));
  const auto reqs = api.requests();
  EXPECT_EQ(reqs[0].target.find("watch=1"), std::string::npos) << reqs[0].target;
  EXPECT_EQ(reqs[0].target.rfind("/api/v1/namespaces/prod/events?", 0), 0u) << reqs[0].target;
  EXPECT_NE(reqs[0].target.find("fieldSelector=type%3DWarning"), std::string::npos)
      << reqs[0].target;
  EXPECT_NE(reqs[1].target.find("resourceVersion=100&"), std::string::npos) << reqs[1].target;
  EXPECT_NE(reqs[1].target.find("allowWatchBookmarks=true"), std::string::npos);
  EXPECT_NE(reqs[2].target.find("resourceVersion=104&"), std::string::npos) << reqs[2].target;
  EXPECT_EQ(reqs[3].target.find("watch=1"), std::string::npos) << reqs[3].target;
  EXPECT_NE(reqs[4].target.find("resourceVersion=200&"), std::string::npos) << reqs[4].target;
  for (const auto& r : reqs) EXPECT_EQ(r.authorization, "Bearer test-token-123");

  // The counters move just after the batch is durable: wait for them, then read.
  std::string metrics;
  ASSERT_TRUE(WaitUntil([&] {
    metrics = http.Call("GET", "/metrics").body;
    return Metric(metrics, "timelined_kubernetes_events_published_total") == 8;
  })) << metrics;
  EXPECT_EQ(Metric(metrics, "timelined_kubernetes_watch_connected"), 1) << metrics;
  EXPECT_EQ(Metric(metrics, "timelined_kubernetes_watch_reconnects_total"), 2) << metrics;
  EXPECT_EQ(Metric(metrics, "timelined_kubernetes_watch_relists_total"), 1) << metrics;
  EXPECT_EQ(Metric(metrics, "timelined_kubernetes_events_received_total"), 8) << metrics;
  EXPECT_EQ(Metric(metrics, "timelined_kubernetes_events_inserted_total"), 8) << metrics;
  EXPECT_GE(Metric(metrics, "timelined_kubernetes_resource_version_age_seconds"), 0) << metrics;
  json ready;
  EXPECT_TRUE(WaitUntil([&] {
    ready = json::parse(http.Call("GET", "/readyz").body);
    return ready["kubernetes"]["resource_version"] == "201";
  })) << ready.dump();
  EXPECT_EQ(ready["status"], "ready");
  EXPECT_EQ(ready["kubernetes"]["connected"], true);

  ASSERT_EQ(d.Stop(SIGTERM), 0) << ReadFile(d.log_path());
  std::multiset<std::string> refs;
  for (const Event& e : AllEvents(d.db_path())) {
    EXPECT_EQ(e.source, "kubernetes");
    refs.insert(e.source_ref);
  }
  std::multiset<std::string> want;
  for (const auto& [uid, count] : expected) want.insert(uid + ":" + std::to_string(count));
  EXPECT_EQ(refs, want);
  auto verify = RunTimelined({"verify-store", "--db", d.db_path()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

TEST(KubeWatch, UnusableCredentialsExitNonZeroWithTheReason) {
  TempDir dir;
  const std::string missing = dir.File("no-such-kubeconfig");
  WriteFile(dir.File("timelined.toml"), "[server]\nlisten = \"127.0.0.1:0\"\n[store]\npath = \"" +
                                            dir.File("t.db") + "\"\n" + KubeToml(missing));
  auto r = RunTimelined({"serve", "--config", dir.File("timelined.toml")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("kubeconfig " + missing), std::string::npos) << r.output;

  // Outside a pod, in_cluster credentials are refused the same way.
  WriteFile(dir.File("incluster.toml"), "[server]\nlisten = \"127.0.0.1:0\"\n[store]\npath = \"" +
                                            dir.File("t.db") +
                                            "\"\n[kubernetes]\nenabled = true\n");
  unsetenv("KUBERNETES_SERVICE_HOST");
  auto ic = RunTimelined({"serve", "--config", dir.File("incluster.toml")});
  EXPECT_EQ(ic.exit_code, 1) << ic.output;
  EXPECT_NE(ic.output.find("in_cluster"), std::string::npos) << ic.output;
}

TEST(KubeWatch, UnreachableApiServerIsRetriedNotFatal) {
  // Nothing listens on the port: the daemon serves, counts the errors, and stops cleanly.
  TempDir dir;
  uint16_t dead_port = 0;
  {
    FakeApiServer probe({});
    dead_port = static_cast<uint16_t>(std::stoi(probe.url().substr(17)));
  }
  WriteFile(dir.File("kubeconfig"), Kubeconfig("http://127.0.0.1:" + std::to_string(dead_port)));
  Daemon d(dir, KubeToml(dir.File("kubeconfig")));
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  HttpClient http(d.port());
  ASSERT_TRUE(WaitUntil([&] {
    return Metric(http.Call("GET", "/metrics").body, "timelined_kubernetes_watch_errors_total") >=
           2;
  }));
  auto ready = http.Call("GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;  // readiness does not depend on the cluster
  EXPECT_EQ(d.Stop(SIGTERM), 0) << ReadFile(d.log_path());
}

// events.k8s.io/v1 shape: `regarding`, `note`, `series`, no count.
json NewStyleEv(const std::string& uid, int series_count, const std::string& rv) {
  return {{"kind", "Event"},
          {"apiVersion", "events.k8s.io/v1"},
          {"metadata",
           {{"uid", uid},
            {"name", "web-0." + uid},
            {"namespace", "shop"},
            {"resourceVersion", rv},
            {"creationTimestamp", "2026-03-14T09:20:00Z"}}},
          {"regarding", {{"kind", "Pod"}, {"namespace", "shop"}, {"name", "web-0"}}},
          {"reason", "FailedScheduling"},
          {"type", "Warning"},
          {"note", "0/6 nodes are available: 6 Insufficient memory."},
          {"reportingController", "default-scheduler"},
          {"eventTime", "2026-03-14T09:20:00.482913Z"},
          {"series", {{"count", series_count}, {"lastObservedTime", "2026-03-14T09:25:00.1Z"}}}};
}

std::string TlsKubeconfig(const std::string& server, const std::string& ca_path) {
  return "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: fake\n"
         "  cluster:\n    server: " +
         server + "\n    certificate-authority: " + ca_path +
         "\ncontexts:\n- name: test\n  context:\n    cluster: fake\n    user: watcher\n"
         "users:\n- name: watcher\n  user:\n    token: tls-token\n";
}

std::string TlsToml(const std::string& kubeconfig, bool insecure) {
  return "[kubernetes]\nenabled = true\ncredentials = \"kubeconfig\"\nkubeconfig = \"" +
         kubeconfig + "\"\napi = \"events.k8s.io/v1\"\nbackoff_base_ms = 10\n" +
         "backoff_cap_ms = 200\ninsecure_skip_tls_verify = " + (insecure ? "true" : "false") + "\n";
}

std::deque<FakeResponse> NewStyleScript() {
  std::deque<FakeResponse> script;
  script.push_back(List("300", {NewStyleEv("n1", 2, "290")}));
  script.push_back({200, {Line("MODIFIED", NewStyleEv("n1", 3, "301"))}, End::kHold, {}});
  return script;
}

// HTTPS with the cluster CA from the kubeconfig, the events.k8s.io/v1 API group; then a
// server whose certificate that CA did not sign: refused (retried, nothing stored) unless
// the testing-only insecure flag is set.
TEST(KubeWatch, TlsVerifiedByDefaultAgainstTheKubeconfigCa) {
  const connectors::testing::TestCert ca =
      connectors::testing::MakeSelfSignedCert("IP:127.0.0.1", 1);
  const connectors::testing::TestCert other =
      connectors::testing::MakeSelfSignedCert("IP:127.0.0.1", 2);
  {
    FakeApiServer api(NewStyleScript(), ca.cert_pem, ca.key_pem);
    TempDir dir;
    WriteFile(dir.File("ca.pem"), ca.cert_pem);
    WriteFile(dir.File("kubeconfig"), TlsKubeconfig(api.url(), dir.File("ca.pem")));
    Daemon d(dir, TlsToml(dir.File("kubeconfig"), false));
    ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
    HttpClient http(d.port());
    ASSERT_TRUE(WaitUntil([&] {
      return http.Call("GET", "/v1/events/" + Id("n1", 3)).status == 200;
    })) << ReadFile(d.log_path());
    json e = json::parse(http.Call("GET", "/v1/events/" + Id("n1", 2)).body);
    EXPECT_EQ(e["kind"], "k8s.FailedScheduling");
    EXPECT_EQ(e["scope"], "k8s/shop/web");
    const auto reqs = api.requests();
    ASSERT_GE(reqs.size(), 2u);
    EXPECT_EQ(reqs[0].target.rfind("/apis/events.k8s.io/v1/events?", 0), 0u) << reqs[0].target;
    EXPECT_EQ(reqs[0].authorization, "Bearer tls-token");
    ASSERT_EQ(d.Stop(SIGTERM), 0);
    EXPECT_EQ(AllEvents(d.db_path()).size(), 2u);
  }
  for (bool insecure : {false, true}) {
    SCOPED_TRACE(insecure ? "insecure_skip_tls_verify = true" : "verification on");
    FakeApiServer api(NewStyleScript(), other.cert_pem, other.key_pem);
    TempDir dir;
    WriteFile(dir.File("ca.pem"), ca.cert_pem);  // not the CA of this server
    WriteFile(dir.File("kubeconfig"), TlsKubeconfig(api.url(), dir.File("ca.pem")));
    Daemon d(dir, TlsToml(dir.File("kubeconfig"), insecure));
    ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
    HttpClient http(d.port());
    if (insecure) {
      EXPECT_TRUE(WaitUntil([&] {
        return http.Call("GET", "/v1/events/" + Id("n1", 3)).status == 200;
      })) << ReadFile(d.log_path());
    } else {
      EXPECT_TRUE(WaitUntil([&] {
        return Metric(http.Call("GET", "/metrics").body,
                      "timelined_kubernetes_watch_errors_total") >= 2;
      }));
      EXPECT_TRUE(api.requests().empty());  // no request crossed the failed handshake
    }
    ASSERT_EQ(d.Stop(SIGTERM), 0);
    EXPECT_EQ(AllEvents(d.db_path()).size(), insecure ? 2u : 0u);
  }
}

// Sets environment variables for this scope (the daemon inherits them) and restores them.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
    for (const auto& [name, value] : vars) {
      const char* old = getenv(name);
      saved_.push_back({name, old ? std::optional<std::string>(old) : std::nullopt});
      if (value) {
        setenv(name, value, 1);
      } else {
        unsetenv(name);
      }
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, old] : saved_) {
      if (old) {
        setenv(name, old->c_str(), 1);
      } else {
        unsetenv(name);
      }
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::vector<std::pair<const char*, std::optional<std::string>>> saved_;
};

// The outbound proxy through the binary: HTTPS_PROXY from the daemon's environment takes
// the watcher's LIST and WATCH through CONNECT tunnels to an API server named kube.test,
// which only the proxy can reach (it maps every name to loopback); TLS stays end to end,
// checked against the kubeconfig's CA for that name.
TEST(KubeWatch, GoesThroughTheHttpsProxyFromTheEnvironment) {
  const connectors::testing::TestCert ca =
      connectors::testing::MakeSelfSignedCert("DNS:kube.test", 3);
  FakeApiServer api(NewStyleScript(), ca.cert_pem, ca.key_pem);
  connectors::testing::TestProxy proxy;
  const std::string authority = "kube.test:" + api.url().substr(api.url().rfind(':') + 1);
  const std::string proxy_url = proxy.url();
  ScopedEnv env({{"HTTPS_PROXY", proxy_url.c_str()},
                 {"https_proxy", nullptr},
                 {"NO_PROXY", nullptr},
                 {"no_proxy", nullptr}});
  TempDir dir;
  WriteFile(dir.File("ca.pem"), ca.cert_pem);
  WriteFile(dir.File("kubeconfig"), TlsKubeconfig("https://" + authority, dir.File("ca.pem")));
  Daemon d(dir, TlsToml(dir.File("kubeconfig"), false));
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  HttpClient http(d.port());
  ASSERT_TRUE(WaitUntil([&] {
    return http.Call("GET", "/v1/events/" + Id("n1", 3)).status == 200;
  })) << ReadFile(d.log_path());
  ASSERT_EQ(d.Stop(SIGTERM), 0);
  EXPECT_EQ(AllEvents(d.db_path()).size(), 2u);
  const auto reqs = api.requests();
  ASSERT_GE(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].authorization, "Bearer tls-token");
  const auto seen = proxy.seen();
  ASSERT_GE(seen.size(), 2u);  // the LIST and the WATCH, each in its own tunnel
  for (const auto& [line, auth] : seen) EXPECT_EQ(line, "CONNECT " + authority);
}

}  // namespace
}  // namespace timelined::testing
