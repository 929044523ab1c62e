// Dawid & Skene (1979), "Maximum likelihood estimation of observer
// error-rates using the EM algorithm", Applied Statistics 28(1):20-28.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "src/quality/rating_counts.h"
#include "tessera/quality.h"

namespace tessera::quality {
namespace {

// log of a probability, floored so that impossible events stay finite.
double SafeLog(double p) { return std::log(std::max(p, 1e-300)); }

}  // namespace

Result<DawidSkeneResult> DawidSkene(const RatingTable& table, const DawidSkeneOptions& options) {
  TESSERA_RETURN_IF_ERROR(internal::CheckTable(table));
  if (!(options.smoothing >= 0)) return Status::InvalidArgument("smoothing must be >= 0");
  if (options.max_iterations < 1) return Status::InvalidArgument("max_iterations must be >= 1");
  if (!options.gold.empty() && options.gold.size() != table.size()) {
    return Status::InvalidArgument("gold must be empty or hold one entry per item (" +
                                   std::to_string(table.size()) + ")");
  }
  DawidSkeneResult out;
  TESSERA_ASSIGN_OR_RETURN(out.categories, internal::ResolveCategories(table, options.categories));
  const size_t classes = out.categories.size();
  if (classes == 0) return Status::InvalidArgument("the rating table holds no ratings");
  for (const Rating& gold : options.gold) {
    if (gold && !std::binary_search(out.categories.begin(), out.categories.end(), *gold)) {
      return Status::InvalidArgument("gold label " + std::to_string(*gold) + " is not a category");
    }
  }
  const size_t items = table.size(), annotators = table.front().size();
  // given[item][annotator] = category index, or -1 when missing.
  std::vector<std::vector<int>> given(items, std::vector<int>(annotators, -1));
  std::vector<bool> rated(items, false);
  size_t rated_items = 0;
  out.posteriors.assign(items, std::vector<double>(classes, 0.0));
  for (size_t item = 0; item < items; ++item) {
    for (size_t ann = 0; ann < annotators; ++ann) {
      if (!table[item][ann]) continue;
      const size_t cls = internal::CategoryIndex(out.categories, *table[item][ann]);
      given[item][ann] = static_cast<int>(cls);
      out.posteriors[item][cls] += 1;
      rated[item] = true;
    }
    if (rated[item]) ++rated_items;
    // Initial posteriors: vote shares, or one-hot gold.
    double total = 0;
    for (double count : out.posteriors[item]) total += count;
    for (double& share : out.posteriors[item]) share = total > 0 ? share / total : 1.0 / classes;
    if (!options.gold.empty() && options.gold[item]) {
      std::fill(out.posteriors[item].begin(), out.posteriors[item].end(), 0.0);
      out.posteriors[item][internal::CategoryIndex(out.categories, *options.gold[item])] = 1.0;
    }
  }
  out.priors.assign(classes, 1.0 / classes);
  out.confusion.assign(annotators, std::vector<std::vector<double>>(classes, std::vector<double>(classes)));
  double previous = -std::numeric_limits<double>::infinity();
  for (out.iterations = 1; out.iterations <= options.max_iterations; ++out.iterations) {
    // M-step: priors and confusion matrices from the current posteriors.
    std::fill(out.priors.begin(), out.priors.end(), 0.0);
    for (auto& matrix : out.confusion) {
      for (auto& row : matrix) std::fill(row.begin(), row.end(), options.smoothing);
    }
    for (size_t item = 0; item < items; ++item) {
      if (!rated[item]) continue;
      for (size_t cls = 0; cls < classes; ++cls) {
        out.priors[cls] += out.posteriors[item][cls] / static_cast<double>(rated_items);
        for (size_t ann = 0; ann < annotators; ++ann) {
          if (given[item][ann] >= 0) {
            out.confusion[ann][cls][static_cast<size_t>(given[item][ann])] += out.posteriors[item][cls];
          }
        }
      }
    }
    for (auto& matrix : out.confusion) {
      for (auto& row : matrix) {
        double total = 0;
        for (double cell : row) total += cell;
        for (double& cell : row) cell = total > 0 ? cell / total : 1.0 / classes;
      }
    }
    // E-step: posteriors and the log-likelihood of the parameters just fitted.
    double log_likelihood = 0;
    for (size_t item = 0; item < items; ++item) {
      auto& posterior = out.posteriors[item];
      if (!rated[item]) {
        posterior = out.priors;
        continue;
      }
      std::vector<double> log_joint(classes);
      for (size_t cls = 0; cls < classes; ++cls) {
        log_joint[cls] = SafeLog(out.priors[cls]);
        for (size_t ann = 0; ann < annotators; ++ann) {
          if (given[item][ann] >= 0) {
            log_joint[cls] += SafeLog(out.confusion[ann][cls][static_cast<size_t>(given[item][ann])]);
          }
        }
      }
      const double peak = *std::max_element(log_joint.begin(), log_joint.end());
      double total = 0;
      for (size_t cls = 0; cls < classes; ++cls) total += std::exp(log_joint[cls] - peak);
      for (size_t cls = 0; cls < classes; ++cls) posterior[cls] = std::exp(log_joint[cls] - peak) / total;
      log_likelihood += peak + std::log(total);
    }
    out.log_likelihood = log_likelihood;
    if (std::abs(log_likelihood - previous) < options.tolerance) {
      out.converged = true;
      break;
    }
    previous = log_likelihood;
  }
  out.iterations = std::min(out.iterations, options.max_iterations);
  out.labels.assign(items, std::nullopt);
  for (size_t item = 0; item < items; ++item) {
    if (!rated[item]) continue;
    const auto& posterior = out.posteriors[item];
    out.labels[item] = out.categories[static_cast<size_t>(
        std::max_element(posterior.begin(), posterior.end()) - posterior.begin())];
  }
  return out;
}

}  // namespace tessera::quality
