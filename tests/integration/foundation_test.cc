// The daemon's foundation through the real binary: ingest, read back, errors that store
// nothing, auth scopes, metrics, graceful shutdown under load, chain verification.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "store/model/hash.h"
#include "store/sqlite_store.h"
#include "tests/integration/harness.h"

namespace timelined::testing {
namespace {

using nlohmann::json;

std::string EventJson(const std::string& ref, const std::string& summary = "disk full on db-1") {
  return json{{"source", "log"},
              {"source_ref", ref},
              {"kind", "log.error"},
              {"occurred_at", "2026-03-14T09:26:10Z"},
              {"scope", "log/payments/api"},
              {"severity", "error"},
              {"summary", summary}}
      .dump();
}

uint64_t CountEvents(const std::string& db) {
  store::StoreOptions o;
  o.path = db;
  auto st = store::SqliteEventStore::Open(o);
  if (!st) return UINT64_MAX;
  auto n = (*st)->CountEvents();
  return n ? *n : UINT64_MAX;
}

TEST(Foundation, IngestReadBackAndIdempotency) {
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());

  auto r = HttpCall(d.port(), "POST", "/ingest/events", EventJson("r1"),
                    {{"content-type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json body = json::parse(r.body);
  EXPECT_EQ(body["inserted"], 1);
  std::string id = body["ids"][0];
  EXPECT_EQ(id, MakeEventId("log", "r1"));

  auto got = HttpCall(d.port(), "GET", "/v1/events/" + id);
  ASSERT_EQ(got.status, 200);
  json e = json::parse(got.body);
  EXPECT_EQ(e["summary"], "disk full on db-1");
  EXPECT_EQ(e["seq"], 1);
  EXPECT_EQ(e["chain"].get<std::string>().size(), 64u);

  auto again = HttpCall(d.port(), "POST", "/ingest/events", EventJson("r1"));
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["duplicates"], 1);

  auto missing = HttpCall(d.port(), "GET", "/v1/events/lg_aaaaaaaaaaaaaaaa");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["error"], "not_found");
  EXPECT_EQ(d.Stop(SIGTERM), 0);
  EXPECT_EQ(CountEvents(d.db_path()), 1u);
}

TEST(Foundation, RedactsBeforeStoring) {
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started());
  auto r = HttpCall(d.port(), "POST", "/ingest/events",
                    EventJson("r2", "login failed for alice@example.com key AKIAIOSFODNN7EXAMPLE"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto got = HttpCall(d.port(), "GET", "/v1/events/" + MakeEventId("log", "r2"));
  json e = json::parse(got.body);
  std::string summary = e["summary"];
  EXPECT_EQ(summary.find("alice@example.com"), std::string::npos) << summary;
  EXPECT_EQ(summary.find("AKIAIOSFODNN7EXAMPLE"), std::string::npos) << summary;
  EXPECT_GE(e["redactions"].get<int>(), 2);
}

TEST(Foundation, BadRequestsStoreNothing) {
  TempDir dir;
  Daemon d(dir, "", "max_body_bytes = 2048");
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  struct Case {
    std::string body;
    int status;
    std::string error;
  };
  std::string big = "[" + EventJson("big", std::string(3000, 'x')) + "]";
  json mixed = json::array({json::parse(EventJson("ok1")), json{{"source", "log"}}});
  const Case cases[] = {
      {"{not json", 400, "invalid_json"},
      {"[]", 400, "no_events"},
      {mixed.dump(), 400, "missing_field"},
      {big, 413, "body_too_large"},
  };
  for (const Case& c : cases) {
    auto r = HttpCall(d.port(), "POST", "/ingest/events", c.body);
    EXPECT_EQ(r.status, c.status) << c.body.substr(0, 60) << " -> " << r.body;
    auto j = json::parse(r.body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.body;
    EXPECT_EQ(j["error"], c.error);
    EXPECT_TRUE(j.contains("detail"));
  }
  EXPECT_EQ(d.Stop(SIGTERM), 0);
  EXPECT_EQ(CountEvents(d.db_path()), 0u);
}

TEST(Foundation, TokensAndScopes) {
  TempDir dir;
  std::string toml = "[[auth.tokens]]\nname = \"shipper\"\nsha256 = \"" +
                     Sha256Hex("ingest-secret") +
                     "\"\nscopes = [\"ingest\"]\n[[auth.tokens]]\nname = \"reader\"\nsha256 = \"" +
                     Sha256Hex("read-secret") + "\"\nscopes = [\"read\"]\n";
  Daemon d(dir, toml);
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  auto none = HttpCall(d.port(), "POST", "/ingest/events", EventJson("a1"));
  EXPECT_EQ(none.status, 401);
  auto wrong = HttpCall(d.port(), "POST", "/ingest/events", EventJson("a1"),
                        {{"authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 401);
  auto scope = HttpCall(d.port(), "POST", "/ingest/events", EventJson("a1"),
                        {{"authorization", "Bearer read-secret"}});
  EXPECT_EQ(scope.status, 403);
  EXPECT_EQ(json::parse(scope.body)["error"], "forbidden");
  auto ok = HttpCall(d.port(), "POST", "/ingest/events", EventJson("a1"),
                     {{"authorization", "Bearer ingest-secret"}});
  EXPECT_EQ(ok.status, 200);
  std::string target = "/v1/events/" + MakeEventId("log", "a1");
  EXPECT_EQ(HttpCall(d.port(), "GET", target).status, 401);
  EXPECT_EQ(
      HttpCall(d.port(), "GET", target, "", {{"authorization", "Bearer ingest-secret"}}).status,
      403);
  EXPECT_EQ(HttpCall(d.port(), "GET", target, "", {{"authorization", "Bearer read-secret"}}).status,
            200);
  // Health and metrics need no token.
  EXPECT_EQ(HttpCall(d.port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(HttpCall(d.port(), "GET", "/readyz").status, 200);
  EXPECT_EQ(d.Stop(SIGTERM), 0);
  EXPECT_EQ(CountEvents(d.db_path()), 1u);
}

TEST(Foundation, MetricsCountRequestsAndStore) {
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started());
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(
        HttpCall(d.port(), "POST", "/ingest/events", EventJson("m" + std::to_string(i))).status,
        200);
  }
  HttpCall(d.port(), "POST", "/ingest/events", "garbage");
  auto m = HttpCall(d.port(), "GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.headers["content-type"].find("text/plain"), std::string::npos);
  const std::string& t = m.body;
  EXPECT_NE(t.find("timelined_http_requests_total{method=\"POST\",route=\"/ingest/"
                   "events\",status=\"200\"} 3"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("timelined_http_requests_total{method=\"POST\",route=\"/ingest/"
                   "events\",status=\"400\"} 1"),
            std::string::npos);
  EXPECT_NE(t.find("timelined_store_events_inserted_total 3"), std::string::npos);
  EXPECT_NE(t.find("timelined_store_batch_events_count"), std::string::npos);
  EXPECT_NE(t.find("timelined_store_commit_seconds_bucket"), std::string::npos);
}

// Every event whose request got a 2xx before or during shutdown is in the store after exit.
TEST(Foundation, SigtermDuringBurstLosesNothingAcknowledged) {
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started());
  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<bool> stop{false};
  std::condition_variable progressed;
  int sent = 0;  // guarded by mu
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      HttpClient client(d.port());
      for (int i = 0; !stop; ++i) {
        json batch = json::array();
        for (int k = 0; k < 20; ++k) {
          batch.push_back(json::parse(EventJson("burst-" + std::to_string(c) + "-" +
                                                std::to_string(i) + "-" + std::to_string(k))));
        }
        auto r = client.Call("POST", "/ingest/events", batch.dump());
        if (r.status == 0) break;  // connection closed by shutdown
        if (r.status != 200) ADD_FAILURE() << r.status << " " << r.body;
        std::lock_guard lock(mu);
        if (r.status == 200) {
          json answer =
              json::parse(r.body);  // keep alive: range-for over a temporary's member dangles
          for (const auto& id : answer["ids"]) acked.insert(id.get<std::string>());
        }
        ++sent;
        progressed.notify_all();
      }
    });
  }
  // Shut down once a good number of requests are through (bounded wait on a condition).
  {
    std::unique_lock lock(mu);
    progressed.wait_for(lock, std::chrono::seconds(60), [&] { return sent >= 200; });
  }
  EXPECT_EQ(d.Stop(SIGTERM), 0);
  stop = true;
  for (auto& t : clients) t.join();
  ASSERT_FALSE(acked.empty()) << "requests answered: " << sent;
  ExpectAllStored(d.db_path(), acked);
}

TEST(Foundation, VerifyStoreDetectsTampering) {
  TempDir dir;
  std::string db;
  {
    Daemon d(dir);
    ASSERT_TRUE(d.started());
    for (int i = 0; i < 5; ++i) {
      ASSERT_EQ(
          HttpCall(d.port(), "POST", "/ingest/events", EventJson("v" + std::to_string(i))).status,
          200);
    }
    db = d.db_path();
    ASSERT_EQ(d.Stop(SIGTERM), 0);
  }
  auto ok = RunTimelined({"verify-store", "--db", db});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("5 events"), std::string::npos) << ok.output;

  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "UPDATE events SET summary = 'nothing happened' WHERE seq = 3",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  auto bad = RunTimelined({"verify-store", "--db", db});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("seq 3"), std::string::npos) << bad.output;
}

TEST(Foundation, RefusesPublicListenWithoutTokens) {
  TempDir dir;
  auto r = RunTimelined({"serve", "--listen", "0.0.0.0:0", "--db", dir.File("x.db")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("token"), std::string::npos) << r.output;
}

TEST(Foundation, CheckConfigNamesUnknownKey) {
  TempDir dir;
  WriteFile(dir.File("bad.toml"), "[server]\nlisen = \"127.0.0.1:1\"\n");
  auto r = RunTimelined({"check-config", dir.File("bad.toml")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("server.lisen"), std::string::npos) << r.output;
  WriteFile(dir.File("good.toml"), "[server]\nlisten = \"127.0.0.1:9999\"\n");
  auto g = RunTimelined({"check-config", dir.File("good.toml")});
  EXPECT_EQ(g.exit_code, 0) << g.output;
}

}  // namespace
}  // namespace timelined::testing
