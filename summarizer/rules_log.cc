// Log error/warning bursts grouped by message template; other sources' warning signals.
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

// "Log errors ×412 in payments/api, 12:01–12:19 UTC: "timeout after <dur>"".
std::string LogText(const Group& g) {
  std::string noun = g.pattern == "error" ? "Log error" : "Log warning";
  if (g.count == 1) return noun + " in " + g.where + ": " + Quoted(g.text);
  return noun + "s " + Times(g.count) + " in " + g.where + ", " + FormatSpan(g.first, g.last) +
         ": " + Quoted(g.what);
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
