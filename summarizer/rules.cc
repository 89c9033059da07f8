#include "summarizer/rules.h"

#include <algorithm>

namespace timelined::summarizer {
namespace {

bool IsResolved(const Incident& i) {
  return i.resolved_at > 0 && (i.status == "resolved" || i.status.empty());
}

}  // namespace

std::string SlackUserEventId(std::string_view team, std::string_view user) {
  std::string ref(team);
  ref.append(":user:").append(user);
  return MakeEventId(kSourceSlack, ref);
}

RuleContext::RuleContext(const Incident& incident_in, const SummarizerConfig& config_in,
                         EventLookup lookup_in)
    : incident(incident_in),
      config(config_in),
      lookup(std::move(lookup_in)),
      salient(config_in.salient_keywords),
      mitigation(config_in.mitigation_keywords),
      deploy_reasons(config_in.deploy_reasons) {
  std::sort(deploy_reasons.begin(), deploy_reasons.end());
  if (IsResolved(incident)) {
    resolved_at = incident.resolved_at;
    resolve_cutoff = resolved_at + std::max<Nanos>(0, config.limits.contradiction_tolerance);
  }
}

bool RuleContext::IsDeployReason(std::string_view reason) const {
  return std::binary_search(deploy_reasons.begin(), deploy_reasons.end(), reason);
}

std::string_view LogLevelClass(const Event& e) {
  std::string_view level = std::string_view(e.kind).substr(e.kind.starts_with("log.") ? 4 : 0);
  for (std::string_view l : {"error", "fatal", "critical", "crit", "panic", "emerg", "alert"}) {
    if (level == l) return "error";
  }
  if (level == "warn" || level == "warning") return "warning";
  for (std::string_view l : {"info", "debug", "trace", "notice"}) {
    if (level == l) return "";
  }
  if (e.severity == kSeverityWarning) return "warning";
  if (IsWarningOrWorse(e.severity)) return "error";
  return "";
}

bool IsKubernetesWarning(const Event& e) {
  std::string type = AttrString(e.attrs, "type");
  if (type == "Warning") return true;
  if (e.severity == kSeverityError || e.severity == kSeverityCritical) return true;
  // A node's conditions ("NodeNotReady") come as Normal events the connector rates warning.
  if (AttrString(e.attrs, "object", "kind") == "Node") return IsWarningOrWorse(e.severity);
  return type.empty() && IsWarningOrWorse(e.severity);
}

std::string KubernetesObjectLabel(const Event& e) {
  std::string kind = ToLowerAscii(AttrString(e.attrs, "object", "kind"));
  std::string name = AttrString(e.attrs, "object", "name");
  if (name.empty()) return e.scope.empty() ? std::string("unknown object") : e.scope;
  return (kind.empty() ? std::string("object") : kind) + " " + name;
}

}  // namespace timelined::summarizer
