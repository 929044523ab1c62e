// The sparse rating table gives the same statistics as the dense one: random
// tables with missing ratings, every metric that takes both, checked against
// each other and, for the pairwise matrix, against Cohen's kappa on each
// pair's own two-column table.
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "src/quality/quality_test_util.h"
#include "tessera/quality.h"

namespace tessera::quality {
namespace {

// items x annotators, each cell rated with probability `density`, values
// from 1..categories.
RatingTable RandomTable(uint64_t seed, size_t items, size_t annotators, int categories,
                        double density) {
  std::mt19937_64 rng(seed);
  RatingTable table(items, std::vector<Rating>(annotators));
  for (auto& row : table) {
    for (auto& cell : row) {
      if (static_cast<double>(rng() % 1000) / 1000.0 < density) {
        cell = static_cast<double>(1 + static_cast<int>(rng() % static_cast<uint64_t>(categories)));
      }
    }
  }
  return table;
}

void ExpectSame(double dense, double sparse) {
  if (std::isnan(dense)) {
    EXPECT_TRUE(std::isnan(sparse));
  } else {
    EXPECT_NEAR(dense, sparse, 1e-12);
  }
}

TEST(SparseRatingTableTest, RoundTripsThroughDense) {
  RatingTable table = RandomTable(1, 50, 7, 4, 0.3);
  SparseRatingTable sparse = ToSparse(table);
  EXPECT_EQ(sparse.items(), 50u);
  EXPECT_EQ(sparse.annotators, 7u);
  size_t given = 0;
  for (const auto& row : table)
    for (const auto& r : row) given += r.has_value();
  EXPECT_EQ(sparse.ratings(), given);
  EXPECT_EQ(ToDense(sparse), table);
}

TEST(SparseRatingTableTest, EveryMetricMatchesTheDenseTable) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RatingTable dense = RandomTable(seed, 200, 2 + seed % 9, 2 + static_cast<int>(seed % 5), 0.45);
    SparseRatingTable sparse = ToSparse(dense);
    ExpectSame(*PercentAgreement(dense), *PercentAgreement(sparse));
    for (Weighting w : {Weighting::kNone, Weighting::kLinear, Weighting::kQuadratic}) {
      CategoryOptions options;
      options.weighting = w;
      ExpectSame(FleissKappa(dense, options)->value, FleissKappa(sparse, options)->value);
      ExpectSame(GwetAC(dense, options)->value, GwetAC(sparse, options)->value);
      ExpectSame(BrennanPrediger(dense, options)->value, BrennanPrediger(sparse, options)->value);
    }
    for (Level level : {Level::kNominal, Level::kOrdinal, Level::kInterval, Level::kRatio}) {
      auto a = KrippendorffAlpha(dense, level);
      auto b = KrippendorffAlpha(sparse, level);
      ASSERT_TRUE(a.ok() && b.ok());
      ExpectSame(a->value, b->value);
      EXPECT_EQ(a->pairable_values, b->pairable_values);
    }
    auto la = PerLabelAgreement(dense);
    auto lb = PerLabelAgreement(sparse);
    ASSERT_TRUE(la.ok() && lb.ok());
    ASSERT_EQ(la->size(), lb->size());
    for (size_t k = 0; k < la->size(); ++k) {
      EXPECT_EQ((*la)[k].category, (*lb)[k].category);
      EXPECT_EQ((*la)[k].ratings, (*lb)[k].ratings);
      ExpectSame((*la)[k].specific_agreement, (*lb)[k].specific_agreement);
      ExpectSame((*la)[k].kappa, (*lb)[k].kappa);
    }
  }
}

// Each entry of the pairwise matrix against the two-annotator coefficient
// computed on that pair's own table.
TEST(SparseRatingTableTest, PairwiseMatrixEqualsEachPairsOwnTable) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RatingTable dense = RandomTable(seed, 120, 6, 4, 0.35);
    CategoryOptions options;
    options.categories = {1, 2, 3, 4};
    options.weighting = seed % 2 ? Weighting::kQuadratic : Weighting::kNone;
    auto kappa = PairwiseAgreement(ToSparse(dense), PairMetric::kCohenKappa, options);
    auto percent = PairwiseAgreement(ToSparse(dense), PairMetric::kPercentAgreement, options);
    ASSERT_TRUE(kappa.ok() && percent.ok());
    for (size_t a = 0; a < 6; ++a) {
      for (size_t b = 0; b < 6; ++b) {
        RatingTable pair;
        size_t rated_by_a = 0;
        for (const auto& row : dense) {
          rated_by_a += row[a].has_value();
          if (row[a] && row[b]) pair.push_back({row[a], row[b]});
        }
        if (a == b) {
          EXPECT_EQ(kappa->value[a][a], 1.0);
          EXPECT_EQ(kappa->common_items[a][a], rated_by_a);
          continue;
        }
        EXPECT_EQ(kappa->common_items[a][b], pair.size());
        if (pair.empty()) {
          EXPECT_TRUE(std::isnan(kappa->value[a][b]));
          continue;
        }
        ExpectSame(CohenKappa(pair, options)->value, kappa->value[a][b]);
        ExpectSame(*PercentAgreement(pair), percent->value[a][b]);
      }
    }
  }
}

TEST(SparseRatingTableTest, PublishedKrippendorffExample) {
  SparseRatingTable table = ToSparse(testing::LoadRatings("krippendorff_2011.csv"));
  EXPECT_NEAR(KrippendorffAlpha(table, Level::kNominal)->value, 0.74342, 5e-6);
  EXPECT_NEAR(KrippendorffAlpha(table, Level::kInterval)->value, 0.84911, 5e-6);
  EXPECT_EQ(KrippendorffAlpha(table, Level::kNominal)->pairable_values, 40u);
}

TEST(SparseRatingTableTest, RejectsMalformedTables) {
  SparseRatingTable empty;
  EXPECT_EQ(PercentAgreement(empty).status().code(), Code::kInvalidArgument);
  SparseRatingTable out_of_range;
  out_of_range.annotators = 2;
  out_of_range.Add(0, 1);
  out_of_range.Add(2, 1);  // column 2 of 2
  out_of_range.EndItem();
  EXPECT_EQ(FleissKappa(out_of_range).status().code(), Code::kInvalidArgument);
  SparseRatingTable repeated;
  repeated.annotators = 2;
  repeated.Add(1, 1);
  repeated.Add(1, 2);  // annotator 1 twice on one item
  repeated.EndItem();
  EXPECT_EQ(KrippendorffAlpha(repeated, Level::kNominal).status().code(), Code::kInvalidArgument);
  SparseRatingTable infinite;
  infinite.annotators = 2;
  infinite.Add(0, 1);
  infinite.Add(1, std::nan(""));
  infinite.EndItem();
  EXPECT_EQ(PairwiseAgreement(infinite, PairMetric::kCohenKappa).status().code(),
            Code::kInvalidArgument);
  CategoryOptions options;
  options.categories = {1, 2};
  SparseRatingTable unknown;
  unknown.annotators = 2;
  unknown.Add(0, 1);
  unknown.Add(1, 3);  // not a given category
  unknown.EndItem();
  EXPECT_EQ(PerLabelAgreement(unknown, options).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace tessera::quality
