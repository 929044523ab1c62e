#include "server/export_runner.h"

#include <chrono>
#include <vector>
#include <nlohmann/json.hpp>

#include "server/request_log.h"
#include "tessera/background_file.h"
#include "tessera/formats.h"
#include "tessera/util.h"

namespace tessera::server {

namespace fs = std::filesystem;
using nlohmann::json;

std::filesystem::path ExportsDir(const std::filesystem::path& data_dir) { return data_dir / "exports"; }

void RemoveProjectExports(const std::filesystem::path& data_dir, Id project_id) {
  const std::string prefix = "project-" + std::to_string(project_id) + "-export-";
  std::error_code ec;
  std::vector<fs::path> doomed;
  for (const auto& entry : fs::directory_iterator(ExportsDir(data_dir), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix) || name.starts_with("." + prefix)) doomed.push_back(entry.path());
  }
  for (const fs::path& path : doomed) fs::remove(path, ec);
}

namespace {

// Passes everything to `inner` until `stop()` says the run is abandoned;
// then every call fails, which ends the export early.
class StoppableSink final : public OutputSink {
 public:
  StoppableSink(OutputSink& inner, std::function<bool()> stop) : inner_(inner), stop_(std::move(stop)) {}
  Status BeginFile(std::string_view path) override {
    TESSERA_RETURN_IF_ERROR(Check());
    return inner_.BeginFile(path);
  }
  Status Write(std::string_view bytes) override {
    TESSERA_RETURN_IF_ERROR(Check());
    return inner_.Write(bytes);
  }
  Status EndFile() override { return inner_.EndFile(); }
  Status Finish() override {
    TESSERA_RETURN_IF_ERROR(Check());
    return inner_.Finish();
  }

 private:
  Status Check() { return stop_() ? Status::Unavailable("export abandoned") : Status::Ok(); }
  OutputSink& inner_;
  std::function<bool()> stop_;
};

Result<DatasetExportOptions> OptionsFromJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Status::InvalidArgument("stored export options are not a JSON object");
  DatasetExportOptions options;
  TESSERA_ASSIGN_OR_RETURN(options.selection,
                           ParseAnnotationSelection(j.value("annotations", std::string("all"))));
  options.download_all_tasks = j.value("download_all_tasks", false);
  options.split = j.value("split", std::string());
  options.seed = j.value("seed", uint64_t{0});
  options.include_images = j.value("download_resources", false);
  return options;
}

}  // namespace

ExportRunner::ExportRunner(Store& store, ExportRunnerOptions options)
    : store_(store), options_(std::move(options)), instance_(RandomHex(8)) {}

ExportRunner::~ExportRunner() { Stop(); }

void ExportRunner::Start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void ExportRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ExportRunner::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

bool ExportRunner::Stopping() {
  std::lock_guard<std::mutex> lock(mu_);
  return stop_;
}

void ExportRunner::Loop() {
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      woken_ = false;
    }
    if (RunOnce()) continue;  // there may be more waiting
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [this] { return stop_ || woken_; });
  }
}

bool ExportRunner::RunOnce() {
  std::string claim = instance_ + "-" + std::to_string(++claims_);
  auto claimed = store_.ClaimExportJob(claim, NowMs(), options_.lease_ms);
  if (!claimed.ok()) {
    LogError("", "exports: claiming a job: " + claimed.status().ToString());
    return false;
  }
  if (!claimed->has_value()) return false;
  Run(**claimed, claim);
  return true;
}

void ExportRunner::Run(const ExportJob& job, const std::string& claim) {
  const std::string what = "exports: job " + std::to_string(job.id) + ": ";
  ExportJobOutcome outcome;
  outcome.job_id = job.id;
  outcome.claim = claim;
  auto finish_failed = [&](const Status& why) {
    outcome.completed = false;
    outcome.error = why.message();
    outcome.now = NowMs();
    Status s = store_.FinishExportJob(outcome);
    if (!s.ok() && s.code() != Code::kNotFound) LogError("", what + "recording the failure: " + s.ToString());
  };

  const FormatInfo* format = FindFormat(job.format);
  if (!format) return finish_failed(Status::InvalidArgument("unknown export format " + job.format));
  auto options = OptionsFromJson(job.options);
  if (!options.ok()) return finish_failed(options.status());
  options->media_root = options_.media_root;

  // Progress: tasks written so far against the project's task count when the
  // run started (an upper bound: tasks without annotations are left out
  // unless download_all_tasks). Each write renews the lease; NotFound means
  // the job was deleted or another runner holds it now.
  TaskQuery count_query;
  count_query.project_id = job.project_id;
  auto counted = store_.CountTasks(count_query);
  const int64_t total = counted.ok() ? *counted : 0;
  bool lost = false;
  auto report_progress = [&](int64_t done) {
    Status s = store_.UpdateExportJobProgress(job.id, claim, done, total, NowMs(), options_.lease_ms);
    if (s.code() == Code::kNotFound) lost = true;
    else if (!s.ok()) LogError("", what + "recording progress: " + s.ToString());
  };
  report_progress(0);
  auto last_write = std::chrono::steady_clock::now();
  options->progress_every = 100;
  options->progress = [&](int64_t done) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_write < std::chrono::milliseconds(options_.progress_ms)) return;
    last_write = now;
    report_progress(done);
  };

  const fs::path dir = ExportsDir(options_.data_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string file = "project-" + std::to_string(job.project_id) + "-export-" + std::to_string(job.id) +
                           "." + format->extension;
  const fs::path part = dir / ("." + file + "." + RandomHex(4) + ".part");
  Status s;
  int64_t tasks = 0;
  {
    // write(2) on a second thread, as in `tessera export`; buffered, since
    // the file is read back at once for its MD5.
    BackgroundFileStream out(part.string());
    if (!out) return finish_failed(out.Close());
    auto inner = format->multi_file ? NewZipSink(out) : NewSingleFileSink(out);
    StoppableSink sink(*inner, [&] { return lost || Stopping(); });
    auto report = ExportDataset(store_, job.project_id, format->name, sink, *options);
    s = report.status();
    if (report.ok()) tasks = report->tasks;
    Status closed = out.Close();
    if (s.ok()) s = closed;
  }
  if (lost) {
    fs::remove(part, ec);
    return;
  }
  if (Stopping()) {
    // A clean shutdown: give the job back so that the next start runs it.
    fs::remove(part, ec);
    Status released = store_.ReleaseExportJob(job.id, claim);
    if (!released.ok() && released.code() != Code::kNotFound) {
      LogError("", what + "giving the job back: " + released.ToString());
    }
    return;
  }
  if (!s.ok()) {
    fs::remove(part, ec);
    return finish_failed(s);
  }
  auto md5 = Md5FileHex(part.string());
  if (!md5.ok()) {
    fs::remove(part, ec);
    return finish_failed(md5.status());
  }
  const fs::path final_path = dir / file;
  fs::rename(part, final_path, ec);
  if (ec) {
    fs::remove(part, ec);
    return finish_failed(Status::IOError("cannot move the export to " + final_path.string()));
  }
  outcome.completed = true;
  outcome.tasks = tasks;
  outcome.file = file;
  outcome.file_bytes = static_cast<int64_t>(fs::file_size(final_path, ec));
  outcome.md5 = *md5;
  outcome.now = NowMs();
  s = store_.FinishExportJob(outcome);
  if (s.code() == Code::kNotFound) {
    fs::remove(final_path, ec);  // deleted while it ran
  } else if (!s.ok()) {
    LogError("", what + "recording completion: " + s.ToString());
  }
}

}  // namespace tessera::server
