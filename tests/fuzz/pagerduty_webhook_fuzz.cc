// PagerDuty V3 webhook body -> ParseWebhook (connectors/pagerduty/webhook.h).
#include "connectors/pagerduty/webhook.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace timelined::connectors;
  static const Headers headers =
      MakeHeaders({{"X-Webhook-Id", "wh-fuzz"}, {"X-Webhook-Subscription", "PFUZZ"}});
  auto r = pagerduty::ParseWebhook(timelined::fuzz::AsText(data, size), headers,
                                   timelined::fuzz::kReceivedAt);
  (void)r;
  return 0;
}
