// COCO-style bounding-box evaluation, following pycocotools' COCOeval
// (evaluate -> evaluateImg -> accumulate -> summarize) step by step so that
// numbers agree with it, including its tie-breaking (stable sorts), its
// 1 - 1e-10 IoU cap, the epsilon in the precision denominator and the
// np.linspace threshold grids.
//
// The work is organised for speed without changing any of those results:
//  * ground truth and detections are grouped by (category, image) with one
//    sort each, detections already in descending score order per group;
//  * the IoUs of a group are computed once (pycocotools also computes them
//    once per image and category) and every detection keeps the short list of
//    ground truth it overlaps by >= the lowest IoU threshold, the only ones
//    its greedy match can pick at any threshold;
//  * a category's detections are sorted by score once: the lists for
//    maxDets 1 and 10 are subsequences of the one for 100 and, as the sort is
//    stable, come out in the same order as sorting them separately (and when
//    no image has more than 10 detections the lists are the same); the
//    per-detection match flags are stored in that order, so accumulate()
//    reads them sequentially.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
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

bool InRange(double area, std::pair<double, double> range) {
  return area >= range.first && area <= range.second;
}

// Per detection, area range and IoU threshold, what evaluateImg decided.
enum : uint8_t { kMatched = 1, kIgnored = 2 };

// One category's detections (each image's best 100, images in ascending id
// order) and evaluateImg's verdicts on them, stored in accumulate()'s order:
// descending score, ties in image order and then score order within the image.
struct CategoryEval {
  std::vector<double> scores;   // [sorted position]
  std::vector<uint32_t> ranks;  // [sorted position]: place in its image, 0 = best
  // [(area * n + sorted position) * kIouCount + iou]: a detection's verdicts
  // for one area range share a cache line.
  std::vector<uint8_t> states;
  std::array<size_t, kAreaCount> regular_gt{};  // ground truth not ignored, per area range
  uint8_t& State(size_t area, size_t iou, size_t position) {
    return states[(area * scores.size() + position) * kIouCount + iou];
  }
};

// evaluateImg for one image and category, every area range and threshold:
// `gts` in input order, `dets` by descending score (at most 100), `positions`
// the detections' sorted positions in `eval`.
class ImageMatcher {
 public:
  explicit ImageMatcher(const std::vector<double>& iou_thresholds) : thresholds_(iou_thresholds) {}

  void Evaluate(const std::vector<const CocoGroundTruth*>& gts,
                const std::vector<const CocoDetection*>& dets,
                const std::vector<size_t>& positions, CategoryEval* eval) {
    // The fields the loops below need, copied out of the records once.
    gt_crowd_.resize(gts.size());
    gt_area_.resize(gts.size());
    for (size_t g = 0; g < gts.size(); ++g) {
      gt_crowd_[g] = gts[g]->iscrowd;
      gt_area_[g] = GtArea(*gts[g]);
    }
    det_area_.resize(dets.size());
    for (size_t d = 0; d < dets.size(); ++d) {
      det_area_[d] = dets[d]->box.width * dets[d]->box.height;
    }
    // Ground truth each detection could match at the lowest threshold.
    candidates_.clear();
    candidate_begin_.assign(1, 0);
    for (const auto* det : dets) {
      for (size_t g = 0; g < gts.size(); ++g) {
        const double iou = CocoIoU(det->box, gts[g]->box, gt_crowd_[g]);
        if (iou >= thresholds_.front()) candidates_.push_back({g, iou});
      }
      candidate_begin_.push_back(candidates_.size());
    }
    for (size_t area = 0; area < kAreaCount; ++area) {
      const auto range = kAreaRanges[area];
      // Crowd ground truth and ground truth outside the range are ignored;
      // pycocotools sorts them after the rest (stably), so each detection
      // considers its regular candidates first, then its ignored ones, each
      // in input order.
      gt_ignored_.resize(gts.size());
      for (size_t g = 0; g < gts.size(); ++g) {
        gt_ignored_[g] = gt_crowd_[g] || !InRange(gt_area_[g], range);
        eval->regular_gt[area] += gt_ignored_[g] ? 0 : 1;
      }
      ordered_.clear();
      for (size_t d = 0; d < dets.size(); ++d) {
        for (bool ignored : {false, true}) {
          for (size_t c = candidate_begin_[d]; c < candidate_begin_[d + 1]; ++c) {
            if (gt_ignored_[candidates_[c].gt] == ignored) ordered_.push_back(candidates_[c]);
          }
        }
      }
      for (size_t t = 0; t < kIouCount; ++t) {
        gt_taken_.assign(gts.size(), 0);
        for (size_t d = 0; d < dets.size(); ++d) {
          double best = std::min(thresholds_[t], 1 - 1e-10);
          size_t match = kNone;
          for (size_t c = candidate_begin_[d]; c < candidate_begin_[d + 1]; ++c) {
            const size_t g = ordered_[c].gt;
            if (gt_taken_[g] && !gt_crowd_[g]) continue;  // crowds absorb many detections
            // Once matched to a regular ground truth, stop at the ignored ones.
            if (match != kNone && !gt_ignored_[match] && gt_ignored_[g]) break;
            if (ordered_[c].iou < best) continue;
            best = ordered_[c].iou;
            match = g;
          }
          uint8_t& state = eval->State(area, t, positions[d]);
          if (match != kNone) {
            state = kMatched | (gt_ignored_[match] ? kIgnored : 0);
            gt_taken_[match] = 1;
          } else {
            // Unmatched detections outside the area range are ignored too.
            state = InRange(det_area_[d], range) ? 0 : kIgnored;
          }
        }
      }
    }
  }

 private:
  static constexpr size_t kNone = std::numeric_limits<size_t>::max();
  struct Candidate {
    size_t gt;
    double iou;
  };
  const std::vector<double>& thresholds_;
  std::vector<Candidate> candidates_;     // per detection, input order of ground truth
  std::vector<size_t> candidate_begin_;   // [det + 1]
  std::vector<Candidate> ordered_;        // the same, regular before ignored, per area range
  std::vector<char> gt_crowd_, gt_ignored_, gt_taken_;
  std::vector<double> gt_area_, det_area_;
};

// precision[t][r] and recall[t] for one category, area range and detection
// cap (accumulate); not `defined` when the category has no regular ground
// truth in the range.
struct Accumulated {
  bool defined = false;
  std::vector<std::vector<double>> precision;  // [iou][recall point]
  std::vector<double> recall;                  // [iou]
};

Accumulated Accumulate(const CategoryEval& eval, size_t area, size_t max_det,
                       const std::vector<double>& recall_thresholds) {
  Accumulated out;
  if (eval.regular_gt[area] == 0) return out;
  out.defined = true;
  const double npig = static_cast<double>(eval.regular_gt[area]);
  const size_t n = eval.scores.size();
  // Over the detections within the cap, in order: the true positives so far
  // (recall is tps / npig, computed where needed) and the precision.
  std::vector<uint32_t> tps(n);
  std::vector<double> precision(n);
  for (size_t t = 0; t < kIouCount; ++t) {
    const uint8_t* states = eval.states.data() + area * n * kIouCount + t;  // stride kIouCount
    uint32_t tp = 0, fp = 0;
    size_t count = 0;
    for (size_t pos = 0; pos < n; ++pos) {
      if (eval.ranks[pos] >= max_det) continue;
      const uint8_t state = states[pos * kIouCount];
      if (!(state & kIgnored)) {
        if (state & kMatched) {
          ++tp;
        } else {
          ++fp;
        }
      }
      const double tp_sum = tp, fp_sum = fp;  // pycocotools' float cumsums
      tps[count] = tp;
      precision[count] = tp_sum / (fp_sum + tp_sum + std::numeric_limits<double>::epsilon());
      ++count;
    }
    auto recall = [&](size_t i) { return static_cast<double>(tps[i]) / npig; };
    out.recall.push_back(count == 0 ? 0.0 : recall(count - 1));
    for (size_t i = count; i-- > 1;) precision[i - 1] = std::max(precision[i - 1], precision[i]);
    std::vector<double> sampled(kRecallCount, 0.0);
    size_t pos = 0;
    for (size_t r = 0; r < kRecallCount; ++r) {
      // np.searchsorted(recall, threshold, side="left"): recall is
      // non-decreasing and so are the thresholds, so search from the last hit.
      size_t low = pos, high = count;
      while (low < high) {
        const size_t mid = low + (high - low) / 2;
        if (recall(mid) < recall_thresholds[r]) {
          low = mid + 1;
        } else {
          high = mid;
        }
      }
      pos = low;
      if (pos >= count) break;
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
  // Records usually come grouped by image: skip repeats before sorting.
  auto add = [](std::vector<int64_t>* ids, int64_t id) {
    if (ids->empty() || ids->back() != id) ids->push_back(id);
  };
  for (const auto& gt : ground_truth) {
    add(&images, gt.image_id);
    add(&categories, gt.category_id);
  }
  for (const auto& det : detections) add(&images, det.image_id);
  for (auto* ids : {&images, &categories}) {
    std::sort(ids->begin(), ids->end());
    ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  }
  const std::vector<double> iou_thresholds = Linspace(0.5, 0.95, kIouCount);
  const std::vector<double> recall_thresholds = Linspace(0.0, 1.0, kRecallCount);

  // Group by (category, image): key = category index * images + image index.
  // Detections of a category that is neither in the ground truth nor in
  // options are left out. Within a group ground truth stays in input order
  // and detections go by descending score, ties in input order.
  auto index_of = [](const std::vector<int64_t>& ids, int64_t id) {
    return static_cast<size_t>(std::lower_bound(ids.begin(), ids.end(), id) - ids.begin());
  };
  auto key_of = [&](int64_t category, int64_t image) -> std::optional<uint64_t> {
    const size_t k = index_of(categories, category);
    if (k == categories.size() || categories[k] != category) return std::nullopt;
    return static_cast<uint64_t>(k * images.size() + index_of(images, image));
  };
  std::vector<std::pair<uint64_t, size_t>> gt_keys;  // (key, input index), sorted
  gt_keys.reserve(ground_truth.size());
  for (size_t i = 0; i < ground_truth.size(); ++i) {
    gt_keys.push_back({*key_of(ground_truth[i].category_id, ground_truth[i].image_id), i});
  }
  std::sort(gt_keys.begin(), gt_keys.end());
  struct DetKey {
    uint64_t key;
    double score;
    size_t index;  // into `detections`
  };
  std::vector<DetKey> det_keys;
  det_keys.reserve(detections.size());
  for (size_t i = 0; i < detections.size(); ++i) {
    if (auto key = key_of(detections[i].category_id, detections[i].image_id)) {
      det_keys.push_back({*key, detections[i].score, i});
    }
  }
  std::sort(det_keys.begin(), det_keys.end(), [](const DetKey& a, const DetKey& b) {
    if (a.key != b.key) return a.key < b.key;
    if (a.score != b.score) return a.score > b.score;
    return a.index < b.index;
  });

  // acc[category][area][maxdet]
  std::vector<std::array<std::array<Accumulated, 3>, kAreaCount>> acc(categories.size());
  ImageMatcher matcher(iou_thresholds);
  std::vector<const CocoGroundTruth*> group_gts;
  std::vector<const CocoDetection*> group_dets;
  std::vector<size_t> positions;
  size_t gt_at = 0, det_at = 0;  // cursors into gt_keys and det_keys
  for (size_t k = 0; k < categories.size(); ++k) {
    const uint64_t end_key = (k + 1) * images.size();
    const size_t gt_first = gt_at, det_first = det_at;
    size_t gt_last = gt_first, det_last = det_first;
    while (gt_last < gt_keys.size() && gt_keys[gt_last].first < end_key) ++gt_last;
    while (det_last < det_keys.size() && det_keys[det_last].key < end_key) ++det_last;

    // The category's detections in image order, the best 100 of each image,
    // then sorted by descending score (stable, as np.argsort(kind="mergesort")).
    std::vector<const DetKey*> kept;
    for (size_t i = det_first; i < det_last;) {
      size_t j = i;
      while (j < det_last && det_keys[j].key == det_keys[i].key) ++j;
      for (size_t r = i; r < std::min(j, i + kMaxDets.back()); ++r) kept.push_back(&det_keys[r]);
      i = j;
    }
    // (score, kept index) sorted by descending score, then ascending index:
    // the order of a stable sort by score.
    std::vector<std::pair<double, size_t>> order(kept.size());
    for (size_t i = 0; i < kept.size(); ++i) order[i] = {kept[i]->score, i};
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    CategoryEval eval;
    eval.scores.resize(kept.size());
    eval.ranks.resize(kept.size());
    eval.states.assign(kAreaCount * kIouCount * kept.size(), 0);
    std::vector<size_t> position_of(kept.size());  // kept index -> sorted position
    for (size_t pos = 0; pos < order.size(); ++pos) {
      position_of[order[pos].second] = pos;
      eval.scores[pos] = order[pos].first;
    }

    // evaluateImg for each image with ground truth or detections of the
    // category (the others give pycocotools None and count for nothing).
    size_t g = gt_first, d = 0;  // d walks `kept`
    while (g < gt_last || d < kept.size()) {
      const uint64_t key = std::min(g < gt_last ? gt_keys[g].first : end_key,
                                    d < kept.size() ? kept[d]->key : end_key);
      group_gts.clear();
      for (; g < gt_last && gt_keys[g].first == key; ++g) {
        group_gts.push_back(&ground_truth[gt_keys[g].second]);
      }
      group_dets.clear();
      positions.clear();
      for (; d < kept.size() && kept[d]->key == key; ++d) {
        eval.ranks[position_of[d]] = static_cast<uint32_t>(group_dets.size());
        group_dets.push_back(&detections[kept[d]->index]);
        positions.push_back(position_of[d]);
      }
      matcher.Evaluate(group_gts, group_dets, positions, &eval);
    }
    // A cap no image reaches gives the same lists as the next larger cap.
    size_t most = 0;  // detections on the image with the most
    for (uint32_t rank : eval.ranks) most = std::max<size_t>(most, rank + 1);
    for (size_t a = 0; a < kAreaCount; ++a) {
      for (size_t m = kMaxDets.size(); m-- > 0;) {
        const bool same_as_larger = m + 1 < kMaxDets.size() && most <= kMaxDets[m];
        acc[k][a][m] = same_as_larger ? acc[k][a][m + 1]
                                      : Accumulate(eval, a, kMaxDets[m], recall_thresholds);
      }
    }
    gt_at = gt_last;
    det_at = det_last;
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
