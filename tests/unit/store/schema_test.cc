// Schema migrations: forward-only, recorded in schema_version, atomic per version, and a
// newer database is refused by an older binary.
#include "store/schema.h"

#include <gtest/gtest.h>

#include <array>

#include "store/sqlite_store.h"
#include "tests/unit/store/store_test_util.h"

namespace timelined::store {
namespace {

using namespace testing_util;

constexpr std::string_view kDummyMigration2 =
    "ALTER TABLE events ADD COLUMN note TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE extra (x INTEGER);";

sql::Db OpenRaw(const std::string& path) {
  auto db = sql::Db::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  EXPECT_TRUE(db.has_value());
  return db ? std::move(*db) : sql::Db();
}

std::vector<std::pair<int64_t, int64_t>> Versions(const sql::Db& db) {
  auto st = sql::Stmt::Prepare(db.get(),
                               "SELECT version, applied_at FROM schema_version ORDER BY version");
  EXPECT_TRUE(st.has_value());
  std::vector<std::pair<int64_t, int64_t>> out;
  while (st && st->Step() == SQLITE_ROW) out.emplace_back(st->ColumnInt(0), st->ColumnInt(1));
  return out;
}

bool HasTable(const sql::Db& db, const std::string& name) {
  auto st = sql::Stmt::Prepare(db.get(), "SELECT 1 FROM sqlite_master WHERE name = ?");
  if (!st) return false;
  st->BindText(1, name);
  return st->Step() == SQLITE_ROW;
}

TEST(SchemaTest, FreshDatabaseGetsEveryMigrationRecorded) {
  TempDir dir;
  sql::Db db = OpenRaw(dir.File("fresh.db"));
  EXPECT_EQ(schema::CurrentVersion(db).value(), 0);
  auto v = schema::Migrate(db, schema::Migrations(), 111);
  ASSERT_TRUE(v.has_value()) << v.error().detail;
  EXPECT_EQ(*v, schema::LatestVersion());
  EXPECT_EQ(Versions(db), (std::vector<std::pair<int64_t, int64_t>>{{1, 111}}));
  for (const char* t : {"events", "incidents", "bindings", "drafts", "audit"}) {
    EXPECT_TRUE(HasTable(db, t)) << t;
  }
  // Migrating again is a no-op.
  EXPECT_EQ(schema::Migrate(db, schema::Migrations(), 222).value(), 1);
  EXPECT_EQ(Versions(db).size(), 1u);
}

TEST(SchemaTest, VersionOneStoreIsBroughtForwardKeepingItsData) {
  TempDir dir;
  StoreOptions o = Options(dir);
  {
    // A store written by a binary that knew only migration 1.
    auto store = OpenStore(o);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->SubmitAndWait({MakeEvent("old", kT0)}).has_value());
  }
  sql::Db db = OpenRaw(o.path);
  ASSERT_EQ(schema::CurrentVersion(db).value(), 1);
  const std::array<std::string_view, 2> next = {schema::Migrations()[0], kDummyMigration2};
  auto v = schema::Migrate(db, next, 222);
  ASSERT_TRUE(v.has_value()) << v.error().detail;
  EXPECT_EQ(*v, 2);
  auto versions = Versions(db);
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].first, 1);
  EXPECT_EQ(versions[1], (std::pair<int64_t, int64_t>{2, 222}));
  EXPECT_TRUE(HasTable(db, "extra"));
  auto st = sql::Stmt::Prepare(db.get(), "SELECT id, note FROM events");
  ASSERT_TRUE(st.has_value());
  ASSERT_EQ(st->Step(), SQLITE_ROW);
  EXPECT_EQ(st->ColumnText(0), MakeEvent("old", 0).id);
  EXPECT_EQ(st->ColumnText(1), "");
}

TEST(SchemaTest, BinaryRefusesADatabaseWithANewerSchema) {
  TempDir dir;
  StoreOptions o = Options(dir);
  {
    sql::Db db = OpenRaw(o.path);
    const std::array<std::string_view, 2> newer = {schema::Migrations()[0], kDummyMigration2};
    ASSERT_EQ(schema::Migrate(db, newer, 1).value(), 2);
  }
  auto store = SqliteEventStore::Open(o);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(store.error().message, "schema_too_new");
  EXPECT_NE(store.error().detail.find("version 2"), std::string::npos) << store.error().detail;
  // Nothing was changed by the refused open.
  sql::Db db = OpenRaw(o.path);
  EXPECT_EQ(Versions(db).size(), 2u);
}

TEST(SchemaTest, AFailingMigrationLeavesThePreviousVersionIntact) {
  TempDir dir;
  sql::Db db = OpenRaw(dir.File("partial.db"));
  ASSERT_EQ(schema::Migrate(db, schema::Migrations(), 1).value(), 1);
  const std::array<std::string_view, 2> broken = {
      schema::Migrations()[0], "CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;"};
  auto v = schema::Migrate(db, broken, 2);
  ASSERT_FALSE(v.has_value());
  EXPECT_NE(v.error().detail.find("migration 2"), std::string::npos) << v.error().detail;
  EXPECT_EQ(schema::CurrentVersion(db).value(), 1);
  EXPECT_FALSE(HasTable(db, "half"));
}

TEST(SchemaTest, StoreOpensInWalMode) {
  TempDir dir;
  auto store = OpenStore(Options(dir));
  ASSERT_NE(store, nullptr);
  sql::Db db = OpenRaw(store->path());
  auto st = sql::Stmt::Prepare(db.get(), "PRAGMA journal_mode");
  ASSERT_TRUE(st.has_value());
  ASSERT_EQ(st->Step(), SQLITE_ROW);
  EXPECT_EQ(st->ColumnText(0), "wal");
}

}  // namespace
}  // namespace timelined::store
