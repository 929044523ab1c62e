// Drafts over HTTP (issue 3): save, replace, read, patch and delete a draft;
// drafts are private to their author; submitting deletes the draft; the task
// payloads the editor loads carry the caller's drafts; bad input is a 400
// naming the field.
#include <gtest/gtest.h>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

using nlohmann::json;

constexpr char kConfig[] = R"(<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Cat"/><Label value="Dog"/></RectangleLabels>
</View>)";

json Box(double x, const std::string& label = "Cat") {
  return json::array({{{"id", "r1"},
                       {"from_name", "box"},
                       {"to_name", "image"},
                       {"type", "rectanglelabels"},
                       {"original_width", 100},
                       {"original_height", 100},
                       {"value", {{"x", x}, {"y", 10}, {"width", 20}, {"height", 20},
                                  {"rotation", 0}, {"rectanglelabels", {label}}}}}});
}

class DraftsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    admin_token_ = server_->AddUser("admin@example.com", "correct horse", true);
    ann_token_ = server_->AddUser("ann@example.com", "correct horse", false);
    bob_token_ = server_->AddUser("bob@example.com", "correct horse", false);
    server_->Start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static HttpClient As(const std::string& token) {
    HttpClient c("127.0.0.1", server_->port());
    c.SetHeader("Authorization", "Token " + token);
    return c;
  }
  static int64_t UserId(const std::string& token) {
    return As(token).Get("/api/current-user/whoami").Json().value("id", int64_t{0});
  }
  // A project with `tasks` image tasks; ann and bob are annotators of it.
  std::vector<int64_t> MakeTasks(int tasks) {
    HttpClient admin = As(admin_token_);
    Reply p = admin.PostJson("/api/projects", json{{"title", "Boxes"}, {"label_config", kConfig}});
    EXPECT_EQ(p.status, 201) << p.body;
    project_ = p.Json().value("id", int64_t{0});
    json data = json::array();
    for (int idx = 0; idx < tasks; ++idx) {
      data.push_back({{"image", "/img/" + std::to_string(idx) + ".png"}});
    }
    Reply imp = admin.PostJson(ProjectPath("/import?return_task_ids=1"), data);
    EXPECT_EQ(imp.status, 201) << imp.body;
    for (const std::string* token : {&ann_token_, &bob_token_}) {
      Reply m = admin.PostJson(ProjectPath("/members"),
                               json{{"user", UserId(*token)}, {"role", "annotator"}});
      EXPECT_EQ(m.status, 201) << m.body;
    }
    return imp.Json()["task_ids"].get<std::vector<int64_t>>();
  }
  std::string ProjectPath(const std::string& rest) const {
    return "/api/projects/" + std::to_string(project_) + rest;
  }
  static std::string TaskPath(int64_t task, const std::string& rest = "") {
    return "/api/tasks/" + std::to_string(task) + rest;
  }

  static ServerProcess* server_;
  static std::string admin_token_, ann_token_, bob_token_;
  int64_t project_ = 0;
};

ServerProcess* DraftsTest::server_ = nullptr;
std::string DraftsTest::admin_token_;
std::string DraftsTest::ann_token_;
std::string DraftsTest::bob_token_;

TEST_F(DraftsTest, SaveReplaceReadPatchDelete) {
  int64_t task = MakeTasks(1)[0];
  HttpClient ann = As(ann_token_);
  Reply created = ann.PostJson(TaskPath(task, "/drafts"), json{{"result", Box(5)}, {"lead_time", 4.5}});
  ASSERT_EQ(created.status, 201) << created.body;
  json d = created.Json();
  int64_t id = d["id"];
  EXPECT_EQ(d["task"], task);
  EXPECT_TRUE(d["annotation"].is_null());
  EXPECT_EQ(d["user"], "ann@example.com");
  EXPECT_EQ(d["result"], Box(5));
  EXPECT_EQ(d["lead_time"], 4.5);
  EXPECT_EQ(d["was_postponed"], false);

  // A second save replaces the same draft (one per task and user).
  Reply again = ann.PostJson(TaskPath(task, "/drafts"), json{{"result", Box(30)}, {"lead_time", 9}});
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.Json()["id"], id);
  EXPECT_EQ(again.Json()["created_at"], d["created_at"]);
  Reply list = ann.Get(TaskPath(task, "/drafts"));
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.Json().size(), 1u);
  EXPECT_EQ(list.Json()[0]["result"], Box(30));
  EXPECT_EQ(list.Json()[0]["lead_time"], 9);

  // PATCH: only what is given changes; an empty result is a valid draft.
  std::string path = "/api/drafts/" + std::to_string(id);
  Reply patched = ann.PatchJson(path, json{{"lead_time", 12}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.Json()["result"], Box(30));
  EXPECT_EQ(patched.Json()["lead_time"], 12);
  patched = ann.PatchJson(path, json{{"result", json::array()}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  Reply got = ann.Get(path);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.Json()["result"], json::array());
  EXPECT_EQ(got.Json()["lead_time"], 12);

  // The task payloads the editor loads carry the caller's draft.
  Reply t = ann.Get(TaskPath(task));
  ASSERT_EQ(t.status, 200);
  ASSERT_EQ(t.Json()["drafts"].size(), 1u);
  EXPECT_EQ(t.Json()["drafts"][0]["id"], id);
  Reply next = ann.Get(ProjectPath("/next"));
  ASSERT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(next.Json()["id"], task);
  ASSERT_EQ(next.Json()["drafts"].size(), 1u);
  EXPECT_EQ(next.Json()["drafts"][0]["id"], id);

  EXPECT_EQ(ann.Delete(path).status, 204);
  EXPECT_EQ(ann.Get(path).status, 404);
  EXPECT_EQ(ann.Delete(path).status, 404);
  EXPECT_EQ(ann.Get(TaskPath(task, "/drafts")).Json(), json::array());
}

TEST_F(DraftsTest, OtherUsersCannotSeeOrTouchADraft) {
  int64_t task = MakeTasks(1)[0];
  HttpClient ann = As(ann_token_);
  HttpClient bob = As(bob_token_);
  HttpClient admin = As(admin_token_);
  Reply created = ann.PostJson(TaskPath(task, "/drafts"), json{{"result", Box(5)}});
  ASSERT_EQ(created.status, 201) << created.body;
  std::string path = "/api/drafts/" + std::to_string(created.Json()["id"].get<int64_t>());
  for (HttpClient* other : {&bob, &admin}) {
    EXPECT_EQ(other->Get(path).status, 404);
    EXPECT_EQ(other->PatchJson(path, json{{"result", json::array()}}).status, 404);
    EXPECT_EQ(other->Delete(path).status, 404);
    EXPECT_EQ(other->Get(TaskPath(task, "/drafts")).Json(), json::array());
    EXPECT_EQ(other->Get(TaskPath(task)).Json()["drafts"], json::array());
  }
  EXPECT_EQ(As("").Get(path).status, 401);
  // Bob's own draft of the same task is a separate one.
  Reply bobs = bob.PostJson(TaskPath(task, "/drafts"), json{{"result", Box(50, "Dog")}});
  ASSERT_EQ(bobs.status, 201) << bobs.body;
  EXPECT_NE(bobs.Json()["id"], created.Json()["id"]);
  Reply mine = ann.Get(path);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.Json()["result"], Box(5));
}

TEST_F(DraftsTest, SubmitDeletesTheDraft) {
  auto tasks = MakeTasks(2);
  HttpClient ann = As(ann_token_);
  HttpClient bob = As(bob_token_);
  ASSERT_EQ(ann.PostJson(TaskPath(tasks[0], "/drafts"), json{{"result", Box(5)}}).status, 201);
  ASSERT_EQ(ann.PostJson(TaskPath(tasks[1], "/drafts"), json{{"result", Box(6)}}).status, 201);
  ASSERT_EQ(bob.PostJson(TaskPath(tasks[0], "/drafts"), json{{"result", Box(7)}}).status, 201);
  Reply ann_sub = ann.PostJson(TaskPath(tasks[0], "/annotations"), json{{"result", Box(5)}});
  ASSERT_EQ(ann_sub.status, 201) << ann_sub.body;
  int64_t annotation = ann_sub.Json()["id"];
  EXPECT_EQ(ann.Get(TaskPath(tasks[0], "/drafts")).Json(), json::array());
  EXPECT_EQ(ann.Get(TaskPath(tasks[1], "/drafts")).Json().size(), 1u);  // another task
  EXPECT_EQ(bob.Get(TaskPath(tasks[0], "/drafts")).Json().size(), 1u);  // another user

  // A draft of an edit of the annotation: the author only; gone on update.
  std::string ann_drafts = "/api/annotations/" + std::to_string(annotation) + "/drafts";
  Reply edit = ann.PostJson(ann_drafts, json{{"result", Box(8, "Dog")}, {"lead_time", 1}});
  ASSERT_EQ(edit.status, 201) << edit.body;
  EXPECT_EQ(edit.Json()["annotation"], annotation);
  EXPECT_EQ(ann.Get(TaskPath(tasks[0], "/drafts")).Json().size(), 1u);
  EXPECT_EQ(bob.PostJson(ann_drafts, json{{"result", Box(8)}}).status, 404);  // blind mode
  Reply upd = ann.PatchJson("/api/annotations/" + std::to_string(annotation),
                            json{{"result", Box(8, "Dog")}});
  ASSERT_EQ(upd.status, 200) << upd.body;
  EXPECT_EQ(ann.Get(TaskPath(tasks[0], "/drafts")).Json(), json::array());

  // LS's editor names the draft it submits (draft_id): that one goes too.
  Reply bobs = bob.Get(TaskPath(tasks[0], "/drafts"));
  int64_t bob_draft = bobs.Json()[0]["id"];
  Reply bob_sub = bob.PostJson(TaskPath(tasks[0], "/annotations"),
                               json{{"result", Box(7)}, {"draft_id", bob_draft}});
  ASSERT_EQ(bob_sub.status, 201) << bob_sub.body;
  EXPECT_EQ(bob.Get("/api/drafts/" + std::to_string(bob_draft)).status, 404);
}

TEST_F(DraftsTest, BadInputIsA400NamingTheField) {
  int64_t task = MakeTasks(1)[0];
  HttpClient ann = As(ann_token_);
  auto expect_field = [&](const Reply& r, const std::string& field) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find(field), std::string::npos) << r.body;
  };
  std::string drafts = TaskPath(task, "/drafts");
  expect_field(ann.PostJson(drafts, json{{"lead_time", 1}}), "result");
  expect_field(ann.PostJson(drafts, json{{"result", "boxes"}}), "result");
  json wrong_label = Box(5, "Horse");
  expect_field(ann.PostJson(drafts, json{{"result", wrong_label}}), "result");
  expect_field(ann.PostJson(drafts, json{{"result", json::array()}, {"lead_time", "long"}}),
               "lead_time");
  expect_field(ann.PostJson(drafts, json{{"result", json::array()}, {"lead_time", -1}}),
               "lead_time");
  Reply body = ann.Request("POST", drafts, "[1]", {{"Content-Type", "application/json"}});
  EXPECT_EQ(body.status, 400) << body.body;
  EXPECT_EQ(ann.Get(drafts).Json(), json::array());  // nothing was stored

  Reply ok = ann.PostJson(drafts, json{{"result", json::array()}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  std::string path = "/api/drafts/" + std::to_string(ok.Json()["id"].get<int64_t>());
  expect_field(ann.PatchJson(path, json{{"result", json{{"x", 1}}}}), "result");
  expect_field(ann.PatchJson(path, json{{"lead_time", false}}), "lead_time");
  EXPECT_EQ(ann.Get("/api/drafts/abc").status, 404);  // not an id
  EXPECT_EQ(ann.Get("/api/drafts/999999").status, 404);
  EXPECT_EQ(ann.PostJson(TaskPath(999999, "/drafts"), json{{"result", json::array()}}).status, 404);
  expect_field(ann.PostJson(TaskPath(task, "/annotations"),
                            json{{"result", json::array()}, {"draft_id", "x"}}),
               "draft_id");
}

}  // namespace
}  // namespace tessera::testing
