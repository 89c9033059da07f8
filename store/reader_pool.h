#pragma once
// ReaderPool: a fixed set of read-only connections for the store's const methods.
// Internal to timelined_store.
//
// Acquire() hands out a free connection for the caller's exclusive use and blocks while
// all are taken; the Lease gives it back. Each connection caches its prepared statements
// by SQL text, so repeated query shapes are prepared once per connection. In WAL mode a
// reader never blocks the writer and sees the last commit made before its query started.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/model/error.h"
#include "store/schema.h"
#include "store/sqlite_util.h"

namespace timelined::store {

class ReaderPool {
 public:
  struct Conn {
    sql::Db db;
    std::unordered_map<std::string, sql::Stmt> statements;
    // The cached statement for `sql_text`, prepared on first use. Reset on return.
    Result<sql::Stmt*> Statement(std::string_view sql_text);
  };

  class Lease {
   public:
    Lease(const ReaderPool& pool, Conn* conn) : pool_(pool), conn_(conn) {}
    ~Lease() { pool_.Release(conn_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Conn* operator->() const { return conn_; }

   private:
    const ReaderPool& pool_;
    Conn* conn_;
  };

  // Opens `n` read-only connections to `path` (which must already exist in WAL mode).
  static Result<std::unique_ptr<ReaderPool>> Open(const std::string& path, int n,
                                                  const schema::ConnectionSettings& s);

  // Blocks until a connection is free. Do not hold more leases on one thread than the
  // pool has connections (e.g. nested queries from inside a ForEachEvent callback).
  Lease Acquire() const;

 private:
  ReaderPool() = default;
  void Release(Conn* conn) const;

  std::vector<std::unique_ptr<Conn>> conns_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable std::vector<Conn*> free_;  // guarded by mu_
};

}  // namespace timelined::store
