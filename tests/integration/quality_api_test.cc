// /api/projects/{id}/quality/...: the quality library wired to a project's
// annotations over HTTP. Values are checked against a hand computation or the
// library called in-process on the same table (the library itself is checked
// against published examples in src/quality); the cache is checked to re-read
// only what changed.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include <cmath>

#include "tessera/quality.h"
#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

using nlohmann::json;
namespace q = quality;

constexpr char kChoicesConfig[] = R"(<View>
  <Text name="text" value="$text"/>
  <Choices name="animal" toName="text"><Choice value="Cat"/><Choice value="Dog"/><Choice value="Bird"/></Choices>
</View>)";

constexpr char kBoxConfig[] = R"(<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Car"/><Label value="Person"/></RectangleLabels>
</View>)";

// Six tasks, three annotators (annotator 2 skips task 6):
//   T1 Cat Cat Cat | T2 Dog Dog Cat | T3 Bird Bird Bird
//   T4 Cat Dog Dog | T5 Dog Dog Dog | T6 Cat Cat -
const std::vector<std::vector<const char*>> kAnswers = {
    {"Cat", "Cat", "Cat"}, {"Dog", "Dog", "Cat"}, {"Bird", "Bird", "Bird"},
    {"Cat", "Dog", "Dog"}, {"Dog", "Dog", "Dog"}, {"Cat", "Cat", nullptr}};

// The same as a rating table with codes in config order (Cat 0, Dog 1, Bird 2).
q::RatingTable AnswerTable() {
  q::RatingTable table;
  for (const auto& row : kAnswers) {
    std::vector<q::Rating> r;
    for (const char* a : row) {
      if (a == nullptr) r.push_back(std::nullopt);
      else r.push_back(std::string(a) == "Cat" ? 0.0 : std::string(a) == "Dog" ? 1.0 : 2.0);
    }
    table.push_back(r);
  }
  return table;
}

json ChoiceResult(const char* v) {
  return json{{"result", json::array({{{"from_name", "animal"}, {"to_name", "text"},
                                       {"type", "choices"}, {"value", {{"choices", {v}}}}}})}};
}

json BoxItem(double x, double y, double w, double h, const char* label) {
  return {{"from_name", "box"}, {"to_name", "image"}, {"type", "rectanglelabels"},
          {"original_width", 1000}, {"original_height", 500},
          {"value", {{"x", x}, {"y", y}, {"width", w}, {"height", h}, {"rectanglelabels", {label}}}}};
}

class QualityApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    admin_token_ = server_->AddUser("admin@example.com", "correct horse", true);
    for (int i = 0; i < 3; ++i) {
      tokens_.push_back(server_->AddUser("rater" + std::to_string(i) + "@example.com", "rater password", false));
    }
    server_->Start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  HttpClient Client(const std::string& token) {
    HttpClient c("127.0.0.1", server_->port());
    c.SetHeader("Authorization", "Token " + token);
    return c;
  }
  HttpClient Admin() { return Client(admin_token_); }

  // A project with the six tasks answered as kAnswers; fills ids.
  int MakeChoicesProject(std::vector<int>* task_ids, std::vector<std::vector<int>>* annotation_ids) {
    HttpClient admin = Admin();
    Reply r = admin.PostJson("/api/projects", json{{"title", "animals"}, {"label_config", kChoicesConfig}});
    EXPECT_EQ(r.status, 201) << r.body;
    int pid = r.Json()["id"];
    std::string base = "/api/projects/" + std::to_string(pid);
    json tasks = json::array();
    for (size_t t = 0; t < kAnswers.size(); ++t) tasks.push_back({{"text", "task " + std::to_string(t)}});
    json ids = admin.PostJson(base + "/import?return_task_ids=1", tasks).Json()["task_ids"];
    for (const auto& id : ids) task_ids->push_back(id.get<int>());
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(admin.PostJson(base + "/members", json{{"email", "rater" + std::to_string(i) + "@example.com"}}).status, 201);
    }
    annotation_ids->assign(kAnswers.size(), std::vector<int>(3, 0));
    for (size_t t = 0; t < kAnswers.size(); ++t) {
      for (size_t who = 0; who < 3; ++who) {
        if (kAnswers[t][who] == nullptr) continue;
        HttpClient c = Client(tokens_[who]);
        Reply a = c.PostJson("/api/tasks/" + std::to_string((*task_ids)[t]) + "/annotations",
                             ChoiceResult(kAnswers[t][who]));
        EXPECT_EQ(a.status, 201) << a.body;
        (*annotation_ids)[t][who] = a.Json()["id"];
      }
    }
    return pid;
  }

  static ServerProcess* server_;
  static std::string admin_token_;
  static std::vector<std::string> tokens_;
};

ServerProcess* QualityApiTest::server_ = nullptr;
std::string QualityApiTest::admin_token_;
std::vector<std::string> QualityApiTest::tokens_;

TEST_F(QualityApiTest, SummaryCoefficientsAndAggregation) {
  std::vector<int> tasks;
  std::vector<std::vector<int>> annotations;
  int pid = MakeChoicesProject(&tasks, &annotations);
  std::string base = "/api/projects/" + std::to_string(pid) + "/quality";
  HttpClient admin = Admin();
  const q::RatingTable table = AnswerTable();

  Reply r = admin.Get(base + "?threshold=0.9");
  ASSERT_EQ(r.status, 200) << r.body;
  json summary = r.Json();
  ASSERT_EQ(summary["controls"].size(), 1u);
  json animal = summary["controls"][0];
  EXPECT_EQ(animal["from_name"], "animal");
  EXPECT_EQ(animal["metric"], "krippendorff_alpha");
  EXPECT_EQ(animal["tasks"], 6);
  // Percent agreement by hand: T1 1, T2 1/3, T3 1, T4 1/3, T5 1, T6 1 -> 14/3 / 6 = 7/9.
  EXPECT_NEAR(animal["percent_agreement"].get<double>(), 7.0 / 9.0, 1e-12);
  EXPECT_NEAR(animal["value"].get<double>(), q::KrippendorffAlpha(table, q::Level::kNominal)->value, 1e-12);
  ASSERT_EQ(summary["annotators"].size(), 3u);
  EXPECT_EQ(summary["annotators"][0]["email"], "rater0@example.com");
  EXPECT_EQ(animal["pairwise"].size(), 3u);
  // Lowest tasks: T2 and T4 (1/3), the lower id first; 2 of 6 below 0.9.
  EXPECT_EQ(summary["tasks"]["lowest"][0]["task"], tasks[1]);
  EXPECT_EQ(summary["tasks"]["lowest"][1]["task"], tasks[3]);
  EXPECT_NEAR(summary["tasks"]["lowest"][0]["score"].get<double>(), 1.0 / 3.0, 1e-12);
  EXPECT_EQ(summary["tasks"]["below_threshold"], 2);
  EXPECT_EQ(summary["tasks"]["histogram"][3]["count"], 2);  // [0.3, 0.4)
  EXPECT_EQ(summary["tasks"]["histogram"][9]["count"], 4);  // 1.0 lands in the last bin
  bool control_flag = false, tasks_flag = false;
  for (const auto& f : summary["red_flags"]) {
    control_flag |= f["kind"] == "control" && f["from_name"] == "animal";
    tasks_flag |= f["kind"] == "tasks" && f["count"] == 2;
  }
  EXPECT_TRUE(control_flag) << summary["red_flags"].dump();
  EXPECT_TRUE(tasks_flag);
  EXPECT_TRUE(admin.Get(base + "?threshold=-1").Json()["red_flags"].empty());

  // The manager's annotator statistics carry the same agreement with peers.
  json stats = admin.Get("/api/projects/" + std::to_string(pid) + "/stats/annotators").Json();
  ASSERT_EQ(stats["annotators"].size(), 3u) << stats.dump();
  for (const auto& row : stats["annotators"]) {
    for (const auto& a : summary["annotators"]) {
      if (a["id"] == row["user"]["id"]) {
        EXPECT_NEAR(row["agreement"].get<double>(), a["mean_pairwise"].get<double>(), 1e-12);
      }
    }
  }
  EXPECT_EQ(admin.Get("/api/projects/" + std::to_string(pid) + "/stats/annotators?agreement_threshold=5").status, 400);

  // Single coefficients equal the library's on the same table.
  q::CategoryOptions three;
  three.categories = {0, 1, 2};
  json fleiss = admin.Get(base + "/agreement?control=animal&metric=fleiss").Json();
  EXPECT_NEAR(fleiss["value"].get<double>(), q::FleissKappa(table, three)->value, 1e-12);
  EXPECT_EQ(fleiss["items"], 6);
  json gwet = admin.Get(base + "/agreement?metric=gwet").Json();  // first categorical control
  EXPECT_NEAR(gwet["value"].get<double>(), q::GwetAC(table, three)->value, 1e-12);
  json bp = admin.Get(base + "/agreement?metric=brennan-prediger").Json();
  EXPECT_NEAR(bp["value"].get<double>(), q::BrennanPrediger(table, three)->value, 1e-12);
  // Cohen with three annotators: the mean of the three pairwise kappas.
  double sum = 0;
  for (size_t a = 0; a < 3; ++a)
    for (size_t b = a + 1; b < 3; ++b) {
      q::RatingTable two;
      for (const auto& row : table)
        if (row[a] && row[b]) two.push_back({row[a], row[b]});
      sum += q::CohenKappa(two, three)->value;
    }
  json cohen = admin.Get(base + "/agreement?metric=cohen").Json();
  EXPECT_NEAR(cohen["value"].get<double>(), sum / 3, 1e-12);
  EXPECT_EQ(cohen["pairs"], 3);
  // Scott's pi likewise, and its bootstrap interval: the server resamples the
  // sparse table; the same draws on the dense table give the same interval.
  auto mean_scott = [&](const q::RatingTable& t) -> tessera::Result<double> {
    double total = 0;
    int used = 0;
    for (size_t a = 0; a < 3; ++a)
      for (size_t b = a + 1; b < 3; ++b) {
        q::RatingTable two;
        for (const auto& row : t)
          if (row[a] && row[b]) two.push_back({row[a], row[b]});
        if (two.size() < 2) continue;
        auto c = q::ScottPi(two, three);
        if (!c.ok() || !std::isfinite(c->value)) continue;
        total += c->value;
        ++used;
      }
    if (used == 0) return tessera::Status::InvalidArgument("no pair");
    return total / used;
  };
  json scott = admin.Get(base + "/agreement?metric=scott&ci=true").Json();
  EXPECT_NEAR(scott["value"].get<double>(), *mean_scott(table), 1e-12);
  auto scott_ci = q::BootstrapCI(table, mean_scott);
  ASSERT_TRUE(scott_ci.ok() && scott.contains("ci95")) << scott.dump();
  EXPECT_NEAR(scott["ci95"][0].get<double>(), scott_ci->lower, 1e-12);
  EXPECT_NEAR(scott["ci95"][1].get<double>(), scott_ci->upper, 1e-12);
  EXPECT_EQ(scott["ci_replicates"], scott_ci->valid_replicates);
  json ci = admin.Get(base + "/agreement?metric=krippendorff&ci=true").Json();
  ASSERT_TRUE(ci.contains("ci95")) << ci.dump();
  EXPECT_LE(ci["ci95"][0].get<double>(), ci["value"].get<double>());
  EXPECT_GE(ci["ci95"][1].get<double>(), ci["value"].get<double>());

  // Majority vote: T4 is Dog (2 of 3); annotator 0 agrees with it on 5 of 6.
  json mv = admin.Get(base + "/aggregate?method=majority").Json();
  ASSERT_EQ(mv["items"].size(), 6u) << mv.dump();
  EXPECT_EQ(mv["items"][3]["label"], "Dog");
  EXPECT_EQ(mv["items"][3]["votes"], 2);
  EXPECT_NEAR(mv["annotators"][0]["agreement_with_majority"].get<double>(), 5.0 / 6.0, 1e-12);
  // Dawid-Skene: the library's labels and priors, keyed by label text.
  json ds = admin.Get(base + "/aggregate?method=dawid-skene&limit=2&offset=1").Json();
  q::DawidSkeneOptions dso;
  dso.categories = {0, 1, 2};
  auto expected = q::DawidSkene(table, dso);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(ds["total"], 6);
  ASSERT_EQ(ds["items"].size(), 2u);
  EXPECT_EQ(ds["items"][0]["task"], tasks[1]);
  EXPECT_NEAR(ds["items"][0]["posterior"]["Dog"].get<double>(), expected->posteriors[1][1], 1e-9);
  EXPECT_NEAR(ds["class_priors"]["Bird"].get<double>(), expected->priors[2], 1e-9);
  EXPECT_NEAR(ds["log_likelihood"].get<double>(), expected->log_likelihood, 1e-6);

  json ranking = admin.Get(base + "/annotators").Json();
  ASSERT_EQ(ranking["annotators"].size(), 3u) << ranking.dump();
  EXPECT_EQ(ranking["annotators"][0]["rank"], 1);
  // rater1 against the majority of the other two (a tie between t labels
  // earns 1/t): T1 1, T2 1/2 (Dog vs Cat), T3 1, T4 1/2, T5 1, T6 1 -> 5/6.
  for (const auto& a : ranking["annotators"]) {
    if (a["email"] == "rater1@example.com") {
      EXPECT_NEAR(a["agreement_with_others_majority"].get<double>(), 5.0 / 6.0, 1e-12);
      EXPECT_EQ(a["ratings"], 6);
    }
  }
  Reply issues = admin.Get(base + "/label-issues");
  ASSERT_EQ(issues.status, 200) << issues.body;
  EXPECT_EQ(issues.Json()["examples"], 17);  // 6 * 3 - 1 judgements

  // Bad input: 400 naming the parameter and the allowed values; annotators 403.
  Reply bad = admin.Get(base + "/agreement?metric=kappa");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("krippendorff"), std::string::npos) << bad.body;
  EXPECT_EQ(admin.Get(base + "/agreement?control=nope").status, 400);
  EXPECT_EQ(admin.Get(base + "?threshold=2").status, 400);
  EXPECT_EQ(admin.Get(base + "/tasks?limit=0").status, 400);
  EXPECT_EQ(Client(tokens_[0]).Get(base).status, 403);
}

TEST_F(QualityApiTest, CacheRereadsOnlyChangedTasks) {
  std::vector<int> tasks;
  std::vector<std::vector<int>> annotations;
  int pid = MakeChoicesProject(&tasks, &annotations);
  std::string base = "/api/projects/" + std::to_string(pid);
  HttpClient admin = Admin();
  json first = admin.Get(base + "/quality").Json();
  EXPECT_TRUE(first["cache"]["full_rebuild"]);
  json again = admin.Get(base + "/quality").Json();
  EXPECT_FALSE(again["cache"]["full_rebuild"]);
  EXPECT_EQ(again["cache"]["reloaded_tasks"], 0);

  // rater2 changes T2 from Cat to Dog: one task re-read, T2 now agrees fully.
  HttpClient rater2 = Client(tokens_[2]);
  Reply patch = rater2.PatchJson("/api/annotations/" + std::to_string(annotations[1][2]), ChoiceResult("Dog"));
  ASSERT_EQ(patch.status, 200) << patch.body;
  json after = admin.Get(base + "/quality").Json();
  EXPECT_FALSE(after["cache"]["full_rebuild"]);
  EXPECT_EQ(after["cache"]["reloaded_tasks"], 1);
  EXPECT_EQ(after["tasks"]["lowest"][0]["task"], tasks[3]);  // only T4 is left at 1/3
  json page = admin.Get(base + "/quality/tasks?order=asc&limit=1").Json();
  EXPECT_EQ(page["total"], 6);
  EXPECT_EQ(page["tasks"][0]["task"], tasks[3]);

  // Deleting a task removes it; an import (a bulk change) rebuilds.
  ASSERT_EQ(admin.Request("DELETE", "/api/tasks/" + std::to_string(tasks[3])).status, 204);
  json deleted = admin.Get(base + "/quality").Json();
  EXPECT_FALSE(deleted["cache"]["full_rebuild"]);
  EXPECT_EQ(deleted["tasks"]["count"], 5);
  EXPECT_DOUBLE_EQ(deleted["tasks"]["mean"].get<double>(), 1.0);
  ASSERT_EQ(admin.PostJson(base + "/import", json::array({{{"text", "new"}}})).status, 201);
  // While the project is read whole after it, the last answer, marked stale.
  json imported = admin.Get(base + "/quality").Json();
  EXPECT_EQ(imported["stale"], true) << imported.dump();
  EXPECT_EQ(imported["tasks"], deleted["tasks"]);
  for (int attempt = 0; attempt < 200 && imported["stale"] == true; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    imported = admin.Get(base + "/quality").Json();
  }
  EXPECT_EQ(imported["stale"], false);
  EXPECT_EQ(imported["tasks"]["count"], 5);  // the new task has no annotation, so no agreement
}

// After a restart the agreement cache reads the project whole; meanwhile
// the summary answers at once with its last answer for the same query,
// marked stale, and live again once the read is done. Another query has no
// kept answer and waits for the live one.
TEST_F(QualityApiTest, AfterARestartTheLastSummaryComesAtOnceMarkedStale) {
  std::vector<int> tasks;
  std::vector<std::vector<int>> annotations;
  int pid = MakeChoicesProject(&tasks, &annotations);
  std::string base = "/api/projects/" + std::to_string(pid) + "/quality";
  json live = Admin().Get(base).Json();
  ASSERT_EQ(live["stale"], false) << live.dump();
  ASSERT_TRUE(live.contains("as_of"));
  auto numbers = [](json j) {
    for (const char* key : {"stale", "as_of", "cache"}) j.erase(key);
    return j;
  };
  // Without the start's count of never-counted projects (this one never had
  // its dashboards asked for), which could finish the read before we ask.
  server_->Stop();
  server_->Start({"--no-count-uncounted"});
  HttpClient admin = Admin();
  json first = admin.Get(base).Json();
  EXPECT_EQ(first["stale"], true) << first.dump();
  EXPECT_EQ(first["as_of"], live["as_of"]);
  EXPECT_EQ(numbers(first), numbers(live));
  json other = admin.Get(base + "?threshold=0.9").Json();
  EXPECT_EQ(other["stale"], false);
  EXPECT_EQ(other["threshold"], 0.9);
  json again = first;
  for (int attempt = 0; attempt < 200 && again["stale"] == true; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    again = admin.Get(base).Json();
  }
  EXPECT_EQ(again["stale"], false);
  EXPECT_EQ(numbers(again), numbers(live));
  // Members cannot read the kept answer either.
  EXPECT_EQ(Client(tokens_[0]).Get(base).status, 403);
}

TEST_F(QualityApiTest, DetectionAgainstGroundTruth) {
  HttpClient admin = Admin();
  Reply r = admin.PostJson("/api/projects", json{{"title", "boxes"}, {"label_config", kBoxConfig}});
  ASSERT_EQ(r.status, 201);
  int pid = r.Json()["id"];
  std::string base = "/api/projects/" + std::to_string(pid);
  json ids = admin.PostJson(base + "/import?return_task_ids=1",
                            json::array({{{"image", "/data/a.png"}}, {{"image", "/data/b.png"}}}))
                 .Json()["task_ids"];
  EXPECT_EQ(admin.Get(base + "/quality/detection").status, 400);  // no ground truth yet

  // Ground truth on both images: a car and a person (1000 x 500 pixels).
  json truth = json::array({BoxItem(10, 10, 20, 20, "Car"), BoxItem(50, 40, 10, 30, "Person")});
  for (const auto& id : ids) {
    Reply a = admin.PostJson("/api/tasks/" + std::to_string(id.get<int>()) + "/annotations",
                             json{{"result", truth}, {"ground_truth", true}});
    ASSERT_EQ(a.status, 201) << a.body;
  }
  // The model finds everything exactly: AP = AR = 1.
  for (const auto& id : ids) {
    Reply p = admin.PostJson("/api/predictions", json{{"task", id}, {"result", truth}, {"score", 0.9}});
    ASSERT_EQ(p.status, 201) << p.body;
  }
  Reply perfect = admin.Get(base + "/quality/detection");
  ASSERT_EQ(perfect.status, 200) << perfect.body;
  json eval = perfect.Json();
  EXPECT_EQ(eval["images"], 2);
  EXPECT_EQ(eval["ground_truth_boxes"], 4);
  EXPECT_DOUBLE_EQ(eval["AP"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(eval["AR100"].get<double>(), 1.0);
  ASSERT_EQ(eval["per_class"].size(), 2u);
  EXPECT_EQ(eval["per_class"][0]["label"], "Car");

  // An annotator who finds only the cars, exactly: AP(Car) 1, AP(Person) 0 -> AP 0.5.
  std::string email = "boxer@example.com";
  std::string token = server_->AddUser(email, "boxer password", false);
  ASSERT_EQ(admin.PostJson(base + "/members", json{{"email", email}}).status, 201);
  HttpClient boxer = Client(token);
  int boxer_id = boxer.Get("/api/current-user/whoami").Json()["id"];
  for (const auto& id : ids) {
    ASSERT_EQ(boxer.PostJson("/api/tasks/" + std::to_string(id.get<int>()) + "/annotations",
                             json{{"result", json::array({BoxItem(10, 10, 20, 20, "Car")})}})
                  .status,
              201);
  }
  json theirs = admin.Get(base + "/quality/detection?candidate=annotator&annotator=" + std::to_string(boxer_id)).Json();
  EXPECT_DOUBLE_EQ(theirs["AP"].get<double>(), 0.5) << theirs.dump();
  EXPECT_EQ(theirs["candidate_boxes"], 2);
  EXPECT_EQ(admin.Get(base + "/quality/detection?candidate=annotator").status, 400);
  EXPECT_EQ(admin.Get(base + "/quality/detection?control=image").status, 400);
}

TEST_F(QualityApiTest, ReviewQueueByAgreement) {
  std::vector<int> tasks;
  std::vector<std::vector<int>> annotations;
  int pid = MakeChoicesProject(&tasks, &annotations);
  std::string queue = "/api/projects/" + std::to_string(pid) + "/review/queue";
  HttpClient admin = Admin();
  // Only T2 and T4 (score 1/3) are at most 0.5: their 3 + 3 annotations.
  json low = admin.Get(queue + "?max_agreement=0.5").Json();
  EXPECT_EQ(low["count"], 6) << low.dump();
  for (const auto& a : low["results"]) {
    EXPECT_TRUE(a["task"] == tasks[1] || a["task"] == tasks[3]) << a.dump();
    EXPECT_NEAR(a["agreement"].get<double>(), 1.0 / 3.0, 1e-12);
  }
  // Ordered by agreement: the six low ones first, then the rest; paging works.
  json ordered = admin.Get(queue + "?order=agreement&page_size=7").Json();
  EXPECT_EQ(ordered["count"], 17);
  ASSERT_EQ(ordered["results"].size(), 7u);
  EXPECT_NEAR(ordered["results"][5]["agreement"].get<double>(), 1.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(ordered["results"][6]["agreement"].get<double>(), 1.0);
  // Combined with the annotator filter.
  json rater0 = admin.Get(queue + "?max_agreement=0.5&annotator=" +
                          std::to_string(admin.Get("/api/tasks/" + std::to_string(tasks[0]) + "/annotations")
                                             .Json()[0]["completed_by"].get<int>()))
                    .Json();
  EXPECT_EQ(rater0["count"], 2) << rater0.dump();
  EXPECT_EQ(admin.Get(queue + "?order=score").status, 400);
  EXPECT_EQ(admin.Get(queue + "?max_agreement=x").status, 400);
}

}  // namespace
}  // namespace tessera::testing
