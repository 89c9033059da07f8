#pragma once
// The store's schema: forward-only migrations and connection settings. Internal to
// timelined_store (the store, its tests and the bench use it).
//
// Migrations are an ordered list of SQL scripts; entry i (0-based) brings the schema to
// version i + 1. Each runs in its own IMMEDIATE transaction together with its row in
// schema_version (version, applied_at), so a crash mid-migration leaves the previous
// version intact. Adding a migration is appending one entry; never edit a shipped one.
#include <cstdint>
#include <span>
#include <string_view>

#include "store/model/error.h"
#include "store/sqlite_util.h"

namespace timelined::store::schema {

// The migrations this binary knows; their count is the version it writes.
std::span<const std::string_view> Migrations();
inline int LatestVersion() { return static_cast<int>(Migrations().size()); }

// The version recorded in `db` (0 for a database without schema_version).
Result<int> CurrentVersion(const sql::Db& db);

// Brings `db` up to migrations.size(), recording each applied version with `now_ns` as
// applied_at. Fails with kInvalidInput ("schema_too_new") when the database records a
// version newer than the list knows: an older binary must not write a newer schema.
// Returns the version after migrating.
Result<int> Migrate(const sql::Db& db, std::span<const std::string_view> migrations,
                    int64_t now_ns);

struct ConnectionSettings {
  int cache_mib = 64;
  bool synchronous_full = false;
  int busy_timeout_ms = 5000;
};
// PRAGMAs for the write connection: WAL, synchronous NORMAL (or FULL), no foreign keys,
// busy timeout, page cache, a larger WAL autocheckpoint, temp tables in memory.
Result<void> ConfigureWriter(const sql::Db& db, const ConnectionSettings& s);
// PRAGMAs for a read-only connection: busy timeout, page cache, temp tables in memory.
Result<void> ConfigureReader(const sql::Db& db, const ConnectionSettings& s);

}  // namespace timelined::store::schema
