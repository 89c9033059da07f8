#pragma once
// PagerDuty in the daemon (PROTOCOLS.md §1):
//
//   POST /webhooks/pagerduty          V3 webhooks. Not bearer-guarded: the
//                                     X-PagerDuty-Signature (HMAC-SHA256 of the raw body with
//                                     the subscription's secrets) is the authentication.
//   POST /v1/incidents/{id}/backfill  REST log entries + incident (scope admin; App guards it).
//
// Webhook answers (JSON bodies): 200 once the event is durable (a retry of a stored delivery
// is 200 with duplicates = 1); 200 for pagey.ping (nothing stored); 401 missing or bad
// signature (one warn line without the body, counted); 400 malformed JSON or missing fields
// under a valid signature; 404 when no [[pagerduty.subscriptions]] are configured; 413 over
// kMaxWebhookBytes; 503 + Retry-After when not durable within server.publish_timeout_ms.
//
// Metrics: timelined_webhooks_total{source="pagerduty",result}, and
// timelined_webhook_signature_failures_total{source="pagerduty",reason}.
//
// Threads: handlers run on the HTTP server's I/O threads and never block; the backfill runs
// on PagerDutyBackfillWorker's thread. Immutable after Create except for the worker.
#include <memory>

#include "connectors/pagerduty/signature.h"
#include "daemon/config/pagerduty.h"
#include "daemon/http/metrics.h"
#include "daemon/http/types.h"
#include "daemon/incident_hooks.h"
#include "daemon/ingest/pipeline.h"
#include "daemon/sources/pagerduty/pagerduty_backfill.h"
#include "store/model/time.h"

namespace timelined::daemon {

class PagerDutyEndpoints {
 public:
  // PagerDuty drops anything over 256 KB; go-pagerduty caps reads at 2 MiB.
  static constexpr size_t kMaxWebhookBytes = 2 * 1024 * 1024;

  // Builds the backfill worker when an api_token is configured and, with
  // backfill_on_resolve, subscribes it to `hooks`. `hooks` is null where this process has
  // no store (the ingest role): the resolve is then stored elsewhere and backfill_on_resolve
  // cannot fire here; that is refused with a clear error rather than silently ignored.
  static Result<std::unique_ptr<PagerDutyEndpoints>> Create(const config::PagerDutyConfig& config,
                                                            IngestPipeline& ingest,
                                                            http::MetricsRegistry& metrics,
                                                            IncidentHooks* hooks,
                                                            const Clock& clock);

  void HandleWebhook(http::Request& req, http::Respond respond);
  void HandleBackfill(http::Request& req, http::Respond respond);

  // Stops the backfill worker (before the store closes).
  void Stop();

 private:
  PagerDutyEndpoints(IngestPipeline& ingest, http::MetricsRegistry& metrics, const Clock& clock);
  void Count(std::string_view result);
  void Reject(const http::Request& req, const Error& e, http::Respond& respond);

  connectors::pagerduty::PagerDutyOptions options_;
  IngestPipeline& ingest_;
  http::MetricsRegistry& metrics_;
  const Clock& clock_;
  std::unique_ptr<PagerDutyBackfillWorker> backfill_;  // null without api_token
};

}  // namespace timelined::daemon
