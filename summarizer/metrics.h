#pragma once
// Incident metrics with cited inputs: time to detect, acknowledge, mitigate and resolve.
// Each is either present (seconds, formula, the event IDs its inputs came from) or omitted
// with a reason; a metric is never computed from a time that no cited event supports.
// Pure.
#include <cstdint>
#include <string>
#include <vector>

#include "store/model/time.h"

namespace timelined::summarizer {

struct Metric {
  std::string name;   // time_to_detect | time_to_acknowledge | time_to_mitigate | time_to_resolve
  std::string label;  // "Time to detect"
  bool present = false;
  int64_t seconds = 0;                 // floor((to - from) / 1 s) when present
  std::string formula;                 // "resolved_at − triggered_at"
  std::vector<std::string> citations;  // sorted, unique; empty when omitted
  std::string reason;                  // why it is omitted ("no acknowledgement event")

  bool operator==(const Metric&) const = default;
};

// One input time and the events that establish it; at == 0 means "not found".
struct MetricPoint {
  Nanos at = 0;
  std::vector<std::string> citations;
  std::string what;  // plain text naming the evidence ("Scaled down replica set x to 0"), or ""
  bool found() const { return at != 0 && !citations.empty(); }
};

struct MetricInputs {
  MetricPoint change;            // the rollout started closest before the first signal
  MetricPoint first_signal;      // earliest warning signal before the trigger
  MetricPoint triggered;         // the incident.triggered event(s)
  MetricPoint first_ack;         // first incident.acknowledged at or after the trigger
  MetricPoint first_mitigation;  // first mitigation statement / recovery signal after trigger
  MetricPoint resolved;          // the last incident.resolved event(s)
  bool open = false;             // incident currently triggered/acknowledged
};

// The four metrics detect, acknowledge, mitigate, resolve (omitted ones with their reason),
// then, only when a rollout preceded the first signal (`change` found), "change to first
// signal" and "change to page".
std::vector<Metric> ComputeMetrics(const MetricInputs& in);

// One sentence of the draft's Summary, stated from the same facts as the metrics (no free
// text) and citing every event it rests on, the other end of a stated duration included.
struct SummarySentence {
  std::string text;                    // plain text; renderers escape it
  std::vector<std::string> citations;  // sorted, unique, never empty

  bool operator==(const SummarySentence&) const = default;
};

// What changed, the first signal, the page, the acknowledgement, when mitigation took
// effect and the resolution, in that order; a sentence is left out when its fact is.
std::vector<SummarySentence> ComputeSummary(const MetricInputs& in);

}  // namespace timelined::summarizer
