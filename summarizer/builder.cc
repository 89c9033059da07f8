#include "summarizer/builder.h"

#include <algorithm>
#include <unordered_map>

#include "summarizer/ids.h"
#include "summarizer/rules.h"
#include "summarizer/template.h"

namespace timelined::summarizer {
namespace {

constexpr size_t kMaxRecoveryEvents = 1024;

bool IsWarningSignal(const Event& e) {
  if (e.source == kSourcePagerDuty || e.source == kSourceSlack) return false;
  if (e.source == kSourceKubernetes) return IsKubernetesWarning(e);
  if (e.source == kSourceLog) return !LogLevelClass(e).empty();
  return IsWarningOrWorse(e.severity);
}

std::string SignalDescription(const Event& e, size_t quote) {
  if (e.source == kSourceLog) {
    std::string stream = e.scope.starts_with("log/") ? e.scope.substr(4) : e.scope;
    return "log " + std::string(LogLevelClass(e)) + (stream.empty() ? "" : " in " + stream) +
           ": \"" + ShortText(StripLogPrefix(e.body.empty() ? e.summary : e.body), quote) + "\"";
  }
  if (!e.summary.empty()) return ShortText(e.summary, quote);
  return e.kind + (e.body.empty() ? "" : ": " + ShortText(e.body, quote));
}

bool Earlier(Nanos a_at, const std::string& a_id, Nanos b_at, const std::string& b_id) {
  return a_at < b_at || (a_at == b_at && a_id < b_id);
}

MetricPoint EarliestOf(std::initializer_list<MetricPoint> points) {
  MetricPoint best;
  for (const MetricPoint& p : points) {
    if (p.found() && (!best.found() || p.at < best.at)) best = p;
  }
  return best;
}

}  // namespace

struct TimelineBuilder::State {
  State(const Incident& incident, const SummarizerConfig& config, EventLookup lookup)
      : ctx(incident, config, std::move(lookup)), lifecycle(ctx), k8s(ctx), logs(ctx), slack(ctx) {}

  void Add(const Event& e);
  void TrackSignals(const Event& e);
  void AddDetection(Nanos trigger_at, std::vector<TimelineLine>* lines, MetricInputs* mi);
  void AddNoAck(const MetricInputs& mi, std::vector<TimelineLine>* lines) const;
  MetricPoint FirstRecovery(Nanos not_before) const;
  Timeline Finish();

  RuleContext ctx;
  LifecycleRule lifecycle;
  KubernetesRule k8s;
  LogRule logs;
  SlackRule slack;
  TimelineStats stats;
  Nanos signal_at = 0;
  std::string signal_id, signal_text;
  std::vector<std::pair<Nanos, std::string>> recoveries;  // bounded, see TrackSignals
};

void TimelineBuilder::State::TrackSignals(const Event& e) {
  if (IsWarningSignal(e) &&
      (signal_id.empty() || Earlier(e.occurred_at, e.id, signal_at, signal_id))) {
    signal_at = e.occurred_at;
    signal_id = e.id;
    signal_text = SignalDescription(e, ctx.config.limits.quote_chars);
  }
  const auto& kinds = ctx.config.recovery_kinds;
  if (recoveries.size() < kMaxRecoveryEvents &&
      std::find(kinds.begin(), kinds.end(), e.kind) != kinds.end()) {
    recoveries.emplace_back(e.occurred_at, e.id);
  }
}

void TimelineBuilder::State::Add(const Event& e) {
  ++stats.correlated;
  TrackSignals(e);
  if (e.source == kSourcePagerDuty) {
    lifecycle.Add(e);
  } else if (e.source == kSourceSlack) {
    if (e.kind == kSlackUserKind) {
      ++stats.not_shown["Slack user names (they name authors)"];
    } else {
      slack.Add(e);
    }
  } else if (e.source == kSourceKubernetes) {
    if (!k8s.Add(e)) ++stats.not_shown["Kubernetes Normal events"];
  } else if (!logs.Add(e)) {
    ++stats.not_shown[e.source == kSourceLog ? "log lines below warning level"
                                             : "other events below warning level"];
  }
}

void TimelineBuilder::State::AddDetection(Nanos trigger_at, std::vector<TimelineLine>* lines,
                                          MetricInputs* mi) {
  if (signal_id.empty() || trigger_at == 0 || signal_at >= trigger_at) return;
  TimelineLine line;
  line.at = signal_at;
  line.category = std::string(kCategoryDetection);
  line.text = "First warning signal " + FormatDuration(trigger_at - signal_at) +
              " before the page: " + signal_text;
  // A duration cites both ends: the signal and the page it is measured against.
  IdList ids;
  ids.Add(signal_id);
  for (const std::string& id : mi->triggered.citations) ids.Add(id);
  ids.SortUnique();
  line.citations = ids.ToStrings();
  line.key = "detection:first_signal";
  lines->push_back(line);
  mi->first_signal = MetricPoint{.at = signal_at, .citations = {signal_id}, .what = signal_text};
}

void TimelineBuilder::State::AddNoAck(const MetricInputs& mi,
                                      std::vector<TimelineLine>* lines) const {
  if (mi.open || !mi.resolved.found() || lifecycle.First("acknowledged").found()) return;
  TimelineLine line;
  line.at = mi.resolved.at;
  line.category = std::string(kCategoryContradiction);
  line.text = "Contradiction: resolved at " + FormatClock(mi.resolved.at) +
              " UTC without any acknowledgement (acknowledged by no one)";
  IdList ids;
  for (const MetricPoint* p : {&mi.resolved, &mi.triggered}) {
    for (const std::string& id : p->citations) ids.Add(id);
  }
  ids.SortUnique();
  line.citations = ids.ToStrings();
  line.key = "contradiction:no_ack";
  lines->push_back(std::move(line));
}

MetricPoint TimelineBuilder::State::FirstRecovery(Nanos not_before) const {
  const std::pair<Nanos, std::string>* best = nullptr;
  for (const auto& r : recoveries) {
    if (r.first >= not_before && (best == nullptr || r < *best)) best = &r;
  }
  if (best == nullptr) return {};
  return MetricPoint{.at = best->first, .citations = {best->second}, .what = ""};
}

Timeline TimelineBuilder::State::Finish() {
  std::vector<TimelineLine> lines;
  lifecycle.Finish(&lines);
  MetricInputs mi;
  mi.triggered = lifecycle.First("triggered");
  mi.open = IncidentOpen(ctx.incident);
  if (!mi.open) mi.resolved = lifecycle.Last("resolved");
  Nanos trigger_at = mi.triggered.found() ? mi.triggered.at : ctx.incident.triggered_at;
  ResolveRef resolve;
  if (ctx.resolved_at != 0) {
    resolve.at = mi.resolved.found() ? mi.resolved.at : ctx.resolved_at;
    resolve.citations = mi.resolved.citations;
  }
  k8s.Finish(resolve, &lines);
  logs.Finish(resolve, &lines);
  slack.Finish(&lines, &stats);
  AddDetection(trigger_at, &lines, &mi);
  AddNoAck(mi, &lines);
  if (trigger_at != 0) {
    mi.first_ack = lifecycle.First("acknowledged", trigger_at);
    std::string change_key;
    if (mi.first_signal.found()) {
      mi.change = k8s.LastRolloutStartBefore(mi.first_signal.at, &change_key);
    }
    mi.first_mitigation =
        EarliestOf({lifecycle.FirstMitigation(trigger_at), slack.FirstMitigation(trigger_at),
                    k8s.FirstRolloutDone(trigger_at, change_key), FirstRecovery(trigger_at)});
  }
  Timeline t;
  t.metrics = ComputeMetrics(mi);
  t.summary = ComputeSummary(mi);
  SortLines(lines);
  t.lines = std::move(lines);
  t.stats = std::move(stats);
  t.stats.cited = CitedIdList(t).size();
  return t;
}

TimelineBuilder::TimelineBuilder(const Incident& incident, const SummarizerConfig& config,
                                 EventLookup lookup)
    : state_(std::make_unique<State>(incident, config, std::move(lookup))) {}

TimelineBuilder::~TimelineBuilder() = default;

void TimelineBuilder::Add(const CorrelatedEvent& e) { state_->Add(e.event); }
void TimelineBuilder::Add(const Event& e) { state_->Add(e); }
Timeline TimelineBuilder::Finish() { return state_->Finish(); }

Timeline BuildTimeline(const Incident& incident, const SummarizerConfig& config,
                       const std::vector<Event>& events) {
  std::unordered_map<std::string, const Event*> users;
  for (const Event& e : events) {
    if (e.source == kSourceSlack && e.kind == kSlackUserKind) users.emplace(e.id, &e);
  }
  TimelineBuilder b(incident, config, [&users](const std::string& id) -> std::optional<Event> {
    auto found = users.find(id);
    if (found == users.end()) return std::nullopt;
    return *found->second;
  });
  for (const Event& e : events) {
    if (!users.contains(e.id)) b.Add(e);
  }
  return b.Finish();
}

}  // namespace timelined::summarizer
