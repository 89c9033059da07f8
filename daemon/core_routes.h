#pragma once
// The routes that belong to no source: health, metrics, the read API and the drafts API.
//   GET /healthz  /readyz  /metrics                        every role, no token
//   GET /v1/events/{id}  /v1/incidents  /v1/incidents/{id}
//       /v1/incidents/{id}/events                          scope read, with a store only
//   the drafts API (routes_drafts.h)                       with a store only
// Handlers are in routes.h and routes_drafts.h; this file only registers them.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "daemon/drafts_service.h"
#include "daemon/http/metrics.h"
#include "daemon/http/router.h"
#include "daemon/routes_drafts.h"
#include "daemon/sources/source.h"
#include "store/kafka_consumer.h"
#include "store/kafka_feed.h"
#include "store/model/feed.h"
#include "store/sqlite_store.h"

namespace timelined::daemon {

// What /readyz reports. Pointers are null where the role has no such part; everything
// outlives the router.
struct Readiness {
  const char* role;                                     // RoleName
  const Feed* feed;                                     // null in the store role
  const store::KafkaFeed* kafka_feed;                   // feed when it is a KafkaFeed
  const store::StoreConsumer* consumer;                 // Kafka -> store
  const std::atomic<bool>& draining;                    // App::BeginDrain
  const std::atomic<bool>& stopping;                    // App::Stop
  const std::vector<std::unique_ptr<Source>>& sources;  // add information-only fields
};

// "" when ready, else why not: "stopping", "draining", "feed_not_ready",
// "kafka_consumer_disconnected".
std::string NotReadyReason(const Readiness& r);

// /healthz answers 200 {"status":"ok"} while the process runs; /readyz 200 when ready, else
// 503 with the reason, and the feed's and Kafka clients' state either way; /metrics renders
// `metrics`.
void AddHealthRoutes(http::Router& router, http::MetricsRegistry& metrics, Readiness readiness);

// The read API and the drafts API. Everything passed outlives the router.
void AddReadRoutes(http::Router& router, const GuardFn& guard, const store::SqliteEventStore& store,
                   const DraftService& drafts, const DraftRoutesContext& draft_routes);

}  // namespace timelined::daemon
