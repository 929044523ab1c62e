// COCO evaluation on small hand-made cases, worked by hand following
// pycocotools' algorithm: per-image greedy matching in score order, 101
// recall points where precision at recall r is the best precision at any
// recall >= r, and -1 where a setting has no ground truth.
#include <gtest/gtest.h>

#include <cmath>

#include "src/quality/quality_test_util.h"
#include "tessera/quality.h"

namespace tessera::quality {
namespace {

CocoGroundTruth Gt(int64_t image, int64_t category, Box box, bool crowd = false) {
  CocoGroundTruth gt;
  gt.image_id = image;
  gt.category_id = category;
  gt.box = box;
  gt.iscrowd = crowd;
  return gt;
}

CocoDetection Det(int64_t image, int64_t category, Box box, double score) {
  return {image, category, box, score};
}

TEST(CocoEvalTest, TwoObjectsOneFalsePositiveBetween) {
  // Scores .9 (hits g1), .8 (miss), .7 (hits g2), all IoU 1.
  // Cumulative: recall .5 .5 1; precision 1 1/2 2/3 -> made monotone 1 2/3 2/3.
  // Recall points 0.00..0.50 (51) read precision 1; 0.51..1.00 (50) read 2/3:
  // AP = (51 + 50 * 2/3) / 101 = 0.834983..., at every IoU threshold.
  std::vector<CocoGroundTruth> gts = {Gt(1, 7, {0, 0, 10, 10}), Gt(1, 7, {20, 20, 10, 10})};
  std::vector<CocoDetection> dets = {Det(1, 7, {0, 0, 10, 10}, 0.9),
                                     Det(1, 7, {50, 50, 10, 10}, 0.8),
                                     Det(1, 7, {20, 20, 10, 10}, 0.7)};
  auto result = EvaluateCocoDetections(gts, dets);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const double expected = (51.0 + 50.0 * 2.0 / 3.0) / 101.0;
  EXPECT_NEAR(result->ap, expected, 1e-12);
  EXPECT_NEAR(result->ap50, expected, 1e-12);
  EXPECT_NEAR(result->ap75, expected, 1e-12);
  EXPECT_NEAR(result->ap_small, expected, 1e-12);  // areas 100 < 32^2
  EXPECT_EQ(result->ap_medium, -1.0);
  EXPECT_EQ(result->ap_large, -1.0);
  EXPECT_NEAR(result->ar1, 0.5, 1e-12);  // only the best detection per image
  EXPECT_NEAR(result->ar10, 1.0, 1e-12);
  EXPECT_NEAR(result->ar100, 1.0, 1e-12);
  EXPECT_EQ(result->ar_large, -1.0);
  ASSERT_EQ(result->per_class.size(), 1u);
  EXPECT_EQ(result->per_class[0].category_id, 7);
  EXPECT_NEAR(result->per_class[0].ap, expected, 1e-12);
}

TEST(CocoEvalTest, IoUThresholdsCountedOneByOne) {
  // One detection with IoU 0.62 (10x6.2 inside 10x10): a hit at .50, .55,
  // .60 and a miss at .65...95, so AP = 3/10, AP50 = 1, AP75 = 0.
  auto result = EvaluateCocoDetections({Gt(1, 1, {0, 0, 10, 10})}, {Det(1, 1, {0, 0, 10, 6.2}, 0.5)});
  ASSERT_TRUE(result.ok());
  EXPECT_NEAR(result->ap, 0.3, 1e-12);
  EXPECT_NEAR(result->ap50, 1.0, 1e-12);
  EXPECT_NEAR(result->ap75, 0.0, 1e-12);
  EXPECT_NEAR(result->ar100, 0.3, 1e-12);
}

TEST(CocoEvalTest, GreedyMatchingInScoreOrder) {
  // d1 (score .9, IoU .62) takes the object while t <= .60; d2 (.8, IoU .92)
  // is then a false positive: AP_t = 1 for 3 thresholds. For t in .65...90
  // (6 thresholds) d1 misses and d2 hits: precision 0, 1/2 -> 1/2 everywhere.
  // At .95 both miss. AP = (3 * 1 + 6 * 0.5 + 0) / 10 = 0.6.
  auto result = EvaluateCocoDetections(
      {Gt(1, 1, {0, 0, 10, 10})},
      {Det(1, 1, {0, 0, 10, 6.2}, 0.9), Det(1, 1, {0, 0, 10, 9.2}, 0.8)});
  ASSERT_TRUE(result.ok());
  EXPECT_NEAR(result->ap, 0.6, 1e-12);
  EXPECT_NEAR(result->ap50, 1.0, 1e-12);
  EXPECT_NEAR(result->ap75, 0.5, 1e-12);
  EXPECT_NEAR(result->ar1, 0.3, 1e-12);  // the top detection alone: 3 of 10 thresholds
  EXPECT_NEAR(result->ar100, 0.9, 1e-12);
}

TEST(CocoEvalTest, CrowdRegionsAbsorbDetections) {
  // Two detections fall inside a crowd region (IoU with a crowd is
  // intersection / detection area = 1): both are ignored, not false
  // positives. The remaining detection hits the only regular object: AP = 1.
  std::vector<CocoGroundTruth> gts = {Gt(1, 1, {0, 0, 100, 100}, true), Gt(1, 1, {200, 200, 10, 10})};
  std::vector<CocoDetection> dets = {Det(1, 1, {10, 10, 20, 20}, 0.9),
                                     Det(1, 1, {200, 200, 10, 10}, 0.8),
                                     Det(1, 1, {50, 50, 10, 10}, 0.7)};
  auto result = EvaluateCocoDetections(gts, dets);
  ASSERT_TRUE(result.ok());
  EXPECT_NEAR(result->ap, 1.0, 1e-12);
  EXPECT_NEAR(result->ar100, 1.0, 1e-12);
  // The top-scoring detection is the ignored one, so AR@1 finds nothing.
  EXPECT_NEAR(result->ar1, 0.0, 1e-12);
}

TEST(CocoEvalTest, AreaRangesIgnoreOutOfRangeDetections) {
  // A small (10x10) and a large (100x100 = 10000 > 96^2) object, both found,
  // plus a medium (50x50) false positive with the top score.
  // all: precision 0, 1/2, 2/3 -> 2/3 at every recall point: AP = 2/3.
  // small / large: the unmatched medium detection is outside the range and
  // ignored: AP = 1. medium: no objects: -1.
  std::vector<CocoGroundTruth> gts = {Gt(1, 1, {0, 0, 10, 10}), Gt(1, 1, {100, 100, 100, 100})};
  std::vector<CocoDetection> dets = {Det(1, 1, {300, 300, 50, 50}, 0.95),
                                     Det(1, 1, {0, 0, 10, 10}, 0.9),
                                     Det(1, 1, {100, 100, 100, 100}, 0.8)};
  auto result = EvaluateCocoDetections(gts, dets);
  ASSERT_TRUE(result.ok());
  EXPECT_NEAR(result->ap, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(result->ap_small, 1.0, 1e-12);
  EXPECT_NEAR(result->ap_large, 1.0, 1e-12);
  EXPECT_EQ(result->ap_medium, -1.0);
  EXPECT_EQ(result->ar_medium, -1.0);
  EXPECT_NEAR(result->ar_small, 1.0, 1e-12);
  // An explicit "area" overrides the box area: call the small object medium.
  gts[0].area = 2000;
  auto relabelled = EvaluateCocoDetections(gts, dets);
  EXPECT_NEAR(relabelled->ap_small, -1.0, 1e-12);
  EXPECT_GT(relabelled->ap_medium, 0.0);
}

TEST(CocoEvalTest, CategoriesAndImagesAreAveragedLikePycocotools) {
  // Category 1: perfect (AP 1). Category 2: its only object missed, and a
  // false positive on an image without objects (AP 0). Category 3 is listed
  // but has no objects: -1, left out of the mean. mAP = (1 + 0) / 2.
  std::vector<CocoGroundTruth> gts = {Gt(1, 1, {0, 0, 10, 10}), Gt(1, 2, {50, 50, 10, 10})};
  std::vector<CocoDetection> dets = {Det(1, 1, {0, 0, 10, 10}, 0.9), Det(2, 2, {0, 0, 10, 10}, 0.8),
                                     Det(2, 3, {0, 0, 5, 5}, 0.4)};
  CocoEvalOptions options;
  options.category_ids = {3};
  auto result = EvaluateCocoDetections(gts, dets, options);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->per_class.size(), 3u);
  EXPECT_NEAR(result->per_class[0].ap, 1.0, 1e-12);
  EXPECT_NEAR(result->per_class[1].ap, 0.0, 1e-12);
  EXPECT_EQ(result->per_class[2].ap, -1.0);
  EXPECT_NEAR(result->ap, 0.5, 1e-12);
  EXPECT_NEAR(result->ar100, 0.5, 1e-12);
}

TEST(CocoEvalTest, EmptyAndInvalidInput) {
  auto empty = EvaluateCocoDetections({}, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->ap, -1.0);
  EXPECT_TRUE(empty->per_class.empty());
  // Objects but no detections: AP 0, AR 0.
  auto missed = EvaluateCocoDetections({Gt(1, 1, {0, 0, 10, 10})}, {});
  EXPECT_EQ(missed->ap, 0.0);
  EXPECT_EQ(missed->ar100, 0.0);
  EXPECT_EQ(EvaluateCocoDetections({Gt(1, 1, {0, 0, -1, 10})}, {}).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(EvaluateCocoDetections({}, {Det(1, 1, {0, 0, 1, 1}, NAN)}).status().code(),
            Code::kInvalidArgument);
}

TEST(CocoEvalTest, RandomCaseMatchesPycocotools) {
  // Data and expected numbers in tests/testdata/quality/coco_random_case.csv.
  std::vector<CocoGroundTruth> gts;
  std::vector<CocoDetection> dets;
  std::vector<double> stats, class_ap;
  for (const auto& cells : testing::ReadCsv("coco_random_case.csv")) {
    auto number = [&](size_t idx) { return std::stod(cells[idx]); };
    if (cells[0] == "gt") {
      gts.push_back(Gt(std::stoll(cells[1]), std::stoll(cells[2]),
                       {number(3), number(4), number(5), number(6)}, cells[7] == "1"));
    } else if (cells[0] == "dt") {
      dets.push_back(Det(std::stoll(cells[1]), std::stoll(cells[2]),
                         {number(3), number(4), number(5), number(6)}, number(7)));
    } else {
      auto& target = cells[0] == "stats" ? stats : class_ap;
      for (size_t idx = 1; idx < cells.size(); ++idx) target.push_back(number(idx));
    }
  }
  ASSERT_EQ(stats.size(), 12u);
  ASSERT_EQ(class_ap.size(), 3u);
  CocoEvalOptions options;
  options.category_ids = {1, 2, 3};
  auto result = EvaluateCocoDetections(gts, dets, options);
  ASSERT_TRUE(result.ok());
  const std::vector<double> got = {result->ap,       result->ap50,      result->ap75,
                                   result->ap_small, result->ap_medium, result->ap_large,
                                   result->ar1,      result->ar10,      result->ar100,
                                   result->ar_small, result->ar_medium, result->ar_large};
  for (size_t idx = 0; idx < 12; ++idx) EXPECT_NEAR(got[idx], stats[idx], 1e-12) << "stats[" << idx << "]";
  for (size_t k = 0; k < 3; ++k) EXPECT_NEAR(result->per_class[k].ap, class_ap[k], 1e-12) << "class " << k;
}

}  // namespace
}  // namespace tessera::quality
