#include "daemon/config/config.h"
#include "daemon/config/section_keys.h"

namespace timelined::config {

std::vector<keys::KeySpec<Config>> PagerDutyKeys() { return {}; }

Result<void> ValidatePagerDuty(const Config&) { return {}; }

}  // namespace timelined::config
