// Throwaway probe: how many simple text tasks per second InsertTasks stores.
// Usage: store_insert_bench [tasks=500000] [batch=5000]
// Prints one line per configuration (file with synchronous FULL / NORMAL,
// memory). Not a test: nothing is asserted.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tessera/store.h"

namespace {

// User+system CPU seconds of this process (the machine is shared, so wall
// time alone understates throughput).
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

void Run(const char* label, const tessera::SqliteOptions& options,
         const std::vector<tessera::NewTask>& tasks, size_t batch) {
  auto store = tessera::OpenSqliteStore(options);
  if (!store.ok()) {
    std::fprintf(stderr, "%s: %s\n", label, store.status().ToString().c_str());
    return;
  }
  tessera::Project project;
  project.title = "bench";
  if (auto s = (*store)->CreateProject(&project); !s.ok()) return;
  std::vector<tessera::Id> ids;
  auto start = std::chrono::steady_clock::now();
  double cpu_start = CpuSeconds();
  for (size_t offset = 0; offset < tasks.size(); offset += batch) {
    size_t count = std::min(batch, tasks.size() - offset);
    ids.clear();
    auto s = (*store)->InsertTasks(project.id, 0, std::span(tasks).subspan(offset, count), &ids);
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", label, s.ToString().c_str());
      return;
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = CpuSeconds() - cpu_start;
  std::printf("%-26s %zu tasks, batch %zu: wall %.3f s = %.0f tasks/s; cpu %.3f s = %.0f tasks/s\n",
              label, tasks.size(), batch, seconds, static_cast<double>(tasks.size()) / seconds, cpu,
              static_cast<double>(tasks.size()) / cpu);
}

}  // namespace

int main(int argc, char** argv) {
  size_t count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 500000;
  size_t batch = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 5000;
  std::vector<tessera::NewTask> tasks(count);
  for (size_t task_idx = 0; task_idx < count; ++task_idx) {
    tasks[task_idx].data = "{\"text\":\"This is review number " + std::to_string(task_idx) +
                           ", it was quite good but the ending dragged.\"}";
  }
  auto dir = std::filesystem::temp_directory_path() /
             ("tessera_insert_bench_" + std::to_string(std::rand()));
  std::filesystem::create_directories(dir);
  tessera::SqliteOptions options;
  options.path = (dir / "full.db").string();
  options.full_sync = true;
  Run("file, synchronous=FULL", options, tasks, batch);
  options.path = (dir / "normal.db").string();
  options.full_sync = false;
  Run("file, synchronous=NORMAL", options, tasks, batch);
  options.path = ":memory:";
  Run("memory", options, tasks, batch);
  std::filesystem::remove_all(dir);
  return 0;
}
