#pragma once
// SlackBindings: which incident a Slack message belongs to as it arrives (issue 3).
//
// A message carries an incident_id when, in this order:
//   1. its thread ("<channel>:<root ts>") is bound to an incident;
//   2. its channel is bound to an incident (POST /v1/incidents/{id}/bindings);
//   3. it is a thread root (or an edit of one) whose text names a KNOWN incident — a
//      PagerDuty incident URL or "#<number>" (FindIncidentReferences) — which binds the
//      thread to it from then on (the caller then backfills the thread);
//   4. its channel is a service's incident channel ([[slack.channels]]) and an incident of
//      that service is open (triggered or acknowledged).
// Otherwise it keeps scope "slack/<channel>" only. Bindings live in the store's `bindings`
// table; this class keeps them cached in memory (loaded at start, updated on Bind), so the
// per-message lookups 1-2 touch no database. Lookups 3-4 read the store.
//
// Threads: every method is safe from any thread (the cache is behind a mutex).
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/slack.h"
#include "store/binding_store.h"
#include "store/model/error.h"
#include "store/model/event.h"
#include "summarizer/config.h"

namespace timelined::daemon {

// config::AddSlackChannelsTo (daemon/config/slack.h): adds every [[slack.channels]] entry to
// `correlation` as a slack channel of its service (services[service].slack_channels), so
// correlation takes the channel's messages in by scope. A service not yet listed starts from
// `correlation.defaults`. Key the service as [summarizer] does (id or name) so both land in one
// entry. Called by whoever builds the summarizer's CorrelationConfig.
using config::AddSlackChannelsTo;

// "<channel>:<thread_ts>": the key of a thread binding.
std::string ThreadKey(std::string_view channel, std::string_view thread_ts);

class SlackBindings {
 public:
  SlackBindings(store::BindingStore& store, std::vector<config::SlackChannel> channels);

  // Fills the cache from the store (at start-up).
  Result<void> Load();

  // Persists a binding (idempotent) and caches what is stored for its (kind, key); see
  // BindingStore::AddBinding. An admin call may wait kAdminBusyTimeoutMs for the lock.
  static constexpr int kAdminBusyTimeoutMs = 5'000;
  Result<store::BindingWrite> Bind(const Binding& binding, std::string_view actor,
                                   int busy_timeout_ms = kAdminBusyTimeoutMs);

  // The incident a Slack event belongs to (rules above), "" for none. `new_thread`
  // receives the thread binding rule 3 created, if any (so the caller can backfill it).
  // Rule 3's write waits at most until `deadline` for the database lock (Slack's answer
  // must not wait past it). Errors: the store's (kUnavailable, ...).
  Result<std::string> Resolve(const Event& event, std::optional<Binding>* new_thread,
                              std::chrono::steady_clock::time_point deadline);

  // The cached incident of a binding, or nullopt.
  std::optional<std::string> Lookup(std::string_view kind, std::string_view key) const;

 private:
  Result<std::string> IncidentNamedIn(std::string_view text) const;

  store::BindingStore& store_;
  std::map<std::string, std::string> channel_services_;  // channel -> service
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::string> cache_;  // guarded by mu_
};

}  // namespace timelined::daemon
