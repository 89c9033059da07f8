#include "daemon/sources/slack/routes_bindings.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "connectors/slack/message.h"
#include "store/model/untrusted.h"

namespace timelined::daemon {
namespace {

using nlohmann::json;

bool IsSlackId(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

struct BindRequest {
  std::string channel;
  std::string thread_ts;
  std::string team;
  bool wait = true;
};

// The problem with the body, or "" when `out` is filled.
std::string ParseBindRequest(std::string_view body, BindRequest* out) {
  if (!JsonDepthWithin(body)) return "the body nests deeper than 64 levels";
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "the body must be a JSON object";
  for (const auto& [k, v] : j.items()) {
    if (k == "wait") {
      if (!v.is_boolean()) return "\"wait\" must be a boolean";
      out->wait = v.get<bool>();
    } else if (k == "channel" || k == "thread_ts" || k == "team") {
      if (!v.is_string()) return "\"" + k + "\" must be a string";
      (k == "channel"     ? out->channel
       : k == "thread_ts" ? out->thread_ts
                          : out->team) = v.get<std::string>();
    } else {
      return "unknown field \"" + k + "\" (expected channel, thread_ts, team, wait)";
    }
  }
  if (!IsSlackId(out->channel)) return "\"channel\" must be a Slack channel ID such as C0PAY";
  if (j.contains("thread_ts") &&
      (out->thread_ts.size() > 32 || !connectors::slack::ParseSlackTs(out->thread_ts))) {
    return "\"thread_ts\" must be a Slack ts such as \"1712345678.000100\"";
  }
  if (j.contains("team") && !IsSlackId(out->team)) return "\"team\" must be a Slack team ID";
  return "";
}

// The workspace of `channel`: from a stored message of it, else the last Slack event's.
std::string TeamOf(const BindingRouteDeps& deps, const std::string& channel) {
  std::string team;
  // A read error leaves `team` empty, which the fallback below handles like no message.
  (void)deps.store.ForEachEvent(EventQuery{.scope = "slack/" + channel, .limit = 1},
                                [&team](const Event& e) {
                                  auto it = e.attrs.find("team");
                                  if (it != e.attrs.end() && it->is_string()) team = *it;
                                  return false;
                                });
  if (team.empty() && deps.last_team) team = deps.last_team();
  return team;
}

json BackfillJson(const Result<BackfillOutcome>& r) {
  if (!r) {
    return {{"status", "failed"}, {"error", r.error().message}, {"detail", r.error().detail}};
  }
  return {{"status", "done"},
          {"fetched", r->fetched},
          {"inserted", r->inserted},
          {"duplicates", r->duplicates}};
}

}  // namespace

json BindingToJson(const Binding& b) {
  return {{"kind", b.kind},
          {"key", b.key},
          {"incident_id", b.incident_id},
          {"created_at", FormatRfc3339(b.created_at)}};
}

void HandleAddBinding(const BindingRouteDeps& deps, http::Request& req, http::Respond respond) {
  const std::string& id = req.path_params["id"];
  BindRequest br;
  if (std::string problem = ParseBindRequest(req.body, &br); !problem.empty()) {
    return respond(http::Response::JsonError(400, "invalid_binding", problem));
  }
  auto incident = deps.store.GetIncident(id);
  if (!incident) return respond(http::Response::FromError(incident.error()));
  if (!incident->has_value()) {
    return respond(http::Response::JsonError(404, "not_found", "no incident " + id));
  }
  const bool thread = !br.thread_ts.empty();
  std::string team;
  if (thread && deps.backfill != nullptr)
    team = br.team.empty() ? TeamOf(deps, br.channel) : br.team;
  Binding b{thread ? kBindingSlackThread : kBindingSlackChannel,
            thread ? ThreadKey(br.channel, br.thread_ts) : br.channel, id, 0};
  auto written = deps.bindings.Bind(b, "api");
  if (!written) return respond(http::Response::FromError(written.error()));
  if (written->stored.incident_id != id) {
    return respond(http::Response::JsonError(
        409, "already_bound",
        b.kind + " " + b.key + " is bound to incident " + written->stored.incident_id));
  }
  json body{{"binding", BindingToJson(written->stored)}, {"created", written->created}};
  const int status = written->created ? 201 : 200;
  if (!thread) {
    body["backfill"] = {{"status", "not_applicable"}};
    return respond(http::Response::Json(status, body.dump()));
  }
  if (deps.backfill == nullptr) {
    body["backfill"] = {{"status", "not_configured"}, {"detail", "slack.bot_token is not set"}};
    return respond(http::Response::Json(status, body.dump()));
  }
  if (team.empty()) {  // bound all the same; the backfill needs the workspace ID
    body["backfill"] = {{"status", "failed"},
                        {"error", "unknown_team"},
                        {"detail",
                         "no Slack event names this channel's workspace yet: "
                         "POST again with \"team\" (T…) to backfill"}};
    return respond(http::Response::Json(status, body.dump()));
  }
  BackfillJob job{team, br.channel, br.thread_ts, id};
  if (!br.wait) {
    deps.backfill->Enqueue(std::move(job), nullptr);
    body["backfill"] = {{"status", "queued"}};
    return respond(http::Response::Json(status, body.dump()));
  }
  deps.backfill->Enqueue(std::move(job),
                         [body = std::move(body), status,
                          respond = std::move(respond)](Result<BackfillOutcome> r) mutable {
                           body["backfill"] = BackfillJson(r);
                           respond(http::Response::Json(status, body.dump()));
                         });
}

json BackfillStatusJson(const BackfillStatus& s) {
  json out{{"status", s.state}, {"pages", s.pages}, {"fetched", s.fetched}};
  for (auto [name, at] : {std::pair{"queued_at", s.queued_at},
                          {"started_at", s.started_at},
                          {"finished_at", s.finished_at}}) {
    if (at != 0) out[name] = FormatRfc3339(at);
  }
  if (s.state == "running" && s.next_request_at != 0) {
    out["next_request_at"] = FormatRfc3339(s.next_request_at);
  }
  if (s.state == "done") {
    out["inserted"] = s.inserted;
    out["duplicates"] = s.duplicates;
  }
  if (s.state == "failed") {
    out["error"] = s.error;
    out["detail"] = s.detail;
  }
  return out;
}

void HandleListBindings(const EventReader& store, const SlackThreadBackfiller* backfill,
                        http::Request& req, const http::Respond& respond) {
  const std::string& id = req.path_params["id"];
  auto incident = store.GetIncident(id);
  if (!incident) return respond(http::Response::FromError(incident.error()));
  if (!incident->has_value()) {
    return respond(http::Response::JsonError(404, "not_found", "no incident " + id));
  }
  auto list = store.GetBindings(id);
  if (!list) return respond(http::Response::FromError(list.error()));
  json out = json::array();
  for (const Binding& b : *list) {
    json j = BindingToJson(b);
    if (b.kind == kBindingSlackThread) {
      std::optional<BackfillStatus> status;
      if (backfill != nullptr) status = backfill->Status(b.key);
      j["backfill"] = backfill == nullptr ? json{{"status", "not_configured"}}
                      : status            ? BackfillStatusJson(*status)
                                          : json{{"status", "none"}};
    }
    out.push_back(std::move(j));
  }
  respond(http::Response::Json(200, json{{"incident_id", id}, {"bindings", out}}.dump()));
}

}  // namespace timelined::daemon
