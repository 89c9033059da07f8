#pragma once
// The Kafka event message, version 1: the value is the UTF-8 JSON object of EventToJson
// without "seq" and "chain" (the store assigns those) plus "v": 1; the key is
// EventKey(event). Pure functions, no I/O; safe from any thread.
//
//   {"v":1,"id":"pd_...","source":"pagerduty","source_ref":"...","kind":"...",
//    "occurred_at":1700000000000000000,"occurred_at_rfc3339":"...", ...}
//
// A reader accepts exactly the versions it knows (1); anything else is undecodable and is
// dead-lettered by the consumer rather than guessed at.
#include <string>
#include <string_view>

#include "store/model/error.h"
#include "store/model/event.h"

namespace timelined::store {

inline constexpr int kEventMessageVersion = 1;
// Undecodable beyond this nesting depth (checked before parsing, so a hostile message
// cannot exhaust the stack of the JSON library).
inline constexpr int kMaxEventMessageDepth = 64;

// The message value for `e`. Never throws; invalid UTF-8 is replaced (as in CanonicalJson).
std::string EncodeEvent(const Event& e);

// The partition key: incident_id if set, else scope, else source. Events of one incident
// stay in one partition, in order.
std::string_view EventKey(const Event& e);

// Parses a message value. Errors (all kInvalidInput, message names the reason):
//   "empty_message"        null or empty value (a tombstone)
//   "invalid_json"         not JSON, or nested deeper than kMaxEventMessageDepth
//   "missing_version"      no integer "v"
//   "unsupported_version"  "v" is not 1
//   anything EventFromJson returns ("bad_event", "unknown_field", "id_mismatch", ...)
Result<Event> DecodeEvent(std::string_view value);

}  // namespace timelined::store
