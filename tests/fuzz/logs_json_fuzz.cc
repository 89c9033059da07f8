// Pushed JSON log bodies -> ParseLogBody (connectors/logs/log_parser.h): the format is
// sniffed, so one target covers the JSON array, NDJSON and json_stream ("}{") formats.
// Each input runs strict and with skip_invalid_lines.
#include "connectors/logs/log_parser.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace timelined::connectors::logs;
  static const LogOptions strict;
  static const LogOptions skip{.skip_invalid_lines = true};
  static const std::map<std::string, std::string> labels = {{"namespace", "prod"},
                                                            {"app", "payments"}};
  const auto text = timelined::fuzz::AsText(data, size);
  (void)ParseLogBody(text, "application/json", strict, labels, timelined::fuzz::kReceivedAt);
  (void)ParseLogBody(text, "application/x-ndjson", skip, {}, timelined::fuzz::kReceivedAt);
  return 0;
}
