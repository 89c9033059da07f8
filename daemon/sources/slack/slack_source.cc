#include "daemon/sources/slack/slack_source.h"

#include "daemon/sources/slack/slack_service.h"

namespace timelined::daemon {
namespace {

class SlackSource final : public Source {
 public:
  SlackSource(const config::SlackConfig& config, std::unique_ptr<SlackService> service)
      : config_(config), service_(std::move(service)) {}

  void AddRoutes(http::Router& router, const GuardFn& guard) override {
    service_->AddRoutes(router, guard);
  }
  std::vector<std::string> IngestSources() const override { return {"slack"}; }
  std::vector<std::string> Workers() const override {
    std::vector<std::string> workers;
    if (config_.backfill_enabled()) workers.emplace_back("slack_backfill");
    if (config_.user_names_enabled()) workers.emplace_back("slack_user_names");
    return workers;
  }
  void Stop() override { service_->Stop(); }

 private:
  const config::SlackConfig& config_;
  std::unique_ptr<SlackService> service_;
};

}  // namespace

Result<std::unique_ptr<Source>> MakeSlackSource(const config::Config& config,
                                                const SourceContext& context) {
  if (context.ingest == nullptr || context.store == nullptr) return std::unique_ptr<Source>();
  auto service =
      SlackService::Create(config.slack, *context.store, *context.ingest, context.metrics);
  if (!service) return std::unexpected(service.error());
  return std::make_unique<SlackSource>(config.slack, std::move(*service));
}

}  // namespace timelined::daemon
