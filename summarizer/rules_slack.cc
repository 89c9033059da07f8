// Salient Slack messages. Edits and deletions are events that supersede the original
// (attrs.supersedes): the line shows the newest text and cites every version seen.
// Deleted messages are never quoted; a deleted message that was salient before its
// deletion keeps a line "<author>: (message deleted)" so the retraction is visible, a
// deleted non-salient one is only counted under "Slack messages deleted".
#include "summarizer/rules.h"

namespace timelined::summarizer {
namespace {

bool IsNewer(const SlackEntry& s, const Event& e) {
  return s.newest_id.empty() || e.occurred_at > s.newest_at ||
         (e.occurred_at == s.newest_at && e.id > s.newest_id);
}

bool HasReactions(const Event& e) {
  if (!e.attrs.is_object()) return false;
  auto it = e.attrs.find("reactions");
  return it != e.attrs.end() && it->is_array() && !it->empty();
}

std::string Flags(const SlackEntry& s) {
  std::vector<std::string> f;
  if (s.edited) f.push_back("edited");
  if (s.pinned) f.push_back("pinned");
  if (s.reacted) f.push_back("with reactions");
  std::string out;
  for (const std::string& x : f) out += (out.empty() ? " (" : ", ") + x;
  return out.empty() ? out : out + ")";
}

}  // namespace

void SlackRule::Add(const Event& e) {
  bool is_update = e.kind == "slack.message_changed" || e.kind == "slack.message_deleted";
  std::string supersedes = is_update ? AttrString(e.attrs, "supersedes") : "";
  SlackEntry& s = entries_[supersedes.empty() ? e.id : supersedes];
  bool original = supersedes.empty();
  if (original || (!s.original_seen && (s.cites.empty() || e.occurred_at < s.at))) {
    s.at = e.occurred_at;
  }
  if (original) s.original_seen = true;
  if (!e.actor.empty() && (original || s.author.empty())) s.author = e.actor;
  s.bot = s.bot || AttrBool(e.attrs, "bot");
  s.pinned = s.pinned || AttrBool(e.attrs, "pinned");
  s.reacted = s.reacted || HasReactions(e);
  if (e.kind == "slack.message_deleted") {
    s.deleted = true;
  } else if (IsNewer(s, e)) {
    s.newest_at = e.occurred_at;
    s.newest_id = e.id;
    s.quote = ShortText(e.body.empty() ? e.summary : e.body, ctx_.config.limits.quote_chars);
    s.salient_kw = ctx_.salient.Matches(e.body);
    s.mitigation_kw = ctx_.mitigation.Matches(e.body);
  }
  s.edited = s.edited || e.kind == "slack.message_changed";
  s.cites.Add(e.id);
}

bool SlackRule::Salient(const SlackEntry& s) const {
  if (s.salient_kw) return true;
  return !s.bot && (s.pinned || s.reacted);
}

void SlackRule::Finish(std::vector<TimelineLine>* out, TimelineStats* stats) {
  for (auto& [id, s] : entries_) {
    bool salient = Salient(s) && (!s.quote.empty() || s.deleted);
    if (!salient) {
      ++stats->not_shown[s.deleted ? "Slack messages deleted" : "Slack messages not salient"];
      continue;
    }
    s.cites.SortUnique();
    TimelineLine line;
    line.at = s.at;
    line.category = std::string(kCategorySlack);
    std::string author = s.author.empty() ? "(unknown)" : ShortText(s.author, 64);
    line.text =
        s.deleted ? author + ": (message deleted)" : author + ": \"" + s.quote + "\"" + Flags(s);
    line.citations = s.cites.ToStrings();
    line.key = "slack:" + id;
    out->push_back(std::move(line));
  }
}

MetricPoint SlackRule::FirstMitigation(Nanos not_before) const {
  const SlackEntry* best = nullptr;
  const std::string* best_id = nullptr;
  for (const auto& [id, s] : entries_) {
    if (!s.mitigation_kw || s.deleted || s.at < not_before) continue;
    if (best == nullptr || s.at < best->at || (s.at == best->at && id < *best_id)) {
      best = &s;
      best_id = &id;
    }
  }
  if (best == nullptr) return {};
  IdList ids = best->cites;
  ids.SortUnique();
  return MetricPoint{.at = best->at, .citations = ids.ToStrings()};
}

}  // namespace timelined::summarizer
