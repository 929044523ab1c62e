// Export jobs (migration 10): background exports claimed under a lease.
// The statements are shared with the other store (src/store/export_jobs_sql.h).
#include <string>
#include <vector>

#include "src/store/export_jobs_sql.h"
#include "src/store/sqlite/sqlite_store.h"

namespace tessera::sqlite {

namespace sql = export_jobs_sql;

Status SqliteStore::CreateExportJob(ExportJob* job) {
  sql::PrepareNewJob(job);
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, job->project_id, nullptr));
    return sql::InsertJob(conn, SqlDialect::kSqlite, job);
  });
}

Result<ExportJob> SqliteStore::GetExportJob(Id id) {
  ExportJob out;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(out, sql::QueryJob(conn, id));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<ExportJob>> SqliteStore::ListExportJobs(Id project_id) {
  std::vector<ExportJob> out;
  TESSERA_RETURN_IF_ERROR(
      Read([&](Connection& conn) { return sql::ListJobs(conn, project_id, &out); }));
  return out;
}

Status SqliteStore::DeleteExportJob(Id id) {
  return WriteTxn([&](Connection& conn) { return sql::DeleteJob(conn, id); });
}

Result<std::optional<ExportJob>> SqliteStore::ClaimExportJob(const std::string& claim, TimeMs now,
                                                           TimeMs lease_ms) {
  if (claim.empty()) return Status::InvalidArgument("an export claim needs a token");
  std::optional<ExportJob> out;
  TESSERA_RETURN_IF_ERROR(WriteTxn([&](Connection& conn) {
    return sql::ClaimJob(conn, SqlDialect::kSqlite, claim, now, lease_ms, &out);
  }));
  return out;
}

Status SqliteStore::UpdateExportJobProgress(Id job_id, const std::string& claim, int64_t tasks_done,
                                          int64_t tasks_total, TimeMs now, TimeMs lease_ms) {
  return WriteTxn([&](Connection& conn) {
    return sql::UpdateProgress(conn, job_id, claim, tasks_done, tasks_total, now, lease_ms);
  });
}

Status SqliteStore::FinishExportJob(const ExportJobOutcome& outcome) {
  return WriteTxn([&](Connection& conn) { return sql::FinishJob(conn, outcome); });
}

Status SqliteStore::ReleaseExportJob(Id job_id, const std::string& claim) {
  return WriteTxn([&](Connection& conn) { return sql::ReleaseJob(conn, job_id, claim); });
}

}  // namespace tessera::sqlite
