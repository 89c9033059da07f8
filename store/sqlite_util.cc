#include "store/sqlite_util.h"

#include <utility>

namespace timelined::store::sql {

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  ErrorCode code = ErrorCode::kInternal;
  switch (rc & 0xff) {
    // Contention and disk trouble may clear up: the caller retries.
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
      code = ErrorCode::kUnavailable;
      break;
    default:
      break;
  }
  std::string detail = sqlite3_errstr(rc);
  if (db != nullptr && sqlite3_errcode(db) == rc) detail = sqlite3_errmsg(db);
  return Error{code, std::string(what), std::move(detail)};
}

Db::~Db() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
  }
  return *this;
}

Result<Db> Db::Open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);  // owns the handle even when the open failed
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(raw, rc, "sqlite_open"));
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Result<void> Db::Exec(std::string_view sql_text) const {
  std::string owned(sql_text);  // sqlite3_exec wants a NUL-terminated string
  int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(db_, rc, "sqlite_exec"));
  return {};
}

Stmt::~Stmt() {
  if (st_ != nullptr) sqlite3_finalize(st_);
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    if (st_ != nullptr) sqlite3_finalize(st_);
    st_ = std::exchange(o.st_, nullptr);
  }
  return *this;
}

Result<Stmt> Stmt::Prepare(sqlite3* db, std::string_view sql_text) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v3(db, sql_text.data(), static_cast<int>(sql_text.size()),
                              SQLITE_PREPARE_PERSISTENT, &st, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(st);
    return std::unexpected(SqliteError(db, rc, "sqlite_prepare"));
  }
  return Stmt(st);
}

void Stmt::BindText(int i, std::string_view v) {
  // A non-null pointer even for "": a null pointer would bind NULL instead of ''.
  sqlite3_bind_text(st_, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}

void Stmt::BindTextOrNull(int i, std::string_view v) {
  if (v.empty()) {
    sqlite3_bind_null(st_, i);
  } else {
    BindText(i, v);
  }
}

void Stmt::BindInt(int i, int64_t v) { sqlite3_bind_int64(st_, i, v); }

void Stmt::Reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

std::string_view Stmt::ColumnText(int i) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, i));
  if (p == nullptr) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(st_, i))};
}

}  // namespace timelined::store::sql
