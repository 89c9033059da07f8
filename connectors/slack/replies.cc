#include "connectors/slack/replies.h"

#include <array>
#include <utility>

#include "connectors/common/json_util.h"
#include "store/model/hash.h"
#include "store/model/untrusted.h"

namespace timelined::connectors::slack {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<std::string_view, ErrorCode>, 18> kCodes = {{
    {"ratelimited", ErrorCode::kExhausted},
    {"channel_not_found", ErrorCode::kNotFound},
    {"thread_not_found", ErrorCode::kNotFound},
    {"message_not_found", ErrorCode::kNotFound},
    {"user_not_found", ErrorCode::kNotFound},
    {"user_not_visible", ErrorCode::kNotFound},
    {"not_in_channel", ErrorCode::kPermissionDenied},
    {"missing_scope", ErrorCode::kPermissionDenied},
    {"access_denied", ErrorCode::kPermissionDenied},
    {"no_permission", ErrorCode::kPermissionDenied},
    {"not_authed", ErrorCode::kUnauthenticated},
    {"invalid_auth", ErrorCode::kUnauthenticated},
    {"account_inactive", ErrorCode::kUnauthenticated},
    {"token_revoked", ErrorCode::kUnauthenticated},
    {"token_expired", ErrorCode::kUnauthenticated},
    {"invalid_cursor", ErrorCode::kInvalidInput},
    {"invalid_arguments", ErrorCode::kInvalidInput},
    {"invalid_ts_latest", ErrorCode::kInvalidInput},
}};

}  // namespace

Error SlackApiError(std::string_view code, std::string_view method) {
  ErrorCode mapped = ErrorCode::kUnavailable;
  for (const auto& [name, value] : kCodes) {
    if (name == code) mapped = value;
  }
  std::string message = code.empty() ? "slack_error" : std::string(code);
  return Error{mapped, message, std::string(method) + " failed: " + message};
}

Result<RepliesPage> ParseRepliesPage(std::string_view body, std::string_view team,
                                     std::string_view channel, Nanos received_at,
                                     const SlackOptions& options) {
  auto parsed = ParseUntrustedJson(body, kMaxJsonDepth, "replies page");
  if (!parsed) return std::unexpected(parsed.error());
  json doc = std::move(*parsed);
  if (!doc.is_object()) {
    return MakeError(kInvalidPayload, "replies page is not an object");
  }
  if (!BoolMember(doc, "ok", false)) {
    return std::unexpected(SlackApiError(StringMember(doc, "error"), "conversations.replies"));
  }
  const json* messages = ArrayMember(doc, "messages");
  if (messages == nullptr) {
    return MakeError(kInvalidPayload, "replies page without messages");
  }
  RepliesPage page;
  page.has_more = BoolMember(doc, "has_more", false);
  page.next_cursor = StringMember(doc, "response_metadata", "next_cursor");
  MessageContext ctx{std::string(team), std::string(channel), "", "", Sha256Hex(body), received_at};
  for (const json& m : *messages) {
    auto mapped = MapMessage(m, ctx, options);
    if (!mapped) {
      ++page.skipped;
    } else if (mapped->has_value()) {
      page.events.push_back(std::move(**mapped));
    }
  }
  return page;
}

}  // namespace timelined::connectors::slack
