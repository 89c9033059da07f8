#pragma once
// Fakes and event factories for the summarizer tests.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/model/event.h"
#include "store/model/hash.h"
#include "store/model/reader.h"
#include "store/model/time.h"

namespace timelined::summarizer::testing {

inline constexpr const char* kIncidentId = "Q1PAYMNT";

inline Nanos T(int minute, int second = 0) {
  return *ParseRfc3339("2026-03-14T12:00:00Z") + (minute * 60LL + second) * kNanosPerSecond;
}

// An EventReader over a vector, honouring every EventQuery field.
class VectorReader : public EventReader {
 public:
  explicit VectorReader(std::vector<Event> events) : events_(std::move(events)) {
    std::sort(events_.begin(), events_.end(), [](const Event& a, const Event& b) {
      return a.occurred_at != b.occurred_at ? a.occurred_at < b.occurred_at : a.id < b.id;
    });
  }
  Result<std::optional<Event>> GetEvent(const std::string& id) const override {
    for (const Event& e : events_) {
      if (e.id == id) return std::optional<Event>(e);
    }
    return std::optional<Event>();
  }
  Result<void> ForEachEvent(const EventQuery& q,
                            const std::function<bool(const Event&)>& fn) const override {
    ++queries;
    size_t n = 0;
    for (const Event& e : events_) {
      if (!Matches(q, e)) continue;
      if (q.limit != 0 && n == q.limit) break;
      ++n;
      if (!fn(e)) break;
    }
    return {};
  }
  Result<std::optional<Incident>> GetIncident(const std::string&) const override {
    return std::optional<Incident>();
  }
  std::vector<Event>& events() { return events_; }
  mutable size_t queries = 0;

 private:
  static bool Matches(const EventQuery& q, const Event& e) {
    if (!q.incident_id.empty()) {
      if (e.incident_id != q.incident_id) return false;
    } else if (!q.scope.empty()) {
      if (e.scope != q.scope) return false;
    } else if (!q.scope_prefix.empty() && !e.scope.starts_with(q.scope_prefix)) {
      return false;
    }
    if (q.from != 0 && e.occurred_at < q.from) return false;
    if (q.to != 0 && e.occurred_at > q.to) return false;
    return true;
  }
  std::vector<Event> events_;
};

inline Event MakeEvent(std::string source, std::string ref, std::string kind, Nanos at) {
  Event e;
  e.source = std::move(source);
  e.source_ref = std::move(ref);
  e.id = MakeEventId(e.source, e.source_ref);
  e.kind = std::move(kind);
  e.occurred_at = at;
  e.received_at = at;
  e.raw_sha256 = Sha256Hex(e.source_ref);
  return e;
}

inline Incident PaymentsIncident() {
  Incident i;
  i.id = kIncidentId;
  i.number = 4711;
  i.title = "Payments API 5xx rate above 5%";
  i.service_id = "PSVCPAY";
  i.service_name = "payments-api";
  i.urgency = "high";
  i.priority = "P1";
  i.status = "resolved";
  i.triggered_at = T(10);
  i.acknowledged_at = T(12);
  i.resolved_at = T(40);
  return i;
}

// A PagerDuty event; `match_key` "" = none; the snapshot carries the incident.
inline Event Pd(const std::string& ref, const std::string& type, Nanos at,
                const std::string& actor = "", const std::string& match_key = "") {
  Event e = MakeEvent("pagerduty", ref, "incident." + type, at);
  e.incident_id = kIncidentId;
  e.actor = actor;
  e.summary = type;
  e.attrs["incident"] = IncidentToJson(PaymentsIncident());
  if (!match_key.empty()) e.attrs["match_key"] = match_key;
  return e;
}

inline Event K8s(const std::string& ref, const std::string& reason, Nanos at,
                 const std::string& pod, bool warning = true, const std::string& message = "",
                 const std::string& kind = "Pod") {
  Event e = MakeEvent("kubernetes", ref, "k8s." + reason, at);
  e.scope = "k8s/payments/payments-api";
  e.severity = warning ? "warning" : "info";
  e.summary = reason + " on pod " + pod + ": " + message;
  e.body = message;
  e.attrs = {{"namespace", "payments"},
             {"object", {{"kind", kind}, {"name", pod}, {"uid", "uid-" + pod}}},
             {"workload", "payments-api"},
             {"reason", reason},
             {"type", warning ? "Warning" : "Normal"},
             {"count", 1},
             {"message", message}};
  return e;
}

inline Event Log(const std::string& ref, const std::string& level, Nanos at,
                 const std::string& message, const std::string& scope = "log/payments/api") {
  Event e = MakeEvent("log", ref, "log." + level, at);
  e.scope = scope;
  e.severity = level == "error" ? "error" : level == "warn" ? "warning" : "info";
  e.body = message;
  e.summary = message;
  return e;
}

inline Event Slack(const std::string& ts, Nanos at, const std::string& user,
                   const std::string& text, const std::string& kind = "slack.message",
                   const std::string& supersedes = "") {
  Event e = MakeEvent("slack", "T1:C0PAY:" + ts, kind, at);
  e.incident_id = kIncidentId;
  e.actor = user;
  e.body = text;
  e.attrs = {{"channel", "C0PAY"},
             {"ts", ts},
             {"bot", false},
             {"pinned", false},
             {"reactions", nlohmann::json::array()}};
  if (!supersedes.empty()) e.attrs["supersedes"] = supersedes;
  return e;
}

}  // namespace timelined::summarizer::testing
