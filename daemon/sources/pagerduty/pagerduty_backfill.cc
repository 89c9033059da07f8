#include "daemon/sources/pagerduty/pagerduty_backfill.h"

#include <spdlog/spdlog.h>

#include "daemon/worker_guard.h"

namespace timelined::daemon {
namespace {

namespace pd = connectors::pagerduty;

// The status an incident has right after a transition of `kind`, or "" when the kind does
// not change it (notes, escalations...).
std::string StatusAfter(std::string_view kind) {
  if (kind == "incident.triggered" || kind == "incident.unacknowledged" ||
      kind == "incident.reopened") {
    return "triggered";
  }
  if (kind == "incident.acknowledged") return "acknowledged";
  if (kind == "incident.resolved") return "resolved";
  return "";
}

// Log entries carry only a reference to their incident; the store keeps the incidents row
// from attrs.incident snapshots. Give each entry the REST incident's descriptive fields,
// with the status that entry implies, so the row converges (newest occurred_at wins) to the
// REST state without an old entry claiming the final status.
void AttachSnapshot(std::vector<Event>& events, const Incident& incident) {
  for (Event& e : events) {
    if (e.incident_id != incident.id) continue;
    Incident snapshot = incident;
    snapshot.status = StatusAfter(e.kind);
    snapshot.updated_at = 0;
    if (!e.attrs.is_object()) e.attrs = nlohmann::json::object();
    e.attrs["incident"] = IncidentToJson(snapshot);
  }
}

}  // namespace

Result<std::unique_ptr<PagerDutyBackfillWorker>> PagerDutyBackfillWorker::Create(
    const config::PagerDutyConfig& config, IngestPipeline& ingest, http::MetricsRegistry& metrics,
    std::shared_ptr<connectors::HttpClient> http) {
  std::unique_ptr<PagerDutyBackfillWorker> w(new PagerDutyBackfillWorker(ingest, metrics));
  pd::PagerDutyBackfillOptions o;
  o.base_url = config.api_base_url;
  o.token = config.api_token;
  o.retry.max_retries = config.max_retries;
  o.http.connect_timeout = std::chrono::milliseconds(config.request_timeout_ms);
  o.http.request_timeout = std::chrono::milliseconds(config.request_timeout_ms);
  PagerDutyBackfillWorker* self = w.get();
  auto client = pd::PagerDutyBackfill::Create(
      std::move(o), std::move(http),
      [self](std::chrono::milliseconds d) { self->worker_.Sleep(d); });
  if (!client) return std::unexpected(client.error());
  w->client_ = std::move(*client);
  w->worker_.Start();
  return w;
}

PagerDutyBackfillWorker::PagerDutyBackfillWorker(IngestPipeline& ingest,
                                                 http::MetricsRegistry& metrics)
    : ingest_(ingest),
      metrics_(metrics),
      worker_(
          "pagerduty_backfill", [this](Job& job) { RunJob(job); },
          [](Job& job) { job.done(MakeError(kStopping, "the daemon is stopping")); }, kMaxQueued) {
  metrics_.DeclareCounter("timelined_pagerduty_backfills_total",
                          "PagerDuty REST backfills, by trigger and result");
  // Every series at 0 from the start, so increase() sees the first failure.
  for (const char* trigger : {"api", "resolve"}) {
    for (const char* result : {"ok", "error", "refused"}) {
      metrics_.Add("timelined_pagerduty_backfills_total",
                   {{"trigger", trigger}, {"result", result}}, 0);
    }
  }
}

PagerDutyBackfillWorker::~PagerDutyBackfillWorker() { Stop(); }

void PagerDutyBackfillWorker::Enqueue(std::string incident_id, std::string trigger, Done done) {
  Job job{std::move(incident_id), std::move(trigger), std::move(done)};
  auto pushed = worker_.TryPush(job);
  if (pushed == SerialWorker<Job>::Push::kQueued) return;
  metrics_.Add("timelined_pagerduty_backfills_total",
               {{"trigger", job.trigger}, {"result", "refused"}});
  job.done(pushed == SerialWorker<Job>::Push::kStopping
               ? MakeError(kStopping, "the daemon is stopping")
               : MakeError(ErrorCode::kExhausted, "backfill_queue_full",
                           "too many backfills are waiting; retry later"));
}

void PagerDutyBackfillWorker::BackfillOnResolve(IncidentHooks& hooks) {
  hooks.OnTransition([this](const LifecycleTransition& t) {
    if (t.kind != "incident.resolved" || PublishedByBackfill(t.event_id)) return;
    Enqueue(t.incident_id, "resolve", [id = t.incident_id](Result<BackfillReport> r) {
      if (!r) {
        spdlog::warn("[src=pagerduty] [inc={}] backfill after resolve failed: {}: {}", id,
                     r.error().message, r.error().detail);
      }
    });
  });
}

void PagerDutyBackfillWorker::Stop() { worker_.Stop(); }

void PagerDutyBackfillWorker::RunJob(Job& job) {
  Result<BackfillReport> r =
      MakeError(ErrorCode::kInternal, "internal", "the backfill failed unexpectedly");
  RunGuarded("pagerduty_backfill", [&] { r = RunOne(job.incident_id); });
  metrics_.Add("timelined_pagerduty_backfills_total",
               {{"trigger", job.trigger}, {"result", r ? "ok" : "error"}});
  if (r) {
    spdlog::info("[src=pagerduty] [inc={}] backfill ({}): {} log entries, {} new, {} known",
                 job.incident_id, job.trigger, r->fetched, r->inserted, r->duplicates);
  }
  job.done(std::move(r));
}

Result<BackfillReport> PagerDutyBackfillWorker::RunOne(const std::string& incident_id) {
  auto events = client_->FetchLogEntries(incident_id);
  if (!events) return std::unexpected(events.error());
  auto incident = client_->FetchIncident(incident_id);
  if (!incident) return std::unexpected(incident.error());
  AttachSnapshot(*events, *incident);
  BackfillReport report;
  report.incident_id = incident_id;
  report.fetched = events->size();
  report.incident = *incident;
  RememberPublished(*events);
  auto outcome = ingest_.SubmitAndWait("pagerduty_backfill", std::move(*events));
  if (!outcome) return std::unexpected(outcome.error());
  report.inserted = outcome->inserted;
  report.duplicates = outcome->duplicates;
  return report;
}

void PagerDutyBackfillWorker::RememberPublished(const std::vector<Event>& events) {
  std::lock_guard lock(published_mu_);
  for (const Event& e : events) published_.Put(e.id);
}

bool PagerDutyBackfillWorker::PublishedByBackfill(const std::string& event_id) {
  std::lock_guard lock(published_mu_);
  return published_.Contains(event_id);
}

}  // namespace timelined::daemon
