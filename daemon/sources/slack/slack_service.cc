#include "daemon/sources/slack/slack_service.h"

#include <spdlog/spdlog.h>

#include "daemon/sources/slack/routes_bindings.h"

namespace timelined::daemon {

Result<std::unique_ptr<SlackService>> SlackService::Create(const config::SlackConfig& config,
                                                           store::SqliteEventStore& store,
                                                           IngestPipeline& ingest,
                                                           http::MetricsRegistry& metrics) {
  std::unique_ptr<SlackService> s(new SlackService());
  s->store_ = &store;
  s->bindings_ = std::make_unique<SlackBindings>(store, config.channels);
  if (auto r = s->bindings_->Load(); !r) return std::unexpected(r.error());
  if (config.user_names_enabled()) {
    auto n = SlackUserNames::Create(config, store, ingest, metrics);
    if (!n) return std::unexpected(n.error());
    s->names_ = std::move(*n);
  }
  if (config.backfill_enabled()) {
    auto b = SlackThreadBackfiller::Create(config, ingest, metrics, s->names_.get());
    if (!b) return std::unexpected(b.error());
    s->backfill_ = std::move(*b);
  }
  if (config.webhook_enabled()) {
    spdlog::info(
        "[src=slack] Events API webhook on POST /webhooks/slack; thread backfill {}; user "
        "names {}; {} incident channel(s)",
        s->backfill_ ? "on" : "off (no slack.bot_token)",
        s->names_                  ? "on"
        : config.bot_token.empty() ? "off (no slack.bot_token)"
                                   : "off (slack.user_names = false)",
        config.channels.size());
  }
  s->webhook_ = std::make_unique<SlackWebhook>(config, ingest, *s->bindings_, s->backfill_.get(),
                                               s->names_.get(), metrics, SystemClock::Instance());
  return s;
}

void SlackService::AddRoutes(http::Router& router, const Guard& guarded) {
  using http::Request;
  using http::Respond;
  router.Add("POST", "/webhooks/slack",
             [this](Request& r, Respond d) { webhook_->Handle(r, std::move(d)); });
  router.Add("POST", "/v1/incidents/{id}/bindings",
             guarded(config::Scope::kAdmin, [this](Request& r, Respond d) {
               BindingRouteDeps deps{*store_, *bindings_, backfill_.get(),
                                     [this] { return webhook_->last_team(); }};
               HandleAddBinding(deps, r, std::move(d));
             }));
  router.Add("GET", "/v1/incidents/{id}/bindings",
             guarded(config::Scope::kRead, [this](Request& r, const Respond& d) {
               HandleListBindings(*store_, backfill_.get(), r, d);
             }));
}

void SlackService::Stop() {
  if (backfill_) backfill_->Stop();
  if (names_) names_->Stop();
}

}  // namespace timelined::daemon
