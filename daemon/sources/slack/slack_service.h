#pragma once
// SlackService: everything the daemon runs for Slack (issue 3), built from [slack]:
// the bindings cache (SlackBindings), the thread backfill worker (when slack.bot_token is
// set), the user names worker (bot token and user_names), the Events API webhook and the
// bindings API. SlackSource (slack_source.h) owns one.
#include <functional>
#include <memory>

#include "daemon/config/config.h"
#include "daemon/http/metrics.h"
#include "daemon/http/router.h"
#include "daemon/ingest/pipeline.h"
#include "daemon/sources/slack/slack_backfill_worker.h"
#include "daemon/sources/slack/slack_bindings.h"
#include "daemon/sources/slack/slack_user_names.h"
#include "daemon/sources/slack/webhooks_slack.h"
#include "store/sqlite_store.h"

namespace timelined::daemon {

class SlackService {
 public:
  // Loads the bindings from the store; builds the backfill worker when a bot token is set.
  static Result<std::unique_ptr<SlackService>> Create(const config::SlackConfig& config,
                                                      store::SqliteEventStore& store,
                                                      IngestPipeline& ingest,
                                                      http::MetricsRegistry& metrics);

  using Guard = std::function<http::Handler(config::Scope, http::Handler)>;
  // POST /webhooks/slack (signature-verified, no token), POST /v1/incidents/{id}/bindings
  // (admin) and GET /v1/incidents/{id}/bindings (read).
  void AddRoutes(http::Router& router, const Guard& guarded);

  // Stops the backfill and user names workers (queued jobs fail with "stopping"). Before the
  // store closes.
  void Stop();

  SlackBindings& bindings() { return *bindings_; }

 private:
  SlackService() = default;

  store::SqliteEventStore* store_ = nullptr;
  std::unique_ptr<SlackBindings> bindings_;
  std::unique_ptr<SlackUserNames> names_;            // null without a bot token or user_names
  std::unique_ptr<SlackThreadBackfiller> backfill_;  // null without a bot token
  std::unique_ptr<SlackWebhook> webhook_;
};

}  // namespace timelined::daemon
