#pragma once
// users.info (Slack Web API) -> one `slack.user` Event: the name Slack shows for a user, so
// a draft reads "Alice Chen" where the message only says U0ALICE. Pure; thread-safe.
//
// Identity: source_ref "<team>:user:<user id>" (UserEventId), one event per user and
// workspace. The store keeps the first copy of an ID, so a draft rebuilt later shows the
// same name; a rename does not rewrite evidence already cited.
// Fields: kind "slack.user"; actor = the user id; occurred_at = user.updated (seconds) when
// present, else received_at; summary "Slack user <id>: <name>" (plus " (bot)"); body empty;
// url = the profile "{workspace}/team/{id}" when workspace_url is set; scope
// "slack-users/<team>", which no service's scopes name, so correlation never draws a user as
// a timeline event; raw_sha256 = Sha256Hex(body).
// attrs: team, user, display_name (what Slack shows: profile.display_name, else
// profile.real_name, else real_name, else the handle `name`), is_bot (bool; Slackbot counts
// as a bot), deleted (bool). Nothing else of the profile is kept: no e-mail, handle (often
// the e-mail's local part), phone, title, status, time zone or images.
#include <string>
#include <string_view>

#include "connectors/slack/message.h"
#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/time.h"

namespace timelined::connectors::slack {

inline constexpr std::string_view kUserKind = "slack.user";

// MakeEventId("slack", "<team>:user:<user>"): the ID of a user's `slack.user` event. Message
// refs are "<team>:<channel>:<ts>" with an upper-case channel id, so they never collide.
std::string UserEventId(std::string_view team, std::string_view user);

// A users.info answer for `user` -> its event. Errors: kInvalidInput "invalid_json" /
// "invalid_payload" (not an object, no user object, or a user other than the one asked for,
// or no name at all); "ok": false -> SlackApiError (e.g. user_not_found -> kNotFound,
// missing_scope -> kPermissionDenied).
Result<Event> ParseUserInfo(std::string_view body, std::string_view team, std::string_view user,
                            Nanos received_at, const SlackOptions& options);

}  // namespace timelined::connectors::slack
