#include "connectors/pagerduty/webhook.h"

#include <algorithm>
#include <array>

#include "connectors/common/event_limits.h"
#include "connectors/common/json_text.h"
#include "connectors/common/json_util.h"
#include "connectors/pagerduty/incident.h"
#include "connectors/pagerduty/signature.h"
#include "store/model/hash.h"
#include "store/model/untrusted.h"

namespace timelined::connectors::pagerduty {

using nlohmann::json;

namespace {

// What the describers see: the event's data object, its actor, and the attrs and body
// they may fill in.
struct Ctx {
  const json& data;
  const std::string& actor;
  json& attrs;
  std::string body;
};

using Describer = std::string (*)(Ctx&);

std::string By(const Ctx& c) { return " by " + c.actor; }

std::string Quote(std::string_view text) { return "'" + ElideUtf8(text, kSummaryBytes) + "'"; }

std::string WithText(std::string prefix, std::string_view text) {
  if (text.empty()) return prefix;
  return prefix + ": " + ElideUtf8(text, kSummaryBytes);
}

std::string Triggered(Ctx& c) {
  std::string s = "Triggered";
  if (auto number = IntMember(c.data, "number")) s += " #" + std::to_string(*number);
  if (std::string title = StringMember(c.data, "title"); !title.empty()) s += " " + Quote(title);
  if (std::string service = RefSummary(c.data, "service"); !service.empty()) {
    s += " on service " + service;
  }
  std::string priority = RefSummary(c.data, "priority");
  std::string urgency = StringMember(c.data, "urgency");
  std::string details = priority;
  if (!urgency.empty()) details += (details.empty() ? "" : ", ") + urgency + " urgency";
  if (!details.empty()) s += " (" + details + ")";
  return s;
}

std::string Acknowledged(Ctx& c) { return "Acknowledged" + By(c); }
std::string Unacknowledged(Ctx& c) { return "Unacknowledged" + By(c); }
std::string Resolved(Ctx& c) { return "Resolved" + By(c); }
std::string Reopened(Ctx& c) { return "Reopened" + By(c); }

std::string AssignedTo(Ctx& c, const std::string& verb) {
  std::string assignees = JoinRefSummaries(c.data, "assignees");
  c.attrs["assignees"] = assignees;
  return assignees.empty() ? verb : verb + " to " + assignees;
}

std::string Escalated(Ctx& c) { return AssignedTo(c, "Escalated"); }
std::string Reassigned(Ctx& c) { return AssignedTo(c, "Reassigned") + By(c); }

std::string Delegated(Ctx& c) {
  std::string policy = RefSummary(c.data, "escalation_policy");
  c.attrs["escalation_policy"] = policy;
  return policy.empty() ? "Delegated" + By(c) : "Delegated to escalation policy " + policy;
}

std::string PriorityUpdated(Ctx& c) {
  std::string priority = RefSummary(c.data, "priority");
  c.attrs["priority"] = priority;
  return priority.empty() ? "Priority removed" + By(c) : "Priority changed to " + priority;
}

std::string ServiceUpdated(Ctx& c) {
  std::string service = RefSummary(c.data, "service");
  return service.empty() ? "Service changed" : "Moved to service " + service;
}

std::string IncidentTypeChanged(Ctx& c) {
  std::string type = RefSummary(c.data, "incident_type");
  return type.empty() ? "Incident type changed" : "Incident type changed to " + type;
}

std::string Annotated(Ctx& c) {
  std::string content = StringMember(c.data, "content");
  c.attrs["note_id"] = StringMember(c.data, "id");
  c.attrs["trimmed"] = BoolMember(c.data, "trimmed", false);
  c.body = content;
  return WithText("Note by " + c.actor, content);
}

std::string StatusUpdate(Ctx& c) {
  std::string message = StringMember(c.data, "message");
  c.attrs["status_update_id"] = StringMember(c.data, "id");
  c.attrs["trimmed"] = BoolMember(c.data, "trimmed", false);
  c.body = message;
  return WithText("Status update", message);
}

std::string ResponderName(Ctx& c) {
  std::string responder = RefSummary(c.data, "user");
  if (responder.empty()) responder = RefSummary(c.data, "escalation_policy");
  c.attrs["responder"] = responder;
  c.attrs["state"] = StringMember(c.data, "state");
  return responder.empty() ? "responder" : responder;
}

std::string ResponderAdded(Ctx& c) {
  std::string message = StringMember(c.data, "message");
  c.body = message;
  return WithText("Responder " + ResponderName(c) + " requested" + By(c), message);
}

std::string ResponderReplied(Ctx& c) {
  std::string who = ResponderName(c);
  std::string state = StringMember(c.data, "state");
  return "Responder " + who + " replied" + (state.empty() ? "" : ": " + state);
}

std::string ConferenceBridge(Ctx& c) {
  std::string number = StringMember(c.data, "conference_number");
  std::string url = StringMember(c.data, "conference_url");
  c.attrs["conference_number"] = number;
  c.attrs["conference_url"] = url;
  std::string where = number + (number.empty() || url.empty() ? "" : " ") + url;
  return WithText("Conference bridge updated", where);
}

std::string CustomFields(Ctx& c) {
  std::string fields;
  if (const json* list = ArrayMember(c.data, "custom_fields")) {
    c.attrs["custom_fields"] = *list;
    for (const json& f : *list) {
      std::string name = StringMember(f, "name");
      const json* value = Member(f, "value");
      if (name.empty()) continue;
      if (!fields.empty()) fields += ", ";
      fields += name + "=" +
                (value == nullptr     ? "null"
                 : value->is_string() ? value->get<std::string>()
                                      : value->dump());
    }
  }
  return WithText("Custom fields updated", fields);
}

std::string RoleAssigned(Ctx& c) {
  std::string role = RefSummary(c.data, "role");
  std::string user = RefSummary(c.data, "user");
  c.attrs["role"] = role;
  c.attrs["user"] = user;
  std::string what = role.empty() ? "Role" : "Role " + role;
  return user.empty() ? what + " unassigned" : what + " assigned to " + user;
}

std::string NamedThing(Ctx& c, std::string_view noun, std::string_view key, std::string_view verb) {
  std::string name = RefSummary(c.data, key);
  if (name.empty()) name = StringMember(c.data, "title");
  if (name.empty()) name = StringMember(c.data, "summary");
  if (name.empty()) name = StringMember(c.data, "name");
  c.attrs["name"] = name;
  std::string s(noun);
  if (!name.empty()) s += " " + Quote(name);
  return s + " " + std::string(verb);
}

std::string TaskCreated(Ctx& c) { return NamedThing(c, "Task", "task", "created"); }
std::string TaskUpdated(Ctx& c) { return NamedThing(c, "Task", "task", "updated"); }
std::string TaskCompleted(Ctx& c) { return NamedThing(c, "Task", "task", "completed"); }
std::string ActionCreated(Ctx& c) {
  return NamedThing(c, "Automation action", "action", "started");
}
std::string ActionUpdated(Ctx& c) {
  return NamedThing(c, "Automation action", "action", "updated");
}
std::string ActionTerminated(Ctx& c) {
  return NamedThing(c, "Automation action", "action", "terminated");
}
std::string WorkflowStarted(Ctx& c) { return NamedThing(c, "Workflow", "workflow", "started"); }
std::string WorkflowCompleted(Ctx& c) { return NamedThing(c, "Workflow", "workflow", "completed"); }
std::string ServiceCreated(Ctx& c) { return NamedThing(c, "Service", "service", "created"); }
std::string ServiceChanged(Ctx& c) { return NamedThing(c, "Service", "service", "updated"); }
std::string ServiceDeleted(Ctx& c) { return NamedThing(c, "Service", "service", "deleted"); }
std::string ServiceFields(Ctx& c) { return CustomFields(c); }

struct TypeRule {
  std::string_view event_type;
  Describer describe;
};

constexpr std::array<TypeRule, 34> kRules = {{
    {"incident.triggered", Triggered},
    {"incident.acknowledged", Acknowledged},
    {"incident.unacknowledged", Unacknowledged},
    {"incident.escalated", Escalated},
    {"incident.reassigned", Reassigned},
    {"incident.delegated", Delegated},
    {"incident.resolved", Resolved},
    {"incident.reopened", Reopened},
    {"incident.priority_updated", PriorityUpdated},
    {"incident.service_updated", ServiceUpdated},
    {"incident.incident_type.changed", IncidentTypeChanged},
    {"incident.annotated", Annotated},
    {"incident.status_update_published", StatusUpdate},
    {"incident.responder.added", ResponderAdded},
    {"incident.responder.replied", ResponderReplied},
    {"incident.conference_bridge.updated", ConferenceBridge},
    {"incident.custom_field_values.updated", CustomFields},
    {"incident.role.assigned", RoleAssigned},
    {"incident.task.created", TaskCreated},
    {"incident.task.updated", TaskUpdated},
    {"incident.task.completed", TaskCompleted},
    {"incident.action_invocation.created", ActionCreated},
    {"incident.action_invocation.updated", ActionUpdated},
    {"incident.action_invocation.terminated", ActionTerminated},
    {"incident.workflow.started", WorkflowStarted},
    {"incident.workflow.completed", WorkflowCompleted},
    {"service.created", ServiceCreated},
    {"service.updated", ServiceChanged},
    {"service.deleted", ServiceDeleted},
    {"service.custom_field_values.updated", ServiceFields},
    // Not in the current list but sent by older subscriptions; same shape as above.
    {"incident.responder.accepted", ResponderReplied},
    {"incident.responder.declined", ResponderReplied},
    {"incident.status_update.published", StatusUpdate},
    {"incident.note.created", Annotated},
}};

const TypeRule* FindRule(std::string_view event_type) {
  auto it = std::find_if(kRules.begin(), kRules.end(),
                         [&](const TypeRule& r) { return r.event_type == event_type; });
  return it == kRules.end() ? nullptr : &*it;
}

const json& EmptyObject() {
  static const json kEmpty = json::object();
  return kEmpty;
}

struct Envelope {
  std::string id;
  std::string event_type;
  std::string resource_type;
  Nanos occurred_at = 0;
  const json* data = &EmptyObject();  // points into the parsed document, which outlives this
  std::string actor;
};

std::unexpected<Error> Missing(std::string_view field) {
  return MakeError(ErrorCode::kInvalidInput, "missing_field",
                   "PagerDuty webhook without " + std::string(field));
}

Result<Envelope> ReadEnvelope(const json& doc) {
  if (!doc.is_object()) {
    return MakeError(kInvalidPayload, "body is not a JSON object");
  }
  const json* ev = ObjectMember(doc, "event");
  if (ev == nullptr) return Missing("event");
  Envelope env;
  env.id = StringMember(*ev, "id");
  env.event_type = StringMember(*ev, "event_type");
  std::string occurred = StringMember(*ev, "occurred_at");
  if (env.id.empty()) return Missing("event.id");
  if (env.id.size() > kMaxSourceRefBytes) {
    return MakeError(kInvalidPayload, "event.id is too long");
  }
  if (env.event_type.empty()) return Missing("event.event_type");
  if (occurred.empty()) return Missing("event.occurred_at");
  auto at = ParseRfc3339(occurred);
  if (!at) {
    return MakeError(ErrorCode::kInvalidInput, "bad_timestamp",
                     "event.occurred_at is not an RFC 3339 time");
  }
  env.occurred_at = *at;
  env.resource_type = StringMember(*ev, "resource_type");
  if (const json* data = ObjectMember(*ev, "data")) env.data = data;
  env.actor = ActorOf(*ev);
  return env;
}

// The incident an event is about, in the "incident" data shape or as data.incident.
struct IncidentRef {
  std::string id;
  std::string html_url;
  std::string service_id;
};

IncidentRef IncidentOf(const Envelope& env) {
  const json& d = *env.data;
  std::string data_type = StringMember(d, "type");
  if (data_type == "incident") {
    return {StringMember(d, "id"), StringMember(d, "html_url"), StringMember(d, "service", "id")};
  }
  IncidentRef ref;
  if (const json* inc = ObjectMember(d, "incident")) {
    ref = {StringMember(*inc, "id"), StringMember(*inc, "html_url"),
           StringMember(*inc, "service", "id")};
  }
  if (ref.service_id.empty()) ref.service_id = StringMember(d, "service", "id");
  if (ref.service_id.empty() && data_type == "service") ref.service_id = StringMember(d, "id");
  return ref;
}

std::string SeverityOf(const Envelope& env) {
  if (env.event_type != "incident.triggered" && env.event_type != "incident.reopened") {
    return std::string(kSeverityInfo);
  }
  return TriggerSeverity(StringMember(*env.data, "urgency"), RefSummary(*env.data, "priority"));
}

Event BuildEvent(const Envelope& env, const Headers& headers, std::string_view raw_body,
                 Nanos received_at) {
  Event e;
  e.source = std::string(kSourcePagerDuty);
  e.source_ref = "webhook:" + env.id;
  e.id = MakeEventId(e.source, e.source_ref);
  e.occurred_at = env.occurred_at;
  e.received_at = received_at;
  e.actor = env.actor;
  e.raw_sha256 = Sha256Hex(raw_body);
  IncidentRef inc = IncidentOf(env);
  e.incident_id = inc.id;
  e.url = inc.html_url;
  e.scope = ServiceScope(inc.service_id);
  e.severity = SeverityOf(env);
  std::string transition = TransitionOf(env.event_type);
  json& a = e.attrs;
  a["event_type"] = env.event_type;
  a["event_id"] = env.id;
  a["webhook_id"] = std::string(HeaderValue(headers, kWebhookIdHeader));
  a["subscription_id"] = std::string(HeaderValue(headers, kSubscriptionHeader));
  a["resource_type"] = env.resource_type;
  a["data_type"] = StringMember(*env.data, "type");
  a["transition"] = transition;
  if (!inc.id.empty()) a["match_key"] = MatchKey(inc.id, transition, env.occurred_at);
  if (a["data_type"] == "incident") {
    if (auto snapshot = IncidentFromRest(*env.data)) {
      snapshot->updated_at = env.occurred_at;
      a["incident"] = IncidentToJson(*snapshot);
    }
  }
  return e;
}

}  // namespace

std::string TransitionOf(std::string_view event_type) {
  if (event_type.starts_with("incident.")) event_type.remove_prefix(9);
  std::string out(event_type);
  std::replace(out.begin(), out.end(), '.', '_');
  return out;
}

Result<WebhookParse> ParseWebhook(std::string_view raw_body, const Headers& headers,
                                  Nanos received_at) {
  auto parsed = ParseUntrustedJson(raw_body, kMaxJsonDepth, "PagerDuty webhook");
  if (!parsed) return std::unexpected(parsed.error());
  json doc = std::move(*parsed);
  auto env = ReadEnvelope(doc);
  if (!env) return std::unexpected(env.error());
  WebhookParse out;
  if (env->event_type == "pagey.ping") {
    out.ping = true;
    return out;
  }
  Event e = BuildEvent(*env, headers, raw_body, received_at);
  const TypeRule* rule = FindRule(env->event_type);
  Ctx ctx{*env->data, env->actor, e.attrs, {}};
  if (rule != nullptr) {
    e.kind = env->event_type;
    e.summary = rule->describe(ctx);
  } else {
    e.kind = "pagerduty." + env->event_type;
    e.summary = "PagerDuty event " + env->event_type + By(ctx);
  }
  e.body = std::move(ctx.body);
  ClampEventFields(e);
  out.events.push_back(std::move(e));
  return out;
}

}  // namespace timelined::connectors::pagerduty
