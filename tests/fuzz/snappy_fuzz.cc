// Snappy blocks (Loki protobuf push bodies) -> SnappyUncompress (connectors/logs/snappy.h),
// then the protobuf push parser on what decodes. The output cap is small so the kTooLarge
// path runs often; the cap is checked.
#include "connectors/logs/loki.h"
#include "connectors/logs/snappy.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace timelined::connectors::logs;
  const auto bytes = timelined::fuzz::AsText(data, size);
  auto out = SnappyUncompress(bytes, 1 << 16);
  if (out && out->size() > (1 << 16)) __builtin_trap();  // the cap is a promise
  if (out) (void)ParseLokiProtobufPush(*out, LogOptions{}, timelined::fuzz::kReceivedAt);
  (void)SnappyUncompress(bytes, 0);
  return 0;
}
