// The drafts table: SqliteEventStore's draft methods (declared in sqlite_store.h).
#include <string>
#include <utility>
#include <vector>

#include "store/store_impl.h"

namespace timelined::store {
namespace {

constexpr std::string_view kDraftColumns =
    "incident_id, version, \"trigger\", generator, config_hash, input_digest, markdown, json, "
    "created_at, stale";
constexpr std::string_view kDraftMetaColumns =
    "incident_id, version, \"trigger\", generator, config_hash, input_digest, '', '', "
    "created_at, stale";

StoredDraft ReadDraft(const sql::Stmt& st) {
  StoredDraft d;
  d.incident_id = std::string(st.ColumnText(0));
  d.version = static_cast<int>(st.ColumnInt(1));
  d.trigger = std::string(st.ColumnText(2));
  d.generator = std::string(st.ColumnText(3));
  d.config_hash = std::string(st.ColumnText(4));
  d.input_digest = std::string(st.ColumnText(5));
  d.markdown = std::string(st.ColumnText(6));
  d.json = std::string(st.ColumnText(7));
  d.created_at = st.ColumnInt(8);
  d.stale = st.ColumnInt(9) != 0;
  return d;
}

Result<int> MaxVersion(sqlite3* db, sql::Stmt& st, const std::string& incident_id) {
  sql::StmtResetter reset(st);
  st.BindText(1, incident_id);
  const int rc = st.Step();
  if (rc != SQLITE_ROW) return std::unexpected(sql::SqliteError(db, rc, "draft_version"));
  return static_cast<int>(st.ColumnInt(0));
}

constexpr std::string_view kMaxVersionSql =
    "SELECT COALESCE(MAX(version), 0) FROM drafts WHERE incident_id = ?";

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT on `db`, rolling back on failure.
template <typename F>
auto InTransaction(const sql::Db& db, F body) -> decltype(body()) {
  if (auto r = db.Exec("BEGIN IMMEDIATE"); !r) return std::unexpected(r.error());
  auto result = body();
  if (!result) {
    // A failed ROLLBACK leaves nothing to do; the error reported is the one that caused it.
    (void)db.Exec("ROLLBACK");
    return result;
  }
  if (auto r = db.Exec("COMMIT"); !r) {
    (void)db.Exec("ROLLBACK");  // as above
    return std::unexpected(r.error());
  }
  return result;
}

}  // namespace

Result<void> SqliteEventStore::SaveDraft(const StoredDraft& d) {
  if (d.incident_id.empty() || d.version < 1) {
    return MakeError(ErrorCode::kInvalidInput, "draft_invalid",
                     "a draft needs an incident_id and a version >= 1");
  }
  std::lock_guard lock(impl_->drafts_mu);
  const sql::Db& db = impl_->drafts_db;
  return InTransaction(db, [&]() -> Result<void> {
    auto max_st = sql::Stmt::Prepare(db.get(), kMaxVersionSql);
    if (!max_st) return std::unexpected(max_st.error());
    auto latest = MaxVersion(db.get(), *max_st, d.incident_id);
    if (!latest) return std::unexpected(latest.error());
    if (d.version != *latest + 1) {
      return MakeError(kDraftVersionTaken,
                       "incident " + d.incident_id + " is at version " + std::to_string(*latest) +
                           "; the next draft is version " + std::to_string(*latest + 1));
    }
    auto st = sql::Stmt::Prepare(db.get(), "INSERT INTO drafts(" + std::string(kDraftColumns) +
                                               ") VALUES(?,?,?,?,?,?,?,?,?,?)");
    if (!st) return std::unexpected(st.error());
    sql::StmtResetter reset(*st);
    st->BindText(1, d.incident_id);
    st->BindInt(2, d.version);
    st->BindText(3, d.trigger);
    st->BindText(4, d.generator);
    st->BindText(5, d.config_hash);
    st->BindText(6, d.input_digest);
    st->BindText(7, d.markdown);
    st->BindText(8, d.json);
    st->BindInt(9, d.created_at);
    st->BindInt(10, d.stale ? 1 : 0);
    const int rc = st->Step();
    if (rc != SQLITE_DONE) return std::unexpected(sql::SqliteError(db.get(), rc, "draft_insert"));
    return {};
  });
}

Result<std::optional<StoredDraft>> SqliteEventStore::GetDraft(const std::string& incident_id,
                                                              int version) const {
  auto conn = impl_->readers->Acquire();
  auto st = conn->Statement(
      version > 0 ? "SELECT " + std::string(kDraftColumns) +
                        " FROM drafts WHERE incident_id = ? AND version = ?"
                  : "SELECT " + std::string(kDraftColumns) +
                        " FROM drafts WHERE incident_id = ? ORDER BY version DESC LIMIT 1");
  if (!st) return std::unexpected(st.error());
  sql::StmtResetter reset(**st);
  (*st)->BindText(1, incident_id);
  if (version > 0) (*st)->BindInt(2, version);
  const int rc = (*st)->Step();
  if (rc == SQLITE_ROW) return ReadDraft(**st);
  if (rc == SQLITE_DONE) return std::nullopt;
  return std::unexpected(sql::SqliteError(conn->db.get(), rc, "draft_read"));
}

Result<std::vector<StoredDraft>> SqliteEventStore::ListDrafts(
    const std::string& incident_id) const {
  auto conn = impl_->readers->Acquire();
  auto st = conn->Statement("SELECT " + std::string(kDraftMetaColumns) +
                            " FROM drafts WHERE incident_id = ? ORDER BY version");
  if (!st) return std::unexpected(st.error());
  sql::StmtResetter reset(**st);
  (*st)->BindText(1, incident_id);
  std::vector<StoredDraft> out;
  for (;;) {
    const int rc = (*st)->Step();
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW)
      return std::unexpected(sql::SqliteError(conn->db.get(), rc, "draft_list"));
    out.push_back(ReadDraft(**st));
  }
}

Result<int> SqliteEventStore::LatestDraftVersion(const std::string& incident_id) const {
  auto conn = impl_->readers->Acquire();
  auto st = conn->Statement(kMaxVersionSql);
  if (!st) return std::unexpected(st.error());
  return MaxVersion(conn->db.get(), **st, incident_id);
}

Result<int> SqliteEventStore::MarkDraftsStale(const std::string& incident_id) {
  std::lock_guard lock(impl_->drafts_mu);
  const sql::Db& db = impl_->drafts_db;
  auto st = sql::Stmt::Prepare(db.get(),
                               "UPDATE drafts SET stale = 1 WHERE incident_id = ? AND stale = 0");
  if (!st) return std::unexpected(st.error());
  sql::StmtResetter reset(*st);
  st->BindText(1, incident_id);
  const int rc = st->Step();
  if (rc != SQLITE_DONE) return std::unexpected(sql::SqliteError(db.get(), rc, "draft_stale"));
  return sqlite3_changes(db.get());
}

Result<std::vector<std::string>> SqliteEventStore::IncidentsWithFreshDrafts() const {
  auto conn = impl_->readers->Acquire();
  auto st = conn->Statement(
      "SELECT DISTINCT incident_id FROM drafts WHERE stale = 0 ORDER BY incident_id");
  if (!st) return std::unexpected(st.error());
  sql::StmtResetter reset(**st);
  std::vector<std::string> out;
  for (;;) {
    const int rc = (*st)->Step();
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW)
      return std::unexpected(sql::SqliteError(conn->db.get(), rc, "draft_incidents"));
    out.push_back(std::string((*st)->ColumnText(0)));
  }
}

int64_t SqliteEventStore::CommittedSeq() const { return impl_->writer->CommittedSeq(); }

}  // namespace timelined::store
