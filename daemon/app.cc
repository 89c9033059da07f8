#include "daemon/app.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "daemon/routes.h"
#include "daemon/routes_machine.h"

namespace timelined::daemon {
namespace {

constexpr const char* kVersion = "0.1.0";

Result<void> WriteFileAtomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return MakeError(ErrorCode::kUnavailable, "ready_file", "cannot write " + tmp);
    out << content;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    return MakeError(ErrorCode::kUnavailable, "ready_file",
                     "cannot rename to " + path + ": " + ec.message());
  return {};
}

store::StoreOptions StoreOptionsFrom(const config::StoreConfig& c) {
  store::StoreOptions o;
  o.path = c.path;
  o.cache_mib = c.cache_mib;
  o.max_batch_events = c.max_batch_events;
  o.queue_limit_events = c.queue_limit_events;
  o.reader_connections = c.reader_connections;
  o.synchronous_full = c.synchronous_full;
  return o;
}

}  // namespace

App::App(config::Config config) : config_(std::move(config)) {}

App::~App() { Stop(); }

Result<std::unique_ptr<App>> App::Create(config::Config config) {
  if (auto v = config::ValidateConfig(config); !v) return std::unexpected(v.error());
  std::unique_ptr<App> app(new App(std::move(config)));
  auto redactor = Redactor::Create(app->config_.redaction_patterns);
  if (!redactor) return std::unexpected(redactor.error());
  app->redactor_ = std::move(*redactor);

  std::filesystem::path db(app->config_.store.path);
  if (db.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(db.parent_path(), ec);
    if (ec)
      return MakeError(ErrorCode::kUnavailable, "store",
                       "cannot create " + db.parent_path().string() + ": " + ec.message());
  }
  auto store = store::SqliteEventStore::Open(StoreOptionsFrom(app->config_.store));
  if (!store) return std::unexpected(store.error());
  app->store_ = std::move(*store);
  app->hooks_ = std::make_unique<IncidentHooks>(*app->store_);
  app->feed_ = std::make_unique<store::LocalFeed>(*app->store_);
  app->ingest_ = std::make_unique<IngestPipeline>(
      *app->feed_, *app->redactor_, app->metrics_,
      std::chrono::milliseconds(app->config_.server.publish_timeout_ms));
  app->auth_ = std::make_unique<config::Authenticator>(app->config_.tokens);
  auto slack = SlackService::Create(app->config_.slack, *app->store_, *app->ingest_, app->metrics_);
  if (!slack) return std::unexpected(slack.error());
  app->slack_ = std::move(*slack);
  AddSlackChannelsTo(app->events_correlation_, app->config_.slack);
  app->AddRoutes();
  app->AddMetricCollectors();
  return app;
}

http::Handler App::Guarded(config::Scope scope, http::Handler handler) const {
  return [this, scope, handler = std::move(handler)](http::Request& req, http::Respond respond) {
    bool loopback = config::IsLoopbackAddress(req.remote_address);
    auto who = auth_->Authenticate(req.Header("authorization"), scope, loopback);
    if (!who) {
      http::Response r = http::Response::FromError(who.error());
      if (r.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
      respond(std::move(r));
      return;
    }
    handler(req, std::move(respond));
  };
}

void App::AddRoutes() {
  using config::Scope;
  using http::Request;
  using http::Respond;
  using http::Response;
  router_.Add("GET", "/healthz", [](Request&, Respond respond) {
    respond(Response::Json(200, R"({"status":"ok"})"));
  });
  router_.Add("GET", "/readyz", [this](Request&, Respond respond) {
    bool ready = !stopping_ && feed_->Ready();
    respond(
        Response::Json(ready ? 200 : 503, nlohmann::json{{"status", ready ? "ready" : "not_ready"},
                                                         {"feed", "local"},
                                                         {"stopping", stopping_.load()}}
                                              .dump()));
  });
  router_.Add("GET", "/metrics", [this](Request&, Respond respond) {
    respond(Response::Text(200, metrics_.RenderPrometheus(),
                           "text/plain; version=0.0.4; charset=utf-8"));
  });
  const store::SqliteEventStore& st = *store_;
  router_.Add("GET", "/v1/events/{id}", Guarded(Scope::kRead, [&st](Request& r, Respond d) {
                HandleGetEvent(st, r, std::move(d));
              }));
  router_.Add("GET", "/v1/incidents", Guarded(Scope::kRead, [&st](Request& r, Respond d) {
                HandleListIncidents(st, r, std::move(d));
              }));
  router_.Add("GET", "/v1/incidents/{id}", Guarded(Scope::kRead, [&st](Request& r, Respond d) {
                HandleGetIncident(st, r, std::move(d));
              }));
  router_.Add(
      "GET", "/v1/incidents/{id}/events", Guarded(Scope::kRead, [this, &st](Request& r, Respond d) {
        HandleIncidentEvents(st, events_correlation_, SystemClock::Instance(), r, std::move(d));
      }));
  slack_->AddRoutes(router_, [this](Scope s, http::Handler h) { return Guarded(s, std::move(h)); });
  machine_options_.log.skip_invalid_lines = config_.logs.skip_invalid_lines;
  machine_options_.max_decompressed_bytes = config_.logs.max_decompressed_bytes;
  const auto& mo = machine_options_;
  const Clock& clock = SystemClock::Instance();
  router_.Add("POST", "/ingest/logs",
              Guarded(Scope::kIngest, [this, &mo, &clock](Request& r, Respond d) {
                HandleIngestLogs(*ingest_, mo, clock, r, std::move(d));
              }));
  router_.Add("POST", "/loki/api/v1/push",
              Guarded(Scope::kIngest, [this, &mo, &clock](Request& r, Respond d) {
                HandleLokiPush(*ingest_, mo, clock, r, std::move(d));
              }));
  router_.Add("POST", "/ingest/kubernetes",
              Guarded(Scope::kIngest, [this, &mo, &clock](Request& r, Respond d) {
                HandleIngestKubernetes(*ingest_, mo, clock, r, std::move(d));
              }));
  router_.Add("POST", "/ingest/events", Guarded(Scope::kIngest, [this](Request& r, Respond d) {
                HandleIngestEvents(*ingest_, SystemClock::Instance(), r, std::move(d));
              }));
}

void App::AddMetricCollectors() {
  metrics_.DeclareGauge("timelined_build_info", "Build information");
  metrics_.Set("timelined_build_info", {{"version", kVersion}}, 1);
  metrics_.DeclareCounter("timelined_store_events_inserted_total", "Events newly stored");
  metrics_.DeclareCounter("timelined_store_events_duplicate_total",
                          "Events already stored (idempotent no-ops)");
  metrics_.DeclareCounter("timelined_store_transactions_total", "Writer transactions committed");
  metrics_.DeclareCounter("timelined_store_commit_failures_total",
                          "Writer transactions rolled back");
  metrics_.DeclareGauge("timelined_store_queue_depth", "Events waiting for the writer");
  std::vector<double> batch(std::begin(store::kBatchSizeBounds), std::end(store::kBatchSizeBounds));
  std::vector<double> latency(std::begin(store::kCommitLatencyBounds),
                              std::end(store::kCommitLatencyBounds));
  metrics_.DeclareHistogram("timelined_store_batch_events", "Events per writer transaction", batch);
  metrics_.DeclareHistogram("timelined_store_commit_seconds", "Writer transaction latency",
                            latency);
  metrics_.AddCollector([this](http::MetricsRegistry& m) {
    store::StoreStats s = store_->Stats();
    m.Set("timelined_store_events_inserted_total", {}, static_cast<double>(s.events_inserted));
    m.Set("timelined_store_events_duplicate_total", {}, static_cast<double>(s.events_duplicate));
    m.Set("timelined_store_transactions_total", {}, static_cast<double>(s.transactions));
    m.Set("timelined_store_commit_failures_total", {}, static_cast<double>(s.commit_failures));
    m.Set("timelined_store_queue_depth", {}, static_cast<double>(s.queue_depth));
    m.SetHistogram("timelined_store_batch_events", {}, s.batch_size_buckets,
                   static_cast<double>(s.batch_size_sum));
    m.SetHistogram("timelined_store_commit_seconds", {}, s.commit_latency_buckets,
                   s.commit_latency_sum_seconds);
  });
}

Result<uint16_t> App::Start() {
  auto listen = config::ParseListen(config_.server.listen);
  if (!listen) return std::unexpected(listen.error());
  http::ServerOptions o;
  o.address = listen->first;
  o.port = listen->second;
  o.threads = config_.server.threads;
  o.max_body_bytes = config_.server.max_body_bytes;
  o.max_header_bytes = config_.server.max_header_bytes;
  o.max_connections = config_.server.max_connections;
  o.read_timeout = std::chrono::milliseconds(config_.server.read_timeout_ms);
  o.idle_timeout = std::chrono::milliseconds(config_.server.idle_timeout_ms);
  server_ = std::make_unique<http::HttpServer>(o, router_, metrics_);
  auto port = server_->Start();
  if (!port) return port;
  if (!config_.server.ready_file.empty()) {
    if (auto w = WriteFileAtomically(config_.server.ready_file, std::to_string(*port) + "\n"); !w) {
      return std::unexpected(w.error());
    }
  }
  return port;
}

void App::Stop() {
  if (stopping_.exchange(true)) return;
  if (server_) server_->Stop(std::chrono::milliseconds(config_.server.shutdown_grace_ms));
  if (slack_) slack_->Stop();  // backfills publish through the store: stop them first
  if (store_) store_->Close();
}

int Serve(config::Config config) {
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto app = App::Create(std::move(config));
  if (!app) {
    spdlog::error("cannot start: {}: {}", app.error().message, app.error().detail);
    return 1;
  }
  const config::Config& c = (*app)->config();
  auto port = (*app)->Start();
  if (!port) {
    spdlog::error("cannot listen on {}: {}", c.server.listen, port.error().detail);
    return 1;
  }
  auto host = config::ParseListen(c.server.listen)->first;
  spdlog::info("timelined {} listening on http://{}:{} (store {}, feed local)", kVersion,
               host.find(':') != std::string::npos ? "[" + host + "]" : host, *port, c.store.path);
  if (c.tokens.empty()) {
    spdlog::warn("no [[auth.tokens]] configured: loopback clients are served without a token");
  }
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received {}, stopping: finishing in-flight requests and flushing the writer",
               sig == SIGTERM ? "SIGTERM" : "SIGINT");
  (*app)->Stop();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace timelined::daemon
