#pragma once
// App: builds the daemon from a Config and runs it. Owns (in construction order) the
// redactor, the store, the feed, the ingest pipeline, the metrics registry, the router and
// the HTTP server; destroys them in reverse so in-flight work drains before the store closes.
#include <atomic>
#include <memory>
#include <string>

#include "daemon/config/auth.h"
#include "daemon/config/config.h"
#include "daemon/http/metrics.h"
#include "daemon/http/router.h"
#include "daemon/http/server.h"
#include "daemon/incident_hooks.h"
#include "daemon/ingest.h"
#include "daemon/routes_machine.h"
#include "daemon/slack_service.h"
#include "store/local_feed.h"
#include "store/model/redactor.h"
#include "store/sqlite_store.h"
#include "summarizer/config.h"

namespace timelined::daemon {

class App {
 public:
  // Opens the store and builds everything; fails with a clear error (bad config, store
  // cannot be opened or migrated).
  static Result<std::unique_ptr<App>> Create(config::Config config);
  ~App();

  // Starts listening; writes the ready file if configured. Returns the bound port.
  Result<uint16_t> Start();
  // Graceful stop: refuse new connections, finish in-flight requests, flush the writer.
  void Stop();

  store::SqliteEventStore& store() { return *store_; }
  http::MetricsRegistry& metrics() { return metrics_; }
  IngestPipeline& ingest() { return *ingest_; }
  IncidentHooks& hooks() { return *hooks_; }
  const config::Config& config() const { return config_; }

 private:
  explicit App(config::Config config);
  void AddRoutes();
  void AddMetricCollectors();
  // Wraps a handler so it runs only for a caller holding `scope`.
  http::Handler Guarded(config::Scope scope, http::Handler handler) const;

  config::Config config_;
  std::unique_ptr<Redactor> redactor_;
  std::unique_ptr<store::SqliteEventStore> store_;
  std::unique_ptr<IncidentHooks> hooks_;  // lifecycle transitions once durable
  std::unique_ptr<Feed> feed_;
  http::MetricsRegistry metrics_;
  std::unique_ptr<IngestPipeline> ingest_;
  std::unique_ptr<config::Authenticator> auth_;
  std::unique_ptr<SlackService> slack_;               // [slack]: webhook, bindings, backfill
  summarizer::CorrelationConfig events_correlation_;  // GET /v1/incidents/{id}/events
  MachineIngestOptions machine_options_;
  http::Router router_;
  std::unique_ptr<http::HttpServer> server_;
  std::atomic<bool> stopping_{false};
};

// `timelined serve`: runs until SIGTERM/SIGINT, then stops gracefully. Returns the exit code.
int Serve(config::Config config);

}  // namespace timelined::daemon
