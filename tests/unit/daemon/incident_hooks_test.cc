#include "daemon/incident_hooks.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>

namespace timelined::daemon {
namespace {

Event PdEvent(std::string ref, std::string kind, std::string incident) {
  Event e;
  e.source = "pagerduty";
  e.source_ref = std::move(ref);
  e.id = MakeEventId(e.source, e.source_ref);
  e.kind = std::move(kind);
  e.incident_id = std::move(incident);
  e.occurred_at = 1'700'000'000'000'000'000;
  e.received_at = e.occurred_at;
  e.summary = "s";
  e.raw_sha256 = std::string(64, 'a');
  return e;
}

TEST(IncidentHooks, AnnouncesDurableTransitionsOnceAndEveryInsertToEvidenceWatchers) {
  auto dir = std::filesystem::temp_directory_path() / ("hooks_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  store::StoreOptions o;
  o.path = (dir / "t.db").string();
  auto store = store::SqliteEventStore::Open(o);
  ASSERT_TRUE(store) << store.error().detail;
  IncidentHooks hooks(**store);
  // Listeners run on the writer thread once the transaction commits, which may be just after
  // SubmitAndWait returns: wait for them on a condition.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<LifecycleTransition> seen;
  size_t evidence = 0;
  hooks.OnTransition([&](const LifecycleTransition& t) {
    std::lock_guard lock(mu);
    seen.push_back(t);
  });
  hooks.OnEvidence([&](const std::vector<Event>& v) {
    std::lock_guard lock(mu);
    evidence += v.size();
    cv.notify_all();
  });
  auto wait_evidence = [&](size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return evidence >= n; });
  };

  std::vector<Event> batch = {PdEvent("webhook:1", "incident.triggered", "Q1"),
                              PdEvent("webhook:2", "incident.annotated", "Q1"),
                              PdEvent("webhook:3", "incident.resolved", "Q1")};
  ASSERT_TRUE((*store)->SubmitAndWait(batch));
  ASSERT_TRUE(wait_evidence(3));
  std::unique_lock lock(mu);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].kind, "incident.triggered");
  EXPECT_EQ(seen[1].kind, "incident.resolved");
  EXPECT_EQ(seen[1].incident_id, "Q1");
  EXPECT_EQ(seen[1].event_id, batch[2].id);
  EXPECT_EQ(evidence, 3u);

  lock.unlock();

  // A retried delivery is a duplicate insert: not announced again. Closing the store drains
  // the writer, so every listener call has happened when Close returns.
  ASSERT_TRUE((*store)->SubmitAndWait({batch[2]}));
  (*store)->Close();
  lock.lock();
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_EQ(evidence, 3u);
  std::filesystem::remove_all(dir);
}

TEST(IncidentHooks, IgnoresNonPagerDutyAndUnnamedEvents) {
  EXPECT_TRUE(IsStatusTransition("incident.reopened"));
  EXPECT_FALSE(IsStatusTransition("incident.annotated"));
  EXPECT_FALSE(IsStatusTransition("slack.message"));
  auto dir = std::filesystem::temp_directory_path() / ("hooks_test2_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  store::StoreOptions o;
  o.path = (dir / "t.db").string();
  auto store = store::SqliteEventStore::Open(o);
  ASSERT_TRUE(store) << store.error().detail;
  IncidentHooks hooks(**store);
  int seen = 0;
  hooks.OnTransition([&](const LifecycleTransition&) { ++seen; });
  Event slack = PdEvent("x", "incident.resolved", "Q1");
  slack.source = "slack";
  Event unnamed = PdEvent("webhook:9", "incident.resolved", "");
  hooks.Dispatch({slack, unnamed});
  EXPECT_EQ(seen, 0);
  hooks.Dispatch({PdEvent("webhook:10", "incident.reopened", "Q1")});
  EXPECT_EQ(seen, 1);
  (*store)->Close();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace timelined::daemon
