#include "daemon/config/config.h"
#include "daemon/config/section_keys.h"

namespace timelined::config {

std::vector<keys::KeySpec<Config>> SlackKeys() { return {}; }

Result<void> ValidateSlack(const Config&) { return {}; }

}  // namespace timelined::config
