// Slack Events API body -> ParseEventsApi (connectors/slack/events.h), with and without a
// workspace URL and own bot id (they change which branches run).
#include "connectors/slack/events.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace timelined::connectors::slack;
  static const SlackOptions plain;
  static const SlackOptions full{.workspace_url = "https://acme.slack.com",
                                 .own_bot_id = "B0OWNBOT"};
  const auto text = timelined::fuzz::AsText(data, size);
  (void)ParseEventsApi(text, timelined::fuzz::kReceivedAt, plain);
  (void)ParseEventsApi(text, timelined::fuzz::kReceivedAt, full);
  return 0;
}
