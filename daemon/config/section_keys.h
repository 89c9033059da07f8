#pragma once
// The key tables of the optional sections, one file each (pagerduty.cc, slack.cc, ...), so
// that a section's keys, defaults and checks live beside each other. config.cc appends them
// to the core table and calls every Validate* from ValidateConfig.
#include <type_traits>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/config/key_table.h"

namespace timelined::config {

// Field(&Config::server, &ServerConfig::threads): a Config& -> int& accessor. The member
// may belong to a base of the section (ServerConfig's http::ServerOptions fields).
template <typename S, typename B, typename M>
requires std::is_base_of_v<B, S>
auto Field(S Config::*section, M B::*member) {
  return [section, member](Config& c) -> M& { return (c.*section).*member; };
}

std::vector<keys::KeySpec<Config>> PagerDutyKeys();
Result<void> ValidatePagerDuty(const Config& c);
std::vector<keys::KeySpec<Config>> SlackKeys();
Result<void> ValidateSlack(const Config& c);
std::vector<keys::KeySpec<Config>> KubernetesKeys();
Result<void> ValidateKubernetes(const Config& c);
std::vector<keys::KeySpec<Config>> KafkaKeys();
Result<void> ValidateKafka(const Config& c);
std::vector<keys::KeySpec<Config>> SummarizerKeys();
Result<void> ValidateSummarizer(const Config& c);

}  // namespace timelined::config
