// Agreement coefficients checked against published numbers:
//  * irrCAC (Gwet's R package) README and weighting vignette outputs for
//    cont3x3abstractors, cac.raw4raters (= Krippendorff 2011's data) and
//    distrib.6raters;
//  * Wikipedia's Fleiss' kappa and Cohen's kappa worked examples;
//  * scikit-learn 1.2.1 cohen_kappa_score (linear weights) where noted.
#include <cmath>

#include <gtest/gtest.h>

#include "src/quality/quality_test_util.h"
#include "tessera/quality.h"

namespace tessera::quality {
namespace {

using testing::LoadCounts;
using testing::LoadRatings;
using testing::TableFromContingency;
using testing::TableFromCounts;

constexpr double kPublished = 5e-7;  // irrCAC prints 7 significant digits

CategoryOptions Quadratic() { return {.categories = {}, .weighting = Weighting::kQuadratic}; }

TEST(CohenKappaTest, IrrCacContingencyTable) {
  RatingTable table = TableFromContingency(LoadCounts("cont3x3_abstractors.csv"));
  auto kappa = CohenKappa(table);
  ASSERT_TRUE(kappa.ok()) << kappa.status().ToString();
  EXPECT_NEAR(kappa->value, 0.7964094, kPublished);
  EXPECT_NEAR(kappa->observed, 0.89, 1e-12);
  EXPECT_EQ(kappa->items, 100u);
  EXPECT_NEAR(CohenKappa(table, Quadratic())->value, 0.8921569, kPublished);
  // scikit-learn cohen_kappa_score(weights="linear") = 0.8429020279920023.
  EXPECT_NEAR(CohenKappa(table, {.categories = {}, .weighting = Weighting::kLinear})->value,
              0.8429020279920023, 1e-12);
}

TEST(CohenKappaTest, WikipediaExamples) {
  // 50 proposals: yes/yes 20, A yes B no 5, A no B yes 10, no/no 15.
  // p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2/0.5 = 0.4.
  auto kappa = CohenKappa(TableFromContingency({{20, 5}, {10, 15}}));
  ASSERT_TRUE(kappa.ok());
  EXPECT_NEAR(kappa->value, 0.4, 1e-12);
  EXPECT_NEAR(kappa->expected, 0.5, 1e-12);
  // Same 60% agreement, different kappa: 0.1304 and 0.2593.
  EXPECT_NEAR(CohenKappa(TableFromContingency({{45, 15}, {25, 15}}))->value, 0.06 / 0.46, 1e-12);
  EXPECT_NEAR(CohenKappa(TableFromContingency({{25, 35}, {5, 35}}))->value, 0.14 / 0.54, 1e-12);
}

TEST(CohenKappaTest, NegativeKappaIsNotClamped) {
  // Gwet (2008)'s high-agreement paradox: 118 +/+, 5 +/-, 2 -/+, 0 -/-.
  // p_a = 118/125 = 0.944; p_e = (123*120 + 2*5)/125^2 = 0.94528;
  // kappa = (0.944 - 0.94528)/(1 - 0.94528) = -0.023391812865497 (sklearn agrees).
  RatingTable table = TableFromContingency({{118, 5}, {2, 0}});
  EXPECT_NEAR(CohenKappa(table)->value, -0.023391812865497075, 1e-12);
  // AC1 on the same data: pi_+ = (123 + 120)/250 = 0.972;
  // p_e = 2 * 0.972 * 0.028 = 0.054432; AC1 = (0.944 - 0.054432)/0.945568 = 0.940776...
  EXPECT_NEAR(GwetAC(table)->value, (0.944 - 0.054432) / (1 - 0.054432), 1e-12);
}

TEST(CohenKappaTest, DegenerateInputs) {
  EXPECT_EQ(CohenKappa({}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(CohenKappa({{1.0, 2.0, 3.0}}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(CohenKappa({{1.0, std::nullopt}, {std::nullopt, 2.0}}).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(CohenKappa({{1.0, 2.0}, {1.0}}).status().code(), Code::kInvalidArgument);
  // One category used by both: p_e = 1, kappa is 0/0 -> NaN, parts still set.
  auto same = CohenKappa({{1.0, 1.0}, {1.0, 1.0}});
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(std::isnan(same->value));
  EXPECT_EQ(same->observed, 1.0);
  // A rating outside the declared categories is an input error.
  EXPECT_EQ(CohenKappa({{1.0, 7.0}}, {.categories = {1, 2}, .weighting = Weighting::kNone})
                .status()
                .code(),
            Code::kInvalidArgument);
}

TEST(ScottPiTest, IrrCacContingencyTable) {
  RatingTable table = TableFromContingency(LoadCounts("cont3x3_abstractors.csv"));
  EXPECT_NEAR(ScottPi(table)->value, 0.7962397, kPublished);
  EXPECT_NEAR(ScottPi(table, Quadratic())->value, 0.8921093, kPublished);
}

TEST(GwetAcTest, IrrCacContingencyTable) {
  RatingTable table = TableFromContingency(LoadCounts("cont3x3_abstractors.csv"));
  EXPECT_NEAR(GwetAC(table)->value, 0.8493305, kPublished);
  EXPECT_NEAR(GwetAC(table, Quadratic())->value, 0.9402369, kPublished);
}

TEST(BrennanPredigerTest, IrrCacContingencyTable) {
  RatingTable table = TableFromContingency(LoadCounts("cont3x3_abstractors.csv"));
  EXPECT_NEAR(BrennanPrediger(table)->value, 0.835, 1e-12);
  EXPECT_NEAR(BrennanPrediger(table, Quadratic())->value, 0.9175, 1e-12);
  EXPECT_NEAR(*PercentAgreement(table), 0.89, 1e-12);
}

TEST(MultiRaterTest, IrrCacRawRatingsWithMissingValues) {
  RatingTable table = LoadRatings("krippendorff_2011.csv");
  EXPECT_NEAR(*PercentAgreement(table), 0.8181818, kPublished);
  auto fleiss = FleissKappa(table);
  ASSERT_TRUE(fleiss.ok());
  EXPECT_NEAR(fleiss->value, 0.76117, 5e-6);
  EXPECT_NEAR(fleiss->expected, 0.2387153, kPublished);
  EXPECT_EQ(fleiss->items, 11u);  // unit 12 has a single rating
  auto ac1 = GwetAC(table);
  EXPECT_NEAR(ac1->value, 0.77544, 5e-6);
  EXPECT_NEAR(ac1->expected, 0.1903212, kPublished);
  EXPECT_NEAR(BrennanPrediger(table)->value, 0.77273, 5e-6);
  EXPECT_NEAR(BrennanPrediger(table)->expected, 0.2, 1e-12);
  // Quadratic weights (irrCAC weighting vignette).
  auto ac2 = GwetAC(table, Quadratic());
  EXPECT_NEAR(ac2->observed, 0.9753788, kPublished);
  EXPECT_NEAR(ac2->expected, 0.7137044, kPublished);
  EXPECT_NEAR(ac2->value, 0.914, 5e-4);
  EXPECT_NEAR(FleissKappa(table, Quadratic())->expected, 0.8177083, kPublished);
  EXPECT_NEAR(FleissKappa(table, Quadratic())->value, 0.86494, 5e-6);
  EXPECT_NEAR(BrennanPrediger(table, Quadratic())->value, 0.90152, 5e-6);
}

TEST(MultiRaterTest, IrrCacDistributionOfSixRaters) {
  RatingTable table = TableFromCounts(LoadCounts("distrib_6raters_counts.csv"));
  auto fleiss = FleissKappa(table);
  EXPECT_NEAR(fleiss->value, 0.4139265, kPublished);
  EXPECT_NEAR(fleiss->observed, 0.5511111, kPublished);
  EXPECT_NEAR(fleiss->expected, 0.2340741, kPublished);
  EXPECT_NEAR(GwetAC(table)->value, 0.4448007, kPublished);
  EXPECT_NEAR(BrennanPrediger(table)->value, 0.4388889, kPublished);
  EXPECT_NEAR(GwetAC(table, Quadratic())->value, 0.4837438, kPublished);
  EXPECT_NEAR(FleissKappa(table, Quadratic())->value, 0.2511909, kPublished);
  EXPECT_NEAR(BrennanPrediger(table, Quadratic())->value, 0.4177778, kPublished);
}

TEST(FleissKappaTest, WikipediaExample) {
  // Wikipedia: P-bar = 0.378, P-bar_e = 0.2128, kappa = 0.210
  // (statsmodels fleiss_kappa: 0.20993070442195522).
  RatingTable table = TableFromCounts(LoadCounts("fleiss_wikipedia_counts.csv"));
  auto kappa = FleissKappa(table);
  ASSERT_TRUE(kappa.ok());
  EXPECT_NEAR(kappa->value, 0.20993070442195522, 1e-12);
  EXPECT_NEAR(kappa->observed, 0.378, 5e-4);
  EXPECT_NEAR(kappa->expected, 0.2128, 5e-5);
  // statsmodels fleiss_kappa(method="randolph") = Brennan–Prediger.
  EXPECT_NEAR(BrennanPrediger(table)->value, 0.2225274725274725, 1e-12);
}

TEST(MultiRaterTest, DegenerateInputs) {
  // No item with two ratings.
  EXPECT_EQ(FleissKappa({{1.0, std::nullopt}, {std::nullopt, 2.0}}).status().code(),
            Code::kInvalidArgument);
  // Everyone used one category: Fleiss NaN, AC1 needs q >= 2 unless declared.
  RatingTable one = {{1.0, 1.0, 1.0}, {1.0, 1.0, std::nullopt}};
  EXPECT_TRUE(std::isnan(FleissKappa(one)->value));
  EXPECT_EQ(GwetAC(one).status().code(), Code::kInvalidArgument);
  auto declared = GwetAC(one, {.categories = {1, 2}, .weighting = Weighting::kNone});
  ASSERT_TRUE(declared.ok());
  // pi_1 = 1, so p_e = 0 and AC1 = p_a = 1.
  EXPECT_DOUBLE_EQ(declared->value, 1.0);
  // Systematic disagreement gives a negative kappa: 2 raters, 2 items,
  // always different. p_a = 0, pi = (1/2, 1/2), p_e = 0.5 -> kappa = -1.
  EXPECT_DOUBLE_EQ(FleissKappa({{1.0, 2.0}, {2.0, 1.0}})->value, -1.0);
}

}  // namespace
}  // namespace tessera::quality
