#pragma once
// POST/GET /v1/incidents/{id}/bindings: bind a Slack thread or channel to an incident.
//
// POST (scope admin) body {"channel":"C…","thread_ts":"…"} (a thread) or {"channel":"C…"}
// (the whole channel); optional "team" (the workspace, T…, needed to name backfilled
// messages; found from stored messages of the channel or the last Slack event otherwise)
// and "wait" (default true). 404 unknown incident, 400 bad input (unknown fields too),
// 409 when the thread/channel is bound to another incident. Idempotent: 201 when created,
// 200 when it already was. A thread binding is backfilled (conversations.replies) on the
// backfill worker; with "wait": true the answer comes after the backfill and reports it
// ("backfill": {"status": "done", "fetched", "inserted", "duplicates"} or {"status":
// "failed", "error", "detail"}), else "backfill": {"status": "queued"}. Without a bot token
// the status is "not_configured"; with no known workspace "failed"/"unknown_team"; channel
// bindings are not backfilled ("not_applicable").
//
// GET (scope read): {"incident_id", "bindings": [{kind, key, incident_id, created_at}]}; a
// thread binding also has "backfill": its latest backfill since the daemon started
// (BackfillStatusJson), {"status": "none"} when there was none, or "not_configured".
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "daemon/http/types.h"
#include "daemon/sources/slack/slack_backfill_worker.h"
#include "daemon/sources/slack/slack_bindings.h"
#include "store/model/reader.h"

namespace timelined::daemon {

struct BindingRouteDeps {
  const EventReader& store;
  SlackBindings& bindings;
  SlackThreadBackfiller* backfill;         // null: no bot token
  std::function<std::string()> last_team;  // the Slack webhook's last team, or ""
};

void HandleAddBinding(const BindingRouteDeps& deps, http::Request& req, http::Respond respond);
void HandleListBindings(const EventReader& store, const SlackThreadBackfiller* backfill,
                        http::Request& req, const http::Respond& respond);

nlohmann::json BindingToJson(const Binding& b);
// {"status": queued|running|done|failed, "queued_at", "started_at", "finished_at" (RFC 3339,
// when reached), "pages", "fetched", and by state "next_request_at" (running, waiting for the
// pace or a retry), "inserted"/"duplicates" (done), "error"/"detail" (failed)}.
nlohmann::json BackfillStatusJson(const BackfillStatus& s);

}  // namespace timelined::daemon
