#pragma once
// Slack Events API parser: one verified request body -> what to answer and which events
// to store. Pure: no clock, no I/O, no logging; thread-safe. Verify the signature first
// (signature.h).
//
// Top-level types (PROTOCOLS.md 2.2, 2.3):
//   url_verification -> kUrlVerification, challenge set (answer it synchronously)
//   app_rate_limited -> kRateLimited, team_id set (log, answer 200)
//   event_callback   -> kEventCallback with events, or kIgnored when nothing is kept;
//                       team_id, event_id and dedup_key ("<team_id>:<event_id>", the retry
//                       dedup key) are set either way
//   anything else    -> kIgnored (authentic but unknown: answer 200, never 4xx)
// Inner events: "message" and "app_mention" map through MapMessage (message.h), so the
// same message seen under two event_ids gets one event ID. "reaction_added",
// "reaction_removed", "pin_added" and "pin_removed" -> slack.<type>, each with
// attrs.target = the message's event ID (and attrs.reaction, attrs.user). Other inner types
// -> kIgnored.
// Errors (kInvalidInput): "invalid_json", "invalid_payload" (not an object),
// "missing_field" (challenge, team_id, event_id, event, event.channel),
// "invalid_message" (bad ts).
#include <string>
#include <string_view>
#include <vector>

#include "connectors/slack/message.h"
#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/time.h"

namespace timelined::connectors::slack {

struct SlackParse {
  enum Type { kUrlVerification, kEventCallback, kRateLimited, kIgnored };
  Type type = kIgnored;
  std::string challenge;  // kUrlVerification
  std::string team_id;
  std::string event_id;
  std::vector<Event> events;
  std::string dedup_key;  // "<team_id>:<event_id>" for event_callback
};

Result<SlackParse> ParseEventsApi(std::string_view raw_body, Nanos received_at,
                                  const SlackOptions& options);

}  // namespace timelined::connectors::slack
