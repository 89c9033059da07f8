#include "store/reader_pool.h"

#include <utility>

namespace timelined::store {

Result<sql::Stmt*> ReaderPool::Conn::Statement(std::string_view sql_text) {
  auto it = statements.find(std::string(sql_text));
  if (it != statements.end()) return &it->second;
  auto st = sql::Stmt::Prepare(db.get(), sql_text);
  if (!st) return std::unexpected(st.error());
  return &statements.emplace(std::string(sql_text), std::move(*st)).first->second;
}

Result<std::unique_ptr<ReaderPool>> ReaderPool::Open(const std::string& path, int n,
                                                     const schema::ConnectionSettings& s) {
  std::unique_ptr<ReaderPool> pool(new ReaderPool());
  for (int i = 0; i < n; ++i) {
    auto db = sql::Db::Open(path, SQLITE_OPEN_READONLY);
    if (!db) return std::unexpected(db.error());
    if (auto r = schema::ConfigureReader(*db, s); !r) return std::unexpected(r.error());
    pool->conns_.push_back(std::make_unique<Conn>(Conn{std::move(*db), {}}));
    pool->free_.push_back(pool->conns_.back().get());
  }
  return pool;
}

ReaderPool::Lease ReaderPool::Acquire() const {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !free_.empty(); });
  Conn* conn = free_.back();
  free_.pop_back();
  return Lease(*this, conn);
}

void ReaderPool::Release(Conn* conn) const {
  {
    std::lock_guard lock(mu_);
    free_.push_back(conn);
  }
  cv_.notify_one();
}

}  // namespace timelined::store
