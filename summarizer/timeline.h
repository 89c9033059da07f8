#pragma once
// The timeline: what the deterministic generator produces from an incident's correlated
// events, before rendering. Values only.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/model/time.h"
#include "summarizer/ids.h"
#include "summarizer/metrics.h"

namespace timelined::summarizer {

// Line categories, in their sort order at equal times.
inline constexpr std::string_view kCategoryLifecycle = "lifecycle";
inline constexpr std::string_view kCategoryDetection = "detection";
inline constexpr std::string_view kCategorySignal = "signal";
inline constexpr std::string_view kCategoryKubernetes = "kubernetes";
inline constexpr std::string_view kCategoryLog = "log";
inline constexpr std::string_view kCategoryDeploy = "deploy";
inline constexpr std::string_view kCategorySlack = "slack";
inline constexpr std::string_view kCategoryContradiction = "contradiction";

// 0..7 for the categories above, 8 for anything else.
int CategoryRank(std::string_view category);

struct TimelineLine {
  Nanos at = 0;
  Nanos end = 0;                       // 0 when a point in time
  std::string category;                // one of the kCategory* values
  std::string text;                    // plain text (UTF-8, one line); renderers escape it
  std::vector<std::string> citations;  // sorted, unique, never empty
  std::string key;                     // stable identity across regenerations, unique in a timeline
  // A grouped line's earliest and latest members by (occurred_at, id), "" otherwise: what a
  // compact Markdown row links when it cannot link every citation. Not in the JSON.
  std::string first_id, last_id;
  // Another line's citations a compact row links before the rest (a Slack line: the message
  // and its author's name). Not in the JSON.
  std::vector<std::string> lead_ids;

  // What a line says and cites (first_id/last_id and lead_ids, derived, are left out:
  // a line read back from the JSON equals the built one).
  bool operator==(const TimelineLine& o) const {
    return at == o.at && end == o.end && category == o.category && text == o.text &&
           citations == o.citations && key == o.key;
  }
};

struct TimelineStats {
  size_t correlated = 0;  // events the builder saw
  size_t cited = 0;       // distinct IDs cited by lines and metrics
  // Correlated events deliberately not shown, by reason ("log lines below warning").
  std::map<std::string, size_t> not_shown;

  bool operator==(const TimelineStats&) const = default;
};

struct Timeline {
  std::vector<TimelineLine> lines;  // sorted by (at, category rank, key)
  std::vector<Metric> metrics;      // detect, acknowledge, mitigate, resolve (+ change)
  std::vector<SummarySentence> summary;
  TimelineStats stats;
};

// Sorts by (at, category rank, key) and makes keys unique by suffixing "#2", "#3", ….
void SortLines(std::vector<TimelineLine>& lines);
// Every ID cited by a line, a metric or a summary sentence, sorted and unique.
IdList CitedIdList(const Timeline& t);

}  // namespace timelined::summarizer
