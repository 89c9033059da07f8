#include "daemon/core_routes.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "daemon/routes.h"

namespace timelined::daemon {

using http::Request;
using http::Respond;
using http::Response;

namespace {

http::Response Readyz(const Readiness& r) {
  const std::string reason = NotReadyReason(r);
  const bool ready = reason.empty();
  nlohmann::json j{{"status", ready ? "ready" : "not_ready"},
                   {"role", r.role},
                   {"feed", r.kafka_feed ? "kafka" : (r.feed ? "local" : "none")},
                   {"draining", r.draining.load()},
                   {"stopping", r.stopping.load()}};
  if (!ready) j["reason"] = reason;
  // Broker connectivity of each Kafka client (librdkafka statistics, every second).
  if (r.kafka_feed) j["kafka_producer_connected"] = r.kafka_feed->Ready();
  if (r.consumer) j["kafka_consumer_connected"] = r.consumer->Stats().broker_up;
  // Information only: readiness never depends on a source (the Kubernetes watch).
  for (const auto& source : r.sources) source->AddReadyzState(j);
  return Response::Json(ready ? 200 : 503, j.dump());
}

}  // namespace

std::string NotReadyReason(const Readiness& r) {
  if (r.stopping) return "stopping";
  if (r.draining) return "draining";
  if (r.feed && !r.feed->Ready()) return "feed_not_ready";
  if (r.consumer && !r.consumer->Stats().broker_up) return "kafka_consumer_disconnected";
  return "";
}

void AddHealthRoutes(http::Router& router, http::MetricsRegistry& metrics, Readiness readiness) {
  router.Add("GET", "/healthz", [](Request&, const Respond& respond) {
    respond(Response::Json(200, R"({"status":"ok"})"));
  });
  router.Add("GET", "/readyz",
             [readiness](Request&, const Respond& respond) { respond(Readyz(readiness)); });
  router.Add("GET", "/metrics", [&metrics](Request&, const Respond& respond) {
    respond(Response::Text(200, metrics.RenderPrometheus(),
                           "text/plain; version=0.0.4; charset=utf-8"));
  });
}

void AddReadRoutes(http::Router& router, const GuardFn& guard, const store::SqliteEventStore& store,
                   const DraftService& drafts, const DraftRoutesContext& draft_routes) {
  using config::Scope;
  const store::SqliteEventStore& st = store;
  router.Add("GET", "/v1/events/{id}", guard(Scope::kRead, [&st](Request& r, const Respond& d) {
               HandleGetEvent(st, r, d);
             }));
  router.Add("GET", "/v1/incidents", guard(Scope::kRead, [&st](Request& r, const Respond& d) {
               HandleListIncidents(st, r, d);
             }));
  router.Add("GET", "/v1/incidents/{id}", guard(Scope::kRead, [&st](Request& r, const Respond& d) {
               HandleGetIncident(st, r, d);
             }));
  const DraftService& ds = drafts;
  router.Add("GET", "/v1/incidents/{id}/events",
             guard(Scope::kRead, [&st, &ds](Request& r, const Respond& d) {
               HandleIncidentEvents(st, ds.config(), r, d);
             }));
  AddDraftRoutes(router, guard, draft_routes);
}

}  // namespace timelined::daemon
