#include "daemon/sources/kubernetes/kube_watch.h"

#include <spdlog/spdlog.h>

namespace timelined::daemon {
namespace {

namespace k8s = connectors::kubernetes;

Result<k8s::KubeCredentials> ResolveCredentials(const config::KubernetesConfig& c) {
  if (c.credentials == "in_cluster") {
    auto creds = k8s::InClusterCredentials();
    if (!creds) {
      return MakeError(creds.error().code, "kubernetes_credentials",
                       "[kubernetes] credentials = \"in_cluster\": " + creds.error().message +
                           (creds.error().detail.empty() ? "" : ": " + creds.error().detail) +
                           " (outside a pod use credentials = \"kubeconfig\")");
    }
    return creds;
  }
  const std::string path = c.kubeconfig.empty() ? k8s::DefaultKubeconfigPath() : c.kubeconfig;
  auto creds = k8s::KubeconfigCredentials(path, c.context);
  if (!creds) {
    return MakeError(creds.error().code, "kubernetes_credentials",
                     "[kubernetes] kubeconfig " + path +
                         (c.context.empty() ? "" : " context " + c.context) + ": " +
                         creds.error().message +
                         (creds.error().detail.empty() ? "" : ": " + creds.error().detail));
  }
  if (c.insecure_skip_tls_verify) creds->insecure_skip_verify = true;
  return creds;
}

}  // namespace

Result<std::unique_ptr<KubeWatch>> KubeWatch::Create(const config::KubernetesConfig& config,
                                                     IngestPipeline& ingest, const Clock& clock) {
  auto creds = ResolveCredentials(config);
  if (!creds) return std::unexpected(creds.error());
  // Fail now, with the reason, on a bad server URL, CA or client certificate (the watcher
  // would otherwise only log it from its thread).
  if (auto client = k8s::MakeApiClient(*creds); !client) {
    return MakeError(client.error().code, "kubernetes_credentials",
                     "[kubernetes] " + creds->server + ": " + client.error().message +
                         (client.error().detail.empty() ? "" : ": " + client.error().detail));
  }
  if (creds->insecure_skip_verify) {
    spdlog::warn("[src=kubernetes] TLS verification of {} is OFF (insecure_skip_tls_verify)",
                 creds->server);
  }
  std::unique_ptr<KubeWatch> w(new KubeWatch(ingest, clock));
  w->server_ = creds->server;
  k8s::WatchOptions o;
  o.namespace_name = config.namespace_name;
  o.label_selector = config.label_selector;
  o.field_selector = config.field_selector;
  o.events_k8s_io = config.api == "events.k8s.io/v1";
  o.timeout_seconds = config.watch_timeout_seconds;
  o.backoff_base = std::chrono::milliseconds(config.backoff_base_ms);
  o.backoff_cap = std::chrono::milliseconds(config.backoff_cap_ms);
  KubeWatch* self = w.get();
  w->watcher_ = std::make_unique<k8s::Watcher>(
      std::move(*creds), std::move(o),
      [self](std::vector<Event> events) { return self->Sink(std::move(events)); }, clock);
  return w;
}

KubeWatch::~KubeWatch() { Stop(); }

Result<void> KubeWatch::Sink(std::vector<Event> events) {
  const size_t n = events.size();
  received_ += n;
  auto outcome = ingest_.SubmitAndWait("kubernetes", std::move(events));
  if (!outcome) return std::unexpected(outcome.error());
  published_ += n;
  inserted_ += outcome->inserted;
  return {};
}

Result<void> KubeWatch::Start() { return watcher_->Start(); }

void KubeWatch::Stop() {
  if (watcher_) watcher_->Stop();
}

nlohmann::json KubeWatch::StateJson() const {
  const k8s::WatchStats& s = watcher_->stats();
  return {{"server", server_},
          {"connected", s.connected.load()},
          {"reconnects", s.reconnects.load()},
          {"relists", s.relists.load()},
          {"events_published", published_.load()},
          {"resource_version", s.last_rv()}};
}

void KubeWatch::AddMetrics(http::MetricsRegistry& metrics) {
  metrics.DeclareGauge("timelined_kubernetes_watch_connected",
                       "1 while a watch stream on the API server is open");
  metrics.DeclareCounter("timelined_kubernetes_watch_reconnects_total",
                         "Watch streams opened after the first (resumed from the last RV)");
  metrics.DeclareCounter("timelined_kubernetes_watch_relists_total",
                         "LISTs after the first (410 Expired, ERROR objects)");
  metrics.DeclareCounter("timelined_kubernetes_watch_errors_total",
                         "Failed requests, ERROR objects and sink failures (each retried)");
  metrics.DeclareCounter("timelined_kubernetes_invalid_objects_total",
                         "Event objects the parser rejected (skipped)");
  metrics.DeclareCounter("timelined_kubernetes_events_received_total",
                         "Event occurrences handed to the store by the watcher (retries again)");
  metrics.DeclareCounter("timelined_kubernetes_events_published_total",
                         "Event occurrences durable in the store (new or already stored)");
  metrics.DeclareCounter("timelined_kubernetes_events_inserted_total",
                         "Event occurrences newly stored");
  metrics.DeclareGauge("timelined_kubernetes_resource_version_age_seconds",
                       "Seconds since the watch's resourceVersion last advanced (-1: never)");
  metrics.DeclareCounter("timelined_worker_exceptions_total",
                         "Exceptions caught on background worker threads, by worker (the "
                         "job is dropped or retried; the worker keeps running)");
  metrics.AddCollector([this](http::MetricsRegistry& m) {
    const k8s::WatchStats& s = watcher_->stats();
    m.Set("timelined_worker_exceptions_total", {{"worker", "kubernetes_watch"}},
          static_cast<double>(s.exceptions));
    m.Set("timelined_kubernetes_watch_connected", {}, s.connected ? 1 : 0);
    m.Set("timelined_kubernetes_watch_reconnects_total", {}, static_cast<double>(s.reconnects));
    m.Set("timelined_kubernetes_watch_relists_total", {}, static_cast<double>(s.relists));
    m.Set("timelined_kubernetes_watch_errors_total", {}, static_cast<double>(s.errors));
    m.Set("timelined_kubernetes_invalid_objects_total", {}, static_cast<double>(s.invalid_objects));
    m.Set("timelined_kubernetes_events_received_total", {}, static_cast<double>(received_));
    m.Set("timelined_kubernetes_events_published_total", {}, static_cast<double>(published_));
    m.Set("timelined_kubernetes_events_inserted_total", {}, static_cast<double>(inserted_));
    const int64_t at = s.last_rv_at_ns;
    m.Set("timelined_kubernetes_resource_version_age_seconds", {},
          at == 0 ? -1.0 : static_cast<double>(clock_.Now() - at) / 1e9);
  });
}

}  // namespace timelined::daemon
