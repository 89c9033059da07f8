#include "summarizer/verify.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "summarizer/digest.h"
#include "summarizer/text.h"

namespace timelined::summarizer {
namespace {

constexpr std::string_view kDigestMarker = "- **Input digest:** `";
constexpr std::string_view kAppendixHeading = "## Source events";
constexpr std::string_view kEntryMarker = "- <a id=\"";
constexpr std::string_view kRawMarker = "raw sha256 `";
constexpr std::string_view kCitationsMarker = "- **Citations:** ";
constexpr std::string_view kIncidentMarker = "- **Incident:** ";
constexpr std::string_view kDraftMarker = "- **Draft:** version ";

struct AppendixEntry {
  int line = 0;
  std::string id;
  std::string raw_prefix;
};

struct ParsedDraft {
  int digest_line = 0;
  std::string digest;
  bool has_appendix = false;
  int compact_line = 0;                           // the "Citations" header line of a compact draft
  std::map<std::string, std::vector<int>> cited;  // id -> lines linking it
  std::vector<AppendixEntry> entries;
};

// The text between `marker` and the next `close` in `line`, or nullopt.
std::optional<std::string> Between(std::string_view line, std::string_view marker, char close) {
  size_t p = line.find(marker);
  if (p == std::string_view::npos) return std::nullopt;
  p += marker.size();
  size_t q = line.find(close, p);
  if (q == std::string_view::npos) return std::nullopt;
  return std::string(line.substr(p, q - p));
}

void ParseLinks(std::string_view line, int n, ParsedDraft* d) {
  size_t q = 0;  // the first ')' at or after p + 3; only moves forward (linear in the line)
  for (size_t p = line.find("](#"); p != std::string_view::npos;) {
    const size_t next = line.find("](#", p + 3);
    if (q < p + 3) q = line.find(')', p + 3);
    if (q == std::string_view::npos) break;
    const size_t at = p;
    p = next;
    // Not a link when another "](#" comes before its ')': each target is copied once.
    if (next != std::string_view::npos && next < q) continue;
    if (at > 0 && line[at - 1] == '\\') continue;  // an escaped "\]" in quoted text
    std::string target(line.substr(at + 3, q - at - 3));
    if (target.starts_with("line-")) continue;
    auto& lines = d->cited[target];
    if (lines.empty() || lines.back() != n) lines.push_back(n);
  }
}

void ParseLine(std::string_view line, int n, ParsedDraft* d) {
  if (line.starts_with(kAppendixHeading)) {
    d->has_appendix = true;
    return;
  }
  if (d->has_appendix) {
    if (!line.starts_with(kEntryMarker)) return;
    AppendixEntry e{.line = n, .id = Between(line, kEntryMarker, '"').value_or("")};
    e.raw_prefix = Between(line, kRawMarker, '`').value_or("");
    d->entries.push_back(std::move(e));
    return;
  }
  if (d->compact_line == 0 && d->cited.empty() && line.starts_with(kCitationsMarker)) {
    d->compact_line = n;
    return;
  }
  if (d->digest_line == 0 && line.starts_with(kDigestMarker)) {
    d->digest_line = n;
    d->digest = Between(line, kDigestMarker, '`').value_or("");
    return;
  }
  ParseLinks(line, n, d);
}

ParsedDraft Parse(std::string_view md) {
  ParsedDraft d;
  int n = 0;
  for (size_t start = 0; start < md.size();) {
    size_t end = md.find('\n', start);
    if (end == std::string_view::npos) end = md.size();
    std::string_view line = md.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ParseLine(line, ++n, &d);
    start = end + 1;
  }
  return d;
}

}  // namespace

Result<VerifyReport> VerifyMarkdown(std::string_view markdown, const EventReader& reader,
                                    const std::vector<std::string>* stored_citations) {
  ParsedDraft d = Parse(markdown);
  if (d.digest_line == 0 && !d.has_appendix)
    return MakeError(ErrorCode::kInvalidInput, "not_a_draft",
                     "no input digest line and no Source events section");
  VerifyReport r;
  r.cited_ids = d.cited.size();
  r.appendix_entries = d.entries.size();
  r.digest_in_draft = d.digest;
  auto problem = [&r](int line, std::string id, std::string msg) {
    r.problems.push_back(VerifyProblem{line, std::move(id), std::move(msg)});
  };
  std::set<std::string> in_appendix, missing;
  InputDigestBuilder digest;
  for (const AppendixEntry& e : d.entries) {
    in_appendix.insert(e.id);
    auto got = reader.GetEvent(e.id);
    if (!got) return std::unexpected(got.error());
    if (!*got) {
      missing.insert(e.id);
      problem(e.line, e.id, "event not found in the store");
      continue;
    }
    digest.Add((*got)->id, (*got)->raw_sha256);
    std::string stored = (*got)->raw_sha256.substr(0, 12);
    if (e.raw_prefix != stored) {
      problem(e.line, e.id,
              "raw_sha256 differs: draft " + e.raw_prefix + ", store " +
                  (stored.empty() ? "none" : stored));
    }
  }
  for (const auto& [id, lines] : d.cited) {
    bool listed = in_appendix.contains(id);
    bool absent = missing.contains(id);
    if (!listed) {
      auto got = reader.GetEvent(id);
      if (!got) return std::unexpected(got.error());
      absent = !*got;
    }
    for (int line : lines) {
      if (absent) problem(line, id, "cited event not found in the store");
      if (!listed) problem(line, id, "cited but missing from the Source events appendix");
    }
  }
  r.digest_recomputed = digest.Finish();
  if (d.compact_line != 0) {
    // The appendix lists only the linked events; the digest covers every cited one.
    if (stored_citations == nullptr) {
      problem(d.compact_line, "",
              "a compact draft links only some of its citations; verify it with the stored "
              "draft's citation list (timelined verify reads it from the store)");
      r.digest_recomputed.clear();
    } else {
      const std::set<std::string> all(stored_citations->begin(), stored_citations->end());
      InputDigestBuilder full;
      for (const std::string& id : all) {
        auto got = reader.GetEvent(id);
        if (!got) return std::unexpected(got.error());
        if (!*got) {
          problem(d.compact_line, id, "cited by the stored draft but not found in the store");
          continue;
        }
        full.Add((*got)->id, (*got)->raw_sha256);
      }
      for (const auto& [id, lines] : d.cited) {
        if (all.contains(id)) continue;
        for (int line : lines) problem(line, id, "linked but not cited by the stored draft");
      }
      for (const AppendixEntry& e : d.entries) {
        if (!all.contains(e.id)) problem(e.line, e.id, "listed but not cited by the stored draft");
      }
      r.digest_recomputed = full.Finish();
    }
  }
  if (d.digest_line == 0) {
    problem(0, "", "no input digest in the header");
  } else if ((d.compact_line == 0 || stored_citations != nullptr) &&
             d.digest != r.digest_recomputed) {
    problem(d.digest_line, "",
            "input digest differs: draft " + d.digest + ", recomputed from the store " +
                r.digest_recomputed);
  }
  std::stable_sort(r.problems.begin(), r.problems.end(),
                   [](const VerifyProblem& a, const VerifyProblem& b) { return a.line < b.line; });
  return r;
}

bool IsCompactDraft(std::string_view markdown) {
  size_t at = markdown.find(std::string("\n") + std::string(kCitationsMarker));
  return at != std::string_view::npos && at < markdown.find("\n## ");
}

std::optional<DraftRef> DraftRefOf(std::string_view markdown) {
  DraftRef ref;
  bool have_id = false, have_version = false;
  size_t start = 0;
  while (start < markdown.size() && !(have_id && have_version)) {
    size_t end = markdown.find('\n', start);
    if (end == std::string_view::npos) end = markdown.size();
    std::string_view line = markdown.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.starts_with("## ")) break;  // the header is over
    if (!have_id && line.starts_with(kIncidentMarker)) {
      // EscapeMarkdown's output up to " (" (the PagerDuty link) or the end: a backslash
      // escapes the next character.
      std::string_view rest = line.substr(kIncidentMarker.size());
      rest = rest.substr(0, rest.find(" ("));
      for (size_t i = 0; i < rest.size(); ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        ref.incident_id += rest[i];
      }
      have_id = !ref.incident_id.empty();
    } else if (!have_version && line.starts_with(kDraftMarker)) {
      std::string_view rest = line.substr(kDraftMarker.size());
      rest = rest.substr(0, rest.find(','));
      if (rest.empty() || rest.size() > 9 ||
          rest.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
      }
      for (char c : rest) ref.version = ref.version * 10 + (c - '0');
      have_version = ref.version > 0;
    }
  }
  if (!have_id || !have_version) return std::nullopt;
  return ref;
}

Result<std::vector<std::string>> CitationsOfJson(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("lines"))
    return MakeError(ErrorCode::kInvalidInput, "not_a_draft", "not a JSON draft");
  std::set<std::string> ids;
  for (const char* section : {"lines", "metrics", "summary"}) {
    auto it = j.find(section);
    if (it == j.end() || !it->is_array()) continue;
    for (const auto& item : *it) {
      if (!item.is_object()) continue;
      auto c = item.find("citations");
      if (c == item.end() || !c->is_array()) continue;
      for (const auto& id : *c) {
        if (id.is_string()) ids.insert(id.get<std::string>());
      }
    }
  }
  return std::vector<std::string>(ids.begin(), ids.end());
}

std::string FormatVerifyReport(const VerifyReport& r) {
  std::string out;
  for (const VerifyProblem& p : r.problems) {
    out += "line " + std::to_string(p.line) + ": " + (p.id.empty() ? "" : p.id + ": ") + p.message +
           "\n";
  }
  if (r.ok()) {
    out += "ok: " + CountOf(r.cited_ids, "cited IDs") + ", " +
           CountOf(r.appendix_entries, "source events") + ", input digest " + r.digest_in_draft +
           "\n";
  }
  return out;
}

namespace {

struct Row {
  std::string section;
  int line = 0;
  std::string text;
  std::string links;  // the row's link targets, sorted, joined by ' '
  std::string label;  // a Metrics row's first cell ("Time to detect"), else ""
};

std::string LinksOf(std::string_view row) {
  ParsedDraft d;
  ParseLinks(row, 1, &d);
  std::string out;
  for (const auto& [id, lines] : d.cited) out += (out.empty() ? "" : " ") + id;
  return out;
}

std::string MetricLabel(std::string_view row) {
  if (!row.starts_with("| ")) return "";
  size_t end = row.find(" |", 2);
  return end == std::string_view::npos ? "" : std::string(row.substr(2, end - 2));
}

constexpr std::string_view kStaleMarker = "- **Stale:** ";

// A draft split into the rows of the Summary, Metrics and Timeline sections (bullets and
// table rows, without a table's header and separator) and every other line, which a hand
// edit must leave as generated too (the header but its Stale line, headings, the grouped
// citations, Source events).
struct Lines {
  std::vector<Row> rows;
  std::vector<Row> other;  // section "" and the line's text
};

Lines SplitDraft(std::string_view md) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < md.size();) {
    size_t end = md.find('\n', start);
    if (end == std::string_view::npos) end = md.size();
    std::string_view line = md.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  Lines out;
  std::string section;
  bool header = true;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    const int n = static_cast<int>(i + 1);
    if (line.starts_with("## ")) {
      header = false;
      section = std::string(line.substr(3));
      if (section != "Summary" && section != "Metrics" && section != "Timeline") section.clear();
    } else if (!section.empty()) {
      const bool bullet = section == "Summary" && line.starts_with("- ");
      const bool table_row =
          section != "Summary" && line.starts_with("| ") && !line.starts_with("|---");
      const bool table_header = i + 1 < lines.size() && lines[i + 1].starts_with("|---");
      if (bullet || (table_row && !table_header)) {
        out.rows.push_back(Row{section, n, std::string(line), LinksOf(line),
                               section == "Metrics" ? MetricLabel(line) : ""});
        continue;
      }
    }
    if (line.empty() || (header && line.starts_with(kStaleMarker))) continue;
    out.other.push_back(Row{"", n, std::string(line), "", ""});
  }
  return out;
}

using Key = std::pair<std::string, std::string>;

}  // namespace

RowReport CompareRows(std::string_view markdown, std::string_view generated) {
  const Lines file_lines = SplitDraft(markdown);
  const Lines gen_lines = SplitDraft(generated);
  const std::vector<Row>& file = file_lines.rows;
  const std::vector<Row>& gen = gen_lines.rows;
  std::vector<bool> used(gen.size(), false);
  std::vector<bool> matched(file.size(), false);
  RowReport r;
  // Exact rows first, so an edited row never takes the place of one kept as generated.
  std::multimap<Key, size_t> exact;
  for (size_t g = 0; g < gen.size(); ++g) exact.emplace(Key{gen[g].section, gen[g].text}, g);
  for (size_t f = 0; f < file.size(); ++f) {
    auto it = exact.find({file[f].section, file[f].text});
    if (it == exact.end()) continue;
    used[it->second] = true;
    matched[f] = true;
    exact.erase(it);
    ++r.unchanged;
  }
  // Then the same row reworded: same linked events, or (a Metrics row) the same metric.
  std::multimap<Key, size_t> by_links, by_label;
  for (size_t g = 0; g < gen.size(); ++g) {
    if (used[g]) continue;
    if (!gen[g].links.empty()) by_links.emplace(Key{gen[g].section, gen[g].links}, g);
    if (!gen[g].label.empty()) by_label.emplace(Key{gen[g].section, gen[g].label}, g);
  }
  auto take = [&used](std::multimap<Key, size_t>& index, const Key& key) -> int {
    if (key.second.empty()) return -1;
    for (auto [it, end] = index.equal_range(key); it != end; ++it) {
      if (!used[it->second]) {
        used[it->second] = true;
        return static_cast<int>(it->second);
      }
    }
    return -1;
  };
  for (size_t f = 0; f < file.size(); ++f) {
    if (matched[f]) continue;
    RowDiff d{RowChange::kAdded, file[f].section, file[f].line, file[f].text, ""};
    int g = take(by_links, {file[f].section, file[f].links});
    if (g < 0) g = take(by_label, {file[f].section, file[f].label});
    if (g >= 0) {
      d.change = RowChange::kEdited;
      d.generated = gen[static_cast<size_t>(g)].text;
      ++r.edited;
    } else {
      ++r.added;
    }
    r.changes.push_back(std::move(d));
  }
  for (size_t g = 0; g < gen.size(); ++g) {
    if (used[g]) continue;
    r.changes.push_back(RowDiff{RowChange::kRemoved, gen[g].section, 0, "", gen[g].text});
    ++r.removed;
  }
  // Every other line: the header, headings, prose, comments, appendix.
  std::multiset<std::string> gen_other;
  for (const Row& o : gen_lines.other) gen_other.insert(o.text);
  for (const Row& o : file_lines.other) {
    if (auto it = gen_other.find(o.text); it != gen_other.end()) {
      gen_other.erase(it);
      continue;
    }
    r.changes.push_back(RowDiff{RowChange::kOther, "", o.line, o.text, ""});
    ++r.other;
  }
  for (const Row& o : gen_lines.other) {
    if (auto it = gen_other.find(o.text); it != gen_other.end()) {
      gen_other.erase(it);
      r.changes.push_back(RowDiff{RowChange::kOther, "", 0, "", o.text});
      ++r.other;
    }
  }
  return r;
}

std::string FormatRowReport(const RowReport& r) {
  std::string out = "rows: " + std::to_string(r.unchanged) + " unchanged, " +
                    std::to_string(r.edited) + " edited, " + std::to_string(r.added) +
                    " added by hand, " + std::to_string(r.removed) + " removed; " +
                    CountOf(r.other, "other lines") + " differing\n";
  for (const RowDiff& d : r.changes) {
    const std::string at = d.line > 0 ? "line " + std::to_string(d.line) + ": " : "";
    switch (d.change) {
      case RowChange::kEdited:
        out += at + "edited (" + d.section + ")\n  generated: " + d.generated +
               "\n  current:   " + d.current + "\n";
        break;
      case RowChange::kAdded:
        out += at + "added by hand (" + d.section + ")\n  current:   " + d.current + "\n";
        break;
      case RowChange::kRemoved:
        out += "removed (" + d.section + ")\n  generated: " + d.generated + "\n";
        break;
      case RowChange::kOther:
        out += d.current.empty()
                   ? "other line removed\n  generated: " + d.generated + "\n"
                   : at + "other line not as generated\n  current:   " + d.current + "\n";
        break;
      case RowChange::kUnchanged:
        break;
    }
  }
  return out;
}

}  // namespace timelined::summarizer
