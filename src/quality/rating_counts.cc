#include "src/quality/rating_counts.h"

#include <algorithm>
#include <string>

namespace tessera::quality::internal {

Status CheckTable(const RatingTable& table) {
  if (table.empty()) return Status::InvalidArgument("rating table has no items");
  const size_t annotators = table.front().size();
  for (size_t item = 0; item < table.size(); ++item) {
    if (table[item].size() != annotators) {
      return Status::InvalidArgument("rating table row " + std::to_string(item) + " has " +
                                     std::to_string(table[item].size()) +
                                     " annotators; row 0 has " + std::to_string(annotators));
    }
    for (const Rating& rating : table[item]) {
      if (rating && !std::isfinite(*rating)) {
        return Status::InvalidArgument("rating table row " + std::to_string(item) +
                                       " holds a non-finite rating; use std::nullopt for missing");
      }
    }
  }
  return Status::Ok();
}

Result<std::vector<double>> ResolveCategories(const RatingTable& table,
                                              const std::vector<double>& given) {
  std::vector<double> categories = given;
  if (categories.empty()) {
    for (const auto& row : table) {
      for (const Rating& rating : row) {
        if (rating) categories.push_back(*rating);
      }
    }
  }
  std::sort(categories.begin(), categories.end());
  categories.erase(std::unique(categories.begin(), categories.end()), categories.end());
  if (!given.empty()) {
    for (const auto& row : table) {
      for (const Rating& rating : row) {
        if (rating && !std::binary_search(categories.begin(), categories.end(), *rating)) {
          return Status::InvalidArgument("rating " + std::to_string(*rating) +
                                         " is not one of the given categories");
        }
      }
    }
  }
  return categories;
}

size_t CategoryIndex(const std::vector<double>& categories, double value) {
  return static_cast<size_t>(std::lower_bound(categories.begin(), categories.end(), value) -
                             categories.begin());
}

Result<CountTable> CountRatings(const RatingTable& table, const CategoryOptions& options) {
  TESSERA_RETURN_IF_ERROR(CheckTable(table));
  CountTable out;
  TESSERA_ASSIGN_OR_RETURN(out.categories, ResolveCategories(table, options.categories));
  const size_t q = out.categories.size();
  out.counts.assign(table.size(), std::vector<double>(q, 0.0));
  out.totals.assign(table.size(), 0.0);
  for (size_t item = 0; item < table.size(); ++item) {
    for (const Rating& rating : table[item]) {
      if (!rating) continue;
      out.counts[item][CategoryIndex(out.categories, *rating)] += 1;
      out.totals[item] += 1;
    }
  }
  return out;
}

std::vector<std::vector<double>> WeightMatrix(Weighting weighting, size_t q) {
  std::vector<std::vector<double>> weights(q, std::vector<double>(q, 0.0));
  const double span = q > 1 ? static_cast<double>(q - 1) : 1.0;
  for (size_t row = 0; row < q; ++row) {
    for (size_t col = 0; col < q; ++col) {
      const double distance = std::abs(static_cast<double>(row) - static_cast<double>(col)) / span;
      switch (weighting) {
        case Weighting::kNone: weights[row][col] = row == col ? 1.0 : 0.0; break;
        case Weighting::kLinear: weights[row][col] = 1.0 - distance; break;
        case Weighting::kQuadratic: weights[row][col] = 1.0 - distance * distance; break;
      }
    }
  }
  return weights;
}

double ChanceCorrected(double observed, double expected) {
  if (std::abs(1.0 - expected) < 1e-12) return kNaN;
  return (observed - expected) / (1.0 - expected);
}

}  // namespace tessera::quality::internal
