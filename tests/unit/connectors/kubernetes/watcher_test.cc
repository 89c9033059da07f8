#include "connectors/kubernetes/watcher.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>

#include "tests/unit/connectors/common/test_proxy.h"
#include "tests/unit/connectors/kubernetes/fake_api_server.h"
#include "tests/unit/connectors/kubernetes/test_certs.h"

namespace timelined::connectors::kubernetes {
namespace {

using nlohmann::json;
using testing::FakeApiServer;
using testing::FakeResponse;
using End = FakeResponse::End;

constexpr std::chrono::seconds kWait{20};

json Ev(const std::string& uid, int count, const std::string& rv) {
  return {{"kind", "Event"},
          {"apiVersion", "v1"},
          {"metadata",
           {{"uid", uid}, {"name", "p." + uid}, {"namespace", "prod"}, {"resourceVersion", rv}}},
          {"involvedObject", {{"kind", "Pod"}, {"name", "payments-7d9f8b6c4-x2k9p"}}},
          {"reason", "BackOff"},
          {"type", "Warning"},
          {"message", "Back-off restarting failed container api"},
          {"count", count},
          {"lastTimestamp", "2026-03-14T09:19:40Z"}};
}

std::string Line(const std::string& type, const json& obj) {
  return json{{"type", type}, {"object", obj}}.dump() + "\n";
}

std::string Bookmark(const std::string& rv) {
  return Line("BOOKMARK",
              {{"kind", "Event"}, {"apiVersion", "v1"}, {"metadata", {{"resourceVersion", rv}}}});
}

std::string StatusLine(int code, const std::string& reason) {
  return Line("ERROR", {{"kind", "Status"},
                        {"apiVersion", "v1"},
                        {"metadata", json::object()},
                        {"status", "Failure"},
                        {"message", "too old resource version: 48213377 (48299001)"},
                        {"reason", reason},
                        {"code", code}});
}

FakeResponse List(const std::string& rv, const std::string& cont, const std::vector<json>& items) {
  json body = {{"kind", "EventList"},
               {"apiVersion", "v1"},
               {"metadata", {{"resourceVersion", rv}, {"continue", cont}}},
               {"items", items}};
  return {200, {body.dump()}, End::kClean};
}

std::string Id(const std::string& uid, int count) {
  return MakeEventId("kubernetes", uid + ":" + std::to_string(count));
}

// Collects what the watcher hands over; optionally fails the first `fail_first` calls.
class Sink {
 public:
  explicit Sink(int fail_first = 0) : fail_left_(fail_first) {}
  EventSink Fn() {
    return [this](std::vector<Event> events) -> Result<void> {
      std::lock_guard<std::mutex> lock(mu_);
      ++calls_;
      if (fail_left_ > 0) {
        --fail_left_;
        return MakeError(ErrorCode::kUnavailable, "store_down");
      }
      for (const Event& e : events) ids_.push_back(e.id);
      cv_.notify_all();
      return {};
    };
  }
  bool WaitForIds(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return ids_.size() >= n; });
  }
  std::vector<std::string> ids() const {
    std::lock_guard<std::mutex> lock(mu_);
    return ids_;
  }
  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> ids_;
  int fail_left_;
  int calls_ = 0;
};

WatchOptions FastOptions() {
  WatchOptions o;
  o.backoff_base = std::chrono::milliseconds(10);
  o.backoff_cap = std::chrono::milliseconds(40);
  return o;
}

class WatcherTest : public ::testing::Test {
 protected:
  std::unique_ptr<Watcher> MakeWatcher(const FakeApiServer& server, Sink& sink,
                                       WatchOptions options = FastOptions(),
                                       KubeCredentials creds = {}) {
    creds.server = server.url();
    auto w = std::make_unique<Watcher>(creds, options, sink.Fn());
    w->SetSleeperForTesting([this](std::chrono::milliseconds d) {
      std::lock_guard<std::mutex> lock(mu_);
      sleeps_.push_back(d);
    });
    w->SetRandomForTesting([] { return 0.5; });
    return w;
  }
  std::vector<std::chrono::milliseconds> sleeps() {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }
  std::vector<std::string> Targets(const FakeApiServer& server) {
    std::vector<std::string> out;
    for (const auto& r : server.requests()) out.push_back(r.target);
    return out;
  }

  std::mutex mu_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

const std::string kWatchTail = "&allowWatchBookmarks=true&timeoutSeconds=300";

TEST_F(WatcherTest, ListWatchReconnectExpireRelist) {
  const json a1 = Ev("uid-a", 1, "90"), b1 = Ev("uid-b", 1, "91"), c1 = Ev("uid-c", 1, "92");
  const json d1 = Ev("uid-d", 1, "101"), a2 = Ev("uid-a", 2, "102"),
             a2_again = Ev("uid-a", 2, "103");
  const std::string added = Line("ADDED", d1);
  std::deque<FakeResponse> script;
  script.push_back(List("100", "tok/1", {a1, b1}));
  script.push_back(List("100", "", {c1}));
  // The first line arrives split over two chunks; then the connection drops.
  script.push_back({200,
                    {added.substr(0, 40), added.substr(40), Line("MODIFIED", a2),
                     Line("MODIFIED", a2_again), Bookmark("104")},
                    End::kDrop});
  script.push_back({200, {StatusLine(410, "Expired")}, End::kClean});
  script.push_back(List("200", "",
                        {Ev("uid-a", 2, "150"), Ev("uid-b", 3, "160"), Ev("uid-c", 1, "92"),
                         Ev("uid-d", 1, "101"), Ev("uid-e", 1, "170")}));
  script.push_back({200, {}, End::kHold});
  FakeApiServer server(std::move(script));
  Sink sink;
  auto watcher = MakeWatcher(server, sink);
  ASSERT_TRUE(watcher->Start().has_value());
  ASSERT_TRUE(server.WaitForRequests(6));
  ASSERT_TRUE(sink.WaitForIds(7));
  watcher->Stop();

  const std::vector<std::string> expected_targets = {
      "/api/v1/events?limit=500",
      "/api/v1/events?limit=500&continue=tok%2F1",
      "/api/v1/events?watch=1&resourceVersion=100" + kWatchTail,
      "/api/v1/events?watch=1&resourceVersion=104" + kWatchTail,  // resumes after the bookmark
      "/api/v1/events?limit=500",                                 // 410 -> relist
      "/api/v1/events?watch=1&resourceVersion=200" + kWatchTail,
  };
  EXPECT_EQ(Targets(server), expected_targets);
  const std::vector<std::string> ids = sink.ids();
  const std::vector<std::string> expected_ids = {Id("uid-a", 1), Id("uid-b", 1), Id("uid-c", 1),
                                                 Id("uid-d", 1), Id("uid-a", 2), Id("uid-b", 3),
                                                 Id("uid-e", 1)};
  EXPECT_EQ(ids, expected_ids);  // exact order, nothing twice, nothing missed
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  const WatchStats& s = watcher->stats();
  EXPECT_EQ(s.events_emitted.load(), 7u);
  EXPECT_EQ(s.relists.load(), 1u);
  EXPECT_EQ(s.reconnects.load(), 2u);
  EXPECT_EQ(s.last_rv(), "200");
  EXPECT_GT(s.last_rv_at_ns.load(), 0);
  EXPECT_FALSE(s.connected.load());
}

// API servers (and proxies in front of them) answer small LISTs with a Content-Length body,
// not chunked. Boost 1.74 with an empty body limit failed every such response.
TEST_F(WatcherTest, ListAnsweredWithContentLengthIsRead) {
  FakeResponse list = List("100", "", {Ev("uid-a", 1, "90"), Ev("uid-b", 2, "91")});
  list.content_length = true;
  std::deque<FakeResponse> script;
  script.push_back(list);
  script.push_back({200, {Line("ADDED", Ev("uid-c", 1, "101"))}, End::kHold});
  FakeApiServer server(std::move(script));
  Sink sink;
  auto watcher = MakeWatcher(server, sink);
  ASSERT_TRUE(watcher->Start().has_value());
  ASSERT_TRUE(sink.WaitForIds(3));
  watcher->Stop();
  const std::vector<std::string> expected = {Id("uid-a", 1), Id("uid-b", 2), Id("uid-c", 1)};
  EXPECT_EQ(sink.ids(), expected);
  EXPECT_EQ(watcher->stats().relists.load(), 0u);
}

// The watcher asks for identity; a compressed answer anyway is an error it backs off from
// and relists, not bytes it tries to read as JSON.
TEST_F(WatcherTest, CompressedListIsAnErrorThenRelisted) {
  FakeResponse gz = List("100", "", {Ev("uid-a", 1, "90")});
  gz.content_length = true;
  gz.extra_headers = "Content-Encoding: gzip\r\n";
  gz.pieces = {std::string("\x1f\x8b\x08\x00garbage", 12)};
  FakeResponse list = List("100", "", {Ev("uid-a", 1, "90")});
  list.content_length = true;
  std::deque<FakeResponse> script;
  script.push_back(gz);
  script.push_back(list);
  script.push_back({200, {}, End::kHold});
  FakeApiServer server(std::move(script));
  Sink sink;
  auto watcher = MakeWatcher(server, sink);
  ASSERT_TRUE(watcher->Start().has_value());
  ASSERT_TRUE(sink.WaitForIds(1));
  ASSERT_TRUE(server.WaitForRequests(3));
  watcher->Stop();
  const std::vector<std::string> expected = {Id("uid-a", 1)};
  EXPECT_EQ(sink.ids(), expected);
  EXPECT_FALSE(sleeps().empty()) << "the failed LIST backs off before retrying";
}

TEST_F(WatcherTest, Http410OnWatchRelistsAndNamespaceSelectorsArePassed) {
  std::deque<FakeResponse> script;
  script.push_back(List("10", "", {Ev("uid-a", 1, "5")}));
  script.push_back({410, {R"({"kind":"Status","code":410,"reason":"Gone"})"}, End::kClean});
  script.push_back(List("20", "", {Ev("uid-a", 1, "5"), Ev("uid-b", 1, "15")}));
  script.push_back({200, {}, End::kHold});
  FakeApiServer server(std::move(script));
  Sink sink;
  WatchOptions o = FastOptions();
  o.namespace_name = "prod";
  o.field_selector = "type=Warning";
  o.timeout_seconds = 60;
  auto watcher = MakeWatcher(server, sink, o);
  ASSERT_TRUE(watcher->Start().has_value());
  ASSERT_TRUE(server.WaitForRequests(4));
  ASSERT_TRUE(sink.WaitForIds(2));
  watcher->Stop();
  const std::string base = "/api/v1/namespaces/prod/events?";
  const std::vector<std::string> expected = {
      base + "limit=500&fieldSelector=type%3DWarning",
      base +
          "watch=1&resourceVersion=10&allowWatchBookmarks=true&timeoutSeconds=60"
          "&fieldSelector=type%3DWarning",
      base + "limit=500&fieldSelector=type%3DWarning",
      base +
          "watch=1&resourceVersion=20&allowWatchBookmarks=true&timeoutSeconds=60"
          "&fieldSelector=type%3DWarning",
  };
  EXPECT_EQ(Targets(server), expected);
  EXPECT_EQ(sink.ids(), (std::vector<std::string>{Id("uid-a", 1), Id("uid-b", 1)}));
}

TEST_F(WatcherTest, SinkFailureKeepsTheResourceVersionAndRedelivers) {
  std::deque<FakeResponse> script;
  script.push_back(List("10", "", {}));
  script.push_back({200, {Line("ADDED", Ev("uid-a", 1, "11"))}, End::kHold});  // sink fails
  script.push_back({200, {Line("ADDED", Ev("uid-a", 1, "11"))}, End::kHold});  // redelivered
  FakeApiServer server(std::move(script));
  Sink sink(/*fail_first=*/1);
  auto watcher = MakeWatcher(server, sink);
  ASSERT_TRUE(watcher->Start().has_value());
  ASSERT_TRUE(sink.WaitForIds(1));
  watcher->Stop();
  const auto targets = Targets(server);
  ASSERT_EQ(targets.size(), 3u);
  EXPECT_EQ(targets[1], targets[2]);  // same resourceVersion=10 after the failure
  EXPECT_NE(targets[2].find("resourceVersion=10&"), std::string::npos);
  EXPECT_EQ(sink.ids(), std::vector<std::string>{Id("uid-a", 1)});
  EXPECT_EQ(sink.calls(), 2);
  EXPECT_EQ(watcher->stats().errors.load(), 1u);
  EXPECT_EQ(sleeps().size(), 1u);
}

TEST_F(WatcherTest, OtherErrorBacksOffAndRelists) {
  std::deque<FakeResponse> script;
  script.push_back(List("10", "", {}));
  script.push_back({200, {StatusLine(500, "InternalError")}, End::kClean});
  script.push_back(List("11", "", {Ev("uid-a", 1, "11")}));
  script.push_back({200, {}, End::kHold});
  FakeApiServer server(std::move(script));
  Sink sink;
  auto watcher = MakeWatcher(server, sink);
  ASSERT_TRUE(watcher->Start().has_value());
  ASSERT_TRUE(server.WaitForRequests(4));
  ASSERT_TRUE(sink.WaitForIds(1));
  watcher->Stop();
  const auto targets = Targets(server);
  EXPECT_EQ(targets[2], "/api/v1/events?limit=500");
  EXPECT_EQ(sleeps(), std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(7)});
  EXPECT_EQ(watcher->stats().relists.load(), 1u);
}

TEST_F(WatcherTest, UnauthorizedRereadsTheTokenFile) {
  const auto path =
      std::filesystem::temp_directory_path() / ("timelined-token-" + std::to_string(::getpid()));
  std::ofstream(path) << "old-token\n";
  std::deque<FakeResponse> script;
  script.push_back(List("10", "", {}));
  // The token rotates while the watch request is in flight; the 401 must make the watcher
  // re-read the file (the periodic re-read interval is far away).
  script.push_back({401, {R"({"kind":"Status","code":401})"}, End::kClean, [&path] {
                      std::ofstream(path) << "new-token\n";
                    }});
  script.push_back({200, {}, End::kHold});
  FakeApiServer server(std::move(script));
  Sink sink;
  KubeCredentials creds;
  creds.token_file = path.string();
  WatchOptions o = FastOptions();
  o.token_reread = std::chrono::seconds(3600);
  auto watcher = MakeWatcher(server, sink, o, creds);
  ASSERT_TRUE(watcher->Start().has_value());
  ASSERT_TRUE(server.WaitForRequests(3));
  watcher->Stop();
  std::filesystem::remove(path);
  const auto requests = server.requests();
  EXPECT_EQ(requests[0].authorization, "Bearer old-token");
  EXPECT_EQ(requests[1].authorization, "Bearer old-token");
  EXPECT_EQ(requests[2].authorization, "Bearer new-token");
}

TEST_F(WatcherTest, StopIsPromptDuringAHeldWatchAndDuringBackoff) {
  {
    std::deque<FakeResponse> script;
    script.push_back(List("10", "", {}));
    script.push_back({200, {}, End::kHold});
    FakeApiServer server(std::move(script));
    Sink sink;
    KubeCredentials creds;
    creds.server = server.url();
    Watcher watcher(creds, FastOptions(), sink.Fn());  // real sleeper
    ASSERT_TRUE(watcher.Start().has_value());
    ASSERT_TRUE(server.WaitForRequests(2));
    auto stopped = std::async(std::launch::async, [&] { watcher.Stop(); });
    EXPECT_EQ(stopped.wait_for(kWait), std::future_status::ready);
  }
  {
    std::deque<FakeResponse> script;
    script.push_back({500, {"{}"}, End::kClean});
    FakeApiServer server(std::move(script));
    Sink sink;
    KubeCredentials creds;
    creds.server = server.url();
    WatchOptions o;
    o.backoff_base = std::chrono::hours(1);
    o.backoff_cap = std::chrono::hours(1);
    Watcher watcher(creds, o, sink.Fn());
    ASSERT_TRUE(watcher.Start().has_value());
    ASSERT_TRUE(server.WaitForRequests(1));
    auto stopped = std::async(std::launch::async, [&] { watcher.Stop(); });
    EXPECT_EQ(stopped.wait_for(kWait), std::future_status::ready);
    EXPECT_EQ(server.requests().size(), 1u);
  }
}

TEST(WatcherBackoff, CappedExponentialWithJitter) {
  WatchOptions o;
  o.backoff_base = std::chrono::milliseconds(100);
  o.backoff_cap = std::chrono::milliseconds(1000);
  using ms = std::chrono::milliseconds;
  EXPECT_EQ(Watcher::BackoffDelay(o, 1, 0.0), ms(50));
  EXPECT_EQ(Watcher::BackoffDelay(o, 1, 1.0), ms(100));
  EXPECT_EQ(Watcher::BackoffDelay(o, 2, 1.0), ms(200));
  EXPECT_EQ(Watcher::BackoffDelay(o, 4, 1.0), ms(800));
  EXPECT_EQ(Watcher::BackoffDelay(o, 5, 1.0), ms(1000));
  EXPECT_EQ(Watcher::BackoffDelay(o, 500, 0.5), ms(750));
}

TEST(WatcherStart, RejectsBadServerUrl) {
  KubeCredentials creds;
  creds.server = "ftp://nope";
  Watcher watcher(creds, {}, [](std::vector<Event>) -> Result<void> { return {}; });
  auto started = watcher.Start();
  ASSERT_FALSE(started.has_value());
  EXPECT_EQ(started.error().code, ErrorCode::kInvalidInput);
}

// A zero-delay sleeper that counts its calls, with a bounded wait on the count.
class SleepCounter {
 public:
  Sleeper Fn() {
    return [this](std::chrono::milliseconds) {
      std::lock_guard<std::mutex> lock(mu_);
      ++count_;
      cv_.notify_all();
    };
  }
  bool WaitFor(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return count_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

std::deque<FakeResponse> ListThenHold() {
  std::deque<FakeResponse> script;
  script.push_back(List("10", "", {Ev("uid-a", 1, "5")}));
  script.push_back({200, {Line("ADDED", Ev("uid-b", 1, "11"))}, End::kHold});
  return script;
}

TEST_F(WatcherTest, TlsWithTheServersCaInMemory) {
  const testing::TestCert cert = testing::MakeSelfSignedCert("IP:127.0.0.1", 1);
  FakeApiServer server(ListThenHold(), cert.cert_pem, cert.key_pem);
  ASSERT_TRUE(server.url().starts_with("https://127.0.0.1:"));
  Sink sink;
  KubeCredentials creds;
  creds.ca_data = cert.cert_pem;
  creds.bearer_token = "t0k";
  auto watcher = MakeWatcher(server, sink, FastOptions(), creds);
  ASSERT_TRUE(watcher->Start().has_value());
  ASSERT_TRUE(sink.WaitForIds(2));
  watcher->Stop();
  EXPECT_EQ(sink.ids(), (std::vector<std::string>{Id("uid-a", 1), Id("uid-b", 1)}));
  EXPECT_EQ(server.requests().at(0).authorization, "Bearer t0k");
}

TEST_F(WatcherTest, TlsRejectsAnUntrustedServer) {
  const testing::TestCert cert = testing::MakeSelfSignedCert("IP:127.0.0.1", 2);
  const testing::TestCert other = testing::MakeSelfSignedCert("IP:127.0.0.1", 3);
  FakeApiServer server(ListThenHold(), cert.cert_pem, cert.key_pem);
  Sink sink;
  KubeCredentials creds;
  creds.ca_data = other.cert_pem;
  creds.server = server.url();
  SleepCounter sleeps;
  Watcher watcher(creds, FastOptions(), sink.Fn());
  watcher.SetSleeperForTesting(sleeps.Fn());
  ASSERT_TRUE(watcher.Start().has_value());
  ASSERT_TRUE(sleeps.WaitFor(2));
  watcher.Stop();
  EXPECT_TRUE(server.requests().empty());  // no request got past the handshake
  EXPECT_TRUE(sink.ids().empty());
  EXPECT_GE(watcher.stats().errors.load(), 2u);
}

TEST_F(WatcherTest, TlsWrongHostNameIsRejected) {
  const testing::TestCert cert = testing::MakeSelfSignedCert("DNS:api.example.internal", 4);
  FakeApiServer server(ListThenHold(), cert.cert_pem, cert.key_pem);
  Sink sink;
  KubeCredentials creds;
  creds.ca_data = cert.cert_pem;
  creds.server = server.url();
  SleepCounter sleeps;
  Watcher watcher(creds, FastOptions(), sink.Fn());
  watcher.SetSleeperForTesting(sleeps.Fn());
  ASSERT_TRUE(watcher.Start().has_value());
  ASSERT_TRUE(sleeps.WaitFor(2));
  watcher.Stop();
  EXPECT_GE(watcher.stats().errors.load(), 2u);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(WatcherTest, TlsInsecureSkipVerify) {
  const testing::TestCert cert = testing::MakeSelfSignedCert("DNS:elsewhere", 5);
  FakeApiServer server(ListThenHold(), cert.cert_pem, cert.key_pem);
  Sink sink;
  KubeCredentials creds;
  creds.insecure_skip_verify = true;
  auto watcher = MakeWatcher(server, sink, FastOptions(), creds);
  ASSERT_TRUE(watcher->Start().has_value());
  ASSERT_TRUE(sink.WaitForIds(2));
  watcher->Stop();
}

// The watcher uses the shared client, so HTTPS_PROXY applies to it: LIST and WATCH go through
// CONNECT tunnels to a server named kube.test (only the proxy maps it to loopback), TLS
// stays end to end with the API server, and Stop() still ends the held watch.
TEST_F(WatcherTest, GoesThroughTheHttpsProxy) {
  const testing::TestCert cert = testing::MakeSelfSignedCert("DNS:kube.test", 6);
  FakeApiServer server(ListThenHold(), cert.cert_pem, cert.key_pem);
  testing::TestProxy proxy;
  const std::string authority = "kube.test:" + server.url().substr(server.url().rfind(':') + 1);
  Sink sink;
  KubeCredentials creds;
  creds.ca_data = cert.cert_pem;
  creds.bearer_token = "t0k";
  creds.server = "https://" + authority;
  WatchOptions o = FastOptions();
  o.proxy = ProxySettings{proxy.url(), "", ""};
  Watcher watcher(creds, o, sink.Fn());
  ASSERT_TRUE(watcher.Start().has_value());
  ASSERT_TRUE(sink.WaitForIds(2));
  ASSERT_TRUE(server.WaitForRequests(2));
  auto stopped = std::async(std::launch::async, [&] { watcher.Stop(); });
  EXPECT_EQ(stopped.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(sink.ids(), (std::vector<std::string>{Id("uid-a", 1), Id("uid-b", 1)}));
  EXPECT_EQ(server.requests().at(1).authorization, "Bearer t0k");
  const auto seen = proxy.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].first, "CONNECT " + authority);
  EXPECT_EQ(seen[1].first, "CONNECT " + authority);
}

TEST(WatcherStart, RejectsUnreadableCaFile) {
  KubeCredentials creds;
  creds.server = "https://127.0.0.1:1";
  creds.ca_file = "/nonexistent/ca.crt";
  Watcher watcher(creds, {}, [](std::vector<Event>) -> Result<void> { return {}; });
  auto started = watcher.Start();
  ASSERT_FALSE(started.has_value());
  EXPECT_EQ(started.error().message, "invalid_tls_config");
}

}  // namespace
}  // namespace timelined::connectors::kubernetes
