// PagerDuty REST log entries page -> ParseLogEntries (connectors/pagerduty/log_entries.h).
#include "connectors/pagerduty/log_entries.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = timelined::connectors::pagerduty::ParseLogEntries(timelined::fuzz::AsText(data, size),
                                                             timelined::fuzz::kReceivedAt);
  (void)r;
  return 0;
}
