#include "daemon/config/config.h"
#include "daemon/config/section_keys.h"

namespace timelined::config {

std::vector<keys::KeySpec<Config>> KafkaKeys() { return {}; }

Result<void> ValidateKafka(const Config&) { return {}; }

}  // namespace timelined::config
