// Loki protobuf push bodies after snappy decoding -> ParseLokiProtobufPush (strict and
// skipping) and the label text parser ParsePromLabels (connectors/logs/loki.h), which walks
// the bytes with connectors/common/protobuf_reader.h.
#include "connectors/logs/loki.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace timelined::connectors::logs;
  static const LogOptions strict;
  static const LogOptions skip{.skip_invalid_lines = true};
  const auto bytes = timelined::fuzz::AsText(data, size);
  auto a = ParseLokiProtobufPush(bytes, strict, timelined::fuzz::kReceivedAt);
  auto b = ParseLokiProtobufPush(bytes, skip, timelined::fuzz::kReceivedAt);
  // Skipping can only keep more: what strict accepts, skipping accepts identically.
  if (a && (!b || a->events.size() != b->events.size())) __builtin_trap();
  (void)ParsePromLabels(bytes);
  return 0;
}
