#pragma once
// Shared by the fuzz targets (tests/fuzz/README.md). Each target defines
// LLVMFuzzerTestOneInput; under libFuzzer (TIMELINED_FUZZ=ON) libFuzzer's main drives it,
// otherwise replay_main.cc runs every file of the corpus directories given on the command
// line through it once.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/model/time.h"

namespace timelined::fuzz {

// A fixed receive time: targets are deterministic (2026-03-14T09:20:00Z).
inline constexpr Nanos kReceivedAt = 1'773'480'000'000'000'000;

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace timelined::fuzz
