// Label-quality scores and annotator ranking, on examples worked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

// Definitions: cleanlab/rank.py, get_self_confidence_for_each_label and
// get_normalized_margin_for_each_label (https://docs.cleanlab.ai/stable/cleanlab/rank.html).
TEST(LabelQualityScoresTest, SelfConfidenceAndNormalizedMarginByHand) {
  const std::vector<size_t> labels = {0, 1, 2};
  const std::vector<std::vector<double>> probs = {{0.7, 0.2, 0.1}, {0.5, 0.3, 0.2}, {0.1, 0.1, 0.8}};
  auto self = LabelQualityScores(labels, probs, LabelQualityMethod::kSelfConfidence);
  ASSERT_TRUE(self.ok()) << self.status().ToString();
  // p_given: 0.7, 0.3, 0.8.
  EXPECT_NEAR((*self)[0], 0.7, 1e-12);
  EXPECT_NEAR((*self)[1], 0.3, 1e-12);
  EXPECT_NEAR((*self)[2], 0.8, 1e-12);
  auto margin = LabelQualityScores(labels, probs, LabelQualityMethod::kNormalizedMargin);
  ASSERT_TRUE(margin.ok());
  // (p_given - max other + 1) / 2: (0.7 - 0.2 + 1)/2 = 0.75,
  // (0.3 - 0.5 + 1)/2 = 0.4, (0.8 - 0.1 + 1)/2 = 0.85.
  EXPECT_NEAR((*margin)[0], 0.75, 1e-12);
  EXPECT_NEAR((*margin)[1], 0.4, 1e-12);
  EXPECT_NEAR((*margin)[2], 0.85, 1e-12);
}

TEST(LabelQualityScoresTest, InvalidInputs) {
  const auto kSelf = LabelQualityMethod::kSelfConfidence;
  EXPECT_EQ(LabelQualityScores({}, {}, kSelf).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(LabelQualityScores({0, 1}, {{1.0, 0.0}}, kSelf).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(LabelQualityScores({2}, {{0.5, 0.5}}, kSelf).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(LabelQualityScores({0}, {{1.0}}, kSelf).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(LabelQualityScores({0, 0}, {{0.5, 0.5}, {1.0}}, kSelf).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(LabelQualityScores({0}, {{NAN, 0.5}}, kSelf).status().code(), Code::kInvalidArgument);
}

TEST(LabelQualityScoresTest, IssuesCarryTheirNormalizedMargin) {
  // The example of confident_learning_test.cc: example 2 is labelled 0 with
  // p = (0.2, 0.8), so its normalized margin is (0.2 - 0.8 + 1) / 2 = 0.2.
  auto result = FindLabelIssues({0, 0, 0, 1, 1, 1}, {{0.9, 0.1}, {0.8, 0.2}, {0.2, 0.8},
                                                     {0.3, 0.7}, {0.1, 0.9}, {0.4, 0.6}});
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->issues.size(), 1u);
  EXPECT_NEAR(result->issues[0].normalized_margin, 0.2, 1e-12);
}

TEST(RankAnnotatorsTest, HandComputedCase) {
  // Annotators A, B always agree; C is right half the time.
  //   item 1: 0 0 0   item 2: 1 1 1   item 3: 0 0 1   item 4: 1 1 0
  // Leave-one-out majority, by hand:
  //  A: items 1, 2 agree with (B, C); items 3, 4 the others tie (0 vs 1) and
  //     A's label is one of the two -> 1/2 each: (1 + 1 + .5 + .5) / 4 = 0.75.
  //  B: the same, 0.75.
  //  C: items 1, 2 agree with A = B; items 3, 4 disagree: 2 / 4 = 0.5.
  // Dawid–Skene without smoothing: A and B agreeing everywhere is a fixed
  // point with one-hot posteriors following them, so their confusion
  // matrices are the identity (accuracy 1); C's rows are (1/2, 1/2) for both
  // classes with priors (1/2, 1/2): accuracy 1/2 * 1/2 + 1/2 * 1/2 = 0.5.
  const RatingTable table = {{0.0, 0.0, 0.0}, {1.0, 1.0, 1.0}, {0.0, 0.0, 1.0}, {1.0, 1.0, 0.0}};
  DawidSkeneOptions options;
  options.smoothing = 0;
  options.max_iterations = 1000;
  auto ranking = RankAnnotators(table, options);
  ASSERT_TRUE(ranking.ok()) << ranking.status().ToString();
  ASSERT_EQ(ranking->size(), 3u);
  EXPECT_EQ((*ranking)[0].annotator, 0u);
  EXPECT_EQ((*ranking)[1].annotator, 1u);
  EXPECT_EQ((*ranking)[2].annotator, 2u);
  EXPECT_NEAR((*ranking)[0].loo_agreement, 0.75, 1e-12);
  EXPECT_NEAR((*ranking)[1].loo_agreement, 0.75, 1e-12);
  EXPECT_NEAR((*ranking)[2].loo_agreement, 0.5, 1e-12);
  EXPECT_NEAR((*ranking)[0].ds_accuracy, 1.0, 1e-4);
  EXPECT_NEAR((*ranking)[2].ds_accuracy, 0.5, 1e-4);
  for (const AnnotatorQuality& quality : *ranking) {
    EXPECT_EQ(quality.ratings, 4u);
    EXPECT_EQ(quality.compared_items, 4u);
  }
}

TEST(RankAnnotatorsTest, MissingRatingsAndSilentAnnotator) {
  // Column 2 never rates: NaN scores, ranked last. Item 2 has one rating, so
  // it enters nobody's leave-one-out agreement.
  const RatingTable table = {{1.0, 1.0, std::nullopt}, {2.0, std::nullopt, std::nullopt},
                             {1.0, 2.0, std::nullopt}};
  auto ranking = RankAnnotators(table);
  ASSERT_TRUE(ranking.ok());
  const AnnotatorQuality& last = ranking->back();
  EXPECT_EQ(last.annotator, 2u);
  EXPECT_EQ(last.ratings, 0u);
  EXPECT_TRUE(std::isnan(last.loo_agreement));
  EXPECT_TRUE(std::isnan(last.ds_accuracy));
  for (const AnnotatorQuality& quality : *ranking) {
    if (quality.annotator == 0) {
      EXPECT_EQ(quality.ratings, 3u);
      EXPECT_EQ(quality.compared_items, 2u);
      EXPECT_NEAR(quality.loo_agreement, 0.5, 1e-12);  // item 1 agrees, item 3 not
    }
  }
  EXPECT_EQ(RankAnnotators(RatingTable{}).status().code(), Code::kInvalidArgument);
}

TEST(RankAnnotatorsTest, RandomAnnotatorRanksLast) {
  // 400 items, 3 classes. Annotators 0-3 give the true class with
  // probability 0.8 (else one of the two others); annotator 4 answers
  // uniformly at random, so its expected accuracy is 1/3 and it must rank
  // last on both scores. Indices come from mt19937_64 by modulo so the table
  // is the same on every platform.
  std::mt19937_64 rng(7);
  RatingTable table;
  for (int item = 0; item < 400; ++item) {
    const int truth = static_cast<int>(rng() % 3);
    std::vector<Rating> row;
    for (int ann = 0; ann < 4; ++ann) {
      const bool right = rng() % 10 < 8;
      const int wrong = (truth + 1 + static_cast<int>(rng() % 2)) % 3;
      row.push_back(static_cast<double>(right ? truth : wrong));
    }
    row.push_back(static_cast<double>(rng() % 3));
    table.push_back(row);
  }
  auto ranking = RankAnnotators(table);
  ASSERT_TRUE(ranking.ok());
  ASSERT_EQ(ranking->size(), 5u);
  EXPECT_EQ(ranking->back().annotator, 4u);
  for (size_t pos = 0; pos + 1 < ranking->size(); ++pos) {
    EXPECT_GT((*ranking)[pos].ds_accuracy, 0.7);
    EXPECT_GT((*ranking)[pos].loo_agreement, ranking->back().loo_agreement + 0.2);
  }
  EXPECT_NEAR(ranking->back().ds_accuracy, 1.0 / 3, 0.08);
}

}  // namespace
}  // namespace tessera::quality
