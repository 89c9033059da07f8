#include "summarizer/diff.h"

#include <gtest/gtest.h>

#include "summarizer/render.h"
#include "test_util.h"

namespace timelined::summarizer {
namespace {

using testing::T;

TimelineLine Line(const std::string& key, const std::string& text, std::vector<std::string> cites) {
  return TimelineLine{.at = T(1), .category = "log", .text = text, .citations = cites, .key = key};
}

TEST(Diff, AddedRemovedChanged) {
  std::vector<TimelineLine> from = {Line("a", "same", {"lg_a"}), Line("b", "gone", {"lg_b"}),
                                    Line("c", "Log errors ×2", {"lg_c1", "lg_c2"}),
                                    Line("d", "text", {"lg_d"})};
  std::vector<TimelineLine> to = {Line("a", "same", {"lg_a"}),
                                  Line("c", "Log errors ×3", {"lg_c1", "lg_c2", "lg_c3"}),
                                  Line("d", "text", {"lg_d2"}), Line("e", "new", {"lg_e"})};
  TimelineDiff d = DiffTimelines(from, to);
  EXPECT_EQ(d.unchanged, 1u);
  ASSERT_EQ(d.added.size(), 1u);
  EXPECT_EQ(d.added[0].key, "e");
  ASSERT_EQ(d.removed.size(), 1u);
  EXPECT_EQ(d.removed[0].key, "b");
  ASSERT_EQ(d.changed.size(), 2u);
  EXPECT_EQ(d.changed[0].key, "c");
  EXPECT_TRUE(d.changed[0].text_changed);
  EXPECT_EQ(d.changed[0].citations_added, std::vector<std::string>{"lg_c3"});
  EXPECT_TRUE(d.changed[0].citations_removed.empty());
  EXPECT_EQ(d.changed[1].key, "d");
  EXPECT_FALSE(d.changed[1].text_changed);
  EXPECT_EQ(d.changed[1].citations_added, std::vector<std::string>{"lg_d2"});
  EXPECT_EQ(d.changed[1].citations_removed, std::vector<std::string>{"lg_d"});
  EXPECT_FALSE(d.empty());
  EXPECT_TRUE(DiffTimelines(to, to).empty());
}

TEST(Diff, FromRenderedJson) {
  Timeline a, b;
  a.lines = {Line("x", "one", {"lg_a"})};
  b.lines = {Line("x", "one", {"lg_a"}), Line("y", "two", {"lg_b"})};
  Incident inc = testing::PaymentsIncident();
  auto d = DiffTimelineJson(RenderJson(inc, a, {}), RenderJson(inc, b, {}));
  ASSERT_TRUE(d);
  ASSERT_EQ(d->added.size(), 1u);
  EXPECT_EQ(d->added[0].text, "two");
  auto j = nlohmann::json::parse(DiffToJson(*d));
  EXPECT_EQ(j["added"][0]["key"], "y");
  EXPECT_EQ(j["unchanged"], 1);
  EXPECT_NE(DiffToMarkdown(*d).find("| added | 2026-03-14 12:01:00 | two | 1 |"),
            std::string::npos);
  EXPECT_FALSE(DiffTimelineJson("{not json", "{}"));
  EXPECT_FALSE(DiffTimelineJson("{\"lines\":[{\"key\":1}]}", "{\"lines\":[]}"));
}

}  // namespace
}  // namespace timelined::summarizer
