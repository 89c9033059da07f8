#include "daemon/routes_drafts.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "store/model/hash.h"
#include "summarizer/diff.h"

namespace timelined::daemon {
namespace {

using http::Request;
using http::Respond;
using http::Response;
using nlohmann::json;

constexpr size_t kMaxIdempotencyKey = 200;

// ?name=N as a positive version; nullopt when absent; error when malformed.
Result<int> VersionParam(const Request& req, const std::string& name) {
  auto v = req.Query(name);
  if (!v) return 0;
  int n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n < 1) {
    return MakeError(ErrorCode::kInvalidInput, "bad_version",
                     name + " must be a positive draft version number");
  }
  return n;
}

Response NoDraft(const std::string& id, int version) {
  return Response::JsonError(
      404, "not_found",
      version > 0 ? "incident " + id + " has no draft version " + std::to_string(version)
                  : "incident " + id + " has no draft");
}

Response WithDraftHeaders(Response r, const store::StoredDraft& d) {
  r.headers.emplace_back("X-Timelined-Draft-Version", std::to_string(d.version));
  r.headers.emplace_back("X-Timelined-Draft-Stale", d.stale ? "true" : "false");
  return r;
}

void HandleTimeline(const DraftRoutesContext& ctx, bool markdown, Request& req,
                    const Respond& respond) {
  const std::string& id = req.path_params["id"];
  auto version = VersionParam(req, "version");
  if (!version) return respond(Response::FromError(version.error()));
  auto d = ctx.store.GetDraft(id, *version);
  if (!d) return respond(Response::FromError(d.error()));
  if (!d->has_value()) return respond(NoDraft(id, *version));
  const store::StoredDraft& draft = **d;
  if (markdown) {
    respond(WithDraftHeaders(
        Response::Text(200, ServedMarkdown(draft), "text/markdown; charset=utf-8"), draft));
  } else {
    respond(WithDraftHeaders(Response::Json(200, ServedJson(draft)), draft));
  }
}

json DraftInfoJson(const store::StoredDraft& d) {
  const std::string base = "/v1/incidents/" + d.incident_id + "/timeline";
  const std::string q = "?version=" + std::to_string(d.version);
  return json{{"version", d.version},
              {"trigger", d.trigger},
              {"generator", d.generator},
              {"config_hash", d.config_hash},
              {"input_digest", d.input_digest},
              {"created_at", d.created_at},
              {"created_at_rfc3339", FormatRfc3339(d.created_at, 3)},
              {"stale", d.stale},
              {"markdown", base + ".md" + q},
              {"json", base + ".json" + q}};
}

void HandleListDrafts(const DraftRoutesContext& ctx, Request& req, const Respond& respond) {
  const std::string& id = req.path_params["id"];
  auto list = ctx.store.ListDrafts(id);
  if (!list) return respond(Response::FromError(list.error()));
  json drafts = json::array();
  for (const auto& d : *list) drafts.push_back(DraftInfoJson(d));
  respond(Response::Json(200, json{{"incident_id", id},
                                   {"latest", list->empty() ? 0 : list->back().version},
                                   {"drafts", drafts}}
                                  .dump()));
}

bool WantsMarkdown(const Request& req) {
  if (auto f = req.Query("format")) return *f == "md" || *f == "markdown";
  return req.Header("accept").find("text/markdown") != std::string_view::npos;
}

void HandleDiff(const DraftRoutesContext& ctx, Request& req, const Respond& respond) {
  const std::string& id = req.path_params["id"];
  auto from = VersionParam(req, "from");
  if (!from) return respond(Response::FromError(from.error()));
  auto to = VersionParam(req, "to");
  if (!to) return respond(Response::FromError(to.error()));
  if (*to == 0) {
    auto latest = ctx.store.LatestDraftVersion(id);
    if (!latest) return respond(Response::FromError(latest.error()));
    if (*latest == 0) return respond(NoDraft(id, 0));
    *to = *latest;
  }
  if (*from == 0) *from = std::max(1, *to - 1);
  auto a = ctx.store.GetDraft(id, *from);
  if (!a) return respond(Response::FromError(a.error()));
  if (!a->has_value()) return respond(NoDraft(id, *from));
  auto b = ctx.store.GetDraft(id, *to);
  if (!b) return respond(Response::FromError(b.error()));
  if (!b->has_value()) return respond(NoDraft(id, *to));
  auto diff = summarizer::DiffTimelineJson((*a)->json, (*b)->json);
  if (!diff) return respond(Response::FromError(diff.error()));
  if (WantsMarkdown(req)) {
    std::string md = "## Draft diff: incident " + id + ", version " + std::to_string(*from) +
                     " \xE2\x86\x92 " + std::to_string(*to) + "\n\n" +
                     summarizer::DiffToMarkdown(*diff);
    return respond(Response::Text(200, std::move(md), "text/markdown; charset=utf-8"));
  }
  json body{{"incident_id", id}, {"from", *from}, {"to", *to}};
  body["diff"] = json::parse(summarizer::DiffToJson(*diff), nullptr, false);
  respond(Response::Json(200, body.dump(-1, ' ', false, json::error_handler_t::replace)));
}

bool VisibleAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// 202 with where the new version is served, or the error (FromError gives it its status and,
// when retryable, its Retry-After).
Response GeneratedResponse(const DraftService::Outcome& o) {
  if (!o) return Response::FromError(o.error());
  const std::string location = DraftPath(o->incident_id, o->version, "json");
  Response r =
      Response::Json(202, json{{"incident_id", o->incident_id},
                               {"version", o->version},
                               {"trigger", o->trigger},
                               {"input_digest", o->input_digest},
                               {"cited", o->cited},
                               {"correlated", o->correlated},
                               {"location", location},
                               {"markdown_location", DraftPath(o->incident_id, o->version, "md")}}
                              .dump(-1, ' ', false, json::error_handler_t::replace));
  r.headers.emplace_back("Location", location);
  return r;
}

void HandleRegenerate(const DraftRoutesContext& ctx, Request& req, Respond respond) {
  std::string key(req.Header("idempotency-key"));
  if (key.size() > kMaxIdempotencyKey || !VisibleAscii(key)) {
    return respond(Response::JsonError(400, "bad_idempotency_key",
                                       "Idempotency-Key: 1 to 200 visible ASCII characters"));
  }
  // Unsigned requests passed RegenerateCheck's bearer check on the header.
  std::string trigger = "api";
  if (!req.Header("x-timelined-signature").empty()) {
    auto ok =
        VerifyRegenerateRequest(req, ctx.regenerate_secret, ctx.max_clock_skew_s, ctx.clock.Now());
    if (!ok) return respond(Response::FromError(ok.error()));
    trigger = "regenerate";
  }
  ctx.service.Generate(req.path_params["id"], trigger, std::move(key),
                       [respond = std::move(respond)](const DraftService::Outcome& o) {
                         respond(GeneratedResponse(o));
                       });
}

// A signed request is verified with its body (the signature covers it); any other needs a
// token with scope regenerate, checked on the header.
std::optional<Response> RegenerateCheck(const DraftRoutesContext& ctx, Request& req) {
  if (!req.Header("x-timelined-signature").empty()) return std::nullopt;
  return BearerCheck(ctx.auth, config::Scope::kRegenerate, req);
}

}  // namespace

std::optional<http::Response> BearerCheck(const config::Authenticator& auth, config::Scope scope,
                                          http::Request& req) {
  auto who = auth.Authenticate(req.Header("authorization"), scope,
                               config::IsLoopbackAddress(req.remote_address));
  if (who) {
    req.principal = who->name;
    return std::nullopt;
  }
  Response r = Response::FromError(who.error());
  if (r.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

std::string RegenerateSignature(std::string_view secret, std::string_view timestamp,
                                std::string_view path, std::string_view idempotency_key,
                                std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + path.size() + idempotency_key.size() + body.size() + 8);
  message.append(timestamp).append("\nPOST ").append(path).append("\n");
  message.append(idempotency_key).append("\n").append(body);
  return SignV1(secret, message);
}

Result<void> VerifyRegenerateRequest(const http::Request& req, std::string_view secret,
                                     int max_clock_skew_s, Nanos now) {
  if (secret.empty()) {
    return MakeError(ErrorCode::kUnauthenticated, "signature_not_configured",
                     "signed regenerate requests need [summarizer] regenerate_secret");
  }
  const std::string_view key = req.Header("idempotency-key");
  if (key.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "missing_idempotency_key",
                     "a signed regenerate request needs an Idempotency-Key header");
  }
  const std::string_view ts = req.Header("x-timelined-timestamp");
  int64_t seconds = 0;
  auto [p, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), seconds);
  if (ts.empty() || ec != std::errc() || p != ts.data() + ts.size()) {
    return MakeError(ErrorCode::kInvalidInput, "bad_timestamp",
                     "X-Timelined-Timestamp must be unix seconds");
  }
  const int64_t skew = now / kNanosPerSecond - seconds;
  if (skew > max_clock_skew_s || skew < -max_clock_skew_s) {
    return MakeError(ErrorCode::kUnauthenticated, "stale_timestamp",
                     "X-Timelined-Timestamp is more than " + std::to_string(max_clock_skew_s) +
                         " s from the server's clock");
  }
  const std::string expected = RegenerateSignature(secret, ts, req.path, key, req.body);
  if (!ConstantTimeEqual(expected, req.Header("x-timelined-signature"))) {
    return MakeError(kBadSignature, "X-Timelined-Signature does not match the request");
  }
  return {};
}

void AddDraftRoutes(http::Router& router, const GuardFn& guarded, const DraftRoutesContext& ctx) {
  using config::Scope;
  const DraftRoutesContext* c = &ctx;
  router.Add("POST", "/v1/incidents/{id}/regenerate",
             http::Gated([c](Request& r) { return RegenerateCheck(*c, r); },
                         [c](Request& r, Respond d) { HandleRegenerate(*c, r, std::move(d)); }));
  router.Add(
      "GET", "/v1/incidents/{id}/timeline.md",
      guarded(Scope::kRead, [c](Request& r, const Respond& d) { HandleTimeline(*c, true, r, d); }));
  router.Add("GET", "/v1/incidents/{id}/timeline.json",
             guarded(Scope::kRead,
                     [c](Request& r, const Respond& d) { HandleTimeline(*c, false, r, d); }));
  router.Add(
      "GET", "/v1/incidents/{id}/drafts",
      guarded(Scope::kRead, [c](Request& r, const Respond& d) { HandleListDrafts(*c, r, d); }));
  router.Add("GET", "/v1/incidents/{id}/diff",
             guarded(Scope::kRead, [c](Request& r, const Respond& d) { HandleDiff(*c, r, d); }));
}

}  // namespace timelined::daemon
