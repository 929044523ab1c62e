// Chance-corrected agreement coefficients for categorical ratings: percent
// agreement, Cohen's kappa, Scott's pi, Fleiss' kappa, Gwet's AC1/AC2 and
// Brennan–Prediger. Formulas and sources are in tessera/quality.h.
#include <string>

#include "src/quality/rating_counts.h"
#include "tessera/quality.h"

namespace tessera::quality {
namespace {

using internal::ChanceCorrected;

// Joint proportions p_kl of two annotators on the items both rated.
struct PairTable {
  std::vector<std::vector<double>> joint;  // [first's category][second's category]
  std::vector<std::vector<double>> weights;
  size_t items = 0;
};

Result<PairTable> BuildPairTable(const RatingTable& table, const CategoryOptions& options) {
  TESSERA_RETURN_IF_ERROR(internal::CheckTable(table));
  if (table.front().size() != 2) {
    return Status::InvalidArgument("this coefficient needs exactly 2 annotators; the table has " +
                                   std::to_string(table.front().size()));
  }
  TESSERA_ASSIGN_OR_RETURN(std::vector<double> categories,
                           internal::ResolveCategories(table, options.categories));
  const size_t q = categories.size();
  PairTable out;
  out.joint.assign(q, std::vector<double>(q, 0.0));
  for (const auto& row : table) {
    if (!row[0] || !row[1]) continue;
    out.joint[internal::CategoryIndex(categories, *row[0])]
             [internal::CategoryIndex(categories, *row[1])] += 1;
    ++out.items;
  }
  if (out.items == 0) {
    return Status::InvalidArgument("no item was rated by both annotators");
  }
  for (auto& row : out.joint) {
    for (double& cell : row) cell /= static_cast<double>(out.items);
  }
  out.weights = internal::WeightMatrix(options.weighting, q);
  return out;
}

// Observed agreement sum_kl w_kl p_kl and the two marginals.
void PairParts(const PairTable& pair, double* observed, std::vector<double>* first,
               std::vector<double>* second) {
  const size_t q = pair.joint.size();
  first->assign(q, 0.0);
  second->assign(q, 0.0);
  *observed = 0;
  for (size_t row = 0; row < q; ++row) {
    for (size_t col = 0; col < q; ++col) {
      *observed += pair.weights[row][col] * pair.joint[row][col];
      (*first)[row] += pair.joint[row][col];
      (*second)[col] += pair.joint[row][col];
    }
  }
}

// The shared multi-rater parts (Gwet 2014): weighted p_a over items with
// r_i >= 2 and the classification probabilities pi_k over rated items.
struct MultiRaterParts {
  double observed = 0;
  std::vector<double> pi;
  std::vector<std::vector<double>> weights;
  size_t items = 0;
};

template <typename Table>
Result<MultiRaterParts> ComputeMultiRater(const Table& table, const CategoryOptions& options) {
  TESSERA_ASSIGN_OR_RETURN(internal::CountTable counts, internal::CountRatings(table, options));
  const size_t q = counts.categories.size();
  MultiRaterParts out;
  out.weights = internal::WeightMatrix(options.weighting, q);
  out.pi.assign(q, 0.0);
  size_t rated_items = 0;
  for (size_t item = 0; item < counts.items(); ++item) {
    const double raters = counts.totals[item];
    if (raters < 1) continue;
    ++rated_items;
    const double* row = counts.row(item);
    for (size_t cat = 0; cat < q; ++cat) out.pi[cat] += row[cat] / raters;
    if (raters < 2) continue;
    ++out.items;
    double agreeing = 0;
    for (size_t cat = 0; cat < q; ++cat) {
      double weighted = 0;  // r*_ik
      for (size_t other = 0; other < q; ++other) {
        weighted += out.weights[cat][other] * row[other];
      }
      agreeing += row[cat] * (weighted - 1.0);
    }
    out.observed += agreeing / (raters * (raters - 1.0));
  }
  if (out.items == 0) {
    return Status::InvalidArgument("no item has ratings from two or more annotators");
  }
  out.observed /= static_cast<double>(out.items);
  for (double& share : out.pi) share /= static_cast<double>(rated_items);
  return out;
}

double WeightSum(const std::vector<std::vector<double>>& weights) {
  double total = 0;
  for (const auto& row : weights) {
    for (double weight : row) total += weight;
  }
  return total;
}

template <typename Table>
Result<double> Percent(const Table& table) {
  TESSERA_ASSIGN_OR_RETURN(MultiRaterParts parts, ComputeMultiRater(table, CategoryOptions{}));
  return parts.observed;
}

}  // namespace

Result<Coefficient> CohenKappa(const RatingTable& table, const CategoryOptions& options) {
  TESSERA_ASSIGN_OR_RETURN(PairTable pair, BuildPairTable(table, options));
  Coefficient out;
  std::vector<double> first, second;
  PairParts(pair, &out.observed, &first, &second);
  const size_t q = first.size();
  for (size_t row = 0; row < q; ++row) {
    for (size_t col = 0; col < q; ++col) out.expected += pair.weights[row][col] * first[row] * second[col];
  }
  out.items = pair.items;
  out.value = ChanceCorrected(out.observed, out.expected);
  return out;
}

Result<Coefficient> ScottPi(const RatingTable& table, const CategoryOptions& options) {
  TESSERA_ASSIGN_OR_RETURN(PairTable pair, BuildPairTable(table, options));
  Coefficient out;
  std::vector<double> first, second;
  PairParts(pair, &out.observed, &first, &second);
  const size_t q = first.size();
  for (size_t row = 0; row < q; ++row) {
    for (size_t col = 0; col < q; ++col) {
      out.expected += pair.weights[row][col] * (first[row] + second[row]) / 2.0 *
                      (first[col] + second[col]) / 2.0;
    }
  }
  out.items = pair.items;
  out.value = ChanceCorrected(out.observed, out.expected);
  return out;
}

namespace {

template <typename Table>
Result<Coefficient> Fleiss(const Table& table, const CategoryOptions& options) {
  TESSERA_ASSIGN_OR_RETURN(MultiRaterParts parts, ComputeMultiRater(table, options));
  Coefficient out;
  out.observed = parts.observed;
  out.items = parts.items;
  const size_t q = parts.pi.size();
  for (size_t row = 0; row < q; ++row) {
    for (size_t col = 0; col < q; ++col) out.expected += parts.weights[row][col] * parts.pi[row] * parts.pi[col];
  }
  out.value = ChanceCorrected(out.observed, out.expected);
  return out;
}

template <typename Table>
Result<Coefficient> Gwet(const Table& table, const CategoryOptions& options) {
  TESSERA_ASSIGN_OR_RETURN(MultiRaterParts parts, ComputeMultiRater(table, options));
  const size_t q = parts.pi.size();
  if (q < 2) {
    return Status::InvalidArgument(
        "Gwet's AC needs at least 2 categories; pass CategoryOptions::categories when only one "
        "was used");
  }
  Coefficient out;
  out.observed = parts.observed;
  out.items = parts.items;
  double spread = 0;
  for (double share : parts.pi) spread += share * (1.0 - share);
  out.expected = WeightSum(parts.weights) / (static_cast<double>(q) * (q - 1.0)) * spread;
  out.value = ChanceCorrected(out.observed, out.expected);
  return out;
}

template <typename Table>
Result<Coefficient> Brennan(const Table& table, const CategoryOptions& options) {
  TESSERA_ASSIGN_OR_RETURN(MultiRaterParts parts, ComputeMultiRater(table, options));
  const double q = static_cast<double>(parts.pi.size());
  Coefficient out;
  out.observed = parts.observed;
  out.items = parts.items;
  out.expected = WeightSum(parts.weights) / (q * q);
  out.value = ChanceCorrected(out.observed, out.expected);
  return out;
}

}  // namespace

Result<double> PercentAgreement(const RatingTable& table) { return Percent(table); }
Result<double> PercentAgreement(const SparseRatingTable& table) { return Percent(table); }
Result<Coefficient> FleissKappa(const RatingTable& table, const CategoryOptions& options) {
  return Fleiss(table, options);
}
Result<Coefficient> FleissKappa(const SparseRatingTable& table, const CategoryOptions& options) {
  return Fleiss(table, options);
}
Result<Coefficient> GwetAC(const RatingTable& table, const CategoryOptions& options) {
  return Gwet(table, options);
}
Result<Coefficient> GwetAC(const SparseRatingTable& table, const CategoryOptions& options) {
  return Gwet(table, options);
}
Result<Coefficient> BrennanPrediger(const RatingTable& table, const CategoryOptions& options) {
  return Brennan(table, options);
}
Result<Coefficient> BrennanPrediger(const SparseRatingTable& table, const CategoryOptions& options) {
  return Brennan(table, options);
}

}  // namespace tessera::quality
