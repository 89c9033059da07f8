// OTLP/HTTP logs bodies -> ParseOtlpLogsProtobuf and ParseOtlpLogsJson (strict and skipping;
// connectors/logs/otlp.h) and the partial-success response. The same bytes go to both
// parsers: the protobuf corpus exercises one, the JSON corpus the other.
#include "connectors/logs/otlp.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace timelined::connectors::logs;
  static const LogOptions strict;
  static const LogOptions skip{.skip_invalid_lines = true};
  const auto bytes = timelined::fuzz::AsText(data, size);
  for (auto* parse : {&ParseOtlpLogsProtobuf, &ParseOtlpLogsJson}) {
    auto a = parse(bytes, strict, timelined::fuzz::kReceivedAt);
    auto b = parse(bytes, skip, timelined::fuzz::kReceivedAt);
    // Skipping can only keep more: what strict accepts, skipping accepts identically.
    if (a && (!b || a->events.size() != b->events.size())) __builtin_trap();
    if (b) {
      if (b->events.size() + b->invalid_lines != b->records) __builtin_trap();
      for (const auto& e : b->events) {
        if (e.id.empty() || e.source != "log") __builtin_trap();
      }
      (void)OtlpLogsResponseProtobuf(b->invalid_lines, b->first_invalid);
      (void)OtlpLogsResponseJson(b->invalid_lines, b->first_invalid);
    }
  }
  return 0;
}
