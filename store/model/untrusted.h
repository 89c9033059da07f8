#pragma once
// Limits for bytes that come from outside: every parser of a request body, a webhook, a
// watch stream or a Kafka message reads JSON through ParseUntrustedJson, and every event is
// checked by ValidateEvent (event.h) before it is acknowledged. nlohmann::json parses
// iteratively, but copying, dumping and comparing a value recurse once per level, so a
// 100 000-deep `[[[[…` that parsed fine would overflow the stack later: the depth is checked
// on the bytes, before parsing, in one pass that allocates nothing.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "store/model/error.h"

namespace timelined {

// Arrays/objects nested deeper than this are refused ("json_too_deep"). The Kafka event
// message (top object + attrs) must fit too, so attrs themselves get kMaxAttrsDepth.
inline constexpr int kMaxJsonDepth = 64;
inline constexpr int kMaxAttrsDepth = 32;

// True when no array or object in `text` nests deeper than `limit`; strings are skipped.
// Not a validator: malformed JSON may pass here and fail the parse.
bool JsonDepthWithin(std::string_view text, int limit = kMaxJsonDepth);

// Parses `text` as JSON with the depth limit. Errors (kInvalidInput):
//   "json_too_deep"  nested deeper than `max_depth`
//   "invalid_json"   not JSON (including invalid UTF-8 inside strings)
// `what` names the input in the detail ("the body", "line 3").
Result<nlohmann::json> ParseUntrustedJson(std::string_view text, int max_depth = kMaxJsonDepth,
                                          std::string_view what = "the body");

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Replaces each ill-formed sequence in `s` with U+FFFD; returns true when it changed `s`.
// For text taken as-is (text/plain log lines) so that what is stored, hashed, published
// to Kafka and served as JSON is the same string everywhere.
bool RepairUtf8(std::string& s);

}  // namespace timelined
