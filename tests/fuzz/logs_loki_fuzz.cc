// Loki JSON push bodies -> ParseLokiPush (connectors/logs/loki.h), strict and skipping.
#include "connectors/logs/loki.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace timelined::connectors::logs;
  static const LogOptions strict;
  static const LogOptions skip{.skip_invalid_lines = true};
  const auto text = timelined::fuzz::AsText(data, size);
  (void)ParseLokiPush(text, strict, timelined::fuzz::kReceivedAt);
  (void)ParseLokiPush(text, skip, timelined::fuzz::kReceivedAt);
  return 0;
}
