#include "summarizer/timeline.h"

#include <algorithm>
#include <array>
#include <set>

namespace timelined::summarizer {

int CategoryRank(std::string_view category) {
  static constexpr std::array<std::string_view, 8> kOrder = {
      kCategoryLifecycle, kCategoryDetection, kCategorySignal, kCategoryKubernetes,
      kCategoryLog,       kCategoryDeploy,    kCategorySlack,  kCategoryContradiction};
  for (size_t i = 0; i < kOrder.size(); ++i) {
    if (kOrder[i] == category) return static_cast<int>(i);
  }
  return static_cast<int>(kOrder.size());
}

void SortLines(std::vector<TimelineLine>& lines) {
  auto less = [](const TimelineLine& a, const TimelineLine& b) {
    int ra = CategoryRank(a.category), rb = CategoryRank(b.category);
    if (a.at != b.at) return a.at < b.at;
    if (ra != rb) return ra < rb;
    if (a.key != b.key) return a.key < b.key;
    return a.text < b.text;
  };
  std::stable_sort(lines.begin(), lines.end(), less);
  std::set<std::string> seen;
  for (TimelineLine& l : lines) {
    if (seen.insert(l.key).second) continue;
    for (int n = 2;; ++n) {
      std::string k = l.key + "#" + std::to_string(n);
      if (seen.insert(k).second) {
        l.key = std::move(k);
        break;
      }
    }
  }
}

IdList CitedIdList(const Timeline& t) {
  IdList ids;
  for (const TimelineLine& l : t.lines) {
    for (const std::string& id : l.citations) ids.Add(id);
  }
  for (const Metric& m : t.metrics) {
    for (const std::string& id : m.citations) ids.Add(id);
  }
  for (const SummarySentence& s : t.summary) {
    for (const std::string& id : s.citations) ids.Add(id);
  }
  ids.SortUnique();
  return ids;
}

}  // namespace timelined::summarizer
