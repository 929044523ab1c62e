// Guidelines as versioned documents (issue 9) against the real server:
// publish with validation, list, get, diff, acknowledgement gating /next,
// annotations carrying the version they were made under, and quality per
// version with every number counted by hand.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

using nlohmann::json;

constexpr char kConfig[] = R"(<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text"><Choice value="Pos"/><Choice value="Neg"/></Choices>
</View>)";

json Choice(const std::string& value) {
  return json::array({{{"from_name", "sentiment"}, {"to_name", "text"}, {"type", "choices"},
                       {"value", {{"choices", {value}}}}}});
}

class GuidelinesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    admin_ = server_->AddUser("admin@example.com", "correct horse", true);
    manager_ = server_->AddUser("manager@example.com", "correct horse", false);
    ann1_ = server_->AddUser("ann1@example.com", "correct horse", false);
    ann2_ = server_->AddUser("ann2@example.com", "correct horse", false);
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
  // A project with `tasks` text tasks: manager_ manages it, ann1_ and ann2_ annotate.
  void MakeProject(int tasks) {
    HttpClient admin = As(admin_);
    Reply p = admin.PostJson("/api/projects", json{{"title", "Sentiment"}, {"label_config", kConfig},
                                                    {"maximum_annotations", 2}});
    ASSERT_EQ(p.status, 201) << p.body;
    project_ = p.Json().value("id", int64_t{0});
    for (auto [token, role] : {std::pair{manager_, "manager"}, std::pair{ann1_, "annotator"},
                               std::pair{ann2_, "annotator"}}) {
      Reply m = admin.PostJson(Url("/members"), json{{"user", UserId(token)}, {"role", role}});
      ASSERT_EQ(m.status, 201) << m.body;
    }
    tasks_.clear();
    for (int idx = 0; idx < tasks; ++idx) {
      Reply t = admin.PostJson("/api/tasks", json{{"project", project_},
                                                  {"data", {{"text", "review " + std::to_string(idx)}}}});
      ASSERT_EQ(t.status, 201) << t.body;
      tasks_.push_back(t.Json()["id"].get<int64_t>());
    }
  }
  std::string Url(const std::string& tail) const {
    return "/api/projects/" + std::to_string(project_) + tail;
  }
  Reply Publish(const json& body) { return As(manager_).PostJson(Url("/guidelines"), body); }
  Reply Annotate(const std::string& token, int64_t task, const std::string& value,
                 bool ground_truth = false) {
    Reply r = As(token).PostJson("/api/tasks/" + std::to_string(task) + "/annotations",
                                 json{{"result", Choice(value)}, {"ground_truth", ground_truth}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r;
  }
  static std::string FieldOf(const Reply& r) {
    json errors = r.Json().value("validation_errors", json::object());
    return errors.empty() ? "" : errors.begin().key();
  }

  static inline ServerProcess* server_ = nullptr;
  static inline std::string admin_, manager_, ann1_, ann2_;
  int64_t project_ = 0;
  std::vector<int64_t> tasks_;
};

TEST_F(GuidelinesTest, PublishValidateListGetAndDiff) {
  MakeProject(3);
  Reply empty = As(ann1_).Get(Url("/guidelines"));
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.Json()["count"], 0);
  EXPECT_EQ(empty.Json()["latest"], 0);

  // Annotators may not publish; bad input names the field.
  EXPECT_EQ(As(ann1_).PostJson(Url("/guidelines"), json{{"text", "x"}}).status, 403);
  Reply r = Publish(json{{"text", "  \n"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(FieldOf(r), "text");
  r = Publish(json{{"note", "no text"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(FieldOf(r), "text");
  r = Publish(json{{"text", std::string(200'001, 'a')}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.Json()["detail"].get<std::string>().find("200000"), std::string::npos) << r.body;
  r = Publish(json{{"text", "x"}, {"note", std::string(501, 'n')}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(FieldOf(r), "note");
  r = Publish(json{{"text", "x"}, {"examples", json::array({{{"task", 999999}, {"kind", "correct"}}})}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(FieldOf(r), "examples[0].task");
  r = Publish(json{{"text", "x"},
                   {"examples", json::array({{{"task", tasks_[0]}, {"kind", "great"}}})}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(FieldOf(r), "examples[0].kind");
  EXPECT_NE(r.Json()["detail"].get<std::string>().find("edge_case"), std::string::npos);
  EXPECT_EQ(As(ann1_).Get(Url("/guidelines")).Json()["count"], 0);  // nothing was stored

  const std::string v1 = "# Sentiment\n\nPick one.\n\n## Sarcasm\nTreat as Pos.\n";
  r = Publish(json{{"text", v1}, {"note", "first"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json()["version"], 1);

  Reply example = Annotate(manager_, tasks_[1], "Neg");
  int64_t example_id = example.Json().value("id", int64_t{0});
  const std::string v2 =
      "# Sentiment\n\nPick one.\n\n## Sarcasm\nTreat as Neg.\n<img src=x onerror=alert(1)>\n"
      "<script>alert(2)</script>\n";
  r = Publish(json{{"text", v2},
                   {"note", "sarcasm is negative"},
                   {"examples", json::array({{{"task", tasks_[1]}, {"annotation", example_id},
                                              {"kind", "edge_case"}, {"caption", "sarcasm"}},
                                             {{"task", tasks_[2]}, {"kind", "correct"}}})}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json()["version"], 2);

  Reply list = As(ann1_).Get(Url("/guidelines"));
  ASSERT_EQ(list.status, 200);
  json results = list.Json()["results"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["version"], 2);
  EXPECT_EQ(results[0]["note"], "sarcasm is negative");
  EXPECT_EQ(results[0]["text_length"], v2.size());
  EXPECT_EQ(results[0]["examples_count"], 2);
  EXPECT_EQ(results[0]["author"]["email"], "manager@example.com");
  EXPECT_EQ(results[1]["version"], 1);
  EXPECT_EQ(list.Json()["latest"], 2);
  EXPECT_EQ(list.Json()["acknowledged"], 0);

  Reply got = As(ann1_).Get(Url("/guidelines/2"));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.Json()["text"], v2);  // stored as given; the browser sanitizes
  json examples = got.Json()["examples"];
  ASSERT_EQ(examples.size(), 2u);
  EXPECT_EQ(examples[0]["kind"], "edge_case");
  EXPECT_EQ(examples[0]["caption"], "sarcasm");
  EXPECT_EQ(examples[0]["data"]["text"], "review 1");
  EXPECT_EQ(examples[0]["result"], Choice("Neg"));
  EXPECT_EQ(examples[1]["result"], nullptr);
  EXPECT_EQ(examples[1]["missing"], false);
  EXPECT_EQ(As(ann1_).Get(Url("/guidelines/latest")).Json()["version"], 2);
  EXPECT_EQ(As(ann1_).Get(Url("/guidelines/1")).Json()["text"], v1);
  EXPECT_EQ(As(ann1_).Get(Url("/guidelines/3")).status, 404);
  Reply bad = As(ann1_).Get(Url("/guidelines/abc"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(FieldOf(bad), "version");

  Reply diff = As(ann1_).Get(Url("/guidelines/2/diff?against=1"));
  ASSERT_EQ(diff.status, 200) << diff.body;
  EXPECT_EQ(diff.Json()["from"], 1);
  EXPECT_EQ(diff.Json()["to"], 2);
  EXPECT_EQ(diff.Json()["removed"], 1);
  EXPECT_EQ(diff.Json()["added"], 3);
  std::vector<std::string> script;
  json diff_body = diff.Json();
  for (const json& line : diff_body["lines"]) {
    script.push_back(line["op"].get<std::string>() + ":" + line["text"].get<std::string>());
  }
  EXPECT_EQ(script, (std::vector<std::string>{
                        "same:# Sentiment", "same:", "same:Pick one.", "same:", "same:## Sarcasm",
                        "removed:Treat as Pos.", "added:Treat as Neg.",
                        "added:<img src=x onerror=alert(1)>", "added:<script>alert(2)</script>"}));
  // Without ?against: the version before.
  EXPECT_EQ(As(ann1_).Get(Url("/guidelines/2/diff")).Json()["from"], 1);
  Reply wrong = As(ann1_).Get(Url("/guidelines/2/diff?against=9"));
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(FieldOf(wrong), "against");
}

TEST_F(GuidelinesTest, AcknowledgementGatesNextAndAnnotationsCarryTheVersion) {
  MakeProject(6);
  Reply next = As(ann1_).Get(Url("/next"));
  ASSERT_EQ(next.status, 200) << next.body;
  Reply before = Annotate(ann1_, next.Json()["id"].get<int64_t>(), "Pos");
  EXPECT_TRUE(before.Json().contains("guideline_version"));
  EXPECT_EQ(before.Json()["guideline_version"], nullptr);  // no guideline yet

  ASSERT_EQ(Publish(json{{"text", "# Rules\nv1"}, {"note", "first"}}).status, 201);
  Reply held = As(ann1_).Get(Url("/next"));
  ASSERT_EQ(held.status, 428) << held.body;
  EXPECT_EQ(held.Json()["code"], "guideline_acknowledgement_required");
  EXPECT_EQ(held.Json()["guideline_version"], 1);
  EXPECT_EQ(held.Json()["acknowledged_version"], 0);
  EXPECT_NE(held.Json()["detail"].get<std::string>().find("acknowledge"), std::string::npos);
  EXPECT_EQ(held.Json()["acknowledge_url"], Url("/guidelines/1/acknowledge"));
  // Managers and admins are not held.
  EXPECT_EQ(As(manager_).Get(Url("/next")).status, 200);
  EXPECT_EQ(As(admin_).Get(Url("/next")).status, 200);

  EXPECT_EQ(As(ann1_).Request("POST", Url("/guidelines/7/acknowledge")).status, 404);
  Reply ack = As(ann1_).Request("POST", Url("/guidelines/1/acknowledge"));
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(ack.Json()["acknowledged"], 1);
  EXPECT_EQ(As(ann2_).Get(Url("/next")).status, 428);  // per user
  next = As(ann1_).Get(Url("/next"));
  ASSERT_EQ(next.status, 200) << next.body;
  Reply made = Annotate(ann1_, next.Json()["id"].get<int64_t>(), "Neg");
  EXPECT_EQ(made.Json()["guideline_version"], 1);
  int64_t annotation = made.Json()["id"].get<int64_t>();
  EXPECT_EQ(As(ann1_).Get("/api/annotations/" + std::to_string(annotation)).Json()["guideline_version"], 1);

  ASSERT_EQ(Publish(json{{"text", "# Rules\nv2"}, {"note", "second"}}).status, 201);
  held = As(ann1_).Get(Url("/next"));
  EXPECT_EQ(held.status, 428);
  EXPECT_EQ(held.Json()["guideline_version"], 2);
  EXPECT_EQ(held.Json()["acknowledged_version"], 1);
  // A reviewer-style correction by the manager keeps the author's version;
  // the author's own rework moves to the latest.
  Reply fixed = As(manager_).PatchJson("/api/annotations/" + std::to_string(annotation),
                                       json{{"result", Choice("Pos")}});
  EXPECT_EQ(fixed.Json()["guideline_version"], 1) << fixed.body;
  Reply reworked = As(ann1_).PatchJson("/api/annotations/" + std::to_string(annotation),
                                       json{{"result", Choice("Neg")}});
  EXPECT_EQ(reworked.Json()["guideline_version"], 2) << reworked.body;
  // The export carries it too.
  Reply exported = As(manager_).Get(Url("/export?exportType=JSON"));
  ASSERT_EQ(exported.status, 200);
  int with_version = 0;
  json tasks = exported.Json();
  for (const json& task : tasks) {
    for (const json& a : task["annotations"]) with_version += a["guideline_version"] == 2;
  }
  EXPECT_EQ(with_version, 1);
}

// Two annotators label five tasks (one a honeypot) under each of two
// versions; per version: agreement = tasks where they agree / 5, honeypot
// accuracy = right answers / 2.
TEST_F(GuidelinesTest, QualityPerVersionIsCountedOverThatVersionsAnnotations) {
  MakeProject(11);
  Annotate(ann1_, tasks_[10], "Pos");  // before any guideline: version 0
  ASSERT_EQ(Publish(json{{"text", "v1"}}).status, 201);
  // Honeypots: the manager's ground truth on tasks 4 and 9.
  Annotate(manager_, tasks_[4], "Pos", /*ground_truth=*/true);
  Annotate(manager_, tasks_[9], "Pos", /*ground_truth=*/true);
  const char* v1[5][2] = {{"Pos", "Pos"}, {"Pos", "Neg"}, {"Neg", "Neg"}, {"Pos", "Neg"}, {"Neg", "Pos"}};
  for (int idx = 0; idx < 5; ++idx) {
    Annotate(ann1_, tasks_[idx], v1[idx][0]);
    Annotate(ann2_, tasks_[idx], v1[idx][1]);
  }
  ASSERT_EQ(Publish(json{{"text", "v2"}, {"note", "clearer"}}).status, 201);
  const char* v2[5][2] = {{"Pos", "Pos"}, {"Neg", "Neg"}, {"Pos", "Pos"}, {"Pos", "Neg"}, {"Pos", "Pos"}};
  for (int idx = 0; idx < 5; ++idx) {
    Annotate(ann1_, tasks_[5 + idx], v2[idx][0]);
    Annotate(ann2_, tasks_[5 + idx], v2[idx][1]);
  }
  EXPECT_EQ(As(ann1_).Get(Url("/stats/guidelines")).status, 403);
  Reply stats = As(manager_).Get(Url("/stats/guidelines"));
  ASSERT_EQ(stats.status, 200) << stats.body;
  json versions = stats.Json()["versions"];
  ASSERT_EQ(versions.size(), 3u) << stats.body;

  EXPECT_EQ(versions[0]["version"], 0);
  EXPECT_EQ(versions[0]["annotations"], 1);
  EXPECT_EQ(versions[0]["agreement"]["tasks_scored"], 0);
  EXPECT_EQ(versions[0]["agreement"]["mean_task_score"], nullptr);

  EXPECT_EQ(versions[1]["version"], 1);
  EXPECT_EQ(versions[1]["annotations"], 10);  // ground truth not counted
  EXPECT_EQ(versions[1]["annotators"], 2);
  EXPECT_EQ(versions[1]["tasks"], 5);
  EXPECT_EQ(versions[1]["agreement"]["tasks_scored"], 5);
  EXPECT_NEAR(versions[1]["agreement"]["mean_task_score"].get<double>(), 2.0 / 5.0, 1e-9);
  EXPECT_NEAR(versions[1]["agreement"]["controls"][0]["percent_agreement"].get<double>(), 0.4, 1e-9);
  EXPECT_EQ(versions[1]["honeypot"]["answered"], 2);
  EXPECT_EQ(versions[1]["honeypot"]["correct"], 1);
  EXPECT_NEAR(versions[1]["honeypot"]["accuracy"].get<double>(), 0.5, 1e-9);

  EXPECT_EQ(versions[2]["version"], 2);
  EXPECT_EQ(versions[2]["note"], "clearer");
  EXPECT_EQ(versions[2]["annotations"], 10);
  EXPECT_NEAR(versions[2]["agreement"]["mean_task_score"].get<double>(), 4.0 / 5.0, 1e-9);
  EXPECT_EQ(versions[2]["honeypot"]["correct"], 2);
  EXPECT_NEAR(versions[2]["honeypot"]["accuracy"].get<double>(), 1.0, 1e-9);

  // The numbers are kept while nothing changes, and counted again after a
  // submit and after a new version (which changes no task).
  EXPECT_EQ(As(manager_).Get(Url("/stats/guidelines")).Json(), stats.Json());
  ASSERT_EQ(Annotate(ann2_, tasks_[10], "Neg").status, 201);
  json later = As(manager_).Get(Url("/stats/guidelines")).Json()["versions"];
  ASSERT_EQ(later.size(), 3u) << later.dump();
  EXPECT_EQ(later[2]["annotations"], 11);
  ASSERT_EQ(Publish(json{{"text", "v3"}}).status, 201);
  later = As(manager_).Get(Url("/stats/guidelines")).Json()["versions"];
  ASSERT_EQ(later.size(), 4u) << later.dump();
  EXPECT_EQ(later[3]["version"], 3);
  EXPECT_EQ(later[3]["annotations"], 0);

  // After a restart the cache reads the project whole; meanwhile the last
  // answer comes at once, marked stale with the time it was computed, then
  // the live one with the same numbers.
  json kept = As(manager_).Get(Url("/stats/guidelines")).Json();
  EXPECT_EQ(kept["stale"], false);
  server_->Stop();
  server_->Start();
  json first = As(manager_).Get(Url("/stats/guidelines")).Json();
  EXPECT_EQ(first["stale"], true) << first.dump();
  EXPECT_EQ(first["as_of"], kept["as_of"]);
  EXPECT_EQ(first["versions"], kept["versions"]);
  EXPECT_EQ(As(ann1_).Get(Url("/stats/guidelines")).status, 403);
  json again = first;
  for (int attempt = 0; attempt < 200 && again["stale"] == true; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    again = As(manager_).Get(Url("/stats/guidelines")).Json();
  }
  EXPECT_EQ(again["stale"], false);
  EXPECT_EQ(again["versions"], kept["versions"]);
}

}  // namespace
}  // namespace tessera::testing
