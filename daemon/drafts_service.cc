#include "daemon/drafts_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "connectors/common/http_client.h"
#include "daemon/worker_guard.h"
#include "store/model/hash.h"
#include "summarizer/correlate.h"
#include "summarizer/draft.h"

namespace timelined::daemon {
namespace {

using nlohmann::json;

constexpr Nanos kIdempotencyTtl = 24 * 3600 * kNanosPerSecond;
constexpr int kSaveAttempts = 3;

std::string SlackScope(const std::string& channel) {
  return channel.starts_with("slack/") ? channel : "slack/" + channel;
}

}  // namespace

std::string DraftPath(std::string_view incident_id, int version, std::string_view format) {
  std::string out = "/v1/incidents/";
  out += incident_id;
  out += "/timeline.";
  out += format;
  out += "?version=" + std::to_string(version);
  return out;
}

std::string SignV1(std::string_view secret, std::string_view message) {
  return "v1=" + HmacSha256Hex(secret, message);
}

std::string ServedMarkdown(const store::StoredDraft& d) {
  return d.stale ? summarizer::MarkMarkdownStale(d.markdown) : d.markdown;
}

std::string ServedJson(const store::StoredDraft& d) {
  return d.stale ? summarizer::MarkJsonStale(d.json) : d.json;
}

DraftService::DraftService(store::DraftStore& store, summarizer::SummarizerConfig config,
                           DraftServiceOptions options, const Clock& clock,
                           std::shared_ptr<connectors::HttpClient> notify_client)
    : store_(store),
      config_(std::move(config)),
      options_(std::move(options)),
      clock_(clock),
      notify_client_(std::move(notify_client)) {}

DraftService::~DraftService() { Stop(); }

void DraftService::Attach(IncidentHooks& hooks) {
  hooks.OnTransition([this](const LifecycleTransition& t) { OnTransition(t); });
  hooks.OnEvidence([this](const std::vector<Event>& inserted) { OnEvidence(inserted); });
}

Result<void> DraftService::Start() {
  auto fresh = store_.IncidentsWithFreshDrafts();
  if (!fresh) return std::unexpected(fresh.error());
  for (const std::string& id : *fresh) {
    auto inc = store_.GetIncident(id);
    if (!inc) return std::unexpected(inc.error());
    Incident incident = inc->value_or(Incident{.id = id});
    auto w = WatchFor(incident);
    if (!w) return std::unexpected(w.error());
    w->seq = store_.CommittedSeq();
    std::lock_guard lock(watch_mu_);
    watched_[id] = std::move(*w);
  }
  if (!options_.notify_url.empty() && !notify_client_) {
    connectors::HttpClientOptions o;
    o.connect_timeout = options_.notify_timeout;
    o.request_timeout = options_.notify_timeout;
    o.max_body_bytes = 64 * 1024;
    auto client = connectors::BeastHttpClient::Create(o);
    if (!client) return std::unexpected(client.error());
    notify_client_ = std::move(*client);
  }
  std::lock_guard lock(mu_);
  if (running_ || stopping_) return {};
  running_ = true;
  worker_ = std::thread([this] { Run(); });
  return {};
}

void DraftService::Stop() {
  std::deque<Job> refused;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    due_.clear();
    due_by_time_.clear();
    refused.swap(queue_);
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  const Outcome stopping = MakeError(kStopping, "the daemon is shutting down");
  for (Job& job : refused) {
    if (job.done) job.done(stopping);
  }
}

void DraftService::Generate(std::string incident_id, std::string trigger,
                            std::string idempotency_key, Done done) {
  Enqueue(Job{Job::Kind::kGenerate, std::move(incident_id), std::move(trigger),
              std::move(idempotency_key), std::move(done)});
}

void DraftService::Enqueue(Job job) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(job));
      cv_.notify_all();
      return;
    }
  }
  if (job.done) {
    job.done(MakeError(kStopping, "the daemon is shutting down"));
  }
}

void DraftService::OnTransition(const LifecycleTransition& t) {
  if (!options_.auto_draft) return;
  std::lock_guard lock(mu_);
  if (stopping_) return;
  if (t.kind == "incident.resolved") {
    // Both the webhook and the REST log entry announce a resolve: keep one timer, counted
    // from the last announcement.
    const auto at = std::chrono::steady_clock::now() + options_.settle_delay;
    auto [it, inserted] = due_.try_emplace(t.incident_id, Due{at, t.occurred_at});
    if (!inserted) {
      due_by_time_.erase({it->second.at, t.incident_id});
      it->second.at = at;
      it->second.resolved_at = std::max(it->second.resolved_at, t.occurred_at);
    }
    due_by_time_.emplace(at, t.incident_id);
    ++stats_.auto_scheduled;
    // The worker only needs waking when this is now the earliest deadline.
    if (due_by_time_.begin()->second == t.incident_id) cv_.notify_all();
    return;
  }
  auto it = due_.find(t.incident_id);
  if (it == due_.end()) return;
  // A transition that happened after the resolve reopens the incident; an older one is a
  // late delivery of history and changes nothing.
  if (t.occurred_at >= it->second.resolved_at) {
    due_by_time_.erase({it->second.at, t.incident_id});
    due_.erase(it);
    ++stats_.auto_cancelled;
    spdlog::info("[inc={}] auto draft cancelled: {}", t.incident_id, t.kind);
  }
}

bool DraftService::Matches(const Watched& w, const Event& e, const std::string& incident_id) const {
  if (e.seq <= w.seq) return false;  // already in the draft's snapshot
  if (e.incident_id == incident_id) return true;
  if (!e.incident_id.empty() || e.scope.empty() || w.patterns.empty()) return false;
  if (e.occurred_at < w.from || e.occurred_at > w.to) return false;
  for (const std::string& p : w.patterns) {
    if (summarizer::ScopeMatches(e.scope, p)) return true;
  }
  return false;
}

void DraftService::OnEvidence(const std::vector<Event>& inserted) {
  std::vector<std::string> stale;
  {
    std::lock_guard lock(watch_mu_);
    if (watched_.empty()) return;
    for (const Event& e : inserted) {
      // Named events: one map lookup.
      if (!e.incident_id.empty()) {
        auto it = watched_.find(e.incident_id);
        if (it == watched_.end() || e.seq <= it->second.seq) continue;
        if (it->second.building) {
          it->second.dirty = true;
        } else {
          stale.push_back(it->first);
          watched_.erase(it);
        }
        continue;
      }
      if (e.scope.empty()) continue;
      for (auto it = watched_.begin(); it != watched_.end();) {
        if (!Matches(it->second, e, it->first)) {
          ++it;
        } else if (it->second.building) {
          it->second.dirty = true;
          ++it;
        } else {
          stale.push_back(it->first);
          it = watched_.erase(it);
        }
      }
    }
  }
  for (std::string& id : stale) Enqueue(Job{Job::Kind::kStale, std::move(id), "", "", nullptr});
}

bool DraftService::AutoDraftPending(const std::string& incident_id) const {
  std::lock_guard lock(mu_);
  return due_.contains(incident_id);
}

DraftServiceStats DraftService::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void DraftService::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    // Fire due auto drafts into the queue, in incident order for determinism.
    std::vector<std::string> fired;
    while (!due_by_time_.empty() && due_by_time_.begin()->first <= now) {
      fired.push_back(due_by_time_.begin()->second);  // set elements are const: a copy
      due_by_time_.erase(due_by_time_.begin());
      due_.erase(fired.back());
    }
    std::sort(fired.begin(), fired.end());
    for (std::string& id : fired) {
      queue_.push_back(Job{Job::Kind::kGenerate, std::move(id), "auto_close", "", nullptr});
    }
    if (queue_.empty()) {
      if (due_by_time_.empty()) {
        cv_.wait(lock);
      } else {
        // A copy: wait_until reads its deadline again after each wakeup, and OnTransition
        // may erase the set node meanwhile (found by AddressSanitizer, heap-use-after-free).
        const auto next_due = due_by_time_.begin()->first;
        cv_.wait_until(lock, next_due);
      }
      continue;
    }
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    RunGuardedJob(job);
    lock.lock();
  }
}

// An exception must not end the worker (nor the daemon): the job's client gets a 500 if it
// was not answered yet, and the next job runs.
void DraftService::RunGuardedJob(Job& job) {
  auto answered = std::make_shared<bool>(false);
  if (job.done) {
    job.done = [inner = std::move(job.done), answered](const Outcome& o) {
      *answered = true;
      inner(o);
    };
  }
  if (RunGuarded("drafts", [&] { RunJob(job); }) || !job.done || *answered) return;
  RunGuarded("drafts", [&] {
    job.done(MakeError(ErrorCode::kInternal, "internal", "building the draft failed"));
  });
}

void DraftService::RunJob(Job& job) {
  if (job.kind == Job::Kind::kStale) {
    MarkStale(job.incident_id);
    return;
  }
  if (auto cached = CachedOutcome(job)) {
    if (job.done) job.done(*cached);
    return;
  }
  Outcome o = Build(job.incident_id, job.trigger);
  Remember(job, o);
  if (job.done) job.done(o);
}

std::optional<DraftService::Outcome> DraftService::CachedOutcome(const Job& job) {
  if (job.idempotency_key.empty()) return std::nullopt;
  const Cached* cached = idempotency_.Find(job.idempotency_key);
  if (cached == nullptr) return std::nullopt;
  if (clock_.Now() - cached->at > kIdempotencyTtl) return std::nullopt;
  if (cached->incident_id != job.incident_id) {
    return MakeError(kIdempotencyKeyReused, "this Idempotency-Key was used for another incident");
  }
  return cached->outcome;
}

void DraftService::Remember(const Job& job, const Outcome& o) {
  // Retryable failures are not remembered: the client's retry should try again.
  if (job.idempotency_key.empty()) return;
  if (!o && (o.error().code == ErrorCode::kUnavailable || o.error().code == ErrorCode::kExhausted))
    return;
  idempotency_.Put(job.idempotency_key, Cached{job.incident_id, o, clock_.Now()});
}

Result<DraftService::Watched> DraftService::WatchFor(const Incident& incident) const {
  Watched w;
  const summarizer::ServiceCorrelation& s =
      summarizer::ServiceConfigFor(incident, config_.correlation);
  w.patterns = s.scopes;
  for (const std::string& c : s.slack_channels) w.patterns.push_back(SlackScope(c));
  auto window = summarizer::WindowFor(incident, s, store_, clock_.Now());
  if (!window) return std::unexpected(window.error());
  w.from = window->from;
  w.to = window->to;
  auto nodes = summarizer::NodeScopes(incident, config_.correlation, store_, clock_.Now());
  if (!nodes) return std::unexpected(nodes.error());
  w.patterns.insert(w.patterns.end(), nodes->begin(), nodes->end());
  // While open, the window grows with the clock: anything later still belongs.
  if (summarizer::IncidentOpen(incident) && w.to != 0) w.to = std::numeric_limits<Nanos>::max();
  return w;
}

DraftService::Outcome DraftService::Build(const std::string& incident_id,
                                          const std::string& trigger) {
  auto inc = store_.GetIncident(incident_id);
  if (!inc) return std::unexpected(inc.error());
  if (!inc->has_value())
    return MakeError(ErrorCode::kNotFound, "not_found", "no incident " + incident_id);
  const Incident& incident = **inc;
  // Before any read of the build, WatchFor's scan for the nodes that ran the pods included:
  // an event committed meanwhile is then newer than the watch and marks the draft stale.
  const auto seq = store_.CommittedSeq();
  auto watch = WatchFor(incident);
  if (!watch) return std::unexpected(watch.error());
  watch->building = true;
  watch->seq = seq;
  std::optional<Watched> previous;  // the watch of the last fresh draft, kept on failure
  {
    std::lock_guard lock(watch_mu_);
    if (auto it = watched_.find(incident_id); it != watched_.end()) previous = it->second;
    watched_[incident_id] = *watch;
  }
  auto forget = [&] {
    std::lock_guard lock(watch_mu_);
    auto it = watched_.find(incident_id);
    if (it == watched_.end()) return;
    const bool dirty = it->second.dirty;
    watched_.erase(it);
    if (previous && !dirty) watched_[incident_id] = *previous;
  };
  Error last{ErrorCode::kInternal, "draft_failed", "no attempt made"};
  for (int attempt = 0; attempt < kSaveAttempts; ++attempt) {
    auto latest = store_.LatestDraftVersion(incident_id);
    if (!latest) {
      last = latest.error();
      break;
    }
    const Nanos now = clock_.Now();
    summarizer::DraftMeta meta;
    meta.incident_id = incident_id;
    meta.version = *latest + 1;
    meta.trigger = trigger;
    meta.generated_at = now;
    auto draft = summarizer::BuildDraft(incident, config_, store_, meta, now);
    if (!draft) {
      last = draft.error();
      if (last.code == ErrorCode::kUnavailable) continue;  // the store changed between passes
      break;
    }
    store::StoredDraft row{incident_id,
                           draft->meta.version,
                           draft->meta.trigger,
                           draft->meta.generator,
                           draft->meta.config_hash,
                           draft->meta.input_digest,
                           std::move(draft->markdown),
                           std::move(draft->json),
                           now,
                           false};
    auto saved = store_.SaveDraft(row);
    if (!saved) {
      last = saved.error();
      if (last.Is(store::kDraftVersionTaken)) continue;
      break;
    }
    bool dirty = false;
    {
      std::lock_guard lock(watch_mu_);
      auto it = watched_.find(incident_id);
      dirty = it != watched_.end() && it->second.dirty;
      if (dirty) {
        watched_.erase(it);
      } else if (it != watched_.end()) {
        it->second.building = false;
      }
    }
    if (dirty) MarkStale(incident_id);
    {
      std::lock_guard lock(mu_);
      ++stats_.drafts_built;
    }
    DraftSaved o{incident_id,
                 row.version,
                 row.trigger,
                 row.input_digest,
                 draft->cited_ids.size(),
                 draft->correlated_count};
    spdlog::info("[inc={}] draft version {} stored (trigger {}, {} lines, {} events cited)",
                 incident_id, row.version, trigger, draft->timeline.lines.size(),
                 draft->cited_ids.size());
    Notify(o);
    if (saved_listener_) saved_listener_(incident_id, row.version);
    return o;
  }
  forget();
  {
    std::lock_guard lock(mu_);
    ++stats_.build_failures;
  }
  spdlog::warn("[inc={}] draft failed: {}: {}", incident_id, last.message, last.detail);
  return std::unexpected(last);
}

void DraftService::MarkStale(const std::string& incident_id) {
  auto n = store_.MarkDraftsStale(incident_id);
  if (!n) {
    spdlog::error("[inc={}] cannot mark drafts stale: {}", incident_id, n.error().detail);
    return;
  }
  if (*n > 0) {
    std::lock_guard lock(mu_);
    ++stats_.marked_stale;
  }
}

void DraftService::Notify(const DraftSaved& d) {
  if (options_.notify_url.empty() || !notify_client_) return;
  const std::string& incident_id = d.incident_id;
  const std::string body = json{{"incident_id", d.incident_id},
                                {"version", d.version},
                                {"trigger", d.trigger},
                                {"input_digest", d.input_digest},
                                {"location", DraftPath(d.incident_id, d.version, "json")},
                                {"markdown_location", DraftPath(d.incident_id, d.version, "md")}}
                               .dump();
  connectors::HttpRequest req;
  req.method = "POST";
  req.url = options_.notify_url;
  req.body = body;
  const std::string ts = std::to_string(clock_.Now() / kNanosPerSecond);
  req.headers["content-type"] = "application/json";
  req.headers["x-timelined-timestamp"] = ts;
  if (!options_.notify_secret.empty()) {
    req.headers["x-timelined-signature"] = SignV1(options_.notify_secret, ts + "\n" + body);
  }
  auto r = notify_client_->Send(req);
  if (!r || r->status < 200 || r->status >= 300) {
    std::lock_guard lock(mu_);
    ++stats_.notify_failures;
    spdlog::warn("[inc={}] draft notice failed: {}", incident_id,
                 r ? "HTTP " + std::to_string(r->status) : r.error().message);
  }
}

}  // namespace timelined::daemon
