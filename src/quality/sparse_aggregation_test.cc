// Majority vote, Dawid-Skene, the annotator ranking and the bootstrap on a
// sparse table against the dense table, on random tables with unrated items,
// items with one rating, annotators who rated nothing and many ties. Dense
// and sparse share their per-item code, so Dawid-Skene is also checked
// against a plain log-space EM written here from the definition, and the
// leave-one-out agreement against a direct count with maps.
#include <cmath>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

// items x annotators; item i has each annotator with probability `density`,
// except that every 7th item is unrated, every 5th has exactly one rating
// and the last column is never rated. Values 1..categories.
RatingTable RandomTable(uint64_t seed, size_t items, size_t annotators, int categories,
                        double density) {
  std::mt19937_64 rng(seed);
  RatingTable table(items, std::vector<Rating>(annotators));
  auto value = [&] {
    return static_cast<double>(1 + static_cast<int>(rng() % static_cast<uint64_t>(categories)));
  };
  for (size_t item = 0; item < items; ++item) {
    auto& row = table[item];
    if (item % 7 == 3) continue;
    if (item % 5 == 1) {
      row[rng() % (annotators - 1)] = value();
      continue;
    }
    for (size_t ann = 0; ann + 1 < annotators; ++ann) {
      if (static_cast<double>(rng() % 1000) / 1000.0 < density) row[ann] = value();
    }
  }
  return table;
}

// The shapes tried: (annotators, categories, density). Dense ones make
// Dawid-Skene group annotators; two categories and two or four raters give
// many ties.
struct Shape {
  size_t annotators;
  int categories;
  double density;
};
const Shape kShapes[] = {{3, 2, 0.9}, {5, 2, 0.6}, {6, 3, 0.95}, {9, 4, 0.3},
                         {12, 5, 0.7}, {4, 2, 0.5}, {20, 3, 0.15}, {8, 9, 0.8}};

void ExpectSame(double dense, double sparse, double tolerance = 1e-12) {
  if (std::isnan(dense)) {
    EXPECT_TRUE(std::isnan(sparse));
  } else {
    EXPECT_NEAR(dense, sparse, tolerance);
  }
}

TEST(SparseAggregationTest, MajorityVoteMatchesTheDenseTable) {
  uint64_t seed = 0;
  size_t ties = 0;
  for (const Shape& shape : kShapes) {
    ++seed;
    SCOPED_TRACE("seed " + std::to_string(seed));
    const RatingTable dense = RandomTable(seed, 300, shape.annotators, shape.categories, shape.density);
    const SparseRatingTable sparse = ToSparse(dense);
    for (TiePolicy policy : {TiePolicy::kMissing, TiePolicy::kLowestValue, TiePolicy::kFirstAnnotator}) {
      auto a = MajorityVote(dense, policy);
      auto b = MajorityVote(sparse, policy);
      ASSERT_TRUE(a.ok() && b.ok());
      ASSERT_EQ(a->size(), b->size());
      for (size_t item = 0; item < a->size(); ++item) {
        EXPECT_EQ((*a)[item].label, (*b)[item].label) << "item " << item;
        EXPECT_EQ((*a)[item].votes, (*b)[item].votes);
        EXPECT_EQ((*a)[item].ratings, (*b)[item].ratings);
        if (policy == TiePolicy::kMissing && !(*b)[item].label && (*b)[item].ratings > 0) ++ties;
      }
    }
  }
  EXPECT_GT(ties, 50u);  // the tie policies were exercised
}

// Dawid-Skene from the definition, all in log space (see DawidSkene in
// quality.h): vote-share start, M-step with smoothing, E-step, stop on the
// log-likelihood.
DawidSkeneResult ReferenceDawidSkene(const RatingTable& table, const DawidSkeneOptions& options) {
  std::vector<double> categories = options.categories;
  if (categories.empty()) {
    std::map<double, int> seen;
    for (const auto& row : table)
      for (const Rating& r : row)
        if (r) seen[*r];
    for (const auto& [value, unused] : seen) categories.push_back(value);
  }
  const size_t K = categories.size(), J = table.front().size(), I = table.size();
  auto code = [&](double value) {
    return static_cast<size_t>(std::lower_bound(categories.begin(), categories.end(), value) -
                               categories.begin());
  };
  DawidSkeneResult out;
  out.categories = categories;
  out.posteriors.assign(I, std::vector<double>(K, 0.0));
  size_t rated = 0;
  for (size_t i = 0; i < I; ++i) {
    double n = 0;
    for (const Rating& r : table[i])
      if (r) out.posteriors[i][code(*r)] += 1, n += 1;
    rated += n > 0;
    for (double& p : out.posteriors[i]) p = n > 0 ? p / n : 1.0 / K;
  }
  auto floor_log = [](double x) { return std::log(std::max(x, 1e-300)); };
  double previous = -INFINITY;
  for (out.iterations = 1; out.iterations <= options.max_iterations; ++out.iterations) {
    out.priors.assign(K, 0.0);
    out.confusion.assign(J, std::vector<std::vector<double>>(K, std::vector<double>(K, options.smoothing)));
    for (size_t i = 0; i < I; ++i) {
      bool any = false;
      for (size_t j = 0; j < J; ++j) {
        if (!table[i][j]) continue;
        any = true;
        for (size_t k = 0; k < K; ++k) out.confusion[j][k][code(*table[i][j])] += out.posteriors[i][k];
      }
      if (any)
        for (size_t k = 0; k < K; ++k) out.priors[k] += out.posteriors[i][k];
    }
    for (double& p : out.priors) p /= static_cast<double>(rated);
    for (auto& matrix : out.confusion) {
      for (auto& row : matrix) {
        double total = 0;
        for (double c : row) total += c;
        for (double& c : row) c = total > 0 ? c / total : 1.0 / K;
      }
    }
    out.log_likelihood = 0;
    for (size_t i = 0; i < I; ++i) {
      std::vector<double> joint(K);
      bool any = false;
      for (size_t k = 0; k < K; ++k) {
        joint[k] = floor_log(out.priors[k]);
        for (size_t j = 0; j < J; ++j) {
          if (table[i][j]) joint[k] += floor_log(out.confusion[j][k][code(*table[i][j])]), any = true;
        }
      }
      if (!any) {
        out.posteriors[i] = out.priors;
        continue;
      }
      const double peak = *std::max_element(joint.begin(), joint.end());
      double total = 0;
      for (double x : joint) total += std::exp(x - peak);
      for (size_t k = 0; k < K; ++k) out.posteriors[i][k] = std::exp(joint[k] - peak) / total;
      out.log_likelihood += peak + std::log(total);
    }
    if (std::abs(out.log_likelihood - previous) < options.tolerance) {
      out.converged = true;
      break;
    }
    previous = out.log_likelihood;
  }
  out.iterations = std::min(out.iterations, options.max_iterations);
  return out;
}

TEST(SparseAggregationTest, DawidSkeneMatchesTheDenseTableAndTheDefinition) {
  uint64_t seed = 100;
  for (const Shape& shape : kShapes) {
    ++seed;
    SCOPED_TRACE("seed " + std::to_string(seed));
    const RatingTable dense = RandomTable(seed, 300, shape.annotators, shape.categories, shape.density);
    const SparseRatingTable sparse = ToSparse(dense);
    DawidSkeneOptions options;
    options.max_iterations = 30;
    if (seed % 2) {
      options.tolerance = 0;  // all 30 iterations
    }
    if (seed % 3 == 0) {
      // A category nobody used, and gold on some items.
      for (int c = 1; c <= shape.categories + 1; ++c) options.categories.push_back(c);
      options.gold.assign(dense.size(), std::nullopt);
      for (size_t item = 0; item < dense.size(); item += 11) options.gold[item] = 1.0;
    }
    auto a = DawidSkene(dense, options);
    auto b = DawidSkene(sparse, options);
    ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
    EXPECT_EQ(a->categories, b->categories);
    EXPECT_EQ(a->iterations, b->iterations);
    EXPECT_EQ(a->converged, b->converged);
    EXPECT_EQ(a->labels, b->labels);
    ExpectSame(a->log_likelihood, b->log_likelihood, 1e-12 * std::abs(a->log_likelihood));
    for (size_t k = 0; k < a->priors.size(); ++k) ExpectSame(a->priors[k], b->priors[k]);
    for (size_t item = 0; item < dense.size(); ++item) {
      for (size_t k = 0; k < a->categories.size(); ++k) {
        ExpectSame(a->posteriors[item][k], b->posteriors[item][k]);
      }
    }
    for (size_t ann = 0; ann < shape.annotators; ++ann) {
      for (size_t t = 0; t < a->categories.size(); ++t) {
        for (size_t g = 0; g < a->categories.size(); ++g) {
          ExpectSame(a->confusion[ann][t][g], b->confusion[ann][t][g]);
        }
      }
    }
    if (!options.gold.empty()) continue;  // the reference has no gold
    // Against the definition; rounding differs (products vs logs).
    options.tolerance = 0;
    auto fitted = DawidSkene(sparse, options);
    const DawidSkeneResult reference = ReferenceDawidSkene(dense, options);
    ASSERT_TRUE(fitted.ok());
    EXPECT_NEAR(fitted->log_likelihood, reference.log_likelihood, 1e-9 * std::abs(reference.log_likelihood));
    for (size_t item = 0; item < dense.size(); ++item) {
      for (size_t k = 0; k < reference.categories.size(); ++k) {
        EXPECT_NEAR(fitted->posteriors[item][k], reference.posteriors[item][k], 1e-9) << "item " << item;
      }
    }
    for (size_t ann = 0; ann < shape.annotators; ++ann) {
      for (size_t t = 0; t < reference.categories.size(); ++t) {
        for (size_t g = 0; g < reference.categories.size(); ++g) {
          EXPECT_NEAR(fitted->confusion[ann][t][g], reference.confusion[ann][t][g], 1e-9);
        }
      }
    }
  }
}

TEST(SparseAggregationTest, DawidSkeneRejectsWhatTheDenseTableRejects) {
  SparseRatingTable empty;
  EXPECT_EQ(DawidSkene(empty).status().code(), Code::kInvalidArgument);
  SparseRatingTable unrated;
  unrated.annotators = 2;
  unrated.EndItem();
  EXPECT_EQ(DawidSkene(unrated).status().code(), Code::kInvalidArgument);  // no ratings
  SparseRatingTable one = ToSparse(RatingTable{{1.0, 2.0}});
  DawidSkeneOptions wrong_gold;
  wrong_gold.gold = {1.0, 2.0};  // two entries for one item
  EXPECT_EQ(DawidSkene(one, wrong_gold).status().code(), Code::kInvalidArgument);
  DawidSkeneOptions unknown;
  unknown.categories = {1.0};
  EXPECT_EQ(DawidSkene(one, unknown).status().code(), Code::kInvalidArgument);
}

TEST(SparseAggregationTest, RankAnnotatorsMatchesTheDenseTableAndADirectCount) {
  uint64_t seed = 200;
  for (const Shape& shape : kShapes) {
    ++seed;
    SCOPED_TRACE("seed " + std::to_string(seed));
    const RatingTable dense = RandomTable(seed, 300, shape.annotators, shape.categories, shape.density);
    auto a = RankAnnotators(dense);
    auto b = RankAnnotators(ToSparse(dense));
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->size(), shape.annotators);
    ASSERT_EQ(b->size(), shape.annotators);
    // Leave-one-out agreement counted directly: the others' votes in a map.
    std::vector<double> credit(shape.annotators, 0.0);
    std::vector<size_t> compared(shape.annotators, 0), ratings(shape.annotators, 0);
    for (const auto& row : dense) {
      for (size_t ann = 0; ann < shape.annotators; ++ann) {
        if (!row[ann]) continue;
        ++ratings[ann];
        std::map<double, size_t> others;
        for (size_t other = 0; other < shape.annotators; ++other) {
          if (other != ann && row[other]) ++others[*row[other]];
        }
        if (others.empty()) continue;
        ++compared[ann];
        size_t top = 0, tied = 0;
        for (const auto& [value, count] : others) top = std::max(top, count);
        for (const auto& [value, count] : others) tied += count == top;
        if (others.count(*row[ann]) && others[*row[ann]] == top) credit[ann] += 1.0 / tied;
      }
    }
    for (size_t r = 0; r < shape.annotators; ++r) {
      const AnnotatorQuality& x = (*a)[r];
      const AnnotatorQuality& y = (*b)[r];
      EXPECT_EQ(x.annotator, y.annotator);
      EXPECT_EQ(x.ratings, y.ratings);
      EXPECT_EQ(x.compared_items, y.compared_items);
      ExpectSame(x.loo_agreement, y.loo_agreement);
      ExpectSame(x.ds_accuracy, y.ds_accuracy);
      const size_t ann = y.annotator;
      EXPECT_EQ(y.ratings, ratings[ann]);
      EXPECT_EQ(y.compared_items, compared[ann]);
      ExpectSame(compared[ann] ? credit[ann] / compared[ann] : NAN, y.loo_agreement);
    }
    // The column nobody rated ranks last.
    EXPECT_EQ(b->back().annotator, shape.annotators - 1);
    EXPECT_EQ(b->back().ratings, 0u);
  }
}

TEST(SparseAggregationTest, BootstrapDrawsTheSameItems) {
  uint64_t seed = 300;
  for (const Shape& shape : kShapes) {
    ++seed;
    SCOPED_TRACE("seed " + std::to_string(seed));
    const RatingTable dense = RandomTable(seed, 150, shape.annotators, shape.categories, shape.density);
    const SparseRatingTable sparse = ToSparse(dense);
    BootstrapOptions options;
    options.replicates = 200;
    options.seed = seed;
    // A statistic that depends on which items were drawn and in what order:
    // sum over positions p of (p + 1) * (the item's ratings weighted by column).
    auto dense_fingerprint = [](const RatingTable& t) -> Result<double> {
      double sum = 0;
      for (size_t p = 0; p < t.size(); ++p) {
        for (size_t j = 0; j < t[p].size(); ++j) {
          if (t[p][j]) sum += static_cast<double>(p + 1) * (j + 1) * *t[p][j];
        }
      }
      return sum;
    };
    auto sparse_fingerprint = [](const SparseRatingTable& t) -> Result<double> {
      double sum = 0;
      for (size_t p = 0; p < t.items(); ++p) {
        for (size_t e = t.item_start[p]; e < t.item_start[p + 1]; ++e) {
          sum += static_cast<double>(p + 1) * (t.annotator[e] + 1) * t.value[e];
        }
      }
      return sum;
    };
    auto a = BootstrapCI(dense, dense_fingerprint, options);
    auto b = BootstrapCI(sparse, sparse_fingerprint, options);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->estimate, b->estimate);
    EXPECT_EQ(a->lower, b->lower);
    EXPECT_EQ(a->upper, b->upper);
    EXPECT_EQ(a->valid_replicates, 200);
    EXPECT_LT(a->lower, a->upper);
    // Fleiss' kappa through both: the same intervals, and the same dropped
    // replicates (samples where kappa is undefined).
    auto c = BootstrapCI(
        dense, [](const RatingTable& t) -> Result<double> {
          auto k = FleissKappa(t);
          if (!k.ok()) return k.status();
          return k->value;
        },
        options);
    auto d = BootstrapCI(
        sparse, [](const SparseRatingTable& t) -> Result<double> {
          auto k = FleissKappa(t);
          if (!k.ok()) return k.status();
          return k->value;
        },
        options);
    ASSERT_TRUE(c.ok() && d.ok());
    ExpectSame(c->estimate, d->estimate);
    ExpectSame(c->lower, d->lower);
    ExpectSame(c->upper, d->upper);
    EXPECT_EQ(c->valid_replicates, d->valid_replicates);
  }
  SparseRatingTable empty;
  EXPECT_EQ(BootstrapCI(empty, [](const SparseRatingTable&) -> Result<double> { return 1.0; })
                .status()
                .code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace tessera::quality
