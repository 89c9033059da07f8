#include "store/rows.h"

namespace timelined::store::rows {
namespace {

using nlohmann::json;

std::string Str(const sql::Stmt& st, int col) { return std::string(st.ColumnText(col)); }

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::string AttrsText(const Event& e) { return Dump(e.attrs); }

void BindEvent(sql::Stmt& st, const Event& e, int64_t seq, std::string_view chain,
               std::string_view attrs) {
  st.BindInt(1, seq);
  st.BindText(2, e.id);
  st.BindText(3, e.source);
  st.BindText(4, e.source_ref);
  st.BindText(5, e.kind);
  st.BindInt(6, e.occurred_at);
  st.BindInt(7, e.received_at);
  st.BindTextOrNull(8, e.incident_id);
  st.BindTextOrNull(9, e.scope);
  st.BindText(10, e.severity);
  st.BindText(11, e.actor);
  st.BindText(12, e.summary);
  st.BindText(13, e.body);
  st.BindText(14, e.url);
  st.BindText(15, attrs);
  st.BindText(16, e.raw_sha256);
  st.BindInt(17, e.redactions);
  st.BindText(18, chain);
}

Event ReadEvent(const sql::Stmt& st) {
  Event e;
  e.seq = st.ColumnInt(0);
  e.id = Str(st, 1);
  e.source = Str(st, 2);
  e.source_ref = Str(st, 3);
  e.kind = Str(st, 4);
  e.occurred_at = st.ColumnInt(5);
  e.received_at = st.ColumnInt(6);
  e.incident_id = Str(st, 7);
  e.scope = Str(st, 8);
  e.severity = Str(st, 9);
  e.actor = Str(st, 10);
  e.summary = Str(st, 11);
  e.body = Str(st, 12);
  e.url = Str(st, 13);
  // A row edited outside the store may hold anything; keep it visible as a string value
  // rather than dropping it, so the chain check reports the mismatch.
  json attrs = json::parse(st.ColumnText(14), nullptr, false);
  e.attrs = attrs.is_discarded() ? json(st.ColumnText(14)) : std::move(attrs);
  e.raw_sha256 = Str(st, 15);
  e.redactions = static_cast<int>(st.ColumnInt(16));
  e.chain = Str(st, 17);
  return e;
}

std::string AssigneesText(const Incident& i) { return Dump(json(i.assignees)); }

void BindIncident(sql::Stmt& st, const Incident& i, std::string_view assignees) {
  st.BindText(1, i.id);
  st.BindInt(2, i.number);
  st.BindText(3, i.title);
  st.BindText(4, i.service_id);
  st.BindText(5, i.service_name);
  st.BindText(6, i.urgency);
  st.BindText(7, i.priority);
  st.BindText(8, i.status);
  st.BindText(9, assignees);
  st.BindText(10, i.html_url);
  st.BindInt(11, i.triggered_at);
  st.BindInt(12, i.acknowledged_at);
  st.BindInt(13, i.resolved_at);
  st.BindInt(14, i.reopened_at);
  st.BindInt(15, i.updated_at);
}

Incident ReadIncident(const sql::Stmt& st) {
  Incident i;
  i.id = Str(st, 0);
  i.number = st.ColumnInt(1);
  i.title = Str(st, 2);
  i.service_id = Str(st, 3);
  i.service_name = Str(st, 4);
  i.urgency = Str(st, 5);
  i.priority = Str(st, 6);
  i.status = Str(st, 7);
  json a = json::parse(st.ColumnText(8), nullptr, false);
  if (a.is_array()) {
    for (const auto& v : a) {
      if (v.is_string()) i.assignees.push_back(v.get<std::string>());
    }
  }
  i.html_url = Str(st, 9);
  i.triggered_at = st.ColumnInt(10);
  i.acknowledged_at = st.ColumnInt(11);
  i.resolved_at = st.ColumnInt(12);
  i.reopened_at = st.ColumnInt(13);
  i.updated_at = st.ColumnInt(14);
  return i;
}

}  // namespace timelined::store::rows
