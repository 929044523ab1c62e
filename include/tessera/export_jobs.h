// Export jobs (issue 6): exports that run in the background, in the shape of
// Label Studio's export snapshots (`/api/projects/{id}/exports`).
//
// A job is a row: created by a request, claimed by one server's export
// runner for a lease that the runner renews while it writes, and finished as
// completed (with the file it wrote under data_dir/exports) or failed. A
// claim whose holder died runs out and the job is claimed again and run from
// the start, at most ExportJob::kMaxAttempts times in all.
//
// Thread-safety: plain values.
#ifndef TESSERA_EXPORT_JOBS_H_
#define TESSERA_EXPORT_JOBS_H_

#include <string>

#include "tessera/model.h"

namespace tessera {

enum class ExportJobStatus { kCreated, kInProgress, kCompleted, kFailed };
// "created", "in_progress", "completed", "failed" (Label Studio's names).
const char* ExportJobStatusName(ExportJobStatus status);

struct ExportJob {
  // Runs (claims) of one job before it is marked failed for good.
  static constexpr int kMaxAttempts = 3;

  Id id = 0;
  Id project_id = 0;
  std::string title;
  Id created_by = 0;            // 0 once the user is deleted
  std::string format;           // a FormatInfo name: "JSON", "COCO", ...
  std::string options = "{}";   // JSON object: annotations, download_all_tasks, split, seed
  ExportJobStatus status = ExportJobStatus::kCreated;
  int attempts = 0;             // claims so far
  int64_t tasks_done = 0;       // tasks written by the current (or last) run
  int64_t tasks_total = 0;      // tasks in the project when the run started
  std::string file;             // file name under data_dir/exports once completed
  int64_t file_bytes = 0;
  std::string md5;              // hex MD5 of the file once completed
  std::string error;            // why it failed
  TimeMs created_at = 0;
  TimeMs started_at = 0;        // of the current (or last) run
  TimeMs finished_at = 0;       // completed or failed; 0 before
};

// How a claimed run ended, written back by the runner.
struct ExportJobOutcome {
  Id job_id = 0;
  std::string claim;            // the token ClaimExportJob handed out
  bool completed = false;       // false: failed with `error`
  int64_t tasks = 0;
  std::string file;
  int64_t file_bytes = 0;
  std::string md5;
  std::string error;
  TimeMs now = 0;
};

}  // namespace tessera

#endif  // TESSERA_EXPORT_JOBS_H_
