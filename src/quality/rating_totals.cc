// Running totals of a rating table and the statistics computed from them
// (see RatingTotals in tessera/quality.h). The formulas are those of the
// table versions (agreement_kappa.cc, per_label_agreement.cc,
// krippendorff.cc), with each per-item sum regrouped by the item's number of
// ratings m: sum_i f(r_i) g(r_ik) = sum_m f(m) sum_{i: r_i = m} g(r_ik).
#include <algorithm>
#include <cmath>
#include <string>

#include "src/quality/rating_counts.h"
#include "tessera/quality.h"

namespace tessera::quality {

using internal::ChanceCorrected;

uint32_t RatingTotals::Code(double value) {
  value += 0.0;  // -0.0 and 0.0 are one value, as in the table versions
  auto [it, fresh] = codes_.try_emplace(value, static_cast<uint32_t>(values_.size()));
  if (fresh) values_.push_back(value);
  return it->second;
}

void RatingTotals::Apply(const std::vector<double>& ratings, int sign) {
  if (ratings.empty()) return;
  // The item's distinct values and how often each was given (an item has a
  // handful of ratings: a linear scan).
  std::vector<std::pair<uint32_t, int64_t>> counts;
  for (double value : ratings) {
    if (!std::isfinite(value)) {
      non_finite_ += sign;
      continue;
    }
    const uint32_t code = Code(value);
    auto it = std::find_if(counts.begin(), counts.end(), [code](const auto& c) { return c.first == code; });
    if (it == counts.end()) counts.emplace_back(code, 1);
    else ++it->second;
  }
  Group& group = groups_[ratings.size()];
  group.items += sign;
  if (group.given.size() < values_.size()) {
    group.given.resize(values_.size(), 0);
    group.agreeing.resize(values_.size(), 0);
  }
  for (size_t i = 0; i < counts.size(); ++i) {
    const auto [c, n] = counts[i];
    group.given[c] += sign * n;
    group.agreeing[c] += sign * n * (n - 1);
    for (size_t j = i + 1; j < counts.size(); ++j) {
      const auto key = std::minmax(c, counts[j].first);
      auto [cell, fresh] = group.cross.try_emplace({key.first, key.second}, 0);
      cell->second += sign * n * counts[j].second;
      if (cell->second == 0) group.cross.erase(cell);
    }
  }
  if (group.items == 0) groups_.erase(ratings.size());
}

size_t RatingTotals::items(size_t min_ratings) const {
  int64_t n = 0;
  for (auto it = groups_.lower_bound(std::max<size_t>(min_ratings, 1)); it != groups_.end(); ++it) {
    n += it->second.items;
  }
  return static_cast<size_t>(n);
}

std::vector<int64_t> RatingTotals::given() const {
  std::vector<int64_t> given(values_.size(), 0);
  for (const auto& [m, group] : groups_) {
    for (size_t c = 0; c < group.given.size(); ++c) given[c] += group.given[c];
  }
  return given;
}

namespace {

// What the statistics share: the values in ascending order (those given at
// least once, as a table's categories are the values it holds), each with
// its code, and the errors of the table versions.
struct Sorted {
  std::vector<double> values;
  std::vector<uint32_t> codes;
};

int64_t At(const std::vector<int64_t>& sums, uint32_t code) {
  return code < sums.size() ? sums[code] : 0;
}

Result<Sorted> Prepare(const RatingTotals& totals) {
  if (totals.non_finite() != 0) {
    return Status::InvalidArgument("rating totals hold a non-finite rating; leave missing ratings out");
  }
  if (totals.items() == 0) return Status::InvalidArgument("rating table has no items");
  if (totals.items(2) == 0) {
    return Status::InvalidArgument("no item has ratings from two or more annotators");
  }
  const std::vector<int64_t> given = totals.given();
  Sorted out;
  for (uint32_t c = 0; c < given.size(); ++c) {
    if (given[c] > 0) out.codes.push_back(c);
  }
  std::sort(out.codes.begin(), out.codes.end(),
            [&](uint32_t a, uint32_t b) { return totals.values()[a] < totals.values()[b]; });
  for (uint32_t c : out.codes) out.values.push_back(totals.values()[c]);
  return out;
}

// p_a = mean over items with r_i >= 2 of sum_k r_ik (r_ik - 1) / (r_i (r_i - 1)).
double Observed(const RatingTotals& totals, const Sorted& sorted) {
  double observed = 0;
  for (const auto& [m, group] : totals.groups()) {
    if (m < 2) continue;
    int64_t agreeing = 0;
    for (uint32_t c : sorted.codes) agreeing += At(group.agreeing, c);
    observed += static_cast<double>(agreeing) / (static_cast<double>(m) * (static_cast<double>(m) - 1.0));
  }
  return observed / static_cast<double>(totals.items(2));
}

// pi_k = mean over rated items of r_ik / r_i, in sorted order.
std::vector<double> Shares(const RatingTotals& totals, const Sorted& sorted) {
  std::vector<double> pi(sorted.codes.size(), 0.0);
  for (const auto& [m, group] : totals.groups()) {
    for (size_t k = 0; k < sorted.codes.size(); ++k) {
      pi[k] += static_cast<double>(At(group.given, sorted.codes[k])) / static_cast<double>(m);
    }
  }
  for (double& share : pi) share /= static_cast<double>(totals.items());
  return pi;
}

}  // namespace

Result<double> PercentAgreement(const RatingTotals& totals) {
  TESSERA_ASSIGN_OR_RETURN(Sorted sorted, Prepare(totals));
  return Observed(totals, sorted);
}

Result<Coefficient> FleissKappa(const RatingTotals& totals) {
  TESSERA_ASSIGN_OR_RETURN(Sorted sorted, Prepare(totals));
  Coefficient out;
  out.observed = Observed(totals, sorted);
  out.items = totals.items(2);
  for (double share : Shares(totals, sorted)) out.expected += share * share;
  out.value = ChanceCorrected(out.observed, out.expected);
  return out;
}

Result<std::vector<LabelAgreement>> PerLabelAgreement(const RatingTotals& totals) {
  TESSERA_ASSIGN_OR_RETURN(Sorted sorted, Prepare(totals));
  const std::vector<double> shares = Shares(totals, sorted);
  const double pair_items = static_cast<double>(totals.items(2));
  std::vector<LabelAgreement> out(sorted.codes.size());
  for (size_t k = 0; k < sorted.codes.size(); ++k) {
    const uint32_t c = sorted.codes[k];
    LabelAgreement& label = out[k];
    label.category = sorted.values[k];
    int64_t agreeing = 0, possible = 0;
    double observed = 0;
    for (const auto& [m, group] : totals.groups()) {
      const int64_t in = At(group.given, c), same = At(group.agreeing, c);
      label.ratings += static_cast<size_t>(in);
      if (m < 2) continue;
      const auto pairs = static_cast<int64_t>(m) * (static_cast<int64_t>(m) - 1);
      agreeing += same;
      possible += in * (static_cast<int64_t>(m) - 1);
      // sum_i in (in - 1) + rest (rest - 1), rest = m - in, is
      // 2 sum in (in - 1) + items m (m - 1) - 2 (m - 1) sum in.
      const int64_t both = 2 * same + group.items * pairs - 2 * (static_cast<int64_t>(m) - 1) * in;
      observed += static_cast<double>(both) / static_cast<double>(pairs);
    }
    label.specific_agreement =
        possible > 0 ? static_cast<double>(agreeing) / static_cast<double>(possible) : internal::kNaN;
    observed /= pair_items;
    const double share = shares[k];
    label.kappa = ChanceCorrected(observed, share * share + (1 - share) * (1 - share));
  }
  return out;
}

Result<Alpha> KrippendorffAlpha(const RatingTotals& totals, Level level) {
  TESSERA_ASSIGN_OR_RETURN(Sorted sorted, Prepare(totals));
  // Coincidences o_ck = sum over units with m >= 2 of n_c n_k / (m - 1)
  // (n_c (n_c - 1) / (m - 1) on the diagonal), in sorted order.
  const size_t q = sorted.codes.size();
  std::vector<size_t> position(totals.values().size(), q);
  for (size_t k = 0; k < q; ++k) position[sorted.codes[k]] = k;
  std::vector<double> coincidence(q * q, 0.0);
  for (const auto& [m, group] : totals.groups()) {
    if (m < 2) continue;
    const double weight = static_cast<double>(m) - 1.0;
    for (size_t k = 0; k < q; ++k) {
      coincidence[k * q + k] += static_cast<double>(At(group.agreeing, sorted.codes[k])) / weight;
    }
    for (const auto& [pair, count] : group.cross) {
      const size_t a = position[pair.first], b = position[pair.second];
      coincidence[a * q + b] += static_cast<double>(count) / weight;
      coincidence[b * q + a] += static_cast<double>(count) / weight;
    }
  }
  return internal::AlphaFromCoincidences(sorted.values, coincidence, level);
}

}  // namespace tessera::quality
