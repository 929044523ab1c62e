// Agreement on each category: specific agreement and Fleiss' per-category
// kappa (category vs. rest), both with missing ratings allowed.
#include "src/quality/rating_counts.h"
#include "tessera/quality.h"

namespace tessera::quality {
namespace {

template <typename Table>
Result<std::vector<LabelAgreement>> PerLabel(const Table& table, const CategoryOptions& options) {
  TESSERA_ASSIGN_OR_RETURN(internal::CountTable counts, internal::CountRatings(table, options));
  const size_t q = counts.categories.size();
  std::vector<LabelAgreement> out(q);
  for (size_t cat = 0; cat < q; ++cat) {
    LabelAgreement& label = out[cat];
    label.category = counts.categories[cat];
    double agreeing_pairs = 0, possible_pairs = 0;  // specific agreement parts
    double observed = 0, share = 0;                 // binary Fleiss parts
    size_t pair_items = 0, rated_items = 0;
    for (size_t item = 0; item < counts.items(); ++item) {
      const double raters = counts.totals[item];
      const double in = counts.row(item)[cat], rest = raters - in;
      label.ratings += static_cast<size_t>(in);
      if (raters < 1) continue;
      ++rated_items;
      share += in / raters;
      if (raters < 2) continue;
      ++pair_items;
      agreeing_pairs += in * (in - 1.0);
      possible_pairs += in * (raters - 1.0);
      observed += (in * (in - 1.0) + rest * (rest - 1.0)) / (raters * (raters - 1.0));
    }
    if (pair_items == 0) {
      return Status::InvalidArgument("no item has ratings from two or more annotators");
    }
    label.specific_agreement = possible_pairs > 0 ? agreeing_pairs / possible_pairs : internal::kNaN;
    share /= static_cast<double>(rated_items);
    observed /= static_cast<double>(pair_items);
    label.kappa = internal::ChanceCorrected(observed, share * share + (1 - share) * (1 - share));
  }
  return out;
}

}  // namespace

Result<std::vector<LabelAgreement>> PerLabelAgreement(const RatingTable& table,
                                                      const CategoryOptions& options) {
  return PerLabel(table, options);
}
Result<std::vector<LabelAgreement>> PerLabelAgreement(const SparseRatingTable& table,
                                                      const CategoryOptions& options) {
  return PerLabel(table, options);
}

}  // namespace tessera::quality
