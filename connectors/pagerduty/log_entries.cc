#include "connectors/pagerduty/log_entries.h"

#include <array>

#include "connectors/common/event_limits.h"
#include "connectors/common/json_text.h"
#include "connectors/common/json_util.h"
#include "connectors/pagerduty/incident.h"
#include "store/model/hash.h"
#include "store/model/untrusted.h"

namespace timelined::connectors::pagerduty {

using nlohmann::json;

namespace {

struct TypeMapping {
  std::string_view stem;  // type without "_log_entry"
  std::string_view kind;
  std::string_view transition;
};

constexpr std::array<TypeMapping, 10> kMappings = {{
    {"trigger", "incident.triggered", "triggered"},
    {"acknowledge", "incident.acknowledged", "acknowledged"},
    {"acknowledgement", "incident.acknowledged", "acknowledged"},
    {"unacknowledge", "incident.unacknowledged", "unacknowledged"},
    {"resolve", "incident.resolved", "resolved"},
    {"assign", "incident.reassigned", "reassigned"},
    {"escalate", "incident.escalated", "escalated"},
    {"annotate", "incident.annotated", "annotated"},
    {"delegate", "incident.delegated", "delegated"},
    {"notify", "pagerduty.notify", "notify"},
}};

struct Mapped {
  std::string kind;
  std::string transition;
};

Mapped MapType(std::string_view type) {
  std::string_view stem = type;
  if (stem.ends_with("_log_entry")) stem.remove_suffix(10);
  for (const TypeMapping& m : kMappings) {
    if (m.stem == stem) return {std::string(m.kind), std::string(m.transition)};
  }
  return {"pagerduty." + std::string(stem), std::string(stem)};
}

// Note text of an annotate entry: channel.summary in the API, channel.notes in some
// payloads, else the entry's own summary.
std::string NoteContent(const json& entry) {
  std::string note = StringMember(entry, "channel", "summary");
  if (note.empty()) note = StringMember(entry, "channel", "notes");
  if (note.empty()) note = StringMember(entry, "note", "content");
  return note;
}

void Describe(const json& entry, const Mapped& m, Event& e) {
  std::string summary = StringMember(entry, "summary");
  e.summary = ElideUtf8(summary, kSummaryBytes);
  if (m.transition == "annotated") {
    std::string note = NoteContent(entry);
    e.body = note;
    e.summary = "Note by " + e.actor + (note.empty() ? "" : ": " + ElideUtf8(note, kSummaryBytes));
  } else if (m.transition == "triggered") {
    e.body = StringMember(entry, "event_details", "description");
    const json* inc = ObjectMember(entry, "incident");
    e.severity = TriggerSeverity(inc ? StringMember(*inc, "urgency") : "",
                                 inc ? RefSummary(*inc, "priority") : "");
  } else if (m.transition == "reassigned" || m.transition == "escalated") {
    e.attrs["assignees"] = JoinRefSummaries(entry, "assignees");
  } else if (m.transition == "delegated") {
    e.attrs["escalation_policy"] = RefSummary(entry, "escalation_policy");
  }
  if (e.summary.empty()) e.summary = "PagerDuty " + m.transition;
}

}  // namespace

Result<Event> LogEntryToEvent(const json& entry, std::string_view raw_sha256, Nanos received_at) {
  std::string id = StringMember(entry, "id");
  std::string type = StringMember(entry, "type");
  auto at = ParseRfc3339(StringMember(entry, "created_at"));
  if (id.empty() || id.size() > kMaxSourceRefBytes || type.empty() || !at) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_log_entry",
                     "log entry without id, type or a valid created_at");
  }
  Mapped m = MapType(type);
  Event e;
  e.source = std::string(kSourcePagerDuty);
  e.source_ref = "log_entry:" + id;
  e.id = MakeEventId(e.source, e.source_ref);
  e.kind = m.kind;
  e.occurred_at = *at;
  e.received_at = received_at;
  e.raw_sha256 = std::string(raw_sha256);
  e.incident_id = StringMember(entry, "incident", "id");
  e.scope = ServiceScope(StringMember(entry, "service", "id"));
  e.url = StringMember(entry, "html_url");
  if (e.url.empty()) e.url = StringMember(entry, "incident", "html_url");
  std::string agent = RefSummary(entry, "agent");
  e.actor = agent.empty() ? std::string(kAutomationActor) : agent;
  e.attrs["log_entry_id"] = id;
  e.attrs["log_entry_type"] = type;
  e.attrs["channel_type"] = StringMember(entry, "channel", "type");
  e.attrs["transition"] = m.transition;
  if (!e.incident_id.empty()) e.attrs["match_key"] = MatchKey(e.incident_id, m.transition, *at);
  Describe(entry, m, e);
  ClampEventFields(e);
  return e;
}

Result<LogEntriesPage> ParseLogEntries(std::string_view body, Nanos received_at) {
  auto parsed = ParseUntrustedJson(body, kMaxJsonDepth, "log entries page");
  if (!parsed) return std::unexpected(parsed.error());
  json doc = std::move(*parsed);
  const json* entries = ArrayMember(doc, "log_entries");
  if (entries == nullptr) {
    return MakeError(kInvalidPayload, "page without log_entries");
  }
  LogEntriesPage page;
  page.more = BoolMember(doc, "more", false);
  page.offset = IntMember(doc, "offset").value_or(0);
  page.limit = IntMember(doc, "limit").value_or(0);
  std::string raw_sha256 = Sha256Hex(body);
  for (const json& entry : *entries) {
    auto e = LogEntryToEvent(entry, raw_sha256, received_at);
    if (e) {
      page.events.push_back(std::move(*e));
    } else {
      ++page.skipped;
    }
  }
  return page;
}

}  // namespace timelined::connectors::pagerduty
