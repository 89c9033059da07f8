#include "store/log.h"

namespace timelined::store {

spdlog::logger& Log() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    if (auto registered = spdlog::get("store")) return registered;
    return spdlog::default_logger()->clone("store");
  }();
  return *logger;
}

}  // namespace timelined::store
