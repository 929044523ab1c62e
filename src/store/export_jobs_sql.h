// The export-job statements (migration 10) shared by the SQLite and the
// PostgreSQL store: templates over the connection type, each run by the
// store inside its own transaction (SqliteStore/PostgresStore::*ExportJob*
// are thin wrappers). Both connection types offer the same Prepare, Bind,
// Step, Run, Changes and LastInsertId. The dialects differ in two places:
// PostgreSQL returns the new id with RETURNING, and its claim skips rows
// another server has locked (FOR UPDATE SKIP LOCKED), where SQLite's single
// writer already makes the pick safe.
#ifndef TESSERA_SRC_STORE_EXPORT_JOBS_SQL_H_
#define TESSERA_SRC_STORE_EXPORT_JOBS_SQL_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/store/migrations/migrations.h"
#include "tessera/export_jobs.h"
#include "tessera/status.h"
#include "tessera/util.h"

namespace tessera::export_jobs_sql {

inline constexpr char kJobColumns[] =
    "id, project_id, title, COALESCE(created_by, 0), format, options, status, attempts, "
    "tasks_done, tasks_total, file, file_bytes, md5, error, created_at, started_at, finished_at";

inline ExportJobStatus ParseJobStatus(const std::string& name) {
  if (name == "in_progress") return ExportJobStatus::kInProgress;
  if (name == "completed") return ExportJobStatus::kCompleted;
  if (name == "failed") return ExportJobStatus::kFailed;
  return ExportJobStatus::kCreated;
}

template <typename Stmt>
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

inline Status NoJob(Id id) { return Status::NotFound("export " + std::to_string(id) + " not found"); }

inline Status LostClaim(Id id) {
  return Status::NotFound("export " + std::to_string(id) +
                          " is gone or no longer claimed by this runner");
}

// Fills the defaults of a job about to be created.
inline void PrepareNewJob(ExportJob* job) {
  if (job->created_at == 0) job->created_at = NowMs();
  if (job->options.empty()) job->options = "{}";
  job->status = ExportJobStatus::kCreated;
}

// Inserts the job (its project checked by the caller) and sets job->id.
template <typename Conn>
Status InsertJob(Conn& conn, SqlDialect dialect, ExportJob* job) {
  std::string sql =
      "INSERT INTO export_jobs (project_id, title, created_by, format, options, status, "
      "created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'created', ?6)";
  if (dialect == SqlDialect::kPostgres) sql += " RETURNING id";
  TESSERA_ASSIGN_OR_RETURN(auto st, conn.Prepare(sql));
  TESSERA_RETURN_IF_ERROR(st.Bind(1, job->project_id)
                              .Bind(2, job->title)
                              .BindId(3, job->created_by)
                              .Bind(4, job->format)
                              .Bind(5, job->options)
                              .Bind(6, job->created_at)
                              .Run());
  job->id = conn.LastInsertId();
  return Status::Ok();
}

template <typename Conn>
Result<ExportJob> QueryJob(Conn& conn, Id id) {
  TESSERA_ASSIGN_OR_RETURN(auto st, conn.Prepare(std::string("SELECT ") + kJobColumns +
                                                 " FROM export_jobs WHERE id = ?1"));
  st.Bind(1, id);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NoJob(id);
  return ReadJob(st);
}

// The project's jobs, newest first.
template <typename Conn>
Status ListJobs(Conn& conn, Id project_id, std::vector<ExportJob>* out) {
  TESSERA_ASSIGN_OR_RETURN(auto st, conn.Prepare(std::string("SELECT ") + kJobColumns +
                                                 " FROM export_jobs WHERE project_id = ?1 "
                                                 "ORDER BY id DESC"));
  st.Bind(1, project_id);
  while (true) {
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::Ok();
    out->push_back(ReadJob(st));
  }
}

template <typename Conn>
Status DeleteJob(Conn& conn, Id id) {
  TESSERA_ASSIGN_OR_RETURN(auto st, conn.Prepare("DELETE FROM export_jobs WHERE id = ?1"));
  TESSERA_RETURN_IF_ERROR(st.Bind(1, id).Run());
  if (conn.Changes() == 0) return NoJob(id);
  return Status::Ok();
}

// Gives up jobs interrupted kMaxAttempts times, then claims the oldest job
// that is waiting or whose lease ran out; *out stays empty when there is none
// (or another server was first).
template <typename Conn>
Status ClaimJob(Conn& conn, SqlDialect dialect, const std::string& claim, TimeMs now,
                TimeMs lease_ms, std::optional<ExportJob>* out) {
  TESSERA_ASSIGN_OR_RETURN(
      auto give_up,
      conn.Prepare("UPDATE export_jobs SET status = 'failed', claim = '', claimed_until = 0, "
                   "finished_at = ?1, error = 'the export was interrupted ' || attempts || "
                   "' times (the server running it stopped); create it again' "
                   "WHERE status = 'in_progress' AND claimed_until <= ?1 AND attempts >= ?2"));
  TESSERA_RETURN_IF_ERROR(give_up.Bind(1, now).Bind(2, ExportJob::kMaxAttempts).Run());
  // SQLite: one writer at a time, so the job picked here is still free when
  // the UPDATE runs. PostgreSQL: SKIP LOCKED makes servers claiming at once
  // pass over each other's pick, and the UPDATE repeats the test, so a job
  // another server claimed and committed meanwhile is left alone.
  std::string pick_sql =
      "SELECT id FROM export_jobs WHERE status = 'created' OR "
      "(status = 'in_progress' AND claimed_until <= ?1) ORDER BY id LIMIT 1";
  if (dialect == SqlDialect::kPostgres) pick_sql += " FOR UPDATE SKIP LOCKED";
  TESSERA_ASSIGN_OR_RETURN(auto pick, conn.Prepare(pick_sql));
  pick.Bind(1, now);
  TESSERA_ASSIGN_OR_RETURN(bool row, pick.Step());
  if (!row) return Status::Ok();
  const Id id = pick.Int(0);
  pick.Reset();
  TESSERA_ASSIGN_OR_RETURN(
      auto st, conn.Prepare("UPDATE export_jobs SET status = 'in_progress', claim = ?2, "
                            "claimed_until = ?3 + ?4, attempts = attempts + 1, started_at = ?3, "
                            "tasks_done = 0, tasks_total = 0, error = '' WHERE id = ?1 AND "
                            "(status = 'created' OR (status = 'in_progress' AND "
                            "claimed_until <= ?3))"));
  TESSERA_RETURN_IF_ERROR(st.Bind(1, id).Bind(2, claim).Bind(3, now).Bind(4, lease_ms).Run());
  if (conn.Changes() == 0) return Status::Ok();  // another server was first
  TESSERA_ASSIGN_OR_RETURN(ExportJob job, QueryJob(conn, id));
  *out = std::move(job);
  return Status::Ok();
}

template <typename Conn>
Status UpdateProgress(Conn& conn, Id job_id, const std::string& claim, int64_t tasks_done,
                      int64_t tasks_total, TimeMs now, TimeMs lease_ms) {
  TESSERA_ASSIGN_OR_RETURN(
      auto st, conn.Prepare("UPDATE export_jobs SET tasks_done = ?3, tasks_total = ?4, "
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
}

template <typename Conn>
Status FinishJob(Conn& conn, const ExportJobOutcome& outcome) {
  TESSERA_ASSIGN_OR_RETURN(
      auto st, conn.Prepare("UPDATE export_jobs SET status = ?3, claim = '', claimed_until = 0, "
                            "tasks_done = ?4, tasks_total = CASE WHEN ?3 = 'completed' THEN ?4 "
                            "ELSE tasks_total END, file = ?5, file_bytes = ?6, md5 = ?7, "
                            "error = ?8, finished_at = ?9 "
                            "WHERE id = ?1 AND claim = ?2 AND status = 'in_progress'"));
  TESSERA_RETURN_IF_ERROR(st.Bind(1, outcome.job_id)
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
}

// Gives a claimed job back (a clean stop): it waits again, the attempt not counted.
template <typename Conn>
Status ReleaseJob(Conn& conn, Id job_id, const std::string& claim) {
  TESSERA_ASSIGN_OR_RETURN(
      auto st, conn.Prepare("UPDATE export_jobs SET status = 'created', claim = '', "
                            "claimed_until = 0, attempts = attempts - 1, tasks_done = 0 "
                            "WHERE id = ?1 AND claim = ?2 AND status = 'in_progress'"));
  TESSERA_RETURN_IF_ERROR(st.Bind(1, job_id).Bind(2, claim).Run());
  if (conn.Changes() == 0) return LostClaim(job_id);
  return Status::Ok();
}

}  // namespace tessera::export_jobs_sql

#endif  // TESSERA_SRC_STORE_EXPORT_JOBS_SQL_H_
