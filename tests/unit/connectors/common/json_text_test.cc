#include "connectors/common/json_text.h"

#include <gtest/gtest.h>

namespace timelined::connectors {
namespace {

TEST(JsonText, ScanValueTable) {
  struct Case {
    std::string text;
    ScanStatus status;
    size_t end;
  };
  const Case cases[] = {
      {R"({"a":"}"}x)", ScanStatus::kOk, 9},
      {R"([1,[2,{"b":"\"]"}]] )", ScanStatus::kOk, 19},
      {R"("str\"ing" rest)", ScanStatus::kOk, 10},
      {"123,", ScanStatus::kOk, 3},
      {"true}", ScanStatus::kOk, 4},
      {R"({"a":[1})", ScanStatus::kUnbalanced, 7},
      {R"({"a":1)", ScanStatus::kUnterminated, 6},
      {"{\"a\":\"line\nbreak\"}", ScanStatus::kUnterminated, 18},
      {"]", ScanStatus::kUnbalanced, 0},
  };
  for (const Case& c : cases) {
    const ScanResult r = ScanValue(c.text, 0);
    EXPECT_EQ(r.status, c.status) << c.text;
    if (c.status == ScanStatus::kOk) {
      EXPECT_EQ(r.end, c.end) << c.text;
    }
  }
}

TEST(JsonText, ArrayElementsAndObjectMembers) {
  const std::string text = R"({"x": 1, "items" : [ {"a":1} , "s,]" ,3 ], "k\u0065y": {"n":null}})";
  const ScanResult top = ScanValue(text, 0);
  ASSERT_EQ(top.status, ScanStatus::kOk);
  auto items = ObjectMemberSpan(text, {0, top.end}, "items");
  ASSERT_TRUE(items.has_value());
  auto elements = ArrayElementSpans(text, *items);
  ASSERT_TRUE(elements.has_value());
  ASSERT_EQ(elements->size(), 3u);
  EXPECT_EQ((*elements)[0].In(text), R"({"a":1})");
  EXPECT_EQ((*elements)[1].In(text), R"("s,]")");
  EXPECT_EQ((*elements)[2].In(text), "3");
  auto escaped = ObjectMemberSpan(text, {0, top.end}, "key");
  ASSERT_TRUE(escaped.has_value());
  EXPECT_EQ(escaped->In(text), R"({"n":null})");
  EXPECT_FALSE(ObjectMemberSpan(text, {0, top.end}, "n").has_value());
  const std::string bad = "[1 2]";
  EXPECT_FALSE(ArrayElementSpans(bad, {0, bad.size()}).has_value());
}

TEST(JsonText, TruncateUtf8NeverSplitsACharacter) {
  EXPECT_EQ(TruncateUtf8("short", 10), "short");
  EXPECT_EQ(TruncateUtf8("abcdefghij", 6), "abc\xE2\x80\xA6");
  // "é" is two bytes; a cut in its middle backs off to before it.
  const std::string s =
      "abcd\xC3\xA9"
      "fgh";
  EXPECT_EQ(TruncateUtf8(s, 8), "abcd\xE2\x80\xA6");
  EXPECT_EQ(OneLine(" a\r\nb\tc \n"), "a  b c");
}

TEST(JsonText, ToValidUtf8) {
  EXPECT_EQ(ToValidUtf8("plain \xC3\xA9 \xE2\x80\xA6 \xF0\x9F\x94\xA5"),
            "plain \xC3\xA9 \xE2\x80\xA6 \xF0\x9F\x94\xA5");
  EXPECT_EQ(ToValidUtf8("a\xFF"
                        "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(ToValidUtf8("\xC3"), "\xEF\xBF\xBD");                                  // truncated
  EXPECT_EQ(ToValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(ToValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong
}

TEST(JsonText, LineCounter) {
  const std::string text = "a\nb\n\nc";
  LineCounter lines(text);
  EXPECT_EQ(lines.At(0), 1u);
  EXPECT_EQ(lines.At(2), 2u);
  EXPECT_EQ(lines.At(5), 4u);
  EXPECT_EQ(lines.At(100), 4u);
  EXPECT_EQ(LineOfOffset(text, 4), 3u);
}

}  // namespace
}  // namespace timelined::connectors
