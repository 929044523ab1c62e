// The data manager over HTTP (issue 9): /api/tasks?query= (filters, search,
// ordering, agreement, the computed columns), saved views (/api/dm/views)
// with their permissions, every bulk action (/api/dm/actions), and export of
// a selection.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

using nlohmann::json;

constexpr char kConfig[] = R"(<View>
  <Text name="text" value="$text"/>
  <Choices name="mood" toName="text"><Choice value="Good"/><Choice value="Bad"/></Choices>
</View>)";

json Mood(const std::string& choice) {
  return json::array({{{"from_name", "mood"}, {"to_name", "text"}, {"type", "choices"},
                       {"value", {{"choices", {choice}}}}}});
}

std::string UrlEncode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

json Item(const std::string& column, const std::string& op, const std::string& type, json value) {
  return {{"filter", "filter:tasks:" + column}, {"operator", op}, {"type", type}, {"value", value}};
}
json Filters(json items, const std::string& conjunction = "and") {
  return {{"conjunction", conjunction}, {"items", std::move(items)}};
}

class DataManagerApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    admin_ = server_->AddUser("admin@example.com", "correct horse", true);
    manager_ = server_->AddUser("manager@example.com", "correct horse", false);
    ann_ = server_->AddUser("ann@example.com", "correct horse", false);
    bob_ = server_->AddUser("bob@example.com", "correct horse", false);
    outsider_ = server_->AddUser("outsider@example.com", "correct horse", false);
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
  // A project (manager: manager; annotators: ann, bob) with five tasks:
  //   0 "alpha one" score 1, source web    3 "alpha four" score 4
  //   1 "beta two" score 2, source book    4 "delta five" score 5
  //   2 "gamma three" score 3
  // ann and bob both chose Good on task 0 (agreement 100) and differ on task 1 (0).
  void MakeProject(bool prefilter = false, bool annotate = true) {
    HttpClient admin = As(admin_);
    Reply p = admin.PostJson("/api/projects", json{{"title", "DM"}, {"label_config", kConfig},
                                                   {"maximum_annotations", 2}});
    ASSERT_EQ(p.status, 201) << p.body;
    project_ = p.Json().value("id", int64_t{0});
    for (auto [token, role] : {std::pair{&manager_, "manager"}, std::pair{&ann_, "annotator"},
                               std::pair{&bob_, "annotator"}}) {
      Reply m = admin.PostJson(ProjectPath("/members"), json{{"user", UserId(*token)}, {"role", role}});
      ASSERT_EQ(m.status, 201) << m.body;
    }
    if (prefilter) {
      ASSERT_EQ(admin.PatchJson(ProjectPath("/prefilter"), json{{"enabled", true}}).status, 200);
    }
    json data = json::array({{{"text", "alpha one"}, {"score", 1}, {"meta", {{"source", "web"}}}},
                             {{"text", "beta two"}, {"score", 2}, {"meta", {{"source", "book"}}}},
                             {{"text", "gamma three"}, {"score", 3}},
                             {{"text", "alpha four"}, {"score", 4}},
                             {{"text", "delta five"}, {"score", 5}}});
    if (prefilter) data.push_back(data[0]);  // an exact duplicate of task 0
    Reply imp = admin.PostJson(ProjectPath("/import?return_task_ids=1"), data);
    ASSERT_EQ(imp.status, 201) << imp.body;
    tasks_ = imp.Json()["task_ids"].get<std::vector<int64_t>>();
    if (!annotate) return;
    Annotate(ann_, tasks_[0], "Good");
    Annotate(bob_, tasks_[0], "Good");
    Annotate(ann_, tasks_[1], "Good");
    Annotate(bob_, tasks_[1], "Bad");
  }
  int64_t Annotate(const std::string& token, int64_t task, const std::string& choice,
                   bool cancelled = false) {
    Reply r = As(token).PostJson("/api/tasks/" + std::to_string(task) + "/annotations",
                                 json{{"result", cancelled ? json::array() : Mood(choice)},
                                      {"was_cancelled", cancelled}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().value("id", int64_t{0});
  }
  std::string ProjectPath(const std::string& rest) const {
    return "/api/projects/" + std::to_string(project_) + rest;
  }
  std::string TasksPath(const std::string& params = "") const {
    return "/api/tasks?project=" + std::to_string(project_) + params;
  }
  std::string QueryParam(const json& query) const { return "&query=" + UrlEncode(query.dump()); }
  // Indexes (into tasks_) of a task list reply, in its order.
  std::vector<int> Indexes(const Reply& r) const {
    std::vector<int> out;
    const json body = r.Json();
    for (const json& t : body["tasks"]) {
      int64_t id = t.value("id", int64_t{0});
      out.push_back(static_cast<int>(std::find(tasks_.begin(), tasks_.end(), id) - tasks_.begin()));
    }
    return out;
  }
  std::vector<int> List(const json& query, const std::string& token = "") {
    Reply r = As(token.empty() ? manager_ : token).Get(TasksPath(QueryParam(query)));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Json().value("total", -1), static_cast<int64_t>(r.Json()["tasks"].size())) << r.body;
    return Indexes(r);
  }
  json TaskRow(int index) {
    const json body = As(manager_).Get(TasksPath("&page_size=100")).Json();
    for (const json& t : body["tasks"]) {
      if (t.value("id", int64_t{0}) == tasks_[static_cast<size_t>(index)]) return t;
    }
    return json();
  }
  Reply Action(const std::string& action, const json& body, const std::string& extra = "") {
    return As(manager_).PostJson("/api/dm/actions?id=" + action + "&project=" +
                                     std::to_string(project_) + extra, body);
  }
  static json Included(std::vector<int64_t> ids) {
    return {{"all", false}, {"included", std::move(ids)}};
  }

  static ServerProcess* server_;
  static std::string admin_, manager_, ann_, bob_, outsider_;
  int64_t project_ = 0;
  std::vector<int64_t> tasks_;
};

ServerProcess* DataManagerApiTest::server_ = nullptr;
std::string DataManagerApiTest::admin_, DataManagerApiTest::manager_, DataManagerApiTest::ann_,
    DataManagerApiTest::bob_, DataManagerApiTest::outsider_;

using V = std::vector<int>;

TEST_F(DataManagerApiTest, FiltersSearchAndOrdering) {
  MakeProject();
  EXPECT_EQ(List({{"filters", Filters({Item("data.score", "greater", "Number", 2)})}}), (V{2, 3, 4}));
  EXPECT_EQ(List({{"filters", Filters({Item("data.score", "in", "Number", {{"min", 2}, {"max", 3}}),
                                      Item("data.meta.source", "equal", "String", "web")},
                                     "or")}}),
            (V{0, 1, 2}));
  EXPECT_EQ(List({{"filters", Filters({Item("data.text", "contains", "String", "ALPHA")})}}), (V{0, 3}));
  EXPECT_EQ(List({{"filters", Filters({Item("total_annotations", "equal", "Number", 2)})}}), (V{0, 1}));
  EXPECT_EQ(List({{"filters", Filters({Item("annotations_results", "contains", "String", "Bad")})}}),
            (V{1}));
  EXPECT_EQ(List({{"filters", Filters({Item("completed_at", "empty", "Datetime", true)})}}), (V{2, 3, 4}));
  EXPECT_EQ(List({{"filters", Filters({Item("completed_at", "greater", "Datetime",
                                            "2000-01-01T00:00:00Z")})}}),
            (V{0, 1}));
  EXPECT_EQ(List({{"filters", Filters({Item("annotators", "contains", "List", UserId(bob_))})}}),
            (V{0, 1}));
  // Agreement: 100 on task 0 (both Good), 0 on task 1; none elsewhere.
  EXPECT_EQ(List({{"filters", Filters({Item("agreement", "greater", "Number", 50)})}}), (V{0}));
  EXPECT_EQ(List({{"filters", Filters({Item("agreement", "less", "Number", 50)})}}), (V{1}));
  EXPECT_EQ(List({{"filters", Filters({Item("agreement", "empty", "Number", true)})}}), (V{2, 3, 4}));
  EXPECT_EQ(List({{"filters", Filters({Item("agreement", "empty", "Number", true),
                                      Item("id", "equal", "Number", tasks_[0])},
                                     "or")}}),
            (V{0, 2, 3, 4}));
  // Search: words ANDed, the last a prefix; combined with filters.
  EXPECT_EQ(List({{"search", "alph"}}), (V{0, 3}));
  EXPECT_EQ(List({{"search", "alpha fo"}}), (V{3}));
  EXPECT_EQ(Indexes(As(manager_).Get(TasksPath("&search=gamma"))), (V{2}));
  EXPECT_EQ(List({{"search", "alpha"},
                  {"filters", Filters({Item("data.score", "greater", "Number", 1)})}}),
            (V{3}));
  // Ordering by a data field, a computed column, agreement (in memory, paged).
  EXPECT_EQ(List({{"ordering", {"-tasks:data.score"}}}), (V{4, 3, 2, 1, 0}));
  EXPECT_EQ(Indexes(As(manager_).Get(TasksPath("&ordering=-tasks:data.score&page_size=2&page=2"))),
            (V{2, 1}));
  EXPECT_EQ(List({{"ordering", {"-tasks:completed_at"}}})[2], 2);
  EXPECT_EQ(List({{"ordering", {"-tasks:agreement"}}}), (V{0, 1, 2, 3, 4}));
  EXPECT_EQ(List({{"ordering", {"tasks:agreement"}}}), (V{1, 0, 2, 3, 4}));
  Reply paged = As(manager_).Get(TasksPath(QueryParam({{"ordering", {"tasks:agreement"}}}) +
                                           "&page_size=2&page=1"));
  EXPECT_EQ(Indexes(paged), (V{1, 0}));
  EXPECT_EQ(paged.Json().value("total", 0), 5);

  // The computed columns of a row.
  json row = TaskRow(0);
  EXPECT_EQ(row["agreement"], 100.0) << row.dump();
  std::vector<int64_t> both{UserId(ann_), UserId(bob_)};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(row["annotators"], json(both));
  EXPECT_TRUE(row["completed_at"].is_string());
  EXPECT_EQ(row["ground_truth"], false);
  EXPECT_EQ(row["cancelled_annotations"], 0);
  EXPECT_EQ(row["prefilter_flags"], json::array());
  EXPECT_TRUE(row["predictions_score"].is_null());
  EXPECT_EQ(row["reviews_accepted"], 0);
  EXPECT_TRUE(TaskRow(2)["agreement"].is_null());
  // Annotators do not see agreement.
  Reply as_ann = As(ann_).Get(TasksPath());
  ASSERT_EQ(as_ann.status, 200);
  const json ann_body = as_ann.Json();
  for (const json& t : ann_body["tasks"]) EXPECT_TRUE(t["agreement"].is_null());
  EXPECT_EQ(As(ann_).Get(TasksPath(QueryParam({{"ordering", {"-tasks:agreement"}}}))).status, 403);
}

TEST_F(DataManagerApiTest, BadQueriesAreNamed) {
  MakeProject(false, false);
  auto bad = [&](const json& query) {
    Reply r = As(manager_).Get(TasksPath(QueryParam(query)));
    EXPECT_EQ(r.status, 400) << r.body;
    return r.Json().value("detail", "");
  };
  std::string d = bad({{"filters", Filters({Item("id", "equal", "Number", 1),
                                           Item("prefilter_flag", "less", "String", "duplicate")})}});
  EXPECT_NE(d.find("filters.items[1]"), std::string::npos) << d;
  EXPECT_NE(d.find("prefilter_flag"), std::string::npos) << d;
  EXPECT_NE(d.find("allowed: equal, not_equal, empty"), std::string::npos) << d;
  d = bad({{"filters", Filters({Item("colour", "equal", "String", "red")})}});
  EXPECT_NE(d.find("unknown column 'colour'"), std::string::npos) << d;
  EXPECT_NE(d.find("data.<key>"), std::string::npos) << d;
  d = bad({{"filters", Filters({Item("data.a b", "equal", "String", "x")})}});
  EXPECT_NE(d.find("data keys"), std::string::npos) << d;
  d = bad({{"filters", Filters({Item("completed_at", "greater", "Datetime", "yesterday")})}});
  EXPECT_NE(d.find("ISO-8601"), std::string::npos) << d;
  d = bad({{"filters", Filters({Item("prefilter_flag", "equal", "String", "ugly")})}});
  EXPECT_NE(d.find("near_duplicate"), std::string::npos) << d;
  d = bad({{"filters", Filters({Item("id", "in", "Number", 3)})}});
  EXPECT_NE(d.find("{\"min\": a, \"max\": b}"), std::string::npos) << d;
  // A user id too large for an integer (found while fuzzing: it reached a
  // cast to int64 that overflowed).
  d = bad({{"filters", Filters({Item("id", "equal", "Number", 1), Item("annotators", "contains", "List", 1e300)})}});
  EXPECT_NE(d.find("filters.items[1]"), std::string::npos) << d;
  EXPECT_NE(d.find("user id"), std::string::npos) << d;
  d = bad({{"ordering", {"tasks:annotators"}}});
  EXPECT_NE(d.find("not a sortable column"), std::string::npos) << d;
  Reply r = As(manager_).Get(TasksPath("&query=" + UrlEncode("{not json")));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Json()["validation_errors"].contains("query")) << r.body;
  EXPECT_EQ(As(manager_).Get(TasksPath("&view=999999")).status, 404);
}

TEST_F(DataManagerApiTest, SavedViews) {
  MakeProject(false, false);
  json data = {{"title", "High scores"},
               {"filters", Filters({Item("data.score", "greater_or_equal", "Number", 4)})},
               {"ordering", {"-tasks:data.score"}},
               {"hiddenColumns", {{"explore", {"tasks:data.meta"}}}}};
  // Managers save views; annotators may not; outsiders do not see the project.
  EXPECT_EQ(As(ann_).PostJson("/api/dm/views", json{{"project", project_}, {"data", data}}).status, 403);
  EXPECT_EQ(As(outsider_).PostJson("/api/dm/views", json{{"project", project_}, {"data", data}}).status, 404);
  Reply bad = As(manager_).PostJson(
      "/api/dm/views", json{{"project", project_},
                            {"data", {{"filters", Filters({Item("agreement", "contains", "Number", 1)})}}}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.Json().value("detail", "").find("filters.items[0]"), std::string::npos) << bad.body;
  Reply created = As(manager_).PostJson("/api/dm/views", json{{"project", project_}, {"data", data}});
  ASSERT_EQ(created.status, 201) << created.body;
  int64_t view = created.Json().value("id", int64_t{0});
  EXPECT_EQ(created.Json()["data"], data);
  EXPECT_EQ(created.Json()["project"], project_);
  EXPECT_EQ(created.Json()["user"], UserId(manager_));
  std::string path = "/api/dm/views/" + std::to_string(view);

  Reply listed = As(ann_).Get("/api/dm/views?project=" + std::to_string(project_));
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.Json().size(), 1u);
  EXPECT_EQ(listed.Json()[0]["data"]["title"], "High scores");
  EXPECT_EQ(As(outsider_).Get("/api/dm/views?project=" + std::to_string(project_)).status, 404);
  EXPECT_EQ(As(outsider_).Get(path).status, 404);
  EXPECT_EQ(As(ann_).Get(path).status, 200);

  // The task list applies the view; a query overrides it key by key.
  EXPECT_EQ(Indexes(As(ann_).Get(TasksPath("&view=" + std::to_string(view)))), (V{4, 3}));
  EXPECT_EQ(Indexes(As(ann_).Get(TasksPath("&view=" + std::to_string(view) +
                                           QueryParam({{"ordering", {"tasks:id"}}})))),
            (V{3, 4}));

  // PATCH merges; PUT replaces.
  EXPECT_EQ(As(ann_).PatchJson(path, json{{"data", {{"title", "x"}}}}).status, 403);
  Reply patched = As(manager_).PatchJson(path, json{{"data", {{"title", "Top"}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.Json()["data"]["title"], "Top");
  EXPECT_EQ(patched.Json()["data"]["filters"], data["filters"]);
  Reply put = As(manager_).Request("PUT", path, json{{"data", {{"title", "Plain"}}}}.dump(),
                                   {{"Content-Type", "application/json"}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.Json()["data"], json({{"title", "Plain"}}));
  EXPECT_EQ(Indexes(As(ann_).Get(TasksPath("&view=" + std::to_string(view)))), (V{0, 1, 2, 3, 4}));

  // A view of another project is not found through this one.
  int64_t mine = project_;
  MakeProject(false, false);
  EXPECT_EQ(As(manager_).Get(TasksPath("&view=" + std::to_string(view))).status, 404);
  project_ = mine;

  EXPECT_EQ(As(ann_).Delete(path).status, 403);
  EXPECT_EQ(As(manager_).Delete(path).status, 204);
  EXPECT_EQ(As(manager_).Get(path).status, 404);
  for (int idx = 0; idx < 2; ++idx) {
    ASSERT_EQ(As(manager_).PostJson("/api/dm/views", json{{"project", project_}, {"data", data}}).status, 201);
  }
  std::string reset = "/api/dm/views/reset?project=" + std::to_string(project_);
  EXPECT_EQ(As(ann_).Delete(reset).status, 403);
  EXPECT_EQ(As(manager_).Delete(reset).status, 204);
  EXPECT_EQ(As(manager_).Get("/api/dm/views?project=" + std::to_string(project_)).Json(), json::array());
}

TEST_F(DataManagerApiTest, Actions) {
  MakeProject(/*prefilter=*/true);
  ASSERT_EQ(tasks_.size(), 6u);
  Reply listed = As(manager_).Get("/api/dm/actions?project=" + std::to_string(project_));
  ASSERT_EQ(listed.status, 200);
  std::vector<std::string> ids;
  for (const json& a : listed.Json()) ids.push_back(a["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"delete_tasks", "delete_tasks_annotations",
                                           "delete_tasks_predictions", "assign", "mark_ground_truth",
                                           "unmark_ground_truth", "send_to_review", "requeue",
                                           "release_filtered"}));
  EXPECT_EQ(As(ann_).Get("/api/dm/actions?project=" + std::to_string(project_)).Json(), json::array());
  EXPECT_EQ(As(ann_).PostJson("/api/dm/actions?id=delete_tasks&project=" + std::to_string(project_),
                              json{{"selectedItems", Included({tasks_[0]})}}).status, 403);
  Reply unknown = Action("explode", json{{"selectedItems", Included({tasks_[0]})}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.Json().value("detail", "").find("release_filtered"), std::string::npos);
  EXPECT_EQ(Action("requeue", json::object()).status, 400);  // no selectedItems

  auto processed = [](const Reply& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().value("processed_items", int64_t{-1});
  };
  auto gt = [&]() {
    return List({{"filters", Filters({Item("ground_truth", "equal", "Boolean", true)})}});
  };
  // Ground truth.
  EXPECT_EQ(processed(Action("mark_ground_truth", json{{"selectedItems", Included({tasks_[0], tasks_[2]})}})), 1);
  EXPECT_EQ(gt(), (V{0}));
  EXPECT_EQ(TaskRow(0)["ground_truth"], true);
  EXPECT_EQ(processed(Action("unmark_ground_truth", json{{"selectedItems", Included({tasks_[0]})}})), 1);
  EXPECT_EQ(gt(), (V{}));

  // Send to review: an accepted annotation goes back to pending.
  json annotations = As(manager_).Get("/api/tasks/" + std::to_string(tasks_[1]) + "/annotations").Json();
  ASSERT_EQ(annotations.size(), 2u);
  int64_t first = annotations[0]["id"], latest = annotations[1]["id"];
  for (int64_t a : {first, latest}) {
    ASSERT_EQ(As(manager_).PostJson("/api/annotations/" + std::to_string(a) + "/reviews",
                                    json{{"accepted", true}}).status, 201);
  }
  EXPECT_EQ(TaskRow(1)["reviews_accepted"], 2);
  EXPECT_EQ(processed(Action("send_to_review", json{{"selectedItems", Included({tasks_[1]})}})), 1);
  EXPECT_EQ(TaskRow(1)["reviews_accepted"], 1);  // only the newest annotation

  // Requeue: ann's skip of task 2 is removed.
  Annotate(ann_, tasks_[2], "", /*cancelled=*/true);
  EXPECT_EQ(TaskRow(2)["cancelled_annotations"], 1);
  EXPECT_EQ(processed(Action("requeue", json{{"selectedItems", Included({tasks_[2]})}})), 1);
  EXPECT_EQ(TaskRow(2)["cancelled_annotations"], 0);

  // Assign.
  Reply assigned = Action("assign", json{{"selectedItems", Included({tasks_[3]})}, {"type", "AN"},
                                         {"users", {UserId(ann_)}}});
  EXPECT_EQ(processed(assigned), 1);
  json assignees = As(manager_).Get("/api/tasks/" + std::to_string(tasks_[3]) + "/assignees").Json();
  ASSERT_EQ(assignees.size(), 1u) << assignees.dump();
  EXPECT_EQ(assignees[0]["user"], UserId(ann_));
  EXPECT_EQ(Action("assign", json{{"selectedItems", Included({tasks_[3]})}, {"type", "XX"},
                                  {"users", {UserId(ann_)}}}).status, 400);

  // Release pre-filtered: the duplicate (task 5) is flagged on import; select
  // it through a filter with all = true.
  EXPECT_EQ(TaskRow(5)["prefilter_flags"], json({"duplicate"}));
  json flagged = {{"selectedItems", {{"all", true}, {"excluded", json::array()}}},
                  {"filters", Filters({Item("prefilter_flag", "equal", "String", "duplicate")})}};
  EXPECT_EQ(processed(Action("release_filtered", flagged)), 1);
  EXPECT_EQ(TaskRow(5)["prefilter_flags"], json::array());

  // Predictions and annotations.
  ASSERT_EQ(As(manager_).PostJson("/api/predictions", json{{"task", tasks_[4]}, {"result", Mood("Good")},
                                                          {"score", 0.75}}).status, 201);
  EXPECT_EQ(TaskRow(4)["predictions_score"], 0.75);
  EXPECT_EQ(processed(Action("delete_tasks_predictions", json{{"selectedItems", Included({tasks_[4]})}})), 1);
  EXPECT_EQ(TaskRow(4)["total_predictions"], 0);
  EXPECT_EQ(processed(Action("delete_tasks_annotations", json{{"selectedItems", Included({tasks_[1]})}})), 1);
  EXPECT_EQ(TaskRow(1)["total_annotations"], 0);

  // Export of a selection, by ids and by query.
  Reply exported = As(manager_).Get(ProjectPath("/export?exportType=JSON&download_all_tasks=true&ids=" +
                                                std::to_string(tasks_[4]) + "," + std::to_string(tasks_[2])));
  ASSERT_EQ(exported.status, 200) << exported.body;
  std::vector<int64_t> got;
  for (const json& t : exported.Json()) got.push_back(t["id"]);
  EXPECT_EQ(got, (std::vector<int64_t>{tasks_[2], tasks_[4]}));
  exported = As(manager_).Get(ProjectPath("/export?exportType=JSON&download_all_tasks=true" +
                                          QueryParam({{"search", "alpha"}})));
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_EQ(exported.Json().size(), 3u);  // tasks 0, 3 and the duplicate 5
  EXPECT_EQ(As(manager_).Get(ProjectPath("/export?exportType=JSON&ids=1,x")).status, 400);

  // Delete every task matching a search, except one; audited.
  json body = {{"selectedItems", {{"all", true}, {"excluded", {tasks_[5]}}}}, {"search", "alpha"}};
  EXPECT_EQ(processed(Action("delete_tasks", body)), 2);
  EXPECT_EQ(As(manager_).Get("/api/tasks/" + std::to_string(tasks_[0])).status, 404);
  EXPECT_EQ(As(manager_).Get("/api/tasks/" + std::to_string(tasks_[5])).status, 200);
  EXPECT_EQ(List(json::object()), (V{1, 2, 4, 5}));
  Reply audit = As(admin_).Get("/api/audit?limit=50");
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_NE(audit.body.find("dm.delete_tasks"), std::string::npos) << audit.body.substr(0, 2000);
}

}  // namespace
}  // namespace tessera::testing
