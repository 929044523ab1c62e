// Per-example label-quality scores from out-of-sample predicted probabilities.
//
// Definitions follow cleanlab's cleanlab/rank.py (get_self_confidence_for_each_label
// and get_normalized_margin_for_each_label, cleanlab 2.x, as documented at
// https://docs.cleanlab.ai/stable/cleanlab/rank.html): the self-confidence is
// p_k(x) for the given label k; the normalized margin is
// (p_k(x) - max_{j != k} p_j(x) + 1) / 2, the margin of Northcutt et al.
// (2021) rescaled from [-1, 1] to [0, 1] so that both scores share a scale.
#include <algorithm>
#include <string>

#include "tessera/quality.h"

namespace tessera::quality {

Result<std::vector<double>> LabelQualityScores(const std::vector<size_t>& labels,
                                               const std::vector<std::vector<double>>& pred_probs,
                                               LabelQualityMethod method) {
  const size_t examples = labels.size();
  if (examples == 0) return Status::InvalidArgument("no examples");
  if (pred_probs.size() != examples) {
    return Status::InvalidArgument("pred_probs has " + std::to_string(pred_probs.size()) +
                                   " rows for " + std::to_string(examples) + " labels");
  }
  const size_t classes = pred_probs.front().size();
  if (classes < 2) return Status::InvalidArgument("pred_probs needs at least 2 classes");
  std::vector<double> scores;
  scores.reserve(examples);
  for (size_t example_idx = 0; example_idx < examples; ++example_idx) {
    const std::vector<double>& probs = pred_probs[example_idx];
    if (probs.size() != classes) {
      return Status::InvalidArgument("pred_probs row " + std::to_string(example_idx) +
                                     " has the wrong length");
    }
    for (double p : probs) {
      if (!(p >= 0 && p <= 1)) return Status::InvalidArgument("pred_probs must lie in [0, 1]");
    }
    const size_t given = labels[example_idx];
    if (given >= classes) {
      return Status::InvalidArgument("label " + std::to_string(given) + " of example " +
                                     std::to_string(example_idx) + " is not a class index");
    }
    if (method == LabelQualityMethod::kSelfConfidence) {
      scores.push_back(probs[given]);
      continue;
    }
    double best_other = 0;
    for (size_t class_idx = 0; class_idx < classes; ++class_idx) {
      if (class_idx != given) best_other = std::max(best_other, probs[class_idx]);
    }
    scores.push_back((probs[given] - best_other + 1) / 2);
  }
  return scores;
}

}  // namespace tessera::quality
