#include "connectors/common/retry.h"

#include <algorithm>
#include <cstdint>
#include <thread>

#include "connectors/common/headers.h"

namespace timelined::connectors {

Sleeper DefaultSleeper() {
  return [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry) {
  std::chrono::milliseconds delay = policy.backoff_base;
  for (int i = 1; i < retry && delay < policy.backoff_max; ++i) delay *= 2;
  return std::min(delay, policy.backoff_max);
}

std::optional<std::chrono::milliseconds> ParseDelaySeconds(std::string_view value) {
  constexpr int64_t kMaxMillis = 3'600'000;
  value = TrimAscii(value);
  if (value.empty()) return std::nullopt;
  int64_t millis = 0;
  size_t i = 0;
  for (; i < value.size() && value[i] != '.'; ++i) {
    if (value[i] < '0' || value[i] > '9') return std::nullopt;
    millis = std::min<int64_t>(millis * 10 + (value[i] - '0'), kMaxMillis * 10);
  }
  millis *= 1000;
  if (i < value.size()) {  // fraction: keep milliseconds
    int64_t scale = 100;
    if (i + 1 == value.size()) return std::nullopt;
    for (++i; i < value.size(); ++i, scale /= 10) {
      if (value[i] < '0' || value[i] > '9') return std::nullopt;
      millis += (value[i] - '0') * scale;
    }
  }
  return std::chrono::milliseconds(std::min(millis, kMaxMillis));
}

}  // namespace timelined::connectors
