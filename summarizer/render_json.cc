#include <nlohmann/json.hpp>

#include "summarizer/render.h"
#include "summarizer/text.h"

namespace timelined::summarizer {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

bool IsPlainAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') return false;
  }
  return true;
}

void AppendStrings(std::string& out, const std::vector<std::string>& v) {
  out += '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    out += JsonQuote(v[i]);
  }
  out += ']';
}

void AppendLine(std::string& out, const TimelineLine& l) {
  out += "{\"at\":" + std::to_string(l.at) +
         ",\"at_rfc3339\":" + JsonQuote(FormatRfc3339(l.at, 3)) +
         ",\"category\":" + JsonQuote(l.category) + ",\"citations\":";
  AppendStrings(out, l.citations);
  out += ",\"end\":" + std::to_string(l.end) + ",\"key\":" + JsonQuote(l.key) +
         ",\"text\":" + JsonQuote(l.text) + "}";
}

json MetricJson(const Metric& m) {
  json j{{"name", m.name}, {"label", m.label}, {"present", m.present}, {"formula", m.formula}};
  if (m.present) {
    j["seconds"] = m.seconds;
    j["citations"] = m.citations;
  } else {
    j["reason"] = m.reason;
  }
  return j;
}

json MetaJson(const DraftMeta& m) {
  return json{{"incident_id", m.incident_id},
              {"version", m.version},
              {"trigger", m.trigger},
              {"generator", m.generator},
              {"config_hash", m.config_hash},
              {"input_digest", m.input_digest},
              {"stale", m.stale},
              {"generated_at", m.generated_at},
              {"generated_at_rfc3339", m.generated_at ? FormatRfc3339(m.generated_at, 3) : ""}};
}

json StatsJson(const TimelineStats& s) {
  return json{{"correlated", s.correlated}, {"cited", s.cited}, {"not_shown", s.not_shown}};
}

}  // namespace

std::string JsonQuote(std::string_view s) {
  if (IsPlainAscii(s)) return "\"" + std::string(s) + "\"";
  return Dump(json(SanitizeUtf8(s)));
}

std::string RenderJson(const Incident& incident, const Timeline& timeline, const DraftMeta& meta) {
  std::string out = "{\"incident\":" + Dump(IncidentToJson(incident)) + ",\n\"lines\":[";
  for (size_t i = 0; i < timeline.lines.size(); ++i) {
    out += i == 0 ? "\n" : ",\n";
    AppendLine(out, timeline.lines[i]);
  }
  out += "],\n\"meta\":" + Dump(MetaJson(meta)) + ",\n\"metrics\":[";
  for (size_t i = 0; i < timeline.metrics.size(); ++i) {
    out += (i == 0 ? "\n" : ",\n") + Dump(MetricJson(timeline.metrics[i]));
  }
  out += "],\n\"stats\":" + Dump(StatsJson(timeline.stats)) + ",\n\"summary\":[";
  for (size_t i = 0; i < timeline.summary.size(); ++i) {
    const SummarySentence& s = timeline.summary[i];
    out += (i == 0 ? "\n" : ",\n") + Dump(json{{"citations", s.citations}, {"text", s.text}});
  }
  out += "]}\n";
  return out;
}

std::string MarkJsonStale(std::string json) {
  // RenderJson writes keys in order and "meta" has no nested objects before "stale"; inside
  // JSON strings a quote is escaped, so these patterns only match keys.
  const size_t meta = json.find("\"meta\":{");
  if (meta == std::string::npos) return json;
  constexpr std::string_view kFalse = "\"stale\":false";
  const size_t end = json.find('}', meta);
  if (const size_t at = json.find(kFalse, meta); at != std::string::npos && at < end) {
    json.replace(at, kFalse.size(), "\"stale\":true");
  }
  return json;
}

}  // namespace timelined::summarizer
