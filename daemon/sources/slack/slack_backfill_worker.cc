#include "daemon/sources/slack/slack_backfill_worker.h"

#include <spdlog/spdlog.h>

#include "daemon/worker_guard.h"

namespace timelined::daemon {

Result<std::unique_ptr<SlackThreadBackfiller>> SlackThreadBackfiller::Create(
    const config::SlackConfig& slack, IngestPipeline& ingest, http::MetricsRegistry& metrics,
    std::shared_ptr<connectors::HttpClient> http) {
  if (!slack.backfill_enabled()) {
    return MakeError(ErrorCode::kInvalidInput, "backfill_not_configured",
                     "slack.bot_token is not set");
  }
  std::unique_ptr<SlackThreadBackfiller> b(new SlackThreadBackfiller(ingest, metrics));
  connectors::slack::SlackBackfillOptions o;
  o.base_url = slack.api_base_url;
  o.token = slack.bot_token;
  o.limit = slack.replies_page_limit;
  o.http.request_timeout = std::chrono::milliseconds(slack.request_timeout_ms);
  o.http.connect_timeout = std::min(o.http.connect_timeout, o.http.request_timeout);
  o.slack = {slack.workspace_url, slack.own_bot_id};
  SlackThreadBackfiller* self = b.get();
  auto made = connectors::slack::SlackBackfill::Create(
      std::move(o), std::move(http),
      [self](std::chrono::milliseconds d) { self->worker_.Sleep(d); });
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
            RunGuarded("slack_backfill", [&] { outcome = RunJob(q.job); });
            if (q.done) q.done(std::move(outcome));
          },
          [](Queued& q) {
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
}

SlackThreadBackfiller::~SlackThreadBackfiller() { Stop(); }

void SlackThreadBackfiller::Enqueue(BackfillJob job, BackfillDone done) {
  Queued q{std::move(job), std::move(done)};
  // The queue is unbounded (bindings are made by people), so the only refusal is kStopping.
  if (worker_.TryPush(q) == SerialWorker<Queued>::Push::kQueued) return;
  if (q.done) q.done(MakeError(kStopping, "the daemon is stopping"));
}

void SlackThreadBackfiller::Stop() { worker_.Stop(); }

Result<BackfillOutcome> SlackThreadBackfiller::RunJob(const BackfillJob& job) {
  auto events = backfill_->FetchThread(job.team, job.channel, job.thread_ts);
  Result<IngestOutcome> published = std::unexpected(Error{});
  size_t fetched = 0;
  if (events) {
    fetched = events->size();
    for (Event& e : *events) e.incident_id = job.incident_id;
    metrics_.Add("timelined_slack_backfill_messages_total", {}, static_cast<double>(fetched));
    published = ingest_.SubmitAndWait("slack", std::move(*events));
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
