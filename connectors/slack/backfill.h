#pragma once
// SlackBackfill: fetches a whole thread with conversations.replies (PROTOCOLS.md 2.6),
// e.g. when a thread gets bound to an incident after some replies were missed, and a user's
// name with users.info (FetchUser).
// Synchronous and blocking: run it on a worker thread. Not thread-safe per instance.
//
// GET {base_url}/conversations.replies?channel=C&ts=T&limit=N[&cursor=X] with
// Authorization: Bearer <token>; loops while response_metadata.next_cursor is non-empty
// (bounded by max_pages). HTTP 429 is retried after Retry-After seconds (else backoff),
// 5xx and transport failures with backoff, bounded by retry.max_retries per request.
// limit defaults to 15: since 2025 non-Marketplace apps get 1 request/min and at most 15
// messages per page for this method. Requests are paced: one starts at least min_interval
// after the previous one ended (the daemon reuses one instance for every thread, so a queue
// of backfills keeps the budget),
// the wait going through `sleep` like the retry delays, and a retry waits at least as long.
// Errors: kInvalidInput "bad_argument" (channel/ts malformed); "ok": false ->
// SlackApiError (message = the Slack error code); a final non-2xx -> HttpStatusError;
// transport errors as HttpClient returns them; kUnavailable "bad_response" for a body
// that does not parse; kExhausted "too_many_pages" past max_pages.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/common/http_client.h"
#include "connectors/common/retry.h"
#include "connectors/slack/message.h"
#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/time.h"

namespace timelined::connectors::slack {

struct SlackBackfillOptions {
  std::string base_url = "https://slack.com/api";
  std::string token;  // bot (xoxb-) or user (xoxp-) token
  int limit = 15;     // messages per page, 1..1000
  int max_pages = 200;
  // Pause between two conversations.replies requests: 1200 ms keeps Tier 3 (50/min); a
  // commercially distributed non-Marketplace app needs 60 000 (1/min).
  std::chrono::milliseconds min_interval{0};
  // Asked before every request (may be empty): once true, FetchThread sends nothing more and
  // fails with kUnavailable "stopping" (the daemon is shutting down).
  std::function<bool()> cancelled;
  RetryPolicy retry;
  HttpClientOptions http;  // used when no client is injected
  SlackOptions slack;      // workspace_url and own_bot_id for the message mapping
};

// What a fetch has done so far, reported after every page.
struct FetchProgress {
  int pages = 0;
  size_t messages = 0;
};
using ProgressFn = std::function<void(const FetchProgress&)>;

class SlackBackfill {
 public:
  // Uses `http` when given, else creates a BeastHttpClient from options.http. `sleep`
  // receives every retry delay; `clock` stamps received_at.
  static Result<std::unique_ptr<SlackBackfill>> Create(
      SlackBackfillOptions options, std::shared_ptr<HttpClient> http = nullptr,
      Sleeper sleep = DefaultSleeper(), const Clock* clock = &SystemClock::Instance());

  // Every message of the thread rooted at (or containing) `thread_ts` in `channel` of
  // workspace `team`, mapped by MapMessage (parent first). `progress` (may be empty) runs
  // after each page.
  Result<std::vector<Event>> FetchThread(std::string_view team, std::string_view channel,
                                         std::string_view thread_ts,
                                         const ProgressFn& progress = {});

  // GET {base_url}/users.info?user=U -> the user's `slack.user` event (users.h), with the
  // same pacing, retries and cancellation as FetchThread. Needs the users:read scope
  // (else SlackApiError "missing_scope"). kInvalidInput "bad_argument" for a malformed id.
  Result<Event> FetchUser(std::string_view team, std::string_view user);

 private:
  SlackBackfill(SlackBackfillOptions options, std::shared_ptr<HttpClient> http, Sleeper sleep,
                const Clock* clock);

  // Sleeps until min_interval has passed since the previous request ended.
  void Pace();
  // One paced, retried GET of `path` ("/method?query"); a non-2xx answer is an error.
  Result<HttpResponse> Get(const std::string& path, std::string_view method);

  SlackBackfillOptions options_;
  std::optional<std::chrono::steady_clock::time_point> last_request_end_;
  std::shared_ptr<HttpClient> http_;
  Sleeper sleep_;
  const Clock* clock_;
};

}  // namespace timelined::connectors::slack
