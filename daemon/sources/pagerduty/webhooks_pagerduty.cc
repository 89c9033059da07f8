#include "daemon/sources/pagerduty/webhooks_pagerduty.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "connectors/pagerduty/webhook.h"

namespace timelined::daemon {
namespace {

namespace pd = connectors::pagerduty;
using nlohmann::json;

constexpr const char* kWebhooks = "timelined_webhooks_total";
constexpr const char* kSignatureFailures = "timelined_webhook_signature_failures_total";

// Header values are attacker-controlled: keep what goes into a log line short and printable.
std::string ForLog(std::string_view v) {
  std::string out;
  for (char c : v.substr(0, 64)) {
    out.push_back(c >= 0x21 && c <= 0x7e ? c : '?');
  }
  return out.empty() ? "-" : out;
}

http::Response BackfillErrorResponse(const Error& e) {
  switch (e.code) {
    case ErrorCode::kInvalidInput:
      return http::Response::JsonError(400, e.message, e.detail);
    case ErrorCode::kNotFound:
      return http::Response::JsonError(404, "not_found",
                                       "PagerDuty does not know this incident: " + e.detail);
    case ErrorCode::kExhausted: {
      http::Response r = http::Response::JsonError(503, e.message, e.detail);
      r.SetRetryAfter(60);
      return r;
    }
    default:
      if (e.Is(kNotDurable) || e.Is(kStopping)) {
        http::Response r = http::Response::FromError(e);
        return r;
      }
      // The REST API refused or failed (bad token, 5xx, rate limit after retries).
      return http::Response::JsonError(502, "pagerduty_unavailable", e.message + ": " + e.detail);
  }
}

// {"accepted":..,"inserted":..,"duplicates":..,"ids":[..]}, written directly: this runs on
// the store writer's thread once per delivery. Event IDs are [a-z0-9_] (IsValidEventId).
std::string AcceptedBody(const IngestOutcome& r, const std::vector<std::string>& ids) {
  std::string out = "{\"accepted\":" + std::to_string(r.accepted) +
                    ",\"inserted\":" + std::to_string(r.inserted) +
                    ",\"duplicates\":" + std::to_string(r.duplicates) + ",\"ids\":[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    out += ids[i];
    out += '"';
  }
  out += "]}";
  return out;
}

}  // namespace

Result<std::unique_ptr<PagerDutyEndpoints>> PagerDutyEndpoints::Create(
    const config::PagerDutyConfig& config, IngestPipeline& ingest, http::MetricsRegistry& metrics,
    IncidentHooks* hooks, const Clock& clock) {
  std::unique_ptr<PagerDutyEndpoints> p(new PagerDutyEndpoints(ingest, metrics, clock));
  for (const auto& s : config.subscriptions) {
    auto& secrets = p->options_.subscription_secrets[s.id];
    secrets.push_back(s.secret);
  }
  if (!config.subscriptions.empty()) {
    // At 0 from the start, so increase() sees the first refused delivery (PagerDuty disables
    // a subscription after three): every reason pd::VerifySignature can give.
    for (const Reason& reason : {kMissingSignature, kBadSignature}) {
      metrics.Add(kSignatureFailures,
                  {{"source", "pagerduty"}, {"reason", std::string(reason.name)}}, 0);
    }
  }
  if (!config.api_token.empty()) {
    auto worker = PagerDutyBackfillWorker::Create(config, ingest, metrics);
    if (!worker) return std::unexpected(worker.error());
    p->backfill_ = std::move(*worker);
    if (config.backfill_on_resolve) {
      if (hooks == nullptr) {
        return MakeError(ErrorCode::kInvalidInput, "invalid_config",
                         "pagerduty.backfill_on_resolve needs the store in this process (role "
                         "all); in the ingest role use POST /v1/incidents/{id}/backfill");
      }
      p->backfill_->BackfillOnResolve(*hooks);
    }
  }
  return p;
}

PagerDutyEndpoints::PagerDutyEndpoints(IngestPipeline& ingest, http::MetricsRegistry& metrics,
                                       const Clock& clock)
    : ingest_(ingest), metrics_(metrics), clock_(clock) {
  metrics_.DeclareCounter(kWebhooks, "Webhook deliveries received, by source and result");
  metrics_.DeclareCounter(kSignatureFailures,
                          "Webhook deliveries refused for a missing or bad signature, by source "
                          "and reason");
}

void PagerDutyEndpoints::Stop() {
  if (backfill_) backfill_->Stop();
}

void PagerDutyEndpoints::Count(std::string_view result) {
  metrics_.Add(kWebhooks, {{"source", "pagerduty"}, {"result", std::string(result)}});
}

void PagerDutyEndpoints::Reject(const http::Request& req, const Error& e, http::Respond& respond) {
  // One line per refused delivery, never the body: a wrong secret gets the subscription
  // auto-disabled after three drops, so this must be loud enough to notice.
  spdlog::warn(
      "[src=pagerduty] webhook refused: {} (subscription {}, webhook {}, peer {}, {} bytes); "
      "check the signing secret in [[pagerduty.subscriptions]]",
      e.message, ForLog(req.Header(pd::kSubscriptionHeader)),
      ForLog(req.Header(pd::kWebhookIdHeader)), ForLog(req.remote_address), req.body.size());
  metrics_.Add(kSignatureFailures, {{"source", "pagerduty"}, {"reason", e.message}});
  Count("unauthenticated");
  respond(http::Response::JsonError(401, e.message,
                                    e.Is(kMissingSignature)
                                        ? "X-PagerDuty-Signature header is missing"
                                        : "X-PagerDuty-Signature matches no configured secret"));
}

void PagerDutyEndpoints::HandleWebhook(http::Request& req, http::Respond respond) {
  if (options_.subscription_secrets.empty()) {
    Count("not_configured");
    return respond(http::Response::JsonError(
        404, "not_configured",
        "pagerduty webhooks not configured: add [[pagerduty.subscriptions]] with the signing "
        "secret"));
  }
  if (req.body.size() > kMaxWebhookBytes) {
    Count("too_large");
    return respond(
        http::Response::JsonError(413, "body_too_large", "PagerDuty webhooks are at most 2 MiB"));
  }
  auto secrets = pd::SecretsFor(options_, req.Header(pd::kSubscriptionHeader));
  if (auto v = pd::VerifySignature(req.body, req.Header(pd::kSignatureHeader), secrets); !v) {
    return Reject(req, v.error(), respond);
  }
  auto parsed = pd::ParseWebhook(req.body, req.headers, clock_.Now());
  if (!parsed) {
    Count("invalid");
    spdlog::warn("[src=pagerduty] signed webhook {} not understood: {}: {}",
                 ForLog(req.Header(pd::kWebhookIdHeader)), parsed.error().message,
                 parsed.error().detail);
    return respond(http::Response::JsonError(400, parsed.error().message, parsed.error().detail));
  }
  if (parsed->ping) {
    Count("ping");
    return respond(http::Response::Json(200, R"({"status":"ok","ping":true})"));
  }
  std::vector<std::string> ids;
  ids.reserve(parsed->events.size());
  for (const Event& e : parsed->events) ids.push_back(e.id);
  ingest_.Submit(
      "pagerduty", std::move(parsed->events),
      [this, respond = std::move(respond), ids = std::move(ids)](Result<IngestOutcome> r) {
        if (!r) {
          Count("unavailable");
          return respond(http::Response::FromError(r.error()));  // with its Retry-After
        }
        Count(r->inserted > 0 ? "stored" : "duplicate");
        respond(http::Response::Json(200, AcceptedBody(*r, ids)));
      });
}

void PagerDutyEndpoints::HandleBackfill(http::Request& req, http::Respond respond) {
  if (!backfill_) {
    return respond(http::Response::JsonError(
        404, "backfill_not_configured",
        "PagerDuty backfill needs [pagerduty] api_token (or api_token_env / api_token_file)"));
  }
  backfill_->Enqueue(
      req.path_params["id"], "api", [respond = std::move(respond)](Result<BackfillReport> r) {
        if (!r) return respond(BackfillErrorResponse(r.error()));
        respond(
            http::Response::Json(200, json{{"incident_id", r->incident_id},
                                           {"log_entries", r->fetched},
                                           {"inserted", r->inserted},
                                           {"already_known", r->duplicates},
                                           {"incident", IncidentToJson(r->incident)}}
                                          .dump(-1, ' ', false, json::error_handler_t::replace)));
      });
}

}  // namespace timelined::daemon
