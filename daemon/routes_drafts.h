#pragma once
// Routes of the drafts API (DESIGN.md "HTTP API"):
//   POST /v1/incidents/{id}/regenerate        scope regenerate, or an HMAC-signed request
//   GET  /v1/incidents/{id}/timeline.md|.json ?version=N (default: latest)       scope read
//   GET  /v1/incidents/{id}/drafts            versions with meta and stale       scope read
//   GET  /v1/incidents/{id}/diff?from=N&to=M  JSON; Markdown with ?format=md or
//                                             Accept: text/markdown              scope read
//
// Signed regenerate (for chat-ops bots and CI jobs that hold a shared secret rather than a
// token): headers
//   X-Timelined-Timestamp: <unix seconds>        within [summarizer] max_clock_skew_s of now
//   Idempotency-Key: <1..200 visible ASCII chars>   required
//   X-Timelined-Signature: v1=<hex HMAC-SHA256(regenerate_secret, StringToSign)>
//   StringToSign = timestamp "\n" "POST " path "\n" idempotency_key "\n" body
// (path as sent, e.g. /v1/incidents/Q1ABC/regenerate; the body may be empty). Signing the
// path and the key stops a captured request from being replayed against another incident
// or under a fresh key. Signed requests are trigger `regenerate`; bearer-token requests are
// trigger `api` and honour an Idempotency-Key when given. The same key answers with the
// first answer (status, body, Location) and builds no second version.
// The answer, once the new version is stored: 202, Location: .../timeline.json?version=N.
#include <functional>
#include <optional>
#include <string>

#include "daemon/config/auth.h"
#include "daemon/drafts_service.h"
#include "daemon/guard.h"
#include "daemon/http/router.h"
#include "store/draft_store.h"
#include "store/model/time.h"

namespace timelined::daemon {

struct DraftRoutesContext {
  const store::DraftStore& store;
  DraftService& service;
  const config::Authenticator& auth;
  std::string regenerate_secret;  // "" = signed requests refused
  int max_clock_skew_s = 300;
  const Clock& clock;
};

// Adds the routes above. `guarded` wraps a handler with the bearer-token check (App::Guarded).
void AddDraftRoutes(http::Router& router, const GuardFn& guarded, const DraftRoutesContext& ctx);

// The bearer-token check of a route, on the header alone (a GatedHandler's HeaderCheck):
// nullopt when `req` may use `scope` (and req.principal names the token), else the 401
// (with WWW-Authenticate: Bearer) or 403.
std::optional<http::Response> BearerCheck(const config::Authenticator& auth, config::Scope scope,
                                          http::Request& req);

// The signature a client sends (see above); exposed for tests and clients.
std::string RegenerateSignature(std::string_view secret, std::string_view timestamp,
                                std::string_view path, std::string_view idempotency_key,
                                std::string_view body);

// Checks the signed-request headers of `req` against `secret` at `now`: kUnauthenticated
// ("bad_signature", "stale_timestamp", "signature_not_configured") or kInvalidInput
// ("missing_idempotency_key", "bad_timestamp").
Result<void> VerifyRegenerateRequest(const http::Request& req, std::string_view secret,
                                     int max_clock_skew_s, Nanos now);

}  // namespace timelined::daemon
