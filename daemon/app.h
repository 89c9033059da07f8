#pragma once
// App: builds the daemon from a Config and runs it. Owns (in construction order) the
// redactor, the store, the feed, the ingest pipeline, the metrics registry, the drafts
// service, the sources (daemon/sources/), the router and the HTTP server; destroys them in
// reverse so in-flight work drains before the store closes. Composition only: what each
// part does is in its own file (daemon/README.md has the map).
//
// Roles (`serve --role`, DESIGN.md "The feed"):
//   all     store + ingest in one process: LocalFeed, or with [kafka] brokers set a KafkaFeed
//           and an in-process StoreConsumer (Kafka between ingest and SQLite).
//   ingest  connectors and ingest routes produce to Kafka; no SQLite is opened and the routes
//           that read the store are not registered (404). Needs [kafka] brokers.
//   store   a StoreConsumer writes Kafka into SQLite; read API, summarizer hooks; no ingest
//           routes. Needs [kafka] brokers.
// So: store_ (and hooks_) exist unless the role is ingest; ingest_ (and feed_) exist unless
// the role is store. Register a route or component that needs one only when it exists (a
// source's factory returns null where it has nothing to run).
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/auth.h"
#include "daemon/config/config.h"
#include "daemon/drafts_service.h"
#include "daemon/http/metrics.h"
#include "daemon/http/router.h"
#include "daemon/http/server.h"
#include "daemon/incident_hooks.h"
#include "daemon/ingest/pipeline.h"
#include "daemon/routes_drafts.h"
#include "daemon/sources/source.h"
#include "store/kafka_consumer.h"
#include "store/kafka_feed.h"
#include "store/local_feed.h"
#include "store/model/redactor.h"
#include "store/sqlite_store.h"
#include "summarizer/config.h"

namespace timelined::daemon {

// In timelined_build_info and the start-up line.
inline constexpr const char* kVersion = "0.1.0";

enum class Role { kAll, kIngest, kStore };
// "all" | "ingest" | "store" (serve.cc, with `serve --role`).
const char* RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

class App {
 public:
  // Opens the store (unless ingest) and builds everything; fails with a clear error (bad
  // config, a role without the [kafka] brokers it needs, store cannot be opened or migrated,
  // librdkafka rejects a property, a source's configuration cannot work).
  static Result<std::unique_ptr<App>> Create(config::Config config, Role role = Role::kAll);
  ~App();

  // Starts listening, then the sources; writes the ready file if configured. Returns the
  // bound port.
  Result<uint16_t> Start();
  // First step of a graceful stop: /readyz answers 503 (reason "draining") from now on while
  // every request is still served, so load balancers take this instance out of rotation
  // before the listener closes. Serve() holds this state for [server] drain_ms.
  void BeginDrain();
  bool draining() const { return draining_; }
  // Graceful stop: refuse new connections, finish in-flight requests, flush the writer.
  void Stop();

  Role role() const { return role_; }
  bool has_store() const { return store_ != nullptr; }
  bool has_ingest() const { return ingest_ != nullptr; }
  // Only when has_store():
  store::SqliteEventStore& store() { return *store_; }
  IncidentHooks& hooks() { return *hooks_; }
  http::MetricsRegistry& metrics() { return metrics_; }
  // Only when has_ingest():
  IngestPipeline& ingest() { return *ingest_; }
  const config::Config& config() const { return config_; }
  // The routes, complete after Create: lets a request be routed in-process without
  // Start() (tests/fuzz/http_request_fuzz.cc).
  const http::Router& router() const { return router_; }

 private:
  App(config::Config config, Role role);
  Result<void> Build();
  Result<void> OpenFeed();
  Result<void> StartDrafts();
  Result<void> CreateSources();
  void AddRoutes();
  void AddMetrics();
  // Wraps a handler so it runs only for a caller holding `scope`.
  http::Handler Guarded(config::Scope scope, http::Handler handler) const;

  config::Config config_;
  Role role_ = Role::kAll;
  std::unique_ptr<Redactor> redactor_;
  std::unique_ptr<store::SqliteEventStore> store_;  // null in the ingest role
  std::unique_ptr<IncidentHooks> hooks_;            // lifecycle transitions once durable
  std::unique_ptr<store::StoreConsumer> consumer_;  // Kafka -> store (store, all+kafka)
  std::unique_ptr<Feed> feed_;                      // null in the store role
  store::KafkaFeed* kafka_feed_ = nullptr;          // feed_ when it is a KafkaFeed
  http::MetricsRegistry metrics_;
  std::unique_ptr<IngestPipeline> ingest_;
  std::unique_ptr<config::Authenticator> auth_;
  std::unique_ptr<DraftService> drafts_;  // drafts: triggers, stale, builds (with a store)
  std::unique_ptr<DraftRoutesContext> draft_routes_;  // what the drafts routes use
  std::vector<std::unique_ptr<Source>> sources_;      // those this role runs, in list order
  http::Router router_;
  std::unique_ptr<http::HttpServer> server_;
  std::atomic<bool> draining_{false};
  std::atomic<bool> stopping_{false};
};

}  // namespace timelined::daemon
