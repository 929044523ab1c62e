// Export jobs (migration 10): background exports claimed under a lease.
#include <string>
#include <vector>

#include "src/store/postgres/postgres_store.h"
#include "tessera/util.h"

namespace tessera::postgres {

namespace {

constexpr char kJobColumns[] =
    "id, project_id, title, COALESCE(created_by, 0), format, options, status, attempts, "
    "tasks_done, tasks_total, file, file_bytes, md5, error, created_at, started_at, finished_at";

ExportJobStatus ParseJobStatus(const std::string& name) {
  if (name == "in_progress") return ExportJobStatus::kInProgress;
  if (name == "completed") return ExportJobStatus::kCompleted;
  if (name == "failed") return ExportJobStatus::kFailed;
  return ExportJobStatus::kCreated;
}

ExportJob ReadJob(const Stmt& st) {
  ExportJob j;
  j.id = st.Int(0);
  j.project_id = st.Int(1);
  j.title = st.Text(2);
  j.created_by = st.Int(3);
  j.format = st.Text(4);
  j.options = st.Text(5);
  j.status = ParseJobStatus(st.Text(6));
  j.attempts = st.Int32(7);
  j.tasks_done = st.Int(8);
  j.tasks_total = st.Int(9);
  j.file = st.Text(10);
  j.file_bytes = st.Int(11);
  j.md5 = st.Text(12);
  j.error = st.Text(13);
  j.created_at = st.Int(14);
  j.started_at = st.Int(15);
  j.finished_at = st.Int(16);
  return j;
}

Status NoJob(Id id) { return Status::NotFound("export " + std::to_string(id) + " not found"); }

Status LostClaim(Id id) {
  return Status::NotFound("export " + std::to_string(id) +
                          " is gone or no longer claimed by this runner");
}

Result<ExportJob> QueryJob(Connection& conn, Id id) {
  TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(std::string("SELECT ") + kJobColumns +
                                                 " FROM export_jobs WHERE id = ?1"));
  st.Bind(1, id);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NoJob(id);
  return ReadJob(st);
}

}  // namespace

Status PostgresStore::CreateExportJob(ExportJob* job) {
  if (job->created_at == 0) job->created_at = NowMs();
  if (job->options.empty()) job->options = "{}";
  job->status = ExportJobStatus::kCreated;
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, job->project_id, nullptr));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO export_jobs (project_id, title, created_by, format, "
                              "options, status, created_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, 'created', ?6) RETURNING id"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, job->project_id)
                                .Bind(2, job->title)
                                .BindId(3, job->created_by)
                                .Bind(4, job->format)
                                .Bind(5, job->options)
                                .Bind(6, job->created_at)
                                .Run());
    job->id = conn.LastInsertId();
    return Status::Ok();
  });
}

Result<ExportJob> PostgresStore::GetExportJob(Id id) {
  ExportJob out;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(out, QueryJob(conn, id));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<ExportJob>> PostgresStore::ListExportJobs(Id project_id) {
  std::vector<ExportJob> out;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(std::string("SELECT ") + kJobColumns +
                                                   " FROM export_jobs WHERE project_id = ?1 "
                                                   "ORDER BY id DESC"));
    st.Bind(1, project_id);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out.push_back(ReadJob(st));
    }
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::DeleteExportJob(Id id) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("DELETE FROM export_jobs WHERE id = ?1"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, id).Run());
    if (conn.Changes() == 0) return NoJob(id);
    return Status::Ok();
  });
}

Result<std::optional<ExportJob>> PostgresStore::ClaimExportJob(const std::string& claim, TimeMs now,
                                                        TimeMs lease_ms) {
  if (claim.empty()) return Status::InvalidArgument("an export claim needs a token");
  std::optional<ExportJob> out;
  TESSERA_RETURN_IF_ERROR(WriteTxn([&](Connection& conn) -> Status {
    // Jobs whose runner died on each of their attempts are given up.
    TESSERA_ASSIGN_OR_RETURN(
        Stmt give_up,
        conn.Prepare("UPDATE export_jobs SET status = 'failed', claim = '', claimed_until = 0, "
                     "finished_at = ?1, error = 'the export was interrupted ' || attempts || "
                     "' times (the server running it stopped); create it again' "
                     "WHERE status = 'in_progress' AND claimed_until <= ?1 AND attempts >= ?2"));
    TESSERA_RETURN_IF_ERROR(give_up.Bind(1, now).Bind(2, ExportJob::kMaxAttempts).Run());
    // SKIP LOCKED: servers claiming at once pass over each other's pick; the
    // UPDATE repeats the test, so a job another server claimed and committed
    // meanwhile is left alone.
    TESSERA_ASSIGN_OR_RETURN(
        Stmt pick, conn.Prepare("SELECT id FROM export_jobs WHERE status = 'created' OR "
                                "(status = 'in_progress' AND claimed_until <= ?1) "
                                "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"));
    pick.Bind(1, now);
    TESSERA_ASSIGN_OR_RETURN(bool row, pick.Step());
    if (!row) return Status::Ok();
    const Id id = pick.Int(0);
    pick.Reset();
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("UPDATE export_jobs SET status = 'in_progress', claim = ?2, "
                              "claimed_until = ?3 + ?4, attempts = attempts + 1, started_at = ?3, "
                              "tasks_done = 0, tasks_total = 0, error = '' WHERE id = ?1 AND "
                              "(status = 'created' OR (status = 'in_progress' AND "
                              "claimed_until <= ?3))"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, id).Bind(2, claim).Bind(3, now).Bind(4, lease_ms).Run());
    if (conn.Changes() == 0) return Status::Ok();  // another server was first
    TESSERA_ASSIGN_OR_RETURN(ExportJob job, QueryJob(conn, id));
    out = std::move(job);
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::UpdateExportJobProgress(Id job_id, const std::string& claim, int64_t tasks_done,
                                          int64_t tasks_total, TimeMs now, TimeMs lease_ms) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("UPDATE export_jobs SET tasks_done = ?3, tasks_total = ?4, "
                              "claimed_until = ?5 + ?6 WHERE id = ?1 AND claim = ?2 AND "
                              "status = 'in_progress'"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, job_id)
                                .Bind(2, claim)
                                .Bind(3, tasks_done)
                                .Bind(4, tasks_total)
                                .Bind(5, now)
                                .Bind(6, lease_ms)
                                .Run());
    if (conn.Changes() == 0) return LostClaim(job_id);
    return Status::Ok();
  });
}

Status PostgresStore::FinishExportJob(const ExportJobOutcome& outcome) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("UPDATE export_jobs SET status = ?3, claim = '', claimed_until = 0, "
                              "tasks_done = ?4, tasks_total = CASE WHEN ?3 = 'completed' THEN ?4 "
                              "ELSE tasks_total END, file = ?5, file_bytes = ?6, md5 = ?7, "
                              "error = ?8, finished_at = ?9 "
                              "WHERE id = ?1 AND claim = ?2 AND status = 'in_progress'"));
    TESSERA_RETURN_IF_ERROR(
        st.Bind(1, outcome.job_id)
            .Bind(2, outcome.claim)
            .Bind(3, std::string_view(outcome.completed ? "completed" : "failed"))
            .Bind(4, outcome.tasks)
            .Bind(5, outcome.file)
            .Bind(6, outcome.file_bytes)
            .Bind(7, outcome.md5)
            .Bind(8, outcome.error)
            .Bind(9, outcome.now)
            .Run());
    if (conn.Changes() == 0) return LostClaim(outcome.job_id);
    return Status::Ok();
  });
}

Status PostgresStore::ReleaseExportJob(Id job_id, const std::string& claim) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("UPDATE export_jobs SET status = 'created', claim = '', "
                              "claimed_until = 0, attempts = attempts - 1, tasks_done = 0 "
                              "WHERE id = ?1 AND claim = ?2 AND status = 'in_progress'"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, job_id).Bind(2, claim).Run());
    if (conn.Changes() == 0) return LostClaim(job_id);
    return Status::Ok();
  });
}

}  // namespace tessera::postgres
