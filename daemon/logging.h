#pragma once
// Logging set-up: spdlog to stderr, text or one JSON object per line. Never pass request
// bodies or secrets to a logger.
#include <string>

namespace timelined::daemon {

// level: trace|debug|info|warn|error; format: text|json.
void SetUpLogging(const std::string& level, const std::string& format);

}  // namespace timelined::daemon
