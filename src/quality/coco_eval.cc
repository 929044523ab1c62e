// COCO-style bounding-box evaluation, following pycocotools' COCOeval
// (evaluate -> evaluateImg -> accumulate -> summarize) step by step so that
// numbers agree with it, including its tie-breaking (stable sorts), its
// 1 - 1e-10 IoU cap, the epsilon in the precision denominator and the
// np.linspace threshold grids.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <utility>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

constexpr size_t kIouCount = 10;     // .50:.05:.95
constexpr size_t kRecallCount = 101; // 0:.01:1
constexpr size_t kAreaCount = 4;     // all, small, medium, large
constexpr std::array<size_t, 3> kMaxDets = {1, 10, 100};
constexpr std::array<std::pair<double, double>, kAreaCount> kAreaRanges = {
    {{0, 1e10}, {0, 32.0 * 32}, {32.0 * 32, 96.0 * 96}, {96.0 * 96, 1e10}}};

// np.linspace(start, stop, num): i * ((stop - start) / (num - 1)) + start,
// with the last element set to stop.
std::vector<double> Linspace(double start, double stop, size_t num) {
  std::vector<double> out(num);
  const double step = (stop - start) / static_cast<double>(num - 1);
  for (size_t idx = 0; idx < num; ++idx) out[idx] = static_cast<double>(idx) * step + start;
  out.back() = stop;
  return out;
}

// What evaluateImg returns for one image, category and area range.
struct ImageEval {
  std::vector<double> scores;                    // detections, best first
  std::vector<std::vector<char>> matched;        // [iou][det]
  std::vector<std::vector<char>> det_ignored;    // [iou][det]
  std::vector<char> gt_ignored;
};

// IoU of a detection with a ground-truth box; for crowd ground truth the
// union is the detection's area (pycocotools maskUtils.iou).
double CocoIoU(const Box& det, const Box& gt, bool crowd) {
  const double w = std::min(det.x + det.width, gt.x + gt.width) - std::max(det.x, gt.x);
  const double h = std::min(det.y + det.height, gt.y + gt.height) - std::max(det.y, gt.y);
  if (w <= 0 || h <= 0) return 0.0;
  const double inter = w * h;
  const double det_area = det.width * det.height;
  const double denominator = crowd ? det_area : det_area + gt.width * gt.height - inter;
  return denominator > 0 ? inter / denominator : 0.0;
}

double GtArea(const CocoGroundTruth& gt) { return gt.area ? *gt.area : gt.box.width * gt.box.height; }

// `dets` must already be sorted by descending score and truncated to 100.
std::optional<ImageEval> EvaluateImage(const std::vector<const CocoGroundTruth*>& gts_in,
                                       const std::vector<const CocoDetection*>& dets,
                                       std::pair<double, double> range,
                                       const std::vector<double>& iou_thresholds) {
  if (gts_in.empty() && dets.empty()) return std::nullopt;
  // Ground truth that is crowd or outside the area range is ignored, and
  // sorted after the rest (stable).
  std::vector<const CocoGroundTruth*> gts = gts_in;
  auto ignored = [&](const CocoGroundTruth* gt) {
    const double area = GtArea(*gt);
    return gt->iscrowd || area < range.first || area > range.second;
  };
  std::stable_sort(gts.begin(), gts.end(), [&](const CocoGroundTruth* a, const CocoGroundTruth* b) {
    return !ignored(a) && ignored(b);
  });
  ImageEval out;
  for (const auto* gt : gts) out.gt_ignored.push_back(ignored(gt) ? 1 : 0);
  for (const auto* det : dets) out.scores.push_back(det->score);
  out.matched.assign(iou_thresholds.size(), std::vector<char>(dets.size(), 0));
  out.det_ignored.assign(iou_thresholds.size(), std::vector<char>(dets.size(), 0));
  std::vector<std::vector<double>> ious(dets.size(), std::vector<double>(gts.size()));
  for (size_t d = 0; d < dets.size(); ++d) {
    for (size_t g = 0; g < gts.size(); ++g) ious[d][g] = CocoIoU(dets[d]->box, gts[g]->box, gts[g]->iscrowd);
  }
  for (size_t t = 0; t < iou_thresholds.size(); ++t) {
    std::vector<char> gt_taken(gts.size(), 0);
    for (size_t d = 0; d < dets.size(); ++d) {
      double best = std::min(iou_thresholds[t], 1 - 1e-10);
      int match = -1;
      for (size_t g = 0; g < gts.size(); ++g) {
        if (gt_taken[g] && !gts[g]->iscrowd) continue;  // crowds absorb many detections
        // Once matched to a regular ground truth, stop at the ignored ones.
        if (match > -1 && !out.gt_ignored[static_cast<size_t>(match)] && out.gt_ignored[g]) break;
        if (ious[d][g] < best) continue;
        best = ious[d][g];
        match = static_cast<int>(g);
      }
      if (match == -1) continue;
      out.det_ignored[t][d] = out.gt_ignored[static_cast<size_t>(match)];
      out.matched[t][d] = 1;
      gt_taken[static_cast<size_t>(match)] = 1;
    }
  }
  // Unmatched detections outside the area range are ignored too.
  for (size_t d = 0; d < dets.size(); ++d) {
    const double area = dets[d]->box.width * dets[d]->box.height;
    if (area >= range.first && area <= range.second) continue;
    for (size_t t = 0; t < iou_thresholds.size(); ++t) {
      if (!out.matched[t][d]) out.det_ignored[t][d] = 1;
    }
  }
  return out;
}

// precision[t][r] (or empty when the category has no regular ground truth)
// and recall[t] for one category, area range and detection cap (accumulate).
struct Accumulated {
  bool defined = false;
  std::vector<std::vector<double>> precision;  // [iou][recall point]
  std::vector<double> recall;                  // [iou]
};

Accumulated Accumulate(const std::vector<const ImageEval*>& evals, size_t max_det,
                       const std::vector<double>& recall_thresholds) {
  Accumulated out;
  std::vector<double> scores;
  std::vector<std::pair<size_t, size_t>> origin;  // (eval, det)
  size_t regular_gt = 0;
  for (size_t e = 0; e < evals.size(); ++e) {
    const size_t count = std::min(max_det, evals[e]->scores.size());
    for (size_t d = 0; d < count; ++d) {
      scores.push_back(evals[e]->scores[d]);
      origin.push_back({e, d});
    }
    for (char ignored : evals[e]->gt_ignored) regular_gt += ignored ? 0 : 1;
  }
  if (regular_gt == 0) return out;
  out.defined = true;
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  const double npig = static_cast<double>(regular_gt);
  for (size_t t = 0; t < kIouCount; ++t) {
    std::vector<double> recall, precision;
    double tp = 0, fp = 0;
    for (size_t idx : order) {
      const ImageEval& eval = *evals[origin[idx].first];
      const size_t d = origin[idx].second;
      if (!eval.det_ignored[t][d]) (eval.matched[t][d] ? tp : fp) += 1;
      recall.push_back(tp / npig);
      precision.push_back(tp / (fp + tp + std::numeric_limits<double>::epsilon()));
    }
    out.recall.push_back(recall.empty() ? 0.0 : recall.back());
    for (size_t i = precision.size(); i-- > 1;) precision[i - 1] = std::max(precision[i - 1], precision[i]);
    std::vector<double> sampled(kRecallCount, 0.0);
    for (size_t r = 0; r < kRecallCount; ++r) {
      // np.searchsorted(recall, threshold, side="left")
      const size_t pos = static_cast<size_t>(
          std::lower_bound(recall.begin(), recall.end(), recall_thresholds[r]) - recall.begin());
      if (pos >= precision.size()) break;
      sampled[r] = precision[pos];
    }
    out.precision.push_back(std::move(sampled));
  }
  return out;
}

// Mean over the defined entries, -1 if none (summarize's s[s > -1]).
struct Mean {
  double sum = 0;
  size_t count = 0;
  void Add(double value) { sum += value; ++count; }
  double Get() const { return count ? sum / static_cast<double>(count) : -1.0; }
};

}  // namespace

Result<CocoEvalResult> EvaluateCocoDetections(const std::vector<CocoGroundTruth>& ground_truth,
                                              const std::vector<CocoDetection>& detections,
                                              const CocoEvalOptions& options) {
  for (const auto& gt : ground_truth) {
    if (!(gt.box.width >= 0 && gt.box.height >= 0)) {
      return Status::InvalidArgument("ground-truth box on image " + std::to_string(gt.image_id) +
                                     " has a negative or NaN size");
    }
  }
  for (const auto& det : detections) {
    if (!(det.box.width >= 0 && det.box.height >= 0) || !std::isfinite(det.score)) {
      return Status::InvalidArgument("detection on image " + std::to_string(det.image_id) +
                                     " has a negative size or a non-finite score");
    }
  }
  std::vector<int64_t> images = options.image_ids, categories = options.category_ids;
  for (const auto& gt : ground_truth) {
    images.push_back(gt.image_id);
    categories.push_back(gt.category_id);
  }
  for (const auto& det : detections) images.push_back(det.image_id);
  for (auto* ids : {&images, &categories}) {
    std::sort(ids->begin(), ids->end());
    ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  }
  using Key = std::pair<int64_t, int64_t>;  // (category, image)
  std::map<Key, std::vector<const CocoGroundTruth*>> gts_by_key;
  std::map<Key, std::vector<const CocoDetection*>> dets_by_key;
  for (const auto& gt : ground_truth) gts_by_key[{gt.category_id, gt.image_id}].push_back(&gt);
  for (const auto& det : detections) dets_by_key[{det.category_id, det.image_id}].push_back(&det);
  for (auto& [key, dets] : dets_by_key) {
    std::stable_sort(dets.begin(), dets.end(), [](const CocoDetection* a, const CocoDetection* b) {
      return a->score > b->score;
    });
    if (dets.size() > kMaxDets.back()) dets.resize(kMaxDets.back());
  }
  const std::vector<double> iou_thresholds = Linspace(0.5, 0.95, kIouCount);
  const std::vector<double> recall_thresholds = Linspace(0.0, 1.0, kRecallCount);

  // acc[category][area][maxdet]
  std::vector<std::array<std::array<Accumulated, 3>, kAreaCount>> acc(categories.size());
  static const std::vector<const CocoGroundTruth*> kNoGts;
  static const std::vector<const CocoDetection*> kNoDets;
  for (size_t k = 0; k < categories.size(); ++k) {
    for (size_t a = 0; a < kAreaCount; ++a) {
      std::vector<ImageEval> evals;
      for (int64_t image : images) {
        const Key key{categories[k], image};
        auto gt_it = gts_by_key.find(key);
        auto det_it = dets_by_key.find(key);
        auto eval = EvaluateImage(gt_it == gts_by_key.end() ? kNoGts : gt_it->second,
                                  det_it == dets_by_key.end() ? kNoDets : det_it->second,
                                  kAreaRanges[a], iou_thresholds);
        if (eval) evals.push_back(std::move(*eval));
      }
      std::vector<const ImageEval*> pointers;
      for (const auto& eval : evals) pointers.push_back(&eval);
      for (size_t m = 0; m < kMaxDets.size(); ++m) {
        acc[k][a][m] = Accumulate(pointers, kMaxDets[m], recall_thresholds);
      }
    }
  }

  // summarize(): AP averages precision over IoU thresholds (or one), recall
  // points and categories; AR averages recall over thresholds and categories.
  auto average_precision = [&](std::optional<size_t> iou, size_t area, size_t max_det,
                               std::optional<size_t> only_category) {
    Mean mean;
    for (size_t k = 0; k < categories.size(); ++k) {
      if (only_category && *only_category != k) continue;
      const Accumulated& cell = acc[k][area][max_det];
      if (!cell.defined) continue;
      for (size_t t = 0; t < kIouCount; ++t) {
        if (iou && *iou != t) continue;
        for (double p : cell.precision[t]) mean.Add(p);
      }
    }
    return mean.Get();
  };
  auto average_recall = [&](size_t area, size_t max_det, std::optional<size_t> only_category) {
    Mean mean;
    for (size_t k = 0; k < categories.size(); ++k) {
      if (only_category && *only_category != k) continue;
      const Accumulated& cell = acc[k][area][max_det];
      if (!cell.defined) continue;
      for (double r : cell.recall) mean.Add(r);
    }
    return mean.Get();
  };
  constexpr size_t kAll = 0, kSmall = 1, kMedium = 2, kLarge = 3, kTop100 = 2;
  constexpr size_t kIou50 = 0, kIou75 = 5;
  CocoEvalResult out;
  out.ap = average_precision(std::nullopt, kAll, kTop100, std::nullopt);
  out.ap50 = average_precision(kIou50, kAll, kTop100, std::nullopt);
  out.ap75 = average_precision(kIou75, kAll, kTop100, std::nullopt);
  out.ap_small = average_precision(std::nullopt, kSmall, kTop100, std::nullopt);
  out.ap_medium = average_precision(std::nullopt, kMedium, kTop100, std::nullopt);
  out.ap_large = average_precision(std::nullopt, kLarge, kTop100, std::nullopt);
  out.ar1 = average_recall(kAll, 0, std::nullopt);
  out.ar10 = average_recall(kAll, 1, std::nullopt);
  out.ar100 = average_recall(kAll, kTop100, std::nullopt);
  out.ar_small = average_recall(kSmall, kTop100, std::nullopt);
  out.ar_medium = average_recall(kMedium, kTop100, std::nullopt);
  out.ar_large = average_recall(kLarge, kTop100, std::nullopt);
  for (size_t k = 0; k < categories.size(); ++k) {
    out.per_class.push_back({categories[k], average_precision(std::nullopt, kAll, kTop100, k),
                             average_precision(kIou50, kAll, kTop100, k),
                             average_precision(kIou75, kAll, kTop100, k),
                             average_recall(kAll, kTop100, k)});
  }
  return out;
}

}  // namespace tessera::quality
