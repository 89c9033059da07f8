#pragma once
// Pure parsers for OTLP/HTTP logs (POST /v1/logs): the OpenTelemetry Collector's `otlphttp`
// exporter, Fluent Bit's `opentelemetry` output, Vector's `opentelemetry` sink and the
// language SDKs. No I/O, no clock, no logging; thread-safe. The request is
// opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest, as protobuf or as OTLP's
// JSON mapping (lowerCamelCase names; snake_case accepted too; 64-bit integers as strings
// or numbers; traceId/spanId as hex):
//
//   ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
//   ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; }
//   Resource     { repeated KeyValue attributes = 1; }
//   ScopeLogs    { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; }
//   InstrumentationScope { string name = 1; string version = 2; }
//   LogRecord    { fixed64 time_unix_nano = 1; SeverityNumber severity_number = 2;
//                  string severity_text = 3; AnyValue body = 5; repeated KeyValue
//                  attributes = 6; bytes trace_id = 9; bytes span_id = 10;
//                  fixed64 observed_time_unix_nano = 11; string event_name = 12; }
//   KeyValue     { string key = 1; AnyValue value = 2; }
//   AnyValue     { oneof: string 1 | bool 2 | int64 3 | double 4 | ArrayValue 5
//                  | KeyValueList 6 | bytes 7 }   ArrayValue/KeyValueList { values = 1; }
//
// Each LogRecord becomes one Event built like a pushed log record (log_record.h):
//   labels    from the resource attributes: namespace = k8s.namespace.name,
//             pod = k8s.pod.name, container = k8s.container.name,
//             app = k8s.deployment.name | k8s.statefulset.name | k8s.daemonset.name
//                   | k8s.cronjob.name, job = k8s.job.name,
//             service = service.name (not the SDKs' "unknown_service…" default),
//             host = host.name | k8s.node.name — so the scope is log/<namespace>/<workload>
//   message   the body: a string as is, any other value as its JSON text (kvlist -> object,
//             bytes -> base64); no body -> event_name; neither -> a bad record
//   time      time_unix_nano, else observed_time_unix_nano (attrs.otlp.time_source =
//             "observed"), else received_at (attrs.time_missing)
//   level     severity_text when it names one (log_level.h), else severity_number
//             (1-8 debug, 9-12 info, 13-16 warn, 17-20 error, 21-24 fatal), else detected
//             in the message
//   attrs.otlp {resource, scope, attributes, severity_number, severity_text, trace_id,
//             span_id, event_name}; resource, scope and record attributes together beyond
//             LogOptions::fields_max_bytes are dropped (attrs.otlp.attributes_truncated),
//             and so are they once a request has copied 4x its size (at least 1 MiB)
//             of them: a large resource or scope over many small records cannot blow up
//             memory. Label values are cut at 253 bytes, as scope parts are.
//   raw_sha256 the LogRecord's exact bytes (protobuf) or JSON text.
// Strings that are not valid UTF-8 are repaired (U+FFFD).
//
// Errors (kInvalidInput, "invalid_otlp_logs"): a body that is not the message (not
// protobuf / not JSON, a field of the wrong type or wire type outside a LogRecord, values
// nested deeper than 32) — always. A malformed LogRecord or one with no body and no
// event_name follows options.skip_invalid_lines (LogParse.invalid_lines counts them: OTLP's
// partial success "rejected_log_records"). Details name the place:
// "resource 1 scope 2 record 3: …".
#include <cstdint>
#include <string>
#include <string_view>

#include "connectors/logs/log_parser.h"

namespace timelined::connectors::logs {

Result<LogParse> ParseOtlpLogsProtobuf(std::string_view body, const LogOptions& options,
                                       Nanos received_at);
Result<LogParse> ParseOtlpLogsJson(std::string_view body, const LogOptions& options,
                                   Nanos received_at);

// ExportLogsServiceResponse: empty when nothing was rejected, else partial_success
// {rejected_log_records, error_message}. As protobuf bytes, or as OTLP JSON
// ({} / {"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"…"}}).
std::string OtlpLogsResponseProtobuf(uint64_t rejected, std::string_view error_message);
std::string OtlpLogsResponseJson(uint64_t rejected, std::string_view error_message);

}  // namespace timelined::connectors::logs
