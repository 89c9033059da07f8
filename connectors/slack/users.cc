#include "connectors/slack/users.h"

#include "connectors/common/event_limits.h"
#include "connectors/common/json_text.h"
#include "connectors/common/json_util.h"
#include "connectors/slack/replies.h"
#include "store/model/hash.h"
#include "store/model/untrusted.h"

namespace timelined::connectors::slack {

using nlohmann::json;

namespace {

constexpr size_t kMaxNameBytes = 256;

std::string DisplayName(const json& u) {
  for (const std::string& name :
       {StringMember(u, "profile", "display_name"), StringMember(u, "profile", "real_name"),
        StringMember(u, "real_name"), StringMember(u, "name")}) {
    if (!name.empty()) return ElideUtf8(name, kMaxNameBytes);
  }
  return "";
}

}  // namespace

std::string UserEventId(std::string_view team, std::string_view user) {
  std::string ref(team);
  ref.append(":user:").append(user);
  return MakeEventId(kSourceSlack, ref);
}

Result<Event> ParseUserInfo(std::string_view body, std::string_view team, std::string_view user,
                            Nanos received_at, const SlackOptions& options) {
  auto parsed = ParseUntrustedJson(body, kMaxJsonDepth, "users.info answer");
  if (!parsed) return std::unexpected(parsed.error());
  const json& doc = *parsed;
  if (!doc.is_object()) return MakeError(kInvalidPayload, "users.info answer is not an object");
  if (!BoolMember(doc, "ok", false)) {
    return std::unexpected(SlackApiError(StringMember(doc, "error"), "users.info"));
  }
  const json* u = ObjectMember(doc, "user");
  if (u == nullptr) return MakeError(kInvalidPayload, "users.info answer without a user");
  if (StringMember(*u, "id") != user) {
    return MakeError(kInvalidPayload, "users.info answered for another user");
  }
  std::string name = DisplayName(*u);
  if (name.empty()) return MakeError(kInvalidPayload, "users.info answer without any name");
  // USLACKBOT is a bot that Slack does not flag as one.
  const bool bot = BoolMember(*u, "is_bot", false) || user == "USLACKBOT";
  Event e;
  e.source = std::string(kSourceSlack);
  e.source_ref = std::string(team) + ":user:" + std::string(user);
  e.id = MakeEventId(e.source, e.source_ref);
  e.kind = std::string(kUserKind);
  e.received_at = received_at;
  e.occurred_at = received_at;
  if (auto updated = IntMember(*u, "updated");
      updated && *updated > 0 && *updated < int64_t{4'000'000'000}) {
    e.occurred_at = *updated * kNanosPerSecond;
  }
  e.scope = "slack-users/" + std::string(team);
  e.actor = std::string(user);
  e.summary = "Slack user " + std::string(user) + ": " + name + (bot ? " (bot)" : "");
  if (!options.workspace_url.empty()) e.url = options.workspace_url + "/team/" + std::string(user);
  e.raw_sha256 = Sha256Hex(body);
  e.attrs = {{"team", team},
             {"user", user},
             {"display_name", name},
             {"is_bot", bot},
             {"deleted", BoolMember(*u, "deleted", false)}};
  ClampEventFields(e);
  return e;
}

}  // namespace timelined::connectors::slack
