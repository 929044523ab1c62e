// Dawid & Skene (1979), "Maximum likelihood estimation of observer
// error-rates using the EM algorithm", Applied Statistics 28(1):20-28.
//
// Layout. The ratings are coded once (EncodeRatings, from a dense or a
// sparse table; Fit sees only each item's (annotator, code) pairs, so both
// run the same iterations). Annotators are then taken G at a time
// (consecutive columns; G = 1 when fewer than half the cells hold a label,
// up to 4 for fuller tables with few classes): the labels an item has from one group
// form a tuple, and every (group, tuple) pair owns a K-wide row, K the number
// of classes, in flat tables rebuilt once per iteration:
//  * E-step: joint[item][true] *= factors[row][true], the product of the
//    group members' confusion entries pi^(annotator)_{true, given};
//  * M-step: counts[row][true] += posterior[item][true], summed into the
//    per-annotator confusion counts [annotator][given][true] afterwards.
// So with 10 annotators and G = 3 an item costs 4 row operations per step
// instead of 10. Each item keeps the offsets of its rows; rows are padded to
// an even length so that 16-byte loads of them never straddle a cache line.
// Everything is flat arrays; nothing is allocated per item or per iteration.
//
// The E-step multiplies probabilities instead of adding their logs: an
// item's joint prior_k prod_j pi_kl is a product of a few factors <= 1, exact
// to a few ulps as long as it stays a normal double, and it saves one exp()
// per item and class, which would otherwise dominate the run time. Where a
// product could have lost precision to underflow, the log-space formula takes
// over: for an item whose evidence sum_k joint_k is below 1e-200 (hundreds of
// labels, or confusion entries near 0 without smoothing) entirely, and for a
// class whose joint is below 1e-290 (e.g. a category nobody used, whose prior
// is ~0) that class's posterior exp(log joint_k - log evidence). So posteriors
// agree with the all-logs computation to rounding, tiny and zero ones
// included. The log-likelihood sum_i log(evidence_i) is kept as a product
// with a separate binary exponent and one log at the end.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <string>
#include <utility>

#include "src/quality/rating_counts.h"
#include "tessera/quality.h"

namespace tessera::quality {
namespace {

// Probabilities are floored here before they enter a product or a log, so
// that impossible events stay finite (log(1e-300) = -690.8).
constexpr double kFloor = 1e-300;

// Below this evidence an item is recomputed in log space (see above).
constexpr double kProductMin = 1e-200;
// Joints below this may have lost precision (normal doubles end at 2.2e-308).
constexpr double kJointMin = 1e-290;

// prod_i x_i for positive normal x_i, as value * 2^exponent so that it never
// under- or overflows; Log() is sum_i log(x_i).
class ScaledProduct {
 public:
  void Multiply(double x) {
    value_ *= Split(x);
    if (value_ > 0x1p+500) value_ = Split(value_);
  }
  double Log() const {
    return std::log(value_) + static_cast<double>(exponent_) * std::numbers::ln2;
  }

 private:
  // Returns the mantissa of x in [1, 2) and adds its exponent to exponent_.
  double Split(double x) {
    const auto bits = std::bit_cast<uint64_t>(x);
    exponent_ += static_cast<int64_t>(bits >> 52) - 1023;
    return std::bit_cast<double>((bits & ((uint64_t{1} << 52) - 1)) | (uint64_t{1023} << 52));
  }

  double value_ = 1;
  int64_t exponent_ = 0;
};

// Every item's labels, items in order, as the offsets (row * stride) of the
// rows of their (group, tuple) pairs in the tables below.
struct Labels {
  std::vector<size_t> begin;  // [item + 1]: the item's rows are [begin[item], begin[item+1])
  std::vector<uint32_t> rows;
  size_t items() const { return begin.size() - 1; }
};

// Annotators g * size .. g * size + size - 1 form group g. A tuple codes
// their labels in base K + 1, member m's label (or K, missing) being digit m.
struct Grouping {
  size_t size = 1;    // annotators per group
  size_t groups = 0;
  size_t radix = 0;   // K + 1
  size_t tuples = 0;  // radix^size: rows per group
  size_t stride = 0;  // of the rows of every table

  // Digit m of `tuple`: a label, or K (radix - 1) for missing.
  size_t Digit(size_t tuple, size_t m) const {
    for (; m > 0; --m) tuple /= radix;
    return tuple % radix;
  }
};

// Group size: a group's table has (K + 1)^G rows, so grouping pays when items
// carry labels from most annotators and while the tables stay small.
Grouping ChooseGrouping(size_t classes, size_t annotators, size_t labels, size_t items) {
  constexpr size_t kMaxTuples = 256;            // rows per group
  constexpr size_t kMaxTableBytes = 256 << 10;  // per table
  Grouping grouping;
  grouping.radix = classes + 1;
  grouping.stride = classes + classes % 2;
  auto fits = [&](size_t size) {
    size_t tuples = 1;
    for (size_t m = 0; m < size; ++m) tuples *= grouping.radix;
    const size_t groups = (annotators + size - 1) / size;
    const size_t table_bytes = groups * tuples * grouping.stride * sizeof(double);
    return tuples <= kMaxTuples && table_bytes <= kMaxTableBytes;
  };
  const bool dense = 2 * labels >= items * annotators;
  while (dense && grouping.size < 4 && grouping.size < annotators && fits(grouping.size + 1)) {
    ++grouping.size;
  }
  grouping.groups = (annotators + grouping.size - 1) / grouping.size;
  grouping.tuples = 1;
  for (size_t m = 0; m < grouping.size; ++m) grouping.tuples *= grouping.radix;
  return grouping;
}

// The E-step's inputs, rebuilt after every M-step.
struct Tables {
  std::vector<double> priors;       // [true]
  std::vector<double> prior_floor;  // max(prior, kFloor)
  std::vector<double> log_priors;   // log of prior_floor
  // [row * stride + true]: the product over the tuple's members of
  // max(pi_{true, given}, kFloor), and the sum of their logs.
  std::vector<double> factors;
  std::vector<double> log_factors;
  // Items with at most this many rows need no check for tiny joints:
  // min(prior_floor) * min(factors)^rows >= kJointMin.
  size_t safe_rows = 0;
};

// Tables::factors and log_factors from the annotators' floored confusion
// entries and their logs ([annotator][given][true], stride-wide rows).
void BuildTupleRows(const Grouping& grouping, size_t annotators, size_t K,
                    const std::vector<double>& floored, const std::vector<double>& log_floored,
                    Tables* tables) {
  for (size_t group = 0; group < grouping.groups; ++group) {
    for (size_t tuple = 0; tuple < grouping.tuples; ++tuple) {
      double* product = &tables->factors[(group * grouping.tuples + tuple) * grouping.stride];
      double* log_sum = &tables->log_factors[(group * grouping.tuples + tuple) * grouping.stride];
      std::fill(product, product + K, 1.0);
      std::fill(log_sum, log_sum + K, 0.0);
      for (size_t m = 0; m < grouping.size; ++m) {
        const size_t given = grouping.Digit(tuple, m), ann = group * grouping.size + m;
        if (given == K || ann >= annotators) continue;
        const size_t row = (ann * K + given) * grouping.stride;
        for (size_t k = 0; k < K; ++k) {
          product[k] *= floored[row + k];
          log_sum[k] += log_floored[row + k];
        }
      }
    }
  }
}

// Calls f(k) for every class k < K: a plain loop, or, when the class count
// kFixed is a compile-time constant, K inlined calls with constant k, so that
// an item's K values live in registers.
template <size_t kFixed, typename F>
inline void ForClasses(size_t classes, F&& f) {
  if constexpr (kFixed > 0) {
    [&]<size_t... k>(std::index_sequence<k...>) {
      (f(k), ...);
    }(std::make_index_sequence<kFixed>());
  } else {
    for (size_t k = 0; k < classes; ++k) f(k);
  }
}

// K doubles of scratch: on the stack when K is fixed.
template <size_t kFixed>
class Scratch {
 public:
  explicit Scratch(size_t /*classes*/) {}
  double* data() { return values_.data(); }

 private:
  std::array<double, kFixed> values_{};
};
template <>
class Scratch<0> {
 public:
  explicit Scratch(size_t classes) : values_(classes) {}
  double* data() { return values_.data(); }

 private:
  std::vector<double> values_;
};

// The passes over the labels. kFixed > 0 fixes the class count at compile
// time; kFixed == 0 takes it from `classes`.
template <size_t kFixed>
struct Passes {
  // The sums the M-step needs from `posterior`: class_sums[k] += p_ik over
  // rated items and counts[row][k] += p_ik over the item's tuple rows.
  static void Accumulate(const Labels& labels, size_t classes, const double* posterior,
                         double* counts, double* class_sums) {
    const size_t K = kFixed ? kFixed : classes;
    for (size_t item = 0; item < labels.items(); ++item) {
      const size_t first = labels.begin[item], last = labels.begin[item + 1];
      if (first == last) continue;
      const double* p = posterior + item * K;
      ForClasses<kFixed>(K, [&](size_t k) { class_sums[k] += p[k]; });
      for (size_t r = first; r < last; ++r) {
        double* row = counts + labels.rows[r];
        ForClasses<kFixed>(K, [&](size_t k) { row[k] += p[k]; });
      }
    }
  }

  // The E-step, returning the log-likelihood and writing the new posteriors
  // (unless `posterior` is null: only the last iteration's are returned),
  // fused with Accumulate on those posteriors for the next M-step (skipped
  // when `counts` is null) so that the labels are read once per iteration.
  // Each count row receives its terms in item order either way.
  static double Expect(const Labels& labels, size_t classes, const Tables& tables,
                       double* posterior, double* counts, double* class_sums) {
    const size_t K = kFixed ? kFixed : classes;
    Scratch<kFixed> joint_scratch(K), sums_scratch(K);
    double* joint = joint_scratch.data();
    double* sums = sums_scratch.data();
    ScaledProduct evidence;   // product over items of the evidence
    double log_evidence = 0;  // sum over the items done in log space
    for (size_t item = 0; item < labels.items(); ++item) {
      const size_t first = labels.begin[item], last = labels.begin[item + 1];
      if (first == last) {
        if (posterior) std::copy(tables.priors.begin(), tables.priors.end(), posterior + item * K);
        continue;
      }
      ForClasses<kFixed>(K, [&](size_t k) { joint[k] = tables.prior_floor[k]; });
      const double* factors = tables.factors.data();
      for (size_t r = first; r < last; ++r) {
        const double* row = factors + labels.rows[r];
        ForClasses<kFixed>(K, [&](size_t k) { joint[k] *= row[k]; });
      }
      double total = 0;
      ForClasses<kFixed>(K, [&](size_t k) { total += joint[k]; });
      if (total >= kProductMin) {
        bool tiny = false;  // some joint may have lost precision
        if (last - first > tables.safe_rows) {
          ForClasses<kFixed>(K, [&](size_t k) { tiny |= joint[k] < kJointMin; });
        }
        const double scale = 1.0 / total;
        if (!tiny) {
          ForClasses<kFixed>(K, [&](size_t k) { joint[k] *= scale; });
        } else {
          const double log_total = std::log(total);
          for (size_t k = 0; k < K; ++k) {
            joint[k] = joint[k] >= kJointMin
                           ? joint[k] * scale
                           : std::exp(LogJoint(labels, tables, item, k) - log_total);
          }
        }
        evidence.Multiply(total);
      } else {
        log_evidence += ExpectInLogSpace(labels, K, tables, item, joint);
      }
      ForClasses<kFixed>(K, [&](size_t k) { sums[k] += joint[k]; });
      if (posterior) std::copy(joint, joint + K, posterior + item * K);
      if (counts == nullptr) continue;
      for (size_t r = first; r < last; ++r) {
        double* row = counts + labels.rows[r];
        ForClasses<kFixed>(K, [&](size_t k) { row[k] += joint[k]; });
      }
    }
    for (size_t k = 0; k < K; ++k) class_sums[k] += sums[k];
    return evidence.Log() + log_evidence;
  }

  // log p_k + sum_j log pi_kl for one item and class (the log rows hold the
  // sums over each tuple's members).
  static double LogJoint(const Labels& labels, const Tables& tables, size_t item, size_t k) {
    double sum = tables.log_priors[k];
    for (size_t r = labels.begin[item]; r < labels.begin[item + 1]; ++r) {
      sum += tables.log_factors[labels.rows[r] + k];
    }
    return sum;
  }

  // An item's posterior in log space: log p_k + sum_j log pi_kl, normalised
  // by the peak. Returns the item's log evidence.
  static double ExpectInLogSpace(const Labels& labels, size_t K, const Tables& tables, size_t item,
                                 double* posterior) {
    for (size_t k = 0; k < K; ++k) posterior[k] = tables.log_priors[k];
    for (size_t r = labels.begin[item]; r < labels.begin[item + 1]; ++r) {
      const double* row = tables.log_factors.data() + labels.rows[r];
      for (size_t k = 0; k < K; ++k) posterior[k] += row[k];
    }
    const double peak = *std::max_element(posterior, posterior + K);
    double total = 0;
    for (size_t k = 0; k < K; ++k) {
      posterior[k] = std::exp(posterior[k] - peak);
      total += posterior[k];
    }
    for (size_t k = 0; k < K; ++k) posterior[k] /= total;
    return peak + std::log(total);
  }
};

using AccumulateFn = void (*)(const Labels&, size_t, const double*, double*, double*);
using ExpectFn = double (*)(const Labels&, size_t, const Tables&, double*, double*, double*);

template <size_t kFixed>
std::pair<AccumulateFn, ExpectFn> PassesFor() {
  return {&Passes<kFixed>::Accumulate, &Passes<kFixed>::Expect};
}

// Unrolled passes for up to 8 classes, the generic ones beyond.
std::pair<AccumulateFn, ExpectFn> SelectPasses(size_t classes) {
  switch (classes) {
    case 2: return PassesFor<2>();
    case 3: return PassesFor<3>();
    case 4: return PassesFor<4>();
    case 5: return PassesFor<5>();
    case 6: return PassesFor<6>();
    case 7: return PassesFor<7>();
    case 8: return PassesFor<8>();
    default: return PassesFor<0>();
  }
}

Status CheckOptions(const DawidSkeneOptions& options, size_t items) {
  if (!(options.smoothing >= 0)) return Status::InvalidArgument("smoothing must be >= 0");
  if (options.max_iterations < 1) return Status::InvalidArgument("max_iterations must be >= 1");
  if (!options.gold.empty() && options.gold.size() != items) {
    return Status::InvalidArgument("gold must be empty or hold one entry per item (" +
                                   std::to_string(items) + ")");
  }
  return Status::Ok();
}

// The EM on coded ratings, for dense and sparse tables alike:
// for_each_rating(item, f) calls f(annotator, code) for each of the item's
// `label_count` ratings in all, by ascending annotator.
template <typename ForEachRating>
Result<DawidSkeneResult> Fit(std::vector<double> categories, size_t items, size_t annotators,
                             size_t label_count, const DawidSkeneOptions& options,
                             ForEachRating&& for_each_rating) {
  DawidSkeneResult out;
  out.categories = std::move(categories);
  const size_t K = out.categories.size();
  if (K == 0) return Status::InvalidArgument("the rating table holds no ratings");
  for (const Rating& gold : options.gold) {
    if (gold && !std::binary_search(out.categories.begin(), out.categories.end(), *gold)) {
      return Status::InvalidArgument("gold label " + std::to_string(*gold) + " is not a category");
    }
  }
  const Grouping grouping = ChooseGrouping(K, annotators, label_count, items);
  const size_t stride = grouping.stride;
  const size_t rows = grouping.groups * grouping.tuples;  // of the tuple tables
  if (rows * stride > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument("too many annotators x classes for Dawid-Skene (" +
                                   std::to_string(annotators) + " x " + std::to_string(K) + ")");
  }

  // Each item's tuple rows, and the initial posteriors: vote shares, or
  // one-hot gold. A group's tuple starts as all digits missing (K); member
  // m's label c lowers digit m from K to c.
  std::vector<size_t> place(grouping.size);  // radix^m
  size_t all_missing = 0;
  for (size_t m = 0, power = 1; m < grouping.size; ++m, power *= grouping.radix) {
    place[m] = power;
    all_missing += K * power;
  }
  Labels labels;
  labels.begin.reserve(items + 1);
  labels.begin.push_back(0);
  labels.rows.reserve(label_count);
  std::vector<double> posterior(items * K, 0.0);  // [item][class]
  size_t rated_items = 0;
  for (size_t item = 0; item < items; ++item) {
    double* p = &posterior[item * K];
    size_t count = 0;
    size_t group = SIZE_MAX, tuple = 0;  // the group being filled
    auto close_group = [&] {
      if (group == SIZE_MAX) return;
      labels.rows.push_back(static_cast<uint32_t>((group * grouping.tuples + tuple) * stride));
    };
    for_each_rating(item, [&](size_t ann, uint32_t given) {
      if (ann / grouping.size != group) {
        close_group();
        group = ann / grouping.size;
        tuple = all_missing;
      }
      tuple -= (K - given) * place[ann % grouping.size];
      p[given] += 1;
      ++count;
    });
    close_group();
    labels.begin.push_back(labels.rows.size());
    if (count > 0) ++rated_items;
    for (size_t k = 0; k < K; ++k) p[k] = count > 0 ? p[k] / static_cast<double>(count) : 1.0 / K;
    if (!options.gold.empty() && options.gold[item]) {
      std::fill(p, p + K, 0.0);
      p[internal::CategoryIndex(out.categories, *options.gold[item])] = 1.0;
    }
  }

  const auto [accumulate, expect] = SelectPasses(K);
  // Per annotator, [annotator][given][true]: the confusion counts, pi, and
  // max(pi, kFloor) with its log.
  const size_t cells = annotators * K;
  std::vector<double> counts(cells * stride), confusion(cells * stride);
  std::vector<double> floored(cells * stride), log_floored(cells * stride);
  std::vector<double> tuple_counts(rows * stride, 0.0);  // per tuple row
  std::vector<double> class_sums(K, 0.0);
  accumulate(labels, K, posterior.data(), tuple_counts.data(), class_sums.data());
  Tables tables;
  tables.priors.assign(K, 1.0 / K);
  tables.prior_floor.resize(K);
  tables.log_priors.resize(K);
  tables.factors.resize(rows * stride);
  tables.log_factors.resize(rows * stride);
  double previous = -std::numeric_limits<double>::infinity();
  for (out.iterations = 1; out.iterations <= options.max_iterations; ++out.iterations) {
    // M-step: priors and confusion matrices from the sums over the current
    // posteriors, with `smoothing` pseudo-counts in every cell. A member's
    // count for label `given` sums the tuples whose digit is `given`.
    double min_prior = 1;
    for (size_t k = 0; k < K; ++k) {
      tables.priors[k] = rated_items > 0 ? class_sums[k] / static_cast<double>(rated_items) : 0.0;
      tables.prior_floor[k] = std::max(tables.priors[k], kFloor);
      tables.log_priors[k] = std::log(tables.prior_floor[k]);
      min_prior = std::min(min_prior, tables.prior_floor[k]);
    }
    std::fill(counts.begin(), counts.end(), options.smoothing);
    for (size_t group = 0; group < grouping.groups; ++group) {
      for (size_t tuple = 0; tuple < grouping.tuples; ++tuple) {
        const double* sums = &tuple_counts[(group * grouping.tuples + tuple) * stride];
        for (size_t m = 0; m < grouping.size; ++m) {
          const size_t given = grouping.Digit(tuple, m), ann = group * grouping.size + m;
          if (given == K || ann >= annotators) continue;
          double* cell = &counts[(ann * K + given) * stride];
          for (size_t k = 0; k < K; ++k) cell[k] += sums[k];
        }
      }
    }
    for (size_t ann = 0; ann < annotators; ++ann) {
      for (size_t truth = 0; truth < K; ++truth) {
        // Row `truth` of the annotator's matrix: the cells over `given`.
        auto at = [&](size_t given) { return (ann * K + given) * stride + truth; };
        double total = 0;
        for (size_t given = 0; given < K; ++given) total += counts[at(given)];
        for (size_t given = 0; given < K; ++given) {
          const size_t cell = at(given);
          confusion[cell] = total > 0 ? counts[cell] / total : 1.0 / K;
          floored[cell] = std::max(confusion[cell], kFloor);
          log_floored[cell] = std::log(floored[cell]);
        }
      }
    }
    BuildTupleRows(grouping, annotators, K, floored, log_floored, &tables);
    double min_factor = 1;
    for (size_t row = 0; row < rows; ++row) {
      for (size_t k = 0; k < K; ++k) {
        min_factor = std::min(min_factor, tables.factors[row * stride + k]);
      }
    }
    // The most rows an item can have before some joint might drop below
    // kJointMin (min_factor may be 0 if a tuple's product underflowed).
    const double safe = min_factor < 1 ? (std::log(kJointMin) - std::log(min_prior)) /
                                             std::log(min_factor)
                                       : std::numeric_limits<double>::infinity();
    tables.safe_rows = safe >= 1e9 ? size_t{1000000000} : safe >= 0 ? static_cast<size_t>(safe) : 0;
    // E-step: the log-likelihood of the parameters just fitted and the next
    // M-step's sums, or on the last iteration the posteriors.
    const bool last = out.iterations == options.max_iterations;
    std::fill(tuple_counts.begin(), tuple_counts.end(), 0.0);
    std::fill(class_sums.begin(), class_sums.end(), 0.0);
    const double log_likelihood =
        expect(labels, K, tables, last ? posterior.data() : nullptr,
               last ? nullptr : tuple_counts.data(), class_sums.data());
    out.log_likelihood = log_likelihood;
    if (std::abs(log_likelihood - previous) < options.tolerance) {
      out.converged = true;
      // Converged early: the same E-step again, this time for the posteriors
      // (the sums it adds to class_sums are not used).
      if (!last) expect(labels, K, tables, posterior.data(), nullptr, class_sums.data());
      break;
    }
    previous = log_likelihood;
  }
  out.iterations = std::min(out.iterations, options.max_iterations);

  out.priors = tables.priors;
  out.confusion.assign(annotators, std::vector<std::vector<double>>(K, std::vector<double>(K)));
  for (size_t ann = 0; ann < annotators; ++ann) {
    for (size_t given = 0; given < K; ++given) {
      for (size_t truth = 0; truth < K; ++truth) {
        out.confusion[ann][truth][given] = confusion[(ann * K + given) * stride + truth];
      }
    }
  }
  out.posteriors.resize(items);
  out.labels.assign(items, std::nullopt);
  for (size_t item = 0; item < items; ++item) {
    const double* p = &posterior[item * K];
    out.posteriors[item].assign(p, p + K);
    if (labels.begin[item] == labels.begin[item + 1]) continue;
    out.labels[item] = out.categories[static_cast<size_t>(std::max_element(p, p + K) - p)];
  }
  return out;
}

}  // namespace

Result<DawidSkeneResult> DawidSkene(const RatingTable& table, const DawidSkeneOptions& options) {
  TESSERA_RETURN_IF_ERROR(CheckOptions(options, table.size()));
  TESSERA_ASSIGN_OR_RETURN(internal::CodedTable coded,
                           internal::EncodeRatings(table, options.categories));
  size_t label_count = 0;
  for (uint32_t code : coded.codes) label_count += code != internal::kMissingCode;
  const size_t annotators = coded.annotators;
  const uint32_t* codes = coded.codes.data();
  return Fit(std::move(coded.categories), coded.items, annotators, label_count, options,
             [&](size_t item, auto&& f) {
               const uint32_t* given = codes + item * annotators;
               for (size_t ann = 0; ann < annotators; ++ann) {
                 if (given[ann] != internal::kMissingCode) f(ann, given[ann]);
               }
             });
}

Result<DawidSkeneResult> DawidSkene(const SparseRatingTable& table,
                                    const DawidSkeneOptions& options) {
  TESSERA_RETURN_IF_ERROR(CheckOptions(options, table.items()));
  TESSERA_ASSIGN_OR_RETURN(internal::CodedRatings coded,
                           internal::EncodeRatings(table, options.categories));
  const uint32_t* codes = coded.codes.data();
  return Fit(std::move(coded.categories), table.items(), table.annotators, table.ratings(), options,
             [&](size_t item, auto&& f) {
               for (size_t e = table.item_start[item]; e < table.item_start[item + 1]; ++e) {
                 f(table.annotator[e], codes[e]);
               }
             });
}

}  // namespace tessera::quality
