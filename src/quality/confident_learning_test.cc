// Confident learning on a small example worked by hand with the definitions
// of Northcutt et al. (2021), sections 3.1-3.3.
#include <gtest/gtest.h>

#include <cmath>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

// Six examples, two classes; example 2 is labelled 0 but looks like 1.
const std::vector<size_t> kLabels = {0, 0, 0, 1, 1, 1};
const std::vector<std::vector<double>> kProbs = {{0.9, 0.1}, {0.8, 0.2}, {0.2, 0.8},
                                                 {0.3, 0.7}, {0.1, 0.9}, {0.4, 0.6}};

TEST(ConfidentLearningTest, ThresholdsJointAndIssuesByHand) {
  // t_0 = (.9 + .8 + .2)/3 = 0.6333, t_1 = (.7 + .9 + .6)/3 = 0.7333.
  // Example 0, 1: p_0 >= t_0 -> C[0][0] = 2. Example 2: p_1 = .8 >= t_1 ->
  // C[0][1] = 1. Example 3 (.7 < t_1) and 5 (.6) reach no threshold;
  // example 4 -> C[1][1] = 1. Calibrated rows (to 3 labels each):
  // [2, 1] and [0, 3]; joint Q = [[1/3, 1/6], [0, 1/2]].
  // Prune by noise rate: round(6 * 1/6) = 1 example labelled 0 with the
  // largest p_1 - p_0: example 2.
  auto result = FindLabelIssues(kLabels, kProbs);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_NEAR(result->thresholds[0], 1.9 / 3, 1e-12);
  EXPECT_NEAR(result->thresholds[1], 2.2 / 3, 1e-12);
  EXPECT_EQ(result->confident_joint, (std::vector<std::vector<size_t>>{{2, 1}, {0, 1}}));
  EXPECT_NEAR(result->joint[0][0], 1.0 / 3, 1e-12);
  EXPECT_NEAR(result->joint[0][1], 1.0 / 6, 1e-12);
  EXPECT_NEAR(result->joint[1][0], 0.0, 1e-12);
  EXPECT_NEAR(result->joint[1][1], 0.5, 1e-12);
  ASSERT_EQ(result->issues.size(), 1u);
  EXPECT_EQ(result->issues[0].index, 2u);
  EXPECT_EQ(result->issues[0].given_label, 0u);
  EXPECT_EQ(result->issues[0].suggested_label, 1u);
  EXPECT_NEAR(result->issues[0].self_confidence, 0.2, 1e-12);
  for (PruneMethod method : {PruneMethod::kConfidentJoint, PruneMethod::kPruneByClass, PruneMethod::kBoth}) {
    auto other = FindLabelIssues(kLabels, kProbs, method);
    ASSERT_EQ(other->issues.size(), 1u);
    EXPECT_EQ(other->issues[0].index, 2u);
  }
}

TEST(ConfidentLearningTest, MethodsDifferAndIssuesAreRanked) {
  // Three classes. Labels 0,0,0,0,1,1,1,2,2,2.
  // t_0 = (.8+.7+.1+.3)/4 = .475, t_1 = (.8+.7+.2)/3 = .5667, t_2 = (.8+.7+.6)/3 = .7.
  // Example 2 (.1,.8,.1): only p_1 >= t_1 -> C[0][1].
  // Example 3 (.3,.1,.6): no class reaches its threshold (p_2 = .6 < .7).
  // Example 6 (.1,.2,.7): p_2 = .7 reaches t_2 (computed as 0.7000000000000001,
  // hence the 1e-6 slack) -> C[1][2]. Label 2: example 7 (.8) and 8 (.7)
  // reach t_2, example 9 (.6) reaches nothing.
  // C = [[2,1,0],[0,2,1],[0,0,2]]; calibrated rows: [8/3, 4/3, 0],
  // [0, 2, 1], [0, 0, 3]; n Q = the same (they sum to 10).
  // By noise rate: round(4/3) = 1 from label 0 toward 1 (largest p_1 - p_0:
  // example 2), round(1) = 1 from label 1 toward 2 (largest p_2 - p_1:
  // example 6). By class: round(4/3) = 1 lowest p_0 among label 0 (example 2),
  // round(1) = 1 lowest p_1 among label 1 (example 6).
  const std::vector<size_t> labels = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
  const std::vector<std::vector<double>> probs = {
      {.8, .1, .1}, {.7, .2, .1}, {.1, .8, .1}, {.3, .1, .6}, {.1, .8, .1},
      {.2, .7, .1}, {.1, .2, .7}, {.1, .1, .8}, {.2, .1, .7}, {.2, .2, .6}};
  auto result = FindLabelIssues(labels, probs, PruneMethod::kPruneByNoiseRate);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->confident_joint,
            (std::vector<std::vector<size_t>>{{2, 1, 0}, {0, 2, 1}, {0, 0, 2}}));
  ASSERT_EQ(result->issues.size(), 2u);
  EXPECT_EQ(result->issues[0].index, 2u);  // self-confidence .1 ranks first
  EXPECT_EQ(result->issues[1].index, 6u);  // self-confidence .2
  EXPECT_EQ(result->issues[1].suggested_label, 2u);
  EXPECT_NEAR(result->joint[0][1], 0.4 / 3, 1e-12);  // (4/3) / 10
  EXPECT_NEAR(result->joint[2][2], 0.3, 1e-12);
  auto by_class = FindLabelIssues(labels, probs, PruneMethod::kPruneByClass);
  ASSERT_EQ(by_class->issues.size(), 2u);
  EXPECT_EQ(by_class->issues[0].index, 2u);
  EXPECT_EQ(by_class->issues[1].index, 6u);
}

TEST(ConfidentLearningTest, InvalidInputs) {
  EXPECT_EQ(FindLabelIssues({}, {}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(FindLabelIssues({0, 1}, {{1.0, 0.0}}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(FindLabelIssues({2}, {{0.5, 0.5}}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(FindLabelIssues({0}, {{1.5, -0.5}}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(FindLabelIssues({0}, {{1.0}}).status().code(), Code::kInvalidArgument);
  // A class nobody was given: threshold +inf, nothing crashes.
  auto unused = FindLabelIssues({0, 0}, {{0.9, 0.1, 0.0}, {0.2, 0.8, 0.0}});
  ASSERT_TRUE(unused.ok());
  EXPECT_TRUE(std::isinf(unused->thresholds[2]));
}

}  // namespace
}  // namespace tessera::quality
