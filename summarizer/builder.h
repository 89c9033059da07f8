#pragma once
// TimelineBuilder: the streaming aggregator that turns correlated events into a Timeline.
// Feed every correlated event once (any order; correlation delivers (occurred_at, id)
// order), then call Finish() once. Memory grows with the number of *groups* and Slack
// messages, not with the events in a group: per group only the count, first/last time,
// one representative text and the packed member IDs (12 bytes each) are kept.
//
// Guarantees: a line only cites events that were added; every grouped line cites all its
// members; output depends only on the set of events added, the incident and the config —
// except, once a rule exceeds limits.max_groups, which groups get their own line and
// which share the overflow line (the first distinct ones seen keep their own), so feed
// events in a deterministic order (either CorrelationOrder is).
// The incident and config must outlive the builder. Not thread-safe.
#include <memory>

#include "store/model/event.h"
#include "summarizer/config.h"
#include "summarizer/correlate.h"
#include "summarizer/rules.h"
#include "summarizer/timeline.h"

namespace timelined::summarizer {

class TimelineBuilder {
 public:
  // `lookup` (may be empty) finds the `slack.user` events that name Slack authors; a line
  // naming one cites it (rules.h).
  TimelineBuilder(const Incident& incident, const SummarizerConfig& config,
                  EventLookup lookup = {});
  ~TimelineBuilder();
  TimelineBuilder(const TimelineBuilder&) = delete;
  TimelineBuilder& operator=(const TimelineBuilder&) = delete;

  void Add(const CorrelatedEvent& e);
  void Add(const Event& e);
  // Lines sorted by (at, category, key), metrics and stats. Call once.
  Timeline Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Convenience for small sets: builds a timeline from a vector. Its `slack.user` events are
// the author directory (looked up by ID), not timeline events.
Timeline BuildTimeline(const Incident& incident, const SummarizerConfig& config,
                       const std::vector<Event>& events);

}  // namespace timelined::summarizer
