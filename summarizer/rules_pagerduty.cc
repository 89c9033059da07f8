// Lifecycle lines from PagerDuty events.
#include <algorithm>
#include <array>
#include <utility>

#include "summarizer/rules.h"

namespace timelined::summarizer {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kVerbs = {{
    {"triggered", "Incident triggered"},
    {"acknowledged", "Acknowledged"},
    {"unacknowledged", "Unacknowledged (acknowledgement timed out)"},
    {"escalated", "Escalated"},
    {"reassigned", "Reassigned"},
    {"delegated", "Delegated to another escalation policy"},
    {"priority_updated", "Priority changed"},
    {"annotated", "Note added"},
    {"status_update_published", "Status update published"},
    {"resolved", "Resolved"},
    {"reopened", "Reopened"},
    {"responder.added", "Responder requested"},
    {"responder.replied", "Responder replied"},
    {"service_updated", "Moved to another service"},
}};

std::string Verb(std::string_view transition) {
  for (const auto& [t, v] : kVerbs) {
    if (t == transition) return std::string(v);
  }
  return "PagerDuty " + std::string(transition);
}

bool IsStatement(std::string_view t) {
  return t == "annotated" || t == "status_update_published" || t.starts_with("responder.");
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

std::string TriggerDetail(const Incident& snap, size_t quote) {
  std::string d = snap.title.empty() ? "" : ": " + ShortText(snap.title, quote);
  std::vector<std::string> tags;
  if (!snap.priority.empty()) tags.push_back(snap.priority);
  if (!snap.urgency.empty()) tags.push_back(snap.urgency + " urgency");
  if (!tags.empty()) d += " (" + Join(tags, ", ") + ")";
  return d;
}

// The part after the verb and the actor: ": <title> (P1, high urgency)", " to P2", ….
std::string Detail(const Event& e, std::string_view t, const RuleContext& ctx) {
  size_t quote = ctx.config.limits.quote_chars;
  std::optional<Incident> snap = IncidentFromEvent(e);
  if (t == "triggered") return TriggerDetail(snap ? *snap : ctx.incident, quote);
  if (t == "priority_updated" && snap && !snap->priority.empty()) return " to " + snap->priority;
  if ((t == "escalated" || t == "reassigned") && snap && !snap->assignees.empty())
    return " to " + ShortText(Join(snap->assignees, ", "), quote);
  if (IsStatement(t)) {
    const std::string& text = e.body.empty() ? e.summary : e.body;
    return text.empty() ? "" : ": \"" + ShortText(text, quote) + "\"";
  }
  if (!e.kind.starts_with("incident.") && !e.summary.empty())
    return ": " + ShortText(e.summary, quote);
  return "";
}

std::string LineText(const LifecycleGroup& g) {
  return Verb(g.transition) + (g.actor.empty() ? "" : " by " + g.actor) + g.detail +
         (g.paged.empty() ? "" : "; paged " + g.paged);
}

MetricPoint PointOf(const LifecycleGroup& g) {
  IdList ids = g.cites;
  ids.SortUnique();
  return MetricPoint{.at = g.at, .citations = ids.ToStrings(), .what = LineText(g)};
}

}  // namespace

void LifecycleRule::Add(const Event& e) {
  std::string match_key = AttrString(e.attrs, "match_key");
  LifecycleGroup& g = groups_[match_key.empty() ? "id:" + e.id : "mk:" + match_key];
  std::string t = e.kind.starts_with("incident.") ? e.kind.substr(9) : e.kind;
  if (g.cites.empty()) {
    g.transition = t;
    g.key = "lifecycle:" + t + ":" + (match_key.empty() ? e.id : match_key);
  }
  if (g.cites.empty() || e.occurred_at < g.at || (e.occurred_at == g.at && e.id < g.at_id)) {
    g.at = e.occurred_at;
    g.at_id = e.id;
  }
  // A webhook and a REST log entry carry different details: take each from whichever has it.
  if (g.actor.empty()) g.actor = ShortText(e.actor, ctx_.config.limits.quote_chars);
  if (g.detail.empty()) g.detail = Detail(e, g.transition, ctx_);
  if (g.summary.empty()) g.summary = e.summary;
  // Whom PagerDuty paged: only from a trigger's own snapshot (the incident's latest one names
  // who holds it now, or nobody once resolved).
  if (t == "triggered" && (g.paged_id.empty() || e.occurred_at < g.paged_at ||
                           (e.occurred_at == g.paged_at && e.id < g.paged_id))) {
    if (std::optional<Incident> snap = IncidentFromEvent(e); snap && !snap->assignees.empty()) {
      g.paged = ShortText(Join(snap->assignees, ", "), ctx_.config.limits.quote_chars);
      g.paged_at = e.occurred_at;
      g.paged_id = e.id;
    }
  }
  if (IsStatement(g.transition) && ctx_.mitigation.Matches(e.body + "\n" + e.summary))
    g.mitigation = true;
  g.cites.Add(e.id);
}

void LifecycleRule::Finish(std::vector<TimelineLine>* out) {
  for (auto& [k, g] : groups_) {
    g.cites.SortUnique();
    TimelineLine line;
    line.at = g.at;
    line.category = std::string(kCategoryLifecycle);
    line.text = LineText(g);
    line.citations = g.cites.ToStrings();
    line.key = g.key;
    out->push_back(std::move(line));
  }
}

MetricPoint LifecycleRule::First(std::string_view transition, Nanos not_before) const {
  const LifecycleGroup* best = nullptr;
  for (const auto& [k, g] : groups_) {
    if (g.transition != transition || g.at < not_before) continue;
    if (best == nullptr || g.at < best->at || (g.at == best->at && g.at_id < best->at_id))
      best = &g;
  }
  return best ? PointOf(*best) : MetricPoint{};
}

MetricPoint LifecycleRule::Last(std::string_view transition) const {
  const LifecycleGroup* best = nullptr;
  for (const auto& [k, g] : groups_) {
    if (g.transition != transition) continue;
    if (best == nullptr || g.at > best->at || (g.at == best->at && g.at_id > best->at_id))
      best = &g;
  }
  return best ? PointOf(*best) : MetricPoint{};
}

MetricPoint LifecycleRule::FirstMitigation(Nanos not_before) const {
  const LifecycleGroup* best = nullptr;
  for (const auto& [k, g] : groups_) {
    if (!g.mitigation || g.at < not_before) continue;
    if (best == nullptr || g.at < best->at || (g.at == best->at && g.at_id < best->at_id))
      best = &g;
  }
  return best ? PointOf(*best) : MetricPoint{};
}

}  // namespace timelined::summarizer
