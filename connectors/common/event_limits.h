#pragma once
// Keeps connector output within the bounds ValidateEvent enforces (store/model/event.cc:
// short fields <= 4096 bytes, body <= 256 KiB), so an authentic but oversized upstream
// item is stored truncated instead of being rejected (a 4xx would make PagerDuty disable
// the subscription and Slack retry). Pure.
#include <cstddef>

#include "store/model/event.h"

namespace timelined::connectors {

inline constexpr size_t kMaxShortFieldBytes = 4000;       // below the model's 4096
inline constexpr size_t kMaxBodyBytes = 256 * 1024 - 16;  // below the model's 256 KiB
inline constexpr size_t kMaxSourceRefBytes = 1024;        // connectors reject longer upstream keys

// Cuts kind, scope, actor, url, incident_id, summary and body on UTF-8 boundaries when
// over the limits; sets attrs["truncated"] = true when anything was cut.
void ClampEventFields(Event& e);

}  // namespace timelined::connectors
