// Kubernetes warnings grouped by reason and object; deploy/scale/restart lines.
#include <algorithm>
#include <tuple>

#include "summarizer/rules.h"
#include "summarizer/template.h"

namespace timelined::summarizer {
namespace {

std::string Reason(const Event& e) {
  std::string r = AttrString(e.attrs, "reason");
  if (!r.empty()) return r;
  return e.kind.starts_with("k8s.") ? e.kind.substr(4) : e.kind;
}

std::string Message(const Event& e) {
  std::string m = AttrString(e.attrs, "message");
  if (!m.empty()) return m;
  return e.body.empty() ? e.summary : e.body;
}

// "payments/pod/x" ("node/n1" for cluster-scoped objects).
std::string ObjectPath(const Event& e) {
  std::string ns = AttrString(e.attrs, "namespace");
  std::string kind = ToLowerAscii(AttrString(e.attrs, "object", "kind"));
  std::string name = AttrString(e.attrs, "object", "name");
  if (name.empty()) return e.scope;
  return (ns.empty() ? "" : ns + "/") + (kind.empty() ? "object" : kind) + "/" + name;
}

// What a deploy event belongs to: the replica set for ReplicaSets and their pods
// ("payments/payments-api-6c8f9d7b5"), else the workload ("payments/payments-api"), so a
// rollout and its rollback land on separate lines.
std::string DeployUnit(const Event& e) {
  std::string ns = AttrString(e.attrs, "namespace");
  std::string kind = AttrString(e.attrs, "object", "kind");
  std::string name = AttrString(e.attrs, "object", "name");
  std::string unit = AttrString(e.attrs, "workload");
  if (kind == "ReplicaSet" && !name.empty()) {
    unit = name;
  } else if (kind == "Pod" && !unit.empty() && name.starts_with(unit + "-")) {
    std::string rest = name.substr(unit.size() + 1);  // "6c8f9d7b5-x2k9p"
    size_t dash = rest.rfind('-');
    if (dash != std::string::npos) unit += "-" + rest.substr(0, dash);
  }
  if (unit.empty()) unit = name;
  if (unit.empty()) return e.scope;
  return ns.empty() ? unit : ns + "/" + unit;
}

// How many times the line's events happened, as Kubernetes reports it.
size_t Occurrences(const Group& g) {
  return g.has_reported() ? static_cast<size_t>(std::max<int64_t>(1, g.ReportedTotal())) : g.count;
}

// " (2 Kubernetes events: 9 + 3)" when a line merges several Event objects of which one
// repeated (when each happened once, the per-object counts would only repeat "1").
std::string PerObject(const Group& g) {
  if (g.reported.size() < 2 || g.ReportedTotal() == static_cast<int64_t>(g.reported.size()))
    return "";
  constexpr size_t kShown = 6;
  std::vector<int64_t> counts = g.ReportedCounts();
  std::string out = " (" + std::to_string(counts.size()) + " Kubernetes events: ";
  for (size_t i = 0; i < counts.size() && i < kShown; ++i) {
    if (i > 0) out += " + ";
    out += std::to_string(counts[i]);
  }
  if (counts.size() > kShown) out += " + \xE2\x80\xA6";
  return out + ")";
}

std::string Colon(const std::string& text) { return text.empty() ? "" : ": " + text; }

// "BackOff ×37 on pod x, 12:01–12:19 UTC: Back-off restarting failed container".
std::string WarningText(const Group& g) {
  size_t n = Occurrences(g);
  if (n == 1) return g.pattern + " on " + g.where + Colon(g.text);
  return g.pattern + " " + Times(n) + " on " + g.where + ", " + FormatSpan(g.first, g.last) +
         PerObject(g) + Colon(g.text);
}

// "Deploy/scale: Scaled up replica set payments-6c8 to 3".
std::string ScalingText(const Group& g) {
  std::string out = "Deploy/scale: " + g.text;
  if (size_t n = Occurrences(g); n > 1)
    out += " (" + Times(n) + ", " + FormatSpan(g.first, g.last) + PerObject(g) + ")";
  return out;
}

// "Deploy/scale: Killing ×2 in payments/payments-api-6c8f9d7b5, 12:10 UTC: Stopping container api".
std::string DeployText(const Group& g) {
  size_t n = Occurrences(g);
  if (n == 1) return "Deploy/scale: " + g.what + Colon(g.text);
  return "Deploy/scale: " + g.pattern + " " + Times(n) + " in " + g.where + ", " +
         FormatSpan(g.first, g.last) + PerObject(g) + Colon(g.text);
}

std::string OverflowText(const char* what, const Group& g, size_t limit) {
  return std::string(what) + " " + Times(Occurrences(g)) + " beyond the limit of " +
         CountOf(limit, "groups") + ", " + FormatSpan(g.first, g.last);
}

void AddOccurrences(Group& g, const Event& e, Nanos cutoff) {
  g.AddReported(KubernetesObjectKey(e), KubernetesOccurrences(e),
                cutoff != 0 && e.occurred_at > cutoff);
}

}  // namespace

int64_t KubernetesOccurrences(const Event& e) {
  int64_t n = AttrInt(e.attrs, "count");
  if (e.attrs.is_object()) {
    if (auto it = e.attrs.find("series"); it != e.attrs.end())
      n = std::max(n, AttrInt(*it, "count"));
  }
  return std::max<int64_t>(n, 1);
}

namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

}  // namespace

std::string KubernetesMessageTemplate(const Event& e) {
  std::string message = Message(e);
  std::string workload = AttrString(e.attrs, "workload");
  std::string object = AttrString(e.attrs, "object", "name");
  std::string prefix = workload.empty() ? std::string() : workload + "-";
  std::string masked;
  masked.reserve(message.size());
  size_t i = 0;
  while (i < message.size()) {
    if (!IsNameChar(message[i]) || (i > 0 && IsNameChar(message[i - 1]))) {
      masked += message[i++];
      continue;
    }
    size_t j = i;
    while (j < message.size() && IsNameChar(message[j])) ++j;
    std::string_view token(message.data() + i, j - i);
    bool name = (!object.empty() && token == object) ||
                (!prefix.empty() && token.size() > prefix.size() && token.starts_with(prefix));
    if (name) {
      masked += "<name>";
    } else {
      masked.append(token);
    }
    i = j;
  }
  return MessageTemplate(masked);
}

std::string KubernetesObjectKey(const Event& e) {
  int64_t counts[] = {KubernetesOccurrences(e), AttrInt(e.attrs, "count"), 0};
  if (e.attrs.is_object()) {
    if (auto it = e.attrs.find("series"); it != e.attrs.end()) counts[2] = AttrInt(*it, "count");
  }
  for (int64_t c : counts) {
    if (c <= 0) continue;
    std::string suffix = ":" + std::to_string(c);
    if (e.source_ref.size() > suffix.size() && e.source_ref.ends_with(suffix))
      return e.source_ref.substr(0, e.source_ref.size() - suffix.size());
  }
  return e.source_ref.empty() ? e.id : e.source_ref;
}

KubernetesRule::KubernetesRule(const RuleContext& ctx)
    : ctx_(ctx),
      warnings_(ctx.config.limits.max_groups),
      scaling_(ctx.config.limits.max_groups),
      deploys_(ctx.config.limits.max_groups) {
  warnings_.mutable_overflow().key = "k8s:overflow";
  warnings_.mutable_overflow().what = "other Kubernetes warnings";
  scaling_.mutable_overflow().key = "deploy:overflow:scaling";
  deploys_.mutable_overflow().key = "deploy:overflow";
}

bool KubernetesRule::Add(const Event& e) {
  std::string reason = Reason(e);
  if (IsKubernetesWarning(e)) {
    AddWarning(e, reason);
    return true;
  }
  if (!ctx_.IsDeployReason(reason)) return false;
  AddDeploy(e, reason);
  return true;
}

void KubernetesRule::AddWarning(const Event& e, const std::string& reason) {
  std::string path = ObjectPath(e);
  std::string tmpl = KubernetesMessageTemplate(e);
  bool created = false;
  Group& g = warnings_.Get(reason + '\0' + path + '\0' + tmpl, &created);
  if (created) {
    g.key = "k8s:" + reason + ":" + path + ":" + ShortHash(tmpl);
    g.pattern = reason;
    g.where = KubernetesObjectLabel(e);
    g.what = reason + " on " + g.where;
  }
  if (g.Add(e, ctx_.resolve_cutoff)) g.text = ShortText(Message(e), ctx_.config.limits.quote_chars);
  AddOccurrences(g, e, ctx_.resolve_cutoff);
}

namespace {

constexpr size_t kMaxRolloutEvents = 10'000;

// The replica set of "Scaled up replica set <name> to <n>…", or "".
std::string_view ScaledUpReplicaSet(std::string_view message) {
  constexpr std::string_view kPrefix = "Scaled up replica set ";
  if (!message.starts_with(kPrefix)) return {};
  message.remove_prefix(kPrefix.size());
  size_t space = message.find(' ');
  if (space == 0 || space == std::string_view::npos) return {};
  return message.substr(0, space);
}

// "Scaled down replica set <name> to <n>[ from <m>]": the replica set, or "" for another
// message; *to_zero says whether <n> is 0.
std::string_view ScaledDownReplicaSet(std::string_view message, bool* to_zero) {
  constexpr std::string_view kPrefix = "Scaled down replica set ";
  if (!message.starts_with(kPrefix)) return {};
  message.remove_prefix(kPrefix.size());
  size_t space = message.find(' ');
  if (space == 0 || space == std::string_view::npos) return {};
  std::string_view rest = message.substr(space);
  *to_zero = rest == " to 0" || rest.starts_with(" to 0 ");
  return message.substr(0, space);
}

}  // namespace

bool KubernetesRule::IsRolloutStart(const RolloutStep& start) const {
  if (start.from_zero) return true;
  // Before Kubernetes 1.27 the message does not say "from 0": a rollout is a scale-up of one
  // replica set while the Deployment scales another one down (an autoscaler's scale-up is
  // not).
  auto downs = scale_downs_.find(start.path);
  if (downs == scale_downs_.end()) return false;
  return std::any_of(downs->second.begin(), downs->second.end(), [&](const RolloutStep& d) {
    return d.replica_set != start.replica_set && d.at >= start.at;
  });
}

MetricPoint KubernetesRule::LastRolloutStartBefore(Nanos before, std::string* change_key) const {
  const std::pair<const std::string, RolloutStep>* best = nullptr;
  for (const auto& entry : rollout_starts_) {
    const RolloutStep& start = entry.second;
    if (start.at >= before || !IsRolloutStart(start)) continue;
    if (best == nullptr || start.at > best->second.at ||
        (start.at == best->second.at && start.id > best->second.id)) {
      best = &entry;
    }
  }
  if (best == nullptr) return {};
  if (change_key != nullptr) *change_key = best->first;
  return MetricPoint{.at = best->second.at,
                     .citations = {best->second.id},
                     .what = "a Kubernetes rollout of replica set " + best->second.replica_set};
}

MetricPoint KubernetesRule::FirstRolloutDone(Nanos not_before,
                                             const std::string& change_key) const {
  const RolloutStep* best = nullptr;
  for (const RolloutStep& done : rollouts_done_) {
    if (done.at < not_before) continue;
    // With a known bad change, only that replica set going away (or a DeploymentRollback)
    // says the mitigation took effect; an unrelated Deployment's rollout does not.
    if (!change_key.empty() && !done.replica_set.empty() &&
        done.path + '\0' + done.replica_set != change_key) {
      continue;
    }
    if (best == nullptr || done.at < best->at || (done.at == best->at && done.id < best->id)) {
      best = &done;
    }
  }
  if (best == nullptr) return {};
  return MetricPoint{.at = best->at, .citations = {best->id}, .what = best->what};
}

void KubernetesRule::TrackScaling(const Event& e, const std::string& message) {
  const size_t quote = ctx_.config.limits.quote_chars;
  const std::string path = ObjectPath(e);
  bool to_zero = false;
  if (std::string_view rs = ScaledDownReplicaSet(message, &to_zero); !rs.empty()) {
    auto downs_of = scale_downs_.find(path);
    if (downs_of == scale_downs_.end() && scale_downs_.size() < kMaxRolloutEvents) {
      downs_of = scale_downs_.emplace(path, std::vector<RolloutStep>{}).first;
    }
    if (downs_of != scale_downs_.end() && downs_of->second.size() < kMaxRolloutEvents) {
      std::vector<RolloutStep>& downs = downs_of->second;
      downs.push_back(RolloutStep{.at = e.occurred_at, .id = e.id, .replica_set = std::string(rs)});
    }
    if (to_zero && rollouts_done_.size() < kMaxRolloutEvents) {
      rollouts_done_.push_back(RolloutStep{.at = e.occurred_at,
                                           .id = e.id,
                                           .path = path,
                                           .replica_set = std::string(rs),
                                           .what = "Kubernetes: " + ShortText(message, quote)});
    }
    return;
  }
  std::string_view rs = ScaledUpReplicaSet(message);
  if (rs.empty()) return;
  RolloutStep step{.at = e.occurred_at,
                   .id = e.id,
                   .path = path,
                   .replica_set = std::string(rs),
                   .from_zero = message.ends_with(" from 0")};
  const std::string key = path + '\0' + step.replica_set;
  auto it = rollout_starts_.find(key);
  if (it == rollout_starts_.end()) {
    if (rollout_starts_.size() < kMaxRolloutEvents) rollout_starts_.emplace(key, std::move(step));
  } else if (step.at < it->second.at || (step.at == it->second.at && step.id < it->second.id)) {
    step.from_zero = step.from_zero || it->second.from_zero;
    it->second = std::move(step);
  } else {
    it->second.from_zero = it->second.from_zero || step.from_zero;
  }
}

void KubernetesRule::AddDeploy(const Event& e, const std::string& reason) {
  const size_t quote = ctx_.config.limits.quote_chars;
  std::string message = Message(e);
  if (reason == "DeploymentRollback" && rollouts_done_.size() < kMaxRolloutEvents) {
    rollouts_done_.push_back(RolloutStep{.at = e.occurred_at,
                                         .id = e.id,
                                         .path = ObjectPath(e),
                                         .what = "Kubernetes: " + ShortText(message, quote)});
  }
  if (reason == "ScalingReplicaSet") TrackScaling(e, message);
  if (pending_.size() < kMaxRolloutEvents) {
    pending_.push_back(e);
  } else {
    GroupDeploy(e, reason);
  }
}

void KubernetesRule::GroupDeploy(const Event& e, const std::string& reason) {
  bool per_message = reason == "ScalingReplicaSet" || reason == "DeploymentRollback";
  std::string message = Message(e);
  std::string tmpl = per_message ? std::string() : KubernetesMessageTemplate(e);
  bool created = false;
  Group& g = per_message ? scaling_.Get(reason + '\0' + ObjectPath(e) + '\0' + message, &created)
                         : deploys_.Get(reason + '\0' + DeployUnit(e) + '\0' + tmpl, &created);
  if (created) {
    g.key = per_message ? "deploy:" + reason + ":" + ObjectPath(e) + ":" + ShortHash(message)
                        : "deploy:" + reason + ":" + DeployUnit(e) + ":" + ShortHash(tmpl);
    g.pattern = reason;
    g.where = DeployUnit(e);
  }
  if (g.Add(e, 0)) {
    g.text = ShortText(message, ctx_.config.limits.quote_chars);
    g.what = reason + " on " + KubernetesObjectLabel(e);
  }
  AddOccurrences(g, e, 0);
}

// One rollout (or rollback) of a Deployment: the scale-up that started it, every event that
// belongs to it, and what it says about the change.
struct KubernetesRule::Rollout {
  RolloutStep start;      // its first scale-up
  Nanos until = 0;        // the next rollout of the same Deployment starts then (0: none)
  bool rollback = false;  // the replica set ran before: scaling it back up undoes a change
  int64_t replicas = 0;   // the highest size its scale-ups asked for
  Nanos completed = 0;    // another replica set of the Deployment reached 0
  std::string image;      // pulled by its pods (the container named like the Deployment)
  bool image_named = false;
  Nanos image_at = 0;
  std::string image_id;
  Group members;
};

namespace {

bool Earlier(Nanos a_at, const std::string& a_id, Nanos b_at, const std::string& b_id) {
  return a_at < b_at || (a_at == b_at && a_id < b_id);
}

// The replica set a deploy event concerns ("payments-api-6c8f9d7b5"): a ReplicaSet's own
// name, or a pod's name without its 5-character suffix; "" for anything else.
std::string ReplicaSetOf(const Event& e) {
  std::string kind = AttrString(e.attrs, "object", "kind");
  std::string name = AttrString(e.attrs, "object", "name");
  if (kind == "ReplicaSet") return name;
  if (kind != "Pod") return {};
  size_t dash = name.rfind('-');
  return dash == std::string::npos || dash == 0 ? std::string() : name.substr(0, dash);
}

// The Deployment of a replica set: its name without the pod-template hash.
std::string DeploymentOf(const std::string& replica_set) {
  size_t dash = replica_set.rfind('-');
  return dash == std::string::npos || dash == 0 ? std::string() : replica_set.substr(0, dash);
}

// "registry.acme.io/payments-api:v1.43.0" from 'Successfully pulled image "…" in 2.1s' or
// 'Container image "…" already present on machine'; "" for other messages.
std::string PulledImage(std::string_view message) {
  for (std::string_view prefix : {"Successfully pulled image \"", "Container image \""}) {
    if (!message.starts_with(prefix)) continue;
    std::string_view rest = message.substr(prefix.size());
    size_t quote = rest.find('"');
    if (quote != std::string_view::npos && quote > 0) return std::string(rest.substr(0, quote));
  }
  return {};
}

// The repository's last path element: "payments-api" for "registry/x/payments-api:v1@sha…".
std::string_view ImageName(std::string_view image) {
  size_t slash = image.rfind('/');
  if (slash != std::string_view::npos) image.remove_prefix(slash + 1);
  return image.substr(0, image.find_first_of(":@"));
}

// "image tag v1.43.0" for "registry/x:v1.43.0", else "image <reference>".
std::string ImageLabel(const std::string& image) {
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  if (image.find('@') == std::string::npos && colon != std::string::npos &&
      (slash == std::string::npos || colon > slash) && colon + 1 < image.size()) {
    return "image tag " + image.substr(colon + 1);
  }
  return "image " + image;
}

// The target size of "Scaled up replica set <rs> to <n>…", else 0.
int64_t ScaledUpTo(std::string_view message) {
  size_t to = message.find(" to ");
  if (to == std::string_view::npos) return 0;
  int64_t n = 0;
  for (size_t i = to + 4; i < message.size() && message[i] >= '0' && message[i] <= '9'; ++i) {
    if (n > 1'000'000) return n;
    n = n * 10 + (message[i] - '0');
  }
  return n;
}

// The pod events that bring a new replica set's pods up. Only an Event object's first
// occurrence counts: Kubernetes counts a container's restarts on the same object.
bool IsPodStart(const std::string& reason) {
  return reason == "SuccessfulCreate" || reason == "Scheduled" || reason == "Pulling" ||
         reason == "Pulled" || reason == "Created" || reason == "Started";
}

}  // namespace

std::vector<KubernetesRule::Rollout> KubernetesRule::DrawRollouts(std::vector<char>* used) const {
  // When each replica set ("<ns>/<name>") was first named: a scale-up of one named strictly
  // earlier is an older revision coming back, a rollback.
  std::map<std::string, Nanos> first_named;
  auto named = [&first_named](const std::string& ns, std::string_view rs, Nanos at) {
    if (rs.empty()) return;
    auto [it, inserted] = first_named.emplace(ns + "/" + std::string(rs), at);
    if (!inserted) it->second = std::min(it->second, at);
  };
  std::map<std::string, std::vector<size_t>> scaling;  // by Deployment path, then sorted
  for (size_t i = 0; i < pending_.size(); ++i) {
    const Event& e = pending_[i];
    const std::string ns = AttrString(e.attrs, "namespace");
    if (Reason(e) != "ScalingReplicaSet") {
      named(ns, ReplicaSetOf(e), e.occurred_at);
      continue;
    }
    const std::string message = Message(e);
    bool to_zero = false;
    named(ns, ScaledUpReplicaSet(message), e.occurred_at);
    named(ns, ScaledDownReplicaSet(message, &to_zero), e.occurred_at);
    if (!AttrString(e.attrs, "object", "name").empty()) scaling[ObjectPath(e)].push_back(i);
  }
  std::vector<Rollout> rollouts;
  const size_t limit = ctx_.config.limits.max_groups;
  for (auto& [path, seq] : scaling) {
    // In time order; within one second (core/v1 times are whole seconds) scale-ups before
    // scale-downs, as a Deployment replaces pods, then by id.
    std::vector<std::tuple<Nanos, bool, std::string, size_t>> order;
    order.reserve(seq.size());
    for (size_t i : seq) {
      const Event& e = pending_[i];
      order.emplace_back(e.occurred_at, ScaledUpReplicaSet(Message(e)).empty(), e.id, i);
    }
    std::sort(order.begin(), order.end());
    std::vector<std::string> messages;
    messages.reserve(seq.size());
    for (size_t k = 0; k < order.size(); ++k) {
      seq[k] = std::get<3>(order[k]);
      messages.push_back(Message(pending_[seq[k]]));
    }
    // A scale-up starts a rollout when it says "from 0" (Kubernetes 1.27+), or when the
    // Deployment's next scale-down is of another replica set (a replacement; an
    // autoscaler's scale-up is followed by none, or by its own).
    auto starts = [&](size_t pos, std::string_view up) {
      if (messages[pos].ends_with(" from 0")) return true;
      for (size_t k = pos + 1; k < seq.size(); ++k) {
        bool to_zero = false;
        std::string_view down = ScaledDownReplicaSet(messages[k], &to_zero);
        if (!down.empty()) return down != up;
      }
      return false;
    };
    Rollout* cur = nullptr;
    for (size_t pos = 0; pos < seq.size(); ++pos) {
      const Event& e = pending_[seq[pos]];
      const std::string& message = messages[pos];
      bool to_zero = false;
      std::string_view up = ScaledUpReplicaSet(message);
      std::string_view down = ScaledDownReplicaSet(message, &to_zero);
      bool join = false;
      if (!up.empty()) {
        if (cur != nullptr && up == cur->start.replica_set) {
          join = cur->completed == 0;  // after completion: an autoscaler's
        } else if (rollouts.size() < limit && starts(pos, up)) {
          if (cur != nullptr) cur->until = e.occurred_at;
          Rollout r;
          r.start = RolloutStep{.at = e.occurred_at,
                                .id = e.id,
                                .path = path,
                                .ns = AttrString(e.attrs, "namespace"),
                                .deployment = AttrString(e.attrs, "object", "name"),
                                .replica_set = std::string(up)};
          auto seen = first_named.find(r.start.ns + "/" + r.start.replica_set);
          r.rollback = seen != first_named.end() && seen->second < e.occurred_at;
          rollouts.push_back(std::move(r));
          cur = &rollouts.back();
          join = true;
        }
        if (join) cur->replicas = std::max(cur->replicas, ScaledUpTo(message));
      } else if (!down.empty() && cur != nullptr && down != cur->start.replica_set) {
        join = true;
        if (to_zero) cur->completed = std::max(cur->completed, e.occurred_at);
      }
      if (!join) continue;
      cur->members.Add(e, 0);
      cur->members.AddReported(KubernetesObjectKey(e), KubernetesOccurrences(e), false);
      (*used)[seq[pos]] = 1;
    }
  }
  return rollouts;
}

void KubernetesRule::JoinPodEvents(std::vector<Rollout>& rollouts, std::vector<char>* used) const {
  std::map<std::string, std::vector<Rollout*>> by_deployment;  // "<ns>/<name>", by start
  for (Rollout& r : rollouts) by_deployment[r.start.ns + "/" + r.start.deployment].push_back(&r);
  for (size_t i = 0; i < pending_.size(); ++i) {
    if ((*used)[i]) continue;
    const Event& e = pending_[i];
    const std::string reason = Reason(e);
    const std::string rs = ReplicaSetOf(e);
    if (rs.empty()) continue;
    auto it = by_deployment.find(AttrString(e.attrs, "namespace") + "/" + DeploymentOf(rs));
    if (it == by_deployment.end()) continue;
    // The rollout whose span [start, next rollout) holds the event, by time alone: a pod
    // created in the second its scale-up happened belongs to it.
    Rollout* r = nullptr;
    for (Rollout* c : it->second) {
      if (c->start.at <= e.occurred_at && (c->until == 0 || e.occurred_at < c->until)) r = c;
    }
    if (r == nullptr) continue;
    const std::string message = Message(e);
    // The new replica set's pods coming up, the old ones' pods going away.
    bool own = rs == r->start.replica_set;
    bool joins = own ? IsPodStart(reason) && KubernetesOccurrences(e) == 1
                     : (reason == "Killing" && message.starts_with("Stopping container")) ||
                           reason == "SuccessfulDelete";
    if (!joins) continue;
    (*used)[i] = 1;
    r->members.Add(e, 0);
    r->members.AddReported(KubernetesObjectKey(e), KubernetesOccurrences(e), false);
    std::string image = own ? PulledImage(message) : std::string();
    if (image.empty() ||
        AttrString(e.attrs, "object", "fieldPath").starts_with("spec.initContainers")) {
      continue;
    }
    // The image of the container named like the Deployment wins over sidecars; else the
    // earliest pulled.
    bool image_named = ImageName(image) == r->start.deployment;
    if (r->image.empty() || (image_named && !r->image_named) ||
        (image_named == r->image_named && Earlier(e.occurred_at, e.id, r->image_at, r->image_id))) {
      r->image = image;
      r->image_named = image_named;
      r->image_at = e.occurred_at;
      r->image_id = e.id;
    }
  }
}

// "Rollout of deployment payments-api to image tag v1.43.0 (replica set
// payments-api-6c8f9d7b5, 2 pods): started 11:52:10 UTC, completed 11:52:40 UTC".
TimelineLine KubernetesRule::RolloutLine(Rollout& r) {
  const RolloutStep& s = r.start;
  std::string text =
      (r.rollback ? "Rollback of deployment " : "Rollout of deployment ") + s.deployment + " to ";
  std::string pods = r.replicas > 0 ? CountOf(static_cast<size_t>(r.replicas), "pods") : "";
  if (r.image.empty()) {
    text += "replica set " + s.replica_set + (pods.empty() ? "" : " (" + pods + ")");
  } else {
    text += ImageLabel(r.image) + " (replica set " + s.replica_set +
            (pods.empty() ? "" : ", " + pods) + ")";
  }
  auto clock = [](Nanos t) { return FormatTableTime(t).substr(11) + " UTC"; };
  text += ": started " + clock(s.at) + ", ";
  if (r.completed != 0) {
    text += "completed " + clock(r.completed);
  } else if (r.until != 0) {
    text += "not completed before the next rollout at " + clock(r.until);
  } else {
    text += "not completed in the evidence";
  }
  r.members.key = "rollout:" + s.path + ":" + s.replica_set + ":" + s.id;
  return GroupLine(r.members, kCategoryDeploy, std::move(text));
}

void KubernetesRule::Finish(const ResolveRef& resolve, std::vector<TimelineLine>* out) {
  size_t limit = ctx_.config.limits.max_groups;
  std::vector<char> used(pending_.size(), 0);
  std::vector<Rollout> rollouts = DrawRollouts(&used);
  JoinPodEvents(rollouts, &used);
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (!used[i]) GroupDeploy(pending_[i], Reason(pending_[i]));
  }
  pending_.clear();
  for (Rollout& r : rollouts) {
    if (r.members.count > 0) out->push_back(RolloutLine(r));
  }
  warnings_.ForEach([&](Group& g) {
    out->push_back(GroupLine(g, kCategoryKubernetes, WarningText(g)));
    AppendContinuedAfterResolve(g, resolve, out);
  });
  scaling_.ForEach(
      [&](Group& g) { out->push_back(GroupLine(g, kCategoryDeploy, ScalingText(g))); });
  deploys_.ForEach([&](Group& g) { out->push_back(GroupLine(g, kCategoryDeploy, DeployText(g))); });
  if (Group& g = warnings_.mutable_overflow(); g.count > 0) {
    out->push_back(
        GroupLine(g, kCategoryKubernetes, OverflowText("Kubernetes warnings", g, limit)));
    AppendContinuedAfterResolve(g, resolve, out);
  }
  for (GroupTable* t : {&scaling_, &deploys_}) {
    if (Group& g = t->mutable_overflow(); g.count > 0)
      out->push_back(GroupLine(g, kCategoryDeploy, OverflowText("Deploy/scale events", g, limit)));
  }
}

}  // namespace timelined::summarizer
