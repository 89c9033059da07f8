// timelined.toml text -> ParseConfig (daemon/config/config.h): TOML parse, every section's
// keys, secrets, validation (redaction patterns compile with RE2).
#include "daemon/config/config.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = timelined::config::ParseConfig(timelined::fuzz::AsText(data, size), "fuzz");
  (void)r;
  return 0;
}
