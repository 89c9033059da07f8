#pragma once
// KubeWatch: the [kubernetes] watcher inside `timelined serve`. Resolves credentials from
// the config, runs a connectors::kubernetes::Watcher whose sink publishes each batch through
// the IngestPipeline (redacted, source "kubernetes") and returns only once the batch is
// durable — so the watcher's resourceVersion never moves past an event that is not stored —
// and exposes the watch state on /metrics and /readyz.
//
// Failure policy: configuration and credential problems found at Create (not in a pod, no
// kubeconfig, missing context/user, exec-plugin users, bad CA or client certificate, bad
// server URL) are errors, and `serve` exits non-zero with the reason: they do not fix
// themselves. Everything that can (API server unreachable, 401/403, 5xx, 410, a store that
// is not durable in time) is retried by the watcher with capped back-off, logged once per
// failure, counted in timelined_kubernetes_watch_errors_total; /readyz does not depend on it.
//
// Threading: Start/Stop from the owner's thread; the sink runs on the watcher's thread;
// the metrics collector and StateJson read atomics from any thread.
#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>

#include "connectors/kubernetes/watcher.h"
#include "daemon/config/kubernetes.h"
#include "daemon/http/metrics.h"
#include "daemon/ingest/pipeline.h"
#include "store/model/time.h"

namespace timelined::daemon {

class KubeWatch {
 public:
  // Errors: kInvalidInput / kNotFound / kUnavailable naming what is wrong (file, env var,
  // context) — never a token or key.
  static Result<std::unique_ptr<KubeWatch>> Create(const config::KubernetesConfig& config,
                                                   IngestPipeline& ingest,
                                                   const Clock& clock = SystemClock::Instance());
  ~KubeWatch();  // Stop()

  // Declares the timelined_kubernetes_* metrics and a collector reading the watcher's stats.
  void AddMetrics(http::MetricsRegistry& metrics);
  // Starts the watcher thread. Errors: as Watcher::Start.
  Result<void> Start();
  // Idempotent; waits for a sink call in progress (at most the publish timeout).
  void Stop();
  // {"connected":…, "reconnects":…, "relists":…, "resource_version":…} for /readyz.
  nlohmann::json StateJson() const;
  // The API server URL (for the startup log line).
  const std::string& server() const { return server_; }

 private:
  KubeWatch(IngestPipeline& ingest, const Clock& clock) : ingest_(ingest), clock_(clock) {}
  Result<void> Sink(std::vector<Event> events);

  IngestPipeline& ingest_;
  const Clock& clock_;
  std::string server_;
  std::atomic<uint64_t> received_{0};   // events handed to the sink (a retried batch again)
  std::atomic<uint64_t> published_{0};  // events durable (inserted or already stored)
  std::atomic<uint64_t> inserted_{0};   // of which newly stored
  std::unique_ptr<connectors::kubernetes::Watcher> watcher_;
};

}  // namespace timelined::daemon
