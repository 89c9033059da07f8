#include "daemon/sources/logs/logs_source.h"

#include "daemon/sources/logs/log_routes.h"

namespace timelined::daemon {
namespace {

class LogsSource final : public Source {
 public:
  LogsSource(const config::LogsConfig& config, IngestPipeline& ingest, const Clock& clock)
      : ingest_(ingest), clock_(clock) {
    options_.log.skip_invalid_lines = config.skip_invalid_lines;
    options_.log.stderr_level = config.stderr_level == "info" ? std::string() : config.stderr_level;
    options_.max_decompressed_bytes = config.max_decompressed_bytes;
  }

  void AddRoutes(http::Router& router, const GuardFn& guard) override {
    using http::Request;
    using http::Respond;
    router.Add("POST", "/ingest/logs", guard(config::Scope::kIngest, [this](Request& r, Respond d) {
                 HandleIngestLogs(ingest_, options_, clock_, r, std::move(d));
               }));
    router.Add("POST", "/loki/api/v1/push",
               guard(config::Scope::kIngest, [this](Request& r, Respond d) {
                 HandleLokiPush(ingest_, options_, clock_, r, std::move(d));
               }));
    // OTLP/HTTP's default logs path, and the one an exporter whose endpoint ends in /otlp
    // (as for Loki's OTLP endpoint) posts to.
    for (const char* path : {"/v1/logs", "/otlp/v1/logs"}) {
      router.Add("POST", path, guard(config::Scope::kIngest, [this](Request& r, Respond d) {
                   HandleOtlpLogs(ingest_, options_, clock_, r, std::move(d));
                 }));
    }
  }
  std::vector<std::string> IngestSources() const override { return {"log", "loki", "otlp"}; }

 private:
  IngestPipeline& ingest_;
  const Clock& clock_;
  MachineIngestOptions options_;
};

}  // namespace

Result<std::unique_ptr<Source>> MakeLogsSource(const config::Config& config,
                                               const SourceContext& context) {
  if (context.ingest == nullptr) return std::unique_ptr<Source>();
  return std::make_unique<LogsSource>(config.logs, *context.ingest, context.clock);
}

}  // namespace timelined::daemon
