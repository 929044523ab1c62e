// Krippendorff's alpha from the coincidence matrix (Krippendorff 2011,
// "Computing Krippendorff's Alpha-Reliability", sections B-E).
#include <cmath>
#include <string>

#include "src/quality/rating_counts.h"
#include "tessera/quality.h"

namespace tessera::quality {
namespace {

// delta^2 for every pair of values; `marginals` are the n_c of the
// coincidence matrix (used by the ordinal metric only).
std::vector<std::vector<double>> Distances(const std::vector<double>& values,
                                           const std::vector<double>& marginals, Level level) {
  const size_t q = values.size();
  std::vector<std::vector<double>> delta(q, std::vector<double>(q, 0.0));
  for (size_t first = 0; first < q; ++first) {
    for (size_t second = 0; second < q; ++second) {
      const double c = values[first], k = values[second];
      double d = 0;
      switch (level) {
        case Level::kNominal: d = first == second ? 0.0 : 1.0; break;
        case Level::kOrdinal: {
          const size_t low = std::min(first, second), high = std::max(first, second);
          double between = 0;
          for (size_t rank = low; rank <= high; ++rank) between += marginals[rank];
          between -= (marginals[low] + marginals[high]) / 2.0;
          d = between * between;
          break;
        }
        case Level::kInterval: d = (c - k) * (c - k); break;
        case Level::kRatio: d = c + k == 0 ? 0.0 : ((c - k) / (c + k)) * ((c - k) / (c + k)); break;
      }
      delta[first][second] = d;
    }
  }
  return delta;
}

}  // namespace

Result<Alpha> KrippendorffAlpha(const RatingTable& table, Level level) {
  TESSERA_ASSIGN_OR_RETURN(internal::CountTable counts, internal::CountRatings(table, {}));
  const std::vector<double>& values = counts.categories;
  if (level == Level::kRatio && !values.empty() && values.front() < 0) {
    return Status::InvalidArgument("ratio-level alpha needs non-negative values; got " +
                                   std::to_string(values.front()));
  }
  const size_t q = values.size();
  // Coincidences o_ck: every ordered pair of values within a unit, weighted
  // 1 / (m_u - 1) so that each pairable value contributes 1 in total.
  std::vector<std::vector<double>> coincidence(q, std::vector<double>(q, 0.0));
  for (size_t unit = 0; unit < counts.counts.size(); ++unit) {
    const double m = counts.totals[unit];
    if (m < 2) continue;
    const auto& n_uc = counts.counts[unit];
    for (size_t c = 0; c < q; ++c) {
      if (n_uc[c] == 0) continue;
      for (size_t k = 0; k < q; ++k) {
        const double pairs = c == k ? n_uc[c] * (n_uc[c] - 1.0) : n_uc[c] * n_uc[k];
        coincidence[c][k] += pairs / (m - 1.0);
      }
    }
  }
  std::vector<double> marginals(q, 0.0);
  double total = 0;
  for (size_t c = 0; c < q; ++c) {
    for (size_t k = 0; k < q; ++k) marginals[c] += coincidence[c][k];
    total += marginals[c];
  }
  if (total < 2) {
    return Status::InvalidArgument("Krippendorff's alpha needs a unit with two or more values");
  }
  const auto delta = Distances(values, marginals, level);
  double observed = 0, expected = 0;
  for (size_t c = 0; c < q; ++c) {
    for (size_t k = 0; k < q; ++k) {
      observed += coincidence[c][k] * delta[c][k];
      expected += marginals[c] * marginals[k] * delta[c][k];
    }
  }
  Alpha out;
  out.pairable_values = static_cast<size_t>(std::llround(total));
  out.observed_disagreement = observed / total;
  out.expected_disagreement = expected / (total * (total - 1.0));
  out.value = out.expected_disagreement == 0
                  ? internal::kNaN
                  : 1.0 - out.observed_disagreement / out.expected_disagreement;
  return out;
}

}  // namespace tessera::quality
