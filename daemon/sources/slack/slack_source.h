#pragma once
// The Slack source (SlackService, slack_service.h): POST /webhooks/slack (not bearer-guarded:
// the signature authenticates it; source label "slack"), POST /v1/incidents/{id}/bindings
// (scope admin) and GET /v1/incidents/{id}/bindings (scope read), and the thread backfill
// worker, built from [slack]. Bindings are resolved against the store at ingest, so it runs
// only where there are both a feed and the store (role all).
#include "daemon/sources/source.h"

namespace timelined::daemon {

// Null without an IngestPipeline or without the store; an error as SlackService::Create.
Result<std::unique_ptr<Source>> MakeSlackSource(const config::Config& config,
                                                const SourceContext& context);

}  // namespace timelined::daemon
