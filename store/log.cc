#include "store/log.h"

namespace timelined::store {

spdlog::logger& Log() {
  static const std::shared_ptr<spdlog::logger> kLogger = [] {
    if (auto registered = spdlog::get("store")) return registered;
    return spdlog::default_logger()->clone("store");
  }();
  return *kLogger;
}

}  // namespace timelined::store
