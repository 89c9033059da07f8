#include "summarizer/verify.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "summarizer/draft.h"
#include "test_util.h"

namespace timelined::summarizer {
namespace {

using testing::K8s;
using testing::Pd;
using testing::Slack;
using testing::T;
using testing::VectorReader;

std::vector<Event> Events() {
  return {Pd("t", "triggered", T(10)),
          Pd("a", "acknowledged", T(12), "Alice"),
          Pd("r", "resolved", T(40), "Alice"),
          Slack("1.1", T(20), "alice", "rolled back"),
          K8s("k1", "BackOff", T(5), "payments-x", true, "Back-off"),
          K8s("k2", "BackOff", T(6), "payments-x", true, "Back-off")};
}

std::string BuildMarkdown(const VectorReader& reader) {
  SummarizerConfig c;
  c.correlation.services["PSVCPAY"].scopes = {"k8s/payments/"};
  auto d = BuildDraft(testing::PaymentsIncident(), c, reader,
                      DraftMeta{.version = 1, .trigger = "api"}, T(100));
  EXPECT_TRUE(d);
  return d ? d->markdown : "";
}

// 1-based numbers of the lines containing `needle`.
std::vector<int> LinesWith(const std::string& md, const std::string& needle) {
  std::vector<int> out;
  int n = 0;
  size_t start = 0;
  while (start < md.size()) {
    size_t end = md.find('\n', start);
    ++n;
    if (md.substr(start, end - start).find(needle) != std::string::npos) out.push_back(n);
    start = end + 1;
  }
  return out;
}

TEST(Verify, FreshExportPasses) {
  VectorReader reader(Events());
  std::string md = BuildMarkdown(reader);
  auto r = VerifyMarkdown(md, reader);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ok()) << FormatVerifyReport(*r);
  EXPECT_EQ(r->appendix_entries, 6u);
  EXPECT_EQ(r->cited_ids, 6u);
  EXPECT_EQ(r->digest_in_draft, r->digest_recomputed);
  EXPECT_EQ(FormatVerifyReport(*r).substr(0, 3), "ok:");
}

// Eight BackOff snapshots: the compact Markdown links the first and last and lists only
// the linked events; the digest still covers all eight, so verify needs the stored draft's
// citations. With them it passes; a cited event that is not linked but was altered in the
// store, or a linked ID the stored draft does not cite, fails; without them it says why.
TEST(Verify, CompactDraftIsCheckedAgainstTheStoredCitations) {
  std::vector<Event> events = Events();
  for (int i = 3; i <= 8; ++i) {
    events.push_back(
        K8s("k" + std::to_string(i), "BackOff", T(6, i), "payments-x", true, "Back-off"));
  }
  VectorReader reader(events);
  SummarizerConfig c;
  c.correlation.services["PSVCPAY"].scopes = {"k8s/payments/"};
  auto d = BuildDraft(testing::PaymentsIncident(), c, reader,
                      DraftMeta{.version = 4, .trigger = "api"}, T(100));
  ASSERT_TRUE(d);
  ASSERT_NE(d->markdown.find("- **Citations:** "), std::string::npos) << d->markdown;
  auto cited = CitationsOfJson(d->json);
  ASSERT_TRUE(cited);
  EXPECT_EQ(*cited, d->cited_ids);
  auto ref = DraftRefOf(d->markdown);
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->incident_id, testing::kIncidentId);
  EXPECT_EQ(ref->version, 4);

  auto ok = VerifyMarkdown(d->markdown, reader, &*cited);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->ok()) << FormatVerifyReport(*ok);
  EXPECT_LT(ok->appendix_entries, cited->size());

  auto without = VerifyMarkdown(d->markdown, reader);
  ASSERT_TRUE(without);
  ASSERT_EQ(without->problems.size(), 1u) << FormatVerifyReport(*without);
  EXPECT_NE(without->problems[0].message.find("compact draft"), std::string::npos);

  // An event cited but not linked: its hash changes in the store.
  const TimelineLine* backoff = nullptr;
  for (const TimelineLine& l : d->timeline.lines) {
    if (l.citations.size() == 8) backoff = &l;
  }
  ASSERT_NE(backoff, nullptr);
  std::string hidden;
  for (const std::string& id : backoff->citations) {
    if (id != backoff->first_id && id != backoff->last_id) hidden = id;
  }
  ASSERT_EQ(d->markdown.find(hidden), std::string::npos);
  VectorReader tampered(events);
  for (Event& e : tampered.events()) {
    if (e.id == hidden) e.raw_sha256 = std::string(64, 'f');
  }
  auto bad = VerifyMarkdown(d->markdown, tampered, &*cited);
  ASSERT_TRUE(bad);
  EXPECT_FALSE(bad->ok());
  EXPECT_NE(FormatVerifyReport(*bad).find("input digest differs"), std::string::npos);

  std::vector<std::string> fewer;
  for (const std::string& id : *cited) {
    if (id != backoff->first_id) fewer.push_back(id);
  }
  EXPECT_TRUE(IsCompactDraft(d->markdown));

  // A Source events entry added by hand for an event the draft does not cite (its hash is
  // right) is named.
  Event uncited = K8s("k99", "BackOff", T(7), "payments-x", true, "Back-off");
  VectorReader with_extra([&] {
    std::vector<Event> v = events;
    v.push_back(uncited);
    return v;
  }());
  std::string added = d->markdown;
  std::string entry =
      "- <a id=\"" + uncited.id + "\"></a>`" + uncited.id +
      "` \xE2\x80\x94 2026-03-14 12:07:00.000 UTC \xE2\x80\x94 kubernetes \xE2\x80\x94 "
      "`k8s.BackOff` \xE2\x80\x94 no link \xE2\x80\x94 raw sha256 `" +
      uncited.raw_sha256.substr(0, 12) + "`\n";
  added += entry;
  auto listed = VerifyMarkdown(added, with_extra, &*cited);
  ASSERT_TRUE(listed);
  EXPECT_NE(
      FormatVerifyReport(*listed).find(uncited.id + ": listed but not cited by the stored draft"),
      std::string::npos)
      << FormatVerifyReport(*listed);

  auto not_cited = VerifyMarkdown(d->markdown, reader, &fewer);
  ASSERT_TRUE(not_cited);
  EXPECT_NE(FormatVerifyReport(*not_cited)
                .find(backoff->first_id + ": linked but not cited by the stored draft"),
            std::string::npos)
      << FormatVerifyReport(*not_cited);
}

// The header's incident and version: escapes undone, CRLF files, a PagerDuty link after
// the ID; a version that is not a small number is no reference.
TEST(Verify, DraftRefOfReadsTheHeader) {
  auto a = DraftRefOf(
      "# I\r\n\r\n- **Incident:** Q1\\_AB\\\\C\r\n- **Draft:** version 12, trigger x\r\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->incident_id, "Q1_AB\\C");
  EXPECT_EQ(a->version, 12);
  auto b = DraftRefOf("- **Incident:** Q1 X ([PagerDuty](https://x))\n- **Draft:** version 3\n");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->incident_id, "Q1 X");
  EXPECT_FALSE(DraftRefOf("- **Incident:** Q1\n- **Draft:** version 12345678901, x\n"));
  EXPECT_FALSE(DraftRefOf("- **Incident:** Q1\n- **Draft:** version 0, x\n"));
  EXPECT_FALSE(DraftRefOf("- **Incident:** Q1\n## Timeline\n- **Draft:** version 2\n"));
}

TEST(Verify, MissingEventIsReportedOnEveryLineThatCitesIt) {
  VectorReader reader(Events());
  std::string md = BuildMarkdown(reader);
  auto& ev = reader.events();
  auto slack =
      std::find_if(ev.begin(), ev.end(), [](const Event& e) { return e.source == "slack"; });
  ASSERT_NE(slack, ev.end());
  std::string gone = slack->id;
  ev.erase(slack);
  auto r = VerifyMarkdown(md, reader);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->ok());
  // The summary's mitigation sentence, the metrics row (time to mitigate), the table row and
  // the appendix entry.
  std::vector<int> where = LinesWith(md, gone);
  ASSERT_EQ(where.size(), 4u);
  std::vector<int> reported;
  for (const VerifyProblem& p : r->problems) {
    if (p.id == gone) reported.push_back(p.line);
  }
  EXPECT_EQ(reported, where);
  // The digest no longer matches either.
  EXPECT_EQ(r->problems.front().line, LinesWith(md, "**Input digest:**")[0]);
  EXPECT_NE(FormatVerifyReport(*r).find("line " + std::to_string(where[0]) + ": " + gone +
                                        ": cited event not found in the store"),
            std::string::npos);
}

TEST(Verify, ChangedRawHashIsReportedOnTheAppendixLine) {
  VectorReader reader(Events());
  std::string md = BuildMarkdown(reader);
  Event& victim = reader.events()[0];
  victim.raw_sha256 = Sha256Hex("tampered");
  auto r = VerifyMarkdown(md, reader);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->problems.size(), 2u) << FormatVerifyReport(*r);
  int appendix_line = LinesWith(md, "<a id=\"" + victim.id + "\">")[0];
  EXPECT_EQ(r->problems[0].line, LinesWith(md, "**Input digest:**")[0]);
  EXPECT_NE(r->problems[0].message.find("input digest differs"), std::string::npos);
  EXPECT_EQ(r->problems[1].line, appendix_line);
  EXPECT_EQ(r->problems[1].id, victim.id);
  EXPECT_NE(r->problems[1].message.find("raw_sha256 differs"), std::string::npos);
}

TEST(Verify, EditedDigestIsReported) {
  VectorReader reader(Events());
  std::string md = BuildMarkdown(reader);
  size_t p = md.find("**Input digest:** `") + 19;
  md[p] = md[p] == 'a' ? 'b' : 'a';
  auto r = VerifyMarkdown(md, reader);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->problems.size(), 1u);
  EXPECT_EQ(r->problems[0].line, LinesWith(md, "**Input digest:**")[0]);
}

TEST(Verify, CitationWithoutAppendixEntry) {
  VectorReader reader(Events());
  std::string md = BuildMarkdown(reader);
  std::string id = reader.events()[0].id;
  size_t entry = md.find("- <a id=\"" + id);
  md.erase(entry, md.find('\n', entry) + 1 - entry);
  auto r = VerifyMarkdown(md, reader);
  ASSERT_TRUE(r);
  bool found = false;
  for (const VerifyProblem& p : r->problems) {
    found |= p.id == id && p.message == "cited but missing from the Source events appendix";
  }
  EXPECT_TRUE(found) << FormatVerifyReport(*r);
}

TEST(Verify, RejectsSomethingThatIsNotADraft) {
  VectorReader reader({});
  auto r = VerifyMarkdown("# hello\n", reader);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
}

TEST(Verify, EscapedBracketsInQuotedTextAreNotCitations) {
  std::vector<Event> ev = Events();
  ev.push_back(Slack("1.2", T(21), "mallory", "rollback ](#lg_aaaaaaaaaaaaaaaa)"));
  VectorReader reader(ev);
  std::string md = BuildMarkdown(reader);
  auto r = VerifyMarkdown(md, reader);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ok()) << FormatVerifyReport(*r);
}

}  // namespace
}  // namespace timelined::summarizer

namespace timelined::summarizer {
namespace {

std::string Golden() {
  std::ifstream in(std::string(TIMELINED_FIXTURES) + "/summarizer/payments_bad_deploy.expected.md",
                   std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Replaces the first occurrence of `from` (which must exist) in `s`.
std::string Replace(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

// The whole line of `md` containing `needle`, without its newline.
std::string LineWith(const std::string& md, const std::string& needle) {
  size_t at = md.find(needle);
  if (at == std::string::npos) return "";
  size_t start = md.rfind('\n', at) + 1;
  return md.substr(start, md.find('\n', at) - start);
}

TEST(CompareRows, TheGeneratedDraftIsUnchangedAndSoIsAMovedRowOrCrlf) {
  const std::string gen = Golden();
  RowReport same = CompareRows(gen, gen);
  EXPECT_TRUE(same.clean()) << FormatRowReport(same);
  // 6 summary sentences, 6 metrics, the timeline rows.
  EXPECT_EQ(same.unchanged, 6u + 6u + LinesWith(gen, "| 2026-03-14 ").size());
  EXPECT_EQ(FormatRowReport(same).substr(0, 5), "rows:");

  const std::string row = LineWith(gen, "Bob Okafor: \"thanks all");
  std::string moved = Replace(gen, row + "\n", "");
  moved = Replace(moved, "| Time (UTC) | What happened | Sources |\n|---|---|---|\n",
                  "| Time (UTC) | What happened | Sources |\n|---|---|---|\n" + row + "\n");
  EXPECT_TRUE(CompareRows(moved, gen).clean());
  std::string crlf;
  for (char c : gen) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  EXPECT_TRUE(CompareRows(crlf, gen).clean());
}

TEST(CompareRows, EditedAddedAndRemovedRowsAreNamed) {
  const std::string gen = Golden();
  const std::string edited_row = LineWith(gen, "Carol Diaz: \"rollback started");
  const std::string retimed_row = LineWith(gen, "Note added by Alice Ops");
  const std::string removed_row = LineWith(gen, "Bob Okafor: \"thanks all");
  const std::string sentence = LineWith(gen, "- Resolved at 2026-03-14 12:20:00 UTC");
  ASSERT_FALSE(edited_row.empty() || retimed_row.empty() || removed_row.empty() ||
               sentence.empty());
  std::string md = Replace(gen, "rollback started:", "rollback started (Carol owns comms):");
  md = Replace(md, "| 2026-03-14 12:12:00 | Note added", "| 2026-03-14 12:11:00 | Note added");
  md = Replace(md, removed_row + "\n", "");
  md = Replace(md, "Resolved at 2026-03-14 12:20:00 UTC", "Resolved at 12:20 UTC");
  const std::string hand = "| 2026-03-14 12:30:00 | Customer comms sent by the duty manager |  |";
  md = Replace(md, "\n\n## Source events", "\n" + hand + "\n\n## Source events");

  RowReport r = CompareRows(md, gen);
  EXPECT_EQ(r.edited, 3u) << FormatRowReport(r);
  EXPECT_EQ(r.added, 1u);
  EXPECT_EQ(r.removed, 1u);
  ASSERT_EQ(r.changes.size(), 5u);
  // File order: the summary sentence, the two timeline edits, the hand row; removed last.
  EXPECT_EQ(r.changes[0].change, RowChange::kEdited);
  EXPECT_EQ(r.changes[0].section, "Summary");
  EXPECT_EQ(r.changes[0].generated, sentence);
  EXPECT_EQ(r.changes[1].change, RowChange::kEdited);
  EXPECT_EQ(r.changes[1].section, "Timeline");
  EXPECT_EQ(r.changes[1].generated, edited_row);
  EXPECT_NE(r.changes[1].current.find("Carol owns comms"), std::string::npos);
  EXPECT_EQ(LinesWith(md, "Carol owns comms"), std::vector<int>{r.changes[1].line});
  EXPECT_EQ(r.changes[2].generated, retimed_row);
  EXPECT_EQ(r.changes[3].change, RowChange::kAdded);
  EXPECT_EQ(r.changes[3].current, hand);
  EXPECT_EQ(r.changes[3].generated, "");
  EXPECT_EQ(r.changes[4].change, RowChange::kRemoved);
  EXPECT_EQ(r.changes[4].generated, removed_row);
  EXPECT_EQ(r.changes[4].line, 0);
  const std::string text = FormatRowReport(r);
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "rows: " + std::to_string(r.unchanged) +
                " unchanged, 3 edited, 1 added by hand, 1 removed; 0 other lines differing");
  EXPECT_NE(text.find("added by hand (Timeline)"), std::string::npos) << text;
  EXPECT_NE(text.find("removed (Timeline)"), std::string::npos) << text;
}

// A row whose links changed as well as its text is no longer that row: one added, one removed.
TEST(CompareRows, ARowWithOtherLinksIsAddedAndTheGeneratedOneRemoved) {
  const std::string gen = Golden();
  const std::string row = LineWith(gen, "Escalated by Alice Ops to Bob Lead");
  ASSERT_FALSE(row.empty());
  const std::string changed =
      "| 2026-03-14 12:06:00 | Escalated to the payments lead | "
      "[pd_ba5fi3biutgyluol](#pd_ba5fi3biutgyluol) |";
  RowReport r = CompareRows(Replace(gen, row, changed), gen);
  EXPECT_EQ(r.edited, 0u);
  EXPECT_EQ(r.added, 1u);
  EXPECT_EQ(r.removed, 1u);
}

// Whatever is not a row must stay as generated: the header (but its Stale line), headings,
// prose, a new section, a comment hiding a row, Source events.
TEST(CompareRows, EveryOtherLineIsComparedToo) {
  const std::string gen = Golden();
  struct Case {
    std::string name;
    std::string edited;
    size_t other;
  };
  const std::string row = LineWith(gen, "Escalated by Alice Ops to Bob Lead");
  const std::vector<Case> cases = {
      {"severity", Replace(gen, "P1, high urgency", "P4, low urgency"), 2},
      {"title", Replace(gen, "# Incident #4711: Payments", "# Incident #4711: Billing"), 2},
      {"prose in the timeline", Replace(gen, row + "\n", row + "\nThe team agreed.\n"), 1},
      {"a new section",
       Replace(gen, "\n## Source events", "\n## Root cause\n\nThe pool size.\n\n## Source events"),
       2},
      {"a row hidden in a comment", Replace(gen, row, "<!-- " + row + " -->"), 1},
      {"an appendix entry", Replace(gen, "raw sha256 `", "raw sha256 `0"), 2},
  };
  for (const Case& c : cases) {
    RowReport r = CompareRows(c.edited, gen);
    EXPECT_EQ(r.other, c.other) << c.name << "\n" << FormatRowReport(r);
    EXPECT_FALSE(r.clean()) << c.name;
  }
  // The hidden row is also missing from the table.
  EXPECT_EQ(CompareRows(Replace(gen, row, "<!-- " + row + " -->"), gen).removed, 1u);
  // A stale served draft differs from the stored one only in its Stale line.
  EXPECT_TRUE(CompareRows(Replace(gen, "- **Stale:** no", "- **Stale:** yes"), gen).clean());
}

// A Metrics row is the same metric by its label even when its Sources changed.
TEST(CompareRows, AMetricRowIsMatchedByItsLabel) {
  const std::string gen = Golden();
  const std::string row = LineWith(gen, "| Time to resolve |");
  ASSERT_FALSE(row.empty());
  RowReport r =
      CompareRows(Replace(gen, row, "| Time to resolve | 25 min (1500 s) | by hand |  |"), gen);
  EXPECT_EQ(r.edited, 1u) << FormatRowReport(r);
  EXPECT_EQ(r.added + r.removed + r.other, 0u);
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].section, "Metrics");
  EXPECT_EQ(r.changes[0].generated, row);
}

}  // namespace
}  // namespace timelined::summarizer
