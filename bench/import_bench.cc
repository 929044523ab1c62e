// Import throughput: writes N simple text tasks as JSONL to a temp directory,
// imports them into a fresh SQLite store file with ImportTasks (validate_first
// on, as for uploaded files), and prints tasks/s and the peak RSS. Then, to
// show where the time goes, it times a parse-only pass and a pass whose sink
// times InsertTasks separately (each into a fresh store).
//
// Usage: import_bench [tasks=1000000] [dir=/tmp] [batch=10000]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tessera/import.h"
#include "tessera/store.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// User + system CPU seconds of this process so far: on a shared machine the
// wall clock includes time spent waiting for a core, the CPU time does not.
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

long PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;  // ru_maxrss is in KiB on Linux
}

struct Fresh {
  std::unique_ptr<tessera::Store> store;
  tessera::Id project_id = 0;
  tessera::Id user_id = 0;
};

Fresh OpenFresh(const fs::path& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
  tessera::SqliteOptions options;
  options.path = path.string();
  auto store = tessera::OpenSqliteStore(options);
  if (!store.ok()) {
    std::fprintf(stderr, "open store: %s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  Fresh fresh;
  fresh.store = std::move(*store);
  tessera::User user;
  user.email = "bench@example.com";
  user.username = "bench";
  if (!fresh.store->CreateUser(&user).ok()) {
    std::fprintf(stderr, "cannot create the bench user\n");
    std::exit(1);
  }
  tessera::Project project;
  project.title = "import bench";
  project.created_by = user.id;
  if (!fresh.store->CreateProject(&project).ok()) {
    std::fprintf(stderr, "cannot create the bench project\n");
    std::exit(1);
  }
  fresh.project_id = project.id;
  fresh.user_id = user.id;
  return fresh;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t count = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const fs::path dir = argc > 2 ? argv[2] : "/tmp";
  const size_t batch = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 10000;
  const fs::path input = dir / "tessera_import_bench.jsonl";
  const fs::path db = dir / "tessera_import_bench.db";

  auto started = Clock::now();
  {
    std::ofstream out(input, std::ios::binary);
    for (int64_t task_idx = 0; task_idx < count; ++task_idx) {
      out << "{\"text\": \"This is review number " << task_idx
          << ", it was quite good but the ending dragged.\"}\n";
    }
  }
  std::printf("generated %lld tasks, %.1f MB of JSONL in %.2f s\n", static_cast<long long>(count),
              static_cast<double>(fs::file_size(input)) / 1e6, Seconds(started));

  auto source = tessera::ImportSource::File(input.string(), tessera::ImportFormat::kJsonl);
  tessera::ImportOptions options;
  options.parse.batch_size = batch;

  // 1. The figure: a full ImportTasks (validate pass + insert pass).
  {
    Fresh fresh = OpenFresh(db);
    started = Clock::now();
    double cpu_started = CpuSeconds();
    auto report = tessera::ImportTasks(*fresh.store, fresh.project_id, fresh.user_id, source, options);
    double seconds = Seconds(started);
    double cpu = CpuSeconds() - cpu_started;
    if (!report.ok()) {
      std::fprintf(stderr, "import failed: %s\n", report.status().ToString().c_str());
      return 1;
    }
    std::printf("ImportTasks: %lld tasks in %.2f s = %.0f tasks/s (CPU %.2f s); peak RSS %ld MB\n",
                static_cast<long long>(report->task_count), seconds,
                static_cast<double>(report->task_count) / seconds, cpu, PeakRssMb());
  }

  // 2. Where the time goes: parsing alone, then parse + InsertTasks timed apart.
  started = Clock::now();
  double cpu_started = CpuSeconds();
  auto parsed = tessera::ParseTasks(source, options.parse,
                                    [](std::span<const tessera::NewTask>) { return tessera::Status::Ok(); });
  double parse_seconds = Seconds(started);
  if (!parsed.ok()) return 1;
  std::printf("  parse only:  %.2f s = %.0f tasks/s (CPU %.2f s)\n", parse_seconds,
              static_cast<double>(count) / parse_seconds, CpuSeconds() - cpu_started);
  {
    Fresh fresh = OpenFresh(db);
    double insert_seconds = 0;
    auto import_id = fresh.store->BeginImport(fresh.project_id, fresh.user_id, "bench");
    if (!import_id.ok()) return 1;
    started = Clock::now();
    auto result = tessera::ParseTasks(source, options.parse, [&](std::span<const tessera::NewTask> tasks) {
      auto insert_started = Clock::now();
      tessera::Status st = fresh.store->InsertTasks(fresh.project_id, *import_id, tasks, nullptr);
      insert_seconds += Seconds(insert_started);
      return st;
    });
    double total = Seconds(started);
    if (!result.ok()) return 1;
    std::printf("  one pass:    %.2f s, of which InsertTasks %.2f s (%.0f tasks/s) and parse %.2f s\n",
                total, insert_seconds, static_cast<double>(count) / insert_seconds,
                total - insert_seconds);
  }
  std::printf("peak RSS %ld MB\n", PeakRssMb());
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
  fs::remove(input);
  return 0;
}
