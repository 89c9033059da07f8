#pragma once
// PagerDutyBackfill: fetches an incident's REST log entries (and the incident itself) to
// fill gaps left by webhooks (dropped, > 55 KB, or missed while the daemon was down).
// Synchronous and blocking: run it on a worker thread, one call at a time per token
// (PagerDuty asks for serial requests per key). Not thread-safe per instance.
//
// GET {base_url}/incidents/{id}/log_entries?limit=N&offset=M with
//   Authorization: Token token=<token>   (or "Bearer <token>" when oauth_bearer)
//   Accept: application/vnd.pagerduty+json;version=2
// looping while "more" (offset += limit, stopping at PagerDuty's offset+limit <= 10000
// cap). 429 is retried after ratelimit-reset/Retry-After seconds, else exponential backoff;
// 5xx and transport failures with backoff; bounded by retry.max_retries per request.
// Errors: kInvalidInput "bad_incident_id" (id not [A-Za-z0-9]+); a final non-2xx maps via
// HttpStatusError (401 kUnauthenticated, 403 kPermissionDenied, 404 kNotFound, 429
// kExhausted, 5xx kUnavailable); transport errors as HttpClient returns them; a body that
// does not parse -> kUnavailable "bad_response".
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/common/http_client.h"
#include "connectors/common/retry.h"
#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/time.h"

namespace timelined::connectors::pagerduty {

struct PagerDutyBackfillOptions {
  std::string base_url = "https://api.pagerduty.com";  // EU: https://api.eu.pagerduty.com
  std::string token;  // REST API key (or OAuth access token with oauth_bearer)
  bool oauth_bearer = false;
  int page_limit = 100;    // 1..100
  RetryPolicy retry;       // per request
  HttpClientOptions http;  // used when no client is injected
};

class PagerDutyBackfill {
 public:
  // Uses `http` when given (tests, shared clients), else creates a BeastHttpClient from
  // options.http. `sleep` is called for every retry delay; `clock` stamps received_at.
  static Result<std::unique_ptr<PagerDutyBackfill>> Create(
      PagerDutyBackfillOptions options, std::shared_ptr<HttpClient> http = nullptr,
      Sleeper sleep = DefaultSleeper(), const Clock* clock = &SystemClock::Instance());

  // Every log entry of the incident, mapped as ParseLogEntries does, in server order.
  Result<std::vector<Event>> FetchLogEntries(std::string_view incident_id);
  // GET {base_url}/incidents/{id}, normalised by IncidentFromRest.
  Result<Incident> FetchIncident(std::string_view incident_id);

 private:
  PagerDutyBackfill(PagerDutyBackfillOptions options, std::shared_ptr<HttpClient> http,
                    Sleeper sleep, const Clock* clock);
  Result<HttpResponse> Get(const std::string& path_and_query, std::string_view what);

  PagerDutyBackfillOptions options_;
  std::shared_ptr<HttpClient> http_;
  Sleeper sleep_;
  const Clock* clock_;
};

}  // namespace timelined::connectors::pagerduty
