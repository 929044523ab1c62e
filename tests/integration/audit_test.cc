// The audit log (GET /api/audit) and structured request logs (issue 8):
// administrative actions are recorded with who, what, the object and the
// request id; every reply carries X-Request-Id, and the server's stderr has
// one JSON line per request with that id.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

using nlohmann::json;

constexpr char kConfig[] =
    "<View><Text name=\"t\" value=\"$text\"/>"
    "<Choices name=\"c\" toName=\"t\"><Choice value=\"A\"/><Choice value=\"B\"/></Choices></View>";

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_token_ = server_.AddUser("admin@example.com", "correct horse", true);
    manager_token_ = server_.AddUser("manager@example.com", "battery staple", false);
    server_.Start();
  }
  HttpClient As(const std::string& token) {
    HttpClient c("127.0.0.1", server_.port());
    c.SetHeader("Authorization", "Token " + token);
    return c;
  }
  // The audit entries with `action`, newest first.
  std::vector<json> Entries(HttpClient& c, const std::string& query) {
    Reply r = c.Get("/api/audit" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<json> out;
    const json body = r.Json();  // not r.Json()["results"] in the loop: a dangling temporary
    for (const json& e : body["results"]) out.push_back(e);
    return out;
  }

  ServerProcess server_;
  std::string admin_token_, manager_token_;
};

TEST_F(AuditTest, RecordsAdministrativeActionsWithRequestIds) {
  HttpClient admin = As(admin_token_);
  Reply p = admin.PostJson("/api/projects", json{{"title", "audited"}, {"label_config", kConfig}});
  ASSERT_EQ(p.status, 201) << p.body;
  const int pid = p.Json()["id"];
  const std::string base = "/api/projects/" + std::to_string(pid);

  Reply me = As(manager_token_).Get("/api/current-user/whoami");
  ASSERT_EQ(me.status, 200) << me.body;
  const int manager = me.Json()["id"];
  // Role changes: added as annotator, promoted, removed.
  ASSERT_EQ(admin.PostJson(base + "/members", json{{"user", manager}, {"role", "annotator"}}).status, 201);
  admin.SetHeader("X-Request-Id", "promote-42");
  ASSERT_EQ(admin.PostJson(base + "/members", json{{"user", manager}, {"role", "manager"}}).status, 201);
  admin.ClearHeader("X-Request-Id");

  // The manager deletes a task and exports; then loses the role.
  HttpClient manager_client = As(manager_token_);
  Reply imported = manager_client.PostJson(base + "/import?return_task_ids=1",
                                           json::array({{{"text", "one"}}, {{"text", "two"}}}));
  ASSERT_EQ(imported.status, 201) << imported.body;
  const int task = imported.Json()["task_ids"][0];
  ASSERT_EQ(manager_client.Delete("/api/tasks/" + std::to_string(task)).status, 204);
  ASSERT_EQ(manager_client.Get(base + "/export?exportType=JSON&download_all_tasks=true").status, 200);
  ASSERT_EQ(admin.Delete(base + "/members/" + std::to_string(manager)).status, 204);

  auto roles = Entries(admin, "?action=member.");
  ASSERT_EQ(roles.size(), 3u);
  EXPECT_EQ(roles[0]["action"], "member.remove");
  EXPECT_EQ(roles[0]["detail"]["previous_role"], "manager");
  EXPECT_EQ(roles[1]["action"], "member.set_role");
  EXPECT_EQ(roles[1]["detail"]["role"], "manager");
  EXPECT_EQ(roles[1]["detail"]["previous_role"], "annotator");
  EXPECT_EQ(roles[1]["request_id"], "promote-42");  // the client's id is kept
  EXPECT_EQ(roles[1]["object_id"], manager);
  EXPECT_EQ(roles[1]["project"], pid);
  EXPECT_EQ(roles[2]["detail"]["role"], "annotator");
  EXPECT_FALSE(roles[2]["detail"].contains("previous_role"));

  auto deleted = Entries(admin, "?action=task.delete");
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0]["object_id"], task);
  EXPECT_EQ(deleted[0]["user"], manager);
  EXPECT_EQ(deleted[0]["request_id"].get<std::string>().size(), 16u);  // generated

  auto exports = Entries(admin, "?action=project.export");
  ASSERT_EQ(exports.size(), 1u);
  EXPECT_EQ(exports[0]["detail"]["format"], "JSON");
  EXPECT_EQ(exports[0]["detail"]["tasks"], 1);  // the other task was deleted
  EXPECT_GT(exports[0]["detail"]["bytes"].get<int>(), 2);  // more than "[]"

  // Filters: by project (site-wide user.create entries are not in it), by
  // user, and paging with next_before.
  Reply created = admin.PostJson("/api/users", json{{"email", "new@example.com"}, {"password", "long enough pw"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Entries(admin, "?action=user.create").size(), 1u);
  EXPECT_EQ(Entries(admin, "?project=" + std::to_string(pid) + "&action=user.").size(), 0u);
  EXPECT_EQ(Entries(admin, "?user=" + std::to_string(manager)).size(), 2u);
  Reply page = admin.Get("/api/audit?limit=2");
  ASSERT_EQ(page.status, 200);
  ASSERT_EQ(page.Json()["results"].size(), 2u);
  int before = page.Json()["next_before"];
  Reply rest = admin.Get("/api/audit?limit=100&before=" + std::to_string(before));
  ASSERT_EQ(rest.status, 200);
  const json rest_body = rest.Json();
  for (const json& e : rest_body["results"]) EXPECT_LT(e["id"].get<int>(), before);

  // Bad filters say what is wrong; only admins may read the log.
  Reply bad = admin.Get("/api/audit?limit=0");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("limit"), std::string::npos) << bad.body;
  EXPECT_EQ(manager_client.Get("/api/audit").status, 403);
}

TEST_F(AuditTest, EveryReplyHasARequestIdThatTheJsonLogCarries) {
  HttpClient admin = As(admin_token_);
  admin.SetHeader("X-Request-Id", "trace-abc.1");
  Reply r = admin.Get("/api/projects");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("x-request-id"), "trace-abc.1");
  // An id that is not a sane token is replaced, not echoed.
  admin.SetHeader("X-Request-Id", "bad id with spaces <script>");
  Reply replaced = admin.Get("/api/projects/999999");
  EXPECT_EQ(replaced.status, 404);
  std::string generated = replaced.Header("x-request-id");
  EXPECT_EQ(generated.size(), 16u) << generated;

  // The log is written as replies go out; allow it a moment to reach the file.
  std::vector<json> lines;
  for (int attempt = 0; attempt < 50; ++attempt) {
    lines.clear();
    std::ifstream in(server_.log_path());
    std::string line;
    while (std::getline(in, line)) {
      json j = json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.value("msg", "") == "request") lines.push_back(j);
    }
    bool both = false;
    for (const json& j : lines) both |= j["request_id"] == generated;
    if (both) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const json* first = nullptr;
  const json* second = nullptr;
  for (const json& j : lines) {
    if (j["request_id"] == "trace-abc.1") first = &j;
    if (j["request_id"] == generated) second = &j;
  }
  ASSERT_NE(first, nullptr) << "no log line for trace-abc.1";
  ASSERT_NE(second, nullptr) << "no log line for " << generated;
  EXPECT_EQ((*first)["method"], "GET");
  EXPECT_EQ((*first)["path"], "/api/projects");
  EXPECT_EQ((*first)["status"], 200);
  EXPECT_GT((*first)["user_id"].get<int>(), 0);
  EXPECT_GE((*first)["duration_ms"].get<double>(), 0.0);
  EXPECT_EQ((*first)["level"], "info");
  EXPECT_EQ((*second)["status"], 404);
  EXPECT_EQ((*second)["path"], "/api/projects/999999");
}

}  // namespace
}  // namespace tessera::testing
