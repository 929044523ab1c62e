// Store contract tests for export jobs (migration 10). Part of the
// parameterized StoreTest suite, so they run on every Store.
#include <set>

#include "src/store/store_test_util.h"

namespace tessera::testing {
namespace {

ExportJob Job(Id project_id, Id user_id, const std::string& format) {
  ExportJob job;
  job.project_id = project_id;
  job.created_by = user_id;
  job.format = format;
  job.title = "export " + format;
  job.options = R"({"annotations":"all"})";
  return job;
}

ExportJobOutcome Outcome(const ExportJob& job, const std::string& claim, bool completed, TimeMs now) {
  ExportJobOutcome o;
  o.job_id = job.id;
  o.claim = claim;
  o.completed = completed;
  o.tasks = 7;
  o.file = completed ? "project-1-export-" + std::to_string(job.id) + ".json" : "";
  o.file_bytes = completed ? 1234 : 0;
  o.md5 = completed ? "0123456789abcdef0123456789abcdef" : "";
  o.error = completed ? "" : "disk full";
  o.now = now;
  return o;
}

TEST_P(StoreTest, ExportJobsAreCreatedListedAndDeleted) {
  Id owner = MakeUser("owner@example.com");
  Id p1 = MakeProject(owner);
  Id p2 = MakeProject(owner);
  ExportJob a = Job(p1, owner, "JSON");
  ASSERT_OK(store_->CreateExportJob(&a));
  EXPECT_GT(a.id, 0);
  EXPECT_GT(a.created_at, 0);
  ExportJob b = Job(p1, owner, "COCO");
  ASSERT_OK(store_->CreateExportJob(&b));
  ExportJob c = Job(p2, owner, "YOLO");
  ASSERT_OK(store_->CreateExportJob(&c));
  ExportJob orphan = Job(p2 + 100, owner, "JSON");
  EXPECT_EQ(store_->CreateExportJob(&orphan).code(), Code::kNotFound);

  auto got = store_->GetExportJob(b.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->project_id, p1);
  EXPECT_EQ(got->format, "COCO");
  EXPECT_EQ(got->title, "export COCO");
  EXPECT_EQ(got->created_by, owner);
  EXPECT_EQ(got->options, R"({"annotations":"all"})");
  EXPECT_EQ(got->status, ExportJobStatus::kCreated);
  EXPECT_EQ(got->attempts, 0);

  auto list = store_->ListExportJobs(p1);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, b.id);  // newest first
  EXPECT_EQ((*list)[1].id, a.id);

  ASSERT_OK(store_->DeleteExportJob(a.id));
  EXPECT_EQ(store_->GetExportJob(a.id).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->DeleteExportJob(a.id).code(), Code::kNotFound);
  // Deleting the project takes its jobs along.
  ASSERT_OK(store_->DeleteProject(p2));
  EXPECT_EQ(store_->GetExportJob(c.id).status().code(), Code::kNotFound);
}

TEST_P(StoreTest, ExportJobClaimProgressAndFinish) {
  Id owner = MakeUser("owner@example.com");
  Id p = MakeProject(owner);
  ExportJob first = Job(p, owner, "JSON");
  ASSERT_OK(store_->CreateExportJob(&first));
  ExportJob second = Job(p, owner, "CSV");
  ASSERT_OK(store_->CreateExportJob(&second));

  const TimeMs now = 1'000'000;
  auto claimed = store_->ClaimExportJob("runner-a", now, 5000);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_TRUE(claimed->has_value());
  EXPECT_EQ((*claimed)->id, first.id);  // oldest first
  EXPECT_EQ((*claimed)->status, ExportJobStatus::kInProgress);
  EXPECT_EQ((*claimed)->attempts, 1);
  EXPECT_EQ((*claimed)->started_at, now);

  // The next claim takes the other job; then nothing is left while leases last.
  auto other = store_->ClaimExportJob("runner-b", now + 1, 5000);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->has_value());
  EXPECT_EQ((*other)->id, second.id);
  auto none = store_->ClaimExportJob("runner-c", now + 2, 5000);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  // Progress needs the claim.
  ASSERT_OK(store_->UpdateExportJobProgress(first.id, "runner-a", 40, 100, now + 100, 5000));
  EXPECT_EQ(store_->UpdateExportJobProgress(first.id, "runner-b", 50, 100, now + 100, 5000).code(),
            Code::kNotFound);
  auto mid = store_->GetExportJob(first.id);
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(mid->tasks_done, 40);
  EXPECT_EQ(mid->tasks_total, 100);

  EXPECT_EQ(store_->FinishExportJob(Outcome(first, "runner-b", true, now + 200)).code(), Code::kNotFound);
  ASSERT_OK(store_->FinishExportJob(Outcome(first, "runner-a", true, now + 200)));
  auto done = store_->GetExportJob(first.id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, ExportJobStatus::kCompleted);
  EXPECT_EQ(done->tasks_done, 7);
  EXPECT_EQ(done->tasks_total, 7);
  EXPECT_EQ(done->file_bytes, 1234);
  EXPECT_EQ(done->md5, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(done->finished_at, now + 200);
  ASSERT_OK(store_->FinishExportJob(Outcome(second, "runner-b", false, now + 300)));
  auto failed = store_->GetExportJob(second.id);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->status, ExportJobStatus::kFailed);
  EXPECT_EQ(failed->error, "disk full");
  // Finished jobs (completed or failed) are not claimed again, even long after.
  auto later = store_->ClaimExportJob("runner-c", now + 1'000'000, 5000);
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(later->has_value());
  // Progress after the finish is refused: the claim is gone.
  EXPECT_EQ(store_->UpdateExportJobProgress(second.id, "runner-b", 1, 1, now + 400, 5000).code(),
            Code::kNotFound);
}

TEST_P(StoreTest, ExportJobLeasesRunOutAndJobsRunAgainThenFail) {
  Id owner = MakeUser("owner@example.com");
  Id p = MakeProject(owner);
  ExportJob job = Job(p, owner, "JSON");
  ASSERT_OK(store_->CreateExportJob(&job));
  TimeMs now = 5'000'000;
  const TimeMs lease = 1000;
  // A runner that dies: its lease runs out and the job is claimed again
  // (from scratch), up to kMaxAttempts runs.
  for (int attempt = 1; attempt <= ExportJob::kMaxAttempts; ++attempt) {
    auto claimed = store_->ClaimExportJob("r" + std::to_string(attempt), now, lease);
    ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
    ASSERT_TRUE(claimed->has_value()) << "attempt " << attempt;
    EXPECT_EQ((*claimed)->attempts, attempt);
    EXPECT_EQ((*claimed)->tasks_done, 0);
    ASSERT_OK(store_->UpdateExportJobProgress(job.id, "r" + std::to_string(attempt), 10, 20, now, lease));
    // Before the lease runs out nobody else gets it.
    auto early = store_->ClaimExportJob("x", now + lease - 1, lease);
    ASSERT_TRUE(early.ok());
    EXPECT_FALSE(early->has_value());
    now += lease;
  }
  // The last lease ran out too: the job is failed with a message.
  auto none = store_->ClaimExportJob("last", now, lease);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto failed = store_->GetExportJob(job.id);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->status, ExportJobStatus::kFailed);
  EXPECT_NE(failed->error.find("interrupted 3 times"), std::string::npos) << failed->error;
  EXPECT_EQ(failed->finished_at, now);
  // The runner that held it last cannot finish it any more.
  EXPECT_EQ(store_->FinishExportJob(Outcome(job, "r3", true, now)).code(), Code::kNotFound);
}

TEST_P(StoreTest, ReleasedExportJobIsClaimedAgainAtOnce) {
  Id owner = MakeUser("owner@example.com");
  Id p = MakeProject(owner);
  ExportJob job = Job(p, owner, "JSON");
  ASSERT_OK(store_->CreateExportJob(&job));
  auto claimed = store_->ClaimExportJob("a", 100, 60'000);
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  EXPECT_EQ(store_->ReleaseExportJob(job.id, "b").code(), Code::kNotFound);
  ASSERT_OK(store_->ReleaseExportJob(job.id, "a"));
  auto released = store_->GetExportJob(job.id);
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(released->status, ExportJobStatus::kCreated);
  EXPECT_EQ(released->attempts, 0);
  auto again = store_->ClaimExportJob("b", 200, 60'000);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->id, job.id);
  EXPECT_EQ((*again)->attempts, 1);
}

}  // namespace
}  // namespace tessera::testing
