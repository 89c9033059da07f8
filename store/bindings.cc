// SqliteEventStore: the bindings table (Slack threads and channels bound to incidents) and
// the incident lookups that binding needs.
#include <algorithm>
#include <chrono>

#include "store/reader_pool.h"
#include "store/rows.h"
#include "store/schema.h"
#include "store/sqlite_store.h"

namespace timelined::store {
namespace {

constexpr std::string_view kBindingColumns = "kind, key, incident_id, created_at";

Binding ReadBinding(const sql::Stmt& st) {
  return Binding{std::string(st.ColumnText(0)), std::string(st.ColumnText(1)),
                 std::string(st.ColumnText(2)), st.ColumnInt(3)};
}

int64_t WallNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::optional<Binding>> SelectBinding(const sql::Db& db, const Binding& b) {
  auto st = sql::Stmt::Prepare(db.get(), "SELECT " + std::string(kBindingColumns) +
                                             " FROM bindings WHERE kind = ? AND key = ?");
  if (!st) return std::unexpected(st.error());
  st->BindText(1, b.kind);
  st->BindText(2, b.key);
  const int rc = st->Step();
  if (rc == SQLITE_ROW) return ReadBinding(*st);
  if (rc == SQLITE_DONE) return std::nullopt;
  return std::unexpected(sql::SqliteError(db.get(), rc, "binding_read"));
}

Result<void> InsertBinding(const sql::Db& db, const Binding& b, std::string_view actor) {
  auto ins = sql::Stmt::Prepare(
      db.get(), "INSERT INTO bindings(kind, key, incident_id, created_at) VALUES(?, ?, ?, ?)");
  if (!ins) return std::unexpected(ins.error());
  ins->BindText(1, b.kind);
  ins->BindText(2, b.key);
  ins->BindText(3, b.incident_id);
  ins->BindInt(4, b.created_at);
  if (int rc = ins->Step(); rc != SQLITE_DONE) {
    return std::unexpected(sql::SqliteError(db.get(), rc, "binding_insert"));
  }
  auto audit = sql::Stmt::Prepare(
      db.get(), "INSERT INTO audit(at, actor, action, subject, detail) VALUES(?, ?, 'bind', ?, ?)");
  if (!audit) return std::unexpected(audit.error());
  const std::string detail = b.kind + " " + b.key;
  audit->BindInt(1, b.created_at);
  audit->BindText(2, actor);
  audit->BindText(3, b.incident_id);
  audit->BindText(4, detail);
  if (int rc = audit->Step(); rc != SQLITE_DONE) {
    return std::unexpected(sql::SqliteError(db.get(), rc, "binding_audit"));
  }
  return {};
}

// Runs `st` (already bound) and collects its binding rows.
Result<std::vector<Binding>> CollectBindings(sqlite3* db, sql::Stmt& st) {
  std::vector<Binding> out;
  for (;;) {
    const int rc = st.Step();
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) return std::unexpected(sql::SqliteError(db, rc, "binding_list"));
    out.push_back(ReadBinding(st));
  }
}

}  // namespace

Result<SqliteEventStore::BindingWrite> SqliteEventStore::AddBinding(const Binding& b,
                                                                    std::string_view actor,
                                                                    int busy_timeout_ms) {
  if (b.kind.empty() || b.key.empty() || b.incident_id.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_binding",
                     "a binding needs a kind, a key and an incident");
  }
  Binding row = b;
  if (row.created_at == 0) row.created_at = WallNanos();
  auto db = sql::Db::Open(path(), SQLITE_OPEN_READWRITE);
  if (!db) return std::unexpected(db.error());
  if (auto r = schema::ConfigureReader(
          *db, schema::ConnectionSettings{.cache_mib = 1,
                                          .busy_timeout_ms = std::max(busy_timeout_ms, 1)});
      !r) {
    return std::unexpected(r.error());
  }
  // A binding is one short write on a request thread: it must not run a whole checkpoint
  // there (SQLite's default would past 1000 WAL pages). The Checkpointer does them.
  if (auto r = db->Exec("PRAGMA wal_autocheckpoint = 0"); !r) return std::unexpected(r.error());
  if (auto r = db->Exec("BEGIN IMMEDIATE"); !r) return std::unexpected(r.error());
  auto fail = [&db](Error e) -> Result<BindingWrite> {
    // A failed ROLLBACK leaves nothing to do; the error reported is the one that caused it.
    (void)db->Exec("ROLLBACK");
    return std::unexpected(std::move(e));
  };
  auto existing = SelectBinding(*db, row);
  if (!existing) return fail(existing.error());
  if (existing->has_value()) {
    if (auto r = db->Exec("COMMIT"); !r) return fail(r.error());
    return BindingWrite{**existing, false};
  }
  if (auto r = InsertBinding(*db, row, actor); !r) return fail(r.error());
  if (auto r = db->Exec("COMMIT"); !r) return fail(r.error());
  return BindingWrite{std::move(row), true};
}

Result<std::vector<Binding>> SqliteEventStore::GetBindings(const std::string& incident_id) const {
  auto conn = readers().Acquire();
  auto st = conn->Statement("SELECT " + std::string(kBindingColumns) +
                            " FROM bindings WHERE incident_id = ? ORDER BY kind, key");
  if (!st) return std::unexpected(st.error());
  sql::StmtResetter reset(**st);
  (*st)->BindText(1, incident_id);
  return CollectBindings(conn->db.get(), **st);
}

Result<std::vector<Binding>> SqliteEventStore::ListBindings() const {
  auto conn = readers().Acquire();
  auto st = conn->Statement("SELECT " + std::string(kBindingColumns) +
                            " FROM bindings ORDER BY kind, key");
  if (!st) return std::unexpected(st.error());
  sql::StmtResetter reset(**st);
  return CollectBindings(conn->db.get(), **st);
}

Result<std::optional<Incident>> SqliteEventStore::FindIncidentByNumber(int64_t number) const {
  auto conn = readers().Acquire();
  auto st =
      conn->Statement("SELECT " + std::string(rows::kIncidentColumns) +
                      " FROM incidents WHERE number = ? ORDER BY updated_at DESC, id LIMIT 1");
  if (!st) return std::unexpected(st.error());
  sql::StmtResetter reset(**st);
  (*st)->BindInt(1, number);
  const int rc = (*st)->Step();
  if (rc == SQLITE_ROW) return rows::ReadIncident(**st);
  if (rc == SQLITE_DONE) return std::nullopt;
  return std::unexpected(sql::SqliteError(conn->db.get(), rc, "incident_by_number"));
}

Result<std::optional<Incident>> SqliteEventStore::FindOpenIncidentOfService(
    const std::string& service) const {
  auto conn = readers().Acquire();
  auto st = conn->Statement("SELECT " + std::string(rows::kIncidentColumns) +
                            " FROM incidents WHERE (service_id = ? OR service_name = ?)"
                            " AND status IN ('triggered', 'acknowledged')"
                            " ORDER BY triggered_at DESC, id LIMIT 1");
  if (!st) return std::unexpected(st.error());
  sql::StmtResetter reset(**st);
  (*st)->BindText(1, service);
  (*st)->BindText(2, service);
  const int rc = (*st)->Step();
  if (rc == SQLITE_ROW) return rows::ReadIncident(**st);
  if (rc == SQLITE_DONE) return std::nullopt;
  return std::unexpected(sql::SqliteError(conn->db.get(), rc, "open_incident_of_service"));
}

}  // namespace timelined::store
