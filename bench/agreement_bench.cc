// The agreement report of a large project from an AgreementBuilder (what
// /quality and /stats/guidelines serve): building it task by task, the
// report from its kept totals (Summary, Finish), the same statistics from
// the rating tables as they were computed before the totals (Table and the
// quality library's table functions), and a round of changed tasks
// followed by a report, as during labeling.
//
// Synthetic project: TASKS tasks (default 1,000,000), each annotated by 3 of
// 200 annotators, a Choices control (4 labels, most annotators agreeing) and
// a Rating control (1-5). Figures are medians over REPS calls (default 7);
// the machine is shared, so CPU time is printed beside the wall clock.
//
// Usage: agreement_bench [TASKS=1000000] [REPS=7]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "tessera/agreement.h"
#include "tessera/quality.h"

namespace {

namespace q = tessera::quality;
using Clock = std::chrono::steady_clock;

constexpr char kConfig[] = R"(<View>
  <Text name="text" value="$text"/>
  <Choices name="label" toName="text"><Choice value="cat"/><Choice value="dog"/><Choice value="bird"/><Choice value="fish"/></Choices>
  <Rating name="quality" toName="text" maxRating="5"/>
</View>)";

uint64_t Mix(uint64_t x) {  // SplitMix64's output function
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

tessera::TaskBundle Task(int64_t id, uint64_t round) {
  static const char* kLabels[] = {"cat", "dog", "bird", "fish"};
  tessera::TaskBundle b;
  b.task.id = id;
  const uint64_t h = Mix(static_cast<uint64_t>(id) * 1000003 + round);
  const int truth = static_cast<int>(h % 4);
  for (int k = 0; k < 3; ++k) {
    const uint64_t r = Mix(h + static_cast<uint64_t>(k));
    tessera::Annotation a;
    a.id = id * 3 + k;
    a.completed_by = 1 + static_cast<int64_t>((h / 7 + static_cast<uint64_t>(k) * 67) % 200);
    const int label = r % 5 == 0 ? static_cast<int>((r >> 8) % 4) : truth;
    a.result = std::string(R"([{"from_name":"label","to_name":"text","type":"choices","value":{"choices":[")") +
               kLabels[label] + R"("]}},{"from_name":"quality","to_name":"text","type":"rating","value":{"rating":)" +
               std::to_string(1 + (r >> 16) % 5) + "}}]";
    b.annotations.push_back(std::move(a));
  }
  return b;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double RssMiB() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      double kib = 0;
      status >> kib;
      return kib / 1024;
    }
    status.ignore(1 << 20, '\n');
  }
  return 0;
}

void Time(const char* what, int reps, const std::function<void()>& f) {
  std::vector<double> wall, cpu;
  for (int r = 0; r < reps; ++r) {
    const double c0 = CpuSeconds();
    const auto t0 = Clock::now();
    f();
    wall.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    cpu.push_back((CpuSeconds() - c0) * 1000);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  std::printf("  %-46s median %10.3f ms  (min %.3f, max %.3f; CPU median %.3f ms)\n", what, wall[wall.size() / 2],
              wall.front(), wall.back(), cpu[cpu.size() / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t tasks = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 7;
  auto config = tessera::ParseLabelingConfig(kConfig);
  if (!config.ok()) {
    std::fprintf(stderr, "config: %s\n", config.status().ToString().c_str());
    return 1;
  }
  std::printf("agreement_bench: %lld tasks, 3 annotators each of 200, choices + rating; medians of %d\n",
              static_cast<long long>(tasks), reps);
  const double rss0 = RssMiB();
  tessera::AgreementBuilder builder(**config);
  const auto t0 = Clock::now();
  const double c0 = CpuSeconds();
  for (int64_t id = 1; id <= tasks; ++id) builder.AddTask(Task(id, 0));
  std::printf("  %-46s %10.1f ms  (CPU %.1f ms); RSS +%.0f MiB\n", "build (AddTask every task, one thread)",
              std::chrono::duration<double, std::milli>(Clock::now() - t0).count(), (CpuSeconds() - c0) * 1000,
              RssMiB() - rss0);

  size_t sink = 0;
  Time("Summary (the report from the kept totals)", reps, [&] { sink += builder.Summary()->controls.size(); });
  Time("Finish (Summary + a row per task)", reps, [&] { sink += builder.Finish()->tasks.size(); });
  // What the report computed before the totals: per rated control its
  // table and the table functions, plus the per-task rows.
  Time("from the tables (Table + table functions)", reps, [&] {
    for (const char* name : {"label", "quality"}) {
      auto table = builder.Table(name);
      const bool nominal = std::string(name) == "label";
      sink += static_cast<size_t>(*q::PercentAgreement(table->ratings) * 1000);
      sink += static_cast<size_t>(q::KrippendorffAlpha(table->ratings, nominal ? q::Level::kNominal : q::Level::kOrdinal)
                                      ->pairable_values);
      if (nominal) {
        sink += q::FleissKappa(table->ratings)->items;
        sink += q::PerLabelAgreement(table->ratings)->size();
        sink += q::PairwiseAgreement(table->ratings, q::PairMetric::kCohenKappa)->value.size();
      }
    }
  });
  uint64_t round = 0;
  Time("1,000 tasks changed, then Summary", reps, [&] {
    ++round;
    for (int k = 0; k < 1000; ++k) {
      builder.AddTask(Task(1 + static_cast<int64_t>(Mix(round * 1000 + static_cast<uint64_t>(k)) %
                                                    static_cast<uint64_t>(tasks)),
                           round));
    }
    sink += builder.Summary()->controls.size();
  });
  Time("lowest 20 tasks + 50 tasks from the middle", reps, [&] {
    sink += builder.TasksByScore(1.0, true, 0, 20).size();
    sink += builder.TasksByScore(1.0, false, builder.scored_tasks() / 2, 50).size();
  });
  std::printf("  (checksum %zu)\n", sink);
  return 0;
}
