// Salient Slack messages. Edits and deletions are events that supersede the original
// (attrs.supersedes): the line shows the newest text and cites every version seen.
// Reactions and pins (slack.reaction_added/_removed, slack.pin_added/_removed, attrs.target
// = the message's id) count for the message they are on, and its line cites them. What is
// on at the end (ResolveSignals): the newest snapshot a version of the message carried
// (attrs.reactions and attrs.pinned, as of its received_at), then per (reaction, person) the
// events after it: the latest says on or off, a first one that removes says it was in the
// snapshot. A message is shown when,
// in this order: it has no exclude reaction ([summarizer] exclude_reactions); and it has an
// include reaction (include_reactions), or it is the root of a thread with replies in the
// evidence (where the response started), or its text has a salient keyword, or it is pinned
// or reacted to and not from a bot.
// Deleted messages are never quoted; a deleted message that was salient before its
// deletion keeps a line "<author>: (message deleted)" so the retraction is visible, a
// deleted non-salient one is only counted under "Slack messages deleted".
// Authors are named by their `slack.user` event (RuleContext::lookup), which the line cites;
// without one the stored user id stays. Bots are "<name> (bot)".
#include <algorithm>
#include <map>
#include <tuple>

#include "summarizer/rules.h"

namespace timelined::summarizer {
namespace {

bool IsNewer(const SlackEntry& s, const Event& e) {
  return s.newest_id.empty() || e.occurred_at > s.newest_at ||
         (e.occurred_at == s.newest_at && e.id > s.newest_id);
}

bool Contains(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

std::string Flags(const SlackEntry& s) {
  std::vector<std::string> f;
  if (s.edited) f.push_back("edited");
  if (s.pinned) f.push_back("pinned");
  if (s.has_replies) f.push_back("thread root");
  if (s.reacted) f.push_back("with reactions");
  std::string out;
  for (const std::string& x : f) out += (out.empty() ? " (" : ", ") + x;
  return out.empty() ? out : out + ")";
}

}  // namespace

void SlackRule::ResolveSignals(SlackEntry& s) const {
  std::map<std::string, int64_t> counts = s.snapshot;
  int64_t pins = s.snapshot_pinned ? 1 : 0;
  // Per (reaction, person), in time order, the events after the snapshot: the latest says
  // whether it is on now; a first one that removes says it was in the snapshot.
  std::sort(s.signals.begin(), s.signals.end(), [](const auto& a, const auto& b) {
    return std::tie(a.name, a.user, a.at, a.id) < std::tie(b.name, b.user, b.at, b.id);
  });
  for (size_t i = 0; i < s.signals.size();) {
    size_t j = i;
    while (j < s.signals.size() && s.signals[j].name == s.signals[i].name &&
           s.signals[j].user == s.signals[i].user) {
      ++j;
    }
    const int64_t delta = (s.signals[j - 1].added ? 1 : 0) - (s.signals[i].added ? 0 : 1);
    if (s.signals[i].name.empty()) {
      pins += delta;
    } else {
      counts[s.signals[i].name] += delta;
    }
    i = j;
  }
  s.pinned = pins > 0;
  s.reacted = s.include = s.exclude = false;
  for (const auto& [name, n] : counts) {
    if (n <= 0) continue;
    s.reacted = true;
    s.include = s.include || Contains(ctx_.config.include_reactions, name);
    s.exclude = s.exclude || Contains(ctx_.config.exclude_reactions, name);
  }
}

void SlackRule::Add(const Event& e) {
  const bool added = e.kind == "slack.reaction_added" || e.kind == "slack.pin_added";
  const bool removed = e.kind == "slack.reaction_removed" || e.kind == "slack.pin_removed";
  if (added || removed) {
    std::string target = AttrString(e.attrs, "target");
    if (!target.empty()) {
      SlackEntry& s = entries_[target];
      if (s.signals.size() < kMaxSignals) {
        const bool pin = e.kind == "slack.pin_added" || e.kind == "slack.pin_removed";
        s.signals.push_back(SlackEntry::Signal{
            .at = e.occurred_at,
            .id = e.id,
            .name = pin ? std::string() : AttrString(e.attrs, "reaction"),
            .user = AttrString(e.attrs, "user").empty() ? e.actor : AttrString(e.attrs, "user"),
            .added = added});
      }
      s.signal_cites.Add(e.id);
      return;
    }
  }
  bool is_update = e.kind == "slack.message_changed" || e.kind == "slack.message_deleted";
  std::string supersedes = is_update ? AttrString(e.attrs, "supersedes") : "";
  SlackEntry& s = entries_[supersedes.empty() ? e.id : supersedes];
  bool original = supersedes.empty();
  if (original || (!s.original_seen && (s.cites.empty() || e.occurred_at < s.at))) {
    s.at = e.occurred_at;
  }
  if (original) s.original_seen = true;
  if (!e.actor.empty() && (original || s.author.empty())) s.author = e.actor;
  // The author's user id: the original's, else (a deletion seen alone) the deleted message's.
  std::string user =
      AttrString(e.attrs, e.kind == "slack.message_deleted" ? "original_user" : "user");
  if (!user.empty() && (original || s.user.empty())) {
    s.user = std::move(user);
    s.team = AttrString(e.attrs, "team");
    if (s.author.empty()) s.author = s.user;
  }
  s.bot = s.bot || AttrBool(e.attrs, "bot");
  if (e.attrs.is_object()) {
    // A version that says which reactions (or pin) the message had: the newest such
    // snapshot, by when it was received, is where the reaction events take over.
    auto reactions = e.attrs.find("reactions");
    const bool has_reactions = reactions != e.attrs.end() && reactions->is_array();
    if ((has_reactions || e.attrs.contains("pinned")) &&
        (e.received_at > s.snapshot_at ||
         (e.received_at == s.snapshot_at && e.id > s.snapshot_id))) {
      s.snapshot_at = e.received_at;
      s.snapshot_id = e.id;
      s.snapshot.clear();
      s.snapshot_pinned = AttrBool(e.attrs, "pinned");
      if (has_reactions) {
        for (const auto& r : *reactions) {
          if (!r.is_object()) continue;
          std::string name = AttrString(r, "name");
          auto count = r.find("count");
          const int64_t n =
              count != r.end() && count->is_number_integer() ? count->get<int64_t>() : 1;
          if (!name.empty()) s.snapshot[name] += std::max<int64_t>(n, 1);
        }
      }
    }
    auto replies = e.attrs.find("reply_count");
    if (replies != e.attrs.end() && replies->is_number_integer() && replies->get<int64_t>() > 0) {
      s.has_replies = true;
    }
  }
  const std::string channel = AttrString(e.attrs, "channel");
  const std::string ts = AttrString(e.attrs, "ts");
  const std::string thread_ts = AttrString(e.attrs, "thread_ts");
  if ((original || s.thread_key.empty()) && !channel.empty() && !ts.empty()) {
    s.thread_key = channel + ":" + ts;
  }
  if (!channel.empty() && !thread_ts.empty() && thread_ts != ts) {
    threads_with_replies_.insert(channel + ":" + thread_ts);
  }
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

SlackRule::Author SlackRule::AuthorOf(const SlackEntry& s) const {
  const std::string stored = s.author.empty() ? "(unknown)" : ShortText(s.author, 64);
  if (s.bot) return {stored + " (bot)", ""};
  if (s.team.empty() || s.user.empty() || !ctx_.lookup) return {stored, ""};
  const std::string id = SlackUserEventId(s.team, s.user);
  if (auto known = authors_.find(id); known != authors_.end()) return known->second;
  Author a{stored, ""};
  if (std::optional<Event> u = ctx_.lookup(id); u && u->kind == kSlackUserKind) {
    std::string name = AttrString(u->attrs, "display_name");
    if (!name.empty()) {
      a.text = ShortText(name, 64) + (AttrBool(u->attrs, "is_bot") ? " (bot)" : "");
      a.cite = u->id;
    }
  }
  return authors_.emplace(id, std::move(a)).first->second;
}

bool SlackRule::Salient(const SlackEntry& s) const {
  if (s.exclude) return false;
  if (s.include || s.has_replies || s.salient_kw) return true;
  return !s.bot && (s.pinned || s.reacted);
}

void SlackRule::Finish(std::vector<TimelineLine>* out, TimelineStats* stats) {
  for (auto& [id, s] : entries_) {
    // Events at or before the snapshot are in it already.
    std::erase_if(s.signals, [&s](const SlackEntry::Signal& x) { return x.at <= s.snapshot_at; });
    ResolveSignals(s);
  }
  for (auto& [id, s] : entries_) {
    if (!s.thread_key.empty() && threads_with_replies_.contains(s.thread_key)) {
      s.has_replies = true;
    }
    if (s.cites.empty()) {
      // Only reactions or pins of a message that is not in the evidence.
      stats->not_shown["Slack reactions/pins on messages not in the evidence"] +=
          s.signal_cites.size();
      continue;
    }
    bool salient = Salient(s) && (!s.quote.empty() || s.deleted);
    if (!salient) {
      ++stats->not_shown[s.deleted   ? "Slack messages deleted"
                         : s.exclude ? "Slack messages excluded by a reaction"
                                     : "Slack messages not salient"];
      continue;
    }
    for (const std::string& signal : s.signal_cites.ToStrings()) s.cites.Add(signal);
    const Author author = AuthorOf(s);
    if (!author.cite.empty()) s.cites.Add(author.cite);
    s.cites.SortUnique();
    TimelineLine line;
    line.at = s.at;
    line.category = std::string(kCategorySlack);
    line.text = s.deleted ? author.text + ": (message deleted)"
                          : author.text + ": \"" + s.quote + "\"" + Flags(s);
    line.citations = s.cites.ToStrings();
    // A compact row citing more than it links still links the message and the name.
    line.lead_ids = {id};
    if (!author.cite.empty()) line.lead_ids.push_back(author.cite);
    line.key = "slack:" + id;
    out->push_back(std::move(line));
  }
}

MetricPoint SlackRule::FirstMitigation(Nanos not_before) const {
  const SlackEntry* best = nullptr;
  const std::string* best_id = nullptr;
  for (const auto& [id, s] : entries_) {
    if (!s.mitigation_kw || s.deleted || s.exclude || s.at < not_before) continue;
    if (best == nullptr || s.at < best->at || (s.at == best->at && id < *best_id)) {
      best = &s;
      best_id = &id;
    }
  }
  if (best == nullptr) return {};
  IdList ids = best->cites;
  const Author author = AuthorOf(*best);
  if (!author.cite.empty()) ids.Add(author.cite);
  ids.SortUnique();
  return MetricPoint{.at = best->at,
                     .citations = ids.ToStrings(),
                     .what = author.text + ": \"" + best->quote + "\""};
}

}  // namespace timelined::summarizer
