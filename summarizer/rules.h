#pragma once
// The timeline rules, one class per source. Each is fed events one at a time (Add) and
// emits its lines once (Finish). Pure: no clock, no I/O; output depends only on the set of
// events, the incident and the configuration (lines are sorted afterwards). Grouping keys:
//
//   lifecycle   PagerDuty events by attrs.match_key (a webhook and a REST log entry of the
//               same transition collapse into one line citing both), else by event id.
//               Key "lifecycle:<transition>:<match_key or id>".
//   kubernetes  Warning events by (reason, namespace, object kind, object name, message
//               template). Key "k8s:<reason>:<namespace>/<kind>/<name>:<hash>".
//               A Kubernetes line's "×N" is the occurrences Kubernetes reports: the highest
//               count per Event object (KubernetesObjectKey), summed over the objects the
//               line merges (shown per object: "2 Kubernetes events: 9 + 3"); never the
//               number of snapshots (watch updates) stored.
//   rollout     a Deployment replacing a replica set: its scale-ups and the old replica
//               set's scale-downs, the new pods' first start events and the old pods'
//               "Stopping container" kills, one line per rollout (or rollback) until the
//               Deployment's next one. Key "rollout:<path>:<replica set>:<start id>".
//   deploy      other Normal events whose reason is a deploy reason: ScalingReplicaSet (and
//               DeploymentRollback) by (object, message), others by (reason, replica set
//               or workload, message template). Keys "deploy:<reason>:<object>:<hash>",
//               "deploy:<reason>:<ns>/<replica set or workload>:<hash>".
//               Same reason, different meaning ("Killing" for a failed liveness probe, and
//               for "Stopping container" in a rollback) never share a line.
//   log         log.error/fatal/critical (and log.warn) by (scope, level, message template).
//               Key "log:<scope>:<error|warning>:<hash of template>".
//   signal      other sources at severity >= warning by (source, kind, scope, template of the
//               summary). Key "signal:<source>:<kind>:<hash>".
//   slack       one line per salient message (keyword, pinned or reacted; bots by keyword
//               only), the newest edit's text, citing original, edits and deletion, and the
//               author's `slack.user` event when it names them ("Alice Chen: …"; bots
//               "Deploy Bot (bot): …"). Key "slack:<original id>".
// Each grouping rule keeps at most limits.max_groups groups; the rest share one overflow
// line per rule ("…:overflow"), so nothing is dropped silently.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/model/event.h"
#include "summarizer/config.h"
#include "summarizer/group.h"
#include "summarizer/metrics.h"
#include "summarizer/text.h"
#include "summarizer/timeline.h"

namespace timelined::summarizer {

// Evidence that is not part of the incident but names what it shows: a Slack author's
// `slack.user` event by its ID. nullopt when there is none. Must be deterministic for one
// store state (the draft's byte-identical property).
using EventLookup = std::function<std::optional<Event>(const std::string& id)>;

// The ID of the `slack.user` event naming `user` of workspace `team`: MakeEventId("slack",
// "<team>:user:<user>"), as connectors/slack/users.h stores it.
std::string SlackUserEventId(std::string_view team, std::string_view user);
inline constexpr std::string_view kSlackUserKind = "slack.user";

// Shared, read-only inputs of the rules. References must outlive the rules.
struct RuleContext {
  RuleContext(const Incident& incident, const SummarizerConfig& config, EventLookup lookup = {});
  bool IsDeployReason(std::string_view reason) const;

  const Incident& incident;
  const SummarizerConfig& config;
  EventLookup lookup;  // may be empty: no names beyond the events' own
  KeywordMatcher salient;
  KeywordMatcher mitigation;
  std::vector<std::string> deploy_reasons;  // sorted
  Nanos resolved_at = 0;     // incident.resolved_at when the incident is resolved, else 0
  Nanos resolve_cutoff = 0;  // resolved_at + tolerance, 0 when not resolved
};

// "error" | "warning" | "" for log events (by kind "log.<level>", else severity).
std::string_view LogLevelClass(const Event& e);
// A Kubernetes event of type Warning (or, without a type, severity >= warning).
bool IsKubernetesWarning(const Event& e);
// "pod payments-7d9f-x2k9p" from attrs.object, else the scope.
std::string KubernetesObjectLabel(const Event& e);
// How many times a Kubernetes Event object has happened so far, as this snapshot reports it:
// the highest of attrs.count and attrs.series.count, at least 1.
int64_t KubernetesOccurrences(const Event& e);
// The Event object a snapshot belongs to: its source_ref ("<metadata.uid>:<count>", the
// connector's identity) without the ":<count>" suffix; the whole source_ref when it has no
// such suffix. Snapshots of one object share it; their highest count is its occurrences.
std::string KubernetesObjectKey(const Event& e);
// The message template a Kubernetes line's members share: names of the object and of the
// workload's generated objects ("payments-api-6c8f9d7b5-x2k9p") masked as <name>, then
// MessageTemplate. "Stopping container api" and "Container api failed liveness probe, will
// be restarted" differ; "Created pod: <name>" for two pods does not.
std::string KubernetesMessageTemplate(const Event& e);

struct LifecycleGroup {
  std::string key;         // the line key
  std::string transition;  // "acknowledged", or the whole kind when not "incident.*"
  std::string actor, detail, summary;
  Nanos at = 0;
  std::string at_id;
  IdList cites;
  bool mitigation = false;  // a note/status update stating a mitigation
  // triggered: whom PagerDuty paged, from the earliest (at, id) member whose own snapshot
  // names assignees, so the line does not depend on which member arrived first.
  std::string paged;
  Nanos paged_at = 0;
  std::string paged_id;
};

class LifecycleRule {
 public:
  explicit LifecycleRule(const RuleContext& ctx) : ctx_(ctx) {}
  void Add(const Event& e);
  void Finish(std::vector<TimelineLine>* out);
  // After Finish. Earliest group of `transition` at or after `not_before`.
  MetricPoint First(std::string_view transition, Nanos not_before = 0) const;
  MetricPoint Last(std::string_view transition) const;
  MetricPoint FirstMitigation(Nanos not_before) const;

 private:
  const RuleContext& ctx_;
  std::map<std::string, LifecycleGroup> groups_;
};

class KubernetesRule {
 public:
  explicit KubernetesRule(const RuleContext& ctx);
  bool Add(const Event& e);  // false: not shown (Normal and not a deploy reason)
  void Finish(const ResolveRef& resolve, std::vector<TimelineLine>* out);
  // The change closest before `before`: of the replica sets a Deployment rolled out (scaled
  // up "from 0", or scaled up while it scaled another one down), the one whose first
  // scale-up is the latest before `before`; that scale-up is when the rollout started.
  // *change_key (may be null) receives its key for FirstRolloutDone.
  MetricPoint LastRolloutStartBefore(Nanos before, std::string* change_key) const;
  // The first rollout or rollback that completed at or after `not_before`: a
  // DeploymentRollback event, or a replica set scaled down to 0 (the last step of a rollout
  // and of `kubectl rollout undo`) — only the changed replica set when `change_key` names
  // one. Evidence that a change took effect, for time to mitigate.
  MetricPoint FirstRolloutDone(Nanos not_before, const std::string& change_key) const;

 private:
  void AddWarning(const Event& e, const std::string& reason);
  void AddDeploy(const Event& e, const std::string& reason);
  void GroupDeploy(const Event& e, const std::string& reason);
  const RuleContext& ctx_;
  struct RolloutStep {
    Nanos at = 0;
    std::string id;
    std::string path;  // the Deployment (ObjectPath)
    std::string ns;    // its namespace and name
    std::string deployment;
    std::string replica_set;
    bool from_zero = false;  // a scale-up "from 0" (Kubernetes 1.27+)
    std::string what;        // done: the event's message
  };
  struct Rollout;  // one rollout or rollback, built in Finish (rules_kubernetes.cc)
  // Finds the rollouts among pending_'s ScalingReplicaSet events and marks their members
  // in *used; then adds the pods' events that belong to them.
  std::vector<Rollout> DrawRollouts(std::vector<char>* used) const;
  void JoinPodEvents(std::vector<Rollout>& rollouts, std::vector<char>* used) const;
  static TimelineLine RolloutLine(Rollout& r);
  void TrackScaling(const Event& e, const std::string& message);
  bool IsRolloutStart(const RolloutStep& start) const;
  // Each bounded by kMaxRolloutEvents (an incident has a handful of rollouts).
  std::vector<RolloutStep> rollouts_done_;
  std::map<std::string, RolloutStep> rollout_starts_;  // path + '\0' + replica set -> first
  std::map<std::string, std::vector<RolloutStep>> scale_downs_;  // by path
  // Deploy events wait here until Finish, which draws each rollout as one line and groups
  // the rest; beyond kMaxRolloutEvents they are grouped as they come.
  std::vector<Event> pending_;
  GroupTable warnings_;
  GroupTable scaling_;  // one line per (object, message)
  GroupTable deploys_;  // by (reason, replica set or workload)
};

class LogRule {  // log events and other sources' signals
 public:
  explicit LogRule(const RuleContext& ctx);
  bool Add(const Event& e);  // false: below warning level
  void Finish(const ResolveRef& resolve, std::vector<TimelineLine>* out);

 private:
  bool AddLog(const Event& e);
  bool AddSignal(const Event& e);
  const RuleContext& ctx_;
  GroupTable logs_;
  GroupTable signals_;
};

struct SlackEntry {
  Nanos at = 0;  // the original's time (earliest version until it is seen)
  bool original_seen = false;
  std::string author;      // the event's actor: a user id, or a bot's name
  std::string team, user;  // the author's workspace and user id (not for bots)
  Nanos newest_at = 0;
  std::string newest_id;
  std::string quote;  // newest text, short
  bool salient_kw = false, mitigation_kw = false;
  bool edited = false, deleted = false, bot = false;
  bool has_replies = false;  // reply_count > 0: the root of a thread
  // Reactions and pins, as of the evidence's end (ResolveSignals, in Finish): the newest
  // snapshot a version of the message carried (attrs.reactions / attrs.pinned, as of its
  // received_at), then the add and remove events after it, the latest per person.
  Nanos snapshot_at = -1;  // -1: no version carried reactions or a pin
  std::string snapshot_id;
  std::map<std::string, int64_t> snapshot;
  bool snapshot_pinned = false;
  struct Signal {
    Nanos at = 0;
    std::string id;
    std::string name;  // the reaction; "" for a pin
    std::string user;
    bool added = true;
  };
  std::vector<Signal> signals;  // at most kMaxSignals
  bool pinned = false, reacted = false;
  bool include = false, exclude = false;  // an include / exclude reaction is on it
  std::string thread_key;                 // "<channel>:<ts>" of the original
  IdList cites;
  IdList signal_cites;  // reaction_added / pin_added events on it
};

class SlackRule {
 public:
  static constexpr size_t kMaxSignals = 4096;  // reaction/pin events kept per message
  explicit SlackRule(const RuleContext& ctx) : ctx_(ctx) {}
  void Add(const Event& e);
  void Finish(std::vector<TimelineLine>* out, TimelineStats* stats);
  // After Finish (which resolves reactions and pins).
  MetricPoint FirstMitigation(Nanos not_before) const;

 private:
  // How a line names the author: the display name of their `slack.user` event (cited), else
  // the actor as stored; bots as "<name> (bot)".
  struct Author {
    std::string text;
    std::string cite;  // the slack.user event's ID, or ""
  };
  Author AuthorOf(const SlackEntry& s) const;
  bool Salient(const SlackEntry& s) const;
  // Sets pinned, reacted, include and exclude from the snapshot and the signals.
  void ResolveSignals(SlackEntry& s) const;
  const RuleContext& ctx_;
  std::unordered_map<std::string, SlackEntry> entries_;      // by original message id
  std::unordered_set<std::string> threads_with_replies_;     // "<channel>:<thread_ts>"
  mutable std::unordered_map<std::string, Author> authors_;  // by slack.user event id
};

}  // namespace timelined::summarizer
