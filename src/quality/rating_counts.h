// Internal helpers shared by the agreement metrics and the aggregators:
// category resolution, dense category codes, per-item category counts and
// weight matrices. Not part of the public API.
#ifndef TESSERA_SRC_QUALITY_RATING_COUNTS_H_
#define TESSERA_SRC_QUALITY_RATING_COUNTS_H_

#include <cmath>
#include <cstdint>
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

// Ratings as dense category codes, for the statistics that scan large tables:
// one flat array instead of a vector of optionals per item, and a small
// integer instead of the value, so that counting is indexing.
inline constexpr uint32_t kMissingCode = std::numeric_limits<uint32_t>::max();
struct CodedTable {
  std::vector<double> categories;  // by code
  size_t items = 0;
  size_t annotators = 0;
  // codes[item * annotators + annotator]: the rating's index in `categories`,
  // or kMissingCode.
  std::vector<uint32_t> codes;
};
// How EncodeRatings numbers the categories.
//  kRanked: codes are ranks; `categories` ascending, as ResolveCategories
//    returns them.
//  kFirstSeen: codes in order of first appearance (row by row), `categories`
//    in that order; saves a pass over the codes for callers that do not need
//    ranks. With given categories the codes are always ranks.
enum class CodeOrder { kRanked, kFirstSeen };
// CheckTable, ResolveCategories and the coding in one pass over the table,
// with their errors (a structural error is reported before an unknown
// category, as when CheckTable runs first). -0.0 and 0.0 are one category.
Result<CodedTable> EncodeRatings(const RatingTable& table, const std::vector<double>& given,
                                 CodeOrder order = CodeOrder::kRanked);

// The sparse table's checks: items, columns in range and ascending within an
// item, finite ratings.
Status CheckTable(const SparseRatingTable& table);

// A sparse table's ratings as codes, one per entry (parallel to
// table.value), numbered as EncodeRatings numbers them.
struct CodedRatings {
  std::vector<double> categories;  // by code
  std::vector<uint32_t> codes;     // per entry
};
Result<CodedRatings> EncodeRatings(const SparseRatingTable& table, const std::vector<double>& given,
                                   CodeOrder order = CodeOrder::kRanked);

// r_ik: how many annotators put item i in category k, and r_i = sum_k r_ik.
// One flat array, a row of categories.size() counts per item: a vector per
// item cost a fifth of a whole agreement report at 1M rated tasks.
struct CountTable {
  std::vector<double> categories;
  std::vector<double> counts;  // [item * categories.size() + category]
  std::vector<double> totals;  // [item]

  size_t items() const { return totals.size(); }
  // The item's counts, categories.size() of them.
  const double* row(size_t item) const { return counts.data() + item * categories.size(); }
};
Result<CountTable> CountRatings(const RatingTable& table, const CategoryOptions& options);
Result<CountTable> CountRatings(const SparseRatingTable& table, const CategoryOptions& options);

// q x q agreement weights for category ranks (see Weighting in quality.h).
std::vector<std::vector<double>> WeightMatrix(Weighting weighting, size_t q);

// Krippendorff's alpha from the coincidences o_ck (by_code[c * q + k]) of
// the values `categories` (by code, any order); krippendorff.cc.
Result<Alpha> AlphaFromCoincidences(const std::vector<double>& categories,
                                    const std::vector<double>& by_code, Level level);

// (p_a - p_e) / (1 - p_e), NaN when p_e is 1 (to rounding).
double ChanceCorrected(double observed, double expected);

}  // namespace tessera::quality::internal

#endif  // TESSERA_SRC_QUALITY_RATING_COUNTS_H_
