#include "daemon/app.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <utility>

#include "daemon/routes.h"
#include "daemon/sources/logs/log_routes.h"
#include "daemon/worker_guard.h"

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

store::KafkaOptions KafkaOptionsFrom(const config::KafkaConfig& k) {
  store::KafkaOptions o;
  o.brokers = k.brokers;
  o.topic = k.topic;
  o.dlq_topic = k.dlq_topic;
  o.client_id = k.client_id;
  o.group_id = k.group_id;
  o.security_protocol = k.security_protocol;
  o.sasl_mechanism = k.sasl_mechanism;
  o.sasl_username = k.sasl_username;
  o.sasl_password = k.sasl_password;
  o.ssl_ca_location = k.ssl_ca_location;
  o.ssl_certificate_location = k.ssl_certificate_location;
  o.ssl_key_location = k.ssl_key_location;
  o.extra = k.properties;
  o.queue_limit = k.queue_limit;
  o.delivery_timeout_ms = k.delivery_timeout_ms;
  o.consumer_batch_size = k.consumer_batch_size;
  return o;
}

const char* SignalName(int sig) { return sig == SIGTERM ? "SIGTERM" : "SIGINT"; }

// Waits up to `timeout` for one of the (blocked) `signals`; true with `*sig` set if one came.
bool WaitForSignal(const sigset_t& signals, std::chrono::milliseconds timeout, int* sig) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(left.count() / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(left.count() % 1'000'000'000);
    int got = sigtimedwait(&signals, nullptr, &ts);
    if (got > 0) {
      *sig = got;
      return true;
    }
    if (errno != EINTR) return false;  // EAGAIN: the time is up
  }
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kAll:
      return "all";
    case Role::kIngest:
      return "ingest";
    case Role::kStore:
      return "store";
  }
  return "?";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kAll, Role::kIngest, Role::kStore}) {
    if (name == RoleName(r)) return r;
  }
  return std::nullopt;
}

App::App(config::Config config, Role role) : config_(std::move(config)), role_(role) {}

App::~App() { Stop(); }

Result<std::unique_ptr<App>> App::Create(config::Config config, Role role) {
  if (auto v = config::ValidateConfig(config); !v) return std::unexpected(v.error());
  const bool kafka = !config.kafka.brokers.empty();
  if (role != Role::kAll && !kafka) {
    return MakeError(ErrorCode::kInvalidInput, "role_needs_kafka",
                     std::string("--role ") + RoleName(role) +
                         " needs Kafka: set [kafka] brokers in the config");
  }
  std::unique_ptr<App> app(new App(std::move(config), role));
  auto redactor = Redactor::Create(app->config_.redaction_patterns);
  if (!redactor) return std::unexpected(redactor.error());
  app->redactor_ = std::move(*redactor);
  if (role != Role::kIngest) {
    if (auto r = app->OpenStore(); !r) return std::unexpected(r.error());
  }
  const store::KafkaOptions kafka_options = KafkaOptionsFrom(app->config_.kafka);
  if (role != Role::kStore) {
    if (kafka) {
      auto feed = store::KafkaFeed::Create(kafka_options);
      if (!feed) return std::unexpected(feed.error());
      app->kafka_feed_ = feed->get();
      app->feed_ = std::move(*feed);
    } else {
      app->feed_ = std::make_unique<store::LocalFeed>(*app->store_);
    }
    app->ingest_ = std::make_unique<IngestPipeline>(
        *app->feed_, *app->redactor_, app->metrics_,
        std::chrono::milliseconds(app->config_.server.publish_timeout_ms));
  }
  if (role != Role::kIngest && kafka) {
    auto consumer = store::StoreConsumer::Create(kafka_options, *app->store_);
    if (!consumer) return std::unexpected(consumer.error());
    app->consumer_ = std::move(*consumer);
  }
  app->auth_ = std::make_unique<config::Authenticator>(app->config_.tokens);
  if (app->store_) {
    // The summarizer runs where the evidence is stored (all, store).
    if (auto r = app->StartDrafts(); !r) return std::unexpected(r.error());
  }
  if (app->ingest_) {
    // Connectors that publish: they run wherever there is a feed (all, ingest).
    if (app->config_.kubernetes.enabled) {
      auto kw = KubeWatch::Create(app->config_.kubernetes, *app->ingest_);
      if (!kw) return std::unexpected(kw.error());
      app->kube_watch_ = std::move(*kw);
      app->kube_watch_->AddMetrics(app->metrics_);
    }
    auto pagerduty =
        PagerDutyEndpoints::Create(app->config_.pagerduty, *app->ingest_, app->metrics_,
                                   app->hooks_.get(), SystemClock::Instance());
    if (!pagerduty) return std::unexpected(pagerduty.error());
    app->pagerduty_ = std::move(*pagerduty);
  }
  if (app->ingest_ && app->store_) {
    // Slack resolves bindings against the store at ingest: role all only.
    auto slack =
        SlackService::Create(app->config_.slack, *app->store_, *app->ingest_, app->metrics_);
    if (!slack) return std::unexpected(slack.error());
    app->slack_ = std::move(*slack);
  }
  app->AddRoutes();
  app->AddMetricCollectors();
  app->ExportCountersAtZero();
  return app;
}

// The SQLite store and what hangs off its commit listener (every role but ingest).
Result<void> App::OpenStore() {
  std::filesystem::path db(config_.store.path);
  if (db.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(db.parent_path(), ec);
    if (ec)
      return MakeError(ErrorCode::kUnavailable, "store",
                       "cannot create " + db.parent_path().string() + ": " + ec.message());
  }
  auto store = store::SqliteEventStore::Open(StoreOptionsFrom(config_.store));
  if (!store) return std::unexpected(store.error());
  store_ = std::move(*store);
  hooks_ = std::make_unique<IncidentHooks>(*store_);
  return {};
}

Result<void> App::StartDrafts() {
  const config::SummarizerSettings& s = config_.summarizer;
  DraftServiceOptions o;
  o.auto_draft = s.auto_draft;
  o.settle_delay = std::chrono::milliseconds(s.settle_delay_ms);
  o.notify_url = s.notify_url;
  o.notify_secret = s.notify_secret;
  o.notify_timeout = std::chrono::milliseconds(s.notify_timeout_ms);
  drafts_ = std::make_unique<DraftService>(*store_, config::ToSummarizerConfig(config_), o,
                                           SystemClock::Instance());
  drafts_->Attach(*hooks_);
  metrics_.DeclareCounter("timelined_drafts_total", "Drafts stored, by result");
  metrics_.DeclareCounter("timelined_drafts_auto_total", "Automatic drafts, by outcome");
  metrics_.DeclareCounter("timelined_drafts_marked_stale_total",
                          "Times an incident's drafts were marked stale by late evidence");
  metrics_.DeclareCounter("timelined_drafts_notify_failures_total", "Draft notices that failed");
  metrics_.AddCollector([this](http::MetricsRegistry& m) {
    DraftServiceStats d = drafts_->Stats();
    m.Set("timelined_drafts_total", {{"result", "stored"}}, static_cast<double>(d.drafts_built));
    m.Set("timelined_drafts_total", {{"result", "failed"}}, static_cast<double>(d.build_failures));
    m.Set("timelined_drafts_auto_total", {{"outcome", "scheduled"}},
          static_cast<double>(d.auto_scheduled));
    m.Set("timelined_drafts_auto_total", {{"outcome", "cancelled"}},
          static_cast<double>(d.auto_cancelled));
    m.Set("timelined_drafts_marked_stale_total", {}, static_cast<double>(d.marked_stale));
    m.Set("timelined_drafts_notify_failures_total", {}, static_cast<double>(d.notify_failures));
  });
  draft_routes_.reset(new DraftRoutesContext{*store_, *drafts_, *auth_, s.regenerate_secret,
                                             s.max_clock_skew_s, SystemClock::Instance()});
  return drafts_->Start();
}

// The bearer check needs only the header: the server runs it before reading the body.
http::Handler App::Guarded(config::Scope scope, http::Handler handler) const {
  return http::Gated(
      [this, scope](const http::Request& req) -> std::optional<http::Response> {
        return BearerCheck(*auth_, scope, req);
      },
      std::move(handler));
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
    const std::string reason = NotReadyReason();
    const bool ready = reason.empty();
    nlohmann::json j{{"status", ready ? "ready" : "not_ready"},
                     {"role", RoleName(role_)},
                     {"feed", kafka_feed_ ? "kafka" : (feed_ ? "local" : "none")},
                     {"draining", draining_.load()},
                     {"stopping", stopping_.load()}};
    if (!ready) j["reason"] = reason;
    // Broker connectivity of each Kafka client (librdkafka statistics, every second).
    if (kafka_feed_) j["kafka_producer_connected"] = kafka_feed_->Ready();
    if (consumer_) j["kafka_consumer_connected"] = consumer_->Stats().broker_up;
    // Information only: readiness never depends on the cluster.
    if (kube_watch_) j["kubernetes"] = kube_watch_->StateJson();
    respond(Response::Json(ready ? 200 : 503, j.dump()));
  });
  router_.Add("GET", "/metrics", [this](Request&, Respond respond) {
    respond(Response::Text(200, metrics_.RenderPrometheus(),
                           "text/plain; version=0.0.4; charset=utf-8"));
  });
  if (store_) AddStoreRoutes();
  if (ingest_) AddIngestRoutes();
}

// Routes that read (or otherwise need) the SQLite store: absent in the ingest role.
void App::AddStoreRoutes() {
  using config::Scope;
  using http::Request;
  using http::Respond;
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
  const DraftService& ds = *drafts_;
  router_.Add("GET", "/v1/incidents/{id}/events",
              Guarded(Scope::kRead, [&st, &ds](Request& r, Respond d) {
                HandleIncidentEvents(st, ds.config(), r, std::move(d));
              }));
  AddDraftRoutes(
      router_, [this](Scope scope, http::Handler h) { return Guarded(scope, std::move(h)); },
      *draft_routes_);
  if (slack_) {
    slack_->AddRoutes(router_,
                      [this](Scope s, http::Handler h) { return Guarded(s, std::move(h)); });
  }
}

// Routes that publish to the feed (local or Kafka): absent in the store role.
void App::AddIngestRoutes() {
  using config::Scope;
  using http::Request;
  using http::Respond;
  machine_options_.log.skip_invalid_lines = config_.logs.skip_invalid_lines;
  machine_options_.log.stderr_level =
      config_.logs.stderr_level == "info" ? std::string() : config_.logs.stderr_level;
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
  router_.Add("POST", "/webhooks/pagerduty", [this](Request& r, Respond d) {
    pagerduty_->HandleWebhook(r, std::move(d));  // the signature is the authentication
  });
  router_.Add("POST", "/v1/incidents/{id}/backfill",
              Guarded(Scope::kAdmin, [this](Request& r, Respond d) {
                pagerduty_->HandleBackfill(r, std::move(d));
              }));
}

void App::AddMetricCollectors() {
  metrics_.DeclareGauge("timelined_build_info", "Build information");
  metrics_.Set("timelined_build_info", {{"version", kVersion}, {"role", RoleName(role_)}}, 1);
  metrics_.DeclareCounter("timelined_worker_exceptions_total",
                          "Exceptions caught on background worker threads, by worker (the "
                          "job is dropped or retried; the worker keeps running)");
  metrics_.AddCollector([](http::MetricsRegistry& m) {
    for (const auto& [worker, n] : WorkerExceptionCounts()) {
      m.Set("timelined_worker_exceptions_total", {{"worker", worker}}, static_cast<double>(n));
    }
  });
  if (kafka_feed_ || consumer_) AddKafkaMetricCollectors();
  if (!store_) return;  // the ingest role has no store
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
  metrics_.DeclareCounter("timelined_store_wal_checkpoints_total",
                          "WAL checkpoints, by where they ran: background (the checkpoint "
                          "thread), writer_tail (the writer copying the short tail a background "
                          "pass left), writer_hard_limit (the writer, the WAL being too big)");
  metrics_.DeclareCounter("timelined_store_wal_checkpoint_seconds_total",
                          "Time spent in WAL checkpoints, by thread (background or writer)");
  metrics_.DeclareCounter("timelined_store_wal_checkpoint_failures_total",
                          "WAL checkpoints that failed (retried later)");
  metrics_.DeclareGauge("timelined_store_wal_pages", "WAL size in pages after the last commit");
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
    m.Set("timelined_store_wal_checkpoints_total", {{"where", "background"}},
          static_cast<double>(s.checkpoints_background));
    m.Set("timelined_store_wal_checkpoints_total", {{"where", "writer_tail"}},
          static_cast<double>(s.checkpoints_tail));
    m.Set("timelined_store_wal_checkpoints_total", {{"where", "writer_hard_limit"}},
          static_cast<double>(s.checkpoints_hard_limit));
    m.Set("timelined_store_wal_checkpoint_seconds_total", {{"thread", "background"}},
          s.checkpoint_background_seconds);
    m.Set("timelined_store_wal_checkpoint_seconds_total", {{"thread", "writer"}},
          s.checkpoint_writer_seconds);
    m.Set("timelined_store_wal_checkpoint_failures_total", {},
          static_cast<double>(s.checkpoint_failures));
    m.Set("timelined_store_wal_pages", {}, static_cast<double>(s.wal_pages));
    m.SetHistogram("timelined_store_batch_events", {}, s.batch_size_buckets,
                   static_cast<double>(s.batch_size_sum));
    m.SetHistogram("timelined_store_commit_seconds", {}, s.commit_latency_buckets,
                   s.commit_latency_sum_seconds);
  });
}

void App::AddKafkaMetricCollectors() {
  auto& m = metrics_;
  m.DeclareGauge("timelined_kafka_broker_up",
                 "1 when the Kafka client has a broker connection up (client=producer|consumer)");
  if (kafka_feed_) {
    m.DeclareGauge("timelined_kafka_produce_queue_depth",
                   "Events produced to Kafka whose delivery report is pending");
    m.DeclareCounter("timelined_kafka_delivered_total", "Events acknowledged by Kafka");
    m.DeclareCounter("timelined_kafka_delivery_errors_total", "Events whose delivery failed");
    m.DeclareCounter("timelined_kafka_batches_rejected_total",
                     "Publishes refused because the produce queue was full (503)");
    m.AddCollector([this](http::MetricsRegistry& r) {
      store::KafkaFeedStats s = kafka_feed_->Stats();
      r.Set("timelined_kafka_broker_up", {{"client", "producer"}}, s.ready ? 1 : 0);
      r.Set("timelined_kafka_produce_queue_depth", {}, static_cast<double>(s.in_flight));
      r.Set("timelined_kafka_delivered_total", {}, static_cast<double>(s.delivered));
      r.Set("timelined_kafka_delivery_errors_total", {}, static_cast<double>(s.delivery_errors));
      r.Set("timelined_kafka_batches_rejected_total", {}, static_cast<double>(s.batches_rejected));
    });
  }
  if (consumer_) {
    m.DeclareCounter("timelined_kafka_consumer_batches_committed_total",
                     "Consumed batches stored in SQLite whose offsets were committed");
    m.DeclareCounter("timelined_kafka_consumer_events_inserted_total",
                     "Consumed events newly stored");
    m.DeclareCounter("timelined_kafka_consumer_events_duplicate_total",
                     "Consumed events already stored (redelivery)");
    m.DeclareCounter("timelined_kafka_dlq_messages_total",
                     "Undecodable messages produced to the dead-letter topic");
    m.DeclareCounter("timelined_kafka_consumer_failures_total",
                     "Failures the consumer retried (kind=store|dlq|commit|consumer)");
    m.DeclareCounter("timelined_kafka_consumer_rebalances_total",
                     "Partition assignments and "
                     "revocations served");
    m.DeclareGauge("timelined_kafka_consumer_lag",
                   "High watermark minus committed offset, per assigned partition (0 once the "
                   "partition is no longer assigned here)");
    m.AddCollector([this, reported = std::set<std::pair<std::string, int32_t>>()](
                       http::MetricsRegistry& r) mutable {
      store::StoreConsumerStats s = consumer_->Stats();
      r.Set("timelined_kafka_broker_up", {{"client", "consumer"}}, s.broker_up ? 1 : 0);
      r.Set("timelined_kafka_consumer_batches_committed_total", {},
            static_cast<double>(s.batches_committed));
      r.Set("timelined_kafka_consumer_events_inserted_total", {},
            static_cast<double>(s.events_inserted));
      r.Set("timelined_kafka_consumer_events_duplicate_total", {},
            static_cast<double>(s.events_duplicate));
      r.Set("timelined_kafka_dlq_messages_total", {}, static_cast<double>(s.dlq_messages));
      r.Set("timelined_kafka_consumer_failures_total", {{"kind", "store"}},
            static_cast<double>(s.store_failures));
      r.Set("timelined_kafka_consumer_failures_total", {{"kind", "dlq"}},
            static_cast<double>(s.dlq_failures));
      r.Set("timelined_kafka_consumer_failures_total", {{"kind", "commit"}},
            static_cast<double>(s.commit_failures));
      r.Set("timelined_kafka_consumer_failures_total", {{"kind", "consumer"}},
            static_cast<double>(s.consumer_errors));
      r.Set("timelined_kafka_consumer_rebalances_total", {}, static_cast<double>(s.rebalances));
      std::set<std::pair<std::string, int32_t>> now;
      for (const store::PartitionLag& p : s.partitions) {
        now.emplace(p.topic, p.partition);
        r.Set("timelined_kafka_consumer_lag",
              {{"topic", p.topic}, {"partition", std::to_string(p.partition)}},
              static_cast<double>(std::max<int64_t>(p.lag, 0)));
      }
      for (const auto& [topic, partition] : reported) {
        if (!now.contains({topic, partition}))
          r.Set("timelined_kafka_consumer_lag",
                {{"topic", topic}, {"partition", std::to_string(partition)}}, 0);
      }
      reported.merge(now);
    });
  }
}

// Counters alerted on with increase() must exist before their first increment, or the first
// failure is invisible to the alert (issue 17): every label set knowable now is exported at
// 0. Components export their own fixed label sets (signature failure reasons, backfill
// results); what depends on this process's sources and workers is here. The per-route HTTP
// series are added in Start (the server declares that family).
void App::ExportCountersAtZero() {
  if (ingest_) {
    std::vector<std::string> sources = {"api", "log", "loki", "kubernetes"};
    if (!config_.pagerduty.subscriptions.empty()) sources.push_back("pagerduty");
    if (!config_.pagerduty.api_token.empty()) sources.push_back("pagerduty_backfill");
    if (slack_) sources.push_back("slack");
    for (const std::string& source : sources) {
      for (const char* outcome : {"inserted", "duplicate"}) {
        metrics_.Add("timelined_ingest_events_total", {{"source", source}, {"outcome", outcome}},
                     0);
      }
      metrics_.Add("timelined_ingest_redactions_total", {{"source", source}}, 0);
      // IngestPipeline's reasons: a rejected event, no answer in time, the feed's error code.
      for (const char* reason :
           {"invalid_event", "timeout", "unavailable", "exhausted", "internal"}) {
        metrics_.Add("timelined_ingest_publish_failures_total",
                     {{"source", source}, {"reason", reason}}, 0);
      }
    }
  }
  std::vector<std::string> workers;  // kubernetes_watch: KubeWatch's collector sets its own
  if (drafts_) workers.push_back("drafts");
  if (pagerduty_ && !config_.pagerduty.api_token.empty()) workers.push_back("pagerduty_backfill");
  if (slack_ && config_.slack.backfill_enabled()) workers.push_back("slack_backfill");
  for (const std::string& w : workers) {
    metrics_.Add("timelined_worker_exceptions_total", {{"worker", w}}, 0);
  }
}

std::string App::NotReadyReason() const {
  if (stopping_) return "stopping";
  if (draining_) return "draining";
  if (feed_ && !feed_->Ready()) return "feed_not_ready";
  if (consumer_ && !consumer_->Stats().broker_up) return "kafka_consumer_disconnected";
  return "";
}

void App::BeginDrain() { draining_ = true; }

Result<uint16_t> App::Start() {
  if (consumer_) {
    if (auto r = consumer_->Start(); !r) return std::unexpected(r.error());
  }
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
  o.anonymous_idle_timeout = std::chrono::milliseconds(config_.server.anonymous_idle_timeout_ms);
  o.max_inflight_body_bytes = config_.server.max_inflight_body_bytes;
  server_ = std::make_unique<http::HttpServer>(o, router_, metrics_);
  // The 5xx a route can answer by design (not durable in time, server busy) at 0 per route,
  // so the error-ratio alert has its series before the first one.
  for (const auto& [method, pattern] : router_.Routes()) {
    metrics_.Add("timelined_http_requests_total",
                 {{"route", pattern}, {"method", method}, {"status", "503"}}, 0);
  }
  auto port = server_->Start();
  if (!port) return port;
  if (kube_watch_) {
    if (auto w = kube_watch_->Start(); !w) return std::unexpected(w.error());
    spdlog::info("[src=kubernetes] watching events on {}", kube_watch_->server());
  }
  if (!config_.server.ready_file.empty()) {
    if (auto w = WriteFileAtomically(config_.server.ready_file, std::to_string(*port) + "\n"); !w) {
      return std::unexpected(w.error());
    }
  }
  return port;
}

void App::Stop() {
  draining_ = true;
  if (stopping_.exchange(true)) return;
  if (kube_watch_) kube_watch_->Stop();  // its sink needs the feed: stop it first
  if (server_) server_->Stop(std::chrono::milliseconds(config_.server.shutdown_grace_ms));
  // The store consumer writes its last batch and commits it, then leaves the group.
  if (consumer_) consumer_->Stop();
  if (pagerduty_) pagerduty_->Stop();
  if (slack_) slack_->Stop();    // backfills publish through the feed: stop them first
  if (drafts_) drafts_->Stop();  // finishes the draft in progress; pending auto drafts wait
  if (store_) store_->Close();
}

int Serve(config::Config config, Role role) {
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto app = App::Create(std::move(config), role);
  if (!app) {
    spdlog::error("cannot start: {}: {}", app.error().message, app.error().detail);
    return 1;
  }
  const config::Config& c = (*app)->config();
  auto port = (*app)->Start();
  if (!port) {
    spdlog::error("cannot start on {}: {}: {}", c.server.listen, port.error().message,
                  port.error().detail);
    return 1;
  }
  auto host = config::ParseListen(c.server.listen)->first;
  const App& a = **app;
  std::string what = std::string("role ") + RoleName(role);
  if (a.has_store()) what += ", store " + c.store.path;
  if (!c.kafka.brokers.empty())
    what += ", kafka topic " + c.kafka.topic + " via " + c.kafka.brokers;
  if (a.has_ingest() && c.kafka.brokers.empty()) what += ", feed local";
  spdlog::info("timelined {} listening on http://{}:{} ({})", kVersion,
               host.find(':') != std::string::npos ? "[" + host + "]" : host, *port, what);
  if (c.tokens.empty()) {
    spdlog::warn("no [[auth.tokens]] configured: loopback clients are served without a token");
  }
  int sig = 0;
  sigwait(&signals, &sig);
  const int drain_ms = c.server.drain_ms;
  (*app)->BeginDrain();
  if (drain_ms > 0) {
    // Still serving everything; only /readyz says 503, so balancers stop sending here before
    // the listener closes. A second signal cuts the drain short.
    spdlog::info("received {}: draining for {} ms (/readyz answers 503, requests still served)",
                 SignalName(sig), drain_ms);
    if (WaitForSignal(signals, std::chrono::milliseconds(drain_ms), &sig)) {
      spdlog::info("received {} while draining: stopping now", SignalName(sig));
    }
  } else {
    spdlog::info("received {} (server.drain_ms = 0)", SignalName(sig));
  }
  spdlog::info(
      "stopping: listener closed, finishing in-flight requests (up to {} ms) and "
      "flushing the writer",
      c.server.shutdown_grace_ms);
  (*app)->Stop();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace timelined::daemon
