#include <algorithm>

#include "summarizer/digest.h"
#include "summarizer/render.h"
#include "summarizer/rules.h"
#include "summarizer/text.h"

namespace timelined::summarizer {
namespace {

// The header's last line, written here and nowhere else (MarkMarkdownStale swaps them).
constexpr std::string_view kStaleNo = "\n- **Stale:** no\n";
constexpr std::string_view kStaleYes =
    "\n- **Stale:** yes \xE2\x80\x94 evidence arrived after this draft was generated; "
    "regenerate it\n";

// Event IDs are [a-z0-9_] by construction (ValidateEvent); anything else is escaped.
bool IsSafeId(std::string_view id) {
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-' || c == '.'))
      return false;
  }
  return !id.empty();
}

std::string LinkTarget(std::string_view url);

void AppendLink(std::string& out, std::string_view id) {
  bool safe = IsSafeId(id);
  out += "[";
  out += safe ? std::string(id) : EscapeMarkdown(id);
  out += "](#";
  out += safe ? std::string(id) : LinkTarget(id);
  out += ")";
}

void AppendLinks(std::string& out, const std::vector<std::string>& ids, size_t shown, size_t row) {
  size_t n = std::min(ids.size(), shown);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    AppendLink(out, ids[i]);
  }
  if (ids.size() > n) {
    out += " [+" + std::to_string(ids.size() - n) + " more](#line-" + std::to_string(row) + ")";
  }
}

// A compact row that cannot link every citation: a grouped line's first and last member,
// another line's first `shown`.
bool UsesEnds(const TimelineLine& l) {
  return !l.first_id.empty() && !l.last_id.empty() && l.first_id != l.last_id;
}

// The citations a compact row that does not use its ends links: its lead_ids that it cites,
// then its first citations, `shown` in all.
std::vector<std::string> ShownCitations(const TimelineLine& l, size_t shown) {
  std::vector<std::string> out;
  auto cited = [&l](const std::string& id) {
    return std::binary_search(l.citations.begin(), l.citations.end(), id);
  };
  auto taken = [&out](const std::string& id) {
    return std::find(out.begin(), out.end(), id) != out.end();
  };
  for (const std::string& id : l.lead_ids) {
    if (out.size() < shown && cited(id) && !taken(id)) out.push_back(id);
  }
  for (const std::string& id : l.citations) {
    if (out.size() >= shown) break;
    if (!taken(id)) out.push_back(id);
  }
  return out;
}

void AppendCompactLinks(std::string& out, const TimelineLine& l, size_t shown) {
  if (UsesEnds(l)) {
    AppendLink(out, l.first_id);
    out += " \xE2\x80\xA6 ";
    AppendLink(out, l.last_id);
    out += " (" + CountOf(l.citations.size(), "events") + ")";
    return;
  }
  const std::vector<std::string> ids = ShownCitations(l, shown);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ", ";
    AppendLink(out, ids[i]);
  }
  out += " (+" + std::to_string(l.citations.size() - ids.size()) + " more)";
}

bool Elides(const TimelineLine& l, const MarkdownOptions& o) {
  return !o.full_citations && l.citations.size() > o.shown_citations;
}

std::string Or(const std::string& s, const char* fallback) { return s.empty() ? fallback : s; }

// Identifiers (kinds, triggers, formulas) as code spans, so "_" needs no escaping.
std::string Code(std::string_view s) {
  if (s.empty() || s.find_first_of("`\n\r|") != std::string_view::npos) return EscapeMarkdown(s);
  return "`" + std::string(s) + "`";
}

std::string Severity(const Incident& i) {
  std::string out = i.priority.empty() ? "no priority" : i.priority;
  if (!i.urgency.empty()) out += ", " + i.urgency + " urgency";
  return out;
}

std::string Evidence(const TimelineStats& s) {
  std::string out =
      CountOf(s.correlated, "correlated events") + ", " + std::to_string(s.cited) + " cited";
  std::string sep = "; not shown: ";
  for (const auto& [reason, n] : s.not_shown) {
    out += sep + CountOf(n, reason);
    sep = ", ";
  }
  return out;
}

void AppendHeader(std::string& out, const Incident& i, const Timeline& t, const DraftMeta& m,
                  const MarkdownOptions& o, size_t* digest_offset) {
  out += "# Incident #" + std::to_string(i.number) + ": " +
         EscapeMarkdown(Or(i.title, "(untitled)")) + "\n\n";
  out += "- **Incident:** " + EscapeMarkdown(i.id);
  if (i.html_url.starts_with("https://") || i.html_url.starts_with("http://"))
    out += " ([PagerDuty](" + EscapeMarkdown(i.html_url) + "))";
  out += "\n- **Service:** " + EscapeMarkdown(Or(i.service_name, "(unknown)"));
  if (!i.service_id.empty()) out += " (" + EscapeMarkdown(i.service_id) + ")";
  out += "\n- **Severity:** " + EscapeMarkdown(Severity(i));
  out += "\n- **Status:** " + EscapeMarkdown(Or(i.status, "unknown"));
  out += "\n- **Draft:** version " + std::to_string(m.version) + ", trigger " +
         Code(Or(m.trigger, "unknown")) + ", generator " + Code(m.generator);
  out += "\n- **Config hash:** `" + m.config_hash + "`";
  out += "\n- **Input digest:** `";
  *digest_offset = out.size();
  out += m.input_digest + "`";
  out += "\n- **Evidence:** " + EscapeMarkdown(Evidence(t.stats));
  size_t linked = LinkedIds(t, o).size();
  size_t cited = CitedIdList(t).size();
  if (linked < cited) {
    out += "\n- **Citations:** " + std::to_string(linked) + " of " +
           CountOf(cited, "cited events") +
           " linked here (a group's first and last, another row's first " +
           std::to_string(o.shown_citations) + "); the JSON draft lists every one";
  }
  out += m.stale ? kStaleYes : kStaleNo;
}

void AppendSummary(std::string& out, const Timeline& t) {
  if (t.summary.empty()) return;
  out += "\n## Summary\n\n";
  for (const SummarySentence& s : t.summary) {
    out += "- " + EscapeMarkdown(s.text) + " (";
    AppendLinks(out, s.citations, s.citations.size(), 0);
    out += ")\n";
  }
}

void AppendMetrics(std::string& out, const Timeline& t) {
  out += "\n## Metrics\n\n| Metric | Value | Formula | Sources |\n|---|---|---|---|\n";
  for (const Metric& m : t.metrics) {
    out += "| " + EscapeMarkdown(m.label) + " | ";
    out += m.present ? FormatDuration(m.seconds * kNanosPerSecond) + " (" +
                           std::to_string(m.seconds) + " s)"
                     : "not computed: " + EscapeMarkdown(m.reason);
    out += " | " + Code(m.formula) + " | ";
    AppendLinks(out, m.citations, m.citations.size(), 0);
    out += " |\n";
  }
}

void AppendTable(std::string& out, const Timeline& t, const MarkdownOptions& o) {
  out += "\n## Timeline\n\n| Time (UTC) | What happened | Sources |\n|---|---|---|\n";
  size_t row = 0;
  for (const TimelineLine& l : t.lines) {
    ++row;
    out += "| " + FormatTableTime(l.at) + " | " + EscapeMarkdown(l.text) + " | ";
    if (Elides(l, o)) {
      AppendCompactLinks(out, l, o.shown_citations);
    } else {
      AppendLinks(out, l.citations, o.shown_citations, row);
    }
    out += " |\n";
  }
}

void AppendGrouped(std::string& out, const Timeline& t, const MarkdownOptions& o) {
  if (!o.full_citations) return;
  const size_t shown = o.shown_citations;
  bool any = false;
  size_t row = 0;
  for (const TimelineLine& l : t.lines) {
    ++row;
    if (l.citations.size() <= shown) continue;
    if (!any) out += "\n## Grouped citations\n";
    any = true;
    out += "\n<a id=\"line-" + std::to_string(row) + "\"></a>**Line " + std::to_string(row) +
           "** (" + FormatTableTime(l.at) + ", " + CountOf(l.citations.size(), "events") + "): ";
    for (size_t i = 0; i < l.citations.size(); ++i) {
      if (i > 0) out += ", ";
      AppendLink(out, l.citations[i]);
    }
    out += "\n";
  }
}

// Percent-encodes what would end or break a Markdown link destination.
std::string LinkTarget(std::string_view url) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '(' || c == ')' || c == '<' || c == '>' || c == '|' ||
        c == '`' || c == '[' || c == ']' || c == '\\' || c == '"') {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

// The placeholders of MessageTemplate and KubernetesMessageTemplate.
size_t PlaceholderAt(std::string_view text, size_t i) {
  for (std::string_view p : {"<uuid>", "<ip>", "<dur>", "<hex>", "<str>", "<num>", "<name>"}) {
    if (text.substr(i, p.size()) == p) return p.size();
  }
  return 0;
}

// "&" followed by a character reference ("&amp;", "&#60;", "&#x3c;") would be decoded.
bool StartsEntity(std::string_view text, size_t i) {
  size_t j = i + 1;
  if (j < text.size() && text[j] == '#') ++j;
  size_t start = j;
  while (j < text.size() && j - start <= 32 &&
         ((text[j] >= 'a' && text[j] <= 'z') || (text[j] >= 'A' && text[j] <= 'Z') ||
          (text[j] >= '0' && text[j] <= '9')))
    ++j;
  return j > start && j < text.size() && text[j] == ';';
}

}  // namespace

std::string EscapeMarkdown(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    switch (c) {
      case '|':
      case '`':
      case '[':
      case ']':
      case '*':
      case '_':
      case '~':
      case '\\':
        out += '\\';
        out += c;
        break;
      case '<':
        if (size_t n = PlaceholderAt(text, i)) {
          out += '`';
          out.append(text.substr(i, n));
          out += '`';
          i += n - 1;
        } else {
          out += "\\<";
        }
        break;
      case '&':
        if (StartsEntity(text, i)) out += '\\';
        out += c;
        break;
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

IdList LinkedIds(const Timeline& t, const MarkdownOptions& o) {
  IdList ids;
  for (const SummarySentence& s : t.summary) {
    for (const std::string& id : s.citations) ids.Add(id);
  }
  for (const Metric& m : t.metrics) {
    for (const std::string& id : m.citations) ids.Add(id);
  }
  for (const TimelineLine& l : t.lines) {
    if (!Elides(l, o)) {
      for (const std::string& id : l.citations) ids.Add(id);
    } else if (UsesEnds(l)) {
      ids.Add(l.first_id);
      ids.Add(l.last_id);
    } else {
      for (const std::string& id : ShownCitations(l, o.shown_citations)) ids.Add(id);
    }
  }
  ids.SortUnique();
  return ids;
}

void AppendMarkdownHead(std::string& out, const Incident& incident, const Timeline& timeline,
                        const DraftMeta& meta, const MarkdownOptions& options,
                        size_t* digest_offset) {
  AppendHeader(out, incident, timeline, meta, options, digest_offset);
  AppendSummary(out, timeline);
  AppendMetrics(out, timeline);
  AppendTable(out, timeline, options);
  AppendGrouped(out, timeline, options);
  out += "\n## Source events\n\n";
}

void AppendSourceEntry(std::string& out, const Event& e) {
  static constexpr std::string_view kDash = " \xE2\x80\x94 ";
  std::string id = IsSafeId(e.id) ? e.id : LinkTarget(e.id);
  std::string time = FormatRfc3339(e.occurred_at, 3);  // 2026-03-14T12:01:07.123Z
  time[10] = ' ';
  time.pop_back();
  out.append("- <a id=\"").append(id).append("\"></a>`").append(id).append("`");
  out.append(kDash).append(time).append(" UTC");
  out.append(kDash).append(EscapeMarkdown(e.source));
  out.append(kDash).append(Code(e.kind)).append(kDash);
  if (e.kind == kSlackUserKind && !e.actor.empty()) {
    // The Slack user id the draft's lines replaced by this name.
    out.append("user ").append(Code(e.actor)).append(kDash);
  }
  if (e.url.starts_with("https://") || e.url.starts_with("http://")) {
    out.append("[original](").append(LinkTarget(e.url)).append(")");
  } else if (!e.url.empty()) {
    out.append(EscapeMarkdown(e.url));
  } else {
    out.append("no link");
  }
  out.append(kDash).append("raw sha256 `");
  out.append(e.raw_sha256.empty() ? std::string_view("none")
                                  : std::string_view(e.raw_sha256).substr(0, 12));
  out.append("`\n");
}

std::string RenderMarkdown(const Incident& incident, const Timeline& timeline,
                           const DraftMeta& meta_in, std::vector<Event> cited_events,
                           const MarkdownOptions& options) {
  DraftMeta meta = meta_in;
  if (meta.input_digest.empty()) meta.input_digest = InputDigest(cited_events);
  std::sort(cited_events.begin(), cited_events.end(), [](const Event& a, const Event& b) {
    return a.occurred_at != b.occurred_at ? a.occurred_at < b.occurred_at : a.id < b.id;
  });
  std::string out;
  size_t offset = 0;
  AppendMarkdownHead(out, incident, timeline, meta, options, &offset);
  IdList linked = LinkedIds(timeline, options);
  for (const Event& e : cited_events) {
    if (linked.Contains(e.id)) AppendSourceEntry(out, e);
  }
  return out;
}

std::string MarkMarkdownStale(std::string markdown) {
  // Only the header: it ends at the first section heading, and event text never reaches it
  // unescaped ("*" is escaped), so the first match is the header's own line.
  const size_t head_end = markdown.find("\n## ");
  const size_t at = markdown.find(kStaleNo);
  if (at != std::string::npos && at < head_end) markdown.replace(at, kStaleNo.size(), kStaleYes);
  return markdown;
}

}  // namespace timelined::summarizer
