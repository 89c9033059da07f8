#pragma once
// Slack message -> Event mapping shared by the Events API parser (events.h) and the
// thread backfill (replies.h), so a message seen both ways gets the same event ID.
// Pure; thread-safe.
//
// Kinds and source_refs (<team>:<channel>:<ts> identifies a message in Slack):
//   slack.message          channel messages, thread replies, broadcasts, bot messages,
//                          the parent carried by message_replied
//                          source_ref "<team>:<channel>:<ts>"
//   slack.message_changed  human edits only (message.edited present)
//                          source_ref "<team>:<channel>:<message.ts>:edit:<edited.ts>"
//   slack.message_deleted  tombstone; source_ref "<team>:<channel>:<deleted_ts>:deleted"
// Ignored (nullopt): channel_join/leave (and group_*), message_changed without
// `edited` (unfurls, attachments, language detection), messages of options.own_bot_id.
// Fields: occurred_at from the ts string (integers, no double); actor = user id, or for
// bots username / bot_profile.name / bot_id; summary = text cut at ~200 bytes; body =
// full text; url = Permalink(...); scope = "slack/<channel>".
// attrs (strings unless noted): team, channel, ts, thread_ts (when present), event_id
// (when known), subtype (when present), user, bot (bool), bot_id, channel_type,
// is_reply (bool), reply_count (int), reactions ([{name, count}]), pinned (bool),
// files ([names]); edits/deletes add supersedes (= the original message's event ID),
// edited_ts, original_user.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/time.h"

namespace timelined::connectors::slack {

inline constexpr size_t kSummaryBytes = 200;

struct SlackOptions {
  std::string workspace_url;  // "https://acme.slack.com" (auth.test url); "" -> no permalinks
  std::string own_bot_id;     // this app's bot id (B...): its messages are dropped
};

// Where a message was seen.
struct MessageContext {
  std::string team;
  std::string channel;
  std::string channel_type;  // "" when unknown (backfill)
  std::string event_id;      // Events API event_id; "" for backfill
  std::string raw_sha256;    // of the exact bytes received
  Nanos received_at = 0;
};

// Maps one message object. nullopt = deliberately ignored. kInvalidInput
// "invalid_message" when the ts (or deleted_ts / message.ts) is missing or malformed.
Result<std::optional<Event>> MapMessage(const nlohmann::json& message, const MessageContext& ctx,
                                        const SlackOptions& options);

// MakeEventId("slack", "<team>:<channel>:<ts>"): the ID of a message.
std::string MessageEventId(std::string_view team, std::string_view channel, std::string_view ts);

// "{workspace}/archives/{channel}/p{ts without the dot}", plus
// "?thread_ts={thread_ts}&cid={channel}" for a reply (thread_ts non-empty and != ts).
// "" when workspace, channel or ts is empty.
std::string Permalink(std::string_view workspace, std::string_view channel, std::string_view ts,
                      std::string_view thread_ts);

// "1355517523.000005" -> ns since the epoch, parsed as integers. Accepts "<sec>" and
// "<sec>.<1-9 digits>"; nullopt on anything else.
std::optional<Nanos> ParseSlackTs(std::string_view ts);

// PagerDuty incident references in a message, in order of first appearance, without
// duplicates: "id:<ID>" for every ".pagerduty.com/incidents/<ID>" URL (also inside Slack's
// <url|label> links) and "number:<n>" for every standalone "#<digits>" (not part of a
// word, URL fragment or HTML entity). Used by the daemon to bind a thread to an incident.
std::vector<std::string> FindIncidentReferences(std::string_view text);

}  // namespace timelined::connectors::slack
