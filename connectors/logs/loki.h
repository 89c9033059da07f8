#pragma once
// Pure parser for the Grafana Loki JSON push API (POST /loki/api/v1/push), as sent by
// Fluent Bit's `loki` output and ad-hoc scripts. No I/O, no clock, no logging; thread-safe.
//
//   {"streams":[{"stream":{"<label>":"<value>",…},
//                "values":[["<unix epoch ns as a STRING>","<line>"(, {structured metadata})]]}]}
//
// Each entry becomes one Event built like a pushed log record (log_record.h): labels = the
// stream labels; level from a "level"/"detected_level"/"severity" label or structured
// metadata key, else detected in the line; attrs.structured_metadata keeps the third
// element (flat string -> string object); raw_sha256 hashes the entry's exact JSON text.
//
// Errors (kInvalidInput, message "invalid_loki_push"): not JSON, no "streams" array, a
// stream that is not an object, label values that are not strings, and — like Loki, which
// answers 400 — a numeric timestamp, always. Other bad entries (wrong arity, non-string
// line, bad timestamp string, bad metadata) follow options.skip_invalid_lines. Details name
// the place: "stream 1 entry 3 (line 7): timestamp must be a string of nanoseconds".
#include <string_view>

#include "connectors/logs/log_parser.h"

namespace timelined::connectors::logs {

Result<LogParse> ParseLokiPush(std::string_view body, const LogOptions& options, Nanos received_at);

// True for the protobuf (snappy) push body Promtail/Alloy send by default
// (application/x-protobuf): the daemon answers 415 for it.
bool IsLokiProtobuf(std::string_view content_type);

}  // namespace timelined::connectors::logs
