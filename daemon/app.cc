#include "daemon/app.h"

#include <utility>

#include "daemon/core_routes.h"
#include "daemon/options.h"
#include "daemon/serve.h"
#include "daemon/sources/generic/generic_source.h"
#include "daemon/sources/kubernetes/kubernetes_source.h"
#include "daemon/sources/logs/logs_source.h"
#include "daemon/sources/pagerduty/pagerduty_source.h"
#include "daemon/sources/slack/slack_source.h"
#include "daemon/telemetry.h"

namespace timelined::daemon {
namespace {

// The sources, in the order they are built, route and stop. Adding one: its folder under
// daemon/sources/, its factory here and its name in daemon/sources/sources.cmake.
constexpr SourceFactory kSources[] = {
    MakeGenericSource,     // POST /ingest/events
    MakeLogsSource,        // POST /ingest/logs, /loki/api/v1/push
    MakeKubernetesSource,  // POST /ingest/kubernetes, the [kubernetes] watcher
    MakePagerDutySource,   // webhooks, REST backfill
    MakeSlackSource,       // Events API webhook, bindings, thread backfill (role all)
};

}  // namespace

App::App(config::Config config, Role role) : config_(std::move(config)), role_(role) {}

App::~App() { Stop(); }

Result<std::unique_ptr<App>> App::Create(config::Config config, Role role) {
  if (auto v = config::ValidateConfig(config); !v) return std::unexpected(v.error());
  if (role != Role::kAll && config.kafka.brokers.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "role_needs_kafka",
                     std::string("--role ") + RoleName(role) +
                         " needs Kafka: set [kafka] brokers in the config");
  }
  std::unique_ptr<App> app(new App(std::move(config), role));
  if (auto r = app->Build(); !r) return std::unexpected(r.error());
  return app;
}

Result<void> App::Build() {
  auto redactor = Redactor::Create(config_.redaction_patterns);
  if (!redactor) return std::unexpected(redactor.error());
  redactor_ = std::move(*redactor);
  if (role_ != Role::kIngest) {  // the store, and what hangs off its commit listener
    auto store = OpenStore(config_.store);
    if (!store) return std::unexpected(store.error());
    store_ = std::move(*store);
    hooks_ = std::make_unique<IncidentHooks>(*store_);
  }
  if (role_ != Role::kStore) {
    if (auto r = OpenFeed(); !r) return r;
  }
  if (role_ != Role::kIngest && !config_.kafka.brokers.empty()) {
    auto consumer = store::StoreConsumer::Create(config_.kafka, *store_);
    if (!consumer) return std::unexpected(consumer.error());
    consumer_ = std::move(*consumer);
  }
  auth_ = std::make_unique<config::Authenticator>(config_.tokens);
  if (store_) {  // the summarizer runs where the evidence is stored (all, store)
    if (auto r = StartDrafts(); !r) return r;
  }
  if (auto r = CreateSources(); !r) return r;
  AddRoutes();
  AddMetrics();
  return {};
}

Result<void> App::OpenFeed() {
  if (config_.kafka.brokers.empty()) {
    feed_ = std::make_unique<store::LocalFeed>(*store_);
  } else {
    auto feed = store::KafkaFeed::Create(config_.kafka);
    if (!feed) return std::unexpected(feed.error());
    kafka_feed_ = feed->get();
    feed_ = std::move(*feed);
  }
  ingest_ = std::make_unique<IngestPipeline>(
      *feed_, *redactor_, metrics_, std::chrono::milliseconds(config_.server.publish_timeout_ms));
  return {};
}

Result<void> App::StartDrafts() {
  const config::SummarizerSettings& s = config_.summarizer;
  drafts_ = std::make_unique<DraftService>(*store_, config::ToSummarizerConfig(config_),
                                           DraftServiceOptionsFrom(s), SystemClock::Instance());
  drafts_->Attach(*hooks_);
  AddDraftMetrics(metrics_, *drafts_);
  draft_routes_.reset(new DraftRoutesContext{*store_, *drafts_, *auth_, s.regenerate_secret,
                                             s.max_clock_skew_s, SystemClock::Instance()});
  return drafts_->Start();
}

Result<void> App::CreateSources() {
  const SourceContext context{ingest_.get(), store_.get(), hooks_.get(), metrics_,
                              SystemClock::Instance()};
  for (SourceFactory make : kSources) {
    auto source = make(config_, context);
    if (!source) return std::unexpected(source.error());
    if (*source == nullptr) continue;  // nothing to run in this role
    (*source)->AddMetrics(metrics_);
    sources_.push_back(std::move(*source));
  }
  return {};
}

// The bearer check needs only the header: the server runs it before reading the body.
http::Handler App::Guarded(config::Scope scope, http::Handler handler) const {
  return http::Gated(
      [this, scope](http::Request& req) -> std::optional<http::Response> {
        return BearerCheck(*auth_, scope, req);
      },
      std::move(handler));
}

void App::AddRoutes() {
  const GuardFn guard = [this](config::Scope s, http::Handler h) {
    return Guarded(s, std::move(h));
  };
  AddHealthRoutes(router_, metrics_,
                  Readiness{RoleName(role_), feed_.get(), kafka_feed_, consumer_.get(), draining_,
                            stopping_, sources_});
  if (store_) AddReadRoutes(router_, guard, *store_, *drafts_, *draft_routes_);
  for (const auto& source : sources_) source->AddRoutes(router_, guard);
}

// Counters alerted on with increase() exist at 0 before their first increment (issue 17);
// the per-route HTTP series are added in Start (the server declares that family).
void App::AddMetrics() {
  AddProcessMetrics(metrics_, kVersion, RoleName(role_));
  AddKafkaMetrics(metrics_, kafka_feed_, consumer_.get());
  if (store_) AddStoreMetrics(metrics_, *store_);
  std::vector<std::string> workers;  // kubernetes_watch: KubeWatch's collector sets its own
  if (drafts_) workers.push_back("drafts");
  for (const auto& source : sources_) {
    ExportIngestCountersAtZero(metrics_, source->IngestSources());
    for (std::string& w : source->Workers()) workers.push_back(std::move(w));
  }
  ExportWorkerCountersAtZero(metrics_, workers);
}

void App::BeginDrain() { draining_ = true; }

Result<uint16_t> App::Start() {
  if (consumer_) {
    if (auto r = consumer_->Start(); !r) return std::unexpected(r.error());
  }
  auto options = ServerOptionsFrom(config_.server);
  if (!options) return std::unexpected(options.error());
  server_ = std::make_unique<http::HttpServer>(*options, router_, metrics_);
  ExportRouteCountersAtZero(metrics_, router_);
  auto port = server_->Start();
  if (!port) return port;
  for (const auto& source : sources_) {
    if (auto r = source->Start(); !r) return std::unexpected(r.error());
  }
  if (!config_.server.ready_file.empty()) {
    if (auto w = WriteReadyFile(config_.server.ready_file, *port); !w) {
      return std::unexpected(w.error());
    }
  }
  return port;
}

void App::Stop() {
  draining_ = true;
  if (stopping_.exchange(true)) return;
  for (const auto& source : sources_) source->StopIntake();  // watchers publish: stop first
  if (server_) server_->Stop(std::chrono::milliseconds(config_.server.shutdown_grace_ms));
  // The store consumer writes its last batch and commits it, then leaves the group.
  if (consumer_) consumer_->Stop();
  for (const auto& source : sources_) source->Stop();  // backfills publish through the feed
  if (drafts_) drafts_->Stop();  // finishes the draft in progress; pending auto drafts wait
  if (store_) store_->Close();
}

}  // namespace timelined::daemon
