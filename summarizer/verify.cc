#include "summarizer/verify.h"

#include <algorithm>
#include <map>
#include <set>

#include "summarizer/digest.h"
#include "summarizer/text.h"

namespace timelined::summarizer {
namespace {

constexpr std::string_view kDigestMarker = "- **Input digest:** `";
constexpr std::string_view kAppendixHeading = "## Source events";
constexpr std::string_view kEntryMarker = "- <a id=\"";
constexpr std::string_view kRawMarker = "raw sha256 `";

struct AppendixEntry {
  int line = 0;
  std::string id;
  std::string raw_prefix;
};

struct ParsedDraft {
  int digest_line = 0;
  std::string digest;
  bool has_appendix = false;
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
  for (size_t p = line.find("](#"); p != std::string_view::npos; p = line.find("](#", p + 3)) {
    size_t q = line.find(')', p + 3);
    if (q == std::string_view::npos) break;
    if (p > 0 && line[p - 1] == '\\') continue;  // an escaped "\]" in quoted text
    std::string target(line.substr(p + 3, q - p - 3));
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

Result<VerifyReport> VerifyMarkdown(std::string_view markdown, const EventReader& reader) {
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
  if (d.digest_line == 0) {
    problem(0, "", "no input digest in the header");
  } else if (d.digest != r.digest_recomputed) {
    problem(d.digest_line, "",
            "input digest differs: draft " + d.digest + ", recomputed from the store " +
                r.digest_recomputed);
  }
  std::stable_sort(r.problems.begin(), r.problems.end(),
                   [](const VerifyProblem& a, const VerifyProblem& b) { return a.line < b.line; });
  return r;
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

}  // namespace timelined::summarizer
