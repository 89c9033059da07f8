#include "summarizer/group.h"

#include <algorithm>

#include "store/model/hash.h"
#include "summarizer/text.h"

namespace timelined::summarizer {

bool Group::Add(const Event& e, Nanos cutoff) {
  bool representative =
      count == 0 || e.occurred_at < first || (e.occurred_at == first && e.id < first_id);
  if (representative) {
    first = e.occurred_at;
    first_id = e.id;
  }
  if (count == 0 || e.occurred_at > last || (e.occurred_at == last && e.id > last_id)) {
    last = e.occurred_at;
    last_id = e.id;
  }
  ++count;
  members.Add(e.id);
  if (cutoff != 0 && e.occurred_at > cutoff) {
    after.Add(e.id);
    after_last = std::max(after_last, e.occurred_at);
  }
  return representative;
}

void Group::AddReported(std::string_view object, int64_t n, bool after_cutoff) {
  Reported& r = reported[Fnv1a64(object)];
  r.max = std::max(r.max, n);
  if (after_cutoff) {
    r.min_after = r.min_after == 0 ? n : std::min(r.min_after, n);
  } else {
    r.max_before = std::max(r.max_before, n);
  }
}

void Group::AddPod(const std::string& pod) {
  if (pod.empty()) {
    ++pods_unnamed;
  } else if (auto it = pods.find(pod); it != pods.end()) {
    ++it->second;
  } else if (pods.size() < kMaxPods) {
    pods.emplace(pod, 1);
  } else {
    ++pods_other;
  }
}

int64_t Group::ReportedTotal() const {
  int64_t total = 0;
  for (const auto& [k, r] : reported) total += r.max;
  return total;
}

int64_t Group::ReportedAfter() const {
  int64_t total = 0;
  for (const auto& [k, r] : reported) {
    if (r.min_after == 0) continue;
    total += r.max_before > 0 ? r.max - r.max_before : r.max - r.min_after + 1;
  }
  return total;
}

std::vector<int64_t> Group::ReportedCounts() const {
  std::vector<std::pair<int64_t, uint64_t>> v;
  v.reserve(reported.size());
  for (const auto& [k, r] : reported) v.emplace_back(r.max, k);
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<int64_t> out;
  out.reserve(v.size());
  for (const auto& p : v) out.push_back(p.first);
  return out;
}

Group& GroupTable::Get(const std::string& map_key, bool* created) {
  *created = false;
  if (auto it = groups_.find(map_key); it != groups_.end()) return it->second;
  if (groups_.size() >= limit_) return overflow_;
  *created = true;
  return groups_[map_key];
}

TimelineLine GroupLine(Group& g, std::string_view category, std::string text) {
  g.members.SortUnique();
  TimelineLine line;
  line.at = g.first;
  line.end = g.last > g.first ? g.last : 0;
  line.category = std::string(category);
  line.text = std::move(text);
  line.citations = g.members.ToStrings();
  line.key = g.key;
  line.first_id = g.first_id;
  line.last_id = g.last_id;
  return line;
}

void AppendContinuedAfterResolve(Group& g, const ResolveRef& resolve,
                                 std::vector<TimelineLine>* out) {
  if (g.after.empty() || resolve.at == 0) return;
  g.after.SortUnique();
  TimelineLine line;
  line.at = resolve.at;
  line.end = g.after_last;
  line.category = std::string(kCategoryContradiction);
  size_t after = g.has_reported() ? static_cast<size_t>(std::max<int64_t>(1, g.ReportedAfter()))
                                  : g.after.size();
  line.text = "Contradiction: incident resolved at " + FormatClock(resolve.at) + " UTC but " +
              g.what + " continued until " + FormatClock(g.after_last) + " UTC (" + Times(after) +
              " after the resolve)";
  IdList ids = g.after;
  for (const std::string& id : resolve.citations) ids.Add(id);
  ids.SortUnique();
  line.citations = ids.ToStrings();
  line.key = "contradiction:after_resolve:" + g.key;
  out->push_back(std::move(line));
}

std::string AttrString(const nlohmann::json& attrs, const char* key) {
  if (!attrs.is_object()) return {};
  auto it = attrs.find(key);
  return it != attrs.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string AttrString(const nlohmann::json& attrs, const char* key, const char* sub) {
  if (!attrs.is_object()) return {};
  auto it = attrs.find(key);
  return it != attrs.end() ? AttrString(*it, sub) : std::string();
}

int64_t AttrInt(const nlohmann::json& attrs, const char* key) {
  if (!attrs.is_object()) return 0;
  auto it = attrs.find(key);
  return it != attrs.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

bool AttrBool(const nlohmann::json& attrs, const char* key) {
  if (!attrs.is_object()) return false;
  auto it = attrs.find(key);
  return it != attrs.end() && it->is_boolean() && it->get<bool>();
}

std::string ShortHash(std::string_view s) { return Sha256Hex(s).substr(0, 12); }

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string Times(size_t n) { return "\xC3\x97" + std::to_string(n); }

bool IsWarningOrWorse(std::string_view severity) {
  return severity == kSeverityWarning || severity == kSeverityError ||
         severity == kSeverityCritical;
}

}  // namespace timelined::summarizer
