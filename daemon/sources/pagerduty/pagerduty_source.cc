#include "daemon/sources/pagerduty/pagerduty_source.h"

#include "daemon/sources/pagerduty/webhooks_pagerduty.h"

namespace timelined::daemon {
namespace {

class PagerDutySource final : public Source {
 public:
  PagerDutySource(const config::PagerDutyConfig& config,
                  std::unique_ptr<PagerDutyEndpoints> endpoints)
      : config_(config), endpoints_(std::move(endpoints)) {}

  void AddRoutes(http::Router& router, const GuardFn& guard) override {
    using http::Request;
    using http::Respond;
    router.Add("POST", "/webhooks/pagerduty", [this](Request& r, Respond d) {
      endpoints_->HandleWebhook(r, std::move(d));  // the signature is the authentication
    });
    router.Add("POST", "/v1/incidents/{id}/backfill",
               guard(config::Scope::kAdmin, [this](Request& r, Respond d) {
                 endpoints_->HandleBackfill(r, std::move(d));
               }));
  }
  std::vector<std::string> IngestSources() const override {
    std::vector<std::string> sources;
    if (!config_.subscriptions.empty()) sources.push_back("pagerduty");
    if (!config_.api_token.empty()) sources.push_back("pagerduty_backfill");
    return sources;
  }
  std::vector<std::string> Workers() const override {
    if (config_.api_token.empty()) return {};
    return {"pagerduty_backfill"};
  }
  void Stop() override { endpoints_->Stop(); }

 private:
  const config::PagerDutyConfig& config_;
  std::unique_ptr<PagerDutyEndpoints> endpoints_;
};

}  // namespace

Result<std::unique_ptr<Source>> MakePagerDutySource(const config::Config& config,
                                                    const SourceContext& context) {
  if (context.ingest == nullptr) return std::unique_ptr<Source>();
  auto endpoints = PagerDutyEndpoints::Create(config.pagerduty, *context.ingest, context.metrics,
                                              context.hooks, context.clock);
  if (!endpoints) return std::unexpected(endpoints.error());
  return std::make_unique<PagerDutySource>(config.pagerduty, std::move(*endpoints));
}

}  // namespace timelined::daemon
