#include "summarizer/metrics.h"

#include <algorithm>
#include <initializer_list>

#include "summarizer/text.h"

namespace timelined::summarizer {
namespace {

std::vector<std::string> Union(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
  std::vector<std::string> out(a);
  out.insert(out.end(), b.begin(), b.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Metric Omitted(Metric m, std::string reason) {
  m.present = false;
  m.reason = std::move(reason);
  return m;
}

// `from` -> `to`; both must be found, and `to` must not precede `from`.
Metric Between(Metric m, const MetricPoint& from, const MetricPoint& to,
               const std::string& missing_from, const std::string& missing_to) {
  if (!from.found()) return Omitted(std::move(m), missing_from);
  if (!to.found()) return Omitted(std::move(m), missing_to);
  if (to.at < from.at) return Omitted(std::move(m), "inputs out of order (clock skew?)");
  m.present = true;
  m.seconds = (to.at - from.at) / kNanosPerSecond;
  m.citations = Union(from.citations, to.citations);
  return m;
}

Metric Named(const char* name, const char* label, const char* formula) {
  Metric m;
  m.name = name;
  m.label = label;
  m.formula = formula;
  return m;
}

// "2026-03-14 12:01:00 UTC".
std::string At(Nanos t) { return FormatTableTime(t) + " UTC"; }

// ", 6 min 48 s after the first signal" when both are found and in order, else "".
std::string After(const MetricPoint& from, const MetricPoint& to, const char* what) {
  if (!from.found() || !to.found() || to.at < from.at) return "";
  return ", " + FormatDuration(to.at - from.at) + " after " + what;
}

void Add(std::vector<SummarySentence>* out, std::string text,
         std::initializer_list<const MetricPoint*> points) {
  std::vector<std::string> ids;
  for (const MetricPoint* p : points) ids = Union(ids, p->citations);
  if (!ids.empty()) out->push_back(SummarySentence{std::move(text), std::move(ids)});
}

}  // namespace

std::vector<SummarySentence> ComputeSummary(const MetricInputs& in) {
  std::vector<SummarySentence> out;
  const MetricPoint none;
  // A duration's other end is cited only when the duration is stated.
  if (in.change.found() && in.first_signal.found()) {
    Add(&out, "What changed: " + in.change.what + ", started at " + At(in.change.at) + ".",
        {&in.change});
  }
  if (in.first_signal.found()) {
    const std::string after =
        in.change.found() ? After(in.change, in.first_signal, "the change") : std::string();
    Add(&out,
        "First signal at " + At(in.first_signal.at) + after +
            (in.first_signal.what.empty() ? "" : ": " + in.first_signal.what) + ".",
        {&in.first_signal, after.empty() ? &none : &in.change});
  }
  if (in.triggered.found()) {
    const std::string after = After(in.first_signal, in.triggered, "the first signal");
    Add(&out, "PagerDuty paged at " + At(in.triggered.at) + after + ".",
        {&in.triggered, after.empty() ? &none : &in.first_signal});
  }
  if (in.first_ack.found()) {
    const std::string after = After(in.triggered, in.first_ack, "the page");
    Add(&out,
        (in.first_ack.what.empty() ? std::string("Acknowledged") : in.first_ack.what) + " at " +
            At(in.first_ack.at) + after + ".",
        {&in.first_ack, after.empty() ? &none : &in.triggered});
  }
  if (in.first_mitigation.found()) {
    const std::string after = After(in.triggered, in.first_mitigation, "the page");
    Add(&out,
        "Mitigation took effect at " + At(in.first_mitigation.at) + after +
            (in.first_mitigation.what.empty() ? "" : ": " + in.first_mitigation.what) + ".",
        {&in.first_mitigation, after.empty() ? &none : &in.triggered});
  }
  if (!in.open && in.resolved.found()) {
    const std::string after = After(in.triggered, in.resolved, "the page");
    Add(&out, "Resolved at " + At(in.resolved.at) + after + ".",
        {&in.resolved, after.empty() ? &none : &in.triggered});
  }
  return out;
}

std::vector<Metric> ComputeMetrics(const MetricInputs& in) {
  const std::string no_trigger = "no incident.triggered event";
  std::vector<Metric> out;
  out.push_back(Between(
      Named("time_to_detect", "Time to detect", "triggered_at \xE2\x88\x92 first_signal_at"),
      in.first_signal, in.triggered, "no warning signal before the trigger", no_trigger));
  out.push_back(Between(Named("time_to_acknowledge", "Time to acknowledge",
                              "first_acknowledged_at \xE2\x88\x92 triggered_at"),
                        in.triggered, in.first_ack, no_trigger, "no acknowledgement event"));
  // mitigated_at: the first evidence that a mitigation took effect, never an announced intent
  // ("rolling back now"): a Kubernetes rollout or rollback completing, a statement of effect
  // ([summarizer] mitigation_keywords: "rolled back", "mitigated", "recovered", ...) in Slack
  // or a PagerDuty note or status update, or a recovery signal (recovery_kinds).
  out.push_back(Between(
      Named("time_to_mitigate", "Time to mitigate",
            "mitigated_at \xE2\x88\x92 triggered_at; mitigated_at = first rollout/rollback "
            "completed in Kubernetes, or statement that mitigation took effect, or recovery "
            "signal"),
      in.triggered, in.first_mitigation, no_trigger,
      "no evidence after the trigger that a mitigation took effect (a completed Kubernetes "
      "rollout or rollback, a \"rolled back\"/\"mitigated\"/\"recovered\" statement in Slack "
      "or PagerDuty, or a recovery signal)"));
  Metric resolve =
      Named("time_to_resolve", "Time to resolve", "resolved_at \xE2\x88\x92 triggered_at");
  if (in.open) {
    out.push_back(Omitted(std::move(resolve), "incident is not resolved"));
  } else {
    out.push_back(Between(std::move(resolve), in.triggered, in.resolved, no_trigger,
                          "no incident.resolved event"));
  }
  if (in.change.found() && in.first_signal.found()) {
    out.push_back(Between(Named("change_to_first_signal", "Change to first signal",
                                "first_signal_at \xE2\x88\x92 rollout_started_at"),
                          in.change, in.first_signal, "", ""));
    out.push_back(Between(
        Named("change_to_page", "Change to page", "triggered_at \xE2\x88\x92 rollout_started_at"),
        in.change, in.triggered, "", no_trigger));
  }
  return out;
}

}  // namespace timelined::summarizer
