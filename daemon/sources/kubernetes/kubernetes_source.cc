#include "daemon/sources/kubernetes/kubernetes_source.h"

#include <spdlog/spdlog.h>

#include "connectors/kubernetes/kubectl_import.h"
#include "daemon/ingest/body.h"
#include "daemon/sources/kubernetes/kube_watch.h"

namespace timelined::daemon {
namespace {

class KubernetesSource final : public Source {
 public:
  KubernetesSource(IngestPipeline& ingest, size_t max_decompressed_bytes, const Clock& clock,
                   std::unique_ptr<KubeWatch> watch)
      : ingest_(ingest),
        max_decompressed_bytes_(max_decompressed_bytes),
        clock_(clock),
        watch_(std::move(watch)) {}

  void AddRoutes(http::Router& router, const GuardFn& guard) override {
    router.Add("POST", "/ingest/kubernetes",
               guard(config::Scope::kIngest, [this](http::Request& r, http::Respond d) {
                 HandleIngestKubernetes(ingest_, max_decompressed_bytes_, clock_, r, std::move(d));
               }));
  }
  void AddMetrics(http::MetricsRegistry& metrics) override {
    if (watch_) watch_->AddMetrics(metrics);
  }
  std::vector<std::string> IngestSources() const override { return {"kubernetes"}; }
  Result<void> Start() override {
    if (!watch_) return {};
    if (auto w = watch_->Start(); !w) return std::unexpected(w.error());
    spdlog::info("[src=kubernetes] watching events on {}", watch_->server());
    return {};
  }
  // The watcher's sink needs the feed: it stops first.
  void StopIntake() override {
    if (watch_) watch_->Stop();
  }
  void AddReadyzState(nlohmann::json& readyz) const override {
    if (watch_) readyz["kubernetes"] = watch_->StateJson();
  }

 private:
  IngestPipeline& ingest_;
  const size_t max_decompressed_bytes_;
  const Clock& clock_;
  std::unique_ptr<KubeWatch> watch_;  // null unless [kubernetes] enabled
};

}  // namespace

void HandleIngestKubernetes(IngestPipeline& ingest, size_t max_decompressed_bytes,
                            const Clock& clock, http::Request& req, http::Respond respond) {
  auto body = DecodedBody(req, max_decompressed_bytes);
  if (!body) return respond(IngestErrorResponse(body.error()));
  auto events = connectors::kubernetes::ParseKubectlJson(*body, clock.Now());
  if (!events) return respond(IngestErrorResponse(events.error()));
  ingest.SubmitAndRespond("kubernetes", std::move(*events), std::move(respond), IngestOkJson(0));
}

Result<std::unique_ptr<Source>> MakeKubernetesSource(const config::Config& config,
                                                     const SourceContext& context) {
  if (context.ingest == nullptr) return std::unique_ptr<Source>();
  std::unique_ptr<KubeWatch> watch;
  if (config.kubernetes.enabled) {
    auto kw = KubeWatch::Create(config.kubernetes, *context.ingest, context.clock);
    if (!kw) return std::unexpected(kw.error());
    watch = std::move(*kw);
  }
  return std::make_unique<KubernetesSource>(*context.ingest, config.logs.max_decompressed_bytes,
                                            context.clock, std::move(watch));
}

}  // namespace timelined::daemon
