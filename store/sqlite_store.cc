#include "store/sqlite_store.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <utility>

#include "store/log.h"
#include "store/reader_pool.h"
#include "store/rows.h"
#include "store/schema.h"
#include "store/store_impl.h"
#include "store/writer.h"

namespace timelined::store {
namespace {

int64_t WallNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<void> CheckOptions(const StoreOptions& o) {
  if (o.path.empty() || o.path == ":memory:" || o.path.starts_with("file:")) {
    return MakeError(ErrorCode::kInvalidInput, "store_path",
                     "the store needs a plain file path (readers use their own connections)");
  }
  if (o.reader_connections < 1 || o.cache_mib < 1 || o.max_batch_events < 1 ||
      o.busy_timeout_ms < 0) {
    return MakeError(ErrorCode::kInvalidInput, "store_options",
                     "reader_connections, cache_mib and max_batch_events must be positive");
  }
  if (o.checkpoint_wal_pages < 1 || o.checkpoint_hard_limit_pages < o.checkpoint_wal_pages) {
    return MakeError(ErrorCode::kInvalidInput, "store_options",
                     "checkpoint_wal_pages must be positive and at most "
                     "checkpoint_hard_limit_pages");
  }
  return {};
}

Result<Writer::ChainHead> LoadChainHead(const sql::Db& db) {
  auto st = sql::Stmt::Prepare(db.get(), "SELECT seq, chain FROM events ORDER BY seq DESC LIMIT 1");
  if (!st) return std::unexpected(st.error());
  const int rc = st->Step();
  if (rc == SQLITE_DONE) return Writer::ChainHead{};
  if (rc != SQLITE_ROW) return std::unexpected(sql::SqliteError(db.get(), rc, "chain_head"));
  return Writer::ChainHead{st->ColumnInt(0), std::string(st->ColumnText(1))};
}

// The smallest string greater than every string starting with `prefix` (byte order, as
// SQLite's BINARY collation compares), or nullopt when there is none (all 0xff).
std::optional<std::string> PrefixUpperBound(std::string prefix) {
  while (!prefix.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(prefix.back());
    if (last != 0xff) {
      ++last;
      return prefix;
    }
    prefix.pop_back();
  }
  return std::nullopt;
}

// The SELECT for an EventQuery and the values to bind, in order.
struct BuiltQuery {
  std::string sql_text;
  std::vector<std::string> texts;  // bound first, in order
  std::vector<int64_t> ints;       // bound after the texts
};

Result<BuiltQuery> BuildQuery(const EventQuery& q) {
  const int filters = !q.incident_id.empty() + !q.scope.empty() + !q.scope_prefix.empty();
  if (filters > 1) {
    return MakeError(ErrorCode::kInvalidInput, "query_filters",
                     "set at most one of incident_id, scope and scope_prefix");
  }
  BuiltQuery b;
  b.sql_text = "SELECT " + std::string(rows::kEventColumns) + " FROM events WHERE ";
  if (!q.incident_id.empty()) {
    b.sql_text += "incident_id = ?";
    b.texts.push_back(q.incident_id);
  } else if (!q.scope.empty()) {
    b.sql_text += "scope = ?";
    b.texts.push_back(q.scope);
  } else if (!q.scope_prefix.empty()) {
    // A range rather than LIKE: LIKE is case-insensitive and treats % and _ specially,
    // and the range uses the (scope, occurred_at) index.
    b.sql_text += "scope >= ?";
    b.texts.push_back(q.scope_prefix);
    if (auto upper = PrefixUpperBound(q.scope_prefix)) {
      b.sql_text += " AND scope < ?";
      b.texts.push_back(std::move(*upper));
    }
  } else {
    b.sql_text += "1";
  }
  if (q.from != 0) {
    b.sql_text += " AND occurred_at >= ?";
    b.ints.push_back(q.from);
  }
  if (q.to != 0) {
    b.sql_text += " AND occurred_at <= ?";
    b.ints.push_back(q.to);
  }
  b.sql_text += " ORDER BY occurred_at, id";
  if (q.limit != 0) {
    b.sql_text += " LIMIT ?";
    b.ints.push_back(static_cast<int64_t>(q.limit));
  }
  return b;
}

}  // namespace

SqliteEventStore::SqliteEventStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteEventStore::~SqliteEventStore() { Close(); }

Result<std::unique_ptr<SqliteEventStore>> SqliteEventStore::Open(const StoreOptions& options) {
  if (auto r = CheckOptions(options); !r) return std::unexpected(r.error());
  const schema::ConnectionSettings settings{.cache_mib = options.cache_mib,
                                            .synchronous_full = options.synchronous_full,
                                            .busy_timeout_ms = options.busy_timeout_ms};
  auto db = sql::Db::Open(options.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db) return std::unexpected(db.error());
  if (auto r = schema::ConfigureWriter(*db, settings); !r) return std::unexpected(r.error());
  auto version = schema::Migrate(*db, schema::Migrations(), WallNanos());
  if (!version) return std::unexpected(version.error());
  auto head = LoadChainHead(*db);
  if (!head) return std::unexpected(head.error());

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->schema_version = *version;
  auto readers = ReaderPool::Open(options.path, options.reader_connections, settings);
  if (!readers) return std::unexpected(readers.error());
  impl->readers = std::move(*readers);
  auto drafts_db = sql::Db::Open(options.path, SQLITE_OPEN_READWRITE);
  if (!drafts_db) return std::unexpected(drafts_db.error());
  schema::ConnectionSettings drafts_settings = settings;
  drafts_settings.cache_mib = std::min(settings.cache_mib, 8);  // a few short writes
  if (auto r = schema::ConfigureWriter(*drafts_db, drafts_settings); !r) {
    return std::unexpected(r.error());
  }
  // Checkpoints are the Checkpointer's (after the event writer's commits); a draft save must
  // not run a whole one on the drafts worker, nor take the checkpoint lock from it.
  if (auto r = drafts_db->Exec("PRAGMA wal_autocheckpoint = 0"); !r) {
    return std::unexpected(r.error());
  }
  impl->drafts_db = std::move(*drafts_db);
  const int64_t last_seq = head->seq;
  auto checkpointer =
      Checkpointer::Start(options.path, options.busy_timeout_ms, options.checkpoint_wal_pages,
                          options.checkpoint_hard_limit_pages);
  if (!checkpointer) return std::unexpected(checkpointer.error());
  impl->checkpointer = std::move(*checkpointer);
  impl->checkpointer->Attach(db->get());
  auto writer = Writer::Start(std::move(*db), std::move(*head), options.max_batch_events,
                              options.queue_limit_events);
  if (!writer) return std::unexpected(writer.error());
  impl->writer = std::move(*writer);
  Log().info("[path={}] opened: schema v{}, {} events", options.path, *version, last_seq);
  return std::unique_ptr<SqliteEventStore>(new SqliteEventStore(std::move(impl)));
}

void SqliteEventStore::Submit(std::vector<Event> events,
                              std::function<void(Result<WriteResult>)> done) {
  for (const Event& e : events) {
    if (auto r = ValidateEvent(e); !r) {
      Error err = r.error();
      err.detail = "event " + e.id + ": " + err.detail;
      done(std::unexpected(std::move(err)));
      return;
    }
  }
  impl_->writer->Submit(std::move(events), std::move(done));
}

Result<WriteResult> SqliteEventStore::SubmitAndWait(std::vector<Event> events) {
  std::promise<Result<WriteResult>> promise;
  auto future = promise.get_future();
  Submit(std::move(events), [&promise](Result<WriteResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

void SqliteEventStore::AddCommitListener(CommitListener listener) {
  impl_->writer->AddCommitListener(std::move(listener));
}

void SqliteEventStore::Close() {
  impl_->writer->Close();  // no more commits, so no more WAL hooks
  impl_->checkpointer->Stop();
}

Result<std::optional<Event>> SqliteEventStore::GetEvent(const std::string& id) const {
  auto conn = impl_->readers->Acquire();
  auto st =
      conn->Statement("SELECT " + std::string(rows::kEventColumns) + " FROM events WHERE id = ?");
  if (!st) return std::unexpected(st.error());
  sql::StmtResetter reset(**st);
  (*st)->BindText(1, id);
  const int rc = (*st)->Step();
  if (rc == SQLITE_ROW) return rows::ReadEvent(**st);
  if (rc == SQLITE_DONE) return std::nullopt;
  return std::unexpected(sql::SqliteError(conn->db.get(), rc, "event_read"));
}

Result<void> SqliteEventStore::ForEachEvent(const EventQuery& q,
                                            const std::function<bool(const Event&)>& fn) const {
  auto built = BuildQuery(q);
  if (!built) return std::unexpected(built.error());
  auto conn = impl_->readers->Acquire();
  auto st = conn->Statement(built->sql_text);
  if (!st) return std::unexpected(st.error());
  sql::StmtResetter reset(**st);
  int i = 1;
  for (const auto& t : built->texts) (*st)->BindText(i++, t);
  for (int64_t v : built->ints) (*st)->BindInt(i++, v);
  for (;;) {
    const int rc = (*st)->Step();
    if (rc == SQLITE_DONE) return {};
    if (rc != SQLITE_ROW)
      return std::unexpected(sql::SqliteError(conn->db.get(), rc, "event_query"));
    if (!fn(rows::ReadEvent(**st))) return {};
  }
}

Result<std::optional<Incident>> SqliteEventStore::GetIncident(const std::string& id) const {
  auto conn = impl_->readers->Acquire();
  auto st = conn->Statement("SELECT " + std::string(rows::kIncidentColumns) +
                            " FROM incidents WHERE id = ?");
  if (!st) return std::unexpected(st.error());
  sql::StmtResetter reset(**st);
  (*st)->BindText(1, id);
  const int rc = (*st)->Step();
  if (rc == SQLITE_ROW) return rows::ReadIncident(**st);
  if (rc == SQLITE_DONE) return std::nullopt;
  return std::unexpected(sql::SqliteError(conn->db.get(), rc, "incident_read"));
}

Result<std::vector<Incident>> SqliteEventStore::ListIncidents(size_t limit) const {
  auto conn = impl_->readers->Acquire();
  auto st = conn->Statement("SELECT " + std::string(rows::kIncidentColumns) +
                            " FROM incidents ORDER BY updated_at DESC, id LIMIT ?");
  if (!st) return std::unexpected(st.error());
  sql::StmtResetter reset(**st);
  (*st)->BindInt(1, limit == 0 ? -1 : static_cast<int64_t>(limit));  // -1: no limit
  std::vector<Incident> out;
  for (;;) {
    const int rc = (*st)->Step();
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) {
      return std::unexpected(sql::SqliteError(conn->db.get(), rc, "incident_list"));
    }
    out.push_back(rows::ReadIncident(**st));
  }
}

Result<uint64_t> SqliteEventStore::CountEvents() const {
  auto conn = impl_->readers->Acquire();
  auto st = conn->Statement("SELECT COUNT(*) FROM events");
  if (!st) return std::unexpected(st.error());
  sql::StmtResetter reset(**st);
  const int rc = (*st)->Step();
  if (rc != SQLITE_ROW) return std::unexpected(sql::SqliteError(conn->db.get(), rc, "event_count"));
  return static_cast<uint64_t>((*st)->ColumnInt(0));
}

Result<ChainReport> SqliteEventStore::VerifyChain() const {
  // Everything committed before this point must be in the snapshot the walk reads.
  const int64_t committed = impl_->writer->CommittedSeq();
  auto conn = impl_->readers->Acquire();
  auto st =
      conn->Statement("SELECT " + std::string(rows::kEventColumns) + " FROM events ORDER BY seq");
  if (!st) return std::unexpected(st.error());
  sql::StmtResetter reset(**st);
  ChainReport report;
  auto bad = [&report](int64_t seq, std::string id, std::string reason) {
    report.ok = false;
    report.first_bad_seq = seq;
    report.first_bad_id = std::move(id);
    report.reason = std::move(reason);
    return report;
  };
  std::string previous;
  int64_t expected = 1;
  for (;;) {
    const int rc = (*st)->Step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW)
      return std::unexpected(sql::SqliteError(conn->db.get(), rc, "chain_walk"));
    Event e = rows::ReadEvent(**st);
    if (e.seq != expected) {
      return bad(expected, "",
                 "seq gap: seq " + std::to_string(expected) + " missing, next is " +
                     std::to_string(e.seq) + " (" + e.id + ")");
    }
    if (ChainHash(previous, e) != e.chain) return bad(e.seq, e.id, "chain mismatch");
    previous = std::move(e.chain);
    ++report.events_checked;
    ++expected;
  }
  if (expected - 1 < committed) {
    return bad(expected, "",
               "tail truncated: last seq " + std::to_string(expected - 1) +
                   ", the writer committed " + std::to_string(committed));
  }
  return report;
}

StoreStats SqliteEventStore::Stats() const {
  StoreStats s = impl_->writer->Stats();
  impl_->checkpointer->AddStats(s);
  return s;
}

int SqliteEventStore::SchemaVersion() const { return impl_->schema_version; }

const std::string& SqliteEventStore::path() const { return impl_->options.path; }

const ReaderPool& SqliteEventStore::readers() const { return *impl_->readers; }

}  // namespace timelined::store
