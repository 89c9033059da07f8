#pragma once
// Retry helpers for the outbound (backfill) clients: a bounded exponential backoff policy,
// an injectable sleeper (tests record the delays instead of sleeping), and Retry-After /
// ratelimit-reset parsing. Pure except DefaultSleeper.
#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

namespace timelined::connectors {

// Blocks the calling thread for the given duration. Injected so tests never really sleep.
using Sleeper = std::function<void(std::chrono::milliseconds)>;
// std::this_thread::sleep_for.
Sleeper DefaultSleeper();

struct RetryPolicy {
  int max_retries = 5;                            // retries after the first attempt
  std::chrono::milliseconds backoff_base{1000};   // delay before retry 1
  std::chrono::milliseconds backoff_max{60'000};  // cap of any single delay
};

// Delay before retry number `retry` (1-based): base * 2^(retry-1), capped at backoff_max.
// Deterministic (no jitter): backfills run serially per token, so there is no herd to spread.
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry);

// Parses a delay header given in whole or fractional seconds ("1", "0", "2.5"), as sent in
// Retry-After and PagerDuty's ratelimit-reset. HTTP-date forms and garbage give nullopt.
// Values are capped at one hour.
std::optional<std::chrono::milliseconds> ParseDelaySeconds(std::string_view value);

}  // namespace timelined::connectors
