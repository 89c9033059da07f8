#include "connectors/pagerduty/backfill.h"

#include <algorithm>

#include "connectors/common/http_retry.h"
#include "connectors/pagerduty/incident.h"
#include "connectors/pagerduty/log_entries.h"

namespace timelined::connectors::pagerduty {
namespace {

constexpr int64_t kMaxOffsetPlusLimit = 10'000;  // PagerDuty answers 400 beyond this

bool ValidIncidentId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

std::unexpected<Error> BadIncidentId() {
  return MakeError(ErrorCode::kInvalidInput, "bad_incident_id",
                   "incident id must be 1-64 letters or digits");
}

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

Result<std::unique_ptr<PagerDutyBackfill>> PagerDutyBackfill::Create(
    PagerDutyBackfillOptions options, std::shared_ptr<HttpClient> http, Sleeper sleep,
    const Clock* clock) {
  if (auto url = ParseUrl(options.base_url); !url) return std::unexpected(url.error());
  if (options.token.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "missing_token", "PagerDuty REST token is empty");
  }
  options.page_limit = std::clamp(options.page_limit, 1, 100);
  options.base_url = TrimSlash(std::move(options.base_url));
  if (http == nullptr) {
    auto client = BeastHttpClient::Create(options.http);
    if (!client) return std::unexpected(client.error());
    http = std::move(*client);
  }
  return std::unique_ptr<PagerDutyBackfill>(
      new PagerDutyBackfill(std::move(options), std::move(http), std::move(sleep), clock));
}

PagerDutyBackfill::PagerDutyBackfill(PagerDutyBackfillOptions options,
                                     std::shared_ptr<HttpClient> http, Sleeper sleep,
                                     const Clock* clock)
    : options_(std::move(options)),
      http_(std::move(http)),
      sleep_(std::move(sleep)),
      clock_(clock) {}

Result<HttpResponse> PagerDutyBackfill::Get(const std::string& path_and_query,
                                            std::string_view what) {
  HttpRequest request;
  request.url = options_.base_url + path_and_query;
  request.headers["authorization"] =
      options_.oauth_bearer ? "Bearer " + options_.token : "Token token=" + options_.token;
  request.headers["accept"] = "application/vnd.pagerduty+json;version=2";
  request.headers["content-type"] = "application/json";
  auto response = SendWithRetry(*http_, request, options_.retry, sleep_);
  if (!response) return response;
  if (response->status < 200 || response->status > 299) {
    return std::unexpected(HttpStatusError(response->status, what));
  }
  return response;
}

Result<std::vector<Event>> PagerDutyBackfill::FetchLogEntries(std::string_view incident_id) {
  if (!ValidIncidentId(incident_id)) return BadIncidentId();
  std::vector<Event> events;
  const int64_t limit = options_.page_limit;
  for (int64_t offset = 0; offset + limit <= kMaxOffsetPlusLimit; offset += limit) {
    std::string path = "/incidents/" + std::string(incident_id) +
                       "/log_entries?limit=" + std::to_string(limit) +
                       "&offset=" + std::to_string(offset);
    auto response = Get(path, "PagerDuty log_entries");
    if (!response) return std::unexpected(response.error());
    auto page = ParseLogEntries(response->body, clock_->Now());
    if (!page) {
      return MakeError(ErrorCode::kUnavailable, "bad_response",
                       "PagerDuty log_entries page: " + page.error().detail);
    }
    std::move(page->events.begin(), page->events.end(), std::back_inserter(events));
    if (!page->more) break;
  }
  return events;
}

Result<Incident> PagerDutyBackfill::FetchIncident(std::string_view incident_id) {
  if (!ValidIncidentId(incident_id)) return BadIncidentId();
  auto response = Get("/incidents/" + std::string(incident_id), "PagerDuty incident");
  if (!response) return std::unexpected(response.error());
  auto incident = ParseIncidentResponse(response->body);
  if (!incident) {
    return MakeError(ErrorCode::kUnavailable, "bad_response",
                     "PagerDuty incident: " + incident.error().detail);
  }
  return incident;
}

}  // namespace timelined::connectors::pagerduty
