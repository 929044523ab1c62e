// Pairwise annotator agreement and the percentile bootstrap over items.
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <unordered_map>

#include "src/quality/rating_counts.h"
#include "tessera/quality.h"

namespace tessera::quality {

Result<PairwiseMatrix> PairwiseAgreement(const RatingTable& table, PairMetric metric,
                                         const CategoryOptions& options) {
  TESSERA_RETURN_IF_ERROR(internal::CheckTable(table));
  return PairwiseAgreement(ToSparse(table), metric, options);
}

Result<PairwiseMatrix> PairwiseAgreement(const SparseRatingTable& table, PairMetric metric,
                                         const CategoryOptions& options) {
  // Codes are ranks in the categories resolved on the whole table, so every
  // pair shares them (and the weights).
  TESSERA_ASSIGN_OR_RETURN(internal::CodedRatings coded,
                           internal::EncodeRatings(table, options.categories));
  const size_t n = table.annotators;
  const size_t q = coded.categories.size();
  PairwiseMatrix out;
  out.value.assign(n, std::vector<double>(n, internal::kNaN));
  out.common_items.assign(n, std::vector<size_t>(n, 0));
  // The joint counts of each pair that shares an item: (first, second, first's
  // code, second's code) -> items, first < second.
  std::unordered_map<uint64_t, size_t> joint;
  auto key = [&](uint64_t a, uint64_t b, uint64_t ca, uint64_t cb) {
    return ((a * n + b) * q + ca) * q + cb;
  };
  for (size_t item = 0; item < table.items(); ++item) {
    const size_t begin = table.item_start[item], end = table.item_start[item + 1];
    for (size_t i = begin; i < end; ++i) {
      const uint32_t a = table.annotator[i];
      ++out.common_items[a][a];
      for (size_t j = i + 1; j < end; ++j) {
        ++joint[key(a, table.annotator[j], coded.codes[i], coded.codes[j])];
      }
    }
  }
  // Gather each pair's cells.
  struct Cell {
    uint32_t first_code, second_code;
    double items;
  };
  std::map<std::pair<size_t, size_t>, std::vector<Cell>> pairs;
  for (const auto& [k, count] : joint) {
    const uint64_t cb = k % q, ca = (k / q) % q, pair = k / q / q;
    pairs[{pair / n, pair % n}].push_back(
        {static_cast<uint32_t>(ca), static_cast<uint32_t>(cb), static_cast<double>(count)});
  }
  const auto weights = internal::WeightMatrix(options.weighting, q);
  std::vector<double> first(q, 0.0), second(q, 0.0);
  for (auto& [pair, cells] : pairs) {
    const auto [a, b] = pair;
    double items = 0;
    for (const Cell& c : cells) items += c.items;
    out.common_items[a][b] = out.common_items[b][a] = static_cast<size_t>(items);
    double value = internal::kNaN;
    if (metric == PairMetric::kPercentAgreement) {
      double agree = 0;
      for (const Cell& c : cells) agree += c.first_code == c.second_code ? c.items : 0;
      value = agree / items;
    } else {
      // Cohen's kappa on the pair's items: p_a = sum w_kl p_kl and
      // p_e = sum w_kl p_k. p_.l over the categories either one used.
      double observed = 0;
      std::vector<uint32_t> used_first, used_second;
      for (const Cell& c : cells) {
        observed += weights[c.first_code][c.second_code] * c.items / items;
        if (first[c.first_code] == 0) used_first.push_back(c.first_code);
        if (second[c.second_code] == 0) used_second.push_back(c.second_code);
        first[c.first_code] += c.items / items;
        second[c.second_code] += c.items / items;
      }
      double expected = 0;
      for (uint32_t k : used_first)
        for (uint32_t l : used_second) expected += weights[k][l] * first[k] * second[l];
      value = internal::ChanceCorrected(observed, expected);
      for (uint32_t k : used_first) first[k] = 0;
      for (uint32_t l : used_second) second[l] = 0;
    }
    out.value[a][b] = out.value[b][a] = value;
  }
  for (size_t a = 0; a < n; ++a) out.value[a][a] = 1.0;
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

// The bootstrap for either kind of table: `resample(draw, &sample)` fills
// `sample` with the items at the indices draw() returns, in order.
template <typename Table, typename Statistic, typename Resample>
Result<ConfidenceInterval> Bootstrap(const Table& table, size_t items, const Statistic& statistic,
                                     const BootstrapOptions& options, Resample&& resample) {
  if (options.replicates < 1) return Status::InvalidArgument("bootstrap needs >= 1 replicate");
  if (!(options.confidence > 0 && options.confidence < 1)) {
    return Status::InvalidArgument("bootstrap confidence must lie in (0, 1)");
  }
  ConfidenceInterval out;
  TESSERA_ASSIGN_OR_RETURN(out.estimate, statistic(table));
  std::mt19937_64 engine(options.seed);
  // Lemire's multiply-shift: a portable map of 64 random bits to [0, items).
  auto draw = [&engine, items = uint64_t{items}] {
    return static_cast<size_t>((static_cast<unsigned __int128>(engine()) * items) >> 64);
  };
  std::vector<double> replicates;
  replicates.reserve(static_cast<size_t>(options.replicates));
  Table sample;
  for (int replicate = 0; replicate < options.replicates; ++replicate) {
    resample(draw, &sample);
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

}  // namespace

Result<ConfidenceInterval> BootstrapCI(const RatingTable& table, const TableStatistic& statistic,
                                       const BootstrapOptions& options) {
  TESSERA_RETURN_IF_ERROR(internal::CheckTable(table));
  return Bootstrap(table, table.size(), statistic, options, [&](auto& draw, RatingTable* sample) {
    sample->resize(table.size());
    for (auto& row : *sample) row = table[draw()];
  });
}

Result<ConfidenceInterval> BootstrapCI(const SparseRatingTable& table,
                                       const SparseTableStatistic& statistic,
                                       const BootstrapOptions& options) {
  TESSERA_RETURN_IF_ERROR(internal::CheckTable(table));
  return Bootstrap(table, table.items(), statistic, options,
                   [&](auto& draw, SparseRatingTable* sample) {
                     sample->annotators = table.annotators;
                     sample->item_start.assign(1, size_t{0});
                     sample->annotator.clear();
                     sample->value.clear();
                     for (size_t i = 0; i < table.items(); ++i) {
                       const size_t item = draw();
                       for (size_t e = table.item_start[item]; e < table.item_start[item + 1]; ++e) {
                         sample->Add(table.annotator[e], table.value[e]);
                       }
                       sample->EndItem();
                     }
                   });
}

}  // namespace tessera::quality
