// Kafka event message values -> DecodeEvent (store/kafka_codec.h). A value that decodes
// must survive EncodeEvent -> DecodeEvent unchanged (the consumer re-reads what a producer
// wrote): a mismatch traps.
#include "store/kafka_codec.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace timelined::store;
  auto e = DecodeEvent(timelined::fuzz::AsText(data, size));
  if (!e) return 0;
  (void)EventKey(*e);
  const std::string once = EncodeEvent(*e);
  auto again = DecodeEvent(once);
  if (!again) __builtin_trap();
  if (EncodeEvent(*again) != once) __builtin_trap();
  return 0;
}
