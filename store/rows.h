#pragma once
// Mapping between model values and table rows, internal to timelined_store. One place
// knows the column order, so the writer, the readers and the chain check agree on it.
#include <string>
#include <string_view>

#include "store/model/event.h"
#include "store/sqlite_util.h"

namespace timelined::store::rows {

// INSERT of one event; bind with BindEvent. A duplicate id changes no row.
inline constexpr std::string_view kInsertEvent =
    "INSERT INTO events(seq, id, source, source_ref, kind, occurred_at, received_at, "
    "incident_id, scope, severity, actor, summary, body, url, attrs, raw_sha256, redactions, "
    "chain) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING";

// The column list ReadEvent expects, for SELECT <kEventColumns> FROM events ...
inline constexpr std::string_view kEventColumns =
    "seq, id, source, source_ref, kind, occurred_at, received_at, incident_id, scope, "
    "severity, actor, summary, body, url, attrs, raw_sha256, redactions, chain";

// attrs as stored: compact JSON; invalid UTF-8 is replaced rather than thrown on.
std::string AttrsText(const Event& e);

// Binds `e` (with `seq`, `chain` and the AttrsText `attrs`) to a kInsertEvent statement.
// Binds without copying: `e`, `chain` and `attrs` must outlive the statement's next reset.
void BindEvent(sql::Stmt& st, const Event& e, int64_t seq, std::string_view chain,
               std::string_view attrs);

// Reads the current row of a SELECT <kEventColumns> statement.
Event ReadEvent(const sql::Stmt& st);

inline constexpr std::string_view kIncidentColumns =
    "id, number, title, service_id, service_name, urgency, priority, status, assignees, "
    "html_url, triggered_at, acknowledged_at, resolved_at, reopened_at, updated_at";

// INSERT OR REPLACE of one incident; bind with BindIncident.
// An update in place when the incident exists (not REPLACE, which deletes and reinserts
// the row and so rewrites every index entry of it).
inline constexpr std::string_view kUpsertIncident =
    "INSERT INTO incidents(id, number, title, service_id, service_name, urgency, "
    "priority, status, assignees, html_url, triggered_at, acknowledged_at, resolved_at, "
    "reopened_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT(id) DO UPDATE SET number = excluded.number, title = excluded.title, "
    "service_id = excluded.service_id, service_name = excluded.service_name, "
    "urgency = excluded.urgency, priority = excluded.priority, status = excluded.status, "
    "assignees = excluded.assignees, html_url = excluded.html_url, "
    "triggered_at = excluded.triggered_at, acknowledged_at = excluded.acknowledged_at, "
    "resolved_at = excluded.resolved_at, reopened_at = excluded.reopened_at, "
    "updated_at = excluded.updated_at";

// `assignees` is the JSON text of i.assignees and must outlive the statement's next reset.
void BindIncident(sql::Stmt& st, const Incident& i, std::string_view assignees);
std::string AssigneesText(const Incident& i);

// Reads the current row of a SELECT <kIncidentColumns> statement.
Incident ReadIncident(const sql::Stmt& st);

}  // namespace timelined::store::rows
