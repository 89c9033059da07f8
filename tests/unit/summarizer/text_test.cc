#include "summarizer/text.h"

#include <gtest/gtest.h>

#include "summarizer/ids.h"
#include "summarizer/template.h"
#include "test_util.h"

namespace timelined::summarizer {
namespace {

using testing::T;

TEST(Ids, PackRoundTripsAndKeepsStringOrder) {
  std::vector<std::string> ids = {MakeEventId("log", "a"),       MakeEventId("log", "b"),
                                  MakeEventId("pagerduty", "x"), MakeEventId("slack", "y"),
                                  "lg_2222222222222222",         "lg_zzzzzzzzzzzzzzzz",
                                  "ev_a7a7a7a7a7a7a7a7"};
  for (const std::string& id : ids) {
    auto p = PackId(id);
    ASSERT_TRUE(p) << id;
    EXPECT_EQ(UnpackId(*p), id);
  }
  for (const std::string& a : ids) {
    for (const std::string& b : ids) EXPECT_EQ(*PackId(a) < *PackId(b), a < b) << a << " " << b;
  }
  EXPECT_FALSE(PackId("lg_short"));
  EXPECT_FALSE(PackId("lg_AAAAAAAAAAAAAAAA"));
  EXPECT_FALSE(PackId("lg_1111111111111111"));  // '1' is not base32
}

TEST(Ids, IdListSortsUniqueAcrossPackedAndOther) {
  IdList l;
  for (const char* id : {"lg_bbbbbbbbbbbbbbbb", "custom-id", "lg_aaaaaaaaaaaaaaaa",
                         "lg_bbbbbbbbbbbbbbbb", "aa", "custom-id"}) {
    l.Add(id);
  }
  l.SortUnique();
  EXPECT_EQ(l.ToStrings(), (std::vector<std::string>{"aa", "custom-id", "lg_aaaaaaaaaaaaaaaa",
                                                     "lg_bbbbbbbbbbbbbbbb"}));
  EXPECT_TRUE(l.Contains("custom-id"));
  EXPECT_TRUE(l.Contains("lg_aaaaaaaaaaaaaaaa"));
  EXPECT_FALSE(l.Contains("lg_cccccccccccccccc"));
}

TEST(Text, ShortTextCollapsesAndCutsOnCodePoints) {
  EXPECT_EQ(ShortText("  rolling\n back\t to  v1.42 ", 140), "rolling back to v1.42");
  EXPECT_EQ(ShortText("abcdefghij", 5), "abcd\xE2\x80\xA6");
  EXPECT_EQ(ShortText("abcde", 5), "abcde");
  // Five 2-byte code points cut to 4 + ellipsis, never inside a sequence.
  EXPECT_EQ(ShortText("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 5),
            "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xE2\x80\xA6");
  EXPECT_EQ(SanitizeUtf8("a\xFF"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(SanitizeUtf8("\xC3"), "\xEF\xBF\xBD");
}

TEST(Text, KeywordsMatchAtWordStartCaseInsensitively) {
  KeywordMatcher m({"deploy", "root cause", "revert"});
  EXPECT_TRUE(m.Matches("Deployed v2"));
  EXPECT_TRUE(m.Matches("the ROOT   cause is the pool"));
  EXPECT_TRUE(m.Matches("let's revert"));
  EXPECT_FALSE(m.Matches("redeploy"));  // not at a word start
  EXPECT_FALSE(m.Matches("nothing here"));
  EXPECT_FALSE(KeywordMatcher({}).Matches("deploy"));
}

TEST(Text, TimesAndDurations) {
  EXPECT_EQ(FormatTableTime(T(1, 7)), "2026-03-14 12:01:07");
  EXPECT_EQ(FormatClock(T(19)), "12:19");
  EXPECT_EQ(FormatSpan(T(1), T(19)),
            "12:01\xE2\x80\x93"
            "12:19 UTC");
  EXPECT_EQ(FormatSpan(T(1, 5), T(1, 50)), "12:01 UTC");
  EXPECT_EQ(FormatSpan(T(1), T(24 * 60 + 2)),
            "12:01\xE2\x80\x93"
            "2026-03-15 12:02 UTC");
  EXPECT_EQ(FormatDuration(45 * kNanosPerSecond), "45 s");
  EXPECT_EQ(FormatDuration(7 * 60 * kNanosPerSecond), "7 min");
  EXPECT_EQ(FormatDuration(432 * kNanosPerSecond), "7 min 12 s");
  EXPECT_EQ(FormatDuration(7500 * kNanosPerSecond), "2 h 5 min");
  EXPECT_EQ(FormatDuration(90000 * kNanosPerSecond), "1 d 1 h");
}

TEST(Template, StripLogPrefixRemovesTheLinesOwnTimestampAndLevel) {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"2026-03-14T11:54:12.482Z ERROR payment failed", "payment failed"},
      {"2026-03-14T11:54:12Z ERROR payment failed", "payment failed"},
      {"2026-03-14T11:54:12.482+01:00 WARN slow", "slow"},
      {"2026-03-14 11:54:12,482 ERROR [main] c.a.Pay - declined", "[main] c.a.Pay - declined"},
      {"[2026-03-14 11:54:12,482] [error] upstream gone", "upstream gone"},
      {"2026/03/14 11:54:12 [error] 31#31: connect() failed", "31#31: connect() failed"},
      {"2026/03/14 11:54:12 WARN: pool low", "pool low"},
      {"Mar 14 11:54:12 payments kernel: oom", "payments kernel: oom"},
      {"11:54:12.482 FATAL could not bind", "could not bind"},
      {"ERROR 2026-03-14T11:54:12Z boom", "boom"},
      {"ERROR: boom", "boom"},
      {"SEVERE: pool exhausted", "pool exhausted"},
      {"2026-03-14T11:54:12Z | ERROR | x", "x"},
      {"E0314 11:54:12.482913   12345 reflector.go:138] failed to list", "failed to list"},
      // Not a prefix: kept as it is.
      {"Error: connection refused", "Error: connection refused"},
      {"payment failed at 2026-03-14T11:54:12Z", "payment failed at 2026-03-14T11:54:12Z"},
      {"java.lang.OutOfMemoryError: Java heap space",
       "java.lang.OutOfMemoryError: Java heap space"},
      {"INFORMATIONAL text", "INFORMATIONAL text"},
      {"2026-03-14T11:54:12Z", "2026-03-14T11:54:12Z"},
      {"ERROR", "ERROR"},
      {"", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(StripLogPrefix(c.in), c.out) << c.in;
}

TEST(Template, MasksVariableParts) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"timeout after 250ms calling 10.0.3.7:5432", "timeout after <dur> calling <ip>"},
      {"request 3f2b1c9e-aa41-4c3e-9d7e-1234567890ab failed", "request <uuid> failed"},
      {"user \"alice@example.com\" denied", "user \"<str>\" denied"},
      {"order 123456 took 1.5s", "order <num> took <dur>"},
      {"pod payments-7d9f8b6c4-x2k9p restarted", "pod payments-<hex>-x<num>k<num>p restarted"},
      {"trace 0xdeadbeef span deadbeef", "trace <hex> span deadbeef"},
      {"don't retry 'card' now", "don't retry '<str>' now"},
      {"  spaced\n\nout  ", "spaced out"},
      {"2m30s backoff, attempt 3", "<dur> backoff, attempt <num>"},
  };
  for (const Case& c : cases) EXPECT_EQ(MessageTemplate(c.in), c.out) << c.in;
  EXPECT_EQ(MessageTemplate("payment 1 failed"), MessageTemplate("payment 99 failed"));
}

}  // namespace
}  // namespace timelined::summarizer
