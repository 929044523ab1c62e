// App::WarmCaches: the dashboard and agreement caches are built in the
// background after a start, without a request, and an App destroyed while
// they build stops cleanly. A first dashboard request builds both caches
// (from one read of the project) with the numbers each builds on its own.
// At a start, only projects never counted are counted.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "server/app.h"
#include "server/dashboard_snapshots.h"
#include "src/formats/sqlite_fixture_for_test.h"
#include "tessera/store.h"

namespace tessera::server {
namespace {

constexpr char kConfig[] =
    "<View><Text name=\"text\" value=\"$text\"/>"
    "<Choices name=\"sentiment\" toName=\"text\"><Choice value=\"pos\"/><Choice value=\"neg\"/></Choices></View>";

class WarmCachesTest : public SqliteStoreTest {
 protected:
  WarmCachesTest() : SqliteStoreTest("warm") {}
  void SetUp() override {
    SqliteStoreTest::SetUp();
    users_.push_back(user_id_);
    User bob;
    bob.email = "bob@example.com";
    bob.username = "bob";
    ASSERT_TRUE(store_->CreateUser(&bob).ok());
    users_.push_back(bob.id);
  }

  // A project of `tasks` tasks, each labeled by both users (agreeing on
  // even tasks).
  Id MakeProject(int tasks) {
    Project project;
    project.title = "warm";
    project.label_config = kConfig;
    project.created_by = users_[0];
    EXPECT_TRUE(store_->CreateProject(&project).ok());
    std::vector<NewTask> batch(static_cast<size_t>(tasks));
    for (int task_idx = 0; task_idx < tasks; ++task_idx) {
      NewTask& t = batch[static_cast<size_t>(task_idx)];
      t.data = "{\"text\":\"task " + std::to_string(task_idx) + "\"}";
      for (size_t user_idx = 0; user_idx < users_.size(); ++user_idx) {
        Annotation a;
        a.completed_by = users_[user_idx];
        const char* label = (task_idx % 2 == 0 || user_idx == 0) ? "pos" : "neg";
        a.result = std::string("[{\"id\":\"r1\",\"from_name\":\"sentiment\",\"to_name\":\"text\",") +
                   "\"type\":\"choices\",\"value\":{\"choices\":[\"" + label + "\"]}}]";
        t.annotations.push_back(a);
      }
    }
    EXPECT_TRUE(store_->InsertTasks(project.id, 0, batch, nullptr).ok());
    return project.id;
  }

  // The project's dashboards (with agreement), asked until they are live
  // (at most a minute): the last answer, or the first error.
  static Result<DashboardData> WhenLive(App& app, const Project& project) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (true) {
      Result<DashboardData> data = app.dashboards().Get(project, /*with_agreement=*/true);
      if (!data.ok() || !data->stale || std::chrono::steady_clock::now() > deadline) return data;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  AppOptions Options() {
    AppOptions options;
    options.data_dir = dir_;
    return options;
  }

  std::vector<Id> users_;
};

TEST_F(WarmCachesTest, BuildsBothCachesWithoutARequest) {
  Id first = MakeProject(50);
  Id second = MakeProject(30);
  App app(*store_, Options());
  EXPECT_FALSE(app.stats_cache().Built(first));
  EXPECT_FALSE(app.quality_cache().Built(first, AgreementOptions{}));
  app.WarmCaches();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto all_built = [&] {
    for (Id id : {first, second}) {
      if (!app.stats_cache().Built(id) || !app.quality_cache().Built(id, AgreementOptions{})) return false;
    }
    return true;
  };
  while (!all_built() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(all_built());
  // The warmed totals are the project's; a request gets them as they are.
  auto stats = app.stats_cache().Get(*store_, first);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ((*stats)->submitted, 100);
  EXPECT_EQ((*stats)->annotators.size(), 2u);
  auto again = app.stats_cache().Get(*store_, first);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), stats->get());
}

TEST_F(WarmCachesTest, AFirstDashboardRequestBuildsBothCachesAsEachAlone) {
  Id id = MakeProject(60);
  App app(*store_, Options());
  auto project = store_->GetProject(id);
  ASSERT_TRUE(project.ok());
  // The project dashboard does not show agreement, but its first request
  // builds that cache too: the page asks for both.
  auto data = app.dashboards().Get(*project, /*with_agreement=*/false);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_FALSE(data->stale);
  EXPECT_TRUE(app.stats_cache().Built(id));
  EXPECT_TRUE(app.quality_cache().Built(id, AgreementOptions{}));
  EXPECT_TRUE(data->stats->full_rebuild);
  EXPECT_EQ(data->stats->reloaded_tasks, 60u);

  StatsCache alone;
  auto counted = alone.Get(*store_, id);
  ASSERT_TRUE(counted.ok());
  EXPECT_EQ(data->stats->submitted, (*counted)->submitted);
  EXPECT_EQ(data->stats->seq, (*counted)->seq);
  EXPECT_EQ(data->stats->labels, (*counted)->labels);
  EXPECT_EQ(data->stats->annotators.size(), (*counted)->annotators.size());

  auto with_agreement = app.dashboards().Get(*project, /*with_agreement=*/true);
  ASSERT_TRUE(with_agreement.ok()) << with_agreement.status().ToString();
  QualityCache own;
  std::map<Id, double> expected;
  ASSERT_TRUE(own.With(*store_, *project, AgreementOptions{}, [&](const QualitySnapshot& snap) {
    EXPECT_TRUE(snap.full_rebuild);
    expected = snap.builder.PeerAgreementByAnnotator();
    return Status::Ok();
  }).ok());
  ASSERT_EQ(expected.size(), 2u);
  EXPECT_EQ(with_agreement->peer_agreement, expected);
  // Neither cache read the project again for the second request.
  EXPECT_EQ(with_agreement->stats.get(), data->stats.get());
}

// After a bulk change (an import), the caches need a whole read: the next
// request answers at once with the last live numbers, marked stale, and the
// read runs on the lane; once it is done, the answers are live again.
TEST_F(WarmCachesTest, AfterAnImportTheLastNumbersComeAtOnceWhileTheCachesAreRebuilt) {
  Id id = MakeProject(40);
  App app(*store_, Options());
  auto project = store_->GetProject(id);
  ASSERT_TRUE(project.ok());
  auto before = app.dashboards().Get(*project, /*with_agreement=*/true);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  ASSERT_FALSE(before->stale);
  EXPECT_EQ(before->stats->submitted, 80);

  std::vector<NewTask> more(10);
  for (NewTask& t : more) {
    t.data = "{\"text\":\"more\"}";
    Annotation a;
    a.completed_by = users_[1];
    a.result = R"([{"from_name":"sentiment","to_name":"text","type":"choices","value":{"choices":["neg"]}}])";
    t.annotations.push_back(a);
  }
  ASSERT_TRUE(store_->InsertTasks(id, 0, more, nullptr).ok());
  EXPECT_TRUE(app.stats_cache().NeedsWholeRead(*store_, id));

  auto during = app.dashboards().Get(*project, /*with_agreement=*/true);
  ASSERT_TRUE(during.ok()) << during.status().ToString();
  EXPECT_TRUE(during->stale);
  EXPECT_EQ(during->as_of, before->as_of);
  EXPECT_EQ(during->stats.get(), before->stats.get());
  EXPECT_EQ(during->peer_agreement, before->peer_agreement);

  Result<DashboardData> after = WhenLive(app, *project);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_FALSE(after->stale);
  EXPECT_EQ(after->stats->submitted, 90);
  EXPECT_TRUE(after->stats->full_rebuild);
  EXPECT_FALSE(app.stats_cache().NeedsWholeRead(*store_, id));
  EXPECT_FALSE(app.quality_cache().NeedsWholeRead(*store_, *project, AgreementOptions{}));
}

// A database whose change log is empty (as `tessera migrate` leaves it): the
// caches read at position 0 stay up to date until a change comes, instead of
// reading the project whole on every request.
TEST_F(WarmCachesTest, AnEmptyChangeLogDoesNotMeanARebuildEveryTime) {
  Id id = MakeProject(20);
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "store.db").string().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "DELETE FROM task_changes", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  ASSERT_EQ(store_->TaskChangesSince(id, 0)->seq, 0);
  App app(*store_, Options());
  auto project = store_->GetProject(id);
  ASSERT_TRUE(project.ok());
  auto first = app.dashboards().Get(*project, /*with_agreement=*/true);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->stale);
  EXPECT_EQ(first->stats->submitted, 40);
  EXPECT_FALSE(app.stats_cache().NeedsWholeRead(*store_, id));
  EXPECT_FALSE(app.quality_cache().NeedsWholeRead(*store_, *project, AgreementOptions{}));
  auto second = app.dashboards().Get(*project, /*with_agreement=*/true);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->stale);
  EXPECT_EQ(second->stats.get(), first->stats.get());  // not read again
  // The first change after that is seen.
  Annotation more;
  TaskQuery query;
  query.project_id = id;
  more.task_id = store_->ListTasks(query)->front().id;
  more.completed_by = users_[0];
  more.result = R"([{"from_name":"sentiment","to_name":"text","type":"choices","value":{"choices":["neg"]}}])";
  ASSERT_TRUE(store_->CreateAnnotation(&more).ok());
  Result<DashboardData> after = WhenLive(app, *project);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_FALSE(after->stale);
  EXPECT_EQ(after->stats->submitted, 41);
}

// After an import (the import route calls RecountSoon), both caches are
// built and their snapshots saved without a request.
TEST_F(WarmCachesTest, RecountSoonBuildsAndSavesWithoutARequest) {
  Id id = MakeProject(30);
  App app(*store_, Options());
  auto project = store_->GetProject(id);
  ASSERT_TRUE(project.ok());
  ASSERT_FALSE(store_->GetCacheSnapshot(id, "dashboard").ok());
  app.dashboards().RecountSoon(*project);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto done = [&] {
    return app.stats_cache().Built(id) && app.quality_cache().Built(id, AgreementOptions{}) &&
           store_->GetCacheSnapshot(id, "peer_agreement").ok();
  };
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(done());
  auto saved = store_->GetCacheSnapshot(id, "dashboard");
  ASSERT_TRUE(saved.ok());
  auto stats = DashboardStatsFromJson(nlohmann::json::parse(saved->body));
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->submitted, 60);
  auto live = app.dashboards().Get(*project, /*with_agreement=*/true);
  ASSERT_TRUE(live.ok());
  EXPECT_FALSE(live->stale);
}

// What `tessera serve` does at every start: only projects whose dashboards
// were never counted are read (and their snapshots saved); one counted
// before (here by CountDashboards, as tessera import leaves it) is left for
// its first request to answer from the snapshot.
TEST_F(WarmCachesTest, AtStartOnlyProjectsNeverCountedAreCounted) {
  Id never = MakeProject(40);
  Id counted = MakeProject(20);  // newer: listed, and passed over, first
  // Both have guidelines, so their guideline page is counted with them.
  for (Id project : {never, counted}) {
    GuidelineVersion g;
    g.project_id = project;
    g.text = "Label the sentiment.";
    g.author_id = users_[0];
    ASSERT_TRUE(store_->PublishGuideline(&g).ok());
  }
  auto counted_project = store_->GetProject(counted);
  ASSERT_TRUE(counted_project.ok());
  ASSERT_TRUE(CountDashboards(*store_, *counted_project).ok());
  // The pages too: the quality page's default summary, and the guideline page.
  auto quality_page = store_->GetCacheSnapshot(counted, "page:quality");
  ASSERT_TRUE(quality_page.ok());
  EXPECT_EQ(nlohmann::json::parse(quality_page->body)["answer"]["tasks"]["scored"], 20);
  auto guideline_page = store_->GetCacheSnapshot(counted, "page:guidelines");
  ASSERT_TRUE(guideline_page.ok());
  EXPECT_EQ(nlohmann::json::parse(guideline_page->body)["answer"]["versions"][0]["annotations"], 40);
  auto saved = store_->GetCacheSnapshot(counted, "dashboard");
  ASSERT_TRUE(saved.ok());
  auto saved_stats = DashboardStatsFromJson(nlohmann::json::parse(saved->body));
  ASSERT_TRUE(saved_stats.ok()) << saved_stats.status().ToString();
  EXPECT_EQ(saved_stats->submitted, 40);
  EXPECT_TRUE(store_->GetCacheSnapshot(counted, "peer_agreement").ok());
  ASSERT_FALSE(store_->GetCacheSnapshot(never, "dashboard").ok());

  // A snapshot this version cannot read (saved by an older one) is no count.
  Id old = MakeProject(10);
  CacheSnapshot unreadable;
  unreadable.seq = 1;
  unreadable.saved_at = 1;
  unreadable.body = "{\"seq\":1}";
  ASSERT_TRUE(store_->SaveCacheSnapshot(old, "dashboard", unreadable).ok());

  App app(*store_, Options());
  EXPECT_TRUE(app.dashboards().EverCounted(counted));
  EXPECT_FALSE(app.dashboards().EverCounted(never));
  EXPECT_FALSE(app.dashboards().EverCounted(old));
  app.WarmCaches(App::WarmScope::kNeverCounted);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto done = [&] {
    return store_->GetCacheSnapshot(never, "page:guidelines").ok() && app.dashboards().EverCounted(old);
  };
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(done());
  EXPECT_TRUE(app.stats_cache().Built(never));
  EXPECT_TRUE(app.stats_cache().Built(old));
  EXPECT_FALSE(app.stats_cache().Built(counted));
  auto never_saved = store_->GetCacheSnapshot(never, "dashboard");
  ASSERT_TRUE(never_saved.ok());
  auto never_stats = DashboardStatsFromJson(nlohmann::json::parse(never_saved->body));
  ASSERT_TRUE(never_stats.ok());
  EXPECT_EQ(never_stats->submitted, 80);
  EXPECT_TRUE(store_->GetCacheSnapshot(never, "peer_agreement").ok());
  EXPECT_TRUE(store_->GetCacheSnapshot(never, "page:quality").ok());
  // Counted for its snapshot, the guideline cache's entry is not kept.
  auto never_project = store_->GetProject(never);
  ASSERT_TRUE(never_project.ok());
  EXPECT_TRUE(app.guideline_stats().NeedsWholeRead(*store_, *never_project));
  // Without guidelines, no guideline page is counted.
  EXPECT_TRUE(store_->GetCacheSnapshot(old, "page:quality").ok());
  EXPECT_FALSE(store_->GetCacheSnapshot(old, "page:guidelines").ok());
  // The counted project's first request: its snapshot, at once.
  auto first = app.dashboards().Get(*counted_project, /*with_agreement=*/true);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->stale);
  EXPECT_EQ(first->stats->submitted, 40);
  EXPECT_EQ(first->peer_agreement.size(), 2u);
}

TEST_F(WarmCachesTest, DestroyingTheAppWhileWarmingStopsCleanly) {
  for (int project_idx = 0; project_idx < 4; ++project_idx) MakeProject(400);
  for (int round_idx = 0; round_idx < 3; ++round_idx) {
    App app(*store_, Options());
    app.WarmCaches();
    std::this_thread::sleep_for(std::chrono::milliseconds(round_idx * 5));
  }  // ~App stops the lane before the caches go; ASan/TSan builds check the rest
  SUCCEED();
}

}  // namespace
}  // namespace tessera::server
