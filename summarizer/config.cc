#include "summarizer/config.h"

#include "store/model/hash.h"

namespace timelined::summarizer {
namespace {

using nlohmann::json;

json ServiceToJson(const ServiceCorrelation& s) {
  return json{{"scopes", s.scopes},
              {"slack_channels", s.slack_channels},
              {"lookback_ns", s.lookback},
              {"grace_ns", s.grace}};
}

Result<void> Bad(const std::string& what) {
  return MakeError(ErrorCode::kInvalidInput, "bad_summarizer_config", what);
}

Result<void> ReadStrings(const json& j, const char* key, std::vector<std::string>* out) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  if (!it->is_array()) return Bad(std::string(key) + " must be an array of strings");
  out->clear();
  for (const json& v : *it) {
    if (!v.is_string()) return Bad(std::string(key) + " must be an array of strings");
    out->push_back(v.get<std::string>());
  }
  return {};
}

template <typename T>
Result<void> ReadUnsigned(const json& j, const char* key, T* out) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  if (!it->is_number_integer() || it->get<int64_t>() < 0)
    return Bad(std::string(key) + " must be a non-negative integer");
  *out = static_cast<T>(it->get<int64_t>());
  return {};
}

Result<ServiceCorrelation> ServiceFromJson(const json& j) {
  ServiceCorrelation s;
  if (!j.is_object()) return std::unexpected(Bad("a service must be an object").error());
  for (auto r :
       {ReadStrings(j, "scopes", &s.scopes), ReadStrings(j, "slack_channels", &s.slack_channels),
        ReadUnsigned(j, "lookback_ns", &s.lookback), ReadUnsigned(j, "grace_ns", &s.grace)}) {
    if (!r) return std::unexpected(r.error());
  }
  return s;
}

Result<void> ReadLimits(const json& j, SummarizerLimits* l) {
  auto it = j.find("limits");
  if (it == j.end()) return {};
  if (!it->is_object()) return Bad("limits must be an object");
  for (auto r : {ReadUnsigned(*it, "quote_chars", &l->quote_chars),
                 ReadUnsigned(*it, "shown_citations", &l->shown_citations),
                 ReadUnsigned(*it, "max_groups", &l->max_groups),
                 ReadUnsigned(*it, "contradiction_tolerance_ns", &l->contradiction_tolerance)}) {
    if (!r) return r;
  }
  if (l->quote_chars < 8 || l->max_groups < 1) return Bad("limits too small");
  if (auto f = it->find("full_citations"); f != it->end()) {
    if (!f->is_boolean()) return Bad("limits.full_citations must be a boolean");
    l->full_citations = f->get<bool>();
  }
  return {};
}

Result<void> ReadCorrelation(const json& j, CorrelationConfig* c) {
  auto it = j.find("correlation");
  if (it == j.end()) return {};
  if (!it->is_object()) return Bad("correlation must be an object");
  if (auto d = it->find("defaults"); d != it->end()) {
    auto s = ServiceFromJson(*d);
    if (!s) return std::unexpected(s.error());
    c->defaults = *s;
  }
  if (auto svc = it->find("services"); svc != it->end()) {
    if (!svc->is_object()) return Bad("correlation.services must be an object");
    for (const auto& [name, value] : svc->items()) {
      auto s = ServiceFromJson(value);
      if (!s) return std::unexpected(s.error());
      c->services[name] = *s;
    }
  }
  if (auto n = it->find("node_events"); n != it->end()) {
    if (!n->is_boolean()) return Bad("correlation.node_events must be a boolean");
    c->node_events = n->get<bool>();
  }
  return {};
}

}  // namespace

std::vector<std::string> DefaultSalientKeywords() {
  return {"all clear", "decided", "decision", "deploy", "failover", "fail over", "fixed", "hotfix",
          "mitigat", "revert", "resolved", "restart", "roll back", "rollback", "rolled back",
          "rolling back", "root cause", "workaround", "recovered", "restored",
          // What a reader needs first: impact, onset and cause.
          "impact", "customer", "outage", "degraded", "started at", "caused by"};
}

std::vector<std::string> DefaultIncludeReactions() { return {"pushpin"}; }
std::vector<std::string> DefaultExcludeReactions() { return {"no_entry_sign"}; }

// Statements that a mitigation took effect, not that one is planned or under way: "rolled
// back" but not "rolling back" or "preparing rollback".
std::vector<std::string> DefaultMitigationKeywords() {
  return {"all clear",         "failed over",      "fixed",
          "mitigated",         "reverted",         "rolled back",
          "rollback complete", "rollback done",    "rollback finished",
          "back to normal",    "back to baseline", "workaround in place",
          "recovered",         "restored"};
}

std::vector<std::string> DefaultDeployReasons() {
  return {"ScalingReplicaSet", "SuccessfulCreate", "SuccessfulDelete",  "Killing",
          "Started",           "Pulled",           "SuccessfulRescale", "DeploymentRollback"};
}

json SummarizerConfigToJson(const SummarizerConfig& c) {
  json services = json::object();
  for (const auto& [name, s] : c.correlation.services) services[name] = ServiceToJson(s);
  return json{{"correlation",
               {{"services", services},
                {"defaults", ServiceToJson(c.correlation.defaults)},
                {"node_events", c.correlation.node_events}}},
              {"salient_keywords", c.salient_keywords},
              {"mitigation_keywords", c.mitigation_keywords},
              {"include_reactions", c.include_reactions},
              {"exclude_reactions", c.exclude_reactions},
              {"deploy_reasons", c.deploy_reasons},
              {"recovery_kinds", c.recovery_kinds},
              {"limits",
               {{"quote_chars", c.limits.quote_chars},
                {"shown_citations", c.limits.shown_citations},
                {"max_groups", c.limits.max_groups},
                {"contradiction_tolerance_ns", c.limits.contradiction_tolerance},
                {"full_citations", c.limits.full_citations}}}};
}

Result<SummarizerConfig> SummarizerConfigFromJson(const json& j) {
  if (!j.is_object()) return std::unexpected(Bad("the config must be an object").error());
  SummarizerConfig c;
  for (auto r :
       {ReadCorrelation(j, &c.correlation), ReadStrings(j, "salient_keywords", &c.salient_keywords),
        ReadStrings(j, "mitigation_keywords", &c.mitigation_keywords),
        ReadStrings(j, "include_reactions", &c.include_reactions),
        ReadStrings(j, "exclude_reactions", &c.exclude_reactions),
        ReadStrings(j, "deploy_reasons", &c.deploy_reasons),
        ReadStrings(j, "recovery_kinds", &c.recovery_kinds), ReadLimits(j, &c.limits)}) {
    if (!r) return std::unexpected(r.error());
  }
  return c;
}

std::string ConfigHash(const SummarizerConfig& c) {
  return Sha256Hex(SummarizerConfigToJson(c).dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace timelined::summarizer
