// The SQLite event store: idempotent inserts, queries, incidents, the hash chain.
#include <gtest/gtest.h>

#include <algorithm>

#include "store/sqlite_store.h"
#include "tests/unit/store/store_test_util.h"

namespace timelined::store {
namespace {

using namespace testing_util;

std::vector<std::string> Ids(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.id);
  return out;
}

std::vector<Event> Query(const SqliteEventStore& store, const EventQuery& q) {
  auto r = store.QueryEvents(q);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().detail);
  return r ? *r : std::vector<Event>{};
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenStore(Options(dir_));
    ASSERT_NE(store_, nullptr);
  }
  WriteResult Write(std::vector<Event> events) {
    auto r = store_->SubmitAndWait(std::move(events));
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message + ": " + r.error().detail);
    return r ? *r : WriteResult{};
  }

  TempDir dir_;
  std::unique_ptr<SqliteEventStore> store_;
};

TEST_F(StoreTest, OpensAtLatestSchemaVersionAndEmpty) {
  EXPECT_EQ(store_->SchemaVersion(), 1);
  EXPECT_EQ(store_->CountEvents().value(), 0u);
  auto report = store_->VerifyChain();
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok);
  EXPECT_EQ(report->events_checked, 0u);
}

TEST_F(StoreTest, RoundTripsEveryFieldAndSetsSeqAndChain) {
  Event e = MakeEvent("pod-1:1", kT0, "k8s/payments/api", "Q1ABC");
  e.actor = "kubelet";
  e.body = "line one\nline two \xE2\x9C\x93";
  e.url = "https://k8s.example/pod-1";
  e.raw_sha256 = std::string(64, 'a');
  e.redactions = 2;
  e.attrs["ratio"] = 0.25;
  Write({e});
  auto got = store_->GetEvent(e.id);
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->seq, 1);
  EXPECT_EQ((*got)->chain, ChainHash("", e));
  Event expected = e;
  expected.seq = 1;
  expected.chain = ChainHash("", e);
  EXPECT_EQ(**got, expected);
  EXPECT_FALSE(store_->GetEvent(MakeEventId("kubernetes", "absent")).value().has_value());
}

TEST_F(StoreTest, SameIdTwiceInOneBatchIsStoredOnce) {
  Event a = MakeEvent("pod-1:1", kT0);
  Event b = MakeEvent("pod-2:1", kT0 + 1);
  WriteResult r = Write({a, a, b});
  EXPECT_EQ(r.inserted, 2u);
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(r.inserted_ids, (std::vector<std::string>{a.id, b.id}));
  EXPECT_EQ(store_->CountEvents().value(), 2u);
  // The chain advanced only for the two inserts.
  auto gb = store_->GetEvent(b.id).value();
  ASSERT_TRUE(gb.has_value());
  EXPECT_EQ(gb->seq, 2);
  EXPECT_EQ(gb->chain, ChainHash(ChainHash("", a), b));
}

TEST_F(StoreTest, SameIdAcrossBatchesIsStoredOnceAndDoesNotAdvanceTheChain) {
  Event a = MakeEvent("pod-1:1", kT0);
  Event b = MakeEvent("pod-2:1", kT0 + 1);
  EXPECT_EQ(Write({a}).inserted, 1u);
  // A redelivery with different content keeps the first version: evidence is not edited.
  Event a_again = a;
  a_again.summary = "changed";
  WriteResult r = Write({a_again, b});
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(r.inserted_ids, std::vector<std::string>{b.id});
  EXPECT_EQ(store_->GetEvent(a.id).value()->summary, a.summary);
  EXPECT_EQ(store_->GetEvent(b.id).value()->seq, 2);
  StoreStats s = store_->Stats();
  EXPECT_EQ(s.events_inserted, 2u);
  EXPECT_EQ(s.events_duplicate, 1u);
  EXPECT_TRUE(store_->VerifyChain().value().ok);
}

TEST_F(StoreTest, QueriesByIncidentScopePrefixAndWindowInTimeThenIdOrder) {
  std::vector<Event> events = {
      MakeEvent("a", kT0 + 30, "k8s/payments/api", "Q1"),
      MakeEvent("b", kT0 + 10, "k8s/payments/api"),
      MakeEvent("c", kT0 + 20, "k8s/payments/worker", "Q1"),
      MakeEvent("d", kT0 + 20, "k8s/payments/api"),
      MakeEvent("e", kT0 + 5, "k8s/paymentsX/api"),  // shares the prefix without the slash
      MakeEvent("f", kT0 + 40, "k8s/orders/api", "Q2"),
      MakeEvent("g", kT0 + 10, "k8s/payments/api"),
  };
  Write(events);
  auto sorted = [](std::vector<Event> v) {
    std::sort(v.begin(), v.end(), [](const Event& x, const Event& y) {
      return std::tie(x.occurred_at, x.id) < std::tie(y.occurred_at, y.id);
    });
    return Ids(v);
  };
  const auto& ev = events;
  EXPECT_EQ(Ids(Query(*store_, {.incident_id = "Q1"})), sorted({ev[0], ev[2]}));
  EXPECT_EQ(Ids(Query(*store_, {.scope = "k8s/payments/api"})),
            sorted({ev[0], ev[1], ev[3], ev[6]}));
  EXPECT_EQ(Ids(Query(*store_, {.scope_prefix = "k8s/payments/"})),
            sorted({ev[0], ev[1], ev[2], ev[3], ev[6]}));
  EXPECT_EQ(Ids(Query(*store_, {.scope_prefix = "k8s/payments"})),
            sorted({ev[0], ev[1], ev[2], ev[3], ev[4], ev[6]}));
  EXPECT_EQ(Ids(Query(*store_, {.scope = "k8s/payments/api", .from = kT0 + 10, .to = kT0 + 20})),
            sorted({ev[1], ev[3], ev[6]}));
  std::vector<std::string> all = sorted(events);
  EXPECT_EQ(Ids(Query(*store_, {.scope_prefix = "k8s/", .limit = 2})),
            std::vector<std::string>(all.begin(), all.begin() + 2));
  EXPECT_EQ(Ids(Query(*store_, {.from = kT0 + 30})), sorted({ev[0], ev[5]}));
  EXPECT_TRUE(Query(*store_, {.incident_id = "Q404"}).empty());
  // Every query result carries its seq and chain.
  for (const Event& e : Query(*store_, {.scope_prefix = "k8s/"})) {
    EXPECT_GT(e.seq, 0);
    EXPECT_EQ(e.chain.size(), 64u);
  }
}

// Stored scopes are UTF-8 (ValidateEvent), so the highest bytes they hold are those of
// U+10FFFF; a prefix ending in bytes no UTF-8 text holds still bounds its range correctly.
TEST_F(StoreTest, ScopePrefixEndingInHighBytesStillMatches) {
  const std::string top = "k8s/\xf4\x8f\xbf\xbf";  // U+10FFFF
  Write({MakeEvent("a", kT0, top), MakeEvent("b", kT0 + 1, top + "z"),
         MakeEvent("c", kT0 + 2, "k8t")});
  EXPECT_EQ(Query(*store_, {.scope_prefix = top}).size(), 2u);
  EXPECT_EQ(Query(*store_, {.scope_prefix = "k8s/\xf4"}).size(), 2u);
  EXPECT_EQ(Query(*store_, {.scope_prefix = "k8s/\xff"}).size(), 0u);
  EXPECT_EQ(Query(*store_, {.scope_prefix = "k8s/"}).size(), 2u);
}

TEST_F(StoreTest, QueryWithTwoFiltersIsRejected) {
  auto r = store_->QueryEvents({.incident_id = "Q1", .scope = "x"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
}

TEST_F(StoreTest, ForEachEventStopsWhenTheCallbackSaysSo) {
  std::vector<Event> events;
  for (int i = 0; i < 50; ++i) events.push_back(MakeEvent("p" + std::to_string(i), kT0 + i));
  Write(events);
  int seen = 0;
  auto r = store_->ForEachEvent({.scope = "k8s/payments/api"}, [&seen](const Event& e) {
    EXPECT_EQ(e.occurred_at, kT0 + seen);
    return ++seen < 3;
  });
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(seen, 3);
  // The connection went back to the pool in a clean state: more queries work.
  EXPECT_EQ(Query(*store_, {.scope = "k8s/payments/api"}).size(), 50u);
  EXPECT_EQ(store_->CountEvents().value(), 50u);
}

Incident Snapshot(const std::string& status, std::vector<std::string> assignees) {
  Incident i;
  i.id = "Q1ABCDEF";
  i.number = 42;
  i.title = "Payments API 5xx";
  i.service_id = "PSVC1";
  i.service_name = "payments-api";
  i.urgency = "high";
  i.status = status;
  i.assignees = std::move(assignees);
  i.html_url = "https://acme.pagerduty.com/incidents/Q1ABCDEF";
  return i;
}

TEST_F(StoreTest, PagerDutyEventsMergeIntoTheIncidentRow) {
  const Nanos t1 = kT0, t2 = kT0 + 60 * kNanosPerSecond, t3 = kT0 + 600 * kNanosPerSecond;
  Write({MakePagerDutyEvent("w1", "incident.triggered", t1, Snapshot("triggered", {}))});
  // Acknowledged and resolved arrive out of order, in one batch.
  Write(
      {MakePagerDutyEvent("w3", "incident.resolved", t3, Snapshot("resolved", {})),
       MakePagerDutyEvent("w2", "incident.acknowledged", t2, Snapshot("acknowledged", {"alice"}))});
  auto got = store_->GetIncident("Q1ABCDEF");
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->has_value());
  const Incident& inc = **got;
  EXPECT_EQ(inc.number, 42);
  EXPECT_EQ(inc.title, "Payments API 5xx");
  EXPECT_EQ(inc.service_name, "payments-api");
  EXPECT_EQ(inc.status, "resolved");  // the newest event wins, whatever the arrival order
  EXPECT_EQ(inc.triggered_at, t1);
  EXPECT_EQ(inc.acknowledged_at, t2);
  EXPECT_EQ(inc.resolved_at, t3);
  EXPECT_EQ(inc.updated_at, t3);
  EXPECT_FALSE(store_->GetIncident("QNONE").value().has_value());

  // A duplicate delivery does not touch the row.
  Write({MakePagerDutyEvent("w2", "incident.acknowledged", t2, Snapshot("acknowledged", {}))});
  EXPECT_EQ(store_->GetIncident("Q1ABCDEF").value()->status, "resolved");
}

TEST_F(StoreTest, AssigneesRoundTrip) {
  Write({MakePagerDutyEvent("w1", "incident.acknowledged", kT0,
                            Snapshot("acknowledged", {"alice", "bob"}))});
  EXPECT_EQ(store_->GetIncident("Q1ABCDEF").value()->assignees,
            (std::vector<std::string>{"alice", "bob"}));
}

TEST_F(StoreTest, ListIncidentsMostRecentlyUpdatedFirst) {
  Incident older = Snapshot("triggered", {});
  older.id = "QOLD";
  Incident newer = Snapshot("triggered", {});
  newer.id = "QNEW";
  Write({MakePagerDutyEvent("n", "incident.triggered", kT0 + 100, newer),
         MakePagerDutyEvent("o", "incident.triggered", kT0, older)});
  auto list = store_->ListIncidents(10);
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, "QNEW");
  EXPECT_EQ((*list)[1].id, "QOLD");
  EXPECT_EQ(store_->ListIncidents(1).value().size(), 1u);
  EXPECT_EQ(store_->ListIncidents(0).value().size(), 2u);  // 0: no limit
}

TEST_F(StoreTest, VerifyChainDetectsAnEditedRow) {
  Write({MakeEvent("a", kT0), MakeEvent("b", kT0 + 1), MakeEvent("c", kT0 + 2)});
  ASSERT_TRUE(store_->VerifyChain().value().ok);
  ASSERT_EQ(ExecRaw(store_->path(), "UPDATE events SET summary = 'x' WHERE seq = 2"), SQLITE_OK);
  auto report = store_->VerifyChain();
  ASSERT_TRUE(report.has_value());
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 2);
  EXPECT_EQ(report->first_bad_id, MakeEvent("b", 0).id);
  EXPECT_EQ(report->reason, "chain mismatch");
  EXPECT_EQ(report->events_checked, 1u);
}

TEST_F(StoreTest, VerifyChainDetectsADeletedRow) {
  Write({MakeEvent("a", kT0), MakeEvent("b", kT0 + 1), MakeEvent("c", kT0 + 2)});
  ASSERT_EQ(ExecRaw(store_->path(), "DELETE FROM events WHERE seq = 2"), SQLITE_OK);
  auto report = store_->VerifyChain().value();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 2);
  EXPECT_NE(report.reason.find("seq gap"), std::string::npos) << report.reason;
}

TEST_F(StoreTest, VerifyChainDetectsATruncatedTail) {
  Write({MakeEvent("a", kT0), MakeEvent("b", kT0 + 1), MakeEvent("c", kT0 + 2)});
  ASSERT_EQ(ExecRaw(store_->path(), "DELETE FROM events WHERE seq = 3"), SQLITE_OK);
  auto report = store_->VerifyChain().value();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 3);
  EXPECT_NE(report.reason.find("truncated"), std::string::npos) << report.reason;
}

TEST(StoreReopenTest, ChainContinuesAcrossReopen) {
  TempDir dir;
  const StoreOptions o = Options(dir);
  {
    auto store = OpenStore(o);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->SubmitAndWait({MakeEvent("a", kT0), MakeEvent("b", kT0 + 1)}));
  }
  auto store = OpenStore(o);
  ASSERT_NE(store, nullptr);
  auto r = store->SubmitAndWait({MakeEvent("c", kT0 + 2), MakeEvent("a", kT0)});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->inserted, 1u);
  EXPECT_EQ(r->duplicates, 1u);
  auto c = store->GetEvent(MakeEvent("c", 0).id).value();
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->seq, 3);
  auto report = store->VerifyChain().value();
  EXPECT_TRUE(report.ok) << report.reason;
  EXPECT_EQ(report.events_checked, 3u);
}

TEST(StoreOpenTest, RejectsPathsReadersCannotShare) {
  StoreOptions o;
  o.path = ":memory:";
  auto s = SqliteEventStore::Open(o);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidInput);
  o.path = "";
  EXPECT_FALSE(SqliteEventStore::Open(o).has_value());
}

TEST(StoreOpenTest, MissingDirectoryIsAnError) {
  TempDir dir;
  StoreOptions o = Options(dir);
  o.path = dir.File("no/such/dir/events.db");
  auto s = SqliteEventStore::Open(o);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace timelined::store
