// Store contract tests, part 2: imports, tasks, annotations (with versions),
// predictions, drafts, next task, export paging, cascades and concurrency.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "src/store/store_test_util.h"

namespace tessera::testing {
namespace {

TEST_P(StoreTest, InsertTasksAssignsInnerIdsAndCountsNested) {
  Id ann = MakeUser("ann@x.org");
  Id project = MakeProject(ann, /*maximum_annotations=*/2);
  std::vector<NewTask> tasks(3);
  tasks[0].data = "{\"text\":\"plain\"}";
  tasks[1].data = "{\"text\":\"one done one skipped\"}";
  tasks[1].meta = "{\"source\":\"x\"}";
  Annotation done;
  done.completed_by = ann;
  done.result = "[{\"value\":1}]";
  Annotation skipped = done;
  skipped.was_cancelled = true;
  tasks[1].annotations = {done, skipped};
  Prediction prediction;
  prediction.result = "[{\"value\":2}]";
  prediction.score = 0.5;
  prediction.model_version = "m1";
  tasks[1].predictions = {prediction, prediction};
  tasks[2].data = "{\"text\":\"fully labeled\"}";
  tasks[2].annotations = {done, done};

  std::vector<Id> ids;
  ASSERT_OK(store_->InsertTasks(project, 0, tasks, &ids));
  ASSERT_EQ(ids.size(), 3u);

  auto t0 = store_->GetTask(ids[0]);
  ASSERT_TRUE(t0.ok());
  EXPECT_EQ(t0->inner_id, 1);
  EXPECT_EQ(t0->data, "{\"text\":\"plain\"}");
  EXPECT_EQ(t0->meta, "{}");
  EXPECT_EQ(t0->overlap, 2);
  EXPECT_FALSE(t0->is_labeled);

  auto t1 = store_->GetTask(ids[1]);
  EXPECT_EQ(t1->inner_id, 2);
  EXPECT_EQ(t1->meta, "{\"source\":\"x\"}");
  EXPECT_EQ(t1->total_annotations, 1);
  EXPECT_EQ(t1->cancelled_annotations, 1);
  EXPECT_EQ(t1->total_predictions, 2);
  EXPECT_FALSE(t1->is_labeled);

  auto t2 = store_->GetTask(ids[2]);
  EXPECT_EQ(t2->total_annotations, 2);
  EXPECT_TRUE(t2->is_labeled);

  auto annotations = store_->ListAnnotations(ids[1]);
  ASSERT_TRUE(annotations.ok());
  ASSERT_EQ(annotations->size(), 2u);
  EXPECT_EQ((*annotations)[0].result, "[{\"value\":1}]");
  EXPECT_EQ((*annotations)[0].project_id, project);
  EXPECT_EQ((*annotations)[0].completed_by, ann);
  EXPECT_EQ((*annotations)[0].last_action, "imported");
  EXPECT_TRUE((*annotations)[1].was_cancelled);
  auto predictions = store_->ListPredictions(ids[1]);
  ASSERT_EQ(predictions->size(), 2u);
  EXPECT_EQ((*predictions)[0].score, 0.5);
  EXPECT_EQ((*predictions)[0].model_version, "m1");

  // A second batch continues the inner ids.
  auto more = MakeTasks(project, 2);
  EXPECT_EQ(store_->GetTask(more[1])->inner_id, 5);

  auto stats = store_->GetProjectStats(project);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->task_number, 5);
  EXPECT_EQ(stats->num_tasks_with_annotations, 2);
  EXPECT_EQ(stats->finished_task_number, 1);
  EXPECT_EQ(stats->total_annotations_number, 3);
  EXPECT_EQ(stats->skipped_annotations_number, 1);
  EXPECT_EQ(stats->total_predictions_number, 2);

  EXPECT_EQ(store_->InsertTasks(999, 0, tasks, nullptr).code(), Code::kNotFound);
  EXPECT_EQ(store_->GetTask(424242).status().message(), "task 424242 not found");
}

TEST_P(StoreTest, InnerIdsArePerProject) {
  Id ann = MakeUser("ann@x.org");
  Id p1 = MakeProject(ann), p2 = MakeProject(ann);
  MakeTasks(p1, 3);
  auto in_p2 = MakeTasks(p2, 2);
  EXPECT_EQ(store_->GetTask(in_p2[0])->inner_id, 1);
  EXPECT_EQ(store_->GetTask(in_p2[1])->inner_id, 2);
}

TEST_P(StoreTest, ImportFinishAndAbort) {
  Id ann = MakeUser("ann@x.org");
  Id project = MakeProject(ann);
  auto kept = MakeTasks(project, 2);

  auto import_id = store_->BeginImport(project, ann, "file.json");
  ASSERT_TRUE(import_id.ok());
  EXPECT_EQ(store_->GetImport(*import_id)->status, "running");
  std::vector<NewTask> tasks(3);
  Annotation a;
  a.completed_by = ann;
  tasks[0].annotations = {a};
  std::vector<Id> ids;
  ASSERT_OK(store_->InsertTasks(project, *import_id, tasks, &ids));
  EXPECT_EQ(store_->GetTask(ids[0])->import_id, *import_id);
  ASSERT_OK(store_->AbortImport(*import_id, "bad line 7"));

  auto record = store_->GetImport(*import_id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->status, "failed");
  EXPECT_EQ(record->error, "bad line 7");
  for (Id id : ids) EXPECT_EQ(store_->GetTask(id).status().code(), Code::kNotFound);
  EXPECT_EQ(*store_->CountTasks(ProjectQuery(project)), 2);
  EXPECT_TRUE(store_->GetTask(kept[0]).ok());
  EXPECT_EQ(store_->GetProjectStats(project)->total_annotations_number, 0);
  // A late batch under the aborted import is refused.
  EXPECT_EQ(store_->InsertTasks(project, *import_id, tasks, nullptr).code(),
            Code::kFailedPrecondition);

  auto second = store_->BeginImport(project, ann, "api");
  ASSERT_OK(store_->InsertTasks(project, *second, tasks, nullptr));
  ASSERT_OK(store_->FinishImport(*second, 3, 1, 0));
  record = store_->GetImport(*second);
  EXPECT_EQ(record->status, "completed");
  EXPECT_EQ(record->task_count, 3);
  EXPECT_EQ(record->annotation_count, 1);
  EXPECT_GT(record->finished_at, 0);
  EXPECT_EQ(store_->FinishImport(*second, 3, 1, 0).code(), Code::kFailedPrecondition);
  EXPECT_EQ(store_->GetImport(999).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->BeginImport(999, ann, "x").status().code(), Code::kNotFound);
}

TEST_P(StoreTest, RollBackUnfinishedImportsAfterReopen) {
  if (!persistent()) GTEST_SKIP() << "in-memory store";
  Id ann = MakeUser("ann@x.org");
  Id project = MakeProject(ann);
  auto finished = store_->BeginImport(project, ann, "done.json");
  MakeTasks(project, 2, *finished);
  ASSERT_OK(store_->FinishImport(*finished, 2, 0, 0));
  auto crashed = store_->BeginImport(project, ann, "crash.json");
  auto lost = MakeTasks(project, 5, *crashed);
  Reopen();  // as if the process died mid-import
  auto rolled = store_->RollBackUnfinishedImports();
  ASSERT_TRUE(rolled.ok()) << rolled.status().ToString();
  EXPECT_EQ(*rolled, 1);
  EXPECT_EQ(store_->GetImport(*crashed)->status, "rolled_back");
  EXPECT_FALSE(store_->GetImport(*crashed)->error.empty());
  EXPECT_EQ(store_->GetImport(*finished)->status, "completed");
  EXPECT_EQ(*store_->CountTasks(ProjectQuery(project)), 2);
  EXPECT_EQ(store_->GetTask(lost[0]).status().code(), Code::kNotFound);
  EXPECT_EQ(*store_->RollBackUnfinishedImports(), 0);
}

TEST_P(StoreTest, AnnotationCountersAndVersions) {
  Id ann = MakeUser("ann@x.org");
  Id project = MakeProject(ann, /*maximum_annotations=*/1);
  Id task = MakeTasks(project, 1)[0];

  Annotation a = Annotate(task, ann, /*cancelled=*/false, "[\"v1\"]");
  EXPECT_EQ(a.version, 1);
  EXPECT_EQ(a.project_id, project);
  auto t = store_->GetTask(task);
  EXPECT_EQ(t->total_annotations, 1);
  EXPECT_TRUE(t->is_labeled);

  a.result = "[\"v2\"]";
  a.last_action = "updated";
  a.updated_by = ann;
  ASSERT_OK(store_->UpdateAnnotation(&a));
  EXPECT_EQ(a.version, 2);
  a.result = "[\"v3\"]";
  a.was_cancelled = true;  // turned into a skip
  ASSERT_OK(store_->UpdateAnnotation(&a));
  EXPECT_EQ(a.version, 3);

  auto stored = store_->GetAnnotation(a.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->result, "[\"v3\"]");
  EXPECT_EQ(stored->version, 3);
  EXPECT_EQ(stored->completed_by, ann);
  t = store_->GetTask(task);
  EXPECT_EQ(t->total_annotations, 0);
  EXPECT_EQ(t->cancelled_annotations, 1);
  EXPECT_FALSE(t->is_labeled);

  auto versions = store_->ListAnnotationVersions(a.id);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].version, 1);
  EXPECT_EQ((*versions)[0].result, "[\"v1\"]");
  EXPECT_EQ((*versions)[0].action, "submitted");
  EXPECT_EQ((*versions)[1].version, 2);
  EXPECT_EQ((*versions)[1].result, "[\"v2\"]");
  EXPECT_FALSE((*versions)[1].was_cancelled);

  ASSERT_OK(store_->DeleteAnnotation(a.id));
  t = store_->GetTask(task);
  EXPECT_EQ(t->cancelled_annotations, 0);
  EXPECT_EQ(store_->GetAnnotation(a.id).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->DeleteAnnotation(a.id).code(), Code::kNotFound);
  Annotation orphan;
  orphan.task_id = 999;
  EXPECT_EQ(store_->CreateAnnotation(&orphan).code(), Code::kNotFound);
  Annotation missing;
  missing.id = 999;
  EXPECT_EQ(store_->UpdateAnnotation(&missing).code(), Code::kNotFound);
}

TEST_P(StoreTest, ChangingOverlapRecomputesIsLabeled) {
  Id ann = MakeUser("ann@x.org");
  Id project = MakeProject(ann, 2);
  Id task = MakeTasks(project, 1)[0];
  Annotate(task, ann);
  EXPECT_FALSE(store_->GetTask(task)->is_labeled);
  auto p = *store_->GetProject(project);
  p.maximum_annotations = 1;
  ASSERT_OK(store_->UpdateProject(p));
  EXPECT_TRUE(store_->GetTask(task)->is_labeled);
}

TEST_P(StoreTest, NextTaskWithOverlapTwo) {
  Id u1 = MakeUser("u1@x.org"), u2 = MakeUser("u2@x.org"), u3 = MakeUser("u3@x.org");
  Id project = MakeProject(u1, /*maximum_annotations=*/2);
  auto ids = MakeTasks(project, 2);

  EXPECT_EQ(store_->NextTask(project, u1)->id, ids[0]);
  Annotate(ids[0], u1);
  EXPECT_EQ(store_->NextTask(project, u1)->id, ids[1]);  // u1 is done with task 0
  EXPECT_EQ(store_->NextTask(project, u2)->id, ids[0]);  // task 0 still needs one more
  Annotate(ids[0], u2);
  EXPECT_EQ(store_->NextTask(project, u3)->id, ids[1]);  // task 0 is full
  Annotate(ids[1], u3, /*cancelled=*/true);              // a skip
  EXPECT_EQ(store_->NextTask(project, u3).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->NextTask(project, u1)->id, ids[1]);  // skips do not count towards overlap
  Annotate(ids[1], u1);
  Annotate(ids[1], u2);
  EXPECT_EQ(store_->NextTask(project, u1).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->NextTask(project, u2).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->NextTask(999, u1).status().code(), Code::kNotFound);
}

TEST_P(StoreTest, ListAndCountTasks) {
  Id ann = MakeUser("ann@x.org");
  Id project = MakeProject(ann);
  auto ids = MakeTasks(project, 5);
  Annotate(ids[3], ann);
  Annotate(ids[1], ann);
  Annotate(ids[1], ann);

  TaskQuery query = ProjectQuery(project);
  EXPECT_EQ(*store_->CountTasks(query), 5);
  query.status = "labeled";
  EXPECT_EQ(*store_->CountTasks(query), 2);
  auto labeled = store_->ListTasks(query);
  ASSERT_EQ(labeled->size(), 2u);
  EXPECT_EQ((*labeled)[0].id, ids[1]);
  query.status = "unlabeled";
  EXPECT_EQ(*store_->CountTasks(query), 3);
  query.status = "bogus";
  EXPECT_EQ(store_->CountTasks(query).status().code(), Code::kInvalidArgument);

  query = ProjectQuery(project);
  query.order = "-id";
  query.limit = 2;
  query.offset = 1;
  auto page = store_->ListTasks(query);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, ids[3]);
  EXPECT_EQ((*page)[1].id, ids[2]);

  query = ProjectQuery(project);
  query.order = "-total_annotations";
  auto by_count = store_->ListTasks(query);
  ASSERT_EQ(by_count->size(), 5u);
  EXPECT_EQ((*by_count)[0].id, ids[1]);
  EXPECT_EQ((*by_count)[1].id, ids[3]);
  EXPECT_EQ((*by_count)[2].id, ids[0]);

  query = ProjectQuery(project);
  query.after_id = ids[2];
  EXPECT_EQ(store_->ListTasks(query)->size(), 2u);
  query.order = "nonsense";
  EXPECT_EQ(store_->ListTasks(query).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->ListTasks(ProjectQuery(999)).status().code(), Code::kNotFound);
}

TEST_P(StoreTest, UpdateAndDeleteTasks) {
  Id ann = MakeUser("ann@x.org");
  Id project = MakeProject(ann);
  auto ids = MakeTasks(project, 3);
  Task task = *store_->GetTask(ids[0]);
  task.data = "{\"text\":\"new\"}";
  ASSERT_OK(store_->UpdateTask(task));
  EXPECT_EQ(store_->GetTask(ids[0])->data, "{\"text\":\"new\"}");
  ASSERT_OK(store_->DeleteTask(ids[0]));
  EXPECT_EQ(store_->DeleteTask(ids[0]).code(), Code::kNotFound);
  task.id = ids[0];
  EXPECT_EQ(store_->UpdateTask(task).code(), Code::kNotFound);
  ASSERT_OK(store_->DeleteAllTasks(project));
  EXPECT_EQ(*store_->CountTasks(ProjectQuery(project)), 0);
  // Ids are not reused after deletes.
  auto again = MakeTasks(project, 1);
  EXPECT_GT(again[0], ids[2]);
}

TEST_P(StoreTest, ForEachTaskBundleOverSeveralPages) {
  Id ann = MakeUser("ann@x.org");
  Id project = MakeProject(ann);
  Id other = MakeProject(ann);
  constexpr int kTasks = 2500;
  std::vector<NewTask> tasks(kTasks);
  for (int task_idx = 0; task_idx < kTasks; ++task_idx) {
    tasks[task_idx].data = "{\"n\":" + std::to_string(task_idx) + "}";
    if (task_idx % 3 == 0) {
      Annotation a;
      a.completed_by = ann;
      a.result = "[" + std::to_string(task_idx) + "]";
      tasks[task_idx].annotations = {a};
    }
    if (task_idx % 7 == 0) {
      // A second annotation on some: pages read into the records of the
      // page before, whose counts and texts differ.
      Annotation b;
      b.completed_by = ann;
      b.result = "[-" + std::to_string(task_idx) + "]";
      b.lead_time = task_idx;
      tasks[task_idx].annotations.push_back(b);
    }
    if (task_idx % 5 == 0) {
      Prediction p;
      p.result = "[" + std::to_string(task_idx) + "]";
      tasks[task_idx].predictions = {p, p};
    }
  }
  ASSERT_OK(store_->InsertTasks(project, 0, std::span(tasks).first(1200), nullptr));
  MakeTasks(other, 10);  // interleaved ids from another project
  ASSERT_OK(store_->InsertTasks(project, 0, std::span(tasks).subspan(1200), nullptr));

  int seen = 0;
  Id last_id = 0;
  ASSERT_OK(store_->ForEachTaskBundle(ProjectQuery(project), [&](const TaskBundle& bundle) {
    EXPECT_GT(bundle.task.id, last_id);
    last_id = bundle.task.id;
    EXPECT_EQ(bundle.task.project_id, project);
    EXPECT_EQ(bundle.task.data, "{\"n\":" + std::to_string(seen) + "}");
    const size_t first_count = seen % 3 == 0 ? 1 : 0;
    EXPECT_EQ(bundle.annotations.size(), first_count + (seen % 7 == 0 ? 1 : 0));
    EXPECT_EQ(bundle.predictions.size(), seen % 5 == 0 ? 2u : 0u);
    if (first_count == 1 && !bundle.annotations.empty()) {
      EXPECT_EQ(bundle.annotations[0].result, "[" + std::to_string(seen) + "]");
      EXPECT_EQ(bundle.annotations[0].lead_time, 0);
    }
    if (seen % 7 == 0 && bundle.annotations.size() == first_count + 1) {
      EXPECT_EQ(bundle.annotations[first_count].result, "[-" + std::to_string(seen) + "]");
      EXPECT_EQ(bundle.annotations[first_count].lead_time, seen);
    }
    for (const Prediction& p : bundle.predictions) {
      EXPECT_EQ(p.result, "[" + std::to_string(seen) + "]");
      EXPECT_EQ(p.task_id, bundle.task.id);
    }
    for (const Annotation& a : bundle.annotations) EXPECT_EQ(a.task_id, bundle.task.id);
    ++seen;
    return Status::Ok();
  }));
  EXPECT_EQ(seen, kTasks);

  // Stops at the first error and returns it.
  int calls = 0;
  Status stopped = store_->ForEachTaskBundle(ProjectQuery(project), [&](const TaskBundle&) {
    return ++calls == 1500 ? Status::Internal("stop") : Status::Ok();
  });
  EXPECT_EQ(stopped.message(), "stop");
  EXPECT_EQ(calls, 1500);

  // The callback may call back into the store.
  TaskQuery labeled = ProjectQuery(project);
  labeled.status = "labeled";
  int labeled_seen = 0;
  ASSERT_OK(store_->ForEachTaskBundle(labeled, [&](const TaskBundle& bundle) {
    ++labeled_seen;
    return store_->GetTask(bundle.task.id).status();
  }));
  int annotated = 0;
  for (int task_idx = 0; task_idx < kTasks; ++task_idx) annotated += task_idx % 3 == 0 || task_idx % 7 == 0;
  EXPECT_EQ(labeled_seen, annotated);
}

TEST_P(StoreTest, PredictionsAndDrafts) {
  Id ann = MakeUser("ann@x.org");
  Id project = MakeProject(ann);
  Id task = MakeTasks(project, 1)[0];
  Prediction prediction;
  prediction.task_id = task;
  prediction.result = "[1]";
  ASSERT_OK(store_->CreatePrediction(&prediction));
  EXPECT_EQ(store_->GetTask(task)->total_predictions, 1);
  EXPECT_FALSE(store_->GetPrediction(prediction.id)->score.has_value());
  ASSERT_OK(store_->DeletePrediction(prediction.id));
  EXPECT_EQ(store_->GetTask(task)->total_predictions, 0);
  EXPECT_EQ(store_->DeletePrediction(prediction.id).code(), Code::kNotFound);

  Draft draft;
  draft.task_id = task;
  draft.user_id = ann;
  draft.result = "[\"d1\"]";
  draft.lead_time = 3.5;
  ASSERT_OK(store_->SaveDraft(&draft));
  Id first_id = draft.id;
  EXPECT_EQ(draft.project_id, project);
  TimeMs created = draft.created_at;
  draft.result = "[\"d2\"]";
  draft.lead_time = 7;
  ASSERT_OK(store_->SaveDraft(&draft));  // same (task, user, no annotation): replaces
  EXPECT_EQ(draft.id, first_id);
  EXPECT_EQ(draft.created_at, created);
  auto stored = store_->GetDraft(first_id);
  ASSERT_OK(stored.status());
  EXPECT_EQ(stored->result, "[\"d2\"]");
  EXPECT_EQ(stored->lead_time, 7);
  EXPECT_EQ(stored->project_id, project);
  EXPECT_FALSE(stored->annotation_id.has_value());

  // A draft of an edit of an existing annotation is a separate draft.
  Id other_task = MakeTasks(project, 1)[0];
  Annotation a = Annotate(other_task, ann);
  Draft on_annotation;
  on_annotation.task_id = task;
  on_annotation.user_id = ann;
  on_annotation.annotation_id = a.id;
  EXPECT_EQ(store_->SaveDraft(&on_annotation).code(), Code::kInvalidArgument);  // other task
  on_annotation.task_id = other_task;
  on_annotation.result = "[\"e1\"]";
  ASSERT_OK(store_->SaveDraft(&on_annotation));
  EXPECT_NE(on_annotation.id, first_id);
  EXPECT_EQ(store_->ListDrafts(task, ann)->size(), 1u);
  auto on_other = store_->ListDrafts(other_task, ann);
  ASSERT_EQ(on_other->size(), 1u);
  EXPECT_EQ((*on_other)[0].annotation_id, a.id);
  EXPECT_EQ((*on_other)[0].result, "[\"e1\"]");

  // UpdateDraft by id.
  Draft patch;
  patch.id = on_annotation.id;
  patch.result = "[\"e2\"]";
  patch.lead_time = 2;
  ASSERT_OK(store_->UpdateDraft(&patch));
  EXPECT_EQ(patch.task_id, other_task);
  EXPECT_EQ(patch.annotation_id, a.id);
  EXPECT_EQ(store_->GetDraft(on_annotation.id)->result, "[\"e2\"]");
  patch.id = 999999;
  EXPECT_EQ(store_->UpdateDraft(&patch).code(), Code::kNotFound);
  EXPECT_EQ(store_->GetDraft(999999).status().code(), Code::kNotFound);

  Draft missing_task;
  missing_task.task_id = 999999;
  missing_task.user_id = ann;
  EXPECT_EQ(store_->SaveDraft(&missing_task).code(), Code::kNotFound);

  ASSERT_OK(store_->DeleteDraft(first_id));
  EXPECT_EQ(store_->ListDrafts(task, ann)->size(), 0u);
  EXPECT_EQ(store_->DeleteDraft(first_id).code(), Code::kNotFound);
}

// Submitting deletes the author's draft of a new annotation on that task (and
// nobody else's); updating an annotation deletes the updater's draft of it.
TEST_P(StoreTest, SubmitDeletesOwnDraft) {
  Id ann = MakeUser("ann@x.org");
  Id bob = MakeUser("bob@x.org");
  Id project = MakeProject(ann, 2);
  ASSERT_OK(store_->SetMember(project, bob, Role::kAnnotator));
  auto tasks = MakeTasks(project, 2);
  auto save = [&](Id task, Id user, std::optional<Id> annotation = std::nullopt) {
    Draft d;
    d.task_id = task;
    d.user_id = user;
    d.annotation_id = annotation;
    d.result = "[]";
    Status s = store_->SaveDraft(&d);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return d.id;
  };
  save(tasks[0], ann);
  save(tasks[1], ann);
  save(tasks[0], bob);
  Annotation a = Annotate(tasks[0], ann);
  EXPECT_EQ(store_->ListDrafts(tasks[0], ann)->size(), 0u);
  EXPECT_EQ(store_->ListDrafts(tasks[1], ann)->size(), 1u);  // another task
  EXPECT_EQ(store_->ListDrafts(tasks[0], bob)->size(), 1u);  // another user

  Id edit = save(tasks[0], ann, a.id);
  Id bobs_new = store_->ListDrafts(tasks[0], bob)->at(0).id;
  a.result = "[2]";
  a.updated_by = ann;
  ASSERT_OK(store_->UpdateAnnotation(&a));
  EXPECT_EQ(store_->GetDraft(edit).status().code(), Code::kNotFound);
  EXPECT_OK(store_->GetDraft(bobs_new).status());

  // Deleting the annotation takes drafts of it along.
  Id again = save(tasks[0], ann, a.id);
  ASSERT_OK(store_->DeleteAnnotation(a.id));
  EXPECT_EQ(store_->GetDraft(again).status().code(), Code::kNotFound);
  // Deleting the task takes the rest.
  ASSERT_OK(store_->DeleteTask(tasks[0]));
  EXPECT_EQ(store_->GetDraft(bobs_new).status().code(), Code::kNotFound);
}

TEST_P(StoreTest, DeleteProjectCascades) {
  Id ann = MakeUser("ann@x.org");
  Id project = MakeProject(ann);
  Id keep = MakeProject(ann);
  auto ids = MakeTasks(project, 2);
  auto kept = MakeTasks(keep, 1);
  Annotation a = Annotate(ids[0], ann);
  a.result = "[2]";
  ASSERT_OK(store_->UpdateAnnotation(&a));
  Prediction p;
  p.task_id = ids[0];
  ASSERT_OK(store_->CreatePrediction(&p));
  Draft d;
  d.task_id = ids[0];
  d.user_id = ann;
  ASSERT_OK(store_->SaveDraft(&d));
  auto import_id = store_->BeginImport(project, ann, "x");

  ASSERT_OK(store_->DeleteProject(project));
  EXPECT_EQ(store_->GetTask(ids[0]).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetAnnotation(a.id).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetPrediction(p.id).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetImport(*import_id).status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->ListDrafts(ids[0], ann)->empty());
  EXPECT_FALSE(store_->GetRole(project, ann)->has_value());
  EXPECT_TRUE(store_->GetTask(kept[0]).ok());
}

TEST_P(StoreTest, ConcurrentAnnotationsKeepCountersExact) {
  if (!GetParam().file_backed) GTEST_SKIP() << "needs a file database";
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  Id owner = MakeUser("owner@x.org");
  Id project = MakeProject(owner, /*maximum_annotations=*/1000);
  auto ids = MakeTasks(project, 4);
  std::vector<Id> users;
  for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
    users.push_back(MakeUser("u" + std::to_string(thread_idx) + "@x.org"));
  }
  std::atomic<int> failures{0};
  std::mutex first_error_mu;
  std::string first_error;
  auto check = [&](const Status& status) {
    if (status.ok()) return;
    failures++;
    std::lock_guard<std::mutex> lock(first_error_mu);
    if (first_error.empty()) first_error = status.ToString();
  };
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
    threads.emplace_back([&, thread_idx] {
      for (int op_idx = 0; op_idx < kPerThread; ++op_idx) {
        Annotation a;
        a.task_id = ids[static_cast<size_t>(op_idx) % ids.size()];
        a.completed_by = users[static_cast<size_t>(thread_idx)];
        a.was_cancelled = op_idx % 4 == 0;
        check(store_->CreateAnnotation(&a));
        // Readers run at the same time.
        check(store_->GetTask(a.task_id).status());
        check(store_->ListAnnotations(a.task_id).status());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0) << first_error;
  int total = 0, cancelled = 0;
  for (Id id : ids) {
    auto task = store_->GetTask(id);
    total += task->total_annotations;
    cancelled += task->cancelled_annotations;
    auto annotations = store_->ListAnnotations(id);
    int task_cancelled = 0;
    for (const auto& a : *annotations) task_cancelled += a.was_cancelled ? 1 : 0;
    EXPECT_EQ(task->cancelled_annotations, task_cancelled);
    EXPECT_EQ(task->total_annotations, static_cast<int>(annotations->size()) - task_cancelled);
  }
  EXPECT_EQ(total + cancelled, kThreads * kPerThread);
  EXPECT_EQ(cancelled, kThreads * kPerThread / 4);
}

TEST_P(StoreTest, ManyTasksInOneBatch) {
  Id ann = MakeUser("ann@x.org");
  Id project = MakeProject(ann);
  constexpr int kCount = 20003;  // not a multiple of the store's insert group size
  auto ids = MakeTasks(project, kCount);
  ASSERT_EQ(ids.size(), static_cast<size_t>(kCount));
  EXPECT_EQ(*store_->CountTasks(ProjectQuery(project)), kCount);
  // The returned ids name the right rows, including the last partial group.
  for (int task_idx : {0, 1, 63, 64, 65, 9999, kCount - 3, kCount - 2, kCount - 1}) {
    auto task = store_->GetTask(ids[static_cast<size_t>(task_idx)]);
    ASSERT_TRUE(task.ok());
    EXPECT_EQ(task->data, "{\"text\":\"task " + std::to_string(task_idx) + "\"}");
    EXPECT_EQ(task->inner_id, task_idx + 1);
  }
}

// A batch large enough for the bulk path (COPY on PostgreSQL) keeps every
// byte of the data, nested annotations and predictions, and the counters.
TEST_P(StoreTest, LargeBatchKeepsAwkwardDataAndNestedRows) {
  Id ann = MakeUser("ann@x.org");
  Id project = MakeProject(ann, /*maximum_annotations=*/1);
  constexpr size_t kCount = 700;
  // JSON text that COPY's text format must escape: backslashes (also one
  // before N, COPY's NULL marker), escaped tab/newline, raw UTF-8.
  const std::string awkward =
      R"({"text":"tab\there\nnew line \\N back\\slash \"quoted\" café ✓ 日本"})";
  std::vector<NewTask> tasks(kCount);
  Annotation done;
  done.completed_by = ann;
  done.result = R"([{"value":{"choices":["a"]}}])";
  Prediction prediction;
  prediction.result = R"([{"value":{"choices":["b"]}}])";
  prediction.score = 0.25;
  for (size_t task_idx = 0; task_idx < kCount; ++task_idx) {
    tasks[task_idx].data = task_idx % 2 == 0 ? awkward : "{\"n\":" + std::to_string(task_idx) + "}";
    if (task_idx % 7 == 0) tasks[task_idx].annotations = {done};
    if (task_idx % 5 == 0) tasks[task_idx].predictions = {prediction};
  }
  tasks[3].meta = R"({"source":"a\tb"})";
  std::vector<Id> ids;
  ASSERT_OK(store_->InsertTasks(project, 0, tasks, &ids));
  ASSERT_EQ(ids.size(), kCount);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  for (size_t task_idx = 0; task_idx < kCount; ++task_idx) {
    auto task = store_->GetTask(ids[task_idx]);
    ASSERT_TRUE(task.ok()) << task_idx;
    ASSERT_EQ(nlohmann::json::parse(task->data), nlohmann::json::parse(tasks[task_idx].data)) << task_idx;
    EXPECT_EQ(task->inner_id, static_cast<int64_t>(task_idx) + 1);
    EXPECT_EQ(task->total_annotations, task_idx % 7 == 0 ? 1 : 0);
    EXPECT_EQ(task->is_labeled, task_idx % 7 == 0);
    EXPECT_EQ(task->total_predictions, task_idx % 5 == 0 ? 1 : 0);
  }
  EXPECT_EQ(nlohmann::json::parse(store_->GetTask(ids[3])->meta)["source"], "a\tb");
  auto annotations = store_->ListAnnotations(ids[7]);
  ASSERT_EQ(annotations->size(), 1u);
  EXPECT_EQ(nlohmann::json::parse((*annotations)[0].result)[0]["value"]["choices"][0], "a");
  auto predictions = store_->ListPredictions(ids[5]);
  ASSERT_EQ(predictions->size(), 1u);
  EXPECT_EQ((*predictions)[0].score, 0.25);
  auto stats = store_->GetProjectStats(project);
  EXPECT_EQ(stats->task_number, static_cast<int64_t>(kCount));
  EXPECT_EQ(stats->total_annotations_number, 100);  // 0, 7, ..., 693
  EXPECT_EQ(stats->total_predictions_number, 140);
  // A later small batch continues after it.
  auto more = MakeTasks(project, 2);
  EXPECT_GT(more[0], ids.back());
  EXPECT_EQ(store_->GetTask(more[1])->inner_id, static_cast<int64_t>(kCount) + 2);
}

// The caches' whole-project read: only tasks with an annotation, only this
// project's, each with all its annotations, in slices that end with a whole
// task. The default (through ForEachTaskBundle) answers the same.
TEST_P(StoreTest, ReadAnnotatedTasksGivesWholeTasksInSlices) {
  Id ann = MakeUser("ann@x.org");
  Id bob = MakeUser("bob@x.org");
  Id project = MakeProject(ann, /*maximum_annotations=*/3);
  Id other = MakeProject(ann, 1, "other");
  std::vector<Id> first = MakeTasks(project, 2);
  std::vector<Id> theirs = MakeTasks(other, 1);
  std::vector<Id> later = MakeTasks(project, 3);
  Annotate(first[0], ann);
  Annotate(first[0], bob);
  Annotate(theirs[0], ann);                     // another project's, in between
  Annotate(later[0], bob, /*cancelled=*/true);  // a skip counts
  const Id third = Annotate(later[1], ann).id;
  Annotate(later[1], bob);
  Annotate(later[1], ann);
  // first[1] and later[2] have none.

  // Each slice as "task:annotation ids,..." for every task in it.
  auto describe = [](const std::vector<TaskBundle>& slice, size_t count) {
    std::string out;
    for (size_t task_idx = 0; task_idx < count; ++task_idx) {
      out += std::to_string(slice[task_idx].task.id) + ":";
      for (const Annotation& a : slice[task_idx].annotations) {
        EXPECT_EQ(a.task_id, slice[task_idx].task.id);
        out += std::to_string(a.id) + ",";
      }
      out += " ";
    }
    return out;
  };
  auto expected_task = [&](Id task_id) {
    auto list = store_->ListAnnotations(task_id);
    EXPECT_TRUE(list.ok());
    std::string out = std::to_string(task_id) + ":";
    for (const Annotation& a : *list) out += std::to_string(a.id) + ",";
    return out + " ";
  };
  for (bool base : {false, true}) {
    SCOPED_TRACE(base ? "Store's default" : "the backend's own");
    auto read = [&](Id after, size_t min, std::vector<TaskBundle>* slice, size_t* count) {
      return base ? store_->Store::ReadAnnotatedTasks(project, after, min, slice, count)
                  : store_->ReadAnnotatedTasks(project, after, min, slice, count);
    };
    std::vector<TaskBundle> slice;
    size_t count = 99;
    // At least 2 annotations: the first task has them.
    ASSERT_OK(read(0, 2, &slice, &count));
    EXPECT_EQ(describe(slice, count), expected_task(first[0]));
    // Then the skip's task and the whole of the next, though 2 were reached inside it.
    ASSERT_OK(read(first[0], 2, &slice, &count));
    EXPECT_EQ(describe(slice, count), expected_task(later[0]) + expected_task(later[1]));
    ASSERT_EQ(count, 2u);
    EXPECT_EQ(slice[1].annotations.front().id, third);
    // Nothing after the last annotated task.
    ASSERT_OK(read(later[1], 2, &slice, &count));
    EXPECT_EQ(count, 0u);
    // Everything in one slice, into the buffers used before.
    ASSERT_OK(read(0, 1000, &slice, &count));
    EXPECT_EQ(describe(slice, count), expected_task(first[0]) + expected_task(later[0]) + expected_task(later[1]));
    EXPECT_EQ(slice[0].annotations[1].completed_by, bob);
    EXPECT_TRUE(slice[1].annotations[0].was_cancelled);
  }
  std::vector<TaskBundle> slice;
  size_t count = 0;
  EXPECT_EQ(store_->ReadAnnotatedTasks(987654, 0, 10, &slice, &count).code(), Code::kNotFound);
}

}  // namespace
}  // namespace tessera::testing
