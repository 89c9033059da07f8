#include "daemon/sources/slack/slack_user_names.h"

#include <spdlog/spdlog.h>

#include <set>

#include "connectors/slack/users.h"

namespace timelined::daemon {
namespace {

constexpr size_t kMaxQueued = 10'000;
constexpr Nanos kRetryAfter = 60 * kNanosPerSecond;
// users.info is Tier 4 (100+ requests a minute).
constexpr std::chrono::milliseconds kMinInterval{600};
// A transient failure is retried on the worker after 20 s, then 40 s; later, on the user's
// next message (kRetryAfter).
constexpr int kAttempts = 3;
constexpr std::chrono::milliseconds kRetryDelay{20'000};
constexpr const char* kTotal = "timelined_slack_user_names_total";
constexpr const char* kQueued = "timelined_slack_user_names_queued";

// Worth asking again later: the answer may differ (Slack or the store was unavailable).
bool Transient(const Error& e) {
  return e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kExhausted ||
         e.code == ErrorCode::kInternal;
}

// The token cannot read users at all (invalid_auth, token_revoked, missing_scope …): asking
// for the next author would fail the same way.
bool WorkspaceWide(const Error& e) {
  return e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied;
}

// A message's human author: bots are named by their messages already, and reactions and
// pins name people who wrote nothing.
std::string AuthorOf(const Event& e) {
  if (e.kind != "slack.message" && e.kind != "slack.message_changed" &&
      e.kind != "slack.message_deleted") {
    return "";
  }
  if (!e.attrs.is_object()) return "";
  if (auto bot = e.attrs.find("bot"); bot != e.attrs.end() && bot->is_boolean() && bool(*bot)) {
    return "";
  }
  for (const char* key : {"user", "original_user"}) {
    auto v = e.attrs.find(key);
    if (v != e.attrs.end() && v->is_string() && !v->get<std::string>().empty()) return *v;
  }
  return "";
}

}  // namespace

Result<std::unique_ptr<SlackUserNames>> SlackUserNames::Create(
    const config::SlackConfig& slack, const EventReader& store, IngestPipeline& ingest,
    http::MetricsRegistry& metrics, std::shared_ptr<connectors::HttpClient> http) {
  if (slack.bot_token.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "user_names_not_configured",
                     "slack.bot_token is not set");
  }
  std::unique_ptr<SlackUserNames> n(new SlackUserNames(store, ingest, metrics));
  connectors::slack::SlackBackfillOptions o;
  o.base_url = slack.api_base_url;
  o.token = slack.bot_token;
  o.min_interval = kMinInterval;
  SlackUserNames* self = n.get();
  o.cancelled = [self] { return self->worker_.Stopping(); };
  o.http.request_timeout = std::chrono::milliseconds(slack.request_timeout_ms);
  o.http.connect_timeout = std::min(o.http.connect_timeout, o.http.request_timeout);
  o.slack = {slack.workspace_url, slack.own_bot_id};
  auto made = connectors::slack::SlackBackfill::Create(
      std::move(o), std::move(http),
      [self](std::chrono::milliseconds d) { self->worker_.Sleep(d); });
  if (!made) return std::unexpected(made.error());
  n->api_ = std::move(*made);
  n->worker_.Start();
  return n;
}

SlackUserNames::SlackUserNames(const EventReader& store, IngestPipeline& ingest,
                               http::MetricsRegistry& metrics)
    : store_(store),
      ingest_(ingest),
      metrics_(metrics),
      worker_(
          "slack_user_names",
          [this](Job& job) {
            SetQueued(-1);
            Run(job);
          },
          [this](Job&) { SetQueued(-1); }, kMaxQueued) {
  metrics_.DeclareCounter(kTotal, "Slack user name lookups (users.info), by outcome and reason");
  for (const char* outcome : {"fetched", "stored_already", "dropped"}) {
    metrics_.Add(kTotal, {{"outcome", outcome}, {"reason", ""}}, 0);
  }
  for (ErrorCode code :
       {ErrorCode::kNotFound, ErrorCode::kPermissionDenied, ErrorCode::kUnauthenticated,
        ErrorCode::kUnavailable, ErrorCode::kExhausted, ErrorCode::kInternal}) {
    metrics_.Add(kTotal, {{"outcome", "error"}, {"reason", ErrorCodeName(code)}}, 0);
  }
  metrics_.DeclareGauge(kQueued, "Slack users waiting for their name lookup");
  metrics_.Set(kQueued, {}, 0);
}

SlackUserNames::~SlackUserNames() { Stop(); }

void SlackUserNames::Stop() { worker_.Stop(); }

void SlackUserNames::Count(std::string_view outcome, std::string_view reason) {
  metrics_.Add(kTotal, {{"outcome", std::string(outcome)}, {"reason", std::string(reason)}});
}

void SlackUserNames::SetQueued(int delta) {
  std::lock_guard lock(mu_);
  queued_ += delta;
  metrics_.Set(kQueued, {}, static_cast<double>(queued_));
}

void SlackUserNames::Settle(const std::string& key, Nanos retry_at) {
  std::lock_guard lock(mu_);
  users_.Put(key, retry_at);
}

std::vector<std::string> SlackUserNames::AuthorsOf(const std::vector<Event>& events) {
  std::set<std::string> authors;
  for (const Event& e : events) {
    if (std::string user = AuthorOf(e); !user.empty()) authors.insert(std::move(user));
  }
  return {authors.begin(), authors.end()};
}

void SlackUserNames::Want(const std::string& team, const std::vector<std::string>& users) {
  if (disabled_.load()) return;
  const Nanos now = SystemClock::Instance().Now();
  for (const std::string& user : users) {
    std::string key = team;
    key.append(":").append(user);
    {
      std::lock_guard lock(mu_);
      const Nanos* retry_at = users_.Find(key);
      if (retry_at != nullptr && (*retry_at == 0 || *retry_at > now)) continue;
      users_.Put(key, 0);  // settled while it waits: one lookup per user
      ++queued_;
      metrics_.Set(kQueued, {}, static_cast<double>(queued_));
    }
    Job job{team, user};
    auto pushed = worker_.TryPush(job);
    if (pushed == SerialWorker<Job>::Push::kQueued) continue;
    SetQueued(-1);
    Settle(key, now);  // not asked: the next message may try again
    if (pushed == SerialWorker<Job>::Push::kFull) Count("dropped", "");
  }
}

Result<std::string> SlackUserNames::LookUp(const Job& job) {
  auto stored = store_.GetEvent(connectors::slack::UserEventId(job.team, job.user));
  if (!stored) return std::unexpected(stored.error());
  if (*stored) return std::string("stored_already");
  auto user = api_->FetchUser(job.team, job.user);
  if (!user) return std::unexpected(user.error());
  std::vector<Event> events;
  events.push_back(std::move(*user));
  auto published = ingest_.SubmitAndWait("slack", std::move(events));
  if (!published) return std::unexpected(published.error());
  return std::string("fetched");
}

void SlackUserNames::Run(const Job& job) {
  if (disabled_.load()) return;
  std::string key = job.team;
  key.append(":").append(job.user);
  for (int attempt = 1;; ++attempt) {
    auto outcome = LookUp(job);
    if (outcome) return Count(*outcome, "");
    const Error& e = outcome.error();
    if (worker_.Stopping()) return;  // cancelled by Stop: not a failure of Slack's
    if (WorkspaceWide(e)) {
      Count("error", ErrorCodeName(e.code));
      if (!disabled_.exchange(true)) {
        spdlog::error(
            "[src=slack] user names off until restart: users.info answered {} ({}); give the "
            "bot token the users:read scope, or set [slack] user_names = false",
            e.message, e.detail);
      }
      return;
    }
    if (Transient(e) && attempt < kAttempts) {
      worker_.Sleep(kRetryDelay * attempt);
      if (worker_.Stopping()) return;
      continue;
    }
    Count("error", ErrorCodeName(e.code));
    spdlog::warn("[src=slack] name of user {} not fetched: {} ({})", job.user, e.message, e.detail);
    Settle(key, Transient(e) ? SystemClock::Instance().Now() + kRetryAfter : 0);
    return;
  }
}

}  // namespace timelined::daemon
