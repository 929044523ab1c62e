// Names of the export job states, and the default (unsupported)
// implementations of the optional export job Store methods.
#include "tessera/export_jobs.h"
#include "tessera/store.h"

namespace tessera {

const char* ExportJobStatusName(ExportJobStatus status) {
  switch (status) {
    case ExportJobStatus::kCreated: return "created";
    case ExportJobStatus::kInProgress: return "in_progress";
    case ExportJobStatus::kCompleted: return "completed";
    case ExportJobStatus::kFailed: return "failed";
  }
  return "created";
}

namespace {
Status Unsupported() { return Status::FailedPrecondition("this store does not support export jobs"); }
}  // namespace

Status Store::CreateExportJob(ExportJob*) { return Unsupported(); }
Result<ExportJob> Store::GetExportJob(Id) { return Unsupported(); }
Result<std::vector<ExportJob>> Store::ListExportJobs(Id) { return Unsupported(); }
Status Store::DeleteExportJob(Id) { return Unsupported(); }
Result<std::optional<ExportJob>> Store::ClaimExportJob(const std::string&, TimeMs, TimeMs) {
  return Unsupported();
}
Status Store::UpdateExportJobProgress(Id, const std::string&, int64_t, int64_t, TimeMs, TimeMs) {
  return Unsupported();
}
Status Store::FinishExportJob(const ExportJobOutcome&) { return Unsupported(); }
Status Store::ReleaseExportJob(Id, const std::string&) { return Unsupported(); }

}  // namespace tessera
