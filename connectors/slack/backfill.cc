#include "connectors/slack/backfill.h"

#include <algorithm>
#include <chrono>
#include <iterator>

#include "connectors/common/http_retry.h"
#include "connectors/slack/replies.h"
#include "connectors/slack/users.h"

namespace timelined::connectors::slack {
namespace {

bool ValidId(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

}  // namespace

Result<std::unique_ptr<SlackBackfill>> SlackBackfill::Create(SlackBackfillOptions options,
                                                             std::shared_ptr<HttpClient> http,
                                                             Sleeper sleep, const Clock* clock) {
  if (auto url = ParseUrl(options.base_url); !url) return std::unexpected(url.error());
  if (options.token.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "missing_token", "Slack token is empty");
  }
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  options.limit = std::clamp(options.limit, 1, 1000);
  options.max_pages = std::max(options.max_pages, 1);
  options.min_interval = std::max(options.min_interval, std::chrono::milliseconds(0));
  if (http == nullptr) {
    auto client = BeastHttpClient::Create(options.http);
    if (!client) return std::unexpected(client.error());
    http = std::move(*client);
  }
  return std::unique_ptr<SlackBackfill>(
      new SlackBackfill(std::move(options), std::move(http), std::move(sleep), clock));
}

SlackBackfill::SlackBackfill(SlackBackfillOptions options, std::shared_ptr<HttpClient> http,
                             Sleeper sleep, const Clock* clock)
    : options_(std::move(options)),
      http_(std::move(http)),
      sleep_(std::move(sleep)),
      clock_(clock) {}

void SlackBackfill::Pace() {
  if (!last_request_end_ || options_.min_interval.count() == 0) return;
  auto due = *last_request_end_ + options_.min_interval;
  auto now = std::chrono::steady_clock::now();
  if (now < due) {
    // Rounded up, so the request never starts before the interval is over.
    sleep_(std::chrono::ceil<std::chrono::milliseconds>(due - now));
  }
}

Result<HttpResponse> SlackBackfill::Get(const std::string& path, std::string_view method) {
  HttpRequest request;
  request.url = options_.base_url + path;
  request.headers["authorization"] = "Bearer " + options_.token;
  Pace();
  if (options_.cancelled && options_.cancelled()) {
    return MakeError(ErrorCode::kUnavailable, "stopping", "the backfill was stopped");
  }
  // Retries keep the pace too: a 5xx backoff shorter than min_interval is stretched.
  auto paced_sleep = [this](std::chrono::milliseconds d) {
    sleep_(std::max(d, options_.min_interval));
  };
  auto response = SendWithRetry(*http_, request, options_.retry, paced_sleep, options_.cancelled);
  last_request_end_ = std::chrono::steady_clock::now();
  if (!response) return std::unexpected(response.error());
  if (response->status < 200 || response->status > 299) {
    return std::unexpected(HttpStatusError(response->status, method));
  }
  return response;
}

Result<Event> SlackBackfill::FetchUser(std::string_view team, std::string_view user) {
  if (!ValidId(team) || !ValidId(user)) {
    return MakeError(ErrorCode::kInvalidInput, "bad_argument", "malformed team or user id");
  }
  auto response = Get("/users.info?user=" + std::string(user), "users.info");
  if (!response) return std::unexpected(response.error());
  auto event = ParseUserInfo(response->body, team, user, clock_->Now(), options_.slack);
  if (!event && event.error().code == ErrorCode::kInvalidInput &&
      (event.error().Is(kInvalidJson) || event.error().Is(kInvalidPayload))) {
    return MakeError(ErrorCode::kUnavailable, "bad_response",
                     "users.info: " + event.error().detail);
  }
  return event;
}

Result<std::vector<Event>> SlackBackfill::FetchThread(std::string_view team,
                                                      std::string_view channel,
                                                      std::string_view thread_ts,
                                                      const ProgressFn& progress) {
  if (!ValidId(team) || !ValidId(channel) || !ParseSlackTs(thread_ts)) {
    return MakeError(ErrorCode::kInvalidInput, "bad_argument", "malformed team, channel or ts");
  }
  std::vector<Event> events;
  std::string cursor;
  for (int page_no = 0; page_no < options_.max_pages; ++page_no) {
    std::string path = "/conversations.replies?channel=" + std::string(channel) +
                       "&ts=" + std::string(thread_ts) + "&limit=" + std::to_string(options_.limit);
    if (!cursor.empty()) path += "&cursor=" + UrlEncode(cursor);
    auto response = Get(path, "conversations.replies");
    if (!response) return std::unexpected(response.error());
    auto page = ParseRepliesPage(response->body, team, channel, clock_->Now(), options_.slack);
    if (!page && page.error().code == ErrorCode::kInvalidInput &&
        (page.error().Is(kInvalidJson) || page.error().Is(kInvalidPayload))) {
      return MakeError(ErrorCode::kUnavailable, "bad_response",
                       "conversations.replies: " + page.error().detail);
    }
    if (!page) return std::unexpected(page.error());
    std::move(page->events.begin(), page->events.end(), std::back_inserter(events));
    if (progress) progress(FetchProgress{page_no + 1, events.size()});
    if (page->next_cursor.empty()) return events;
    cursor = std::move(page->next_cursor);
  }
  return MakeError(ErrorCode::kExhausted, "too_many_pages",
                   "conversations.replies: more than max_pages pages");
}

}  // namespace timelined::connectors::slack
