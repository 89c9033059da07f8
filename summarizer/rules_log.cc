// Log error/warning bursts grouped by message template; other sources' warning signals.
#include <algorithm>
#include <set>

#include "summarizer/rules.h"
#include "summarizer/template.h"

namespace timelined::summarizer {
namespace {

constexpr size_t kTemplateChars = 200;

std::string StreamLabel(const Event& e) {
  if (e.scope.empty()) return "an unlabelled stream";
  return e.scope.starts_with("log/") ? e.scope.substr(4) : e.scope;
}

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

// The pod a log line came from (Fluent Bit's kubernetes.pod_name, a Loki or OTLP label).
std::string PodOf(const Event& e) {
  if (!e.attrs.is_object()) return {};
  auto labels = e.attrs.find("labels");
  if (labels == e.attrs.end()) return {};
  for (const char* key : {"pod", "k8s_pod_name", "pod_name"}) {
    if (std::string pod = AttrString(*labels, key); !pod.empty()) return pod;
  }
  return {};
}

bool IsGenerated(std::string_view s, size_t min, size_t max) {
  if (s.size() < min || s.size() > max) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

// A Deployment's pod name, "<deployment>-<6–10 char hash>-<5 char suffix>", split into its
// replica set ("<deployment>-<hash>") and deployment; false for other pod names.
bool SplitDeploymentPod(const std::string& pod, std::string* replica_set, std::string* deployment) {
  size_t suffix = pod.rfind('-');
  if (suffix == std::string::npos || !IsGenerated(std::string_view(pod).substr(suffix + 1), 5, 5))
    return false;
  size_t hash = pod.rfind('-', suffix - 1);
  if (hash == std::string::npos || hash == 0 || suffix == 0 ||
      !IsGenerated(std::string_view(pod).substr(hash + 1, suffix - hash - 1), 6, 10))
    return false;
  *replica_set = pod.substr(0, suffix);
  *deployment = pod.substr(0, hash);
  return true;
}

// Where a group's lines came from, by workload and pod: " from deployment payments-api
// (replica set payments-api-6c8f9d7b5; pods x2k9p ×8, q7w4m ×4)". Pods are named by what
// differs between them; at most four are shown, largest first.
std::string PodsText(const Group& g) {
  if (g.pods.empty()) return "";
  std::set<std::string> replica_sets, deployments;
  bool all_deployment_pods = true;
  for (const auto& [pod, n] : g.pods) {
    std::string rs, deployment;
    if (!SplitDeploymentPod(pod, &rs, &deployment)) {
      all_deployment_pods = false;
      break;
    }
    replica_sets.insert(rs);
    deployments.insert(deployment);
  }
  std::vector<std::pair<size_t, std::string>> counts;
  counts.reserve(g.pods.size());
  for (const auto& [pod, n] : g.pods) counts.emplace_back(n, pod);
  std::sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::string out;
  size_t strip = 0;  // the shared prefix not repeated per pod
  const bool paren = all_deployment_pods && deployments.size() == 1;
  if (paren) {
    out = " from deployment " + *deployments.begin() + " (";
    if (replica_sets.size() == 1) {
      out += "replica set " + *replica_sets.begin() + "; ";
      strip = replica_sets.begin()->size() + 1;
    } else {
      strip = deployments.begin()->size() + 1;
    }
  } else {
    out = " from ";
  }
  out += counts.size() == 1 && g.pods_other == 0 ? "pod " : "pods ";
  constexpr size_t kShown = 4;
  for (size_t i = 0; i < counts.size() && i < kShown; ++i) {
    if (i > 0) out += ", ";
    out += counts[i].second.substr(strip);
    if (g.count > 1) out += " " + Times(counts[i].first);
  }
  if (counts.size() > kShown || g.pods_other > 0) {
    size_t more = counts.size() > kShown ? counts.size() - kShown : 0;
    out += more > 0 ? ", " + CountOf(more, "more pods") : std::string();
    if (g.pods_other > 0) out += ", others";
  }
  if (g.pods_unnamed > 0) out += "; " + std::to_string(g.pods_unnamed) + " with no pod";
  return paren ? out + ")" : out;
}

// "Log errors ×412 in payments/api, 12:01–12:19 UTC, from deployment payments-api (…):
// "timeout after <dur>"".
std::string LogText(const Group& g) {
  std::string noun = g.pattern == "error" ? "Log error" : "Log warning";
  if (g.count == 1) return noun + " in " + g.where + PodsText(g) + ": " + Quoted(g.text);
  std::string pods = PodsText(g);
  return noun + "s " + Times(g.count) + " in " + g.where + ", " + FormatSpan(g.first, g.last) +
         (pods.empty() ? "" : "," + pods) + ": " + Quoted(g.what);
}

std::string SignalText(const Group& g) {
  if (g.count == 1) return g.pattern + " in " + g.where + ": " + Quoted(g.text);
  return g.pattern + " " + Times(g.count) + " in " + g.where + ", " + FormatSpan(g.first, g.last) +
         ": " + Quoted(g.what);
}

std::string OverflowText(const char* what, const Group& g, size_t limit) {
  return std::string(what) + " " + Times(g.count) + " in templates beyond the limit of " +
         CountOf(limit, "groups") + ", " + FormatSpan(g.first, g.last);
}

}  // namespace

LogRule::LogRule(const RuleContext& ctx)
    : ctx_(ctx), logs_(ctx.config.limits.max_groups), signals_(ctx.config.limits.max_groups) {
  logs_.mutable_overflow().key = "log:overflow";
  logs_.mutable_overflow().what = "other log errors and warnings";
  signals_.mutable_overflow().key = "signal:overflow";
  signals_.mutable_overflow().what = "other warning signals";
}

bool LogRule::Add(const Event& e) { return e.source == kSourceLog ? AddLog(e) : AddSignal(e); }

bool LogRule::AddLog(const Event& e) {
  std::string_view level = LogLevelClass(e);
  if (level.empty()) return false;
  // The line's own timestamp and level repeat the time column and the line's level.
  std::string_view message = StripLogPrefix(e.body.empty() ? e.summary : e.body);
  std::string tmpl = MessageTemplate(message, kTemplateChars);
  bool created = false;
  Group& g = logs_.Get(e.scope + '\0' + std::string(level) + '\0' + tmpl, &created);
  if (created) {
    g.key = "log:" + e.scope + ":" + std::string(level) + ":" + ShortHash(tmpl);
    g.pattern = std::string(level);
    g.where = StreamLabel(e);
    // The template doubles as the contradiction label and the text of multi-member lines.
    g.what = ShortText(tmpl, ctx_.config.limits.quote_chars);
  }
  if (g.Add(e, ctx_.resolve_cutoff)) g.text = ShortText(message, ctx_.config.limits.quote_chars);
  g.AddPod(PodOf(e));
  return true;
}

bool LogRule::AddSignal(const Event& e) {
  if (!IsWarningOrWorse(e.severity)) return false;
  const std::string& message = e.summary.empty() ? e.body : e.summary;
  std::string tmpl = MessageTemplate(message, kTemplateChars);
  bool created = false;
  Group& g = signals_.Get(e.source + '\0' + e.kind + '\0' + e.scope + '\0' + tmpl, &created);
  if (created) {
    g.key = "signal:" + e.source + ":" + e.kind + ":" + ShortHash(e.scope + '\0' + tmpl);
    g.pattern = e.kind;
    g.where = e.scope.empty() ? e.source : e.scope;
    g.what = ShortText(tmpl, ctx_.config.limits.quote_chars);
  }
  if (g.Add(e, ctx_.resolve_cutoff)) g.text = ShortText(message, ctx_.config.limits.quote_chars);
  return true;
}

void LogRule::Finish(const ResolveRef& resolve, std::vector<TimelineLine>* out) {
  size_t limit = ctx_.config.limits.max_groups;
  logs_.ForEach([&](Group& g) {
    out->push_back(GroupLine(g, kCategoryLog, LogText(g)));
    std::string template_text = g.what;
    g.what = (g.pattern == "error" ? "log errors " : "log warnings ") + Quoted(template_text) +
             " in " + g.where;
    AppendContinuedAfterResolve(g, resolve, out);
  });
  signals_.ForEach([&](Group& g) {
    out->push_back(GroupLine(g, kCategorySignal, SignalText(g)));
    g.what = g.pattern + " " + Quoted(g.what) + " in " + g.where;
    AppendContinuedAfterResolve(g, resolve, out);
  });
  if (Group& g = logs_.mutable_overflow(); g.count > 0) {
    out->push_back(GroupLine(g, kCategoryLog, OverflowText("Log errors and warnings", g, limit)));
    AppendContinuedAfterResolve(g, resolve, out);
  }
  if (Group& g = signals_.mutable_overflow(); g.count > 0) {
    out->push_back(GroupLine(g, kCategorySignal, OverflowText("Warning signals", g, limit)));
    AppendContinuedAfterResolve(g, resolve, out);
  }
}

}  // namespace timelined::summarizer
