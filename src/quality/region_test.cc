// Region agreement. Expected values are worked by hand in the comments or
// were computed with Shapely 1.8.5 (GEOS 3.11) and SciPy 1.10
// linear_sum_assignment in throwaway scripts outside the repository.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

TEST(BoxIoUTest, HandComputed) {
  // [0,2]x[0,2] and [1,3]x[1,3]: intersection 1, union 4 + 4 - 1 = 7.
  EXPECT_DOUBLE_EQ(BoxIoU({0, 0, 2, 2}, {1, 1, 2, 2}), 1.0 / 7.0);
  EXPECT_DOUBLE_EQ(BoxIoU({0, 0, 2, 2}, {0, 0, 2, 2}), 1.0);
  EXPECT_DOUBLE_EQ(BoxIoU({0, 0, 1, 1}, {1, 0, 1, 1}), 0.0);  // touching edges
  EXPECT_DOUBLE_EQ(BoxIoU({0, 0, 0, 0}, {0, 0, 0, 0}), 0.0);  // empty union
}

TEST(SolveAssignmentTest, ScipyDocumentationExample) {
  // SciPy's linear_sum_assignment docstring: cost [[4,1,3],[2,0,5],[3,2,2]]
  // -> columns [1, 0, 2], total 5.
  auto assignment = SolveAssignment({{4, 1, 3}, {2, 0, 5}, {3, 2, 2}});
  ASSERT_TRUE(assignment.ok());
  EXPECT_EQ(*assignment, (std::vector<int>{1, 0, 2}));
}

TEST(SolveAssignmentTest, RectangularMatchesScipy) {
  const std::vector<std::vector<double>> cost = {{0.9, 2.4, 8.0, 5.8, 0.9, 4.3},
                                                 {4.8, 1.6, 7.3, 1.1, 3.9, 5.2},
                                                 {4.3, 5.9, 7.4, 9.6, 2.8, 6.5},
                                                 {7.0, 2.9, 0.0, 9.7, 3.0, 3.1}};
  auto wide = SolveAssignment(cost);
  ASSERT_TRUE(wide.ok());
  EXPECT_EQ(*wide, (std::vector<int>{0, 3, 4, 2}));  // SciPy: total 4.8
  std::vector<std::vector<double>> tall(6, std::vector<double>(4));
  for (size_t row = 0; row < 4; ++row) {
    for (size_t col = 0; col < 6; ++col) tall[col][row] = cost[row][col];
  }
  auto transposed = SolveAssignment(tall);
  ASSERT_TRUE(transposed.ok());
  double total = 0;
  int assigned = 0;
  for (size_t row = 0; row < 6; ++row) {
    if ((*transposed)[row] < 0) continue;
    total += tall[row][static_cast<size_t>((*transposed)[row])];
    ++assigned;
  }
  EXPECT_EQ(assigned, 4);
  EXPECT_NEAR(total, 4.8, 1e-12);
  EXPECT_EQ(SolveAssignment({{1, 2}, {1}}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(SolveAssignment({{NAN}}).status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(SolveAssignment({})->empty());
}

TEST(PolygonIoUTest, ConcaveLShapeHandComputed) {
  // L = [0,4]x[0,1] ∪ [0,1]x[0,4] (area 7); square [0.5,3]^2 (area 6.25).
  // Intersection: 2.5*0.5 + 0.5*2.5 - 0.5*0.5 = 2.25; union 7 + 6.25 - 2.25 = 11.
  const Polygon l_shape = {{0, 0}, {4, 0}, {4, 1}, {1, 1}, {1, 4}, {0, 4}};
  const Polygon square = {{0.5, 0.5}, {3, 0.5}, {3, 3}, {0.5, 3}};
  EXPECT_NEAR(PolygonArea(l_shape), 7.0, 1e-12);
  EXPECT_NEAR(PolygonIntersectionArea(l_shape, square), 2.25, 1e-12);
  EXPECT_NEAR(*PolygonIoU(l_shape, square), 2.25 / 11.0, 1e-12);
}

TEST(PolygonIoUTest, StarsAndOrientationMatchShapely) {
  const Polygon star = {{0, 3},  {1, 1},     {3, 1},   {1.5, -0.5},  {2, -3},
                        {0, -1.5}, {-2, -3}, {-1.5, -0.5}, {-3, 1}, {-1, 1}};
  Polygon shifted;
  for (const Point& p : star) shifted.push_back({p.x * 0.9 + 0.3, p.y * 0.9 - 0.2});
  EXPECT_NEAR(PolygonArea(star), 14.5, 1e-12);
  EXPECT_NEAR(PolygonIntersectionArea(star, shifted), 10.587291666666667, 1e-9);
  EXPECT_NEAR(*PolygonIoU(star, shifted), 0.6761712149234268, 1e-9);
  // A clockwise square against a concave pentagon in both orientations.
  const Polygon clockwise = {{0, 0}, {0, 4}, {4, 4}, {4, 0}};
  Polygon concave = {{2, 2}, {6, 2}, {6, 6}, {4, 3}, {2, 6}};
  EXPECT_NEAR(*PolygonIoU(clockwise, concave), 0.16417910447761191, 1e-12);
  std::reverse(concave.begin(), concave.end());
  EXPECT_NEAR(*PolygonIoU(clockwise, concave), 0.16417910447761191, 1e-12);
}

TEST(PolygonIoUTest, DegenerateInputs) {
  EXPECT_EQ(PolygonIoU({{0, 0}, {1, 1}}, {{0, 0}, {1, 0}, {0, 1}}).status().code(),
            Code::kInvalidArgument);
  // Zero-area (collinear) polygons: union 0 -> IoU 0.
  EXPECT_EQ(*PolygonIoU({{0, 0}, {1, 1}, {2, 2}}, {{0, 0}, {1, 1}, {2, 2}}), 0.0);
  // Identical and disjoint.
  const Polygon triangle = {{0, 0}, {4, 0}, {0, 3}};
  EXPECT_NEAR(*PolygonIoU(triangle, triangle), 1.0, 1e-12);
  EXPECT_EQ(*PolygonIoU(triangle, {{10, 10}, {11, 10}, {10, 11}}), 0.0);
}

TEST(KeypointOksTest, HandComputed) {
  // sigmas 0.05, 0.1 -> (2 sigma)^2 = 0.01, 0.04; area 100.
  // kp 1: d^2 = 3^2 + 4^2 = 25, e = 25 / 0.01 / 100 / 2 = 12.5
  // kp 2: d^2 = 0, e = 0; kp 3 unlabelled in the ground truth, skipped.
  // OKS = (exp(-12.5) + 1) / 2.
  std::vector<Keypoint> truth = {{10, 10, 2}, {20, 20, 1}, {0, 0, 0}};
  std::vector<Keypoint> guess = {{13, 14, 2}, {20, 20, 2}, {50, 50, 2}};
  auto oks = KeypointOKS(truth, guess, 100, {0.05, 0.1, 0.1});
  ASSERT_TRUE(oks.ok());
  EXPECT_NEAR(*oks, (std::exp(-12.5) + 1) / 2, 1e-12);
  EXPECT_EQ(KeypointOKS({{0, 0, 0}}, {{0, 0, 2}}, 1, {0.1}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(KeypointOKS(truth, guess, 100, {0.1}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(kCocoPersonSigmas[0], 0.026);
}

TEST(MatchBoxesTest, OptimalBeatsGreedy) {
  // Greedy by IoU would pair ref0 with cand0 (IoU 0.8) and leave ref1 unmatched;
  // the optimal matching pairs ref0-cand1 and ref1-cand0.
  const std::vector<std::vector<double>> similarity = {{0.8, 0.6}, {0.7, 0.0}};
  MatchResult result = MatchBySimilarity(similarity, 0.5);
  ASSERT_EQ(result.matches.size(), 2u);
  EXPECT_EQ(result.matches[0].candidate, 1u);
  EXPECT_EQ(result.matches[1].candidate, 0u);
  EXPECT_NEAR(result.mean_similarity, 0.65, 1e-12);
  EXPECT_EQ(result.f1, 1.0);
}

TEST(MatchBoxesTest, ThresholdLabelsAndScores) {
  std::vector<LabeledBox> reference = {{{0, 0, 10, 10}, "cat"},
                                       {{20, 0, 10, 10}, "dog"},
                                       {{40, 0, 10, 10}, "cat"}};
  std::vector<LabeledBox> candidate = {{{1, 0, 10, 10}, "cat"},   // IoU 90/110 with ref 0
                                       {{20, 0, 10, 10}, "cat"},  // right place, wrong label
                                       {{45, 0, 10, 10}, "cat"}}; // IoU 50/150 < 0.5
  MatchResult result = MatchBoxes(reference, candidate);
  ASSERT_EQ(result.matches.size(), 1u);
  EXPECT_NEAR(result.matches[0].similarity, 90.0 / 110.0, 1e-12);
  EXPECT_EQ(result.unmatched_reference, (std::vector<size_t>{1, 2}));
  EXPECT_NEAR(result.precision, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(result.recall, 1.0 / 3.0, 1e-12);
  MatchOptions lenient;
  lenient.require_same_label = false;
  lenient.iou_threshold = 0.3;
  EXPECT_EQ(MatchBoxes(reference, candidate, lenient).matches.size(), 3u);
  // Empty sides.
  EXPECT_EQ(MatchBoxes({}, {}).f1, 1.0);
  MatchResult none = MatchBoxes({}, candidate);
  EXPECT_EQ(none.unmatched_candidate.size(), 3u);
  EXPECT_EQ(none.precision, 0.0);
}

TEST(MatchPolygonsTest, MatchesByPolygonIoU) {
  const Polygon l_shape = {{0, 0}, {4, 0}, {4, 1}, {1, 1}, {1, 4}, {0, 4}};
  MatchResult result = MatchPolygons({{l_shape, "a"}}, {{l_shape, "a"}, {{{9, 9}, {9, 8}, {8, 9}}, "a"}});
  ASSERT_EQ(result.matches.size(), 1u);
  EXPECT_NEAR(result.matches[0].similarity, 1.0, 1e-12);
  EXPECT_NEAR(result.precision, 0.5, 1e-12);
}

}  // namespace
}  // namespace tessera::quality
