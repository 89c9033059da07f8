#pragma once
// Snappy block decoding for Loki protobuf push bodies (Promtail, Grafana Alloy and Vector
// compress the whole PushRequest as one snappy block, github.com/google/snappy
// format_description.txt; not the framing format). Pure, thread-safe; libsnappy.
#include <cstddef>
#include <string>
#include <string_view>

#include "store/model/error.h"

namespace timelined::connectors::logs {

// Decompresses one snappy block. The block states its uncompressed length first; beyond
// `max_output` nothing is allocated and the answer is kTooLarge ("body_too_large"), so a
// snappy bomb costs nothing. Corrupt, truncated or non-snappy input: kInvalidInput
// ("invalid_snappy").
Result<std::string> SnappyUncompress(std::string_view compressed, size_t max_output);

}  // namespace timelined::connectors::logs
