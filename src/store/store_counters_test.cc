// Store contract tests: the project counters of migrations 11 and 16 (what the
// project list, the project page and the task table's total read) agree with
// a count over the tasks after every kind of write, on every store.
#include "src/store/store_test_util.h"

namespace tessera::testing {
namespace {

// The counts recomputed from the tasks themselves.
ProjectStats Recount(Store& store, Id project_id) {
  TaskQuery query = ProjectQuery(project_id);
  query.limit = 1000000;
  auto tasks = store.ListTasks(query);
  EXPECT_TRUE(tasks.ok()) << tasks.status().ToString();
  ProjectStats s;
  for (const Task& t : *tasks) {
    ++s.task_number;
    if (t.total_annotations > 0) ++s.num_tasks_with_annotations;
    if (t.is_labeled) ++s.finished_task_number;
    s.total_annotations_number += t.total_annotations;
    s.skipped_annotations_number += t.cancelled_annotations;
    s.total_predictions_number += t.total_predictions;
    if (t.cancelled_annotations > 0 && t.total_annotations == 0) ++s.skipped_only_task_number;
    auto annotations = store.ListAnnotations(t.id);
    EXPECT_TRUE(annotations.ok()) << annotations.status().ToString();
    for (const Annotation& a : *annotations) s.ground_truth_number += a.ground_truth;
  }
  return s;
}

void ExpectCountersExact(Store& store, Id project_id, const std::string& after) {
  SCOPED_TRACE("after " + after);
  ProjectStats want = Recount(store, project_id);
  auto got = store.GetProjectStats(project_id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->task_number, want.task_number);
  EXPECT_EQ(got->num_tasks_with_annotations, want.num_tasks_with_annotations);
  EXPECT_EQ(got->finished_task_number, want.finished_task_number);
  EXPECT_EQ(got->total_annotations_number, want.total_annotations_number);
  EXPECT_EQ(got->skipped_annotations_number, want.skipped_annotations_number);
  EXPECT_EQ(got->total_predictions_number, want.total_predictions_number);
  EXPECT_EQ(got->skipped_only_task_number, want.skipped_only_task_number);
  EXPECT_EQ(got->ground_truth_number, want.ground_truth_number);
  // CountTasks answers the plain counts from the counters.
  TaskQuery all = ProjectQuery(project_id), labeled = all, unlabeled = all;
  labeled.status = "labeled";
  unlabeled.status = "unlabeled";
  EXPECT_EQ(*store.CountTasks(all), want.task_number);
  EXPECT_EQ(*store.CountTasks(labeled), want.finished_task_number);
  EXPECT_EQ(*store.CountTasks(unlabeled), want.task_number - want.finished_task_number);
}

TEST_P(StoreTest, ProjectCountersFollowEveryWrite) {
  Id owner = MakeUser("owner@x.org", true);
  Id ann = MakeUser("ann@x.org");
  Id bob = MakeUser("bob@x.org");
  Id project = MakeProject(owner, 2);
  Id other = MakeProject(owner, 1, "other");
  ExpectCountersExact(*store_, project, "creating the project");

  // Tasks with nested annotations and predictions, in one batch.
  std::vector<NewTask> batch(20);
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].data = "{\"text\":\"t" + std::to_string(i) + "\"}";
    Annotation a;
    a.completed_by = ann;
    a.result = "[]";
    if (i % 3 == 0) batch[i].annotations.push_back(a);
    if (i % 4 == 0) {
      a.completed_by = bob;
      a.was_cancelled = i % 8 == 0;
      a.ground_truth = !a.was_cancelled;  // imported ground truth
      batch[i].annotations.push_back(a);
    }
    Prediction prediction;
    prediction.result = "[]";
    if (i % 5 == 0) batch[i].predictions.push_back(prediction);
  }
  std::vector<Id> ids;
  ASSERT_OK(store_->InsertTasks(project, 0, batch, &ids));
  MakeTasks(other, 7);
  ExpectCountersExact(*store_, project, "a batch with nested annotations");
  ExpectCountersExact(*store_, other, "another project's tasks");

  Annotation first = Annotate(ids[1], ann);
  Annotate(ids[1], bob);  // overlap 2 reached: labeled
  Annotation skip = Annotate(ids[2], bob, /*cancelled=*/true);
  ExpectCountersExact(*store_, project, "submits and a skip");

  first.was_cancelled = true;
  ASSERT_OK(store_->UpdateAnnotation(&first));
  ExpectCountersExact(*store_, project, "a submit turned into a skip");
  ASSERT_OK(store_->DeleteAnnotation(skip.id));
  ExpectCountersExact(*store_, project, "deleting an annotation");

  // Ground truth: marked, marked again (no change), unmarked, deleted, and
  // by the bulk actions.
  first.was_cancelled = false;
  first.ground_truth = true;
  ASSERT_OK(store_->UpdateAnnotation(&first));
  ExpectCountersExact(*store_, project, "marking ground truth");
  first.lead_time = 3;
  ASSERT_OK(store_->UpdateAnnotation(&first));
  ExpectCountersExact(*store_, project, "editing a ground truth");
  first.ground_truth = false;
  ASSERT_OK(store_->UpdateAnnotation(&first));
  ExpectCountersExact(*store_, project, "unmarking it");
  Annotation truth;
  truth.task_id = ids[5];
  truth.completed_by = owner;
  truth.result = "[]";
  truth.ground_truth = true;
  ASSERT_OK(store_->CreateAnnotation(&truth));
  ExpectCountersExact(*store_, project, "creating a ground truth");
  ASSERT_OK(store_->DeleteAnnotation(truth.id));
  ExpectCountersExact(*store_, project, "deleting a ground truth");
  const std::vector<Id> mark = {ids[1], ids[6], ids[9]}, unmark = {ids[6], ids[4]};
  ASSERT_TRUE(store_->ApplyTaskAction(project, TaskAction::kMarkGroundTruth, mark).ok());
  ExpectCountersExact(*store_, project, "the mark-ground-truth action");
  ASSERT_TRUE(store_->ApplyTaskAction(project, TaskAction::kUnmarkGroundTruth, unmark).ok());
  ExpectCountersExact(*store_, project, "the unmark action");
  EXPECT_GT(store_->GetProjectStats(project)->ground_truth_number, 2);

  Prediction p;
  p.task_id = ids[7];
  p.result = "[]";
  ASSERT_OK(store_->CreatePrediction(&p));
  ExpectCountersExact(*store_, project, "a prediction");
  ASSERT_OK(store_->DeletePrediction(p.id));
  ExpectCountersExact(*store_, project, "deleting it");

  auto changed = store_->GetProject(project);
  ASSERT_TRUE(changed.ok());
  changed->maximum_annotations = 1;  // every task with one annotation is now labeled
  ASSERT_OK(store_->UpdateProject(*changed));
  ExpectCountersExact(*store_, project, "lowering the overlap");

  ASSERT_OK(store_->DeleteTask(ids[0]));
  ASSERT_OK(store_->DeleteTask(ids[3]));
  ExpectCountersExact(*store_, project, "deleting tasks");
  ExpectCountersExact(*store_, other, "deleting tasks of the first project");

  if (persistent()) {
    Reopen();
    ExpectCountersExact(*store_, project, "reopening the store");
  }
  ASSERT_OK(store_->DeleteAllTasks(project));
  ExpectCountersExact(*store_, project, "deleting every task");
  EXPECT_EQ(store_->GetProjectStats(project)->task_number, 0);
  ASSERT_OK(store_->DeleteProject(project));
  ExpectCountersExact(*store_, other, "deleting the first project");
  EXPECT_EQ(store_->GetProjectStats(other)->task_number, 7);
}

// PostgreSQL keeps one delta row per statement and folds them once more than
// a few hundred are pending; the counts must be the same before and after.
TEST_P(StoreTest, ProjectCountersSurviveFolding) {
  Id owner = MakeUser("owner@x.org", true);
  Id ann = MakeUser("ann@x.org");
  Id project = MakeProject(owner, 1);
  std::vector<Id> ids = MakeTasks(project, 700);
  for (size_t i = 0; i < ids.size(); i += 1) {
    Annotation a = Annotate(ids[i], ann, /*cancelled=*/i % 10 == 0);
    if (i % 10 == 1) {
      a.ground_truth = true;
      ASSERT_OK(store_->UpdateAnnotation(&a));
    }
  }
  ExpectCountersExact(*store_, project, "700 submits (folds on PostgreSQL)");
  ExpectCountersExact(*store_, project, "reading again after the fold");
  auto stats = store_->GetProjectStats(project);
  EXPECT_EQ(stats->task_number, 700);
  EXPECT_EQ(stats->finished_task_number, 630);
  EXPECT_EQ(stats->skipped_only_task_number, 70);
  EXPECT_EQ(stats->ground_truth_number, 70);
}

}  // namespace
}  // namespace tessera::testing
