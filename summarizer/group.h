#pragma once
// Aggregation state shared by the grouping rules. A Group keeps, however many members it
// has: the count, first/last time, one representative text (chosen by the earliest
// (occurred_at, id) member), the member IDs packed (12 bytes each: every member is cited)
// and, for sources that report their own occurrence counts (Kubernetes), the highest count
// per reporting object. Members after the resolve cutoff are also listed separately for the
// "continued after resolve" contradiction. Not thread-safe.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/model/event.h"
#include "summarizer/ids.h"
#include "summarizer/timeline.h"

namespace timelined::summarizer {

struct Group {
  std::string key;      // the line key
  std::string what;     // short label for contradiction lines ("BackOff on pod x")
  std::string pattern;  // what all members share (reason, template), set at creation
  std::string where;    // where they happened ("pod x", "payments/api"), set at creation
  std::string text;     // representative detail, set by the rule when Add returns true
  size_t count = 0;
  Nanos first = 0;
  Nanos last = 0;
  std::string first_id;
  std::string last_id;  // the latest (occurred_at, id) member
  IdList members;
  IdList after;  // members later than the resolve cutoff
  Nanos after_last = 0;

  // Adds a member; `cutoff` 0 = no resolve. True when `e` is the new representative.
  bool Add(const Event& e, Nanos cutoff);

  // Occurrences as the source reports them: one snapshot of a repeated object says "this
  // object has happened `count` times so far" (Kubernetes: one Event object seen through
  // several watch updates, count 1 → 2 → 5 → 9). Keyed by a 64-bit hash of the object's
  // identity; `after_cutoff` as for Add.
  struct Reported {
    int64_t max = 0;         // highest count seen
    int64_t max_before = 0;  // highest count at or before the resolve cutoff (0: none)
    int64_t min_after = 0;   // lowest count after the cutoff (0: none)
  };
  void AddReported(std::string_view object, int64_t count, bool after_cutoff);
  bool has_reported() const { return !reported.empty(); }
  // Sum over objects of their highest count: the line's number of occurrences.
  int64_t ReportedTotal() const;
  // Occurrences after the resolve cutoff: per object, highest count minus the highest count
  // at or before the cutoff (an object first seen after it: its counts seen after it).
  int64_t ReportedAfter() const;
  // The per-object highest counts, largest first (ties by object hash): "9 + 3".
  std::vector<int64_t> ReportedCounts() const;
  std::unordered_map<uint64_t, Reported> reported;

  // Members per pod (log lines: attrs.labels.pod), at most kMaxPods pods; members of further
  // pods are counted in pods_other, members without a pod in pods_unnamed.
  static constexpr size_t kMaxPods = 64;
  void AddPod(const std::string& pod);
  std::map<std::string, size_t> pods;
  size_t pods_other = 0;
  size_t pods_unnamed = 0;
};

// Groups by a string key, at most `limit` distinct groups; later keys share one overflow
// group (so a flood of unique messages cannot grow the state without bound).
class GroupTable {
 public:
  explicit GroupTable(size_t limit) : limit_(limit) {}
  // The group for `map_key`; *created is true when it was just made (caller sets key/what).
  Group& Get(const std::string& map_key, bool* created);
  const Group& overflow() const { return overflow_; }
  bool overflowed() const { return overflow_.count > 0; }
  // Every non-overflow group (unordered; callers sort the resulting lines).
  template <typename Fn>
  void ForEach(Fn&& fn) {
    for (auto& [k, g] : groups_) fn(g);
  }
  Group& mutable_overflow() { return overflow_; }

 private:
  size_t limit_;
  std::unordered_map<std::string, Group> groups_;
  Group overflow_;
};

// Citations sorted and unique, the span, count and category filled in from the group.
TimelineLine GroupLine(Group& g, std::string_view category, std::string text);

// The resolve a contradiction refers to.
struct ResolveRef {
  Nanos at = 0;
  std::vector<std::string> citations;
};
// "Contradiction: incident resolved at 12:30 UTC but <what> continued until 12:41 UTC
// (×N after the resolve)", citing the resolve and the members after the cutoff.
// Nothing when the group has no member after the cutoff.
// With a reported count (Kubernetes) "×N" is the occurrences after the resolve, else the
// number of members after it.
void AppendContinuedAfterResolve(Group& g, const ResolveRef& resolve,
                                 std::vector<TimelineLine>* out);

// attrs helpers that never throw: "" / 0 / false when absent or of another type.
std::string AttrString(const nlohmann::json& attrs, const char* key);
std::string AttrString(const nlohmann::json& attrs, const char* key, const char* sub);
int64_t AttrInt(const nlohmann::json& attrs, const char* key);
bool AttrBool(const nlohmann::json& attrs, const char* key);

// First 12 hex chars of SHA-256(s): short stable key parts.
std::string ShortHash(std::string_view s);
// "×37" with the multiplication sign.
std::string Times(size_t n);
// FNV-1a 64: a cheap, platform-independent hash for in-memory keys.
uint64_t Fnv1a64(std::string_view s);
bool IsWarningOrWorse(std::string_view severity);

}  // namespace timelined::summarizer
