#pragma once
// gzip decoding for `Content-Encoding: gzip` bodies (Fluent Bit `compress gzip`, Vector
// `compression = "gzip"`, Loki JSON). Pure, thread-safe.
#include <cstddef>
#include <string>
#include <string_view>

#include "store/model/error.h"

namespace timelined::connectors::logs {

// Decompresses a gzip stream (one or more concatenated members, RFC 1952). Decompression
// stops as soon as the output would exceed `max_output` bytes, so a gzip bomb costs at most
// that much memory. Errors: kTooLarge ("body_too_large") when the output exceeds
// max_output; kInvalidInput ("invalid_gzip") on corrupt, truncated or non-gzip input.
Result<std::string> Gunzip(std::string_view compressed, size_t max_output);

}  // namespace timelined::connectors::logs
