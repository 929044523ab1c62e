// StatsCache keeps running totals that change with each changed task; these
// must always equal a fresh count. A random sequence of creates, edits and
// deletes (annotations and whole tasks) is applied to a real SQLite store,
// and after every round the cache brought up to date change by change is
// compared, number by number, with a new cache that reads the project whole;
// its honeypot scores are compared with the store's own pairing of answers
// and ground truth (Store::ListHoneypotAnswers).
#include "server/stats_cache.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "server/api/honeypot_score.h"
#include "server/dashboard_snapshots.h"
#include "src/formats/sqlite_fixture_for_test.h"
#include "tessera/store.h"

namespace tessera::server {
namespace {

constexpr char kConfig[] =
    "<View><Text name=\"text\" value=\"$text\"/>"
    "<Choices name=\"mood\" toName=\"text\"><Choice value=\"pos\"/><Choice value=\"neg\"/>"
    "<Choice value=\"mid\"/></Choices></View>";

std::string Days(const std::map<std::string, DayCounts>& days) {
  std::ostringstream out;
  for (const auto& [day, c] : days) out << day << ":" << c.submitted << "/" << c.skipped << " ";
  return out.str();
}

// Every number the dashboards show, as text (a failed comparison prints both).
std::string Describe(const DashboardStats& s) {
  std::ostringstream out;
  out << "submitted " << s.submitted << " skipped " << s.skipped << " ground_truth " << s.ground_truth << "\n"
      << "days " << Days(s.per_day) << "\nauthored " << Days(s.authored_per_day) << "\n";
  for (const auto& [key, counts] : s.labels) {
    out << "labels " << key.first << "/" << key.second << ":";
    for (const auto& [value, n] : counts) out << " " << value << "=" << n;
    out << "\n";
  }
  for (const auto& [user, a] : s.annotators) {
    out << "user " << user << ": " << a.submitted << "/" << a.skipped << "/" << a.ground_truth
        << " median " << a.lead_time_median << " hours " << a.lead_hours << " days " << Days(a.per_day)
        << " honeypot " << a.honeypot_correct << "/" << a.honeypot_answered << "\n";
  }
  return out.str();
}

// Each annotator's honeypot score (correct/answered) as the store pairs
// answers with ground truth (Store::ListHoneypotAnswers), scored one by one.
std::string HoneypotsFromStore(Store& store, Id project_id) {
  auto answers = store.ListHoneypotAnswers(project_id);
  if (!answers.ok()) return answers.status().ToString();
  std::map<Id, std::pair<int64_t, int64_t>> by_user;
  for (const HoneypotAnswer& a : *answers) {
    auto& [correct, answered] = by_user[a.completed_by];
    ++answered;
    if (HoneypotCorrect(nlohmann::json::parse(a.ground_truth_result, nullptr, false),
                        nlohmann::json::parse(a.result, nullptr, false))) {
      ++correct;
    }
  }
  std::ostringstream out;
  for (const auto& [user, score] : by_user) out << user << ":" << score.first << "/" << score.second << " ";
  return out.str();
}

std::string HoneypotsOf(const DashboardStats& s) {
  std::ostringstream out;
  for (const auto& [user, a] : s.annotators) {
    if (a.honeypot_answered > 0) out << user << ":" << a.honeypot_correct << "/" << a.honeypot_answered << " ";
  }
  return out.str();
}

class StatsCacheTest : public SqliteStoreTest {
 protected:
  StatsCacheTest() : SqliteStoreTest("stats_cache") {}
  void SetUp() override {
    SqliteStoreTest::SetUp();
    users_.push_back(user_id_);
    for (int user_idx = 1; user_idx < 4; ++user_idx) {
      User user;
      user.email = "u" + std::to_string(user_idx) + "@example.com";
      user.username = "u" + std::to_string(user_idx);
      ASSERT_TRUE(store_->CreateUser(&user).ok());
      users_.push_back(user.id);
    }
  }

  Project MakeProject(const std::string& title) {
    Project project;
    project.title = title;
    project.label_config = kConfig;
    project.created_by = users_[0];
    EXPECT_TRUE(store_->CreateProject(&project).ok());
    return project;
  }

  std::vector<Id> users_;
};

TEST_F(StatsCacheTest, RunningTotalsEqualAFreshCountAfterEveryChange) {
  Project project = MakeProject("stats");
  std::vector<NewTask> batch(40);
  for (size_t task_idx = 0; task_idx < batch.size(); ++task_idx) {
    batch[task_idx].data = "{\"text\":\"task " + std::to_string(task_idx) + "\"}";
  }
  ASSERT_TRUE(store_->InsertTasks(project.id, 0, batch, nullptr).ok());
  TaskQuery query;
  query.project_id = project.id;
  std::vector<Id> tasks;
  ASSERT_TRUE(store_->ForEachTaskBundle(query, [&](const TaskBundle& b) {
    tasks.push_back(b.task.id);
    return Status::Ok();
  }).ok());
  ASSERT_EQ(tasks.size(), batch.size());

  std::mt19937 rng(20261130);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  const char* moods[] = {"pos", "neg", "mid"};
  auto result = [&] {
    return std::string("[{\"id\":\"r1\",\"from_name\":\"mood\",\"to_name\":\"text\",\"type\":\"choices\",") +
           "\"value\":{\"choices\":[\"" + moods[pick(3)] + "\"]}}]";
  };
  // Lead times from a small set, so equal values (the median's ties) are common.
  auto lead = [&] { return 0.5 * static_cast<double>(1 + pick(12)); };
  std::vector<Id> annotations;

  StatsCache running;
  for (int round = 0; round < 60; ++round) {
    for (int op = 0; op < 6; ++op) {
      const size_t what = pick(10);
      if (what < 5 || annotations.empty()) {
        Annotation a;
        a.task_id = tasks[pick(tasks.size())];
        a.project_id = project.id;
        a.completed_by = pick(5) == 0 ? 0 : users_[pick(users_.size())];  // some imported without an author
        a.was_cancelled = pick(5) == 0;
        a.ground_truth = !a.was_cancelled && pick(8) == 0;
        a.result = a.was_cancelled ? "[]" : result();
        a.lead_time = lead();
        a.created_at = 1'700'000'000'000 + static_cast<TimeMs>(pick(4)) * 86'400'000;
        Status s = store_->CreateAnnotation(&a);
        if (s.code() == Code::kNotFound) continue;  // its task was deleted
        ASSERT_TRUE(s.ok()) << s.ToString();
        annotations.push_back(a.id);
      } else if (what < 8) {
        auto a = store_->GetAnnotation(annotations[pick(annotations.size())]);
        if (!a.ok()) continue;  // deleted with its task
        a->result = a->was_cancelled ? "[]" : result();
        a->lead_time = lead();
        if (!a->was_cancelled && pick(4) == 0) a->ground_truth = !a->ground_truth;  // marked or unmarked
        ASSERT_TRUE(store_->UpdateAnnotation(&*a).ok());
      } else if (what < 9) {
        const size_t at = pick(annotations.size());
        Status s = store_->DeleteAnnotation(annotations[at]);
        ASSERT_TRUE(s.ok() || s.code() == Code::kNotFound) << s.ToString();
        annotations.erase(annotations.begin() + static_cast<std::ptrdiff_t>(at));
      } else if (round % 7 == 3) {
        Status s = store_->DeleteTask(tasks[pick(tasks.size())]);
        ASSERT_TRUE(s.ok() || s.code() == Code::kNotFound) << s.ToString();
      }
    }
    auto kept = running.Get(*store_, project.id);
    ASSERT_TRUE(kept.ok()) << kept.status().ToString();
    StatsCache fresh;
    auto counted = fresh.Get(*store_, project.id);
    ASSERT_TRUE(counted.ok()) << counted.status().ToString();
    ASSERT_TRUE((*counted)->full_rebuild);
    if (round > 0) {
      EXPECT_FALSE((*kept)->full_rebuild) << "round " << round;
    }
    ASSERT_EQ(Describe(**kept), Describe(**counted)) << "round " << round;
    ASSERT_EQ(HoneypotsOf(**kept), HoneypotsFromStore(*store_, project.id)) << "round " << round;
  }
  // The sequence reached the interesting cases.
  auto last = running.Get(*store_, project.id);
  ASSERT_TRUE(last.ok());
  // A snapshot of the totals reads back the same, number for number.
  auto back = DashboardStatsFromJson(nlohmann::json::parse(DashboardStatsToJson(**last).dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(Describe(*back), Describe(**last));
  EXPECT_EQ(back->seq, (*last)->seq);
  // One that is not (a field missing, a wrong type) is refused, not half read.
  nlohmann::json broken = DashboardStatsToJson(**last);
  broken.erase("labels");
  EXPECT_FALSE(DashboardStatsFromJson(broken).ok());
  broken = DashboardStatsToJson(**last);
  broken["annotators"].begin().value()["submitted"] = "many";
  EXPECT_FALSE(DashboardStatsFromJson(broken).ok());
  EXPECT_FALSE(DashboardStatsFromJson(nlohmann::json::array()).ok());
  EXPECT_GT((*last)->submitted, 20);
  EXPECT_GT((*last)->skipped, 3);
  EXPECT_GT((*last)->ground_truth, 0);
  EXPECT_GE((*last)->annotators.size(), 3u);
  int64_t answered = 0, correct = 0;
  for (const auto& [user, a] : (*last)->annotators) {
    answered += a.honeypot_answered;
    correct += a.honeypot_correct;
  }
  EXPECT_GT(correct, 0);
  EXPECT_GT(answered, correct);  // some answers are wrong
}

// The label values each kind of result item adds to the distribution, as the
// dashboards count them (the results are read with simdjson).
TEST_F(StatsCacheTest, LabelsOfEveryKindAreCounted) {
  Project project = MakeProject("labels");
  std::vector<NewTask> batch(1);
  batch[0].data = "{\"text\":\"t\"}";
  const char* results[] = {
      // choices (type in any case), several values
      R"([{"from_name":"mood","to_name":"text","type":"Choices","value":{"choices":["pos","neg"]}}])",
      // region labels under the type's own key, and under "labels"
      R"([{"from_name":"box","type":"rectanglelabels","value":{"x":1,"rectanglelabels":["Car"]}},
          {"from_name":"span","type":"labels","value":{"labels":["PER","LOC"]}},
          {"from_name":"poly","type":"polygonlabels","value":{"labels":["Tree"]}}])",
      // taxonomy paths joined, parts that are not text left out; ratings as JSON writes them
      R"([{"from_name":"topic","type":"taxonomy","value":{"taxonomy":[["Animals","Cats"],["Plants",7],[]]}},
          {"from_name":"stars","type":"rating","value":{"rating":4}},
          {"from_name":"half","type":"rating","value":{"rating":3.5}},
          {"from_name":"big","type":"rating","value":{"rating":4.0}}])",
      // nothing counted: not JSON, not an array, items without a name, type or value object
      R"([{"from_name":"mood","type":"choices","value":{"choices":["pos"]})",
      R"({"from_name":"mood","type":"choices","value":{"choices":["pos"]}})",
      R"([{"type":"choices","value":{"choices":["pos"]}},{"from_name":"mood","value":{"choices":["pos"]}},
          {"from_name":"mood","type":"choices","value":["pos"]},7,"text"])",
  };
  for (const char* result : results) {
    Annotation a;
    a.completed_by = users_[0];
    a.result = result;
    batch[0].annotations.push_back(a);
  }
  ASSERT_TRUE(store_->InsertTasks(project.id, 0, batch, nullptr).ok());
  StatsCache cache;
  auto stats = cache.Get(*store_, project.id);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  using Counts = std::map<std::string, int64_t>;
  std::map<std::pair<std::string, std::string>, Counts> expected = {
      {{"mood", "choices"}, Counts{{"pos", 1}, {"neg", 1}}},
      {{"box", "rectanglelabels"}, Counts{{"Car", 1}}},
      {{"span", "labels"}, Counts{{"PER", 1}, {"LOC", 1}}},
      {{"poly", "polygonlabels"}, Counts{{"Tree", 1}}},
      {{"topic", "taxonomy"}, Counts{{"Animals / Cats", 1}, {"Plants", 1}}},
      {{"stars", "rating"}, Counts{{"4", 1}}},
      {{"half", "rating"}, Counts{{"3.5", 1}}},
      {{"big", "rating"}, Counts{{"4.0", 1}}},
  };
  EXPECT_EQ((*stats)->labels, expected);
  EXPECT_EQ((*stats)->submitted, 6);
}

}  // namespace
}  // namespace tessera::server
