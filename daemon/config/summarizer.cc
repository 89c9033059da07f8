#include "daemon/config/config.h"
#include "daemon/config/section_keys.h"

namespace timelined::config {

std::vector<keys::KeySpec<Config>> SummarizerKeys() { return {}; }

Result<void> ValidateSummarizer(const Config&) { return {}; }

}  // namespace timelined::config
