// Pairwise annotator agreement and the percentile bootstrap over items.
#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "src/quality/rating_counts.h"
#include "tessera/quality.h"

namespace tessera::quality {

Result<PairwiseMatrix> PairwiseAgreement(const RatingTable& table, PairMetric metric,
                                         const CategoryOptions& options) {
  TESSERA_RETURN_IF_ERROR(internal::CheckTable(table));
  // Resolve categories once on the whole table so every pair shares them.
  CategoryOptions shared = options;
  TESSERA_ASSIGN_OR_RETURN(shared.categories,
                           internal::ResolveCategories(table, options.categories));
  const size_t annotators = table.front().size();
  PairwiseMatrix out;
  out.value.assign(annotators, std::vector<double>(annotators, internal::kNaN));
  out.common_items.assign(annotators, std::vector<size_t>(annotators, 0));
  for (size_t first = 0; first < annotators; ++first) {
    for (size_t second = first; second < annotators; ++second) {
      RatingTable pair;
      for (const auto& row : table) {
        if (row[first] && row[second]) pair.push_back({row[first], row[second]});
      }
      out.common_items[first][second] = out.common_items[second][first] = pair.size();
      if (first == second) {
        out.value[first][first] = 1.0;
        continue;
      }
      if (pair.empty()) continue;
      double value = internal::kNaN;
      if (metric == PairMetric::kPercentAgreement) {
        TESSERA_ASSIGN_OR_RETURN(value, PercentAgreement(pair));
      } else {
        TESSERA_ASSIGN_OR_RETURN(Coefficient kappa, CohenKappa(pair, shared));
        value = kappa.value;
      }
      out.value[first][second] = out.value[second][first] = value;
    }
  }
  return out;
}

namespace {

// Percentile with linear interpolation between order statistics (type 7).
double Percentile(const std::vector<double>& sorted, double fraction) {
  const double position = fraction * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  const double weight = position - static_cast<double>(below);
  return sorted[below] + weight * (sorted[above] - sorted[below]);
}

}  // namespace

Result<ConfidenceInterval> BootstrapCI(const RatingTable& table, const TableStatistic& statistic,
                                       const BootstrapOptions& options) {
  TESSERA_RETURN_IF_ERROR(internal::CheckTable(table));
  if (options.replicates < 1) return Status::InvalidArgument("bootstrap needs >= 1 replicate");
  if (!(options.confidence > 0 && options.confidence < 1)) {
    return Status::InvalidArgument("bootstrap confidence must lie in (0, 1)");
  }
  ConfidenceInterval out;
  TESSERA_ASSIGN_OR_RETURN(out.estimate, statistic(table));
  std::mt19937_64 engine(options.seed);
  const uint64_t items = table.size();
  std::vector<double> replicates;
  replicates.reserve(static_cast<size_t>(options.replicates));
  RatingTable sample(table.size());
  for (int replicate = 0; replicate < options.replicates; ++replicate) {
    for (auto& row : sample) {
      // Lemire's multiply-shift: a portable map of 64 random bits to [0, items).
      const uint64_t index =
          static_cast<uint64_t>((static_cast<unsigned __int128>(engine()) * items) >> 64);
      row = table[index];
    }
    Result<double> value = statistic(sample);
    if (value.ok() && std::isfinite(*value)) replicates.push_back(*value);
  }
  out.valid_replicates = static_cast<int>(replicates.size());
  if (replicates.empty()) {
    return Status::FailedPrecondition("the statistic was undefined on every bootstrap sample");
  }
  std::sort(replicates.begin(), replicates.end());
  const double tail = (1.0 - options.confidence) / 2.0;
  out.lower = Percentile(replicates, tail);
  out.upper = Percentile(replicates, 1.0 - tail);
  return out;
}

}  // namespace tessera::quality
