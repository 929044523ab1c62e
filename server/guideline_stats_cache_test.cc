// GuidelineStatsCache takes a changed task out and puts it back in; what it
// holds must always equal a fresh count. A random sequence of creates, edits
// (answers, ground truth, the guideline version) and deletes of annotations
// and tasks is applied to a real SQLite store, and after every round the
// cache brought up to date change by change is compared, version by
// version and number by number (agreement included), with a new cache that
// reads the project whole.
#include "server/guideline_stats_cache.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "src/formats/sqlite_fixture_for_test.h"
#include "tessera/store.h"

namespace tessera::server {
namespace {

constexpr char kConfig[] =
    "<View><Text name=\"text\" value=\"$text\"/>"
    "<Choices name=\"mood\" toName=\"text\"><Choice value=\"pos\"/><Choice value=\"neg\"/></Choices></View>";

std::string Opt(const std::optional<double>& v) {
  if (!v) return "null";
  std::ostringstream out;
  out.precision(12);
  out << *v;
  return out.str();
}

// Every number /stats/guidelines shows, as text.
Result<std::string> Describe(GuidelineStatsCache& cache, Store& store, const Project& project, int64_t* seq) {
  std::string text;
  Status s = cache.With(store, project,
                        [&](const LabelingConfig&, const std::map<int, GuidelineTally>& tallies, int64_t at) {
                          std::ostringstream out;
                          for (const auto& [version, t] : tallies) {
                            out << "v" << version << ": " << t.annotations << " submitted, " << t.skipped
                                << " skipped, " << t.annotators << " authors, " << t.tasks << " tasks, honeypot "
                                << t.honeypot_correct << "/" << t.honeypot_answered;
                            TESSERA_ASSIGN_OR_RETURN(AgreementReport report, t.builder->Finish());
                            out << ", mean " << Opt(report.mean_task_score) << ", tasks " << report.tasks.size();
                            for (const ControlAgreement& c : report.controls) {
                              out << ", " << c.from_name << " " << c.tasks << " " << Opt(c.percent_agreement) << " "
                                  << Opt(c.krippendorff_alpha);
                            }
                            out << "\n";
                          }
                          text = out.str();
                          *seq = at;
                          return Status::Ok();
                        });
  if (!s.ok()) return s;
  return text;
}

class GuidelineStatsCacheTest : public SqliteStoreTest {
 protected:
  GuidelineStatsCacheTest() : SqliteStoreTest("guideline_stats") {}
};

TEST_F(GuidelineStatsCacheTest, KeptCountsEqualAFreshCountAfterEveryChange) {
  std::vector<Id> users = {user_id_};
  for (int user_idx = 1; user_idx < 4; ++user_idx) {
    User user;
    user.email = "g" + std::to_string(user_idx) + "@example.com";
    user.username = "g" + std::to_string(user_idx);
    ASSERT_TRUE(store_->CreateUser(&user).ok());
    users.push_back(user.id);
  }
  Project project;
  project.title = "guidelines";
  project.label_config = kConfig;
  project.created_by = users[0];
  ASSERT_TRUE(store_->CreateProject(&project).ok());
  std::vector<NewTask> batch(30);
  for (size_t task_idx = 0; task_idx < batch.size(); ++task_idx) {
    batch[task_idx].data = "{\"text\":\"t" + std::to_string(task_idx) + "\"}";
  }
  std::vector<Id> tasks;
  ASSERT_TRUE(store_->InsertTasks(project.id, 0, batch, &tasks).ok());

  std::mt19937 rng(20261130);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  auto result = [&] {
    return std::string("[{\"id\":\"r\",\"from_name\":\"mood\",\"to_name\":\"text\",\"type\":\"choices\",") +
           "\"value\":{\"choices\":[\"" + (pick(2) == 0 ? "pos" : "neg") + "\"]}}]";
  };
  std::vector<Id> annotations;
  GuidelineStatsCache running;
  int64_t last_seq = 0;
  for (int round = 0; round < 50; ++round) {
    for (int op = 0; op < 6; ++op) {
      const size_t what = pick(10);
      if (what < 5 || annotations.empty()) {
        Annotation a;
        a.task_id = tasks[pick(tasks.size())];
        a.completed_by = users[pick(users.size())];
        a.was_cancelled = pick(6) == 0;
        a.ground_truth = !a.was_cancelled && pick(6) == 0;
        a.guideline_version = static_cast<int>(pick(3));
        a.result = a.was_cancelled ? "[]" : result();
        Status s = store_->CreateAnnotation(&a);
        if (s.code() == Code::kNotFound) continue;  // its task was deleted
        ASSERT_TRUE(s.ok()) << s.ToString();
        annotations.push_back(a.id);
      } else if (what < 8) {
        auto a = store_->GetAnnotation(annotations[pick(annotations.size())]);
        if (!a.ok()) continue;  // deleted with its task
        if (!a->was_cancelled) a->result = result();
        if (!a->was_cancelled && pick(4) == 0) a->ground_truth = !a->ground_truth;
        if (pick(4) == 0) a->guideline_version = static_cast<int>(pick(3));
        ASSERT_TRUE(store_->UpdateAnnotation(&*a).ok());
      } else if (what < 9) {
        const size_t at = pick(annotations.size());
        Status s = store_->DeleteAnnotation(annotations[at]);
        ASSERT_TRUE(s.ok() || s.code() == Code::kNotFound) << s.ToString();
        annotations.erase(annotations.begin() + static_cast<std::ptrdiff_t>(at));
      } else if (round % 9 == 4) {
        Status s = store_->DeleteTask(tasks[pick(tasks.size())]);
        ASSERT_TRUE(s.ok() || s.code() == Code::kNotFound) << s.ToString();
      }
    }
    int64_t kept_seq = 0, fresh_seq = 0;
    auto kept = Describe(running, *store_, project, &kept_seq);
    ASSERT_TRUE(kept.ok()) << kept.status().ToString();
    GuidelineStatsCache fresh;
    auto counted = Describe(fresh, *store_, project, &fresh_seq);
    ASSERT_TRUE(counted.ok()) << counted.status().ToString();
    ASSERT_EQ(*kept, *counted) << "round " << round;
    EXPECT_EQ(kept_seq, fresh_seq);
    EXPECT_GT(kept_seq, last_seq) << "round " << round;
    last_seq = kept_seq;
  }
  // The sequence reached the interesting cases: several versions, skips,
  // honeypot answers, agreement.
  int64_t seq = 0;
  auto last = Describe(running, *store_, project, &seq);
  ASSERT_TRUE(last.ok());
  EXPECT_NE(last->find("v0:"), std::string::npos) << *last;
  EXPECT_NE(last->find("v2:"), std::string::npos) << *last;
  EXPECT_EQ(last->find(" 0 skipped, "), std::string::npos) << *last;  // every version has skips
  EXPECT_EQ(last->find("honeypot 0/0"), std::string::npos) << *last;
}

}  // namespace
}  // namespace tessera::server
