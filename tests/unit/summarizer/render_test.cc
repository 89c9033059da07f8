#include "summarizer/render.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "summarizer/builder.h"
#include "summarizer/diff.h"
#include "summarizer/digest.h"
#include "summarizer/draft.h"
#include "summarizer/text.h"
#include "summarizer/verify.h"
#include "test_util.h"

namespace timelined::summarizer {
namespace {

using testing::K8s;
using testing::Log;
using testing::Pd;
using testing::Slack;
using testing::T;
using testing::VectorReader;

SummarizerConfig Config() {
  SummarizerConfig c;
  c.correlation.services["PSVCPAY"].scopes = {"k8s/payments/", "log/payments/"};
  return c;
}

std::vector<Event> SmallIncident() {
  std::vector<Event> v = {
      Pd("t", "triggered", T(10)), Pd("a", "acknowledged", T(12), "Alice"),
      Pd("r", "resolved", T(40), "Alice"),
      Slack("1.1", T(20), "alice", "rolling back | <b>now</b> [`v1`] *x* _y_ & z")};
  for (int i = 0; i < 5; ++i)
    v.push_back(K8s("k" + std::to_string(i), "BackOff", T(5, i), "payments-x", true, "Back-off"));
  return v;
}

TEST(Render, EscapesMarkdownWithoutHtmlEntities) {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"a|b`c[d]e<f>g\nh*i_j&k\\l~m", "a\\|b\\`c\\[d\\]e\\<f>g h\\*i\\_j&k\\\\l\\~m"},
      // Template placeholders are code spans, not &lt;dur&gt;.
      {"timeout after <dur> (order <num>)", "timeout after `<dur>` (order `<num>`)"},
      {"charge <uuid> for \"<str>\" from <ip> id <hex> pod <name>",
       "charge `<uuid>` for \"`<str>`\" from `<ip>` id `<hex>` pod `<name>`"},
      // Anything else that could be HTML or an autolink is backslash-escaped.
      {"watching <grafana>", "watching \\<grafana>"},
      {"<b>now</b> <https://x.example>", "\\<b>now\\</b> \\<https://x.example>"},
      {"<dur", "\\<dur"},
      // "&" only where it would start a character reference.
      {"R&D & ops", "R&D & ops"},
      {"&lt; &amp; &#60; &#x3c;", "\\&lt; \\&amp; \\&#60; \\&#x3c;"},
      {"a -> b >= c", "a -> b >= c"},
  };
  for (const Case& c : cases) EXPECT_EQ(EscapeMarkdown(c.in), c.out) << c.in;
  for (const Case& c : cases) {
    if (std::string_view(c.in).find('&') != std::string_view::npos) continue;
    std::string out = EscapeMarkdown(c.in);
    EXPECT_EQ(out.find("&lt;"), std::string::npos) << c.in;
    EXPECT_EQ(out.find("&gt;"), std::string::npos) << c.in;
  }
}

TEST(Render, OneOfSomethingIsSingular) {
  struct Case {
    size_t n;
    const char* plural;
    const char* out;
  };
  const Case cases[] = {
      {1, "correlated events", "1 correlated event"},
      {2, "correlated events", "2 correlated events"},
      {0, "correlated events", "0 correlated events"},
      {1, "Slack messages deleted", "1 Slack message deleted"},
      {1, "Slack messages not salient", "1 Slack message not salient"},
      {1, "Kubernetes Normal events", "1 Kubernetes Normal event"},
      {1, "log lines below warning level", "1 log line below warning level"},
      {1, "other events below warning level", "1 other event below warning level"},
      {1, "groups", "1 group"},
      {1, "cited IDs", "1 cited ID"},
      {1, "lines unchanged", "1 line unchanged"},
      {1, "something else", "1 something else"},
  };
  for (const Case& c : cases) EXPECT_EQ(CountOf(c.n, c.plural), c.out);
}

TEST(Render, HeaderSaysOneEventInTheSingular) {
  std::vector<Event> v = {Pd("t", "triggered", T(10)), Slack("1.1", T(20), "bob", "brb")};
  VectorReader reader(v);
  auto d = BuildDraft(testing::PaymentsIncident(), Config(), reader,
                      DraftMeta{.version = 1, .trigger = "api"}, T(100));
  ASSERT_TRUE(d);
  EXPECT_NE(d->markdown.find("- **Evidence:** 2 correlated events, 1 cited; not shown: 1 Slack "
                             "message not salient\n"),
            std::string::npos)
      << d->markdown;
  VectorReader one({Pd("t", "triggered", T(10))});
  auto d1 = BuildDraft(testing::PaymentsIncident(), Config(), one,
                       DraftMeta{.version = 1, .trigger = "api"}, T(100));
  ASSERT_TRUE(d1);
  EXPECT_NE(d1->markdown.find("- **Evidence:** 1 correlated event, 1 cited\n"), std::string::npos)
      << d1->markdown;
}

TEST(Render, MarkdownHasTableLinksMoreAndAppendix) {
  VectorReader reader(SmallIncident());
  DraftMeta meta{.incident_id = testing::kIncidentId, .version = 2, .trigger = "api"};
  auto d = BuildDraft(testing::PaymentsIncident(), Config(), reader, meta, T(100));
  ASSERT_TRUE(d) << d.error().detail;
  const std::string& md = d->markdown;
  EXPECT_NE(md.find("# Incident #4711: Payments API 5xx rate above 5%\n"), std::string::npos);
  EXPECT_NE(md.find("| Time (UTC) | What happened | Sources |\n|---|---|---|\n"),
            std::string::npos);
  EXPECT_NE(
      md.find("- **Draft:** version 2, trigger `api`, generator `timelined-deterministic/1`\n"),
      std::string::npos);
  EXPECT_NE(md.find("- **Input digest:** `" + d->meta.input_digest + "`\n"), std::string::npos);
  EXPECT_NE(md.find("- **Stale:** no\n"), std::string::npos);
  // The Slack quote is escaped inside its table row.
  EXPECT_NE(md.find("alice: \"rolling back \\| \\<b>now\\</b> \\[\\`v1\\`\\] \\*x\\* \\_y\\_ "
                    "& z\""),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("generated"), std::string::npos);  // no wall clock in the Markdown
  // Five BackOff citations (line 2; line 1 is the detection line). Compact by default: the
  // row links its first and last member by time, there is no grouped list, the header says
  // how many cited events are linked, and Source events lists exactly the linked ones.
  const TimelineLine& backoff = d->timeline.lines[1];
  ASSERT_EQ(backoff.citations.size(), 5u);
  EXPECT_NE(md.find(" | [" + backoff.first_id + "](#" + backoff.first_id + ") \xE2\x80\xA6 [" +
                    backoff.last_id + "](#" + backoff.last_id + ") (5 events) |"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("## Grouped citations"), std::string::npos);
  IdList linked = LinkedIds(d->timeline, MarkdownOptions{});
  EXPECT_EQ(linked.size(), d->cited_ids.size() - 3);
  EXPECT_NE(md.find("- **Citations:** " + std::to_string(linked.size()) + " of " +
                    std::to_string(d->cited_ids.size()) + " cited events linked here"),
            std::string::npos)
      << md;
  for (const std::string& id : d->cited_ids) {
    bool listed = md.find("- <a id=\"" + id + "\"></a>`" + id + "`") != std::string::npos;
    EXPECT_EQ(listed, linked.Contains(id)) << id;
  }

  // Full: three shown, "+2 more" to the grouped list, every cited event in the appendix,
  // the same input digest.
  SummarizerConfig full = Config();
  full.limits.full_citations = true;
  auto f = BuildDraft(testing::PaymentsIncident(), full, reader, meta, T(100));
  ASSERT_TRUE(f) << f.error().detail;
  EXPECT_EQ(f->meta.input_digest, d->meta.input_digest);
  EXPECT_NE(f->markdown.find(" [+2 more](#line-2) |"), std::string::npos) << f->markdown;
  EXPECT_NE(f->markdown.find("<a id=\"line-2\"></a>**Line 2** (2026-03-14 12:05:00, 5 events): "),
            std::string::npos);
  EXPECT_EQ(f->markdown.find("- **Citations:**"), std::string::npos);
  for (const std::string& id : f->cited_ids) {
    EXPECT_NE(f->markdown.find("- <a id=\"" + id + "\"></a>`" + id + "`"), std::string::npos) << id;
  }
}

TEST(Render, IdenticalInputGivesIdenticalBytes) {
  VectorReader reader(SmallIncident());
  DraftMeta meta{.version = 1, .trigger = "auto_close", .generated_at = T(50)};
  auto a = BuildDraft(testing::PaymentsIncident(), Config(), reader, meta, T(100));
  std::vector<Event> reversed = SmallIncident();
  std::reverse(reversed.begin(), reversed.end());
  VectorReader reader2(reversed);
  auto b = BuildDraft(testing::PaymentsIncident(), Config(), reader2, meta, T(100));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->markdown, b->markdown);
  EXPECT_EQ(a->json, b->json);
  EXPECT_EQ(a->meta.input_digest, b->meta.input_digest);
  meta.generated_at = T(60);  // a later regeneration of the same evidence
  auto c = BuildDraft(testing::PaymentsIncident(), Config(), reader, meta, T(100));
  ASSERT_TRUE(c);
  EXPECT_EQ(a->markdown, c->markdown);
}

TEST(Render, JsonCarriesFullCitationsAndRoundTrips) {
  VectorReader reader(SmallIncident());
  auto d = BuildDraft(testing::PaymentsIncident(), Config(), reader,
                      DraftMeta{.version = 1, .trigger = "api"}, T(100));
  ASSERT_TRUE(d);
  auto j = nlohmann::json::parse(d->json, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << d->json;
  EXPECT_EQ(j["meta"]["input_digest"], d->meta.input_digest);
  EXPECT_EQ(j["meta"]["config_hash"], ConfigHash(Config()));
  EXPECT_EQ(j["stats"]["correlated"], 9);
  EXPECT_EQ(j["metrics"].size(), 4u);
  auto lines = LinesFromJson(d->json);
  ASSERT_TRUE(lines);
  EXPECT_EQ(*lines, d->timeline.lines);
  EXPECT_TRUE((*lines)[1].key.starts_with("k8s:BackOff:payments/pod/payments-x:"))
      << (*lines)[1].key;
  EXPECT_EQ((*lines)[1].citations.size(), 5u);
}

TEST(Render, InputDigestIsOverSortedIdAndRawHash) {
  Event a = testing::MakeEvent("log", "a", "log.error", T(1));
  Event b = testing::MakeEvent("log", "b", "log.error", T(2));
  std::vector<Event> ev = {a, b};
  std::sort(ev.begin(), ev.end(), [](const Event& x, const Event& y) { return x.id < y.id; });
  std::string input;
  for (const Event& e : ev) input += e.id + ":" + e.raw_sha256 + "\n";
  EXPECT_EQ(InputDigest({b, a}), Sha256Hex(input));
  EXPECT_EQ(InputDigest({a, b, a}), Sha256Hex(input));
  Event odd = a;
  odd.id = "custom";
  odd.raw_sha256 = "";
  std::string with_odd = "custom:\n" + input;
  EXPECT_EQ(InputDigest({b, odd, a}), Sha256Hex(with_odd));
}

TEST(Render, StaleFlagAndTimelineAnchorsForSmallRows) {
  Timeline t;
  t.lines.push_back(TimelineLine{.at = T(1),
                                 .category = "log",
                                 .text = "x",
                                 .citations = {"lg_aaaaaaaaaaaaaaaa"},
                                 .key = "k"});
  std::string md =
      RenderMarkdown(testing::PaymentsIncident(), t,
                     DraftMeta{.version = 3, .trigger = "regenerate", .stale = true}, {});
  EXPECT_NE(md.find("- **Stale:** yes"), std::string::npos);
  EXPECT_NE(md.find("| 2026-03-14 12:01:00 | x | [lg_aaaaaaaaaaaaaaaa](#lg_aaaaaaaaaaaaaaaa) |"),
            std::string::npos);
  EXPECT_EQ(md.find("## Grouped citations"), std::string::npos);
}

// The daemon stores a draft as rendered fresh and serves it stale by MarkMarkdownStale /
// MarkJsonStale: they must give exactly the stale rendering, whatever the wording of either.
TEST(Render, MarkingAStoredDraftStaleEqualsRenderingItStale) {
  VectorReader reader(SmallIncident());
  DraftMeta fresh{.version = 2, .trigger = "auto_close", .generated_at = T(50)};
  DraftMeta stale = fresh;
  stale.stale = true;
  auto a = BuildDraft(testing::PaymentsIncident(), Config(), reader, fresh, T(100));
  auto b = BuildDraft(testing::PaymentsIncident(), Config(), reader, stale, T(100));
  ASSERT_TRUE(a && b);
  ASSERT_NE(a->markdown, b->markdown);
  EXPECT_EQ(MarkMarkdownStale(a->markdown), b->markdown);
  ASSERT_NE(a->json, b->json);
  EXPECT_EQ(MarkJsonStale(a->json), b->json);
  // Already stale, or not a draft at all: unchanged.
  EXPECT_EQ(MarkMarkdownStale(b->markdown), b->markdown);
  EXPECT_EQ(MarkJsonStale(b->json), b->json);
  EXPECT_EQ(MarkMarkdownStale("- **Stale:** no\n"), "- **Stale:** no\n");
  EXPECT_EQ(MarkJsonStale("{\"stale\":false}"), "{\"stale\":false}");
}

}  // namespace
}  // namespace timelined::summarizer

namespace timelined::summarizer {
namespace {

// A compact Slack row citing more than it links still links the message and the author's
// name, whatever their IDs' order: here every reaction's ID sorts before both.
TEST(Render, ACompactSlackRowLinksTheMessageAndItsAuthorsName) {
  Event msg = Slack("50.1", T(20), "U0ALICE", "rolling back now");
  msg.attrs["team"] = "T1";
  msg.attrs["user"] = "U0ALICE";
  Event user = testing::MakeEvent("slack", "T1:user:U0ALICE", "slack.user", T(0));
  user.scope = "slack-users/T1";
  user.actor = "U0ALICE";
  user.attrs = {
      {"team", "T1"}, {"user", "U0ALICE"}, {"display_name", "Alice Chen"}, {"is_bot", false}};
  std::vector<Event> events = {Pd("t", "triggered", T(10)), msg, user};
  const std::string& smallest = std::min(msg.id, user.id);
  for (int i = 0; events.size() < 7 && i < 10000; ++i) {
    Event r = testing::MakeEvent("slack", "T1:C0PAY:50.1:reaction:" + std::to_string(i),
                                 "slack.reaction_added", T(21));
    if (r.id >= smallest) continue;
    r.scope = "slack/C0PAY";
    r.incident_id = testing::kIncidentId;
    r.attrs = {{"channel", "C0PAY"},
               {"reaction", "eyes"},
               {"user", "U" + std::to_string(i)},
               {"target", msg.id}};
    events.push_back(r);
  }
  ASSERT_EQ(events.size(), 7u);
  VectorReader reader(events);
  auto d = BuildDraft(testing::PaymentsIncident(), Config(), reader,
                      DraftMeta{.version = 1, .trigger = "api"}, T(100));
  ASSERT_TRUE(d) << d.error().detail;
  std::string row;
  for (size_t at = d->markdown.find("| Alice Chen: "); at != std::string::npos;) {
    row = d->markdown.substr(at, d->markdown.find('\n', at) - at);
    break;
  }
  ASSERT_FALSE(row.empty()) << d->markdown;
  EXPECT_NE(row.find("](#" + msg.id + ")"), std::string::npos) << row;
  EXPECT_NE(row.find("](#" + user.id + ")"), std::string::npos) << row;
  EXPECT_NE(row.find("(+3 more)"), std::string::npos) << row;  // 4 reactions
  EXPECT_NE(d->markdown.find("<a id=\"" + user.id + "\">"), std::string::npos);
  // And it verifies against the draft's full citation list.
  auto r = VerifyMarkdown(d->markdown, reader, &d->cited_ids);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ok()) << FormatVerifyReport(*r);
}

}  // namespace
}  // namespace timelined::summarizer
