// gzip request bodies -> Gunzip (connectors/logs/gunzip.h). The output cap is small so a
// bomb is cheap and the kTooLarge path runs often.
#include "connectors/logs/gunzip.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using timelined::connectors::logs::Gunzip;
  const auto text = timelined::fuzz::AsText(data, size);
  auto r = Gunzip(text, 1 << 20);
  if (r && r->size() > (1 << 20)) __builtin_trap();  // the cap is a promise
  (void)Gunzip(text, 0);
  return 0;
}
