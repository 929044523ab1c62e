// Store contract tests for pre-filtering (migration 8): settings, task hashes,
// flags, their effect on `next`, and bulk release. Part of the parameterized
// StoreTest suite, so they run on every Store implementation.
#include "src/store/store_test_util.h"

namespace tessera::testing {
namespace {

TEST_P(StoreTest, PrefilterSettingsAreStoredPerProject) {
  Id owner = MakeUser("owner@example.com");
  Id p1 = MakeProject(owner);
  Id p2 = MakeProject(owner);
  EXPECT_EQ(*store_->GetPrefilterSettings(p1), "");
  ASSERT_OK(store_->SetPrefilterSettings(p1, R"({"enabled":true})"));
  ASSERT_OK(store_->SetPrefilterSettings(p1, R"({"enabled":false})"));
  EXPECT_EQ(*store_->GetPrefilterSettings(p1), R"({"enabled":false})");
  EXPECT_EQ(*store_->GetPrefilterSettings(p2), "");
  EXPECT_EQ(store_->GetPrefilterSettings(999).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->SetPrefilterSettings(999, "{}").code(), Code::kNotFound);
}

TEST_P(StoreTest, TaskHashesKeepAll64BitsAndStayInTheirProject) {
  Id owner = MakeUser("owner@example.com");
  Id p1 = MakeProject(owner);
  Id p2 = MakeProject(owner);
  std::vector<Id> t1 = MakeTasks(p1, 2);
  std::vector<Id> t2 = MakeTasks(p2, 1);
  std::vector<TaskHash> hashes = {{t1[0], "content", 0xFFFFFFFFFFFFFFFFull},
                                  {t1[0], "phash", 0x8000000000000001ull},
                                  {t1[1], "content", 42}};
  ASSERT_OK(store_->RecordPrefilter(p1, hashes, {}));
  // Recording a kind again replaces the value.
  std::vector<TaskHash> again = {{t1[1], "content", 43}};
  ASSERT_OK(store_->RecordPrefilter(p1, again, {}));
  std::vector<TaskHash> foreign = {{t2[0], "content", 1}};
  EXPECT_EQ(store_->RecordPrefilter(p1, foreign, {}).code(), Code::kInvalidArgument);

  auto listed = store_->ListTaskHashes(p1);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].task_id, t1[0]);
  EXPECT_EQ((*listed)[0].kind, "content");
  EXPECT_EQ((*listed)[0].value, 0xFFFFFFFFFFFFFFFFull);
  EXPECT_EQ((*listed)[1].kind, "phash");
  EXPECT_EQ((*listed)[1].value, 0x8000000000000001ull);
  EXPECT_EQ((*listed)[2].value, 43u);
  EXPECT_TRUE(store_->ListTaskHashes(p2)->empty());

  // Deleting a task deletes its hashes.
  ASSERT_OK(store_->DeleteTask(t1[0]));
  EXPECT_EQ(store_->ListTaskHashes(p1)->size(), 1u);
}

TEST_P(StoreTest, FlaggedTasksStayOutOfNextUntilReleased) {
  Id owner = MakeUser("owner@example.com");
  Id annotator = MakeUser("a@example.com");
  Id project = MakeProject(owner);
  std::vector<Id> ids = MakeTasks(project, 4);
  std::vector<TaskFlag> flags = {{ids[0], "duplicate", "duplicate of task 9", 0},
                                 {ids[1], "blurry", "sharpness 3.0", 0},
                                 {ids[2], "duplicate", "duplicate of task 9", 0}};
  ASSERT_OK(store_->RecordPrefilter(project, {}, flags));

  auto counts = store_->CountTaskFlags(project);
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 2u);
  EXPECT_EQ((*counts)[0], (std::pair<std::string, int64_t>{"blurry", 1}));
  EXPECT_EQ((*counts)[1], (std::pair<std::string, int64_t>{"duplicate", 2}));

  auto dups = store_->ListTaskFlags(project, "duplicate", 0, 10);
  ASSERT_TRUE(dups.ok());
  ASSERT_EQ(dups->size(), 2u);
  EXPECT_EQ((*dups)[0].task_id, ids[0]);
  EXPECT_EQ((*dups)[0].detail, "duplicate of task 9");
  EXPECT_GT((*dups)[0].created_at, 0);
  auto page = store_->ListTaskFlags(project, "", ids[0], 1);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].task_id, ids[1]);

  // Only the unflagged task is served.
  auto next = store_->NextTask(project, annotator);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->id, ids[3]);
  Annotate(ids[3], annotator);
  EXPECT_EQ(store_->NextTask(project, annotator).status().code(), Code::kNotFound);

  // Release one reason for every task except one: ids[0] stays flagged.
  TaskSelection all_but_first{true, {ids[0]}};
  auto released = store_->ReleaseTaskFlags(project, all_but_first, "duplicate");
  ASSERT_TRUE(released.ok()) << released.status().ToString();
  EXPECT_EQ(*released, 1);
  EXPECT_EQ(store_->NextTask(project, annotator)->id, ids[2]);

  TaskSelection listed{false, {ids[0], ids[1], ids[3]}};
  EXPECT_EQ(*store_->ReleaseTaskFlags(project, listed, ""), 2);
  EXPECT_TRUE(store_->CountTaskFlags(project)->empty());
  EXPECT_EQ(store_->ReleaseTaskFlags(999, listed, "").status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace tessera::testing
