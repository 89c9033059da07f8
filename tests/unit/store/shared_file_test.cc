// Two writers on one SQLite file (`timelined import` next to a running daemon, or two store
// instances sharing a volume) interleave commits; the chain must stay one unbroken line.
#include <gtest/gtest.h>

#include "tests/unit/store/store_test_util.h"

namespace timelined::store {
namespace {

using namespace testing_util;

TEST(SharedFile, InterleavedWritersKeepOneChain) {
  TempDir dir;
  auto a = OpenStore(Options(dir));
  auto b = OpenStore(Options(dir));
  ASSERT_TRUE(a && b);
  for (int i = 0; i < 10; ++i) {
    auto& writer = (i % 2 == 0) ? a : b;
    auto r = writer->SubmitAndWait(
        {MakeEvent("shared-" + std::to_string(i), (i + 1) * kNanosPerSecond)});
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->inserted, 1u);
  }
  auto report = a->VerifyChain();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->reason << " at seq " << report->first_bad_seq;
  EXPECT_EQ(report->events_checked, 10u);
  // A duplicate through the other writer is still a no-op.
  auto dup = b->SubmitAndWait({MakeEvent("shared-0", kNanosPerSecond)});
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->duplicates, 1u);
}

// Each writer keeps the incidents rows it wrote; an update by the other writer in between
// must not be lost when the first one writes the incident again.
TEST(SharedFile, IncidentUpdatesOfTheOtherWriterAreMerged) {
  TempDir dir;
  auto a = OpenStore(Options(dir));
  auto b = OpenStore(Options(dir));
  ASSERT_TRUE(a && b);
  Incident snap;
  snap.id = "QSHARED1";
  snap.number = 7;
  snap.title = "Checkout errors";
  const Nanos t1 = kT0, t2 = kT0 + 60 * kNanosPerSecond, t3 = kT0 + 600 * kNanosPerSecond;
  auto write = [&](SqliteEventStore& s, const std::string& ref, const std::string& kind, Nanos at,
                   const std::string& status) {
    Incident i = snap;
    i.status = status;
    auto r = s.SubmitAndWait({MakePagerDutyEvent(ref, kind, at, i)});
    ASSERT_TRUE(r) << r.error().detail;
    ASSERT_EQ(r->inserted, 1u);
  };
  write(*a, "s1", "incident.triggered", t1, "triggered");
  write(*b, "s2", "incident.acknowledged", t2, "acknowledged");
  write(*a, "s3", "incident.resolved", t3, "resolved");
  auto got = a->GetIncident("QSHARED1");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->triggered_at, t1);
  EXPECT_EQ((*got)->acknowledged_at, t2) << "writer a overwrote b's acknowledgement";
  EXPECT_EQ((*got)->resolved_at, t3);
  EXPECT_EQ((*got)->status, "resolved");
}

}  // namespace
}  // namespace timelined::store
