// Slack Web API answers the daemon fetches with the bot token: a conversations.replies page
// -> ParseRepliesPage (connectors/slack/replies.h) and a users.info answer -> ParseUserInfo
// (connectors/slack/users.h), with and without a workspace URL and own bot id.
#include "connectors/slack/replies.h"
#include "connectors/slack/users.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace timelined::connectors::slack;
  static const SlackOptions plain;
  static const SlackOptions full{.workspace_url = "https://acme.slack.com",
                                 .own_bot_id = "B0OWNBOT"};
  const auto text = timelined::fuzz::AsText(data, size);
  for (const SlackOptions* o : {&plain, &full}) {
    (void)ParseRepliesPage(text, "T0ACME01", "C0INC", timelined::fuzz::kReceivedAt, *o);
    (void)ParseUserInfo(text, "T0ACME01", "U0ALICE", timelined::fuzz::kReceivedAt, *o);
  }
  return 0;
}
