// Confident learning: find likely label errors from out-of-sample predicted
// probabilities (Northcutt, Jiang & Chuang 2021, "Confident Learning:
// Estimating Uncertainty in Dataset Labels", JAIR 70:1373-1411, sec. 3-4).
#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <limits>
#include <numeric>
#include <set>
#include <string>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

constexpr double kThresholdSlack = 1e-6;

size_t ArgMax(const std::vector<double>& values) {
  return static_cast<size_t>(std::max_element(values.begin(), values.end()) - values.begin());
}

// Examples labelled `given`, ordered by `key` descending (stable on index).
std::vector<size_t> Ranked(const std::vector<size_t>& labels, size_t given,
                           const std::function<double(size_t)>& key) {
  std::vector<size_t> members;
  for (size_t idx = 0; idx < labels.size(); ++idx) {
    if (labels[idx] == given) members.push_back(idx);
  }
  std::stable_sort(members.begin(), members.end(), [&](size_t a, size_t b) { return key(a) > key(b); });
  return members;
}

}  // namespace

Result<ConfidentLearningResult> FindLabelIssues(const std::vector<size_t>& labels,
                                                const std::vector<std::vector<double>>& pred_probs,
                                                PruneMethod method) {
  const size_t n = labels.size();
  if (n == 0) return Status::InvalidArgument("no examples");
  if (pred_probs.size() != n) {
    return Status::InvalidArgument("pred_probs has " + std::to_string(pred_probs.size()) +
                                   " rows for " + std::to_string(n) + " labels");
  }
  const size_t classes = pred_probs.front().size();
  if (classes < 2) return Status::InvalidArgument("pred_probs needs at least 2 classes");
  for (size_t idx = 0; idx < n; ++idx) {
    if (pred_probs[idx].size() != classes) {
      return Status::InvalidArgument("pred_probs row " + std::to_string(idx) + " has the wrong length");
    }
    if (labels[idx] >= classes) {
      return Status::InvalidArgument("label " + std::to_string(labels[idx]) + " of example " +
                                     std::to_string(idx) + " is not a class index");
    }
    for (double p : pred_probs[idx]) {
      if (!(p >= 0 && p <= 1)) return Status::InvalidArgument("pred_probs must lie in [0, 1]");
    }
  }
  ConfidentLearningResult out;
  // Per-class thresholds: the mean self-confidence of the examples labelled j.
  std::vector<size_t> label_counts(classes, 0);
  out.thresholds.assign(classes, 0.0);
  for (size_t idx = 0; idx < n; ++idx) {
    ++label_counts[labels[idx]];
    out.thresholds[labels[idx]] += pred_probs[idx][labels[idx]];
  }
  for (size_t cls = 0; cls < classes; ++cls) {
    out.thresholds[cls] = label_counts[cls] ? out.thresholds[cls] / static_cast<double>(label_counts[cls])
                                            : std::numeric_limits<double>::infinity();
  }
  // Confident joint: argmax over the classes whose threshold is reached.
  out.confident_joint.assign(classes, std::vector<size_t>(classes, 0));
  std::vector<int> confident_class(n, -1);
  for (size_t idx = 0; idx < n; ++idx) {
    int best = -1;
    for (size_t cls = 0; cls < classes; ++cls) {
      // A 1e-6 slack keeps an example whose probability equals the mean
      // (up to rounding in that mean) at the threshold, as cleanlab does.
      if (pred_probs[idx][cls] < out.thresholds[cls] - kThresholdSlack) continue;
      if (best < 0 || pred_probs[idx][cls] > pred_probs[idx][static_cast<size_t>(best)]) best = static_cast<int>(cls);
    }
    confident_class[idx] = best;
    if (best >= 0) ++out.confident_joint[labels[idx]][static_cast<size_t>(best)];
  }
  // Calibrate rows to the label counts, then normalise to a joint.
  out.joint.assign(classes, std::vector<double>(classes, 0.0));
  double total = 0;
  for (size_t given = 0; given < classes; ++given) {
    const double row = static_cast<double>(std::accumulate(out.confident_joint[given].begin(),
                                                           out.confident_joint[given].end(), size_t{0}));
    for (size_t truth = 0; truth < classes && row > 0; ++truth) {
      out.joint[given][truth] = static_cast<double>(out.confident_joint[given][truth]) / row *
                                static_cast<double>(label_counts[given]);
      total += out.joint[given][truth];
    }
  }
  for (auto& row : out.joint) {
    for (double& cell : row) cell = total > 0 ? cell / total : 0.0;
  }
  const double examples = static_cast<double>(n);
  std::set<size_t> by_noise_rate, by_class, chosen;
  if (method == PruneMethod::kPruneByNoiseRate || method == PruneMethod::kBoth) {
    for (size_t given = 0; given < classes; ++given) {
      for (size_t truth = 0; truth < classes; ++truth) {
        if (truth == given) continue;
        const auto count = static_cast<size_t>(std::llround(examples * out.joint[given][truth]));
        const auto ranked = Ranked(labels, given, [&](size_t idx) {
          return pred_probs[idx][truth] - pred_probs[idx][given];
        });
        for (size_t pos = 0; pos < std::min(count, ranked.size()); ++pos) by_noise_rate.insert(ranked[pos]);
      }
    }
  }
  if (method == PruneMethod::kPruneByClass || method == PruneMethod::kBoth) {
    for (size_t given = 0; given < classes; ++given) {
      double off_diagonal = 0;
      for (size_t truth = 0; truth < classes; ++truth) off_diagonal += truth == given ? 0 : out.joint[given][truth];
      const auto count = static_cast<size_t>(std::llround(examples * off_diagonal));
      const auto ranked = Ranked(labels, given, [&](size_t idx) { return -pred_probs[idx][given]; });
      for (size_t pos = 0; pos < std::min(count, ranked.size()); ++pos) by_class.insert(ranked[pos]);
    }
  }
  switch (method) {
    case PruneMethod::kConfidentJoint:
      for (size_t idx = 0; idx < n; ++idx) {
        if (confident_class[idx] >= 0 && static_cast<size_t>(confident_class[idx]) != labels[idx]) chosen.insert(idx);
      }
      break;
    case PruneMethod::kPruneByNoiseRate: chosen = by_noise_rate; break;
    case PruneMethod::kPruneByClass: chosen = by_class; break;
    case PruneMethod::kBoth:
      std::set_intersection(by_noise_rate.begin(), by_noise_rate.end(), by_class.begin(),
                            by_class.end(), std::inserter(chosen, chosen.begin()));
      break;
  }
  TESSERA_ASSIGN_OR_RETURN(std::vector<double> margins,
                           LabelQualityScores(labels, pred_probs, LabelQualityMethod::kNormalizedMargin));
  for (size_t idx : chosen) {
    out.issues.push_back(
        {idx, labels[idx], ArgMax(pred_probs[idx]), pred_probs[idx][labels[idx]], margins[idx]});
  }
  std::stable_sort(out.issues.begin(), out.issues.end(), [](const LabelIssue& a, const LabelIssue& b) {
    return a.self_confidence < b.self_confidence;
  });
  return out;
}

}  // namespace tessera::quality
