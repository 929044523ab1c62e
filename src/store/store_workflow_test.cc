// Team workflow in the store: NextTask with locks, assignment, honeypots,
// skip policies, priority order, reviews and the review queue.
#include <chrono>
#include <set>
#include <thread>

#include "src/store/postgres/pg_test_cluster.h"
#include "src/store/store_test_util.h"

namespace tessera::testing {
namespace {

class WorkflowTest : public StoreTest {
 protected:
  Id Member(Id project, const std::string& email, Role role = Role::kAnnotator) {
    Id user = MakeUser(email);
    EXPECT_OK(store_->SetMember(project, user, role));
    return user;
  }
  void SetSettings(Id project, const WorkflowSettings& settings) {
    ASSERT_OK(store_->SetWorkflowSettings(project, settings));
  }
};

TEST_P(WorkflowTest, LocksReserveSlotsAndReloadGivesTheSameTask) {
  Id owner = MakeUser("o@x.org");
  Id project = MakeProject(owner, /*maximum_annotations=*/1);
  auto ids = MakeTasks(project, 3);
  Id u1 = Member(project, "u1@x.org"), u2 = Member(project, "u2@x.org");
  EXPECT_EQ(store_->NextTask(project, u1)->id, ids[0]);
  EXPECT_EQ(store_->NextTask(project, u1)->id, ids[0]);  // reload: same task
  EXPECT_EQ(store_->NextTask(project, u2)->id, ids[1]);  // task 0 is reserved by u1
  auto locks = store_->ListTaskLocks(project, NowMs());
  ASSERT_TRUE(locks.ok());
  EXPECT_EQ(locks->size(), 2u);
  Annotate(ids[0], u1);                                   // submit releases the lock
  EXPECT_EQ(store_->ListTaskLocks(project, NowMs())->size(), 1u);
  EXPECT_EQ(store_->NextTask(project, u1)->id, ids[2]);
  EXPECT_EQ(store_->NextTask(project, owner).status().code(), Code::kNotFound);
  ASSERT_OK(store_->ReleaseTaskLock(ids[1], u2));
  EXPECT_EQ(store_->NextTask(project, owner)->id, ids[1]);
}

TEST_P(WorkflowTest, LocksExpire) {
  Id owner = MakeUser("o@x.org");
  Id project = MakeProject(owner, 1);
  auto ids = MakeTasks(project, 1);
  Id u1 = Member(project, "u1@x.org"), u2 = Member(project, "u2@x.org");
  WorkflowSettings settings;
  settings.lock_timeout_ms = 40;
  SetSettings(project, settings);
  EXPECT_EQ(store_->NextTask(project, u1)->id, ids[0]);
  EXPECT_EQ(store_->NextTask(project, u2).status().code(), Code::kNotFound);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(store_->NextTask(project, u2)->id, ids[0]);  // u1 walked away
  EXPECT_EQ(store_->ListTaskLocks(project, NowMs())->size(), 1u);
}

// A reload within the first half of the lock's time-out answers without
// renewing the lock (a read); past half-life it renews it.
TEST_P(WorkflowTest, ReloadRenewsTheLockAtHalfLife) {
  Id owner = MakeUser("o@x.org");
  auto expiry = [&](Id project) {
    auto locks = store_->ListTaskLocks(project, NowMs());
    EXPECT_TRUE(locks.ok() && locks->size() == 1u);
    return locks.ok() && !locks->empty() ? (*locks)[0].expires_at : TimeMs{0};
  };
  Id slow = MakeProject(owner, 1);
  auto slow_ids = MakeTasks(slow, 2);
  Id u1 = Member(slow, "u1@x.org");
  WorkflowSettings settings;
  settings.lock_timeout_ms = 60'000;
  SetSettings(slow, settings);
  EXPECT_EQ(store_->NextTask(slow, u1)->id, slow_ids[0]);
  TimeMs first = expiry(slow);
  EXPECT_EQ(store_->NextTask(slow, u1)->id, slow_ids[0]);
  EXPECT_EQ(expiry(slow), first);  // not renewed: 60 s minus a moment are left

  Id fast = MakeProject(owner, 1);
  auto fast_ids = MakeTasks(fast, 2);
  ASSERT_OK(store_->SetMember(fast, u1, Role::kAnnotator));
  settings.lock_timeout_ms = 80;
  SetSettings(fast, settings);
  EXPECT_EQ(store_->NextTask(fast, u1)->id, fast_ids[0]);
  first = expiry(fast);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(store_->NextTask(fast, u1)->id, fast_ids[0]);
  EXPECT_GT(expiry(fast), first);  // past half-life: renewed
}

TEST_P(WorkflowTest, SkipPolicies) {
  Id owner = MakeUser("o@x.org");
  Id project = MakeProject(owner, 1);
  auto ids = MakeTasks(project, 1);
  Id u1 = Member(project, "u1@x.org"), u2 = Member(project, "u2@x.org");
  EXPECT_EQ(store_->NextTask(project, u1)->id, ids[0]);
  Annotate(ids[0], u1, /*cancelled=*/true);
  EXPECT_EQ(store_->NextTask(project, u1).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->NextTask(project, u2)->id, ids[0]);  // re-queued for others
  ASSERT_OK(store_->ReleaseTaskLock(ids[0], u2));
  WorkflowSettings settings;
  settings.skip_queue = SkipQueue::kIgnoreSkipped;
  SetSettings(project, settings);
  EXPECT_EQ(store_->GetWorkflowSettings(project)->skip_queue, SkipQueue::kIgnoreSkipped);
  EXPECT_EQ(store_->NextTask(project, u2).status().code(), Code::kNotFound);  // the skip counts
}

TEST_P(WorkflowTest, AssignedTasksComeFirstAndOnlyToAssignees) {
  Id owner = MakeUser("o@x.org");
  Id project = MakeProject(owner, 2);
  auto ids = MakeTasks(project, 3);
  Id u1 = Member(project, "u1@x.org"), u2 = Member(project, "u2@x.org");
  std::vector<Id> tasks = {ids[2]}, users = {u1};
  EXPECT_EQ(*store_->AssignTasks(project, tasks, users, AssignmentKind::kAnnotate, owner), 1);
  EXPECT_EQ(*store_->AssignTasks(project, tasks, users, AssignmentKind::kAnnotate, owner), 0);
  EXPECT_EQ(store_->NextTask(project, u1)->id, ids[2]);
  Annotate(ids[2], u1);
  EXPECT_TRUE(store_->ListAssignments(ids[2])->empty());  // done: assignment closed
  EXPECT_EQ(store_->NextTask(project, u1)->id, ids[0]);
  // While assigned to u1, task 1 is not given to u2.
  std::vector<Id> second = {ids[1]};
  EXPECT_EQ(*store_->AssignTasks(project, second, users, AssignmentKind::kAnnotate, owner), 1);
  EXPECT_EQ(store_->NextTask(project, u2)->id, ids[0]);
  Annotate(ids[0], u2);
  EXPECT_EQ(store_->NextTask(project, u2)->id, ids[2]);
  Annotate(ids[2], u2);
  EXPECT_EQ(store_->NextTask(project, u2).status().code(), Code::kNotFound);
  EXPECT_EQ(*store_->UnassignTasks(project, second, {}, AssignmentKind::kAnnotate), 1);
  EXPECT_EQ(store_->NextTask(project, u2)->id, ids[1]);
  // Non-members and foreign tasks are refused, naming the field.
  Id outsider = MakeUser("out@x.org");
  std::vector<Id> bad_users = {outsider};
  EXPECT_EQ(store_->AssignTasks(project, tasks, bad_users, AssignmentKind::kAnnotate, owner)
                .status().field_errors().at(0).field, "users");
}

// selectedItems {"all": true, "excluded": [...]}: every task but the excluded,
// chosen inside the store; {"all": false} behaves like the id-list methods.
TEST_P(WorkflowTest, AssignAndUnassignASelection) {
  Id owner = MakeUser("o@x.org");
  Id project = MakeProject(owner, 1);
  auto ids = MakeTasks(project, 5);
  Id other_project = MakeProject(owner, 1);
  auto foreign = MakeTasks(other_project, 1);
  Id u1 = Member(project, "u1@x.org"), u2 = Member(project, "u2@x.org");
  std::vector<Id> users = {u1, u2};
  auto assigned_to = [&](Id task) {
    std::set<Id> out;
    auto list = store_->ListAssignments(task);
    EXPECT_TRUE(list.ok());
    if (list.ok())
      for (const TaskAssignment& a : *list) out.insert(a.user_id);
    return out;
  };

  // All but tasks 1 and 3 (and a foreign id, which is ignored), to both users.
  TaskSelection all_but{true, {ids[1], ids[3], foreign[0]}};
  auto counts = store_->AssignSelection(project, all_but, users, AssignmentKind::kAnnotate, owner);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->tasks, 3);
  EXPECT_EQ(counts->assignments, 6);
  EXPECT_EQ(assigned_to(ids[0]), (std::set<Id>{u1, u2}));
  EXPECT_TRUE(assigned_to(ids[1]).empty());
  EXPECT_TRUE(assigned_to(ids[3]).empty());
  EXPECT_EQ(assigned_to(ids[4]), (std::set<Id>{u1, u2}));
  EXPECT_TRUE(assigned_to(foreign[0]).empty());
  // Idempotent; without exclusions every task of the project.
  counts = store_->AssignSelection(project, TaskSelection{true, {}}, users,
                                   AssignmentKind::kAnnotate, owner);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->tasks, 5);
  EXPECT_EQ(counts->assignments, 4);  // only tasks 1 and 3 were new
  EXPECT_EQ(store_->NextTask(project, u1)->id, ids[0]);

  // Unassign u2 from all but task 4, then everyone from everything.
  std::vector<Id> only_u2 = {u2};
  counts = store_->UnassignSelection(project, TaskSelection{true, {ids[4]}}, only_u2,
                                     AssignmentKind::kAnnotate);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->tasks, 4);
  EXPECT_EQ(counts->assignments, 4);
  EXPECT_EQ(assigned_to(ids[4]), (std::set<Id>{u1, u2}));
  EXPECT_EQ(assigned_to(ids[0]), (std::set<Id>{u1}));
  counts = store_->UnassignSelection(project, TaskSelection{true, {}}, {}, AssignmentKind::kAnnotate);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->assignments, 6);  // u1 on all five, u2 on task 4
  for (Id task : ids) EXPECT_TRUE(assigned_to(task).empty());

  // all = false: the listed tasks, checked as AssignTasks checks them.
  counts = store_->AssignSelection(project, TaskSelection{false, {ids[2]}}, users,
                                   AssignmentKind::kReview, owner);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->tasks, 1);
  EXPECT_EQ(counts->assignments, 2);
  EXPECT_EQ(store_->AssignSelection(project, TaskSelection{false, {foreign[0]}}, users,
                                    AssignmentKind::kAnnotate, owner)
                .status().field_errors().at(0).field, "selectedItems");
  Id outsider = MakeUser("out@x.org");
  std::vector<Id> bad_users = {outsider};
  EXPECT_EQ(store_->AssignSelection(project, TaskSelection{true, {}}, bad_users,
                                    AssignmentKind::kAnnotate, owner)
                .status().field_errors().at(0).field, "users");
  EXPECT_EQ(store_->AssignSelection(999999, TaskSelection{true, {}}, users,
                                    AssignmentKind::kAnnotate, owner).status().code(),
            Code::kNotFound);
}

// A large selection is applied range by range (100 tasks per transaction
// with 50 users): exclusions on both sides of a range boundary still hold.
TEST_P(WorkflowTest, AllButSelectionAcrossSeveralTransactions) {
  Id owner = MakeUser("o@x.org");
  Id project = MakeProject(owner, 1);
  auto ids = MakeTasks(project, 250);
  std::vector<Id> users;
  for (int idx = 0; idx < 50; ++idx) {
    users.push_back(Member(project, "u" + std::to_string(idx) + "@x.org"));
  }
  TaskSelection selection{true, {ids[249], ids[100], ids[99], ids[0]}};  // any order
  auto counts = store_->AssignSelection(project, selection, users, AssignmentKind::kAnnotate, owner);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->tasks, 246);
  EXPECT_EQ(counts->assignments, 246 * 50);
  for (size_t idx : {0, 99, 100, 249}) EXPECT_TRUE(store_->ListAssignments(ids[idx])->empty()) << idx;
  for (size_t idx : {1, 98, 101, 200, 248}) EXPECT_EQ(store_->ListAssignments(ids[idx])->size(), 50u) << idx;
  std::vector<Id> one = {users[7]};
  counts = store_->UnassignSelection(project, TaskSelection{true, {ids[150]}}, one,
                                     AssignmentKind::kAnnotate);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->tasks, 249);
  EXPECT_EQ(counts->assignments, 245);  // all of users[7]'s but task 150
  counts = store_->UnassignSelection(project, TaskSelection{true, {}}, {}, AssignmentKind::kAnnotate);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->tasks, 250);
  EXPECT_EQ(counts->assignments, 246 * 50 - 245);
}

TEST_P(WorkflowTest, HoneypotsAreMixedIn) {
  Id owner = MakeUser("o@x.org");
  Id project = MakeProject(owner, 1);
  auto ids = MakeTasks(project, 4);
  Annotation gt;
  gt.task_id = ids[3];
  gt.completed_by = owner;
  gt.ground_truth = true;
  gt.result = "[{\"id\":\"g\"}]";
  ASSERT_OK(store_->CreateAnnotation(&gt));
  Id u1 = Member(project, "u1@x.org");
  WorkflowSettings settings;
  settings.honeypot_rate = 1;
  SetSettings(project, settings);
  EXPECT_EQ(store_->NextTask(project, u1)->id, ids[3]);  // the honeypot, though "full"
  Annotate(ids[3], u1, false, "[{\"id\":\"u\"}]");
  EXPECT_EQ(store_->NextTask(project, u1)->id, ids[0]);  // no honeypot left for u1
  auto answers = store_->ListHoneypotAnswers(project);
  ASSERT_TRUE(answers.ok());
  ASSERT_EQ(answers->size(), 1u);
  EXPECT_EQ((*answers)[0].completed_by, u1);
  EXPECT_EQ((*answers)[0].ground_truth_result, "[{\"id\":\"g\"}]");
}

TEST_P(WorkflowTest, PriorityOrder) {
  Id owner = MakeUser("o@x.org");
  Project p;
  p.title = "P";
  p.created_by = owner;
  p.sampling = "Uncertainty sampling";
  ASSERT_OK(store_->CreateProject(&p));
  auto ids = MakeTasks(p.id, 3);
  std::vector<std::pair<Id, double>> priorities = {{ids[1], 0.9}, {ids[2], 0.5}};
  ASSERT_OK(store_->SetTaskPriorities(p.id, priorities));
  Id u1 = Member(p.id, "u1@x.org");
  EXPECT_EQ(store_->NextTask(p.id, u1)->id, ids[1]);
  Annotate(ids[1], u1);
  EXPECT_EQ(store_->NextTask(p.id, u1)->id, ids[2]);
}

TEST_P(WorkflowTest, RandomOrderServesEveryTaskOnce) {
  Id owner = MakeUser("o@x.org");
  Project p;
  p.title = "P";
  p.created_by = owner;
  p.sampling = "Uniform sampling";
  ASSERT_OK(store_->CreateProject(&p));
  auto ids = MakeTasks(p.id, 20);
  std::set<Id> seen;
  for (int step = 0; step < 20; ++step) {
    auto task = store_->NextTask(p.id, owner);
    ASSERT_TRUE(task.ok()) << task.status().ToString();
    EXPECT_TRUE(seen.insert(task->id).second);
    Annotate(task->id, owner);
  }
  EXPECT_EQ(store_->NextTask(p.id, owner).status().code(), Code::kNotFound);
}

TEST_P(WorkflowTest, ReviewRejectFixAndQueue) {
  Id owner = MakeUser("o@x.org");
  Id project = MakeProject(owner, 1);
  auto ids = MakeTasks(project, 2);
  Id u1 = Member(project, "u1@x.org"), reviewer = Member(project, "r@x.org", Role::kReviewer);
  Annotation a1 = Annotate(ids[0], u1, false, "[{\"value\":{\"choices\":[\"Cat\"]}}]");
  Annotation a2 = Annotate(ids[1], u1, false, "[{\"value\":{\"choices\":[\"Dog\"]}}]");
  ReviewQuery q;
  q.project_id = project;
  EXPECT_EQ(*store_->CountReviewQueue(q), 2);
  q.label = "Dog";
  ASSERT_EQ(store_->ReviewQueue(q)->size(), 1u);
  EXPECT_EQ(store_->ReviewQueue(q)->at(0).id, a2.id);
  q.label.clear();

  Review reject{0, a1.id, 0, reviewer, ReviewState::kRejected, "wrong animal", 0, 0};
  ASSERT_OK(store_->ReviewAnnotation(&reject, ""));
  EXPECT_EQ(store_->GetReviewInfo(a1.id)->state, ReviewState::kRejected);
  EXPECT_EQ(store_->GetReviewInfo(a1.id)->last_review->comment, "wrong animal");
  EXPECT_EQ(*store_->CountReviewQueue(q), 1);
  EXPECT_EQ(store_->NextTask(project, u1)->id, ids[0]);  // back with its annotator
  ASSERT_OK(store_->ResubmitAnnotation(a1.id));
  EXPECT_EQ(*store_->CountReviewQueue(q), 2);

  Review fix{0, a2.id, 0, reviewer, ReviewState::kFixed, "", 0, 0};
  ASSERT_OK(store_->ReviewAnnotation(&fix, "[{\"value\":{\"choices\":[\"Cat\"]}}]"));
  EXPECT_EQ(fix.version, 2);
  auto fixed = store_->GetAnnotation(a2.id);
  EXPECT_EQ(fixed->result, "[{\"value\":{\"choices\":[\"Cat\"]}}]");
  EXPECT_EQ(fixed->updated_by, reviewer);
  EXPECT_EQ(fixed->last_action, "fixed");
  auto versions = store_->ListAnnotationVersions(a2.id);
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].result, "[{\"value\":{\"choices\":[\"Dog\"]}}]");
  EXPECT_EQ(store_->ListReviews(a2.id)->size(), 1u);
  EXPECT_EQ(*store_->CountReviewQueue(q), 1);
}

TEST_P(WorkflowTest, TaskChangeLogNamesTheTasksThatChanged) {
  Id owner = MakeUser("o@x.org");
  Id project = MakeProject(owner, 2);
  Id other = MakeProject(owner, 2);
  auto ids = MakeTasks(project, 3);
  auto other_ids = MakeTasks(other, 1);
  Id u1 = Member(project, "u1@x.org");
  // Position 0: a reader that has seen nothing re-reads everything.
  auto start = store_->TaskChangesSince(project, 0);
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  EXPECT_TRUE(start->everything);
  int64_t pos = start->seq;

  Annotation a = Annotate(ids[0], u1);
  Annotate(other_ids[0], owner);  // another project's change is not listed
  auto changes = store_->TaskChangesSince(project, pos);
  ASSERT_TRUE(changes.ok());
  EXPECT_FALSE(changes->everything);
  EXPECT_EQ(changes->task_ids, std::vector<Id>{ids[0]});
  pos = changes->seq;
  EXPECT_TRUE(store_->TaskChangesSince(project, pos)->task_ids.empty());

  // Update, delete, predictions and task deletion each name their task once.
  a.result = "[]";
  ASSERT_OK(store_->UpdateAnnotation(&a));
  Prediction p;
  p.task_id = ids[1];
  p.result = "[]";
  ASSERT_OK(store_->CreatePrediction(&p));
  ASSERT_OK(store_->DeleteAnnotation(a.id));
  ASSERT_OK(store_->DeleteTask(ids[2]));
  changes = store_->TaskChangesSince(project, pos);
  EXPECT_FALSE(changes->everything);
  EXPECT_EQ(changes->task_ids, (std::vector<Id>{ids[0], ids[1], ids[2]}));
  pos = changes->seq;

  // A reviewer's fix changes the result.
  Annotation b = Annotate(ids[1], u1);
  pos = store_->TaskChangesSince(project, pos)->seq;
  Review review;
  review.annotation_id = b.id;
  review.reviewer_id = owner;
  review.action = ReviewState::kFixed;
  ASSERT_OK(store_->ReviewAnnotation(&review, "[]"));
  EXPECT_EQ(store_->TaskChangesSince(project, pos)->task_ids, std::vector<Id>{ids[1]});
  pos = store_->TaskChangesSince(project, pos)->seq;

  // Bulk changes (an import batch, deleting all tasks) say "everything".
  MakeTasks(project, 2);
  EXPECT_TRUE(store_->TaskChangesSince(project, pos)->everything);
  pos = store_->TaskChangesSince(project, pos)->seq;
  ASSERT_OK(store_->DeleteAllTasks(project));
  EXPECT_TRUE(store_->TaskChangesSince(project, pos)->everything);
  // A position from the future (another database) cannot be trusted.
  EXPECT_TRUE(store_->TaskChangesSince(project, pos + 1000)->everything);
  EXPECT_EQ(store_->TaskChangesSince(12345, 0).status().code(), Code::kNotFound);
}

TEST_P(WorkflowTest, CacheSnapshotsAreSavedReplacedAndGoWithTheirProject) {
  Id owner = MakeUser("o@x.org");
  Id project = MakeProject(owner, 1);
  Id other = MakeProject(owner, 1);
  EXPECT_EQ(store_->GetCacheSnapshot(project, "stats").status().code(), Code::kNotFound);
  CacheSnapshot first{.seq = 7, .saved_at = 1000, .body = R"({"submitted":1})"};
  ASSERT_OK(store_->SaveCacheSnapshot(project, "stats", first));
  ASSERT_OK(store_->SaveCacheSnapshot(project, "agreement", CacheSnapshot{.seq = 7, .saved_at = 1000, .body = "{}"}));
  ASSERT_OK(store_->SaveCacheSnapshot(other, "stats", CacheSnapshot{.seq = 3, .saved_at = 900, .body = "[]"}));
  auto got = store_->GetCacheSnapshot(project, "stats");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->seq, 7);
  EXPECT_EQ(got->saved_at, 1000);
  EXPECT_EQ(got->body, first.body);
  // A later save replaces it; the other kind and project keep theirs.
  ASSERT_OK(store_->SaveCacheSnapshot(project, "stats", CacheSnapshot{.seq = 9, .saved_at = 2000, .body = R"({"submitted":2})"}));
  got = store_->GetCacheSnapshot(project, "stats");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->seq, 9);
  EXPECT_EQ(got->body, R"({"submitted":2})");
  EXPECT_EQ(store_->GetCacheSnapshot(project, "agreement")->body, "{}");
  EXPECT_EQ(store_->GetCacheSnapshot(other, "stats")->seq, 3);
  // No project, no snapshot; deleting the project deletes its snapshots.
  EXPECT_EQ(store_->SaveCacheSnapshot(12345, "stats", first).code(), Code::kNotFound);
  ASSERT_OK(store_->DeleteProject(project));
  EXPECT_EQ(store_->GetCacheSnapshot(project, "stats").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetCacheSnapshot(other, "stats")->seq, 3);
}

TEST_P(WorkflowTest, AuditLogFiltersAndPages) {
  Id admin = MakeUser("a@x.org");
  Id project = MakeProject(admin, 1);
  auto record = [&](std::string action, Id project_id, Id object_id) {
    AuditEntry e;
    e.user_id = admin;
    e.action = std::move(action);
    e.project_id = project_id;
    e.object_type = "task";
    e.object_id = object_id;
    e.detail = R"({"why":"test"})";
    e.request_id = "req-" + std::to_string(object_id);
    EXPECT_OK(store_->RecordAudit(&e));
    EXPECT_GT(e.id, 0);
    EXPECT_GT(e.created_at, 0);
    return e.id;
  };
  Id first = record("task.delete", project, 1);
  record("task.delete_all", project, 0);
  record("member.set_role", project, 7);
  Id site = record("user.create", 0, 9);
  AuditEntry bad;
  EXPECT_EQ(store_->RecordAudit(&bad).code(), Code::kInvalidArgument);

  auto all = store_->ListAudit({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ(all->front().id, site);  // newest first
  EXPECT_EQ(all->back().id, first);
  EXPECT_EQ(all->back().detail, R"({"why":"test"})");
  EXPECT_EQ(all->back().request_id, "req-1");

  AuditQuery q;
  q.project_id = project;
  EXPECT_EQ(store_->ListAudit(q)->size(), 3u);
  q.action = "task.";
  EXPECT_EQ(store_->ListAudit(q)->size(), 2u);
  q.action = "task.delete";
  ASSERT_EQ(store_->ListAudit(q)->size(), 1u);
  EXPECT_EQ(store_->ListAudit(q)->front().id, first);
  AuditQuery page;
  page.limit = 3;
  auto one = store_->ListAudit(page);
  ASSERT_EQ(one->size(), 3u);
  page.before_id = one->back().id;
  auto two = store_->ListAudit(page);
  ASSERT_EQ(two->size(), 1u);
  EXPECT_EQ(two->front().id, first);
  AuditQuery other;
  other.user_id = admin + 100;
  EXPECT_TRUE(store_->ListAudit(other)->empty());
}

INSTANTIATE_TEST_SUITE_P(
    Stores, WorkflowTest,
    ::testing::Values(StoreFactory{"SqliteFile",
                                   [](const std::filesystem::path& dir) {
                                     SqliteOptions o;
                                     o.path = (dir / "t.db").string();
                                     o.full_sync = false;
                                     return OpenSqliteStore(o);
                                   },
                                   true, true, nullptr},
                      StoreFactory{"SqliteMemory",
                                   [](const std::filesystem::path&) {
                                     SqliteOptions o;
                                     o.path = ":memory:";
                                     return OpenSqliteStore(o);
                                   },
                                   false, false, nullptr},
                      StoreFactory{"Postgres", OpenTestPostgresStore, true, true,
                                   PostgresTestsUnavailable}),
    [](const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; });

}  // namespace
}  // namespace tessera::testing
