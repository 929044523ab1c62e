// Running totals give the table versions' statistics: random items added
// and taken back in random order, and after every round percent agreement,
// Fleiss' kappa, per-label agreement and Krippendorff's alpha at every level
// compared with the same statistic on a table of the items held then.
#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

void ExpectSame(double table, double totals, const char* what) {
  if (std::isnan(table)) {
    EXPECT_TRUE(std::isnan(totals)) << what << ": table NaN, totals " << totals;
  } else {
    EXPECT_NEAR(table, totals, 1e-12 * std::max(1.0, std::abs(table))) << what;
  }
}

SparseRatingTable TableOf(const std::map<int, std::vector<double>>& items, size_t annotators) {
  SparseRatingTable table;
  table.annotators = annotators;
  for (const auto& [id, ratings] : items) {
    for (size_t j = 0; j < ratings.size(); ++j) table.Add(static_cast<uint32_t>(j), ratings[j]);
    table.EndItem();
  }
  return table;
}

// Both sides agree on success, and on the value when they succeed.
void ExpectAllEqual(const SparseRatingTable& table, const RatingTotals& totals) {
  auto percent_table = PercentAgreement(table);
  auto percent_totals = PercentAgreement(totals);
  ASSERT_EQ(percent_table.ok(), percent_totals.ok()) << percent_table.status().ToString();
  if (!percent_table.ok()) {
    EXPECT_EQ(percent_table.status().code(), percent_totals.status().code());
    return;
  }
  ExpectSame(*percent_table, *percent_totals, "percent agreement");
  auto fleiss_table = FleissKappa(table);
  auto fleiss_totals = FleissKappa(totals);
  ASSERT_TRUE(fleiss_table.ok() && fleiss_totals.ok());
  ExpectSame(fleiss_table->value, fleiss_totals->value, "Fleiss' kappa");
  ExpectSame(fleiss_table->expected, fleiss_totals->expected, "Fleiss' p_e");
  EXPECT_EQ(fleiss_table->items, fleiss_totals->items);
  for (Level level : {Level::kNominal, Level::kOrdinal, Level::kInterval, Level::kRatio}) {
    auto alpha_table = KrippendorffAlpha(table, level);
    auto alpha_totals = KrippendorffAlpha(totals, level);
    ASSERT_EQ(alpha_table.ok(), alpha_totals.ok());
    if (!alpha_table.ok()) continue;
    ExpectSame(alpha_table->value, alpha_totals->value, "alpha");
    ExpectSame(alpha_table->observed_disagreement, alpha_totals->observed_disagreement, "D_o");
    EXPECT_EQ(alpha_table->pairable_values, alpha_totals->pairable_values);
  }
  auto labels_table = PerLabelAgreement(table);
  auto labels_totals = PerLabelAgreement(totals);
  ASSERT_TRUE(labels_table.ok() && labels_totals.ok());
  ASSERT_EQ(labels_table->size(), labels_totals->size());
  for (size_t k = 0; k < labels_table->size(); ++k) {
    EXPECT_EQ((*labels_table)[k].category, (*labels_totals)[k].category);
    EXPECT_EQ((*labels_table)[k].ratings, (*labels_totals)[k].ratings);
    ExpectSame((*labels_table)[k].specific_agreement, (*labels_totals)[k].specific_agreement, "specific");
    ExpectSame((*labels_table)[k].kappa, (*labels_totals)[k].kappa, "label kappa");
  }
}

TEST(RatingTotalsTest, EqualTheTableVersionsAfterEveryChange) {
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
    std::mt19937_64 rng(seed);
    const size_t annotators = 1 + seed * 2;           // 3, 5, 7, 9 ratings at most per item
    const int categories = 2 + static_cast<int>(seed);  // values 0..categories-1, and -0.0
    std::map<int, std::vector<double>> items;
    RatingTotals totals;
    int next_id = 0;
    for (int round = 0; round < 200; ++round) {
      const uint64_t action = rng() % 10;
      if (action < 6 || items.empty()) {
        std::vector<double> ratings(1 + rng() % annotators);
        for (double& r : ratings) {
          const int v = static_cast<int>(rng() % static_cast<uint64_t>(categories));
          r = v == 0 && rng() % 2 ? -0.0 : v;
        }
        totals.Apply(ratings, +1);
        items[next_id++] = ratings;
      } else {
        auto it = items.begin();
        std::advance(it, static_cast<long>(rng() % items.size()));
        totals.Apply(it->second, -1);
        items.erase(it);
      }
      ASSERT_EQ(totals.items(), items.size());
      SCOPED_TRACE("seed " + std::to_string(seed) + " round " + std::to_string(round));
      ExpectAllEqual(TableOf(items, annotators), totals);
    }
  }
}

TEST(RatingTotalsTest, TakingEverythingBackLeavesNothing) {
  RatingTotals totals;
  totals.Apply({1, 1, 2}, +1);
  totals.Apply({2, 3}, +1);
  totals.Apply({4}, +1);
  EXPECT_EQ(totals.items(), 3u);
  EXPECT_EQ(totals.items(2), 2u);
  totals.Apply({2, 3}, -1);
  totals.Apply({1, 1, 2}, -1);
  totals.Apply({4}, -1);
  EXPECT_EQ(totals.items(), 0u);
  EXPECT_TRUE(totals.groups().empty());
  EXPECT_EQ(PercentAgreement(totals).status().code(), Code::kInvalidArgument);
  totals.Apply({4}, +1);
  // One rating per item: nothing to agree on, as with the table.
  EXPECT_EQ(KrippendorffAlpha(totals, Level::kNominal).status().code(), Code::kInvalidArgument);
  totals.Apply({std::nan("")}, +1);
  totals.Apply({1, 1}, +1);
  EXPECT_EQ(FleissKappa(totals).status().code(), Code::kInvalidArgument);
}

TEST(RatingTotalsTest, PublishedExampleThroughTotals) {
  // Krippendorff (2011) section E, as in krippendorff_test.cc: the twelve
  // units' values, missing ones left out.
  const std::vector<std::vector<double>> units = {
      {1, 1, 1}, {2, 2, 3, 2}, {3, 3, 3, 3}, {3, 3, 3, 3}, {2, 2, 2, 2}, {1, 2, 3, 4},
      {4, 4, 4, 4}, {1, 1, 2, 1}, {2, 2, 2, 2}, {5, 5, 5}, {1, 1}, {3}};
  RatingTotals totals;
  for (const auto& unit : units) totals.Apply(unit, +1);
  auto nominal = KrippendorffAlpha(totals, Level::kNominal);
  ASSERT_TRUE(nominal.ok()) << nominal.status().ToString();
  EXPECT_EQ(nominal->pairable_values, 40u);
  EXPECT_NEAR(nominal->value, 0.74342, 5e-6);
  EXPECT_NEAR(KrippendorffAlpha(totals, Level::kOrdinal)->value, 0.815, 5e-4);
  EXPECT_NEAR(KrippendorffAlpha(totals, Level::kInterval)->value, 0.84911, 5e-6);
  EXPECT_NEAR(KrippendorffAlpha(totals, Level::kRatio)->value, 0.797, 5e-4);
}

}  // namespace
}  // namespace tessera::quality
