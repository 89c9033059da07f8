#pragma once
// Thin RAII helpers over the SQLite C API, internal to timelined_store.
//
// Db owns a connection, Stmt a prepared statement. Neither is thread-safe: a connection
// and its statements are used by one thread at a time (the writer thread, or whoever holds
// a reader from the pool). Errors are converted to timelined::Error at this edge:
// SQLITE_BUSY/LOCKED and disk trouble are kUnavailable (retry), anything else kInternal.
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "store/model/error.h"

namespace timelined::store::sql {

// The error for a failed SQLite call on `db`: code from `rc`, message `what`, and
// SQLite's own text in detail (it never contains bound values).
Error SqliteError(sqlite3* db, int rc, std::string_view what);

class Db {
 public:
  Db() = default;
  ~Db();
  Db(Db&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // sqlite3_open_v2 with `flags` | SQLITE_OPEN_NOMUTEX (callers serialize use).
  static Result<Db> Open(const std::string& path, int flags);

  // Runs one or more statements without results (DDL, PRAGMA, BEGIN ...).
  Result<void> Exec(std::string_view sql_text) const;
  sqlite3* get() const { return db_; }
  explicit operator bool() const { return db_ != nullptr; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

class Stmt {
 public:
  Stmt() = default;
  ~Stmt();
  Stmt(Stmt&& o) noexcept : st_(o.st_) { o.st_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Prepares with SQLITE_PREPARE_PERSISTENT: these statements are kept and reused.
  static Result<Stmt> Prepare(sqlite3* db, std::string_view sql_text);

  // Binds by 1-based index. Text is not copied (SQLITE_STATIC): the bytes must stay alive
  // and unchanged until the statement is reset. That is what the hot insert path wants.
  void BindText(int i, std::string_view v);
  void BindTextOrNull(int i, std::string_view v);  // NULL when empty
  void BindInt(int i, int64_t v);

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(st_); }
  // Resets and clears bindings, so the statement can be reused.
  void Reset();

  std::string_view ColumnText(int i) const;  // "" for NULL
  int64_t ColumnInt(int i) const { return sqlite3_column_int64(st_, i); }

  sqlite3_stmt* get() const { return st_; }
  explicit operator bool() const { return st_ != nullptr; }

 private:
  explicit Stmt(sqlite3_stmt* st) : st_(st) {}
  sqlite3_stmt* st_ = nullptr;
};

// Resets a statement on scope exit, so an early return never leaves it mid-step (which
// would keep a read transaction open on the connection).
class StmtResetter {
 public:
  explicit StmtResetter(Stmt& st) : st_(st) {}
  ~StmtResetter() { st_.Reset(); }
  StmtResetter(const StmtResetter&) = delete;
  StmtResetter& operator=(const StmtResetter&) = delete;

 private:
  Stmt& st_;
};

}  // namespace timelined::store::sql
