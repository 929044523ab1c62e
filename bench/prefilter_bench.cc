// Pre-filtering throughput: reads N image files from disk and measures each
// (decode, perceptual hash, sharpness) on T threads, then judges them all
// against each other (exact and near-duplicate search) as an import would.
//
//   build/bench/prefilter_bench [N=10000] [threads=2] [dir=/tmp] [only=.jpg|.png]
//
// The images are the real photographs in ../shared/media/images copied
// round-robin into N files (so decoding costs what real photos cost; the
// duplicates among them also exercise the flagging path). Prints the median
// of three runs.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sys/resource.h>
#include <unistd.h>
#include <string>
#include <thread>
#include <vector>

#include "src/media/prefilter.h"

namespace fs = std::filesystem;
using tessera::ImageMeasure;

// CPU seconds used by the whole process so far (all threads): with other
// jobs on the machine, CPU per image says more than wall time does.
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  fs::path base = argc > 3 ? fs::path(argv[3]) : fs::temp_directory_path();
  fs::path source = "../shared/media/images";
  std::vector<fs::path> samples;
  for (const auto& e : fs::directory_iterator(source)) {
    std::string ext = e.path().extension().string();
    if ((ext == ".jpg" || ext == ".png") && (argc <= 4 || ext == argv[4])) samples.push_back(e.path());
  }
  if (samples.empty()) {
    std::fprintf(stderr, "no images in %s (run from the repository root)\n", source.c_str());
    return 1;
  }
  std::sort(samples.begin(), samples.end());
  fs::path dir = base / ("tessera_prefilter_bench_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::vector<fs::path> files;
  uintmax_t bytes = 0;
  for (int i = 0; i < n; ++i) {
    const fs::path& from = samples[static_cast<size_t>(i) % samples.size()];
    fs::path to = dir / (std::to_string(i) + from.extension().string());
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
    bytes += fs::file_size(to);
    files.push_back(to);
  }
  std::printf("%d images (%zu distinct photographs, %.1f MB), %d threads\n", n, samples.size(),
              static_cast<double>(bytes) / 1e6, threads);

  std::vector<double> measure_s, judge_s, cpu_ms;
  size_t flagged = 0;
  for (int run = 0; run < 3; ++run) {
    std::vector<ImageMeasure> measures(files.size());
    auto t0 = std::chrono::steady_clock::now();
    double cpu0 = CpuSeconds();
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t k; (k = next.fetch_add(1)) < files.size();) measures[k] = tessera::MeasureImageFile(files[k]);
    };
    std::vector<std::jthread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    pool.clear();
    auto t1 = std::chrono::steady_clock::now();
    cpu_ms.push_back((CpuSeconds() - cpu0) * 1e3 / n);
    tessera::PrefilterConfig config;
    config.enabled = true;
    tessera::Prefilter filter(config, {});
    flagged = 0;
    for (size_t i = 0; i < measures.size(); ++i) {
      tessera::TaskEvidence e;
      e.task_id = static_cast<tessera::Id>(i + 1);
      e.content = measures[i].phash ^ static_cast<uint64_t>(i);  // distinct: exercise the near-dup scan
      e.images = {measures[i]};
      flagged += !filter.Judge(e).reason.empty();
    }
    auto t2 = std::chrono::steady_clock::now();
    measure_s.push_back(std::chrono::duration<double>(t1 - t0).count());
    judge_s.push_back(std::chrono::duration<double>(t2 - t1).count());
    std::printf("run %d: read+measure %.2f s (%.0f images/s, %.2f ms CPU per image), judge %.3f s\n",
                run + 1, measure_s.back(), n / measure_s.back(), cpu_ms.back(), judge_s.back());
  }
  std::sort(measure_s.begin(), measure_s.end());
  std::sort(judge_s.begin(), judge_s.end());
  std::sort(cpu_ms.begin(), cpu_ms.end());
  std::printf("median: read+measure %.2f s = %.0f images/s (%.2f ms CPU per image); judge %.3f s; "
              "flagged %zu of %d\n",
              measure_s[1], n / measure_s[1], cpu_ms[1], judge_s[1], flagged, n);
  fs::remove_all(dir);

  // The near-duplicate search against a large project: 1M stored hashes.
  std::vector<tessera::TaskHash> known;
  uint64_t x = 88172645463325252ull;
  auto rnd = [&x] { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; };
  for (int i = 0; i < 1000000; ++i) known.push_back({i + 1, "phash", rnd()});
  tessera::PrefilterConfig config;
  config.enabled = true;
  tessera::Prefilter big(config, known);
  auto t0 = std::chrono::steady_clock::now();
  int queries = 200;
  for (int q = 0; q < queries; ++q) {
    tessera::TaskEvidence e;
    e.task_id = 2000000 + q;
    e.content = rnd();
    tessera::ImageMeasure m;
    m.readable = true;
    m.width = m.height = 100;
    m.sharpness = 1000;
    m.phash = rnd();
    e.images = {m};
    big.Judge(e);
  }
  double per = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / queries;
  std::printf("near-duplicate search over 1,000,000 stored hashes: %.2f ms per image\n", per * 1e3);
  return 0;
}
