#pragma once
// Pure parsers for the Grafana Loki push API (POST /loki/api/v1/push), JSON and protobuf.
// No I/O, no clock, no logging; thread-safe. The JSON push, as Fluent Bit's `loki` output
// and ad-hoc scripts send it:
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
#include <optional>
#include <string_view>

#include "connectors/logs/log_parser.h"
#include "connectors/logs/log_record.h"

namespace timelined::connectors::logs {

Result<LogParse> ParseLokiPush(std::string_view body, const LogOptions& options, Nanos received_at);

// The protobuf push Promtail, Grafana Alloy and Vector's `loki` sink send by default
// (application/x-protobuf), after snappy decoding (snappy.h): Loki's logproto.PushRequest,
//
//   PushRequest   { repeated StreamAdapter streams = 1; }
//   StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
//   EntryAdapter  { Timestamp timestamp = 1; string line = 2;
//                   repeated LabelPairAdapter structuredMetadata = 3; }
//   LabelPairAdapter { string name = 1; string value = 2; }   Timestamp { int64 seconds = 1;
//                                                                         int32 nanos = 2; }
//
// with the stream's labels as Prometheus writes them: {app="api", namespace="prod"}. Each
// entry becomes the same Event a JSON push of it would (same ID, so a JSON and a protobuf
// push of one line store it once); raw_sha256 hashes the entry's exact protobuf bytes.
// Labels, lines and metadata that are not valid UTF-8 are repaired (U+FFFD), as text/plain
// lines are. Unknown fields are skipped.
//
// Errors (kInvalidInput, "invalid_loki_push"): bytes that are not protobuf, a field of the
// wrong wire type, a label string that does not parse — always. An entry without a
// timestamp, with one at or before the epoch or with nanos outside [0, 1e9), follows
// options.skip_invalid_lines. Details name the place: "stream 2 entry 1: …".
Result<LogParse> ParseLokiProtobufPush(std::string_view body, const LogOptions& options,
                                       Nanos received_at);

// Prometheus label text, {name="value", …}, as Loki's protobuf streams carry it; values in
// Go's quoted-string syntax (\\ \" \n \t \r \xNN \uNNNN \UNNNNNNNN). nullopt when it does
// not parse.
std::optional<Labels> ParsePromLabels(std::string_view text);

// True for a protobuf body (application/x-protobuf and its aliases).
bool IsLokiProtobuf(std::string_view content_type);

}  // namespace timelined::connectors::logs
