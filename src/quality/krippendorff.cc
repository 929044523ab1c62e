// Krippendorff's alpha from the coincidence matrix (Krippendorff 2011,
// "Computing Krippendorff's Alpha-Reliability", sections B-E).
#include <cmath>
#include <algorithm>
#include <cstdint>
#include <numeric>
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

// Adds one unit's coincidences to by_code ([c * q + k], by code): `present`
// holds the unit's distinct value codes, unit_counts[c] how often c was
// given, m the unit's number of values (>= 2). o_ck and o_kc get the same
// term; a term of 0 (a value given once) would leave its cell unchanged.
inline void AddUnit(const uint32_t* present, size_t values, const uint32_t* unit_counts, double m,
                    size_t q, double* by_code) {
  for (size_t i = 0; i < values; ++i) {
    const uint32_t c = present[i];
    const double n_c = unit_counts[c];
    if (n_c > 1) by_code[c * q + c] += n_c * (n_c - 1.0) / (m - 1.0);
    for (size_t j = i + 1; j < values; ++j) {
      const uint32_t k = present[j];
      const double term = n_c * unit_counts[k] / (m - 1.0);
      by_code[c * q + k] += term;
      by_code[k * q + c] += term;
    }
  }
}

}  // namespace

using internal::AlphaFromCoincidences;

Result<Alpha> KrippendorffAlpha(const RatingTable& table, Level level) {
  // Values are coded in order of first appearance; the coincidence matrix is
  // put in ascending value order at the end.
  TESSERA_ASSIGN_OR_RETURN(internal::CodedTable coded,
                           internal::EncodeRatings(table, {}, internal::CodeOrder::kFirstSeen));
  const size_t q = coded.categories.size();
  // Coincidences o_ck: every ordered pair of values within a unit, weighted
  // 1 / (m_u - 1) so that each pairable value contributes 1 in total. Each
  // unit adds one term to the cells of the values it holds, units in order,
  // so every cell is the same sum of the same terms as in the textbook loop
  // over all q x q cells of every unit.
  std::vector<double> by_code(q * q, 0.0);  // [c * q + k], by code
  // n_uc of the current unit, with a last counter (index q) for missing
  // ratings so that counting needs no branch, and the values it holds.
  std::vector<uint32_t> unit_counts(q + 1, 0);
  std::vector<uint32_t> present(std::max(coded.annotators, q) + 1);
  // With at most 7 values and 255 annotators a unit's counts fit in the bytes
  // of one word (byte 7 counting missing ratings), so counting stays in a
  // register instead of incrementing memory that was just written.
  const bool packed = q <= 7 && coded.annotators <= 255;
  const uint32_t* code = coded.codes.data();
  for (size_t unit = 0; unit < coded.items; ++unit, code += coded.annotators) {
    size_t values = 0;  // in present
    size_t missing = 0;
    if (packed) {
      uint64_t bytes = 0;
      for (size_t ann = 0; ann < coded.annotators; ++ann) {
        bytes += uint64_t{1} << (8 * std::min<uint32_t>(code[ann], 7));
      }
      missing = bytes >> 56;
      for (uint32_t c = 0; c < q; ++c) {
        unit_counts[c] = (bytes >> (8 * c)) & 0xff;
        present[values] = c;
        values += unit_counts[c] != 0;
      }
    } else {
      for (size_t ann = 0; ann < coded.annotators; ++ann) {
        const uint32_t c = std::min<uint32_t>(code[ann], static_cast<uint32_t>(q));
        present[values] = c;
        values += unit_counts[c]++ == 0 && c != q;
      }
      missing = unit_counts[q];
      unit_counts[q] = 0;
    }
    const double m = static_cast<double>(coded.annotators - missing);
    if (m >= 2) AddUnit(present.data(), values, unit_counts.data(), m, q, by_code.data());
    if (!packed) {
      for (size_t i = 0; i < values; ++i) unit_counts[present[i]] = 0;
    }
  }
  return AlphaFromCoincidences(coded.categories, by_code, level);
}

Result<Alpha> KrippendorffAlpha(const SparseRatingTable& table, Level level) {
  TESSERA_ASSIGN_OR_RETURN(internal::CodedRatings coded,
                           internal::EncodeRatings(table, {}, internal::CodeOrder::kFirstSeen));
  const size_t q = coded.categories.size();
  std::vector<double> by_code(q * q, 0.0);  // [c * q + k], by code, as above
  std::vector<uint32_t> unit_counts(q, 0);
  std::vector<uint32_t> present;
  for (size_t unit = 0; unit < table.items(); ++unit) {
    const size_t begin = table.item_start[unit], end = table.item_start[unit + 1];
    const double m = static_cast<double>(end - begin);
    if (m < 2) continue;
    present.clear();
    for (size_t e = begin; e < end; ++e) {
      const uint32_t c = coded.codes[e];
      if (unit_counts[c]++ == 0) present.push_back(c);
    }
    // Values in ascending code order, as the dense loop's packed path adds them.
    std::sort(present.begin(), present.end());
    AddUnit(present.data(), present.size(), unit_counts.data(), m, q, by_code.data());
    for (uint32_t c : present) unit_counts[c] = 0;
  }
  return AlphaFromCoincidences(coded.categories, by_code, level);
}

namespace internal {

Result<Alpha> AlphaFromCoincidences(const std::vector<double>& categories,
                                    const std::vector<double>& by_code, Level level) {
  const size_t q = categories.size();
  // The values in ascending order and the matrix in that order.
  std::vector<uint32_t> order(q);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return categories[a] < categories[b]; });
  std::vector<double> values(q), coincidence(q * q);
  for (size_t c = 0; c < q; ++c) {
    values[c] = categories[order[c]];
    for (size_t k = 0; k < q; ++k) coincidence[c * q + k] = by_code[order[c] * q + order[k]];
  }
  if (level == Level::kRatio && !values.empty() && values.front() < 0) {
    return Status::InvalidArgument("ratio-level alpha needs non-negative values; got " +
                                   std::to_string(values.front()));
  }
  std::vector<double> marginals(q, 0.0);
  double total = 0;
  for (size_t c = 0; c < q; ++c) {
    for (size_t k = 0; k < q; ++k) marginals[c] += coincidence[c * q + k];
    total += marginals[c];
  }
  if (total < 2) {
    return Status::InvalidArgument("Krippendorff's alpha needs a unit with two or more values");
  }
  const auto delta = Distances(values, marginals, level);
  double observed = 0, expected = 0;
  for (size_t c = 0; c < q; ++c) {
    for (size_t k = 0; k < q; ++k) {
      observed += coincidence[c * q + k] * delta[c][k];
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

}  // namespace internal

}  // namespace tessera::quality
