// Tests specific to the PostgreSQL store: several stores on one database
// standing in for several servers behind a load balancer (the contract tests
// shared by every Store run on PostgreSQL from store_test.cc and friends),
// and the placeholder rewriting of pg_connection.
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "src/store/postgres/pg_connection.h"
#include "src/store/postgres/pg_test_cluster.h"
#include "src/store/store_test_util.h"

namespace tessera::testing {
namespace {

using postgres::ParamKind;

TEST(PgPlaceholdersTest, NumbersCastsAndNulls) {
  std::vector<int> sent;
  auto sql = postgres::RenderPlaceholders(
      "SELECT ?2, ?1, ?2, '?1', ?3, ?4, ?5 WHERE x = ?10",
      {ParamKind::kInt, ParamKind::kText, ParamKind::kNull, ParamKind::kBool, ParamKind::kDouble,
       ParamKind::kUnset, ParamKind::kUnset, ParamKind::kUnset, ParamKind::kUnset, ParamKind::kInt},
      &sent);
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  EXPECT_EQ(*sql, "SELECT $1::text, $2::int8, $1::text, '?1', NULL, $3, $4::float8 WHERE x = $5::int8");
  EXPECT_EQ(sent, (std::vector<int>{2, 1, 4, 5, 10}));
  auto unbound = postgres::RenderPlaceholders("SELECT ?3", {ParamKind::kInt}, &sent);
  EXPECT_EQ(unbound.status().code(), Code::kInternal);
}

// Statements that repeat run as server-side prepared statements (from their
// second run on a connection); each run must still see its own values, and a
// statement marked PlanEachRun is never prepared.
TEST(PgConnectionTest, RepeatedStatementsRunPreparedWithTheirOwnValues) {
  const std::string why = PostgresTestsUnavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  auto url = TestPostgresUrl();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  auto conn = postgres::Connection::Open(*url);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_OK((*conn)->Begin());
  auto prepared_count = [&](const std::string& like) {
    auto st = (*conn)->Prepare("SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE ?1");
    EXPECT_TRUE(st.ok());
    st->PlanEachRun().Bind(1, like);
    auto row = st->Step();
    EXPECT_TRUE(row.ok() && *row);
    return st->Int(0);
  };
  for (int64_t run = 0; run < 6; ++run) {
    auto st = (*conn)->Prepare("SELECT ?1 + ?2, ?3 || '!', ?4");
    ASSERT_TRUE(st.ok());
    st->Bind(1, run).Bind(2, int64_t{100}).Bind(3, "run " + std::to_string(run));
    if (run % 2 == 0) st->BindNull(4); else st->Bind(4, 0.5 * static_cast<double>(run));
    auto row = st->Step();
    ASSERT_TRUE(row.ok() && *row) << row.status().ToString();
    EXPECT_EQ(st->Int(0), run + 100);
    EXPECT_EQ(st->Text(1), "run " + std::to_string(run) + "!");
    if (run % 2 == 0) EXPECT_TRUE(st->IsNull(2)); else EXPECT_DOUBLE_EQ(st->Double(2), 0.5 * static_cast<double>(run));
  }
  // Two texts (NULL is a literal in one): both ran more than once, both prepared.
  EXPECT_EQ(prepared_count("SELECT $1::int8 + $2::int8%"), 2);
  for (int run = 0; run < 3; ++run) {
    auto st = (*conn)->Prepare("SELECT ?1 * 2");
    ASSERT_TRUE(st.ok());
    st->PlanEachRun().Bind(1, int64_t{21});
    auto row = st->Step();
    ASSERT_TRUE(row.ok() && *row);
    EXPECT_EQ(st->Int(0), 42);
  }
  EXPECT_EQ(prepared_count("SELECT $1::int8 * 2%"), 0);
  (*conn)->Rollback();
}

class PgServersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = PostgresTestsUnavailable();
    if (!why.empty()) GTEST_SKIP() << why;
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("tessera_pg_servers_" + std::to_string(rd()) + std::to_string(rd()));
  }
  // One more "server": a store with its own connection pool on the same schema.
  std::unique_ptr<Store> OpenServer() {
    auto store = OpenTestPostgresStore(dir_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  std::filesystem::path dir_;  // names the schema only; never created
};

TEST_F(PgServersTest, ServersStartingTogetherMigrateOnce) {
  std::vector<std::unique_ptr<Store>> servers(4);
  std::vector<std::thread> threads;
  for (size_t idx = 0; idx < servers.size(); ++idx) {
    threads.emplace_back([&, idx] { servers[idx] = OpenServer(); });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& server : servers) ASSERT_NE(server, nullptr);
  User user;
  user.email = "a@x.org";
  ASSERT_OK(servers[0]->CreateUser(&user));
  EXPECT_EQ(servers[3]->GetUser(user.id)->email, "a@x.org");
}

// Annotators on four servers ask for tasks at once; every task is handed out
// exactly once (overlap 1), and a task is never held by two annotators.
TEST_F(PgServersTest, ConcurrentNextOnSeveralServersHandsOutEachTaskOnce) {
  constexpr int kServers = 4, kUsers = 8, kTasks = 120;
  std::vector<std::unique_ptr<Store>> servers;
  for (int server_idx = 0; server_idx < kServers; ++server_idx) {
    servers.push_back(OpenServer());
    ASSERT_NE(servers.back(), nullptr);
  }
  Store& admin = *servers[0];
  User owner;
  owner.email = "owner@x.org";
  ASSERT_OK(admin.CreateUser(&owner));
  Project project;
  project.title = "P";
  project.created_by = owner.id;
  ASSERT_OK(admin.CreateProject(&project));
  std::vector<NewTask> tasks(kTasks);
  for (int task_idx = 0; task_idx < kTasks; ++task_idx) {
    tasks[static_cast<size_t>(task_idx)].data = "{\"n\":" + std::to_string(task_idx) + "}";
  }
  ASSERT_OK(admin.InsertTasks(project.id, 0, tasks, nullptr));
  std::vector<Id> users;
  for (int user_idx = 0; user_idx < kUsers; ++user_idx) {
    User u;
    u.email = "u" + std::to_string(user_idx) + "@x.org";
    ASSERT_OK(admin.CreateUser(&u));
    ASSERT_OK(admin.SetMember(project.id, u.id, Role::kAnnotator));
    users.push_back(u.id);
  }

  std::mutex mu;
  std::map<Id, std::vector<Id>> handed;  // task -> users it was handed to
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int user_idx = 0; user_idx < kUsers; ++user_idx) {
    threads.emplace_back([&, user_idx] {
      Store& server = *servers[static_cast<size_t>(user_idx % kServers)];
      const Id user = users[static_cast<size_t>(user_idx)];
      while (true) {
        Result<Task> task = server.NextTask(project.id, user);
        if (task.status().code() == Code::kNotFound) return;
        if (!task.ok()) {
          ++errors;
          ADD_FAILURE() << task.status().ToString();
          return;
        }
        {
          std::lock_guard<std::mutex> lock(mu);
          handed[task->id].push_back(user);
        }
        Annotation a;
        a.task_id = task->id;
        a.completed_by = user;
        a.result = "[]";
        Status status = server.CreateAnnotation(&a);
        if (!status.ok()) {
          ++errors;
          ADD_FAILURE() << status.ToString();
          return;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(handed.size(), static_cast<size_t>(kTasks));
  for (const auto& [task_id, takers] : handed) {
    EXPECT_EQ(takers.size(), 1u) << "task " << task_id << " was handed out " << takers.size() << " times";
  }
  auto stats = admin.GetProjectStats(project.id);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->total_annotations_number, kTasks);
  EXPECT_EQ(stats->finished_task_number, kTasks);
}

// Locks alone (nobody submits): each of eight annotators on four servers gets
// a different task.
TEST_F(PgServersTest, ConcurrentLocksNeverOverlap) {
  constexpr int kServers = 4, kUsers = 8;
  std::vector<std::unique_ptr<Store>> servers;
  for (int server_idx = 0; server_idx < kServers; ++server_idx) servers.push_back(OpenServer());
  for (const auto& server : servers) ASSERT_NE(server, nullptr);
  Store& admin = *servers[0];
  User owner;
  owner.email = "owner@x.org";
  ASSERT_OK(admin.CreateUser(&owner));
  Project project;
  project.created_by = owner.id;
  ASSERT_OK(admin.CreateProject(&project));
  std::vector<NewTask> tasks(kUsers + 2);
  for (NewTask& task : tasks) task.data = "{}";
  ASSERT_OK(admin.InsertTasks(project.id, 0, tasks, nullptr));
  std::vector<Id> users;
  for (int user_idx = 0; user_idx < kUsers; ++user_idx) {
    User u;
    u.email = "u" + std::to_string(user_idx) + "@x.org";
    ASSERT_OK(admin.CreateUser(&u));
    ASSERT_OK(admin.SetMember(project.id, u.id, Role::kAnnotator));
    users.push_back(u.id);
  }
  std::vector<Id> got(kUsers, 0);
  std::vector<std::thread> threads;
  for (int user_idx = 0; user_idx < kUsers; ++user_idx) {
    threads.emplace_back([&, user_idx] {
      auto task = servers[static_cast<size_t>(user_idx % kServers)]->NextTask(
          project.id, users[static_cast<size_t>(user_idx)]);
      if (task.ok()) got[static_cast<size_t>(user_idx)] = task->id;
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<Id> distinct(got.begin(), got.end());
  EXPECT_EQ(distinct.count(0), 0u);
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kUsers));
  EXPECT_EQ(admin.ListTaskLocks(project.id, NowMs())->size(), static_cast<size_t>(kUsers));
}

// A server starting up rolls back only imports whose server died: a running
// import of a live server (another store) is left alone.
TEST_F(PgServersTest, StartUpLeavesOtherServersImportsAlone) {
  auto importer = OpenServer();
  auto starting = OpenServer();
  ASSERT_NE(importer, nullptr);
  ASSERT_NE(starting, nullptr);
  User owner;
  owner.email = "owner@x.org";
  ASSERT_OK(importer->CreateUser(&owner));
  Project project;
  project.created_by = owner.id;
  ASSERT_OK(importer->CreateProject(&project));
  auto import = importer->BeginImport(project.id, owner.id, "big.json");
  ASSERT_TRUE(import.ok());
  std::vector<NewTask> tasks(3);
  for (NewTask& task : tasks) task.data = "{}";
  ASSERT_OK(importer->InsertTasks(project.id, *import, tasks, nullptr));
  EXPECT_EQ(*starting->RollBackUnfinishedImports(), 0);
  ASSERT_OK(importer->FinishImport(*import, 3, 0, 0));
  EXPECT_EQ(starting->GetImport(*import)->status, "completed");

  auto crashed = importer->BeginImport(project.id, owner.id, "crash.json");
  ASSERT_TRUE(crashed.ok());
  ASSERT_OK(importer->InsertTasks(project.id, *crashed, tasks, nullptr));
  importer.reset();  // the importing server goes away
  EXPECT_EQ(*starting->RollBackUnfinishedImports(), 1);
  EXPECT_EQ(starting->GetImport(*crashed)->status, "rolled_back");
  EXPECT_EQ(*starting->CountTasks(ProjectQuery(project.id)), 3);
}

TEST_F(PgServersTest, BackupPointsToPgDump) {
  auto store = OpenServer();
  ASSERT_NE(store, nullptr);
  Status status = store->BackupTo((dir_ / "copy.db").string());
  EXPECT_EQ(status.code(), Code::kFailedPrecondition);
  EXPECT_NE(status.message().find("pg_dump"), std::string::npos) << status.message();
  EXPECT_OK(store->CheckIntegrity());
}

TEST_F(PgServersTest, BadUrlIsUnavailableNotACrash) {
  PostgresOptions options;
  options.url = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2";
  auto store = OpenPostgresStore(options);
  EXPECT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kUnavailable) << store.status().ToString();
}

}  // namespace
}  // namespace tessera::testing
