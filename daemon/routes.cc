#include "daemon/routes.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "summarizer/correlate.h"

namespace timelined::daemon {
namespace {

using nlohmann::json;

http::Response JsonOk(const json& j) {
  return http::Response::Json(200, j.dump(-1, ' ', false, json::error_handler_t::replace));
}

size_t LimitParam(const http::Request& req, size_t def, size_t max) {
  auto v = req.Query("limit");
  if (!v) return def;
  size_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n == 0) return def;
  return std::min(n, max);
}

// The ID of the stored tombstone (slack.message_deleted) of a Slack message or of an edit
// of it, or "" when the message is not deleted. The tombstone's source_ref is
// "<team>:<channel>:<ts>:deleted" (connectors/slack/message.h).
std::string DeletedBy(const store::SqliteEventStore& store, const Event& e) {
  if (e.source != kSourceSlack) return {};
  if (e.kind != "slack.message" && e.kind != "slack.message_changed") return {};
  auto str = [&e](const char* key) {
    auto it = e.attrs.find(key);
    return it != e.attrs.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string channel = str("channel");
  const std::string ts = str("ts");
  if (channel.empty() || ts.empty()) return {};
  std::string id = MakeEventId(kSourceSlack, str("team") + ":" + channel + ":" + ts + ":deleted");
  auto tombstone = store.GetEvent(id);
  return tombstone && tombstone->has_value() ? id : std::string();
}

// The API form of a stored event. A deleted Slack message (and its edits) is served as
// deleted, without its text: summary "(message deleted)", body "", no file names, and
// "deleted_by" naming the tombstone. The stored row is unchanged (its chain hash covers
// the original content), so "chain" cannot be recomputed from this form.
json EventForApi(const store::SqliteEventStore& store, const Event& e) {
  json j = EventToJson(e);
  const std::string tombstone = DeletedBy(store, e);
  if (tombstone.empty()) return j;
  j["summary"] = "(message deleted)";
  j["body"] = "";
  j["attrs"].erase("files");
  j["deleted"] = true;
  j["deleted_by"] = tombstone;
  return j;
}

}  // namespace

void HandleGetEvent(const store::SqliteEventStore& store, http::Request& req,
                    const http::Respond& respond) {
  const std::string& id = req.path_params["id"];
  if (!IsValidEventId(id)) {
    respond(http::Response::JsonError(400, "bad_event_id",
                                      "an event ID looks like pd_ + 16 base32 chars"));
    return;
  }
  auto e = store.GetEvent(id);
  if (!e) return respond(http::Response::FromError(e.error()));
  if (!e->has_value())
    return respond(http::Response::JsonError(404, "not_found", "no event " + id));
  respond(JsonOk(EventForApi(store, **e)));
}

void HandleListIncidents(const store::SqliteEventStore& store, http::Request& req,
                         const http::Respond& respond) {
  auto list = store.ListIncidents(LimitParam(req, 100, 1000));
  if (!list) return respond(http::Response::FromError(list.error()));
  json out = json::array();
  for (const Incident& i : *list) out.push_back(IncidentToJson(i));
  respond(JsonOk(json{{"incidents", out}}));
}

void HandleGetIncident(const store::SqliteEventStore& store, http::Request& req,
                       const http::Respond& respond) {
  const std::string& id = req.path_params["id"];
  auto inc = store.GetIncident(id);
  if (!inc) return respond(http::Response::FromError(inc.error()));
  if (!inc->has_value())
    return respond(http::Response::JsonError(404, "not_found", "no incident " + id));
  respond(JsonOk(IncidentToJson(**inc)));
}

void HandleIncidentEvents(const store::SqliteEventStore& store,
                          const summarizer::SummarizerConfig& config, http::Request& req,
                          const http::Respond& respond) {
  const std::string& id = req.path_params["id"];
  const size_t limit = LimitParam(req, 10'000, 100'000);
  auto inc = store.GetIncident(id);
  if (!inc) return respond(http::Response::FromError(inc.error()));
  // An incident PagerDuty never told us about still has its named events (Slack binds).
  const Incident incident = inc->value_or(Incident{.id = id});
  json events = json::array();
  size_t total = 0;
  auto r =
      summarizer::CorrelateEach(incident, config.correlation, store, SystemClock::Instance().Now(),
                                [&](const Event& e, const std::string& reason) {
                                  if (++total > limit) return false;
                                  json j = EventForApi(store, e);
                                  j["included_because"] = reason;
                                  events.push_back(std::move(j));
                                  return true;
                                });
  if (!r) return respond(http::Response::FromError(r.error()));
  respond(JsonOk(json{{"incident_id", id},
                      {"count", events.size()},
                      {"truncated", total > limit},
                      {"events", events}}));
}

}  // namespace timelined::daemon
