#pragma once
// conversations.replies pages (PROTOCOLS.md 2.6) -> Events, mapped by MapMessage exactly
// as the Events API does, so a message seen both ways gets the same event ID.
// Pure; thread-safe.
#include <string>
#include <string_view>
#include <vector>

#include "connectors/slack/message.h"
#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/time.h"

namespace timelined::connectors::slack {

struct RepliesPage {
  std::vector<Event> events;  // parent first, then replies, as returned
  std::string next_cursor;    // "" = last page
  bool has_more = false;
  size_t skipped = 0;  // messages with a malformed ts (not mapped)
};

// raw_sha256 of each event = Sha256Hex(body) (the exact bytes received).
// Errors: kInvalidInput "invalid_json" / "invalid_payload"; "ok": false -> SlackApiError.
Result<RepliesPage> ParseRepliesPage(std::string_view body, std::string_view team,
                                     std::string_view channel, Nanos received_at,
                                     const SlackOptions& options);

// The Error for a Slack Web API error code: message = the code itself ("not_in_channel",
// "ratelimited", ...). Codes: ratelimited -> kExhausted; channel_not_found,
// thread_not_found, message_not_found, user_not_found, user_not_visible -> kNotFound;
// not_in_channel, missing_scope, access_denied -> kPermissionDenied; not_authed, invalid_auth,
// account_inactive, token_revoked, token_expired -> kUnauthenticated; invalid_cursor,
// invalid_arguments -> kInvalidInput; others -> kUnavailable.
Error SlackApiError(std::string_view code, std::string_view method);

}  // namespace timelined::connectors::slack
