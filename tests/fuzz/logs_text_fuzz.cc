// Plain-text log bodies (Content-Type text/plain: one message per line) -> ParseLogBody.
#include "connectors/logs/log_parser.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace timelined::connectors::logs;
  static const LogOptions options;
  static const std::map<std::string, std::string> labels = {{"namespace", "prod"}};
  (void)ParseLogBody(timelined::fuzz::AsText(data, size), "text/plain; charset=utf-8", options,
                     labels, timelined::fuzz::kReceivedAt);
  return 0;
}
