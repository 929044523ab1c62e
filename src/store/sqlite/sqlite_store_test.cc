// Tests specific to the SQLite store and the migration list (the contract
// tests shared by every Store live in store_test.cc / store_tasks_test.cc).
#include <sqlite3.h>

#include <atomic>
#include <thread>

#include "src/store/migrations/migrations.h"
#include "src/store/store_test_util.h"

namespace tessera::testing {
namespace {

class SqliteFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("tessera_sqlite_test_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    options_.path = (dir_ / "t.db").string();
    options_.full_sync = false;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  // Runs `sql` on a separate raw connection; returns the first column of the
  // first row as text ("" when none).
  std::string RawQuery(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(options_.path.c_str(), &db), SQLITE_OK);
    std::string out;
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  std::filesystem::path dir_;
  SqliteOptions options_;
};

TEST(MigrationsTest, VersionsAreOrderedAndRenderForBothDialects) {
  int previous = 0;
  for (const Migration& migration : Migrations()) {
    EXPECT_EQ(migration.version, previous + 1) << migration.name;
    previous = migration.version;
    std::string sqlite = RenderMigrationSql(migration.sql, SqlDialect::kSqlite);
    std::string postgres = RenderMigrationSql(migration.sql, SqlDialect::kPostgres);
    EXPECT_EQ(sqlite.find("${"), std::string::npos);
    EXPECT_EQ(postgres.find("${"), std::string::npos);
    EXPECT_EQ(postgres.find("AUTOINCREMENT"), std::string::npos);
  }
  EXPECT_EQ(LatestSchemaVersion(), previous);
}

TEST_F(SqliteFileTest, RecordsMigrationsAndUsesWal) {
  auto store = OpenSqliteStore(options_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(RawQuery("SELECT MAX(version) FROM schema_migrations"),
            std::to_string(LatestSchemaVersion()));
  EXPECT_EQ(RawQuery("PRAGMA journal_mode"), "wal");
  store->reset();
  // Reopening applies nothing twice.
  store = OpenSqliteStore(options_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(RawQuery("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(Migrations().size()));
}

TEST_F(SqliteFileTest, RefusesDatabaseFromNewerVersion) {
  ASSERT_TRUE(OpenSqliteStore(options_).ok());
  RawQuery("INSERT INTO schema_migrations VALUES (9999, 'future', 0)");
  auto opened = OpenSqliteStore(options_);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(opened.status().message().find("9999"), std::string::npos) << opened.status().message();
  EXPECT_NE(opened.status().message().find("newer"), std::string::npos);
}

TEST_F(SqliteFileTest, UnopenablePathIsAnIOError) {
  options_.path = (dir_ / "missing" / "dir" / "t.db").string();
  auto opened = OpenSqliteStore(options_);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kIOError) << opened.status().ToString();
}

// Migration 4 moves drafts into annotation_drafts: a database at version 3
// keeps its drafts (the newest per task, user and annotation), with project_id.
TEST_F(SqliteFileTest, MigrationFourCarriesDraftsOver) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(options_.path.c_str(), &db), SQLITE_OK);
    std::string sql = std::string(SchemaMigrationsTableSql()) + ";";
    for (const Migration& migration : Migrations()) {
      if (migration.version > 3) break;
      sql += RenderMigrationSql(migration.sql, SqlDialect::kSqlite);
      sql += "INSERT INTO schema_migrations VALUES (" + std::to_string(migration.version) + ", 'm', 0);";
    }
    sql += "INSERT INTO users (id, email, created_at) VALUES (1, 'a@x.org', 0);"
           "INSERT INTO projects (id, created_by, created_at, updated_at) VALUES (5, 1, 0, 0);"
           "INSERT INTO tasks (id, project_id, data, inner_id, created_at, updated_at) "
           "VALUES (9, 5, '{}', 1, 0, 0);"
           "INSERT INTO drafts (task_id, user_id, result, lead_time, created_at, updated_at) "
           "VALUES (9, 1, '[\"old\"]', 1, 10, 10), (9, 1, '[\"new\"]', 2, 20, 20);";
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << error;
    sqlite3_close(db);
  }
  auto store = OpenSqliteStore(options_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto drafts = (*store)->ListDrafts(9, 1);
  ASSERT_TRUE(drafts.ok()) << drafts.status().ToString();
  ASSERT_EQ(drafts->size(), 1u);
  EXPECT_EQ((*drafts)[0].result, "[\"new\"]");
  EXPECT_EQ((*drafts)[0].lead_time, 2);
  EXPECT_EQ((*drafts)[0].project_id, 5);
  EXPECT_FALSE((*drafts)[0].annotation_id.has_value());
  store->reset();
  EXPECT_EQ(RawQuery("SELECT COUNT(*) FROM sqlite_master WHERE name = 'drafts'"), "0");
}

// Migration 9 indexes the tasks already there for full-text search (the
// FTS5 table is filled from the string values of their data), and its
// triggers keep it in step with later deletes.
TEST_F(SqliteFileTest, MigrationNineIndexesExistingTasks) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(options_.path.c_str(), &db), SQLITE_OK);
    std::string sql = std::string(SchemaMigrationsTableSql()) + ";";
    for (const Migration& migration : Migrations()) {
      if (migration.version > 8) break;
      sql += MigrationSql(migration, SqlDialect::kSqlite) + ";";
      sql += "INSERT INTO schema_migrations VALUES (" + std::to_string(migration.version) + ", 'm', 0);";
    }
    sql += "INSERT INTO users (id, email, created_at) VALUES (1, 'a@x.org', 0);"
           "INSERT INTO projects (id, created_by, created_at, updated_at) VALUES (5, 1, 0, 0);"
           "INSERT INTO tasks (id, project_id, data, inner_id, created_at, updated_at) VALUES "
           "(9, 5, '{\"text\":\"legacy words\",\"n\":7,\"meta\":{\"by\":\"curator\"}}', 1, 0, 0),"
           "(10, 5, '{\"text\":\"other\"}', 2, 0, 0);";
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << error;
    sqlite3_close(db);
  }
  auto store = OpenSqliteStore(options_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  TaskQuery query;
  query.project_id = 5;
  query.search = "legac";
  auto found = (*store)->ListTaskIds(query);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, (std::vector<Id>{9}));
  query.search = "curator";
  EXPECT_EQ(*(*store)->ListTaskIds(query), (std::vector<Id>{9}));
  query.search = "7";  // numbers are not text
  EXPECT_TRUE((*store)->ListTaskIds(query)->empty());
  ASSERT_TRUE((*store)->DeleteTask(9).ok());
  query.search = "legacy";
  EXPECT_TRUE((*store)->ListTaskIds(query)->empty());
  store->reset();
  EXPECT_EQ(RawQuery("SELECT COUNT(*) FROM task_search WHERE task_search MATCH 'other'"), "1");
}

// Two stores (as two processes would) writing the same file: SQLite's busy
// timeout serializes them; no SQLITE_BUSY reaches the caller.
TEST_F(SqliteFileTest, TwoStoresOnOneFile) {
  auto first = OpenSqliteStore(options_);
  auto second = OpenSqliteStore(options_);
  ASSERT_TRUE(first.ok() && second.ok());
  User user;
  user.email = "a@x.org";
  ASSERT_TRUE((*first)->CreateUser(&user).ok());
  Project project;
  project.created_by = user.id;
  ASSERT_TRUE((*first)->CreateProject(&project).ok());
  std::vector<NewTask> tasks(1);
  std::vector<Id> ids;
  ASSERT_TRUE((*first)->InsertTasks(project.id, 0, tasks, &ids).ok());
  std::atomic<int> failures{0};
  auto work = [&](Store* store) {
    for (int op_idx = 0; op_idx < 50; ++op_idx) {
      Annotation a;
      a.task_id = ids[0];
      a.completed_by = user.id;
      if (!store->CreateAnnotation(&a).ok()) failures++;
    }
  };
  std::thread t1(work, first->get()), t2(work, second->get());
  t1.join();
  t2.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ((*first)->GetTask(ids[0])->total_annotations, 100);
}

}  // namespace
}  // namespace tessera::testing
