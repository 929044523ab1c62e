// Internal helpers shared by the agreement metrics: category resolution,
// per-item category counts and weight matrices. Not part of the public API.
#ifndef TESSERA_SRC_QUALITY_RATING_COUNTS_H_
#define TESSERA_SRC_QUALITY_RATING_COUNTS_H_

#include <cmath>
#include <limits>
#include <vector>

#include "tessera/quality.h"

namespace tessera::quality::internal {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// InvalidArgument if rows differ in length or a rating is not finite.
Status CheckTable(const RatingTable& table);

// The ascending category list: `given` (deduplicated) or the observed values.
// InvalidArgument if a rating is not among `given`.
Result<std::vector<double>> ResolveCategories(const RatingTable& table,
                                              const std::vector<double>& given);

// Position of `value` in the ascending `categories` (which must contain it).
size_t CategoryIndex(const std::vector<double>& categories, double value);

// r_ik: how many annotators put item i in category k, and r_i = sum_k r_ik.
struct CountTable {
  std::vector<double> categories;
  std::vector<std::vector<double>> counts;  // [item][category]
  std::vector<double> totals;               // [item]
};
Result<CountTable> CountRatings(const RatingTable& table, const CategoryOptions& options);

// q x q agreement weights for category ranks (see Weighting in quality.h).
std::vector<std::vector<double>> WeightMatrix(Weighting weighting, size_t q);

// (p_a - p_e) / (1 - p_e), NaN when p_e is 1 (to rounding).
double ChanceCorrected(double observed, double expected);

}  // namespace tessera::quality::internal

#endif  // TESSERA_SRC_QUALITY_RATING_COUNTS_H_
