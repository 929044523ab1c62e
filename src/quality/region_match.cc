// One-to-one region matching at a similarity threshold (boxes, polygons, or
// any precomputed similarity matrix).
#include <cmath>
#include <string>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

void FillScores(size_t references, size_t candidates, MatchResult* result) {
  const double matched = static_cast<double>(result->matches.size());
  if (references == 0 && candidates == 0) {
    result->precision = result->recall = result->f1 = 1.0;
    return;
  }
  result->precision = candidates > 0 ? matched / static_cast<double>(candidates) : 0.0;
  result->recall = references > 0 ? matched / static_cast<double>(references) : 0.0;
  const double sum = result->precision + result->recall;
  result->f1 = sum > 0 ? 2 * result->precision * result->recall / sum : 0.0;
}

// `candidates` is explicit because a matrix with no rows cannot carry it.
MatchResult MatchMatrix(const std::vector<std::vector<double>>& similarity, size_t candidates,
                        double threshold) {
  MatchResult result;
  const size_t references = similarity.size();
  // Pairs below the threshold cost 0, so the solver never prefers them over
  // leaving both sides unmatched; valid pairs cost -(1 + s) so that more
  // matches always beat fewer, and higher similarity breaks ties.
  std::vector<std::vector<double>> cost(references, std::vector<double>(candidates, 0.0));
  for (size_t ref = 0; ref < references; ++ref) {
    for (size_t cand = 0; cand < candidates && cand < similarity[ref].size(); ++cand) {
      const double s = similarity[ref][cand];
      if (s >= threshold && std::isfinite(s)) cost[ref][cand] = -(1.0 + s);
    }
  }
  std::vector<bool> candidate_used(candidates, false);
  if (references > 0 && candidates > 0) {
    Result<std::vector<int>> assignment = SolveAssignment(cost);
    for (size_t ref = 0; assignment.ok() && ref < references; ++ref) {
      const int cand = (*assignment)[ref];
      if (cand < 0 || cost[ref][static_cast<size_t>(cand)] == 0.0) continue;
      const size_t col = static_cast<size_t>(cand);
      result.matches.push_back({ref, col, similarity[ref][col]});
      candidate_used[col] = true;
    }
  }
  std::vector<bool> reference_used(references, false);
  double total = 0;
  for (const RegionMatch& match : result.matches) {
    reference_used[match.reference] = true;
    total += match.similarity;
  }
  for (size_t ref = 0; ref < references; ++ref) {
    if (!reference_used[ref]) result.unmatched_reference.push_back(ref);
  }
  for (size_t cand = 0; cand < candidates; ++cand) {
    if (!candidate_used[cand]) result.unmatched_candidate.push_back(cand);
  }
  result.mean_similarity =
      result.matches.empty() ? 0.0 : total / static_cast<double>(result.matches.size());
  FillScores(references, candidates, &result);
  return result;
}

}  // namespace

MatchResult MatchBySimilarity(const std::vector<std::vector<double>>& similarity,
                              double threshold) {
  return MatchMatrix(similarity, similarity.empty() ? 0 : similarity.front().size(), threshold);
}

MatchResult MatchBoxes(const std::vector<LabeledBox>& reference,
                       const std::vector<LabeledBox>& candidate, const MatchOptions& options) {
  std::vector<std::vector<double>> similarity(reference.size(),
                                              std::vector<double>(candidate.size(), 0.0));
  for (size_t ref = 0; ref < reference.size(); ++ref) {
    for (size_t cand = 0; cand < candidate.size(); ++cand) {
      if (options.require_same_label && reference[ref].label != candidate[cand].label) continue;
      similarity[ref][cand] = BoxIoU(reference[ref].box, candidate[cand].box);
    }
  }
  return MatchMatrix(similarity, candidate.size(), options.iou_threshold);
}

MatchResult MatchPolygons(const std::vector<LabeledPolygon>& reference,
                          const std::vector<LabeledPolygon>& candidate,
                          const MatchOptions& options) {
  std::vector<std::vector<double>> similarity(reference.size(),
                                              std::vector<double>(candidate.size(), 0.0));
  for (size_t ref = 0; ref < reference.size(); ++ref) {
    for (size_t cand = 0; cand < candidate.size(); ++cand) {
      if (options.require_same_label && reference[ref].label != candidate[cand].label) continue;
      Result<double> iou = PolygonIoU(reference[ref].polygon, candidate[cand].polygon);
      similarity[ref][cand] = iou.ok() ? *iou : 0.0;  // degenerate polygons never match
    }
  }
  return MatchMatrix(similarity, candidate.size(), options.iou_threshold);
}

}  // namespace tessera::quality
