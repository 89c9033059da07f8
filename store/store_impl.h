#pragma once
// SqliteEventStore's private state, internal to timelined_store: shared by sqlite_store.cc
// (events, incidents) and drafts.cc (the drafts table).
#include <memory>
#include <mutex>

#include "store/checkpointer.h"
#include "store/reader_pool.h"
#include "store/sqlite_store.h"
#include "store/sqlite_util.h"
#include "store/writer.h"

namespace timelined::store {

struct SqliteEventStore::Impl {
  StoreOptions options;
  int schema_version = 0;
  std::unique_ptr<ReaderPool> readers;
  std::unique_ptr<Checkpointer> checkpointer;  // before writer: outlives the writer's hook
  std::unique_ptr<Writer> writer;
  // Drafts are written on their own connection, not by the event writer: a draft is a few
  // hundred KiB written rarely, and keeping it off the writer's queue keeps the chain
  // writer's transactions small. The two connections serialize through SQLite's lock (WAL:
  // one writer at a time, busy_timeout on both), each transaction being one statement.
  std::mutex drafts_mu;
  sql::Db drafts_db;  // guarded by drafts_mu
};

}  // namespace timelined::store
