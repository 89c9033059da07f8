#pragma once
// [pagerduty]: V3 webhook subscriptions and secrets, REST API token and base URL for backfill
// (issue 3). The struct is a member of config::Config; its keys are declared in pagerduty.cc
// (PagerDutyKeys) and cross-checked by ValidatePagerDuty.

namespace timelined::config {

struct PagerDutyConfig {};

}  // namespace timelined::config
