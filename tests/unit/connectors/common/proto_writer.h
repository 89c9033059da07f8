#pragma once
// Test-only protobuf wire-format writer (protobuf.dev/programming-guides/encoding), written
// from the encoding spec, plus builders for Loki's logproto.PushRequest and OTLP's
// ExportLogsServiceRequest: the byte-level fixtures of the protobuf parsers' tests, the integration
// test and the bench.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace timelined::connectors::testing {

inline std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// Field `number` as a varint (wire type 0).
inline std::string VarintField(uint32_t number, uint64_t v) {
  return Varint(uint64_t{number} << 3) + Varint(v);
}

// Field `number` as length-delimited bytes (wire type 2): strings and sub-messages.
inline std::string LenField(uint32_t number, std::string_view bytes) {
  return Varint((uint64_t{number} << 3) | 2) + Varint(bytes.size()) + std::string(bytes);
}

// Field `number` as fixed64 (wire type 1), little-endian: OTLP's times.
inline std::string Fixed64Field(uint32_t number, uint64_t v) {
  std::string out = Varint((uint64_t{number} << 3) | 1);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

// OTLP's KeyValue { string key = 1; AnyValue value = 2; } with a string value
// (AnyValue.string_value = 1), and with any encoded AnyValue.
inline std::string OtlpKeyValue(std::string_view key, std::string_view any_value) {
  return LenField(1, key) + LenField(2, any_value);
}
inline std::string OtlpString(std::string_view s) { return LenField(1, s); }

// ExportLogsServiceRequest.resource_logs { Resource resource = 1 (encoded, "" = none);
// repeated ScopeLogs scope_logs = 2; } and ScopeLogs { InstrumentationScope scope = 1;
// repeated LogRecord log_records = 2; }.
inline std::string OtlpResourceLogs(const std::string& resource,
                                    const std::vector<std::string>& scopes) {
  std::string rl = resource.empty() ? std::string() : LenField(1, resource);
  for (const auto& s : scopes) rl += LenField(2, s);
  return LenField(1, rl);
}
inline std::string OtlpScopeLogs(const std::string& scope,
                                 const std::vector<std::string>& records) {
  std::string sl = scope.empty() ? std::string() : LenField(1, scope);
  for (const auto& r : records) sl += LenField(2, r);
  return sl;
}

// Loki's EntryAdapter { Timestamp timestamp = 1; string line = 2;
// repeated LabelPairAdapter structuredMetadata = 3; }, Timestamp { seconds = 1; nanos = 2; }.
inline std::string LokiEntry(int64_t unix_nanos, std::string_view line,
                             const std::vector<std::pair<std::string, std::string>>& meta = {}) {
  std::string ts = VarintField(1, static_cast<uint64_t>(unix_nanos / 1'000'000'000));
  if (unix_nanos % 1'000'000'000 != 0) {
    ts += VarintField(2, static_cast<uint64_t>(unix_nanos % 1'000'000'000));
  }
  std::string e = LenField(1, ts) + LenField(2, line);
  for (const auto& [name, value] : meta) e += LenField(3, LenField(1, name) + LenField(2, value));
  return e;
}

// StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; }, as one
// PushRequest.streams element (field 1 of PushRequest).
inline std::string LokiStream(std::string_view labels, const std::vector<std::string>& entries) {
  std::string s = LenField(1, labels);
  for (const auto& e : entries) s += LenField(2, e);
  return LenField(1, s);
}

}  // namespace timelined::connectors::testing
