#pragma once
// Draft diff: lines matched by key between two versions of a timeline. A line is
// "changed" when its text or its citations differ (time and category follow from those).
// Output order is deterministic: each list is sorted by key. Pure.
#include <string>
#include <string_view>
#include <vector>

#include "store/model/error.h"
#include "summarizer/timeline.h"

namespace timelined::summarizer {

struct LineChange {
  std::string key;
  TimelineLine from;
  TimelineLine to;
  bool text_changed = false;
  std::vector<std::string> citations_added;    // in `to`, not in `from`
  std::vector<std::string> citations_removed;  // in `from`, not in `to`
};

struct TimelineDiff {
  std::vector<TimelineLine> added;
  std::vector<TimelineLine> removed;
  std::vector<LineChange> changed;
  size_t unchanged = 0;
  bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
};

TimelineDiff DiffTimelines(const std::vector<TimelineLine>& from,
                           const std::vector<TimelineLine>& to);

// Reads the "lines" of a RenderJson document. kInvalidInput on malformed JSON.
Result<std::vector<TimelineLine>> LinesFromJson(std::string_view timeline_json);
// DiffTimelines over two RenderJson documents.
Result<TimelineDiff> DiffTimelineJson(std::string_view from_json, std::string_view to_json);

// {"added":[…],"removed":[…],"changed":[{key, from, to, text_changed, citations_added,
// citations_removed}],"unchanged":N}
std::string DiffToJson(const TimelineDiff& d);
// A short Markdown summary: "+ added", "− removed", "~ changed (+2 / −1 citations)".
std::string DiffToMarkdown(const TimelineDiff& d);

}  // namespace timelined::summarizer
