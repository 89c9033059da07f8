#include "store/schema.h"

#include <array>
#include <string>

namespace timelined::store::schema {
namespace {

// Version 1. Empty incident_id/scope are stored as NULL and the two lookup indexes are
// partial (IS NOT NULL): most events name no incident, so they cost no index entry there.
// SQLite uses a partial index for `col = ?` because equality implies IS NOT NULL.
constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE events (
  seq         INTEGER PRIMARY KEY,
  id          TEXT    NOT NULL UNIQUE,
  source      TEXT    NOT NULL,
  source_ref  TEXT    NOT NULL,
  kind        TEXT    NOT NULL,
  occurred_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  incident_id TEXT,
  scope       TEXT,
  severity    TEXT    NOT NULL,
  actor       TEXT    NOT NULL DEFAULT '',
  summary     TEXT    NOT NULL DEFAULT '',
  body        TEXT    NOT NULL DEFAULT '',
  url         TEXT    NOT NULL DEFAULT '',
  attrs       TEXT    NOT NULL DEFAULT '{}',
  raw_sha256  TEXT    NOT NULL DEFAULT '',
  redactions  INTEGER NOT NULL DEFAULT 0,
  chain       TEXT    NOT NULL
);
CREATE INDEX events_incident_time ON events(incident_id, occurred_at)
  WHERE incident_id IS NOT NULL;
CREATE INDEX events_scope_time ON events(scope, occurred_at) WHERE scope IS NOT NULL;

CREATE TABLE incidents (
  id              TEXT PRIMARY KEY,
  number          INTEGER NOT NULL DEFAULT 0,
  title           TEXT    NOT NULL DEFAULT '',
  service_id      TEXT    NOT NULL DEFAULT '',
  service_name    TEXT    NOT NULL DEFAULT '',
  urgency         TEXT    NOT NULL DEFAULT '',
  priority        TEXT    NOT NULL DEFAULT '',
  status          TEXT    NOT NULL DEFAULT '',
  assignees       TEXT    NOT NULL DEFAULT '[]',
  html_url        TEXT    NOT NULL DEFAULT '',
  triggered_at    INTEGER NOT NULL DEFAULT 0,
  acknowledged_at INTEGER NOT NULL DEFAULT 0,
  resolved_at     INTEGER NOT NULL DEFAULT 0,
  reopened_at     INTEGER NOT NULL DEFAULT 0,
  updated_at      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX incidents_updated ON incidents(updated_at);

CREATE TABLE bindings (
  kind        TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  incident_id TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
);
CREATE INDEX bindings_incident ON bindings(incident_id);

CREATE TABLE drafts (
  incident_id  TEXT    NOT NULL,
  version      INTEGER NOT NULL,
  "trigger"    TEXT    NOT NULL,
  generator    TEXT    NOT NULL,
  config_hash  TEXT    NOT NULL,
  input_digest TEXT    NOT NULL,
  markdown     TEXT    NOT NULL,
  json         TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  stale        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (incident_id, version)
);

CREATE TABLE audit (
  seq     INTEGER PRIMARY KEY,
  at      INTEGER NOT NULL,
  actor   TEXT    NOT NULL,
  action  TEXT    NOT NULL,
  subject TEXT    NOT NULL DEFAULT '',
  detail  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit(at);
)sql";

constexpr std::array<std::string_view, 1> kMigrations = {kMigration1};

constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)";

Result<bool> HasVersionTable(const sql::Db& db) {
  auto st = sql::Stmt::Prepare(
      db.get(), "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  if (!st) return std::unexpected(st.error());
  int rc = st->Step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(sql::SqliteError(db.get(), rc, "schema_version_lookup"));
}

Result<void> ApplyOne(const sql::Db& db, int version, std::string_view script, int64_t now_ns) {
  if (auto r = db.Exec(script); !r) return r;
  auto st =
      sql::Stmt::Prepare(db.get(), "INSERT INTO schema_version(version, applied_at) VALUES(?, ?)");
  if (!st) return std::unexpected(st.error());
  st->BindInt(1, version);
  st->BindInt(2, now_ns);
  if (int rc = st->Step(); rc != SQLITE_DONE) {
    return std::unexpected(sql::SqliteError(db.get(), rc, "schema_version_insert"));
  }
  return {};
}

Error TooNew(int found, int known) {
  return Error{ErrorCode::kInvalidInput, "schema_too_new",
               "database schema version " + std::to_string(found) +
                   " is newer than this binary supports (" + std::to_string(known) +
                   "); run a newer timelined"};
}

// Applies migration `next` (1-based) unless another process got there first.
Result<void> MigrateStep(const sql::Db& db, std::span<const std::string_view> migrations, int next,
                         int64_t now_ns) {
  if (auto r = db.Exec("BEGIN IMMEDIATE"); !r) return r;
  auto fail = [&](Error e) -> Result<void> {
    // A failed ROLLBACK leaves nothing to do; the error reported is the one that caused it.
    (void)db.Exec("ROLLBACK");
    e.detail = "migration " + std::to_string(next) + ": " + e.detail;
    return std::unexpected(std::move(e));
  };
  if (auto r = db.Exec(kCreateVersionTable); !r) return fail(r.error());
  // Re-read under the write lock: another process may have migrated meanwhile.
  auto current = CurrentVersion(db);
  if (!current) return fail(current.error());
  if (*current > static_cast<int>(migrations.size())) {
    return fail(TooNew(*current, static_cast<int>(migrations.size())));
  }
  if (*current < next) {
    for (int v = *current + 1; v <= next; ++v) {
      if (auto r = ApplyOne(db, v, migrations[v - 1], now_ns); !r) return fail(r.error());
    }
  }
  if (auto r = db.Exec("COMMIT"); !r) return fail(r.error());
  return {};
}

}  // namespace

std::span<const std::string_view> Migrations() { return kMigrations; }

Result<int> CurrentVersion(const sql::Db& db) {
  auto has = HasVersionTable(db);
  if (!has) return std::unexpected(has.error());
  if (!*has) return 0;
  auto st = sql::Stmt::Prepare(db.get(), "SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!st) return std::unexpected(st.error());
  int rc = st->Step();
  if (rc != SQLITE_ROW) return std::unexpected(sql::SqliteError(db.get(), rc, "schema_version"));
  return static_cast<int>(st->ColumnInt(0));
}

Result<int> Migrate(const sql::Db& db, std::span<const std::string_view> migrations,
                    int64_t now_ns) {
  const int known = static_cast<int>(migrations.size());
  auto current = CurrentVersion(db);
  if (!current) return current;
  if (*current > known) return std::unexpected(TooNew(*current, known));
  for (int next = *current + 1; next <= known; ++next) {
    if (auto r = MigrateStep(db, migrations, next, now_ns); !r) return std::unexpected(r.error());
  }
  return CurrentVersion(db);
}

Result<void> ConfigureWriter(const sql::Db& db, const ConnectionSettings& s) {
  // journal_mode returns a row; sqlite3_exec discards it. Verify WAL took effect below.
  std::string pragmas =
      "PRAGMA journal_mode = WAL;"
      "PRAGMA synchronous = " +
      std::string(s.synchronous_full ? "FULL" : "NORMAL") +
      ";"
      "PRAGMA foreign_keys = OFF;"
      "PRAGMA temp_store = MEMORY;"
      "PRAGMA busy_timeout = " +
      std::to_string(s.busy_timeout_ms) +
      ";"
      "PRAGMA cache_size = -" +
      std::to_string(static_cast<int64_t>(s.cache_mib) * 1024) +
      ";"
      // Checkpoint every ~64 MiB of WAL instead of 4 MiB: fewer, larger checkpoints keep
      // the writer inserting on a big store; the file is trimmed back after each one. The
      // event writer's connection replaces this with a background checkpoint
      // (store/checkpointer.h); the store's other writing connections turn it off.
      "PRAGMA wal_autocheckpoint = 16384;"
      "PRAGMA journal_size_limit = 67108864;";
  if (auto r = db.Exec(pragmas); !r) return r;
  auto st = sql::Stmt::Prepare(db.get(), "PRAGMA journal_mode");
  if (!st) return std::unexpected(st.error());
  if (st->Step() != SQLITE_ROW || st->ColumnText(0) != "wal") {
    return std::unexpected(
        Error{ErrorCode::kUnavailable, "sqlite_wal", "could not enable WAL journal mode"});
  }
  return {};
}

Result<void> ConfigureReader(const sql::Db& db, const ConnectionSettings& s) {
  return db.Exec("PRAGMA busy_timeout = " + std::to_string(s.busy_timeout_ms) +
                 ";"
                 "PRAGMA temp_store = MEMORY;"
                 "PRAGMA cache_size = -" +
                 std::to_string(static_cast<int64_t>(s.cache_mib) * 1024) + ";");
}

}  // namespace timelined::store::schema
