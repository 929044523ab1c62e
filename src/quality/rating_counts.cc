#include "src/quality/rating_counts.h"

#include <algorithm>
#include <bit>
#include <numeric>
#include <string>

namespace tessera::quality::internal {
namespace {

Status EmptyTableError() { return Status::InvalidArgument("rating table has no items"); }

Status RaggedRowError(size_t item, size_t size, size_t annotators) {
  return Status::InvalidArgument("rating table row " + std::to_string(item) + " has " +
                                 std::to_string(size) + " annotators; row 0 has " +
                                 std::to_string(annotators));
}

Status NonFiniteError(size_t item) {
  return Status::InvalidArgument("rating table row " + std::to_string(item) +
                                 " holds a non-finite rating; use std::nullopt for missing");
}

Status UnknownCategoryError(double rating) {
  return Status::InvalidArgument("rating " + std::to_string(rating) +
                                 " is not one of the given categories");
}

// Rating values -> dense codes 0, 1, 2, ... in order of first insertion.
// Open addressing with linear probing over the value's bit pattern (-0.0 is
// folded into 0.0 first, so the two compare equal here as they do under
// operator==). A slot holds the key beside its code, so a probe is one load.
// Tables hold a handful of categories as a rule, so the table is kept at most
// half full and, while it is small, grown until no value is displaced from its
// home slot: then a lookup is one probe that always hits.
class ValueCodes {
 public:
  ValueCodes() { Resize(16); }

  // The code of `value`, or kMissingCode if it was never inserted.
  uint32_t Find(double value) const {
    const uint64_t key = Key(value);
    for (size_t slot = Home(key);; slot = (slot + 1) & mask_) {
      if (slots_[slot].code == kMissingCode || slots_[slot].key == key) return slots_[slot].code;
    }
  }

  // The code of `value`, adding it with the next free code if it is new.
  uint32_t Insert(double value) {
    const uint64_t key = Key(value);
    const Slot& home = slots_[Home(key)];
    if (home.key == key && home.code != kMissingCode) return home.code;
    return InsertSlow(key, value);
  }

  // Inserted values, by code.
  const std::vector<double>& values() const { return values_; }

 private:
  static constexpr size_t kMaxCompactSlots = 4096;

  struct Slot {
    uint64_t key = 0;
    uint32_t code = kMissingCode;  // kMissingCode: a free slot
  };

  static uint64_t Key(double value) { return std::bit_cast<uint64_t>(value + 0.0); }

  size_t Home(uint64_t key) const {
    key ^= key >> 29;  // mix the mantissa's low bits into the high ones
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }

  // Insert() past the first probe; out of line so that Insert() inlines.
  [[gnu::noinline]] uint32_t InsertSlow(uint64_t key, double value) {
    size_t slot = Home(key);
    for (; slots_[slot].code != kMissingCode; slot = (slot + 1) & mask_) {
      if (slots_[slot].key == key) return slots_[slot].code;
    }
    const auto code = static_cast<uint32_t>(keys_.size());
    keys_.push_back(key);
    values_.push_back(value + 0.0);
    slots_[slot] = {key, code};
    if (2 * keys_.size() > slots_.size() ||
        (slot != Home(key) && slots_.size() < kMaxCompactSlots)) {
      Resize(2 * slots_.size());
    }
    return code;
  }

  // Re-inserts every key into `size` slots (a power of two); while small,
  // doubles `size` until no key is displaced.
  void Resize(size_t size) {
    for (;; size *= 2) {
      slots_.assign(size, Slot{});
      mask_ = size - 1;
      shift_ = 64 - std::countr_zero(size);
      bool displaced = false;
      for (uint32_t code = 0; code < keys_.size(); ++code) {
        const size_t home = Home(keys_[code]);
        size_t slot = home;
        while (slots_[slot].code != kMissingCode) slot = (slot + 1) & mask_;
        slots_[slot] = {keys_[code], code};
        displaced |= slot != home;
      }
      if (!displaced || size >= kMaxCompactSlots) return;
    }
  }

  std::vector<Slot> slots_;
  std::vector<uint64_t> keys_;   // by code
  std::vector<double> values_;   // by code
  size_t mask_ = 0;
  int shift_ = 0;
};

// Sorted, deduplicated copy of `given` (-0.0 folded into 0.0).
std::vector<double> SortedCategories(const std::vector<double>& given) {
  std::vector<double> categories;
  categories.reserve(given.size());
  for (double value : given) categories.push_back(value + 0.0);
  std::sort(categories.begin(), categories.end());
  categories.erase(std::unique(categories.begin(), categories.end()), categories.end());
  return categories;
}

// Codes given in order of first appearance -> ranks: sorts `categories`
// (by code) ascending and renumbers `codes` to match (kMissingCode stays).
void RenumberByRank(std::vector<double>* categories, std::vector<uint32_t>* codes) {
  const std::vector<double> values = *categories;
  std::vector<uint32_t> by_value(values.size());
  std::iota(by_value.begin(), by_value.end(), 0u);
  std::sort(by_value.begin(), by_value.end(),
            [&](uint32_t a, uint32_t b) { return values[a] < values[b]; });
  std::vector<uint32_t> rank(values.size());
  for (uint32_t r = 0; r < by_value.size(); ++r) {
    rank[by_value[r]] = r;
    (*categories)[r] = values[by_value[r]];
  }
  for (uint32_t& c : *codes) {
    if (c != kMissingCode) c = rank[c];
  }
}

}  // namespace

Status CheckTable(const RatingTable& table) {
  if (table.empty()) return EmptyTableError();
  const size_t annotators = table.front().size();
  for (size_t item = 0; item < table.size(); ++item) {
    if (table[item].size() != annotators) {
      return RaggedRowError(item, table[item].size(), annotators);
    }
    for (const Rating& rating : table[item]) {
      if (rating && !std::isfinite(*rating)) return NonFiniteError(item);
    }
  }
  return Status::Ok();
}

Result<std::vector<double>> ResolveCategories(const RatingTable& table,
                                              const std::vector<double>& given) {
  if (given.empty()) {
    ValueCodes codes;
    for (const auto& row : table) {
      for (const Rating& rating : row) {
        if (rating) codes.Insert(*rating);
      }
    }
    std::vector<double> categories = codes.values();
    std::sort(categories.begin(), categories.end());
    return categories;
  }
  std::vector<double> categories = SortedCategories(given);
  ValueCodes codes;
  for (double value : categories) codes.Insert(value);
  for (const auto& row : table) {
    for (const Rating& rating : row) {
      if (rating && codes.Find(*rating) == kMissingCode) return UnknownCategoryError(*rating);
    }
  }
  return categories;
}

Result<CodedTable> EncodeRatings(const RatingTable& table, const std::vector<double>& given,
                                 CodeOrder order) {
  if (table.empty()) return EmptyTableError();
  CodedTable out;
  out.items = table.size();
  out.annotators = table.front().size();
  out.codes.resize(out.items * out.annotators);
  // With given categories the codes are their ranks from the start; else the
  // codes follow first appearance and are renumbered by rank at the end.
  const bool fixed = !given.empty();
  ValueCodes codes;
  if (fixed) {
    out.categories = SortedCategories(given);
    for (double value : out.categories) codes.Insert(value);
  }
  std::optional<double> unknown;  // the first rating outside `given`
  uint32_t* code = out.codes.data();
  for (size_t item = 0; item < out.items; ++item) {
    const auto& row = table[item];
    if (row.size() != out.annotators) return RaggedRowError(item, row.size(), out.annotators);
    for (const Rating& rating : row) {
      if (!rating) {
        *code++ = kMissingCode;
        continue;
      }
      if (!std::isfinite(*rating)) return NonFiniteError(item);
      if (!fixed) {
        *code++ = codes.Insert(*rating);
        continue;
      }
      *code = codes.Find(*rating);
      if (*code == kMissingCode && !unknown) unknown = *rating;
      ++code;
    }
  }
  if (unknown) return UnknownCategoryError(*unknown);
  if (fixed) return out;
  out.categories = codes.values();
  if (order == CodeOrder::kRanked) RenumberByRank(&out.categories, &out.codes);
  return out;
}

Status CheckTable(const SparseRatingTable& table) {
  if (table.items() == 0) return EmptyTableError();
  if (table.annotator.size() != table.value.size() || table.item_start.back() != table.value.size()) {
    return Status::InvalidArgument("sparse rating table: item offsets, columns and values disagree");
  }
  for (size_t item = 0; item < table.items(); ++item) {
    const size_t begin = table.item_start[item], end = table.item_start[item + 1];
    if (end < begin || end > table.value.size()) {
      return Status::InvalidArgument("sparse rating table: item " + std::to_string(item) +
                                     " has offsets out of order");
    }
    for (size_t e = begin; e < end; ++e) {
      if (table.annotator[e] >= table.annotators || (e > begin && table.annotator[e] <= table.annotator[e - 1])) {
        return Status::InvalidArgument("rating table row " + std::to_string(item) +
                                       " has an annotator column out of range or repeated (columns "
                                       "must ascend below " + std::to_string(table.annotators) + ")");
      }
      if (!std::isfinite(table.value[e])) return NonFiniteError(item);
    }
  }
  return Status::Ok();
}

Result<CodedRatings> EncodeRatings(const SparseRatingTable& table, const std::vector<double>& given,
                                   CodeOrder order) {
  TESSERA_RETURN_IF_ERROR(CheckTable(table));
  CodedRatings out;
  out.codes.resize(table.value.size());
  ValueCodes codes;
  if (!given.empty()) {
    out.categories = SortedCategories(given);
    for (double value : out.categories) codes.Insert(value);
    for (size_t e = 0; e < table.value.size(); ++e) {
      out.codes[e] = codes.Find(table.value[e]);
      if (out.codes[e] == kMissingCode) return UnknownCategoryError(table.value[e]);
    }
    return out;
  }
  for (size_t e = 0; e < table.value.size(); ++e) out.codes[e] = codes.Insert(table.value[e]);
  out.categories = codes.values();
  if (order == CodeOrder::kRanked) RenumberByRank(&out.categories, &out.codes);
  return out;
}

Result<CountTable> CountRatings(const SparseRatingTable& table, const CategoryOptions& options) {
  TESSERA_ASSIGN_OR_RETURN(CodedRatings coded, EncodeRatings(table, options.categories));
  CountTable out;
  out.categories = std::move(coded.categories);
  const size_t q = out.categories.size();
  out.counts.assign(table.items() * q, 0.0);
  out.totals.assign(table.items(), 0.0);
  for (size_t item = 0; item < table.items(); ++item) {
    double* counts = out.counts.data() + item * q;
    for (size_t e = table.item_start[item]; e < table.item_start[item + 1]; ++e) {
      counts[coded.codes[e]] += 1;
    }
    out.totals[item] = static_cast<double>(table.item_start[item + 1] - table.item_start[item]);
  }
  return out;
}

size_t CategoryIndex(const std::vector<double>& categories, double value) {
  return static_cast<size_t>(std::lower_bound(categories.begin(), categories.end(), value) -
                             categories.begin());
}

Result<CountTable> CountRatings(const RatingTable& table, const CategoryOptions& options) {
  TESSERA_ASSIGN_OR_RETURN(CodedTable coded, EncodeRatings(table, options.categories));
  CountTable out;
  out.categories = std::move(coded.categories);
  const size_t q = out.categories.size();
  out.counts.assign(coded.items * q, 0.0);
  out.totals.assign(coded.items, 0.0);
  const uint32_t* code = coded.codes.data();
  for (size_t item = 0; item < coded.items; ++item) {
    double* counts = out.counts.data() + item * q;
    for (size_t ann = 0; ann < coded.annotators; ++ann, ++code) {
      if (*code == kMissingCode) continue;
      counts[*code] += 1;
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

namespace tessera::quality {

SparseRatingTable ToSparse(const RatingTable& table) {
  SparseRatingTable out;
  out.annotators = table.empty() ? 0 : table.front().size();
  out.item_start.reserve(table.size() + 1);
  for (const auto& row : table) {
    for (size_t col = 0; col < row.size(); ++col) {
      if (row[col]) out.Add(static_cast<uint32_t>(col), *row[col]);
    }
    out.EndItem();
  }
  return out;
}

RatingTable ToDense(const SparseRatingTable& table) {
  RatingTable out(table.items(), std::vector<Rating>(table.annotators));
  for (size_t item = 0; item < table.items(); ++item) {
    for (size_t e = table.item_start[item]; e < table.item_start[item + 1]; ++e) {
      if (table.annotator[e] < table.annotators) out[item][table.annotator[e]] = table.value[e];
    }
  }
  return out;
}

}  // namespace tessera::quality
