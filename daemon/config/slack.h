#pragma once
// [slack]: Events API signing secret, workspace URL, bot token and base URL for thread backfill,
// channel bindings (issue 3). The struct is a member of config::Config; its keys are declared in
// slack.cc (SlackKeys) and cross-checked by ValidateSlack.

namespace timelined::config {

struct SlackConfig {};

}  // namespace timelined::config
