#include "daemon/sources/slack/webhooks_slack.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "connectors/slack/events.h"
#include "connectors/slack/signature.h"

namespace timelined::daemon {
namespace {

using nlohmann::json;
namespace slack = connectors::slack;

constexpr const char* kRequests = "timelined_slack_requests_total";
constexpr const char* kSignatureFailures = "timelined_webhook_signature_failures_total";
constexpr const char* kThreadBindings = "timelined_slack_thread_bindings_total";

http::Response Ok(const json& body) { return http::Response::Json(200, body.dump()); }

}  // namespace

// ---- RecentKeys ----------------------------------------------------------------------

void RecentKeys::Expire(Nanos now) {
  while (!order_.empty() && (order_.front().first <= now || expires_.size() > max_keys_)) {
    auto it = expires_.find(order_.front().second);
    // A key inserted again keeps its newest expiry; only that entry of order_ removes it.
    if (it != expires_.end() && it->second == order_.front().first) expires_.erase(it);
    order_.pop_front();
  }
}

bool RecentKeys::Contains(const std::string& key, Nanos now) {
  std::lock_guard<std::mutex> lock(mu_);
  Expire(now);
  auto it = expires_.find(key);
  return it != expires_.end() && it->second > now;
}

void RecentKeys::Insert(const std::string& key, Nanos now) {
  std::lock_guard<std::mutex> lock(mu_);
  const Nanos expiry = now + ttl_;
  expires_[key] = expiry;
  order_.emplace_back(expiry, key);
  Expire(now);
}

size_t RecentKeys::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return expires_.size();
}

// ---- SlackWebhook --------------------------------------------------------------------

SlackWebhook::SlackWebhook(const config::SlackConfig& config, IngestPipeline& ingest,
                           SlackBindings& bindings, SlackThreadBackfiller* backfill,
                           SlackUserNames* names, http::MetricsRegistry& metrics,
                           const Clock& clock)
    : config_(config),
      options_{config.workspace_url, config.own_bot_id},
      ingest_(ingest),
      bindings_(bindings),
      backfill_(backfill),
      names_(names),
      metrics_(metrics),
      clock_(clock) {
  metrics_.DeclareCounter(kSignatureFailures,
                          "Webhook requests rejected for a bad signature, by source and reason");
  metrics_.DeclareCounter(kRequests, "Verified Slack Events API requests, by outcome");
  metrics_.DeclareCounter(kThreadBindings,
                          "Slack threads bound to an incident by a root message naming it");
  if (config_.webhook_enabled()) {
    // At 0 from the start, so increase() sees the first refusal: every reason
    // slack::VerifySignature can give.
    for (std::string_view reason :
         {std::string_view("bad_timestamp"), std::string_view("stale_timestamp"),
          kMissingSignature.name, kBadSignature.name}) {
      metrics_.Add(kSignatureFailures, {{"source", "slack"}, {"reason", std::string(reason)}}, 0);
    }
  }
}

std::string SlackWebhook::last_team() const {
  std::lock_guard<std::mutex> lock(team_mu_);
  return last_team_;
}

Result<void> SlackWebhook::Verify(const http::Request& req) const {
  const Nanos now = clock_.Now();
  auto ts = req.Header(slack::kTimestampHeader);
  auto sig = req.Header(slack::kSignatureHeader);
  auto r = slack::VerifySignature(req.body, ts, sig, config_.signing_secret, now);
  if (!r && r.error().Is(kBadSignature) && !config_.previous_secret().empty()) {
    r = slack::VerifySignature(req.body, ts, sig, config_.previous_secret(), now);
  }
  return r;
}

void SlackWebhook::Handle(http::Request& req, http::Respond respond) {
  if (!config_.webhook_enabled()) {
    respond(http::Response::JsonError(404, "slack_not_configured",
                                      "set [slack] signing_secret to receive Slack events"));
    return;
  }
  if (auto v = Verify(req); !v) {
    metrics_.Add(kSignatureFailures, {{"source", "slack"}, {"reason", v.error().message}});
    spdlog::warn("[src=slack] rejected request from {}: {} ({} body bytes)", req.remote_address,
                 v.error().message, req.body.size());
    respond(http::Response::JsonError(401, v.error().message, v.error().detail));
    return;
  }
  auto parsed = slack::ParseEventsApi(req.body, clock_.Now(), options_);
  if (!parsed) {
    metrics_.Add(kRequests, {{"outcome", "invalid"}});
    spdlog::warn("[src=slack] unusable event from {}: {}: {}", req.remote_address,
                 parsed.error().message, parsed.error().detail);
    http::Response r = http::Response::FromError(parsed.error());
    r.headers.emplace_back("X-Slack-No-Retry", "1");  // a retry would be just as malformed
    respond(std::move(r));
    return;
  }
  switch (parsed->type) {
    case slack::SlackParse::kUrlVerification:
      metrics_.Add(kRequests, {{"outcome", "url_verification"}});
      respond(Ok(json{{"challenge", parsed->challenge}}));
      return;
    case slack::SlackParse::kRateLimited:
      metrics_.Add(kRequests, {{"outcome", "rate_limited"}});
      spdlog::warn("[src=slack] Slack is rate-limiting this app's events for team {}",
                   parsed->team_id);
      respond(Ok(json{{"ok", true}}));
      return;
    case slack::SlackParse::kIgnored:
      metrics_.Add(kRequests, {{"outcome", "ignored"}});
      respond(Ok(json{{"ok", true}, {"stored", 0}}));
      return;
    case slack::SlackParse::kEventCallback:
      break;
  }
  HandleCallback(std::move(parsed->team_id), std::move(parsed->dedup_key),
                 std::move(parsed->events), std::move(respond));
}

void SlackWebhook::HandleCallback(std::string team, std::string dedup_key,
                                  std::vector<Event> events, http::Respond respond) {
  // Slack's deadline covers the whole answer: resolving bindings (which may write one) and
  // then waiting for durability share [slack] ack_timeout_ms.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.ack_timeout_ms);
  {
    std::lock_guard<std::mutex> lock(team_mu_);
    last_team_ = team;
  }
  if (seen_.Contains(dedup_key, clock_.Now())) {
    metrics_.Add(kRequests, {{"outcome", "retry_duplicate"}});
    respond(Ok(json{{"ok", true}, {"duplicate", true}}));
    return;
  }
  std::vector<Binding> new_threads;
  for (Event& e : events) {
    std::optional<Binding> bound;
    auto incident = bindings_.Resolve(e, &bound, deadline);
    if (!incident) {
      spdlog::warn("[src=slack] binding lookup failed: {}: {}", incident.error().message,
                   incident.error().detail);
      respond(http::Response::FromError(incident.error()));  // 503: Slack retries
      return;
    }
    e.incident_id = *incident;
    if (bound) new_threads.push_back(std::move(*bound));
  }
  std::vector<std::string> authors;
  if (names_ != nullptr) authors = SlackUserNames::AuthorsOf(events);
  ingest_.Submit(
      "slack", std::move(events),
      [this, team = std::move(team), dedup_key = std::move(dedup_key),
       new_threads = std::move(new_threads), authors = std::move(authors),
       respond = std::move(respond)](Result<IngestOutcome> r) mutable {
        if (r) {
          seen_.Insert(dedup_key, clock_.Now());
          if (names_ != nullptr) names_->Want(team, authors);
          metrics_.Add(kRequests, {{"outcome", "stored"}});
          respond(Ok(json{{"ok", true}, {"inserted", r->inserted}, {"duplicates", r->duplicates}}));
        } else {
          respond(http::Response::FromError(r.error()));  // 503 when not durable: Slack retries
        }
        // The binding is stored already, so Slack's retry of this delivery finds it and
        // reports no new thread: the backfill is queued now, whatever the answer was.
        for (Binding& b : new_threads) {
          metrics_.Add(kThreadBindings, {});
          spdlog::info("[src=slack] [inc={}] thread {} bound by its root message", b.incident_id,
                       b.key);
          if (backfill_ == nullptr) continue;
          size_t colon = b.key.find(':');
          backfill_->Enqueue(
              BackfillJob{team, b.key.substr(0, colon), b.key.substr(colon + 1), b.incident_id},
              nullptr);
        }
      },
      std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                   deadline - std::chrono::steady_clock::now()),
               std::chrono::milliseconds(1)));
}

}  // namespace timelined::daemon
