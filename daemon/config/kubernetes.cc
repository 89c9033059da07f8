#include "daemon/config/config.h"
#include "daemon/config/section_keys.h"

namespace timelined::config {

std::vector<keys::KeySpec<Config>> KubernetesKeys() { return {}; }

Result<void> ValidateKubernetes(const Config&) { return {}; }

}  // namespace timelined::config
