#include "connectors/pagerduty/incident.h"

#include "connectors/common/headers.h"
#include "connectors/common/json_util.h"
#include "store/model/untrusted.h"

namespace timelined::connectors::pagerduty {

using nlohmann::json;

namespace {

Nanos TimeMember(const json& j, std::string_view key) {
  std::string s = StringMember(j, key);
  return s.empty() ? 0 : ParseRfc3339(s).value_or(0);
}

std::vector<std::string> Assignees(const json& j) {
  std::vector<std::string> out;
  const json* list = ArrayMember(j, "assignees");
  if (list == nullptr) list = ArrayMember(j, "assignments");
  if (list == nullptr) return out;
  for (const json& item : *list) {
    const json* assignee = ObjectMember(item, "assignee");
    std::string name = StringMember(assignee != nullptr ? *assignee : item, "summary");
    if (!name.empty()) out.push_back(std::move(name));
  }
  return out;
}

}  // namespace

Result<Incident> IncidentFromRest(const json& j) {
  std::string id = StringMember(j, "id");
  if (id.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_incident", "incident without an id");
  }
  Incident inc;
  inc.id = std::move(id);
  inc.number = IntMember(j, "number").value_or(IntMember(j, "incident_number").value_or(0));
  inc.title = StringMember(j, "title");
  inc.service_id = StringMember(j, "service", "id");
  inc.service_name = RefSummary(j, "service");
  inc.urgency = StringMember(j, "urgency");
  inc.priority = RefSummary(j, "priority");
  inc.status = StringMember(j, "status");
  inc.assignees = Assignees(j);
  inc.html_url = StringMember(j, "html_url");
  inc.triggered_at = TimeMember(j, "created_at");
  inc.reopened_at = TimeMember(j, "reopened_at");
  inc.resolved_at = TimeMember(j, "resolved_at");
  return inc;
}

Result<Incident> ParseIncidentResponse(std::string_view body) {
  auto parsed = ParseUntrustedJson(body, kMaxJsonDepth, "incident response");
  if (!parsed) return std::unexpected(parsed.error());
  json doc = std::move(*parsed);
  const json* incident = ObjectMember(doc, "incident");
  if (incident == nullptr) {
    return MakeError(ErrorCode::kInvalidInput, "missing_field",
                     "incident response has no incident");
  }
  return IncidentFromRest(*incident);
}

std::string MatchKey(std::string_view incident_id, std::string_view transition, Nanos occurred_at) {
  Nanos seconds = occurred_at / kNanosPerSecond;
  if (occurred_at < 0 && occurred_at % kNanosPerSecond != 0) --seconds;  // floor
  std::string key(incident_id);
  key.append("|").append(transition).append("|").append(std::to_string(seconds));
  return key;
}

std::string TriggerSeverity(std::string_view urgency, std::string_view priority) {
  std::string p;
  for (char c : ToLowerAscii(priority)) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) p += c;
  }
  if (p == "p1" || p == "p2" || p == "sev1" || p == "sev2") return std::string(kSeverityCritical);
  if (urgency == "low") return std::string(kSeverityWarning);
  return std::string(kSeverityError);
}

std::string ServiceScope(std::string_view service_id) {
  return service_id.empty() ? std::string() : "pagerduty/service/" + std::string(service_id);
}

std::string RefSummary(const json& j, std::string_view key) {
  const json* ref = ObjectMember(j, key);
  if (ref == nullptr) return {};
  std::string summary = StringMember(*ref, "summary");
  return summary.empty() ? StringMember(*ref, "name") : summary;
}

std::string JoinRefSummaries(const json& j, std::string_view key) {
  const json* list = ArrayMember(j, key);
  if (list == nullptr) return {};
  std::string out;
  for (const json& item : *list) {
    const json* assignee = ObjectMember(item, "assignee");
    std::string name = StringMember(assignee != nullptr ? *assignee : item, "summary");
    if (name.empty()) continue;
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::string ActorOf(const json& envelope) {
  std::string agent = RefSummary(envelope, "agent");
  if (!agent.empty()) return agent;
  const std::string type = StringMember(envelope, "event_type");
  if (type == "incident.escalated" || type == "incident.unacknowledged") {
    return std::string(kAutomationActor);
  }
  std::string client = StringMember(envelope, "client", "name");
  return client.empty() ? std::string(kAutomationActor) : client;
}

}  // namespace timelined::connectors::pagerduty
