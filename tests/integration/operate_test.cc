// Operating the daemon through the real binary (issue 17): the graceful drain on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite_store.h"
#include "tests/integration/harness.h"

namespace timelined::testing {
namespace {

using nlohmann::json;

std::string EventJson(const std::string& ref) {
  return json{{"source", "log"},
              {"source_ref", ref},
              {"kind", "log.error"},
              {"occurred_at", "2026-03-14T09:26:10Z"},
              {"scope", "log/payments/api"},
              {"severity", "error"},
              {"summary", "disk full on db-1"}}
      .dump();
}

// The acknowledged event ids a 200 answer to POST /ingest/events names.
void CollectIds(const HttpResult& r, std::mutex& mu, std::set<std::string>& acked) {
  json answer = json::parse(r.body, nullptr, false);
  if (!answer.is_object() || !answer.contains("ids")) {
    ADD_FAILURE() << "200 without ids: " << r.body;
    return;
  }
  std::lock_guard lock(mu);
  for (const auto& id : answer["ids"]) acked.insert(id.get<std::string>());
}

void ExpectAllStored(const std::string& db, const std::set<std::string>& acked) {
  store::StoreOptions o;
  o.path = db;
  auto st = store::SqliteEventStore::Open(o);
  ASSERT_TRUE(st);
  size_t missing = 0;
  for (const auto& id : acked) {
    auto e = (*st)->GetEvent(id);
    if (!e || !e->has_value()) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged events";
  auto report = (*st)->VerifyChain();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok);
}

// SIGTERM: /readyz turns 503 (reason draining) while ingest keeps answering 2xx on fresh and
// keep-alive connections; only then does the listener close; every acknowledged event is
// stored after exit.
TEST(Drain, ReadyzFailsFirstRequestsKeepBeingServedNothingAcknowledgedIsLost) {
  TempDir dir;
  Daemon d(dir, "", "drain_ms = 3000\nshutdown_grace_ms = 10000");
  ASSERT_TRUE(d.started());
  const uint16_t port = d.port();
  ASSERT_EQ(HttpCall(port, "GET", "/readyz").status, 200);

  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<bool> signalled{false};
  std::atomic<int> keepalive_posts_after_signal{0};
  // Keep-alive clients posting throughout: requests in flight when the listener closes.
  std::vector<std::thread> clients;
  for (int c = 0; c < 2; ++c) {
    clients.emplace_back([&, c] {
      HttpClient client(port);
      for (int i = 0;; ++i) {
        const bool after = signalled;
        auto r = client.Call("POST", "/ingest/events",
                             EventJson("ka-" + std::to_string(c) + "-" + std::to_string(i)));
        if (r.status == 0) break;  // the connection was closed by the stop
        EXPECT_EQ(r.status, 200) << r.body;
        if (r.status != 200) break;
        CollectIds(r, mu, acked);
        if (after) ++keepalive_posts_after_signal;
      }
    });
  }
  // One acknowledged post before the signal, so the store has something either way.
  auto first = HttpCall(port, "POST", "/ingest/events", EventJson("before"));
  ASSERT_EQ(first.status, 200) << first.body;
  CollectIds(first, mu, acked);

  d.Signal(SIGTERM);
  signalled = true;
  bool saw_draining = false;
  int fresh_posts_while_draining = 0;
  int readyz_ok_after_draining = 0;
  int failures = 0;
  // Alternate /readyz and a post on fresh connections until a connection fails: that is the
  // listener closing. The deadline only matters when the test fails.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
    auto rz = HttpCall(port, "GET", "/readyz");
    if (rz.status == 0) break;
    if (rz.status == 503) {
      json j = json::parse(rz.body, nullptr, false);
      const std::string reason = j.is_object() ? j.value("reason", "") : "";
      EXPECT_TRUE(reason == "draining" || reason == "stopping") << rz.body;
      if (reason == "draining") saw_draining = true;
    } else {
      EXPECT_EQ(rz.status, 200) << rz.body;
      if (saw_draining) ++readyz_ok_after_draining;
    }
    auto p = HttpCall(port, "POST", "/ingest/events", EventJson("fresh-" + std::to_string(i)));
    if (p.status == 0) break;
    if (p.status != 200) {
      ++failures;
      ADD_FAILURE() << "during the drain: " << p.status << " " << p.body;
      break;
    }
    CollectIds(p, mu, acked);
    if (saw_draining) ++fresh_posts_while_draining;
  }
  EXPECT_TRUE(saw_draining) << "/readyz never answered 503 draining before the listener closed";
  EXPECT_EQ(readyz_ok_after_draining, 0) << "/readyz went back to 200 during the drain";
  EXPECT_GT(fresh_posts_while_draining, 0) << "no request was served while /readyz said 503";
  EXPECT_EQ(failures, 0);
  // The listener is closed now: new connections are refused until the process is gone.
  EXPECT_EQ(HttpCall(port, "GET", "/healthz").status, 0);
  EXPECT_EQ(d.Wait(std::chrono::seconds(60)), 0);
  for (auto& t : clients) t.join();
  EXPECT_GT(keepalive_posts_after_signal.load(), 0);
  ExpectAllStored(d.db_path(), acked);
  std::printf("drain: %zu events acknowledged and stored; %d fresh-connection posts served "
              "while /readyz said 503; %d keep-alive posts answered after the signal\n",
              acked.size(), fresh_posts_while_draining, keepalive_posts_after_signal.load());
  const std::string log = ReadFile(d.log_path());
  EXPECT_NE(log.find("draining for 3000 ms"), std::string::npos) << log;
}

// A second signal ends a long drain at once (an operator's second Ctrl-C).
TEST(Drain, SecondSignalEndsTheDrain) {
  TempDir dir;
  Daemon d(dir, "", "drain_ms = 300000");
  ASSERT_TRUE(d.started());
  d.Signal(SIGTERM);
  auto rz = WaitForGet(d.port(), "/readyz", [](const HttpResult& r) { return r.status == 503; });
  ASSERT_EQ(rz.status, 503) << rz.body;
  EXPECT_EQ(json::parse(rz.body).value("reason", ""), "draining") << rz.body;
  // Still serving while draining.
  EXPECT_EQ(HttpCall(d.port(), "GET", "/healthz").status, 200);
  d.Signal(SIGINT);
  // Far less than the 300 s drain: the process exits after the second signal.
  EXPECT_EQ(d.Wait(std::chrono::seconds(60)), 0);
  EXPECT_NE(ReadFile(d.log_path()).find("while draining: stopping now"), std::string::npos);
}

// drain_ms = 0: the listener closes at once, as before; /readyz was 200 up to the signal.
TEST(Drain, ZeroDrainClosesAtOnce) {
  TempDir dir;
  Daemon d(dir, "", "drain_ms = 0");
  ASSERT_TRUE(d.started());
  EXPECT_EQ(HttpCall(d.port(), "GET", "/readyz").status, 200);
  EXPECT_EQ(d.Stop(SIGTERM), 0);
  EXPECT_NE(ReadFile(d.log_path()).find("server.drain_ms = 0"), std::string::npos);
}

}  // namespace
}  // namespace timelined::testing
