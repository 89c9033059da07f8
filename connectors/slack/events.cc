#include "connectors/slack/events.h"

#include "connectors/common/json_util.h"
#include "store/model/hash.h"
#include "store/model/untrusted.h"

namespace timelined::connectors::slack {

using nlohmann::json;

namespace {

std::unexpected<Error> Missing(std::string_view field) {
  return MakeError(ErrorCode::kInvalidInput, "missing_field",
                   "Slack event without " + std::string(field));
}

// reaction_added/_removed, pin_added/_removed: the item is a message identified by
// (channel, ts).
Result<std::optional<Event>> MapItemEvent(const json& ev, MessageContext ctx,
                                          const std::string& kind, const SlackOptions& options) {
  const json* item = ObjectMember(ev, "item");
  if (item == nullptr || StringMember(*item, "type") != "message") return std::nullopt;
  ctx.channel = StringMember(*item, "channel");
  if (ctx.channel.empty()) ctx.channel = StringMember(ev, "channel_id");
  std::string item_ts = StringMember(*item, "ts");
  if (item_ts.empty()) item_ts = StringMember(*item, "message", "ts");
  std::string user = StringMember(ev, "user");
  std::string reaction = StringMember(ev, "reaction");
  auto at = ParseSlackTs(StringMember(ev, "event_ts"));
  if (ctx.channel.empty() || ctx.channel.size() > 128 || ctx.team.size() > 128 ||
      user.size() > 128 || reaction.size() > 256 || !ParseSlackTs(item_ts) || !at) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_message", kind + " without item or time");
  }
  Event e;
  e.source = std::string(kSourceSlack);
  e.source_ref = ctx.team + ":" + ctx.channel + ":" + item_ts + ":" + kind + ":" + user + ":" +
                 reaction + ":" + StringMember(ev, "event_ts");
  e.id = MakeEventId(e.source, e.source_ref);
  e.kind = "slack." + kind;
  e.occurred_at = *at;
  e.received_at = ctx.received_at;
  e.raw_sha256 = ctx.raw_sha256;
  e.scope = "slack/" + ctx.channel;
  e.actor = user;
  const bool removed = kind.ends_with("_removed");
  e.summary = reaction.empty() ? (removed ? "Unpinned a message" : "Pinned a message")
                               : (removed ? "Removed reaction :" : "Reacted :") + reaction + ":";
  e.url = Permalink(options.workspace_url, ctx.channel, item_ts, {});
  e.attrs = {{"team", ctx.team},
             {"channel", ctx.channel},
             {"ts", item_ts},
             {"user", user},
             {"event_id", ctx.event_id},
             {"target", MessageEventId(ctx.team, ctx.channel, item_ts)}};
  if (!reaction.empty()) e.attrs["reaction"] = reaction;
  return e;
}

Result<std::optional<Event>> MapInner(const json& ev, const MessageContext& ctx,
                                      const SlackOptions& options) {
  std::string type = StringMember(ev, "type");
  if (type == "reaction_added") return MapItemEvent(ev, ctx, "reaction_added", options);
  if (type == "pin_added") return MapItemEvent(ev, ctx, "pin_added", options);
  if (type == "reaction_removed") return MapItemEvent(ev, ctx, "reaction_removed", options);
  if (type == "pin_removed") return MapItemEvent(ev, ctx, "pin_removed", options);
  if (type != "message" && type != "app_mention") return std::nullopt;
  if (ctx.channel.empty()) return Missing("event.channel");
  return MapMessage(ev, ctx, options);
}

Result<SlackParse> ParseCallback(const json& doc, std::string_view raw_body, Nanos received_at,
                                 const SlackOptions& options) {
  SlackParse out;
  out.type = SlackParse::kIgnored;
  out.team_id = StringMember(doc, "team_id");
  out.event_id = StringMember(doc, "event_id");
  if (out.team_id.empty()) return Missing("team_id");
  if (out.event_id.empty()) return Missing("event_id");
  out.dedup_key = out.team_id + ":" + out.event_id;
  const json* ev = ObjectMember(doc, "event");
  if (ev == nullptr) return Missing("event");
  MessageContext ctx{out.team_id,  StringMember(*ev, "channel"), StringMember(*ev, "channel_type"),
                     out.event_id, Sha256Hex(raw_body),          received_at};
  auto mapped = MapInner(*ev, ctx, options);
  if (!mapped) return std::unexpected(mapped.error());
  if (mapped->has_value()) {
    out.type = SlackParse::kEventCallback;
    out.events.push_back(std::move(**mapped));
  }
  return out;
}

}  // namespace

Result<SlackParse> ParseEventsApi(std::string_view raw_body, Nanos received_at,
                                  const SlackOptions& options) {
  auto parsed = ParseUntrustedJson(raw_body, kMaxJsonDepth, "Slack request");
  if (!parsed) return std::unexpected(parsed.error());
  json doc = std::move(*parsed);
  if (!doc.is_object()) {
    return MakeError(kInvalidPayload, "body is not a JSON object");
  }
  std::string type = StringMember(doc, "type");
  SlackParse out;
  if (type == "url_verification") {
    out.type = SlackParse::kUrlVerification;
    out.challenge = StringMember(doc, "challenge");
    if (out.challenge.empty()) return Missing("challenge");
    return out;
  }
  if (type == "app_rate_limited") {
    out.type = SlackParse::kRateLimited;
    out.team_id = StringMember(doc, "team_id");
    return out;
  }
  if (type == "event_callback") return ParseCallback(doc, raw_body, received_at, options);
  out.type = SlackParse::kIgnored;
  return out;
}

}  // namespace timelined::connectors::slack
