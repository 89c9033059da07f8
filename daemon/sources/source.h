#pragma once
// Source: one kind of evidence the daemon takes in (the generic event API, logs, Kubernetes,
// PagerDuty, Slack), as App sees it. Each lives in its own folder under daemon/sources/ and
// exports one SourceFactory; App keeps the factories in a list (app.cc) and, for each source
// the factory builds, calls in this order:
//
//   factory → AddMetrics → AddRoutes → IngestSources / Workers (their counters at 0)
//   → Start (the listener is up) → StopIntake (before the listener closes)
//   → Stop (the listener and the Kafka consumer have stopped; the store is still open).
//
// A factory returns null when the source has nothing to run in this process's role (see
// app.h: no IngestPipeline in the store role, no store in the ingest role), and an error
// for a configuration that cannot work (`serve` exits non-zero with it).
//
// Threads: everything but the route handlers runs on App's thread; handlers run on the
// HTTP server's threads (daemon/http/README.md).
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/guard.h"
#include "daemon/http/metrics.h"
#include "daemon/http/router.h"
#include "daemon/incident_hooks.h"
#include "daemon/ingest/pipeline.h"
#include "store/model/time.h"
#include "store/sqlite_store.h"

namespace timelined::daemon {

// What a source may use. Everything outlives the source; a pointer is null where this
// process's role has no such thing.
struct SourceContext {
  IngestPipeline* ingest;          // null in the store role
  store::SqliteEventStore* store;  // null in the ingest role
  IncidentHooks* hooks;            // with the store only
  http::MetricsRegistry& metrics;
  const Clock& clock;
};

class Source {
 public:
  virtual ~Source() = default;

  // Registers the source's routes; `guard` wraps a handler that needs a token.
  virtual void AddRoutes(http::Router& router, const GuardFn& guard) = 0;
  // Declares metric families and collectors the source did not declare when built.
  virtual void AddMetrics(http::MetricsRegistry& /*metrics*/) {}
  // The `source` labels it publishes under: their timelined_ingest_* series start at 0.
  virtual std::vector<std::string> IngestSources() const = 0;
  // Its worker threads: their timelined_worker_exceptions_total series start at 0.
  virtual std::vector<std::string> Workers() const { return {}; }
  // Starts what pulls evidence in on its own (watchers); the listener is up.
  virtual Result<void> Start() { return {}; }
  // First step of the stop, before the listener closes: stops what Start started.
  virtual void StopIntake() {}
  // Stops the workers (backfills publish through the feed); the store is still open.
  virtual void Stop() {}
  // Information-only fields of /readyz (readiness never depends on a source).
  virtual void AddReadyzState(nlohmann::json& /*readyz*/) const {}
};

// `config` outlives the source (sources keep references into their section).
using SourceFactory = Result<std::unique_ptr<Source>> (*)(const config::Config& config,
                                                          const SourceContext& context);

}  // namespace timelined::daemon
