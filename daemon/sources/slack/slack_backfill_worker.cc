#include "daemon/sources/slack/slack_backfill_worker.h"

#include <spdlog/spdlog.h>

#include "daemon/sources/slack/slack_bindings.h"
#include "daemon/worker_guard.h"

namespace timelined::daemon {

Result<std::unique_ptr<SlackThreadBackfiller>> SlackThreadBackfiller::Create(
    const config::SlackConfig& slack, IngestPipeline& ingest, http::MetricsRegistry& metrics,
    SlackUserNames* names, std::shared_ptr<connectors::HttpClient> http) {
  if (!slack.backfill_enabled()) {
    return MakeError(ErrorCode::kInvalidInput, "backfill_not_configured",
                     "slack.bot_token is not set");
  }
  std::unique_ptr<SlackThreadBackfiller> b(new SlackThreadBackfiller(ingest, metrics));
  b->names_ = names;
  connectors::slack::SlackBackfillOptions o;
  o.base_url = slack.api_base_url;
  o.token = slack.bot_token;
  o.limit = slack.replies_page_limit;
  o.min_interval = std::chrono::milliseconds(slack.replies_min_interval_ms);
  SlackThreadBackfiller* self = b.get();
  o.cancelled = [self] { return self->worker_.Stopping(); };
  o.http.request_timeout = std::chrono::milliseconds(slack.request_timeout_ms);
  o.http.connect_timeout = std::min(o.http.connect_timeout, o.http.request_timeout);
  o.slack = {slack.workspace_url, slack.own_bot_id};
  auto made = connectors::slack::SlackBackfill::Create(
      std::move(o), std::move(http), [self](std::chrono::milliseconds d) { self->Waiting(d); });
  if (!made) return std::unexpected(made.error());
  b->backfill_ = std::move(*made);
  b->worker_.Start();
  return b;
}

SlackThreadBackfiller::SlackThreadBackfiller(IngestPipeline& ingest, http::MetricsRegistry& metrics)
    : ingest_(ingest),
      metrics_(metrics),
      worker_(
          "slack_backfill",
          [this](Queued& q) {
            Result<BackfillOutcome> outcome = MakeError(ErrorCode::kInternal, "internal",
                                                        "the thread backfill failed unexpectedly");
            running_key_ = ThreadKey(q.job.channel, q.job.thread_ts);
            CountJobs(-1, +1);
            Update(running_key_, [](BackfillStatus& s) {
              s = BackfillStatus{.state = "running",
                                 .queued_at = s.queued_at,
                                 .started_at = SystemClock::Instance().Now(),
                                 .pending = s.pending > 0 ? s.pending - 1 : 0};
            });
            RunGuarded("slack_backfill", [&] { outcome = RunJob(q.job); });
            Update(running_key_, [&outcome](BackfillStatus& s) {
              s.finished_at = SystemClock::Instance().Now();
              s.next_request_at = 0;
              if (outcome) {
                s.state = "done";
                s.fetched = outcome->fetched;
                s.inserted = outcome->inserted;
                s.duplicates = outcome->duplicates;
              } else {
                s.state = "failed";
                s.error = outcome.error().message;
                s.detail = outcome.error().detail;
              }
              // Another job for this thread waits (a caller waiting for its answer): the
              // status says so, with this run's figures until that job starts.
              if (s.pending > 0) s.state = "queued";
            });
            running_key_.clear();
            CountJobs(0, -1);
            if (q.done) q.done(std::move(outcome));
          },
          [this](Queued& q) {
            CountJobs(-1, 0);
            Update(ThreadKey(q.job.channel, q.job.thread_ts), [](BackfillStatus& s) {
              s.pending = s.pending > 0 ? s.pending - 1 : 0;
              s.state = "failed";
              s.error = "stopping";
              s.detail = "the daemon stopped before this backfill ran";
            });
            if (q.done) q.done(MakeError(kStopping, "the daemon is stopping"));
          }) {
  metrics_.DeclareCounter("timelined_slack_backfill_total",
                          "Slack thread backfills, by outcome and error reason");
  metrics_.DeclareCounter("timelined_slack_backfill_messages_total",
                          "Messages fetched by Slack thread backfills");
  // Every series at 0 from the start, so increase() sees the first failure: the reason of an
  // error is the ErrorCode's name.
  metrics_.Add("timelined_slack_backfill_total", {{"outcome", "ok"}, {"reason", ""}}, 0);
  for (ErrorCode code : {ErrorCode::kInvalidInput, ErrorCode::kUnauthenticated,
                         ErrorCode::kPermissionDenied, ErrorCode::kNotFound, ErrorCode::kTooLarge,
                         ErrorCode::kUnavailable, ErrorCode::kExhausted, ErrorCode::kInternal}) {
    metrics_.Add("timelined_slack_backfill_total",
                 {{"outcome", "error"}, {"reason", ErrorCodeName(code)}}, 0);
  }
  metrics_.Add("timelined_slack_backfill_messages_total", {}, 0);
  metrics_.DeclareCounter("timelined_slack_backfill_pages_total",
                          "conversations.replies pages fetched by Slack thread backfills");
  metrics_.Add("timelined_slack_backfill_pages_total", {}, 0);
  metrics_.DeclareGauge("timelined_slack_backfill_jobs",
                        "Slack thread backfills waiting (queued) or in progress (running)");
  metrics_.Set("timelined_slack_backfill_jobs", {{"state", "queued"}}, 0);
  metrics_.Set("timelined_slack_backfill_jobs", {{"state", "running"}}, 0);
}

void SlackThreadBackfiller::Update(const std::string& key,
                                   const std::function<void(BackfillStatus&)>& change) {
  std::lock_guard lock(mu_);
  const BackfillStatus* found = statuses_.Find(key);
  BackfillStatus status = found != nullptr ? *found : BackfillStatus{};
  change(status);
  statuses_.Put(key, std::move(status));
}

void SlackThreadBackfiller::CountJobs(int queued, int running) {
  std::lock_guard lock(mu_);
  queued_ += queued;
  running_ += running;
  metrics_.Set("timelined_slack_backfill_jobs", {{"state", "queued"}},
               static_cast<double>(queued_));
  metrics_.Set("timelined_slack_backfill_jobs", {{"state", "running"}},
               static_cast<double>(running_));
}

void SlackThreadBackfiller::Waiting(std::chrono::milliseconds d) {
  if (!running_key_.empty()) {
    const Nanos until = SystemClock::Instance().Now() +
                        std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    Update(running_key_, [until](BackfillStatus& s) { s.next_request_at = until; });
  }
  worker_.Sleep(d);
}

std::optional<BackfillStatus> SlackThreadBackfiller::Status(const std::string& thread_key) const {
  std::lock_guard lock(mu_);
  const BackfillStatus* found = statuses_.Find(thread_key);
  if (found == nullptr) return std::nullopt;
  return *found;
}

SlackThreadBackfiller::~SlackThreadBackfiller() { Stop(); }

void SlackThreadBackfiller::Enqueue(BackfillJob job, BackfillDone done) {
  const std::string key = ThreadKey(job.channel, job.thread_ts);
  Queued q{std::move(job), std::move(done)};
  // A thread whose job still waits in the queue needs no second one (that job fetches the
  // whole thread, and Slack's budget is small) unless the caller waits for an answer.
  bool coalesced = false;
  // Marked before the push, so the worker's "running" never comes first. A running thread
  // keeps its state; the job's turn sets it again.
  Update(key, [&](BackfillStatus& s) {
    if (s.state == "queued" && s.pending > 0 && !q.done) {
      coalesced = true;
      return;
    }
    ++s.pending;
    if (s.state == "queued" || s.state == "running") return;
    s = BackfillStatus{
        .state = "queued", .queued_at = SystemClock::Instance().Now(), .pending = s.pending};
  });
  if (coalesced) return;
  // The queue is unbounded (bindings are made by people), so the only refusal is kStopping.
  CountJobs(+1, 0);  // before the push: the worker may start the job at once
  if (worker_.TryPush(q) == SerialWorker<Queued>::Push::kQueued) return;
  CountJobs(-1, 0);
  Update(key, [](BackfillStatus& s) {
    s.pending = s.pending > 0 ? s.pending - 1 : 0;
    s.state = "failed";
    s.error = "stopping";
    s.detail = "the daemon is stopping";
  });
  if (q.done) q.done(MakeError(kStopping, "the daemon is stopping"));
}

void SlackThreadBackfiller::Stop() { worker_.Stop(); }

Result<BackfillOutcome> SlackThreadBackfiller::RunJob(const BackfillJob& job) {
  auto events = backfill_->FetchThread(job.team, job.channel, job.thread_ts,
                                       [this](const connectors::slack::FetchProgress& p) {
                                         metrics_.Add("timelined_slack_backfill_pages_total", {});
                                         Update(running_key_, [&p](BackfillStatus& s) {
                                           if (s.state.empty()) s.state = "running";
                                           s.pages = p.pages;
                                           s.fetched = p.messages;
                                           s.next_request_at = 0;
                                         });
                                       });
  Result<IngestOutcome> published = std::unexpected(Error{});
  size_t fetched = 0;
  if (events) {
    fetched = events->size();
    for (Event& e : *events) e.incident_id = job.incident_id;
    metrics_.Add("timelined_slack_backfill_messages_total", {}, static_cast<double>(fetched));
    std::vector<std::string> authors;
    if (names_ != nullptr) authors = SlackUserNames::AuthorsOf(*events);
    published = ingest_.SubmitAndWait("slack", std::move(*events));
    if (published && names_ != nullptr) names_->Want(job.team, authors);
  }
  const Error* error = !events ? &events.error() : !published ? &published.error() : nullptr;
  if (error != nullptr) {
    metrics_.Add("timelined_slack_backfill_total",
                 {{"outcome", "error"}, {"reason", ErrorCodeName(error->code)}});
    spdlog::warn("[src=slack] [inc={}] thread backfill of {}:{} failed: {} ({})", job.incident_id,
                 job.channel, job.thread_ts, error->message, error->detail);
    return std::unexpected(*error);
  }
  metrics_.Add("timelined_slack_backfill_total", {{"outcome", "ok"}, {"reason", ""}});
  spdlog::info("[src=slack] [inc={}] thread {}:{} backfilled: {} messages, {} new", job.incident_id,
               job.channel, job.thread_ts, fetched, published->inserted);
  return BackfillOutcome{fetched, published->inserted, published->duplicates};
}

}  // namespace timelined::daemon
