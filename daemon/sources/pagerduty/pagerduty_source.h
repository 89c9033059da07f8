#pragma once
// The PagerDuty source (PagerDutyEndpoints, webhooks_pagerduty.h): POST /webhooks/pagerduty
// (not bearer-guarded: the signature authenticates it; source label "pagerduty") and
// POST /v1/incidents/{id}/backfill (scope admin; "pagerduty_backfill"), built from
// [pagerduty]. Runs wherever there is a feed.
#include "daemon/sources/source.h"

namespace timelined::daemon {

// Null without an IngestPipeline (the store role); an error as PagerDutyEndpoints::Create.
Result<std::unique_ptr<Source>> MakePagerDutySource(const config::Config& config,
                                                    const SourceContext& context);

}  // namespace timelined::daemon
