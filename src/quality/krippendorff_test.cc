// Krippendorff's alpha on the worked example of Krippendorff (2011),
// "Computing Krippendorff's Alpha-Reliability", section E (4 observers,
// 12 units, missing values): nominal .743, ordinal .815, interval .849,
// ratio .797, with n.. = 40 pairable values. irrCAC (krippen.alpha.raw) prints
// nominal 0.74342 and, with quadratic weights (= interval for values 1..5),
// 0.84911.
#include <cmath>

#include <gtest/gtest.h>

#include "src/quality/quality_test_util.h"
#include "tessera/quality.h"

namespace tessera::quality {
namespace {

TEST(KrippendorffAlphaTest, PublishedExampleAllLevels) {
  RatingTable table = testing::LoadRatings("krippendorff_2011.csv");
  auto nominal = KrippendorffAlpha(table, Level::kNominal);
  ASSERT_TRUE(nominal.ok()) << nominal.status().ToString();
  EXPECT_EQ(nominal->pairable_values, 40u);
  EXPECT_NEAR(nominal->value, 0.74342, 5e-6);
  EXPECT_NEAR(nominal->value, 0.743, 5e-4);
  EXPECT_NEAR(KrippendorffAlpha(table, Level::kOrdinal)->value, 0.815, 5e-4);
  EXPECT_NEAR(KrippendorffAlpha(table, Level::kInterval)->value, 0.849, 5e-4);
  EXPECT_NEAR(KrippendorffAlpha(table, Level::kInterval)->value, 0.84911, 5e-6);
  EXPECT_NEAR(KrippendorffAlpha(table, Level::kRatio)->value, 0.797, 5e-4);
}

TEST(KrippendorffAlphaTest, NominalMatchesHandComputedCoincidences) {
  // Two coders, 4 units: (a,a), (a,b), (b,b), (b,b) with a=1, b=2.
  // Coincidences: o_aa = 2, o_ab = o_ba = 1, o_bb = 4; n_a = 3, n_b = 5, n = 8.
  // D_o = (1 + 1)/8 = 0.25; D_e = (3*5 + 5*3)/(8*7) = 30/56;
  // alpha = 1 - 0.25 * 56/30 = 1 - 14/30 = 0.5333...
  auto alpha = KrippendorffAlpha({{1.0, 1.0}, {1.0, 2.0}, {2.0, 2.0}, {2.0, 2.0}}, Level::kNominal);
  ASSERT_TRUE(alpha.ok());
  EXPECT_NEAR(alpha->observed_disagreement, 0.25, 1e-12);
  EXPECT_NEAR(alpha->expected_disagreement, 30.0 / 56.0, 1e-12);
  EXPECT_NEAR(alpha->value, 16.0 / 30.0, 1e-12);
}

TEST(KrippendorffAlphaTest, DegenerateInputsAndNegativeValues) {
  // Systematic disagreement is below chance: not clamped. Two coders, two
  // units (1,2), (2,1): o_12 = o_21 = 2, n = 4, D_o = 1, D_e = 8/12;
  // alpha = 1 - 1.5 = -0.5.
  EXPECT_NEAR(KrippendorffAlpha({{1.0, 2.0}, {2.0, 1.0}}, Level::kNominal)->value, -0.5, 1e-12);
  // One value everywhere: D_e = 0 -> NaN.
  EXPECT_TRUE(std::isnan(KrippendorffAlpha({{3.0, 3.0}, {3.0, 3.0}}, Level::kInterval)->value));
  // No unit with two values.
  EXPECT_EQ(KrippendorffAlpha({{1.0, std::nullopt}}, Level::kNominal).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(KrippendorffAlpha(RatingTable{}, Level::kNominal).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(KrippendorffAlpha({{-1.0, 2.0}}, Level::kRatio).status().code(),
            Code::kInvalidArgument);
}

TEST(PerLabelAgreementTest, SpecificAgreementForTwoRaters) {
  // cont3x3abstractors: specific agreement 2 n_kk / (n_k. + n_.k):
  // Ectopic 26/26 = 1, AIU 40/(27+24) = 40/51, NIU 112/(63+60) = 112/123.
  RatingTable table = testing::TableFromContingency(testing::LoadCounts("cont3x3_abstractors.csv"));
  auto labels = PerLabelAgreement(table);
  ASSERT_TRUE(labels.ok());
  ASSERT_EQ(labels->size(), 3u);
  EXPECT_NEAR((*labels)[0].specific_agreement, 1.0, 1e-12);
  EXPECT_NEAR((*labels)[1].specific_agreement, 40.0 / 51.0, 1e-12);
  EXPECT_NEAR((*labels)[2].specific_agreement, 112.0 / 123.0, 1e-12);
  EXPECT_EQ((*labels)[1].ratings, 51u);
}

TEST(PerLabelAgreementTest, FleissIdentityOverallIsWeightedMeanOfCategoryKappas) {
  // Fleiss (1971): with a constant number of raters,
  // kappa = sum_j p_j q_j kappa_j / sum_j p_j q_j.
  RatingTable table = testing::TableFromCounts(testing::LoadCounts("fleiss_wikipedia_counts.csv"));
  auto labels = PerLabelAgreement(table);
  ASSERT_TRUE(labels.ok());
  double numerator = 0, denominator = 0;
  for (const auto& label : *labels) {
    const double p = static_cast<double>(label.ratings) / 140.0;
    numerator += p * (1 - p) * label.kappa;
    denominator += p * (1 - p);
  }
  EXPECT_NEAR(numerator / denominator, 0.20993070442195522, 1e-12);
  // Category 1 (hand): counts 0,0,0,0,2,7,3,2,6,0 of 14; p_1 = 20/140;
  // sum r(14 - r) = 2*12 + 7*7 + 3*11 + 2*12 + 6*8 = 178;
  // kappa_1 = 1 - 178 / (10*14*13 * (1/7)(6/7)) = 1 - 178/222.857... = 0.201282...
  EXPECT_NEAR((*labels)[0].kappa, 1.0 - 178.0 / (10.0 * 14 * 13 * (1.0 / 7) * (6.0 / 7)), 1e-12);
}

TEST(PairwiseAgreementTest, KrippendorffDataPairs) {
  RatingTable table = testing::LoadRatings("krippendorff_2011.csv");
  auto kappa = PairwiseAgreement(table, PairMetric::kCohenKappa);
  ASSERT_TRUE(kappa.ok());
  // A vs B on units 1-9: differ only on unit 6. A: 1:3 2:3 3:2 4:1,
  // B: 1:2 2:4 3:2 4:1. p_o = 72/81, p_e = (6+12+4+1)/81 = 23/81,
  // kappa = 49/58.
  EXPECT_EQ(kappa->common_items[0][1], 9u);
  EXPECT_NEAR(kappa->value[0][1], 49.0 / 58.0, 1e-12);
  EXPECT_EQ(kappa->value[1][0], kappa->value[0][1]);
  EXPECT_EQ(kappa->value[2][2], 1.0);
  auto percent = PairwiseAgreement(table, PairMetric::kPercentAgreement);
  // A vs C on units 2-9: A 2,3,3,2,1,4,1,2 and C 3,3,3,2,3,4,2,2 agree 5/8.
  EXPECT_NEAR(percent->value[0][2], 5.0 / 8.0, 1e-12);
  EXPECT_NEAR(percent->value[0][1], 8.0 / 9.0, 1e-12);
  // Annotators with nothing in common: NaN.
  auto disjoint = PairwiseAgreement({{1.0, std::nullopt}, {std::nullopt, 1.0}},
                                    PairMetric::kPercentAgreement);
  ASSERT_TRUE(disjoint.ok());
  EXPECT_TRUE(std::isnan(disjoint->value[0][1]));
}

TEST(BootstrapTest, DeterministicAndNearTheNormalApproximation) {
  // 400 items, two raters agreeing on exactly half: percent agreement 0.5,
  // standard error sqrt(0.25 / 400) = 0.025, so a 95% interval is about
  // 0.5 -/+ 1.96 * 0.025 = [0.451, 0.549].
  RatingTable table;
  for (int item = 0; item < 400; ++item) table.push_back({1.0, item % 2 == 0 ? 1.0 : 2.0});
  TableStatistic percent = [](const RatingTable& sample) { return PercentAgreement(sample); };
  BootstrapOptions options;
  options.replicates = 2000;
  auto first = BootstrapCI(table, percent, options);
  auto second = BootstrapCI(table, percent, options);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->lower, second->lower);
  EXPECT_EQ(first->upper, second->upper);
  EXPECT_EQ(first->valid_replicates, 2000);
  EXPECT_DOUBLE_EQ(first->estimate, 0.5);
  EXPECT_NEAR(first->lower, 0.451, 0.01);
  EXPECT_NEAR(first->upper, 0.549, 0.01);
  options.seed = 7;
  auto other_seed = BootstrapCI(table, percent, options);
  EXPECT_NE(other_seed->lower + other_seed->upper, first->lower + first->upper);
}

TEST(BootstrapTest, DegenerateStatistics) {
  RatingTable perfect = {{1.0, 1.0}, {2.0, 2.0}, {3.0, 3.0}};
  auto interval = BootstrapCI(perfect, [](const RatingTable& t) { return PercentAgreement(t); });
  ASSERT_TRUE(interval.ok());
  EXPECT_EQ(interval->lower, 1.0);
  EXPECT_EQ(interval->upper, 1.0);
  // Kappa on a one-category table is NaN on every resample.
  RatingTable one = {{1.0, 1.0}, {1.0, 1.0}};
  auto never = BootstrapCI(one, [](const RatingTable& t) -> Result<double> {
    TESSERA_ASSIGN_OR_RETURN(Coefficient kappa, CohenKappa(t));
    return kappa.value;
  });
  EXPECT_FALSE(never.ok());
  BootstrapOptions bad;
  bad.replicates = 0;
  EXPECT_EQ(BootstrapCI(perfect, [](const RatingTable&) -> Result<double> { return 1.0; }, bad)
                .status()
                .code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace tessera::quality
