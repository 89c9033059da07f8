#pragma once
// Rendering a timeline as Markdown (for the postmortem document) and JSON (for tools and
// diffs). Pure and deterministic: identical inputs give byte-identical output. The wall
// clock never appears in the Markdown (DraftMeta::generated_at is only in the JSON, as an
// input the caller passes).
//
// Markdown layout (verify.h parses it back):
//   # Incident #<number>: <title>
//   - **<Field>:** … lines: Incident, Service, Severity, Status, Draft, Config hash,
//     Input digest (`<64 hex>`), Evidence, Stale
//   ## Summary         - <sentence> ([id](#id), …)   (ComputeSummary; left out when empty)
//   ## Metrics         | Metric | Value | Formula | Sources |
//   ## Timeline        | Time (UTC) | What happened | Sources |  sources are [id](#id)
//                      links; rows citing more than `shown_citations` IDs: see
//                      MarkdownOptions (compact: "[a](#a) … [b](#b) (12 events)" or
//                      "(+N more)"; full: "[+N more](#line-<row>)")
//   ## Grouped citations   <a id="line-<row>"></a> and every ID of such rows (full mode)
//   ## Source events   one entry per linked ID, in (time, id) order:
//     - <a id="<id>"></a>`<id>` — <time> UTC — <source> — <kind> — <link> — raw sha256 `<12 hex>`
// Text from events is escaped: | ` [ ] * _ ~ \ become backslash escapes, < > & become
// entities, newlines become spaces, so it renders as text on GitHub and Confluence.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "store/model/event.h"
#include "summarizer/ids.h"
#include "summarizer/timeline.h"

namespace timelined::summarizer {

inline constexpr std::string_view kGeneratorDeterministic = "timelined-deterministic/1";

struct DraftMeta {
  std::string incident_id;
  int version = 1;
  std::string trigger;  // auto_close | regenerate | api
  std::string generator = std::string(kGeneratorDeterministic);
  std::string config_hash;
  std::string input_digest;  // see digest.h
  bool stale = false;
  Nanos generated_at = 0;  // JSON only
};

// Text that renders as itself in CommonMark/GFM inside a table cell or after a list marker:
// | ` [ ] * _ ~ \ are backslash-escaped, newlines become spaces, "<" is "\<" (no raw HTML, no
// autolink), "&" is "\&" only where it would start an entity ("&lt;"), ">" stays as it is
// (never at a line start here). A template placeholder ("<dur>", "<num>", …) becomes a code
// span ("`<dur>`"). No HTML entities: the Markdown source reads like the rendered text.
std::string EscapeMarkdown(std::string_view text);
// A JSON string literal (quotes included); invalid UTF-8 is replaced, never throws.
std::string JsonQuote(std::string_view s);

// How many citations a Markdown draft links. A row citing at most `shown_citations` events
// links them all. A longer row links, in full mode, the first `shown_citations` and
// "[+N more](#line-<row>)" pointing at a "Grouped citations" list of every member; in
// compact mode (the default) a grouped line links its first and last member by time
// ("[a](#a) … [b](#b) (12 events)"), any other line its first `shown_citations`
// ("(+N more)"), with no grouped list, and the header says how many of the cited events
// are linked ("- **Citations:** 34 of 8139 cited events linked here …"): the JSON draft
// lists every citation. Source events lists the linked events; the input digest covers
// every cited one in both modes. A draft whose rows all fit is the same in both modes.
struct MarkdownOptions {
  size_t shown_citations = 3;
  bool full_citations = false;
};

// The IDs a Markdown draft links (sorted, unique): summary, metrics and rows, per options.
IdList LinkedIds(const Timeline& timeline, const MarkdownOptions& options);

// Everything before the "## Source events" entries, including that heading.
// *digest_offset receives the byte offset in `out` of the 64-char input digest, so a
// caller that learns the digest later can patch it in place.
void AppendMarkdownHead(std::string& out, const Incident& incident, const Timeline& timeline,
                        const DraftMeta& meta, const MarkdownOptions& options,
                        size_t* digest_offset);
// One "## Source events" entry.
void AppendSourceEntry(std::string& out, const Event& e);

// Whole document; `cited_events` in any order (sorted here by (occurred_at, id)); those
// not linked are left out of Source events (but count in the digest).
std::string RenderMarkdown(const Incident& incident, const Timeline& timeline,
                           const DraftMeta& meta, std::vector<Event> cited_events,
                           const MarkdownOptions& options = {});

// {"incident":{…},"lines":[…],"meta":{…},"metrics":[…],"stats":{…},"summary":[{"citations",
// "text"}…]}, one line per element of "lines", "metrics" and "summary" for readable diffs.
std::string RenderJson(const Incident& incident, const Timeline& timeline, const DraftMeta& meta);

// Drafts are stored as rendered with meta.stale = false; when evidence arrives later the
// store flags the row, and these turn the stored bytes into exactly what rendering with
// meta.stale = true gives (a test holds them to it), so the serving side never copies the
// renderer's wording. Input that is not a rendering is returned unchanged.
std::string MarkMarkdownStale(std::string markdown);
std::string MarkJsonStale(std::string json);

}  // namespace timelined::summarizer
