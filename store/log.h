#pragma once
// The store module's named logger ("store"). Internal to timelined_store.
#include <spdlog/spdlog.h>

namespace timelined::store {

// The "store" logger: the registered one if the daemon set it up, else a clone of the
// default logger. Never log event contents here: only ids, counts and error codes.
spdlog::logger& Log();

}  // namespace timelined::store
