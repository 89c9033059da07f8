#include "connectors/slack/message.h"

#include <array>

#include "connectors/common/event_limits.h"
#include "connectors/common/json_text.h"
#include "connectors/common/json_util.h"

namespace timelined::connectors::slack {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 4> kIgnoredSubtypes = {"channel_join", "channel_leave",
                                                              "group_join", "group_leave"};

std::unexpected<Error> InvalidMessage(std::string_view what) {
  return MakeError(ErrorCode::kInvalidInput, "invalid_message",
                   "Slack message with a missing or malformed " + std::string(what));
}

std::string SourceRef(const MessageContext& ctx, std::string_view ts) {
  return ctx.team + ":" + ctx.channel + ":" + std::string(ts);
}

bool IsOwnBot(const json& m, const SlackOptions& options) {
  return !options.own_bot_id.empty() && StringMember(m, "bot_id") == options.own_bot_id;
}

// The text a reader sees: text, else the first attachment's fallback, else file names.
std::string DisplayText(const json& m) {
  std::string text = StringMember(m, "text");
  if (!text.empty()) return text;
  if (const json* attachments = ArrayMember(m, "attachments");
      attachments && !attachments->empty()) {
    text = StringMember(attachments->front(), "fallback");
    if (text.empty()) text = StringMember(attachments->front(), "text");
  }
  return text;
}

// Base event: identity, times, place; kind-specific fields are filled by the callers.
Event BaseEvent(const MessageContext& ctx, std::string kind, std::string source_ref, Nanos at) {
  Event e;
  e.source = std::string(kSourceSlack);
  e.source_ref = std::move(source_ref);
  e.id = MakeEventId(e.source, e.source_ref);
  e.kind = std::move(kind);
  e.occurred_at = at;
  e.received_at = ctx.received_at;
  e.raw_sha256 = ctx.raw_sha256;
  e.scope = "slack/" + ctx.channel;
  e.attrs["team"] = ctx.team;
  e.attrs["channel"] = ctx.channel;
  if (!ctx.channel_type.empty()) e.attrs["channel_type"] = ctx.channel_type;
  if (!ctx.event_id.empty()) e.attrs["event_id"] = ctx.event_id;
  return e;
}

void AddMessageAttrs(const json& m, Event& e) {
  json& a = e.attrs;
  std::string ts = StringMember(m, "ts");
  std::string thread_ts = StringMember(m, "thread_ts");
  a["ts"] = ts;
  if (!thread_ts.empty()) a["thread_ts"] = thread_ts;
  a["is_reply"] = !thread_ts.empty() && thread_ts != ts;
  if (std::string subtype = StringMember(m, "subtype"); !subtype.empty()) a["subtype"] = subtype;
  a["user"] = StringMember(m, "user");
  std::string bot_id = StringMember(m, "bot_id");
  a["bot"] = !bot_id.empty() || StringMember(m, "subtype") == "bot_message";
  if (!bot_id.empty()) a["bot_id"] = bot_id;
  if (auto replies = IntMember(m, "reply_count")) a["reply_count"] = *replies;
  if (const json* reactions = ArrayMember(m, "reactions")) {
    json list = json::array();
    for (const json& r : *reactions) {
      list.push_back(
          {{"name", StringMember(r, "name")}, {"count", IntMember(r, "count").value_or(0)}});
    }
    a["reactions"] = std::move(list);
  }
  const json* pinned_to = ArrayMember(m, "pinned_to");
  if ((pinned_to != nullptr && !pinned_to->empty()) || BoolMember(m, "is_pinned", false)) {
    a["pinned"] = true;
  }
  if (const json* files = ArrayMember(m, "files")) {
    json names = json::array();
    for (const json& f : *files) names.push_back(StringMember(f, "name"));
    a["files"] = std::move(names);
  }
}

std::string ActorOf(const json& m) {
  if (!StringMember(m, "bot_id").empty() || StringMember(m, "subtype") == "bot_message") {
    for (std::string name : {StringMember(m, "username"), StringMember(m, "bot_profile", "name"),
                             StringMember(m, "bot_id")}) {
      if (!name.empty()) return name;
    }
  }
  return StringMember(m, "user");
}

void SetText(const json& m, Event& e) {
  e.body = DisplayText(m);
  e.summary = ElideUtf8(e.body, kSummaryBytes);
}

Result<std::optional<Event>> MapPlain(const json& m, const MessageContext& ctx,
                                      const SlackOptions& options) {
  if (IsOwnBot(m, options)) return std::nullopt;
  std::string ts = StringMember(m, "ts");
  auto at = ParseSlackTs(ts);
  if (!at) return InvalidMessage("ts");
  Event e = BaseEvent(ctx, "slack.message", SourceRef(ctx, ts), *at);
  AddMessageAttrs(m, e);
  e.actor = ActorOf(m);
  SetText(m, e);
  e.url = Permalink(options.workspace_url, ctx.channel, ts, StringMember(m, "thread_ts"));
  return e;
}

Result<std::optional<Event>> MapEdit(const json& outer, const MessageContext& ctx,
                                     const SlackOptions& options) {
  const json* m = ObjectMember(outer, "message");
  if (m == nullptr || ObjectMember(*m, "edited") == nullptr) return std::nullopt;  // not an edit
  if (IsOwnBot(*m, options)) return std::nullopt;
  std::string ts = StringMember(*m, "ts");
  std::string edited_ts = StringMember(*m, "edited", "ts");
  if (!ParseSlackTs(ts)) return InvalidMessage("message.ts");
  auto at = ParseSlackTs(edited_ts);
  if (!at) at = ParseSlackTs(StringMember(outer, "ts"));
  if (!at) return InvalidMessage("edited.ts");
  Event e = BaseEvent(ctx, "slack.message_changed", SourceRef(ctx, ts) + ":edit:" + edited_ts, *at);
  AddMessageAttrs(*m, e);
  e.attrs["subtype"] = "message_changed";
  e.attrs["edited_ts"] = edited_ts;
  e.attrs["supersedes"] = MessageEventId(ctx.team, ctx.channel, ts);
  std::string editor = StringMember(*m, "edited", "user");
  e.actor = editor.empty() ? ActorOf(*m) : editor;
  SetText(*m, e);
  e.url = Permalink(options.workspace_url, ctx.channel, ts, StringMember(*m, "thread_ts"));
  return e;
}

Result<std::optional<Event>> MapDelete(const json& outer, const MessageContext& ctx,
                                       const SlackOptions& options) {
  const json* previous = ObjectMember(outer, "previous_message");
  if (previous != nullptr && IsOwnBot(*previous, options)) return std::nullopt;
  std::string ts = StringMember(outer, "deleted_ts");
  if (ts.empty() && previous != nullptr) ts = StringMember(*previous, "ts");
  if (!ParseSlackTs(ts)) return InvalidMessage("deleted_ts");
  auto at = ParseSlackTs(StringMember(outer, "ts"));
  if (!at) at = ParseSlackTs(ts);
  Event e = BaseEvent(ctx, "slack.message_deleted", SourceRef(ctx, ts) + ":deleted", *at);
  std::string thread_ts = previous ? StringMember(*previous, "thread_ts") : std::string();
  e.attrs["subtype"] = "message_deleted";
  e.attrs["ts"] = ts;
  if (!thread_ts.empty()) e.attrs["thread_ts"] = thread_ts;
  e.attrs["original_user"] = previous ? StringMember(*previous, "user") : std::string();
  e.attrs["supersedes"] = MessageEventId(ctx.team, ctx.channel, ts);
  e.summary = "Message deleted";
  e.url = Permalink(options.workspace_url, ctx.channel, ts, thread_ts);
  return e;
}

}  // namespace

std::string MessageEventId(std::string_view team, std::string_view channel, std::string_view ts) {
  std::string ref(team);
  ref.append(":").append(channel).append(":").append(ts);
  return MakeEventId(kSourceSlack, ref);
}

namespace {

Result<std::optional<Event>> MapAny(const json& message, const MessageContext& ctx,
                                    const SlackOptions& options) {
  std::string subtype = StringMember(message, "subtype");
  for (std::string_view ignored : kIgnoredSubtypes) {
    if (subtype == ignored) return std::nullopt;
  }
  if (subtype == "message_changed") return MapEdit(message, ctx, options);
  if (subtype == "message_deleted") return MapDelete(message, ctx, options);
  // message_replied (the parent's metadata update) arrives over the Events API without its
  // subtype; either way the nested message is the parent: map it as the plain message.
  const json* nested = ObjectMember(message, "message");
  if (subtype == "message_replied" || (subtype.empty() && nested != nullptr)) {
    if (nested == nullptr) return std::nullopt;
    return MapPlain(*nested, ctx, options);
  }
  return MapPlain(message, ctx, options);
}

}  // namespace

Result<std::optional<Event>> MapMessage(const json& message, const MessageContext& ctx,
                                        const SlackOptions& options) {
  constexpr size_t kMaxIdBytes = 128;
  if (ctx.team.empty() || ctx.channel.empty() || ctx.team.size() > kMaxIdBytes ||
      ctx.channel.size() > kMaxIdBytes) {
    return InvalidMessage("team or channel");
  }
  auto mapped = MapAny(message, ctx, options);
  if (mapped && mapped->has_value()) ClampEventFields(**mapped);
  return mapped;
}

}  // namespace timelined::connectors::slack
