// The drafts table: versions without gaps, latest/explicit reads, listing, stale marking.
#include <gtest/gtest.h>

#include <thread>

#include "store/sqlite_store.h"
#include "store_test_util.h"

namespace timelined::store {
namespace {

using testing_util::TempDir;

StoredDraft Draft(const std::string& incident, int version, const std::string& md = "# md") {
  StoredDraft d;
  d.incident_id = incident;
  d.version = version;
  d.trigger = "auto_close";
  d.generator = "timelined-deterministic/1";
  d.config_hash = std::string(64, 'c');
  d.input_digest = std::string(64, 'd');
  d.markdown = md;
  d.json = R"({"lines":[]})";
  d.created_at = 1000 + version;
  return d;
}

std::unique_ptr<SqliteEventStore> OpenStore(const TempDir& dir) {
  StoreOptions o;
  o.path = dir.File("t.db");
  auto st = SqliteEventStore::Open(o);
  EXPECT_TRUE(st) << st.error().detail;
  return st ? std::move(*st) : nullptr;
}

TEST(Drafts, VersionsFollowEachOtherAndReadBack) {
  TempDir dir;
  auto st = OpenStore(dir);
  ASSERT_TRUE(st);
  EXPECT_EQ(*st->LatestDraftVersion("Q1"), 0);
  EXPECT_FALSE(st->GetDraft("Q1", 0)->has_value());

  ASSERT_TRUE(st->SaveDraft(Draft("Q1", 1, "v1")));
  ASSERT_TRUE(st->SaveDraft(Draft("Q1", 2, "v2")));
  ASSERT_TRUE(st->SaveDraft(Draft("Q2", 1, "other")));
  EXPECT_EQ(*st->LatestDraftVersion("Q1"), 2);

  auto latest = st->GetDraft("Q1", 0);
  ASSERT_TRUE(latest && latest->has_value());
  EXPECT_EQ((*latest)->version, 2);
  EXPECT_EQ((*latest)->markdown, "v2");
  EXPECT_EQ((*latest)->json, R"({"lines":[]})");
  EXPECT_EQ((*latest)->created_at, 1002);
  auto first = st->GetDraft("Q1", 1);
  ASSERT_TRUE(first && first->has_value());
  EXPECT_EQ((*first)->markdown, "v1");
  EXPECT_FALSE(st->GetDraft("Q1", 3)->has_value());

  auto list = st->ListDrafts("Q1");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].version, 1);
  EXPECT_EQ((*list)[1].version, 2);
  EXPECT_TRUE((*list)[1].markdown.empty());  // meta only
  EXPECT_EQ((*list)[1].input_digest, std::string(64, 'd'));
}

TEST(Drafts, RefusesAVersionThatIsNotTheNextOne) {
  TempDir dir;
  auto st = OpenStore(dir);
  ASSERT_TRUE(st);
  auto skip = st->SaveDraft(Draft("Q1", 2));
  ASSERT_FALSE(skip);
  EXPECT_EQ(skip.error().message, "draft_version_taken");
  EXPECT_NE(skip.error().detail.find("version 1"), std::string::npos) << skip.error().detail;
  ASSERT_TRUE(st->SaveDraft(Draft("Q1", 1, "first")));
  auto again = st->SaveDraft(Draft("Q1", 1, "second"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, "draft_version_taken");
  EXPECT_EQ((*st->GetDraft("Q1", 1))->markdown, "first");  // never overwritten
  EXPECT_FALSE(st->SaveDraft(Draft("", 1)));
  EXPECT_FALSE(st->SaveDraft(Draft("Q1", 0)));
}

TEST(Drafts, ConcurrentSaversGetDistinctVersions) {
  TempDir dir;
  auto st = OpenStore(dir);
  ASSERT_TRUE(st);
  constexpr int kThreads = 4, kEach = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        for (;;) {
          int next = *st->LatestDraftVersion("Q1") + 1;
          auto r = st->SaveDraft(Draft("Q1", next));
          if (r) break;
          ASSERT_EQ(r.error().message, "draft_version_taken");
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  auto list = st->ListDrafts("Q1");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), static_cast<size_t>(kThreads * kEach));
  for (size_t i = 0; i < list->size(); ++i) EXPECT_EQ((*list)[i].version, static_cast<int>(i + 1));
}

TEST(Drafts, MarkStaleFlagsEveryFreshVersionOfThatIncidentOnly) {
  TempDir dir;
  auto st = OpenStore(dir);
  ASSERT_TRUE(st);
  ASSERT_TRUE(st->SaveDraft(Draft("Q1", 1)));
  ASSERT_TRUE(st->SaveDraft(Draft("Q1", 2)));
  ASSERT_TRUE(st->SaveDraft(Draft("Q2", 1)));
  EXPECT_EQ(*st->IncidentsWithFreshDrafts(), (std::vector<std::string>{"Q1", "Q2"}));
  EXPECT_EQ(*st->MarkDraftsStale("Q1"), 2);
  EXPECT_EQ(*st->MarkDraftsStale("Q1"), 0);
  EXPECT_TRUE((*st->GetDraft("Q1", 0))->stale);
  EXPECT_FALSE((*st->GetDraft("Q2", 0))->stale);
  EXPECT_EQ(*st->IncidentsWithFreshDrafts(), (std::vector<std::string>{"Q2"}));
  ASSERT_TRUE(st->SaveDraft(Draft("Q1", 3)));  // a regenerated version starts fresh
  EXPECT_FALSE((*st->GetDraft("Q1", 0))->stale);
}

TEST(Drafts, WritesInterleaveWithTheEventWriterAndSurviveReopen) {
  TempDir dir;
  {
    auto st = OpenStore(dir);
    ASSERT_TRUE(st);
    std::thread events([&] {
      for (int i = 0; i < 50; ++i) {
        auto r = st->SubmitAndWait(
            {testing_util::MakeEvent("ev-" + std::to_string(i), testing_util::kT0 + i)});
        ASSERT_TRUE(r) << r.error().detail;
      }
    });
    for (int v = 1; v <= 20; ++v) ASSERT_TRUE(st->SaveDraft(Draft("Q1", v)));
    events.join();
    EXPECT_EQ(*st->CountEvents(), 50u);
    auto chain = st->VerifyChain();
    ASSERT_TRUE(chain);
    EXPECT_TRUE(chain->ok) << chain->reason;
  }
  auto st = OpenStore(dir);
  ASSERT_TRUE(st);
  EXPECT_EQ(*st->LatestDraftVersion("Q1"), 20);
}

}  // namespace
}  // namespace timelined::store
