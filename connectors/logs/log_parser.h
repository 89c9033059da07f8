#pragma once
// Pure parsers for log batches pushed over HTTP (POST /ingest/logs): Fluent Bit `http`
// output (format json, json_lines, json_stream), Vector `http` sink (json codec, with or
// without newline framing), curl. No I/O, no clock, no logging; thread-safe.
//
// Body format is sniffed, never taken from Content-Type, except that a Content-Type of
// text/plain selects raw lines:
//   first non-whitespace byte '['  -> JSON array(s) of record objects
//   first non-whitespace byte '{'  -> one or more objects, separated by newlines or nothing
//                                     (NDJSON with or without trailing newline, "}{")
//   text/plain                     -> one message per non-empty line; labels from the query
// Decompress first: the caller applies Gunzip() for Content-Encoding: gzip.
//
// Each record becomes one Event (see log_record.h for every field):
//   source "log"; kind "log.<level>"; source_ref "<labels>|<ns>|<sha256(message)>";
//   scope "log/<namespace>/<workload>"; summary = message (one line, <= 200 bytes);
//   raw_sha256 = sha256 of the record's exact text (JSON text, or the line).
// Record fields: time from the first of options.time_keys present (log_time.h encodings;
// unparseable or absent -> received_at and attrs.time_missing = true); message from the
// first of options.message_keys (a record with none uses its other fields as JSON text);
// level from options.level_keys, else detected in the message (log_level.h).
//
// Bad records (invalid JSON, not an object, empty record):
//   options.skip_invalid_lines = false -> the whole batch fails, kInvalidInput
//     "invalid_log_line", detail "line 3: invalid JSON" (1-based line of the record start;
//     "line 1, record 4: …" when several records share a line);
//   true -> the good records are returned, LogParse.invalid_lines counts the bad ones and
//     LogParse.first_invalid holds the first detail.
// A body that is not JSON and not text/plain fails with kInvalidInput "unsupported_body".
// A PEM private key split over consecutive records of one stream is redacted as a whole
// in the events returned (RedactSplitPrivateKeys, log_record.h).
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/time.h"

namespace timelined::connectors::logs {

struct LogOptions {
  std::vector<std::string> time_keys = {"date", "@timestamp", "timestamp", "time", "ts"};
  std::vector<std::string> message_keys = {"log", "message", "msg", "MESSAGE"};
  std::vector<std::string> level_keys = {"level",    "severity",  "lvl",
                                         "loglevel", "log_level", "levelname"};
  bool skip_invalid_lines = false;
  // Level of a line from the "stderr" stream with no level field and none found in its
  // text ("warn" or "error"; "" = info like any other line). For workloads whose
  // convention is that stderr carries only problems; many log everything to stderr.
  std::string stderr_level;
  size_t summary_max_bytes = 200;
  size_t body_max_bytes = 64 * 1024;   // longer messages are cut (attrs.truncated = true)
  size_t fields_max_bytes = 8 * 1024;  // other record fields kept in attrs.fields
};

struct LogParse {
  std::vector<Event> events;
  size_t records = 0;         // records seen, good and bad
  size_t invalid_lines = 0;   // bad records skipped (skip_invalid_lines = true)
  std::string first_invalid;  // detail of the first bad record, "" when none
};

// `query_labels` are the request's query parameters (e.g. ?namespace=prod&app=payments):
// labels of every record; a record's own labels win on conflict.
Result<LogParse> ParseLogBody(std::string_view body, std::string_view content_type,
                              const LogOptions& options,
                              const std::map<std::string, std::string>& query_labels,
                              Nanos received_at);

}  // namespace timelined::connectors::logs
