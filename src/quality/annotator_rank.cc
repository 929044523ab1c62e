// Annotator quality ranking: leave-one-out agreement with the other
// annotators' majority, and Dawid–Skene estimated accuracy.
#include <algorithm>
#include <cmath>

#include "src/quality/rating_counts.h"
#include "tessera/quality.h"

namespace tessera::quality {
namespace {

// Higher is better; NaN is worst.
bool Better(double a, double b) {
  if (std::isnan(b)) return !std::isnan(a);
  if (std::isnan(a)) return false;
  return a > b;
}

}  // namespace

Result<std::vector<AnnotatorQuality>> RankAnnotators(const RatingTable& table,
                                                     const DawidSkeneOptions& options) {
  TESSERA_RETURN_IF_ERROR(internal::CheckTable(table));
  return RankAnnotators(ToSparse(table), options);
}

Result<std::vector<AnnotatorQuality>> RankAnnotators(const SparseRatingTable& table,
                                                     const DawidSkeneOptions& options) {
  TESSERA_RETURN_IF_ERROR(internal::CheckTable(table));
  TESSERA_ASSIGN_OR_RETURN(DawidSkeneResult fitted, DawidSkene(table, options));
  TESSERA_ASSIGN_OR_RETURN(internal::CodedRatings coded,
                           internal::EncodeRatings(table, {}, internal::CodeOrder::kFirstSeen));
  const size_t annotators = table.annotators;
  std::vector<AnnotatorQuality> ranking(annotators);
  std::vector<double> credit(annotators, 0.0);
  for (size_t ann_idx = 0; ann_idx < annotators; ++ann_idx) ranking[ann_idx].annotator = ann_idx;
  // Per item: every rating's count by code, then for each rating the others'
  // votes (everyone's minus its own): their top count, how many codes share
  // it, and whether the rating's own code is one of them (credit 1/tied).
  std::vector<size_t> counts(coded.categories.size(), 0);
  std::vector<uint32_t> present;  // codes with a count in the current item
  for (size_t item = 0; item < table.items(); ++item) {
    const size_t begin = table.item_start[item], end = table.item_start[item + 1];
    present.clear();
    for (size_t e = begin; e < end; ++e) {
      if (counts[coded.codes[e]]++ == 0) present.push_back(coded.codes[e]);
    }
    for (size_t e = begin; e < end; ++e) {
      const uint32_t own = coded.codes[e];
      AnnotatorQuality& quality = ranking[table.annotator[e]];
      ++quality.ratings;
      if (end - begin < 2) continue;  // nobody else rated the item
      ++quality.compared_items;
      size_t top = 0, tied = 0;
      for (uint32_t code : present) {
        const size_t others = counts[code] - (code == own ? 1 : 0);
        if (others > top) {
          top = others;
          tied = 1;
        } else if (others == top) {
          ++tied;
        }
      }
      // top >= 1, so a code the others did not use is never among the tied.
      if (counts[own] - 1 == top) credit[table.annotator[e]] += 1.0 / static_cast<double>(tied);
    }
    for (uint32_t code : present) counts[code] = 0;
  }
  for (size_t ann_idx = 0; ann_idx < annotators; ++ann_idx) {
    AnnotatorQuality& quality = ranking[ann_idx];
    quality.loo_agreement = quality.compared_items > 0
                                ? credit[ann_idx] / static_cast<double>(quality.compared_items)
                                : internal::kNaN;
    quality.ds_accuracy = internal::kNaN;
    if (quality.ratings == 0) continue;
    double accuracy = 0;
    for (size_t class_idx = 0; class_idx < fitted.categories.size(); ++class_idx) {
      accuracy += fitted.priors[class_idx] * fitted.confusion[ann_idx][class_idx][class_idx];
    }
    quality.ds_accuracy = accuracy;
  }
  std::stable_sort(ranking.begin(), ranking.end(),
                   [](const AnnotatorQuality& a, const AnnotatorQuality& b) {
                     if (Better(a.ds_accuracy, b.ds_accuracy)) return true;
                     if (Better(b.ds_accuracy, a.ds_accuracy)) return false;
                     if (Better(a.loo_agreement, b.loo_agreement)) return true;
                     if (Better(b.loo_agreement, a.loo_agreement)) return false;
                     return a.ratings > b.ratings;
                   });
  return ranking;
}

}  // namespace tessera::quality
