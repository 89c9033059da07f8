// SplitLogTags / LogTagValue: the `[key=value]` tags JSON logs lift into fields.
#include "daemon/logging.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace timelined::daemon {
namespace {

using Fields = std::vector<std::pair<std::string_view, std::string_view>>;

TEST(SplitLogTags, Table) {
  struct Case {
    std::string_view msg;
    Fields fields;
    std::string_view rest;
  };
  const Case cases[] = {
      {"plain message", {}, "plain message"},
      {"[src=pagerduty] [inc=P1] backfill failed: x",
       {{"src", "pagerduty"}, {"inc", "P1"}},
       "backfill failed: x"},
      {"[src=slack]", {{"src", "slack"}}, ""},
      {"[src=] empty value", {{"src", ""}}, "empty value"},
      // Not tags: no key, an upper-case key, no '=', no closing bracket, no space after.
      {"[=x] m", {}, "[=x] m"},
      {"[Src=x] m", {}, "[Src=x] m"},
      {"[note] m", {}, "[note] m"},
      {"[src=x m", {}, "[src=x m"},
      {"[src=x]m", {}, "[src=x]m"},
      // Reserved keys and repeats stay in the text, and so does everything after them.
      {"[msg=x] m", {}, "[msg=x] m"},
      {"[level=error] m", {}, "[level=error] m"},
      {"[src=a] [src=b] m", {{"src", "a"}}, "[src=b] m"},
      // Only leading tags: a tag later in the text is text.
      {"done [src=x]", {}, "done [src=x]"},
  };
  for (const Case& c : cases) {
    LogTags t = SplitLogTags(c.msg);
    EXPECT_EQ(t.fields, c.fields) << c.msg;
    EXPECT_EQ(t.rest, c.rest) << c.msg;
  }
}

TEST(LogTagValue, KeepsPrintableAsciiAndCapsTheLength) {
  EXPECT_EQ(LogTagValue("req-42"), "req-42");
  EXPECT_EQ(LogTagValue(""), "-");
  EXPECT_EQ(LogTagValue("a]b[c d\n"), "a?b?c?d?");
  EXPECT_EQ(LogTagValue(std::string(100, 'x')).size(), 64u);
  EXPECT_EQ(LogTagValue("abcdef", 3), "abc");
  // Whatever the input, the value never ends a tag early.
  const std::string line = "[request_id=" + LogTagValue("x] [token=forged") + "] m";
  LogTags t = SplitLogTags(line);
  ASSERT_EQ(t.fields.size(), 1u);
  EXPECT_EQ(t.fields[0].first, "request_id");
  EXPECT_EQ(t.rest, "m");
}

}  // namespace
}  // namespace timelined::daemon
