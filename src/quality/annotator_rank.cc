// Annotator quality ranking: leave-one-out agreement with the other
// annotators' majority, and Dawid–Skene estimated accuracy.
#include <algorithm>
#include <cmath>
#include <map>

#include "src/quality/rating_counts.h"
#include "tessera/quality.h"

namespace tessera::quality {
namespace {

// Credit for `label` against the majority of `votes`: 1/t if it is one of the
// t most frequent values, else 0.
double MajorityCredit(const std::map<double, size_t>& votes, double label) {
  size_t top = 0;
  for (const auto& [value, count] : votes) top = std::max(top, count);
  size_t tied = 0;
  for (const auto& [value, count] : votes) tied += count == top ? 1 : 0;
  const auto found = votes.find(label);
  if (found == votes.end() || found->second != top) return 0.0;
  return 1.0 / static_cast<double>(tied);
}

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
  TESSERA_ASSIGN_OR_RETURN(DawidSkeneResult fitted, DawidSkene(table, options));
  const size_t annotators = table.front().size();
  std::vector<AnnotatorQuality> ranking(annotators);
  std::vector<double> credit(annotators, 0.0);
  for (size_t ann_idx = 0; ann_idx < annotators; ++ann_idx) ranking[ann_idx].annotator = ann_idx;
  for (const auto& row : table) {
    std::map<double, size_t> votes;  // every rating of the item
    for (const Rating& rating : row) {
      if (rating) ++votes[*rating];
    }
    for (size_t ann_idx = 0; ann_idx < annotators; ++ann_idx) {
      if (!row[ann_idx]) continue;
      ++ranking[ann_idx].ratings;
      // The others' votes: everyone's minus this annotator's own.
      std::map<double, size_t> others = votes;
      if (--others[*row[ann_idx]] == 0) others.erase(*row[ann_idx]);
      if (others.empty()) continue;
      ++ranking[ann_idx].compared_items;
      credit[ann_idx] += MajorityCredit(others, *row[ann_idx]);
    }
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
