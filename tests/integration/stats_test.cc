// GET /api/projects/{id}/stats/project against the real server, on a small
// project whose every number is counted by hand below.
//
// Annotations from earlier days are seeded straight into the data folder's
// store before the server starts (the API stamps annotations with the current
// time); everything after that goes over HTTP.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include "tessera/store.h"
#include "tessera/util.h"
#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

using nlohmann::json;

constexpr char kConfig[] = R"(<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <Choices name="sentiment" toName="text">
    <Choice value="Positive"/><Choice value="Negative"/><Choice value="Neutral"/>
  </Choices>
  <Rating name="stars" toName="text" maxRating="5"/>
  <Taxonomy name="topic" toName="text">
    <Choice value="Animals"><Choice value="Cats"/></Choice>
    <Choice value="Plants"/>
  </Taxonomy>
</View>)";

json Sentiment(const std::string& value) {
  return {{"from_name", "sentiment"}, {"to_name", "text"}, {"type", "choices"},
          {"value", {{"choices", {value}}}}};
}
json Span(const std::string& label, int start) {
  return {{"id", "r" + std::to_string(start)}, {"from_name", "ner"}, {"to_name", "text"},
          {"type", "labels"},
          {"value", {{"start", start}, {"end", start + 3}, {"text", "Ada"}, {"labels", {label}}}}};
}
json Stars(int n) {
  return {{"from_name", "stars"}, {"to_name", "text"}, {"type", "rating"},
          {"value", {{"rating", n}}}};
}
json Topics() {
  return {{"from_name", "topic"}, {"to_name", "text"}, {"type", "taxonomy"},
          {"value", {{"taxonomy", {{"Animals", "Cats"}, {"Plants"}}}}}};
}

TimeMs At(const char* iso_day) {  // "2024-03-01" at 10:00 UTC
  std::tm tm{};
  std::sscanf(iso_day, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_hour = 10;
  return static_cast<TimeMs>(timegm(&tm)) * 1000;
}

struct Account {
  Id id = 0;
  std::string token;
};

class ProjectStatsTest : public ::testing::Test {
 protected:
  HttpClient As(const Account& account) {
    HttpClient c("127.0.0.1", server_.port());
    c.SetHeader("Authorization", "Token " + account.token);
    return c;
  }
  std::string Tasks(Id task) { return "/api/tasks/" + std::to_string(task) + "/annotations"; }

  ServerProcess server_;
};

TEST_F(ProjectStatsTest, CountsByHand) {
  // ---- seeded: users, the project (overlap 2), six tasks, two earlier days ----
  Account admin, ann1, ann2, reviewer;
  Id pid = 0;
  std::vector<Id> t;
  {
    auto opened = server_.OpenStore();  // SQLite, or PostgreSQL under TESSERA_TEST_DATABASE=postgres
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    Store& store = **opened;
    auto add = [&](const std::string& email, bool is_admin) {
      User user;
      user.email = user.username = email;
      user.is_admin = is_admin;
      EXPECT_TRUE(store.CreateUser(&user).ok());
      Account account{user.id, RandomHex(20)};
      EXPECT_TRUE(store.SetApiToken(user.id, account.token).ok());
      return account;
    };
    admin = add("admin@x.org", true);
    ann1 = add("ann1@x.org", false);
    ann2 = add("ann2@x.org", false);
    reviewer = add("rev@x.org", false);
    Project project;
    project.title = "Stats";
    project.label_config = kConfig;
    project.maximum_annotations = 2;
    project.created_by = admin.id;
    ASSERT_TRUE(store.CreateProject(&project).ok());
    pid = project.id;
    ASSERT_TRUE(store.SetMember(pid, ann1.id, Role::kAnnotator).ok());
    ASSERT_TRUE(store.SetMember(pid, ann2.id, Role::kAnnotator).ok());
    ASSERT_TRUE(store.SetMember(pid, reviewer.id, Role::kReviewer).ok());
    std::vector<NewTask> tasks(6);
    for (size_t idx = 0; idx < tasks.size(); ++idx) {
      tasks[idx].data = json{{"text", "Ada at IBM " + std::to_string(idx)}}.dump();
    }
    ASSERT_TRUE(store.InsertTasks(pid, 0, tasks, &t).ok());
    ASSERT_EQ(t.size(), 6u);
    auto annotate = [&](Id task, const Account& who, const json& result, bool skip,
                        const char* day) {
      Annotation a;
      a.task_id = task;
      a.completed_by = a.updated_by = who.id;
      a.result = result.dump();
      a.was_cancelled = skip;
      a.last_action = "submitted";
      a.created_at = At(day);
      EXPECT_TRUE(store.CreateAnnotation(&a).ok());
    };
    // 2024-03-01: t1 by both (done: overlap 2), ann2 skips t2.
    annotate(t[0], ann1, json::array({Sentiment("Positive")}), false, "2024-03-01");
    annotate(t[0], ann2, json::array({Sentiment("Negative"), Span("PER", 0)}), false, "2024-03-01");
    annotate(t[1], ann2, json::array(), true, "2024-03-01");
    // 2024-03-02: ann1 rates t2.
    annotate(t[1], ann1, json::array({Stars(4)}), false, "2024-03-02");
  }
  server_.Start();
  HttpClient c1 = As(ann1), c2 = As(ann2), rc = As(reviewer), ac = As(admin);

  // ---- today, over HTTP ----
  // t3: ann1 submits Negative, then changes it to Positive (only the latest
  // state counts); ann2 skips it with a result (a skip's labels do not count).
  Reply a3 = c1.PostJson(Tasks(t[2]), json{{"result", {Sentiment("Negative"), Topics()}}});
  ASSERT_EQ(a3.status, 201) << a3.body;
  Id a3_id = a3.Json()["id"];
  ASSERT_EQ(c1.PatchJson("/api/annotations/" + std::to_string(a3_id),
                         json{{"result", {Sentiment("Positive"), Topics()}}}).status, 200);
  ASSERT_EQ(c2.PostJson(Tasks(t[2]), json{{"result", {Sentiment("Neutral")}}, {"was_cancelled", true}})
                .status, 201);
  // t4: skipped by both. t5: a ground truth with two ORG regions. t6: untouched.
  ASSERT_EQ(c1.PostJson(Tasks(t[3]), json{{"result", json::array()}, {"was_cancelled", true}}).status, 201);
  ASSERT_EQ(c2.PostJson(Tasks(t[3]), json{{"result", json::array()}, {"was_cancelled", true}}).status, 201);
  ASSERT_EQ(ac.PostJson(Tasks(t[4]), json{{"result", {Sentiment("Neutral"), Span("ORG", 0), Span("ORG", 8)}},
                                          {"ground_truth", true}})
                .status, 201);
  // Reviews: accept t1/ann1, fix t1/ann2 (same labels), reject t2/ann1; t3/ann1 stays pending.
  json t1 = ac.Get("/api/tasks/" + std::to_string(t[0])).Json();
  json t2 = ac.Get("/api/tasks/" + std::to_string(t[1])).Json();
  auto author_of = [](const json& task, Id user) -> Id {
    for (const json& a : task["annotations"])
      if (a["completed_by"] == user && !a["was_cancelled"].get<bool>()) return a["id"];
    return 0;
  };
  auto review = [&](Id annotation, const json& body) {
    return rc.PostJson("/api/annotations/" + std::to_string(annotation) + "/reviews", body).status;
  };
  EXPECT_EQ(review(author_of(t1, ann1.id), json{{"accepted", true}}), 201);
  EXPECT_EQ(review(author_of(t1, ann2.id),
                   json{{"accepted", true}, {"result", {Sentiment("Negative"), Span("PER", 0)}}}), 201);
  EXPECT_EQ(review(author_of(t2, ann1.id), json{{"accepted", false}, {"comment", "five stars"}}), 201);

  // ---- permissions ----
  std::string path = "/api/projects/" + std::to_string(pid) + "/stats/project";
  EXPECT_EQ(c1.Get(path).status, 403);
  EXPECT_EQ(rc.Get(path).status, 403);
  EXPECT_EQ(ac.Get("/api/projects/999999/stats/project").status, 404);

  // ---- the numbers ----
  Reply reply = ac.Get(path);
  ASSERT_EQ(reply.status, 200) << reply.body;
  json stats = reply.Json();
  EXPECT_EQ(stats["project"], pid);
  EXPECT_EQ(stats["stale"], false);  // computed now (and saved as the project's snapshot)
  // done: t1 only (2 annotations; the others have at most 1 non-cancelled).
  // with_annotations: t1, t2, t3, t5. skipped_only: t4.
  EXPECT_EQ(stats["tasks"], (json{{"total", 6}, {"done", 1}, {"remaining", 5},
                                  {"with_annotations", 4}, {"skipped_only", 1}}));
  // submitted: t1 x2, t2/ann1, t3/ann1. skipped: t2/ann2, t3/ann2, t4 x2.
  EXPECT_EQ(stats["annotations"], (json{{"submitted", 4}, {"skipped", 4}, {"ground_truth", 1}}));
  json labels = json::array({
      {{"from_name", "ner"}, {"type", "labels"}, {"counts", {{"ORG", 2}, {"PER", 1}}}},
      {{"from_name", "sentiment"}, {"type", "choices"},
       {"counts", {{"Negative", 1}, {"Neutral", 1}, {"Positive", 2}}}},
      {{"from_name", "stars"}, {"type", "rating"}, {"counts", {{"4", 1}}}},
      {{"from_name", "topic"}, {"type", "taxonomy"},
       {"counts", {{"Animals / Cats", 1}, {"Plants", 1}}}},
  });
  EXPECT_EQ(stats["labels"], labels) << stats["labels"].dump(2);
  json per_day = stats["per_day"];
  ASSERT_GE(per_day.size(), 3u) << per_day.dump(2);
  EXPECT_EQ(per_day[0], (json{{"date", "2024-03-01"}, {"submitted", 2}, {"skipped", 1}, {"done_total", 2}}));
  EXPECT_EQ(per_day[1], (json{{"date", "2024-03-02"}, {"submitted", 1}, {"skipped", 0}, {"done_total", 3}}));
  // Today (possibly two days if the test straddles midnight UTC): t3/ann1
  // submitted; t3/ann2 and t4 x2 skipped; the ground truth is counted apart.
  int64_t submitted = 0, skipped = 0;
  for (size_t idx = 2; idx < per_day.size(); ++idx) {
    submitted += per_day[idx]["submitted"].get<int64_t>();
    skipped += per_day[idx]["skipped"].get<int64_t>();
    EXPECT_GT(per_day[idx]["date"].get<std::string>(), per_day[idx - 1]["date"].get<std::string>());
  }
  EXPECT_EQ(submitted, 1);
  EXPECT_EQ(skipped, 3);
  EXPECT_EQ(per_day.back()["done_total"], 4);
  EXPECT_EQ(stats["review"], (json{{"pending", 1}, {"accepted", 1}, {"rejected", 1}, {"fixed", 1}}));

  // ---- later writes reach the dashboards through the change log ----
  std::string annotators_path = "/api/projects/" + std::to_string(pid) + "/stats/annotators";
  ASSERT_EQ(ac.Get(annotators_path).status, 200);
  // ann1 relabels t3 (Positive -> Neutral), ann2 labels t6, t4 is deleted
  // (its two skips go), and ann2's annotation on t1 is deleted.
  ASSERT_EQ(c1.PatchJson("/api/annotations/" + std::to_string(a3_id),
                         json{{"result", {Sentiment("Neutral")}}}).status, 200);
  ASSERT_EQ(c2.PostJson(Tasks(t[5]), json{{"result", {Sentiment("Negative")}}}).status, 201);
  ASSERT_EQ(ac.Request("DELETE", "/api/tasks/" + std::to_string(t[3])).status, 204);
  ASSERT_EQ(ac.Request("DELETE", "/api/annotations/" + std::to_string(author_of(t1, ann2.id))).status, 204);
  json later = ac.Get(path).Json();
  EXPECT_EQ(later["annotations"], (json{{"submitted", 4}, {"skipped", 2}, {"ground_truth", 1}}));
  EXPECT_EQ(later["labels"][1], (json{{"from_name", "sentiment"}, {"type", "choices"},
                                      {"counts", {{"Negative", 1}, {"Neutral", 2}, {"Positive", 1}}}}))
      << later["labels"].dump(2);
  // The fixed PER span went with its annotation.
  EXPECT_EQ(later["labels"][0]["counts"], (json{{"ORG", 2}}));
  json later_annotators = ac.Get(annotators_path).Json();
  // A server stopped gracefully saves its dashboards as they are; restarted,
  // it first answers with those numbers, marked stale, while it rebuilds
  // both dashboards from scratch; then live again with the same numbers.
  server_.Stop();
  server_.Start();
  HttpClient fresh = As(admin);
  json saved = fresh.Get(path).Json();
  EXPECT_EQ(saved["stale"], true) << saved.dump(2);
  EXPECT_EQ(saved["annotations"], later["annotations"]);
  EXPECT_EQ(saved["labels"], later["labels"]);
  EXPECT_EQ(saved["per_day"], later["per_day"]);
  EXPECT_EQ(saved["tasks"], later["tasks"]);  // task counts are always live
  EXPECT_NE(saved["annotations"], stats["annotations"]);  // not the first request's snapshot
  auto numbers = [](json j) {
    j.erase("stale");
    j.erase("as_of");
    return j;
  };
  auto live = [&](const std::string& route) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      json j = fresh.Get(route).Json();
      if (j["stale"] == false) return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << route << " still stale after 10 s";
    return json();
  };
  EXPECT_EQ(numbers(live(path)), numbers(later));
  EXPECT_EQ(numbers(live(annotators_path)), numbers(later_annotators));
  // ann1, ann2 and the admin (the ground truth's author), by user id.
  ASSERT_EQ(later_annotators["annotators"].size(), 3u) << later_annotators.dump(2);
  const json& first = later_annotators["annotators"][0];
  EXPECT_EQ(first["user"]["id"], admin.id);
  EXPECT_EQ(first["ground_truth"], 1);
  const json& second = later_annotators["annotators"][1];
  EXPECT_EQ(second["user"]["id"], ann1.id);
  EXPECT_EQ(second["submitted"], 3);  // t1, t2, t3
  EXPECT_EQ(second["skipped"], 0);    // t4's skip went with the task
  const json& third = later_annotators["annotators"][2];
  EXPECT_EQ(third["submitted"], 1);   // t6; t1's was deleted
  EXPECT_EQ(third["skipped"], 2);     // t2, t3
}

}  // namespace
}  // namespace tessera::testing
