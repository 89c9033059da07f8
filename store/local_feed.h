#pragma once
// LocalFeed: the embedded default. Publish hands the batch to the store writer; the
// completion runs after the SQLite transaction holding it committed.
#include "store/model/feed.h"
#include "store/sqlite_store.h"

namespace timelined::store {

class LocalFeed final : public Feed {
 public:
  explicit LocalFeed(SqliteEventStore& store) : store_(store) {}
  void Publish(std::vector<Event> events, PublishCallback done) override;
  bool Ready() const override { return true; }

 private:
  SqliteEventStore& store_;
};

}  // namespace timelined::store
