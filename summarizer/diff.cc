#include "summarizer/diff.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>

#include "summarizer/render.h"
#include "summarizer/text.h"

namespace timelined::summarizer {
namespace {

using nlohmann::json;

std::map<std::string, const TimelineLine*> ByKey(const std::vector<TimelineLine>& lines) {
  std::map<std::string, const TimelineLine*> m;
  for (const TimelineLine& l : lines) m.emplace(l.key, &l);
  return m;
}

std::vector<std::string> Minus(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

json LineJson(const TimelineLine& l) {
  return json{{"at", l.at},     {"end", l.end}, {"category", l.category},
              {"text", l.text}, {"key", l.key}, {"citations", l.citations}};
}

Result<TimelineLine> LineFromJson(const json& j) {
  auto bad = [] { return MakeError(ErrorCode::kInvalidInput, "bad_timeline_json", "bad line"); };
  if (!j.is_object()) return bad();
  TimelineLine l;
  for (auto [key, out] :
       {std::pair{"category", &l.category}, std::pair{"text", &l.text}, std::pair{"key", &l.key}}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return bad();
    *out = it->get<std::string>();
  }
  for (auto [key, out] : {std::pair{"at", &l.at}, std::pair{"end", &l.end}}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return bad();
    *out = it->get<Nanos>();
  }
  auto c = j.find("citations");
  if (c == j.end() || !c->is_array()) return bad();
  for (const json& id : *c) {
    if (!id.is_string()) return bad();
    l.citations.push_back(id.get<std::string>());
  }
  return l;
}

}  // namespace

TimelineDiff DiffTimelines(const std::vector<TimelineLine>& from,
                           const std::vector<TimelineLine>& to) {
  TimelineDiff d;
  auto a = ByKey(from), b = ByKey(to);
  for (const auto& [key, l] : a) {
    auto it = b.find(key);
    if (it == b.end()) {
      d.removed.push_back(*l);
      continue;
    }
    const TimelineLine& n = *it->second;
    if (l->text == n.text && l->citations == n.citations) {
      ++d.unchanged;
      continue;
    }
    d.changed.push_back(LineChange{.key = key,
                                   .from = *l,
                                   .to = n,
                                   .text_changed = l->text != n.text,
                                   .citations_added = Minus(n.citations, l->citations),
                                   .citations_removed = Minus(l->citations, n.citations)});
  }
  for (const auto& [key, l] : b) {
    if (!a.contains(key)) d.added.push_back(*l);
  }
  return d;
}

Result<std::vector<TimelineLine>> LinesFromJson(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("lines") || !j["lines"].is_array())
    return MakeError(ErrorCode::kInvalidInput, "bad_timeline_json", "not a timeline JSON");
  std::vector<TimelineLine> lines;
  for (const json& l : j["lines"]) {
    auto line = LineFromJson(l);
    if (!line) return std::unexpected(line.error());
    lines.push_back(std::move(*line));
  }
  return lines;
}

Result<TimelineDiff> DiffTimelineJson(std::string_view from_json, std::string_view to_json) {
  auto from = LinesFromJson(from_json);
  if (!from) return std::unexpected(from.error());
  auto to = LinesFromJson(to_json);
  if (!to) return std::unexpected(to.error());
  return DiffTimelines(*from, *to);
}

std::string DiffToJson(const TimelineDiff& d) {
  json j{{"added", json::array()},
         {"removed", json::array()},
         {"changed", json::array()},
         {"unchanged", d.unchanged}};
  for (const TimelineLine& l : d.added) j["added"].push_back(LineJson(l));
  for (const TimelineLine& l : d.removed) j["removed"].push_back(LineJson(l));
  for (const LineChange& c : d.changed) {
    j["changed"].push_back(json{{"key", c.key},
                                {"from", LineJson(c.from)},
                                {"to", LineJson(c.to)},
                                {"text_changed", c.text_changed},
                                {"citations_added", c.citations_added},
                                {"citations_removed", c.citations_removed}});
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string DiffToMarkdown(const TimelineDiff& d) {
  std::string out = "| Change | Time (UTC) | Line | Citations |\n|---|---|---|---|\n";
  auto row = [&out](const char* what, const TimelineLine& l, const std::string& cites) {
    out += std::string("| ") + what + " | " + FormatTableTime(l.at) + " | " +
           EscapeMarkdown(l.text) + " | " + cites + " |\n";
  };
  for (const TimelineLine& l : d.added) row("added", l, std::to_string(l.citations.size()));
  for (const TimelineLine& l : d.removed) row("removed", l, std::to_string(l.citations.size()));
  for (const LineChange& c : d.changed) {
    row(c.text_changed ? "changed" : "citations changed", c.to,
        "+" + std::to_string(c.citations_added.size()) + " / \xE2\x88\x92" +
            std::to_string(c.citations_removed.size()));
  }
  out += "\n" + CountOf(d.unchanged, "lines unchanged") + ".\n";
  return out;
}

}  // namespace timelined::summarizer
