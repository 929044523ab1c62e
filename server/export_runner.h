// ExportRunner: runs export jobs (tessera/export_jobs.h) in the background.
//
// One thread claims the oldest waiting job from the Store under a lease,
// streams the export through the format's writer into a temporary file under
// data_dir/exports, reporting progress (which also renews the lease) at most
// every progress_ms, then renames the file, takes its MD5 and marks the job
// completed, or failed with the error. A job deleted meanwhile, or whose
// lease another server took over, is abandoned and its file removed.
//
// Restarts: Stop() (a clean shutdown) abandons the job in flight and gives it
// back (status created), so the next server to start runs it again from the
// start. A server that dies leaves its claim to run out (lease_ms), after
// which any server's runner claims the job again; a job interrupted
// ExportJob::kMaxAttempts times is marked failed with a message saying so.
//
// Ownership: borrows the Store, which must outlive the runner.
// Thread-safety: Start/Stop from one thread; Wake from any thread.
#ifndef TESSERA_SERVER_EXPORT_RUNNER_H_
#define TESSERA_SERVER_EXPORT_RUNNER_H_

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "tessera/export_jobs.h"
#include "tessera/store.h"

namespace tessera::server {

struct ExportRunnerOptions {
  std::filesystem::path data_dir;    // files go to data_dir/exports
  std::filesystem::path media_root;  // for formats that embed images (TFRecord)
  int64_t lease_ms = 60000;          // a claim lasts this long unless renewed
  int64_t progress_ms = 500;         // at most one progress write per this
  int64_t poll_ms = 1000;            // how often to look for jobs when not woken
};

// Where finished export files live.
std::filesystem::path ExportsDir(const std::filesystem::path& data_dir);
// Removes the export files of a deleted project (finished and partial).
void RemoveProjectExports(const std::filesystem::path& data_dir, Id project_id);

class ExportRunner {
 public:
  ExportRunner(Store& store, ExportRunnerOptions options);
  ~ExportRunner();  // Stop()
  ExportRunner(const ExportRunner&) = delete;
  ExportRunner& operator=(const ExportRunner&) = delete;

  void Start();
  // Abandons the job in flight (gives it back), then joins.
  void Stop();
  // Look for jobs now (one was created).
  void Wake();

  // Claims and runs one job to its end; false when none was waiting. The
  // thread calls this in a loop; tests may call it directly.
  bool RunOnce();

 private:
  void Loop();
  void Run(const ExportJob& job, const std::string& claim);
  bool Stopping();

  Store& store_;
  ExportRunnerOptions options_;
  std::string instance_;  // random prefix of this runner's claim tokens
  int64_t claims_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_EXPORT_RUNNER_H_
