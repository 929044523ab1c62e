// The Label Studio–shaped flow against the real server binary over HTTP:
// the calls the legacy label-studio-sdk Client/Project makes, in its order,
// with the status codes it checks.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

using nlohmann::json;

constexpr char kNerConfig[] = R"(<View>
  <Labels name="label" toName="text">
    <Label value="PER"/><Label value="ORG"/>
  </Labels>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text">
    <Choice value="Positive"/><Choice value="Negative"/>
  </Choices>
</View>)";

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    admin_token_ = server_->AddUser("admin@example.com", "correct horse", true);
    server_->Start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  HttpClient Admin() {
    HttpClient c("127.0.0.1", server_->port());
    c.SetHeader("Authorization", "Token " + admin_token_);
    return c;
  }
  HttpClient Anonymous() { return HttpClient("127.0.0.1", server_->port()); }
  int CreateProject(HttpClient& c, const std::string& config = kNerConfig) {
    Reply r = c.PostJson("/api/projects", json{{"title", "NER"}, {"label_config", config}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().value("id", 0);
  }
  static ServerProcess* server_;
  static std::string admin_token_;
};

ServerProcess* ApiTest::server_ = nullptr;
std::string ApiTest::admin_token_;

TEST_F(ApiTest, HealthVersionAndCurrentUser) {
  HttpClient c = Admin();
  EXPECT_EQ(c.Get("/health").Json()["status"], "UP");
  EXPECT_TRUE(c.Get("/api/version").Json().contains("release"));
  Reply who = c.Get("/api/current-user/whoami");
  ASSERT_EQ(who.status, 200);
  EXPECT_EQ(who.Json()["email"], "admin@example.com");
  EXPECT_EQ(c.Get("/api/current-user/token").Json()["token"], admin_token_);
}

TEST_F(ApiTest, SdkFlowCreateImportListAnnotateExport) {
  HttpClient c = Admin();
  int pid = CreateProject(c);
  ASSERT_GT(pid, 0);
  // Project.get_params / update_params
  Reply proj = c.Get("/api/projects/" + std::to_string(pid));
  ASSERT_EQ(proj.status, 200);
  EXPECT_TRUE(proj.Json()["parsed_label_config"].contains("label"));
  // Client.list_projects: page_size=10000000, reads ['results']
  Reply list = c.Get("/api/projects?page_size=10000000");
  ASSERT_EQ(list.status, 200);
  EXPECT_GE(list.Json()["results"].size(), 1u);

  // Project.import_tasks: POST with return_task_ids=1, reads task_ids.
  json tasks = json::array();
  for (int i = 0; i < 150; ++i) tasks.push_back({{"text", "Ada Lovelace at IBM " + std::to_string(i)}});
  tasks.push_back({{"data", {{"text", "with prediction"}}},
                   {"predictions", {{{"result", {{{"from_name", "sentiment"},
                                                  {"to_name", "text"},
                                                  {"type", "choices"},
                                                  {"value", {{"choices", {"Positive"}}}}}}},
                                     {"score", 0.9}}}}});
  Reply imp = c.PostJson("/api/projects/" + std::to_string(pid) + "/import?return_task_ids=1", tasks);
  ASSERT_EQ(imp.status, 201) << imp.body;
  EXPECT_EQ(imp.Json()["task_count"], 151);
  EXPECT_EQ(imp.Json()["prediction_count"], 1);
  ASSERT_EQ(imp.Json()["task_ids"].size(), 151u);
  int first_task = imp.Json()["task_ids"][0];

  // Project.get_paginated_tasks: pages of 100 until 404.
  Reply p1 = c.Get("/api/tasks?project=" + std::to_string(pid) + "&page=1&page_size=100&fields=all");
  ASSERT_EQ(p1.status, 200);
  EXPECT_EQ(p1.Json()["tasks"].size(), 100u);
  EXPECT_EQ(p1.Json()["total"], 151);
  Reply p2 = c.Get("/api/tasks?project=" + std::to_string(pid) + "&page=2&page_size=100");
  EXPECT_EQ(p2.Json()["tasks"].size(), 51u);
  EXPECT_EQ(c.Get("/api/tasks?project=" + std::to_string(pid) + "&page=3&page_size=100").status, 404);

  // Project.create_annotation
  json result = json::array({{{"from_name", "label"},
                              {"to_name", "text"},
                              {"type", "labels"},
                              {"value", {{"start", 0}, {"end", 3}, {"text", "Ada"}, {"labels", {"PER"}}}}}});
  Reply ann = c.PostJson("/api/tasks/" + std::to_string(first_task) + "/annotations/",
                         json{{"result", result}, {"lead_time", 2.5}});
  ASSERT_EQ(ann.status, 201) << ann.body;
  int ann_id = ann.Json()["id"];
  EXPECT_EQ(ann.Json()["completed_by"], c.Get("/api/current-user/whoami").Json()["id"]);

  // update_annotation keeps history
  result[0]["value"]["labels"] = {"ORG"};
  Reply upd = c.PatchJson("/api/annotations/" + std::to_string(ann_id), json{{"result", result}});
  ASSERT_EQ(upd.status, 200) << upd.body;
  Reply versions = c.Get("/api/annotations/" + std::to_string(ann_id) + "/versions");
  ASSERT_EQ(versions.status, 200);
  ASSERT_EQ(versions.Json().size(), 2u);
  EXPECT_EQ(versions.Json()[0]["result"][0]["value"]["labels"][0], "PER");
  EXPECT_EQ(versions.Json()[1]["result"][0]["value"]["labels"][0], "ORG");

  // Task detail carries annotations; list_annotations; get_annotation
  EXPECT_EQ(c.Get("/api/tasks/" + std::to_string(first_task)).Json()["annotations"].size(), 1u);
  EXPECT_EQ(c.Get("/api/tasks/" + std::to_string(first_task) + "/annotations").Json().size(), 1u);
  EXPECT_EQ(c.Get("/api/annotations/" + std::to_string(ann_id)).Json()["result"][0]["value"]["labels"][0],
            "ORG");

  // create_prediction and bulk create_predictions
  json pred_result = json::array({{{"from_name", "sentiment"},
                                   {"to_name", "text"},
                                   {"type", "choices"},
                                   {"value", {{"choices", {"Negative"}}}}}});
  Reply pred = c.PostJson("/api/predictions", json{{"task", first_task}, {"result", pred_result},
                                                   {"score", 0.4}, {"model_version", "m1"}});
  ASSERT_EQ(pred.status, 201) << pred.body;
  Reply bulk = c.PostJson("/api/projects/" + std::to_string(pid) + "/import/predictions",
                          json::array({{{"task", first_task + 1}, {"result", pred_result}}}));
  ASSERT_EQ(bulk.status, 201) << bulk.body;

  // next: the admin annotated first_task, so it is not offered again.
  Reply next = c.Get("/api/projects/" + std::to_string(pid) + "/next");
  ASSERT_EQ(next.status, 200);
  EXPECT_NE(next.Json()["id"], first_task);

  // export_tasks: JSON; only annotated tasks by default
  Reply exp = c.Get("/api/projects/" + std::to_string(pid) + "/export?exportType=JSON");
  ASSERT_EQ(exp.status, 200) << exp.body;
  json exported = exp.Json();
  ASSERT_TRUE(exported.is_array());
  ASSERT_EQ(exported.size(), 1u);
  EXPECT_EQ(exported[0]["annotations"][0]["result"][0]["value"]["labels"][0], "ORG");
  Reply all = c.Get("/api/projects/" + std::to_string(pid) +
                    "/export?exportType=JSON&download_all_tasks=true");
  EXPECT_EQ(all.Json().size(), 151u);

  // delete_annotation, delete_task
  EXPECT_EQ(c.Delete("/api/annotations/" + std::to_string(ann_id)).status, 204);
  EXPECT_EQ(c.Delete("/api/tasks/" + std::to_string(first_task)).status, 204);
  EXPECT_EQ(c.Get("/api/tasks/" + std::to_string(first_task)).status, 404);
  EXPECT_EQ(c.Delete("/api/projects/" + std::to_string(pid) + "/").status, 204);
}

TEST_F(ApiTest, BadInputGetsHelpful4xx) {
  HttpClient c = Admin();
  Reply r = c.Request("POST", "/api/projects", "{\"title\": \"x\",\n \"label_config\": ",
                      {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.Json()["detail"].get<std::string>().find("line 2"), std::string::npos) << r.body;

  r = c.PostJson("/api/projects", json{{"title", 5}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Json()["validation_errors"].contains("title")) << r.body;

  r = c.PostJson("/api/projects", json{{"label_config", "<View><Labels name=\"l\" toName=\"nope\"><Label value=\"A\"/></Labels><Text name=\"t\" value=\"$text\"/></View>"}});
  EXPECT_EQ(r.status, 400);
  ASSERT_TRUE(r.Json()["validation_errors"].contains("label_config")) << r.body;
  EXPECT_NE(r.body.find("line 1"), std::string::npos) << r.body;

  r = c.PostJson("/api/projects/validate", json{{"label_config", "<View><Image name=\"i\" value=\"$image\"/>"}});
  EXPECT_EQ(r.status, 400);

  EXPECT_EQ(c.Get("/api/projects/999999").status, 404);
  EXPECT_EQ(c.Get("/api/projects/abc").status, 404);
  EXPECT_EQ(c.Get("/api/tasks?project=1&page=zero").status, 400);
  EXPECT_EQ(c.Get("/api/tasks").status, 400);
  EXPECT_EQ(c.Request("PUT", "/api/projects/1").status, 405);
  EXPECT_EQ(c.Get("/api/no/such/route").status, 404);

  int pid = CreateProject(c);
  std::string base = "/api/projects/" + std::to_string(pid);
  // A bad annotation in an import names the task's line, and nothing is imported.
  std::string jsonl = "{\"text\": \"fine\"}\n{\"data\": {\"text\": \"bad\"}, \"annotations\": "
                      "[{\"result\": [{\"from_name\": \"label\", \"to_name\": \"text\", \"type\": "
                      "\"labels\", \"value\": {\"start\": 0, \"end\": 3, \"labels\": [\"XYZ\"]}}]}]}\n";
  r = c.PostFiles(base + "/import", {{"file", "tasks.jsonl", jsonl}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("line 2"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("XYZ"), std::string::npos) << r.body;
  EXPECT_EQ(c.Get("/api/tasks?project=" + std::to_string(pid)).Json()["total"], 0);

  r = c.PostFiles(base + "/import", {{"file", "tasks.exe", "MZ"}});
  EXPECT_EQ(r.status, 415) << r.body;
  r = c.PostJson(base + "/import", json(42));
  EXPECT_EQ(r.status, 400) << r.body;

  // Malformed HTTP never kills the server.
  std::string raw = c.RawExchange("GARBAGE\r\n\r\n");
  EXPECT_NE(raw.find("400"), std::string::npos) << raw;
  EXPECT_EQ(c.Get("/health").status, 200);
}

TEST_F(ApiTest, AuthRolesAndCsrf) {
  HttpClient anon = Anonymous();
  Reply r = anon.Get("/api/projects");
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(r.Json().contains("detail"));
  anon.SetHeader("Authorization", "Token not-a-real-token");
  EXPECT_EQ(anon.Get("/api/projects").status, 401);

  HttpClient admin = Admin();
  int pid = CreateProject(admin);
  std::string ann_token = server_->AddUser("annotator@example.com", "annotator pw", false);
  std::string out_token = server_->AddUser("outsider@example.com", "outsider pw", false);
  HttpClient annotator("127.0.0.1", server_->port());
  annotator.SetHeader("Authorization", "Token " + ann_token);
  HttpClient outsider("127.0.0.1", server_->port());
  outsider.SetHeader("Authorization", "Token " + out_token);

  std::string base = "/api/projects/" + std::to_string(pid);
  EXPECT_EQ(annotator.Get(base).status, 404);  // not a member yet: invisible
  ASSERT_EQ(admin.PostJson(base + "/members", json{{"email", "annotator@example.com"},
                                                   {"role", "annotator"}}).status, 201);
  EXPECT_EQ(annotator.Get(base).status, 200);
  EXPECT_EQ(outsider.Get(base).status, 404);
  EXPECT_EQ(annotator.Delete(base).status, 403);
  EXPECT_EQ(annotator.PatchJson(base, json{{"title", "mine"}}).status, 403);
  EXPECT_EQ(annotator.PostJson(base + "/import", json::array({{{"text", "x"}}})).status, 403);
  EXPECT_EQ(outsider.Get("/api/projects").Json()["count"], 0);

  // Browser login: session cookie is HttpOnly+SameSite, writes need X-CSRFToken.
  HttpClient browser = Anonymous();
  r = browser.Request("POST", "/api/auth/login",
                      json{{"email", "annotator@example.com"}, {"password", "annotator pw"}}.dump(),
                      {{"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.Header("set-cookie").find("HttpOnly"), std::string::npos);
  EXPECT_NE(r.Header("set-cookie").find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(browser.Get("/api/current-user/whoami").Json()["email"], "annotator@example.com");
  int task = admin.PostJson(base + "/import?return_task_ids=1", json::array({{{"text", "t"}}}))
                 .Json()["task_ids"][0];
  std::string target = "/api/tasks/" + std::to_string(task) + "/annotations";
  EXPECT_EQ(browser.PostJson(target, json{{"result", json::array()}}).status, 403);
  browser.SetHeader("X-CSRFToken", browser.Cookie("csrftoken"));
  EXPECT_EQ(browser.PostJson(target, json{{"result", json::array()}}).status, 201);

  // Wrong passwords are counted; the message does not say which part was wrong.
  r = Anonymous().Request("POST", "/api/auth/login",
                          json{{"email", "annotator@example.com"}, {"password", "nope"}}.dump(),
                          {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 401);

  // Label Studio's form login (the SDK's email/password path).
  HttpClient form = Anonymous();
  ASSERT_EQ(form.Get("/user/login").status, 200);
  std::string csrf = form.Cookie("csrftoken");
  ASSERT_FALSE(csrf.empty());
  r = form.Request("POST", "/user/login",
                   "email=admin%40example.com&password=correct+horse&csrfmiddlewaretoken=" + csrf,
                   {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 302) << r.body;
  EXPECT_EQ(form.Get("/api/current-user/token").Json()["token"], admin_token_);
}

TEST_F(ApiTest, MediaUploadIsServedWithRangesAndCannotEscape) {
  HttpClient c = Admin();
  int pid = CreateProject(c, "<View><Image name=\"img\" value=\"$picture\"/>"
                             "<RectangleLabels name=\"box\" toName=\"img\"><Label value=\"Car\"/>"
                             "</RectangleLabels></View>");
  std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(100, 'x');
  Reply r = c.PostFiles("/api/projects/" + std::to_string(pid) + "/import?return_task_ids=1",
                        {{"file", "../../evil name.png", png}});
  ASSERT_EQ(r.status, 201) << r.body;
  int task = r.Json()["task_ids"][0];
  std::string url = c.Get("/api/tasks/" + std::to_string(task)).Json()["data"]["picture"];
  EXPECT_EQ(url.find("/data/upload/" + std::to_string(pid) + "/"), 0u) << url;
  Reply img = c.Get(url);
  ASSERT_EQ(img.status, 200);
  EXPECT_EQ(img.Header("content-type"), "image/png");
  EXPECT_EQ(img.body, png);
  Reply part = c.Request("GET", url, "", {{"Range", "bytes=0-7"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body.size(), 8u);
  EXPECT_EQ(c.Request("GET", url, "", {{"If-None-Match", img.Header("etag")}}).status, 304);
  for (const char* bad : {"/data/upload/1/..%2F..%2Ftessera.db", "/data/upload/1/%2e%2e/x",
                          "/data/upload/1/..", "/data/upload/0/x.png"}) {
    EXPECT_EQ(c.Get(bad).status, 404) << bad;
  }
  EXPECT_EQ(Anonymous().Get(url).status, 401);
}


TEST_F(ApiTest, AgreementFromApiAndCliAgree) {
  HttpClient admin = Admin();
  int pid = CreateProject(admin);
  std::string base = "/api/projects/" + std::to_string(pid);
  json ids = admin.PostJson(base + "/import?return_task_ids=1",
                            json::array({{{"text", "one"}}, {{"text", "two"}}}))
                 .Json()["task_ids"];
  std::vector<HttpClient> people;
  for (int i = 0; i < 2; ++i) {
    std::string email = "rater" + std::to_string(i) + "-" + std::to_string(pid) + "@example.com";
    std::string token = server_->AddUser(email, "rater password", false);
    ASSERT_EQ(admin.PostJson(base + "/members", json{{"email", email}}).status, 201);
    HttpClient c("127.0.0.1", server_->port());
    c.SetHeader("Authorization", "Token " + token);
    people.push_back(std::move(c));
  }
  auto choice = [](const char* v) {
    return json{{"result", json::array({{{"from_name", "sentiment"}, {"to_name", "text"},
                                         {"type", "choices"}, {"value", {{"choices", {v}}}}}})}};
  };
  // Task 1: both Positive; task 2: Positive vs Negative.
  for (int t = 0; t < 2; ++t) {
    std::string target = "/api/tasks/" + std::to_string(ids[t].get<int>()) + "/annotations";
    ASSERT_EQ(people[0].PostJson(target, choice("Positive")).status, 201);
    ASSERT_EQ(people[1].PostJson(target, choice(t == 0 ? "Positive" : "Negative")).status, 201);
  }
  Reply r = admin.Get(base + "/agreement");
  ASSERT_EQ(r.status, 200) << r.body;
  json report = r.Json();
  json sentiment;
  for (const auto& c : report["controls"])
    if (c["from_name"] == "sentiment") sentiment = c;
  EXPECT_EQ(sentiment["tasks"], 2);
  EXPECT_DOUBLE_EQ(sentiment["percent_agreement"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(report["mean_task_score"].get<double>(), 0.5);
  EXPECT_EQ(people[0].Get(base + "/agreement").status, 403);  // annotators may not
  EXPECT_EQ(admin.Get(base + "/agreement?iou_threshold=7").status, 400);

  // The CLI computes the same from the export file.
  Reply exp = admin.Get(base + "/export?exportType=JSON");
  ASSERT_EQ(exp.status, 200);
  std::filesystem::path dir = server_->data_dir();
  std::ofstream(dir / "export.json") << exp.body;
  std::ofstream(dir / "config.xml") << kNerConfig;
  std::string out, err;
  ASSERT_EQ(RunTessera({"agreement", "--config", (dir / "config.xml").string(), "--export",
                        (dir / "export.json").string()}, &out, &err), 0) << err;
  json cli = json::parse(out);
  EXPECT_EQ(cli["mean_task_score"], report["mean_task_score"]);
  EXPECT_EQ(cli["annotators"], report["annotators"]);
}

}  // namespace
}  // namespace tessera::testing
