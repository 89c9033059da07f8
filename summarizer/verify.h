#pragma once
// Verification of an exported Markdown draft against the store (`timelined verify FILE.md`):
//   - every ID linked from the metrics, the timeline table and the grouped citations
//     exists in the store and has a "Source events" entry;
//   - every "Source events" entry names a stored event whose raw_sha256 starts with the
//     12 hex chars printed there;
//   - the header's input digest equals InputDigest over the stored events of the appendix.
// A compact draft (render.h: a "- **Citations:** N of M cited events linked here" header
// line) links only some of its citations, so its digest is checked against the stored
// draft's full citation list (`stored_citations`, from the draft's JSON; the CLI reads it
// from the store by the incident and version in the header): every one of them must exist,
// the digest is recomputed over them, and every linked ID must be one of them. Without the
// list a compact draft fails with a problem saying so.
// Each problem carries the 1-based Markdown line it was found on (0 when the thing is
// missing altogether). It does not look at what the rows say: CompareRows (below) tells
// rows as generated from rows edited by hand. Reads the store only through
// EventReader::GetEvent.
//
// Errors: kInvalidInput when the text is not a timelined draft (no input digest line and no
// Source events section); reader errors unchanged.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/model/error.h"
#include "store/model/reader.h"

namespace timelined::summarizer {

struct VerifyProblem {
  int line = 0;
  std::string id;  // the event concerned, "" for the digest
  std::string message;
};

struct VerifyReport {
  size_t cited_ids = 0;  // distinct IDs linked outside the appendix
  size_t appendix_entries = 0;
  std::string digest_in_draft;
  std::string digest_recomputed;
  std::vector<VerifyProblem> problems;  // in line order
  bool ok() const { return problems.empty(); }
};

Result<VerifyReport> VerifyMarkdown(std::string_view markdown, const EventReader& reader,
                                    const std::vector<std::string>* stored_citations = nullptr);

// True when the header has the "- **Citations:**" line of a compact draft.
bool IsCompactDraft(std::string_view markdown);

// The incident and draft version a Markdown draft's header names ("- **Incident:** Q1…",
// "- **Draft:** version 3, …"); nullopt when either is missing.
struct DraftRef {
  std::string incident_id;
  int version = 0;
};
std::optional<DraftRef> DraftRefOf(std::string_view markdown);

// Every ID a JSON draft cites (lines, metrics, summary), sorted and unique; kInvalidInput
// when `json` is not a JSON draft.
Result<std::vector<std::string>> CitationsOfJson(std::string_view json);

// "line 42: pd_…: cited event not found in the store", one per line.
std::string FormatVerifyReport(const VerifyReport& r);

// What a person changed in a draft: its rows (Summary sentences, Metrics rows, Timeline
// rows) against the draft as generated (the stored Markdown of the version its header
// names). Drafts are deterministic, so a row equal to a generated one is machine-derived
// from the evidence it cites; anything else was written or edited by hand.
//   unchanged  the row is one of the generated rows of its section (moving it is no change)
//   edited     not generated as is, but it links exactly the events a generated row of its
//              section links (the same Sources), or is the same metric (its first cell): its
//              text or time was changed
//   added      neither: written by hand (or its links were changed too)
//   removed    a generated row the file no longer has
//   other      any other line not as generated: the header (but its Stale line, which a
//              served stale draft changes), headings, prose, a new section, an HTML comment
//              or code fence around rows, Source events; blank lines and CR are ignored
// Lines are compared as a multiset within each kind, so the result does not depend on
// order. Linear in the size of both drafts. Pure.
enum class RowChange { kUnchanged, kEdited, kAdded, kRemoved, kOther };

struct RowDiff {
  RowChange change = RowChange::kUnchanged;
  std::string section;    // "Summary" | "Metrics" | "Timeline"; "" for other lines
  int line = 0;           // 1-based line in the file; 0 for a removed row or line
  std::string current;    // the row in the file; "" when removed
  std::string generated;  // the generated row; "" when added (and for other lines)
};

struct RowReport {
  size_t unchanged = 0, edited = 0, added = 0, removed = 0, other = 0;
  // Every row or line that is not unchanged: rows in file order, removed rows, then other
  // lines (file order, then removed ones).
  std::vector<RowDiff> changes;
  bool clean() const { return changes.empty(); }
};

RowReport CompareRows(std::string_view markdown, std::string_view generated);

// "rows: 40 unchanged, 1 edited, 1 added by hand, 0 removed; 0 other lines differing" and one
// block per change.
std::string FormatRowReport(const RowReport& r);

}  // namespace timelined::summarizer
