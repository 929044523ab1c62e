// `tessera migrate` (issue 7) end to end: data made through the HTTP API of a
// server on SQLite, moved with the CLI into a schema of the throw-away
// PostgreSQL cluster, then served by a server on PostgreSQL: the same people
// sign in with the same passwords and tokens and find the same annotations
// with their history, and the dashboards migrate counted. Also the
// refusals: a second run, wrong schemes.
//
// Needs the ctest fixture pg_cluster (or starts its own cluster); skipped
// when PostgreSQL is not installed.
#include <gtest/gtest.h>

#include "src/store/postgres/pg_test_cluster.h"
#include "tessera/util.h"
#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

using nlohmann::json;

constexpr char kConfig[] =
    "<View><Text name=\"text\" value=\"$text\"/>"
    "<Choices name=\"kind\" toName=\"text\"><Choice value=\"Bird\"/><Choice value=\"Fish\"/></Choices></View>";

json Choice(const char* value) {
  return json::array({{{"from_name", "kind"}, {"to_name", "text"}, {"type", "choices"},
                       {"value", {{"choices", {value}}}}}});
}

TEST(MigrateCliTest, AServerOnPostgresServesWhatTheSqliteServerHad) {
  const std::string unavailable = PostgresTestsUnavailable();
  if (!unavailable.empty()) GTEST_SKIP() << unavailable;
  ServerProcess source;
  if (!source.DatabaseArgs().empty()) GTEST_SKIP() << "needs a SQLite source (TESSERA_TEST_DATABASE is set)";
  const std::string token = source.AddUser("admin@example.com", "correct horse battery", true);
  source.Start();
  HttpClient c("127.0.0.1", source.port());
  c.SetHeader("Authorization", "Token " + token);
  Reply p = c.PostJson("/api/projects", json{{"title", "animals"}, {"label_config", kConfig}});
  ASSERT_EQ(p.status, 201) << p.body;
  const int pid = p.Json()["id"];
  Reply imp = c.PostJson("/api/projects/" + std::to_string(pid) + "/import?return_task_ids=1",
                         json::array({{{"text", "a crow"}}, {{"text", "a trout"}}, {{"text", "a gull"}}}));
  ASSERT_EQ(imp.status, 201) << imp.body;
  const int task = imp.Json()["task_ids"][0];
  const std::string annotations_path = "/api/tasks/" + std::to_string(task) + "/annotations";
  Reply ann = c.PostJson(annotations_path, json{{"result", Choice("Fish")}});
  ASSERT_EQ(ann.status, 201) << ann.body;
  const int ann_id = ann.Json()["id"];
  ASSERT_EQ(c.PatchJson("/api/annotations/" + std::to_string(ann_id), json{{"result", Choice("Bird")}}).status, 200);
  const json before = c.Get(annotations_path).Json();
  source.Stop();

  auto cluster = PgTestCluster::Get(TESSERA_PG_TEST_DIR);
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  auto url = (*cluster)->SchemaUrl("itmig_" + RandomHex(6));
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  const std::string from = "sqlite://" + source.data_dir().string();
  std::string out, err;
  ASSERT_EQ(RunTessera({"migrate", "--from", from, "--to", *url}, &out, &err), 0) << err;
  EXPECT_NE(out.find("annotation_versions"), std::string::npos) << out;
  EXPECT_NE(out.find("not copied: sessions"), std::string::npos) << out;
  EXPECT_NE(out.find("project " + std::to_string(pid) + ": dashboards counted"), std::string::npos) << out;
  // Again: the project is there already, so nothing is done.
  EXPECT_EQ(RunTessera({"migrate", "--from", from, "--to", *url}, &out, &err), 1);
  EXPECT_NE(err.find("already has a project " + std::to_string(pid)), std::string::npos) << err;
  EXPECT_EQ(RunTessera({"migrate", "--from", "mysql://root:hunter2@db/x", "--to", *url}, &out, &err), 1);
  EXPECT_NE(err.find("sqlite://PATH"), std::string::npos) << err;
  EXPECT_EQ(err.find("hunter2"), std::string::npos) << err;
  EXPECT_EQ(RunTessera({"migrate", "--from", *url, "--to", *url}, &out, &err), 1);
  EXPECT_NE(err.find("not supported"), std::string::npos) << err;
  EXPECT_EQ(RunTessera({"migrate", "--from", "sqlite:///nonexistent/tessera.db", "--to", *url}, &out, &err), 1);
  EXPECT_NE(err.find("no SQLite database"), std::string::npos) << err;

  ServerProcess target;
  target.Start({"--database", *url});
  HttpClient browser("127.0.0.1", target.port());
  Reply login = browser.Request("POST", "/api/auth/login",
                                json{{"email", "admin@example.com"}, {"password", "correct horse battery"}}.dump(),
                                {{"Content-Type", "application/json"}});
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(browser.Get("/api/projects/" + std::to_string(pid)).Json()["title"], "animals");
  const json after = browser.Get(annotations_path).Json();
  ASSERT_EQ(after.size(), 1u) << after.dump();
  EXPECT_EQ(after, before);
  EXPECT_EQ(after[0]["result"][0]["value"]["choices"][0], "Bird");
  HttpClient script("127.0.0.1", target.port());
  script.SetHeader("Authorization", "Token " + token);
  EXPECT_EQ(script.Get("/api/tasks/" + std::to_string(task)).Json()["data"]["text"], "a crow");
  // The dashboards were counted by migrate: the first request answers from
  // that count (stale, while the server builds its own), not from a read of
  // the project it waits for.
  Reply first = script.Get("/api/projects/" + std::to_string(pid) + "/stats/annotators");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_TRUE(first.Json()["stale"].get<bool>()) << first.body;
  ASSERT_EQ(first.Json()["annotators"].size(), 1u) << first.body;
  EXPECT_EQ(first.Json()["annotators"][0]["submitted"], 1) << first.body;
  // The server on PostgreSQL goes on: a new annotation gets a new id.
  Reply next = script.PostJson(annotations_path, json{{"result", Choice("Fish")}});
  ASSERT_EQ(next.status, 201) << next.body;
  EXPECT_GT(next.Json()["id"].get<int>(), ann_id);
}

}  // namespace
}  // namespace tessera::testing
