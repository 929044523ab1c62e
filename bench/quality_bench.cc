// Quality statistics on synthetic data of realistic size: Krippendorff's
// alpha, Dawid–Skene, majority vote and COCO bbox evaluation (the four
// goals), plus Cohen's and Fleiss' kappa for comparison with scikit-learn and
// statsmodels (bench/quality_reference.py builds the same tables).
//
// Every number is a median over `reps` repetitions of one call of the public
// API on input built beforehand (building the RatingTable is not timed). The
// CPU time (user + system) of the same calls is printed beside the wall clock
// because the machine is shared.
//
// The data comes from a counter-based generator (SplitMix64's output function
// applied to seed + counter * golden gamma), so that the Python script can
// reproduce exactly the same ratings with vectorised numpy and the kappas can
// be compared to the last digits.
//
// Usage: quality_bench [reps=7] [only]
//   only: run one part: alpha, ds, mv, coco, kappa or sparse.
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tessera/quality.h"

namespace {

namespace q = tessera::quality;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- data

constexpr uint64_t kSeed = 20240601;
constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ull;

// Uniform double in [0, 1) for (stream, index); identical to
// uniform(stream, index) in bench/quality_reference.py.
double Uniform(uint64_t stream, uint64_t index) {
  uint64_t z = kSeed + ((stream << 40) + index + 1) * kGamma;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

// floor(u * n) as an index in [0, n).
size_t Pick(double u, size_t n) {
  return std::min(static_cast<size_t>(u * static_cast<double>(n)), n - 1);
}

constexpr size_t kItems = 100000, kAnnotators = 10, kClasses = 5;

// Annotator j is right with probability 0.55 + 0.04 j (0.55 .. 0.91); a wrong
// answer is one of the other four classes, uniformly. Categories are the
// values 1..5.
struct Crowd {
  std::vector<size_t> truth;                // [item], 0-based class
  std::vector<std::vector<size_t>> labels;  // [item][annotator], 0-based class
};

Crowd MakeCrowd() {
  Crowd crowd;
  crowd.truth.resize(kItems);
  crowd.labels.assign(kItems, std::vector<size_t>(kAnnotators));
  for (size_t item = 0; item < kItems; ++item) {
    const size_t truth = Pick(Uniform(0, item), kClasses);
    crowd.truth[item] = truth;
    for (size_t ann = 0; ann < kAnnotators; ++ann) {
      const uint64_t cell = item * kAnnotators + ann;
      const double accuracy = 0.55 + 0.04 * static_cast<double>(ann);
      crowd.labels[item][ann] = Uniform(1, cell) < accuracy
                                    ? truth
                                    : (truth + 1 + Pick(Uniform(2, cell), kClasses - 1)) % kClasses;
    }
  }
  return crowd;
}

// The crowd's labels as a table of values 1..5; with `missing`, each rating
// is dropped with that probability (stream 3).
q::RatingTable ToTable(const Crowd& crowd, double missing, size_t annotators = kAnnotators) {
  q::RatingTable table(kItems, std::vector<q::Rating>(annotators));
  for (size_t item = 0; item < kItems; ++item) {
    for (size_t ann = 0; ann < annotators; ++ann) {
      if (missing > 0 && Uniform(3, item * kAnnotators + ann) < missing) continue;
      table[item][ann] = static_cast<double>(crowd.labels[item][ann] + 1);
    }
  }
  return table;
}

// COCO: 640 x 480 images, each with 20 ground-truth boxes of 3 categories and
// sides 6..246 px (so all three area ranges occur). 90% of the boxes are
// detected with their corners jittered by up to +-15% of the side and a score
// in [0.3, 1); 5% of those detections carry a wrong category. Each image also
// gets 5 false positives with random boxes and scores in [0, 0.7).
constexpr size_t kImages = 5000, kGtPerImage = 20, kFalsePositives = 5, kCocoClasses = 3;

void MakeCoco(std::vector<q::CocoGroundTruth>* gts, std::vector<q::CocoDetection>* dets) {
  uint64_t counter = 0;
  auto u = [&](uint64_t stream) { return Uniform(stream, counter++); };
  for (size_t image = 0; image < kImages; ++image) {
    const auto id = static_cast<int64_t>(image + 1);
    for (size_t g = 0; g < kGtPerImage; ++g) {
      q::CocoGroundTruth gt;
      gt.image_id = id;
      gt.category_id = static_cast<int64_t>(Pick(u(10), kCocoClasses) + 1);
      gt.box.width = 6 + 240 * u(10);
      gt.box.height = 6 + 240 * u(10);
      gt.box.x = (640 - gt.box.width) * u(10);
      gt.box.y = (480 - gt.box.height) * u(10);
      gts->push_back(gt);
      if (u(11) >= 0.9) continue;  // missed
      q::CocoDetection det;
      det.image_id = id;
      det.category_id = u(11) < 0.05 ? static_cast<int64_t>(Pick(u(11), kCocoClasses) + 1)
                                     : gt.category_id;
      const double x0 = gt.box.x + gt.box.width * 0.3 * (u(11) - 0.5);
      const double y0 = gt.box.y + gt.box.height * 0.3 * (u(11) - 0.5);
      const double x1 = gt.box.x + gt.box.width * (1 + 0.3 * (u(11) - 0.5));
      const double y1 = gt.box.y + gt.box.height * (1 + 0.3 * (u(11) - 0.5));
      det.box = {x0, y0, std::max(0.0, x1 - x0), std::max(0.0, y1 - y0)};
      det.score = 0.3 + 0.7 * u(11);
      dets->push_back(det);
    }
    for (size_t f = 0; f < kFalsePositives; ++f) {
      q::CocoDetection det;
      det.image_id = id;
      det.category_id = static_cast<int64_t>(Pick(u(12), kCocoClasses) + 1);
      det.box.width = 6 + 240 * u(12);
      det.box.height = 6 + 240 * u(12);
      det.box.x = (640 - det.box.width) * u(12);
      det.box.y = (480 - det.box.height) * u(12);
      det.score = 0.7 * u(12);
      dets->push_back(det);
    }
  }
}

// ---------------------------------------------------------------- timing

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Runs `fn` `reps` times and prints the median wall and CPU time in ms, and
// the goal (in ms; 0 for none) with whether the median meets it. Returns the
// last result; the results are freed after the clock stops.
template <typename Fn>
auto Time(const char* name, int reps, double goal_ms, Fn fn) {
  std::vector<decltype(fn())> results;
  results.reserve(reps);
  std::vector<double> wall, cpu;
  for (int rep = 0; rep < reps; ++rep) {
    const double cpu_start = CpuSeconds();
    const auto start = Clock::now();
    results.push_back(fn());
    wall.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    cpu.push_back((CpuSeconds() - cpu_start) * 1000);
  }
  std::printf("%-34s median %9.2f ms  cpu %9.2f ms  (min %.2f, max %.2f)", name, Median(wall),
              Median(cpu), *std::min_element(wall.begin(), wall.end()),
              *std::max_element(wall.begin(), wall.end()));
  if (goal_ms > 0) {
    std::printf("  goal <= %g ms: %s", goal_ms, Median(wall) <= goal_ms ? "met" : "NOT met");
  }
  std::printf("\n");
  std::fflush(stdout);
  return std::move(results.back());
}

template <typename T>
T Check(tessera::Result<T> result, const char* what) {
  if (!result.ok()) {
    std::fprintf(stderr, "%s failed: %s\n", what, result.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(*result);
}

// 1. Krippendorff's alpha on the table with 10% missing.
void BenchAlpha(const q::RatingTable& sparse, int reps) {
  const q::Alpha nominal = Time("krippendorff alpha nominal", reps, 15, [&] {
    return Check(q::KrippendorffAlpha(sparse, q::Level::kNominal), "alpha");
  });
  const q::Alpha interval = Time("krippendorff alpha interval", reps, 15, [&] {
    return Check(q::KrippendorffAlpha(sparse, q::Level::kInterval), "alpha");
  });
  std::printf("  alpha nominal %.15f (D_o %.15f, D_e %.15f, n.. %zu)\n", nominal.value,
              nominal.observed_disagreement, nominal.expected_disagreement,
              nominal.pairable_values);
  std::printf("  alpha interval %.15f (D_o %.15f, D_e %.15f)\n", interval.value,
              interval.observed_disagreement, interval.expected_disagreement);
}

// 2. Dawid–Skene, exactly 50 EM iterations, on the full table.
void BenchDawidSkene(const Crowd& crowd, const q::RatingTable& full, int reps) {
  q::DawidSkeneOptions options;
  options.max_iterations = 50;
  options.tolerance = 0;
  const q::DawidSkeneResult ds = Time("dawid-skene 50 iterations, 1M", reps, 200,
                                      [&] { return Check(q::DawidSkene(full, options), "DS"); });
  size_t right = 0;
  for (size_t item = 0; item < kItems; ++item) {
    right += ds.labels[item] && *ds.labels[item] == static_cast<double>(crowd.truth[item] + 1);
  }
  std::printf("  iterations %d, log-likelihood %.10f, accuracy vs truth %.4f\n", ds.iterations,
              ds.log_likelihood, static_cast<double>(right) / kItems);
  std::printf("  mean diagonal of the confusion matrices (simulated 0.55 + 0.04 j):");
  for (size_t ann = 0; ann < kAnnotators; ++ann) {
    double diagonal = 0;
    for (size_t cls = 0; cls < kClasses; ++cls) diagonal += ds.confusion[ann][cls][cls];
    std::printf(" %.3f", diagonal / kClasses);
  }
  std::printf("\n");
}

// 3. Majority vote on the full table.
void BenchMajorityVote(const Crowd& crowd, const q::RatingTable& full, int reps) {
  const std::vector<q::Vote> votes = Time("majority vote, 1M", reps, 30, [&] {
    return Check(q::MajorityVote(full, q::TiePolicy::kLowestValue), "MajorityVote");
  });
  size_t right = 0;
  for (size_t item = 0; item < kItems; ++item) {
    right += votes[item].label && *votes[item].label == static_cast<double>(crowd.truth[item] + 1);
  }
  std::printf("  accuracy vs truth %.4f (ties to the lowest value)\n",
              static_cast<double>(right) / kItems);
}

// 4. COCO bbox evaluation.
void BenchCoco(int reps) {
  std::vector<q::CocoGroundTruth> gts;
  std::vector<q::CocoDetection> dets;
  MakeCoco(&gts, &dets);
  std::printf("coco: %zu images, %zu ground-truth boxes, %zu detections, %zu categories\n", kImages,
              gts.size(), dets.size(), kCocoClasses);
  const q::CocoEvalResult coco = Time("coco bbox evaluation", reps, 500, [&] {
    return Check(q::EvaluateCocoDetections(gts, dets), "COCO");
  });
  const char* names[12] = {"AP @[.50:.95] all    100", "AP @.50       all    100",
                           "AP @.75       all    100", "AP @[.50:.95] small  100",
                           "AP @[.50:.95] medium 100", "AP @[.50:.95] large  100",
                           "AR @[.50:.95] all      1", "AR @[.50:.95] all     10",
                           "AR @[.50:.95] all    100", "AR @[.50:.95] small  100",
                           "AR @[.50:.95] medium 100", "AR @[.50:.95] large  100"};
  const double stats[12] = {coco.ap,        coco.ap50,     coco.ap75,  coco.ap_small,
                            coco.ap_medium, coco.ap_large, coco.ar1,   coco.ar10,
                            coco.ar100,     coco.ar_small, coco.ar_medium, coco.ar_large};
  for (int i = 0; i < 12; ++i) std::printf("  stats[%2d] %s  %.15f\n", i, names[i], stats[i]);
}

// Cohen's kappa (annotators 0 and 1) and Fleiss' kappa (all ten) on the full
// table: the computations scikit-learn and statsmodels offer.
void BenchKappas(const q::RatingTable& pair, const q::RatingTable& full, int reps) {
  const q::Coefficient cohen =
      Time("cohen kappa, 2 x 100k", reps, 0, [&] { return Check(q::CohenKappa(pair), "Cohen"); });
  const q::Coefficient fleiss = Time("fleiss kappa, 100k x 10", reps, 0,
                                     [&] { return Check(q::FleissKappa(full), "Fleiss"); });
  std::printf("  cohen kappa (annotators 0, 1) %.15f\n", cohen.value);
  std::printf("  fleiss kappa %.15f\n", fleiss.value);
}

// 5. Majority vote and Dawid-Skene on a sparse table the size of a large
// project: 1M items x 200 annotators, 3 distinct annotators per item (3M
// ratings; the dense table would have 200M cells, 3.2 GB). Annotator j is
// right with probability 0.55 + 0.4 j / 199, else one of the four other
// classes. Prints the peak resident set of the process afterwards.
constexpr size_t kSparseItems = 1000000, kSparseAnnotators = 200, kPerItem = 3;

void BenchSparse(int reps) {
  q::SparseRatingTable table;
  table.annotators = kSparseAnnotators;
  table.item_start.reserve(kSparseItems + 1);
  table.annotator.reserve(kSparseItems * kPerItem);
  table.value.reserve(kSparseItems * kPerItem);
  std::vector<size_t> truth(kSparseItems);
  for (size_t item = 0; item < kSparseItems; ++item) {
    truth[item] = Pick(Uniform(20, item), kClasses);
    std::array<size_t, kPerItem> who{};
    for (size_t k = 0; k < kPerItem; ++k) {
      size_t ann = Pick(Uniform(21, item * kPerItem + k), kSparseAnnotators - k);
      // The k-th draw from the annotators not drawn yet.
      std::sort(who.begin(), who.begin() + k);
      for (size_t d = 0; d < k; ++d) ann += ann >= who[d] ? 1 : 0;
      who[k] = ann;
    }
    std::sort(who.begin(), who.end());
    for (size_t k = 0; k < kPerItem; ++k) {
      const uint64_t cell = item * kPerItem + k;
      const double accuracy = 0.55 + 0.4 * static_cast<double>(who[k]) / (kSparseAnnotators - 1);
      const size_t label = Uniform(22, cell) < accuracy
                               ? truth[item]
                               : (truth[item] + 1 + Pick(Uniform(23, cell), kClasses - 1)) % kClasses;
      table.Add(static_cast<uint32_t>(who[k]), static_cast<double>(label + 1));
    }
    table.EndItem();
  }
  std::printf("sparse: %zu items x %zu annotators, %zu ratings (%zu per item)\n", table.items(),
              table.annotators, table.ratings(), kPerItem);
  const std::vector<q::Vote> votes = Time("majority vote, sparse 1M x 200", reps, 0, [&] {
    return Check(q::MajorityVote(table, q::TiePolicy::kLowestValue), "MajorityVote");
  });
  q::DawidSkeneOptions options;
  options.max_iterations = 50;
  options.tolerance = 0;
  const q::DawidSkeneResult ds = Time("dawid-skene 50 it., sparse 1M x 200", reps, 0,
                                      [&] { return Check(q::DawidSkene(table, options), "DS"); });
  size_t mv_right = 0, ds_right = 0;
  for (size_t item = 0; item < kSparseItems; ++item) {
    const auto truth_value = static_cast<double>(truth[item] + 1);
    mv_right += votes[item].label && *votes[item].label == truth_value;
    ds_right += ds.labels[item] && *ds.labels[item] == truth_value;
  }
  std::printf("  accuracy vs truth: majority %.4f, dawid-skene %.4f; log-likelihood %.10f\n",
              static_cast<double>(mv_right) / kSparseItems,
              static_cast<double>(ds_right) / kSparseItems, ds.log_likelihood);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("  peak resident set %.0f MB\n", static_cast<double>(usage.ru_maxrss) / 1024);
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
  const std::string only = argc > 2 ? argv[2] : "";
  auto want = [&](const char* part) { return only.empty() || only == part; };
  std::printf("quality_bench: %d repetitions per figure, median reported; seed %llu\n", reps,
              static_cast<unsigned long long>(kSeed));
  if (only == "sparse") {  // without the crowd tables, so that the peak memory is its own
    BenchSparse(reps);
    return 0;
  }

  const Crowd crowd = MakeCrowd();
  const q::RatingTable full = ToTable(crowd, 0.0);
  const q::RatingTable sparse = ToTable(crowd, 0.1);
  const q::RatingTable pair = ToTable(crowd, 0.0, 2);
  size_t sparse_values = 0;
  for (const auto& row : sparse) {
    for (const auto& rating : row) sparse_values += rating ? 1 : 0;
  }
  std::printf("crowd: %zu items x %zu annotators, %zu classes (accuracy 0.55..0.91); "
              "alpha table %zu values (%.1f%% missing)\n",
              kItems, kAnnotators, kClasses, sparse_values,
              100.0 - 100.0 * static_cast<double>(sparse_values) / (kItems * kAnnotators));
  if (want("alpha")) BenchAlpha(sparse, reps);
  if (want("ds")) BenchDawidSkene(crowd, full, reps);
  if (want("mv")) BenchMajorityVote(crowd, full, reps);
  if (want("coco")) BenchCoco(reps);
  if (want("kappa")) BenchKappas(pair, full, reps);
  if (want("sparse")) BenchSparse(reps);
  return 0;
}
