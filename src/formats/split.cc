// SplitAssigner: deterministic, stratified train/val/test assignment while
// streaming (no pass over the project beforehand, memory per label only).
//
// The ratios are turned into a block of slots: the smallest block size n
// (up to 1000) at which every ratio * n is a whole number ("0.8,0.1,0.1" ->
// 10 slots: 8 train, 1 val, 1 test), else 100 slots by largest remainder.
// Each label (stratum) walks through its own blocks; each block is a
// Fisher-Yates shuffle of the slots driven by mt19937_64 seeded from
// (seed, label, block number) through FNV-1a, so the result depends only on
// the seed, the label and the order of the label's tasks (task id order).
// Every complete block holds the exact ratios; a label's last, partial block
// is a random part of one.
#include <cmath>
#include <random>

#include "src/formats/dataset_io.h"
#include "tessera/util.h"

namespace tessera::formats {
namespace {

uint64_t Fnv1a(std::string_view bytes, uint64_t hash = 0xcbf29ce484222325ull) {
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

}  // namespace

Result<SplitAssigner> SplitAssigner::Parse(std::string_view spec, uint64_t seed) {
  const std::string usage = "use two or three ratios summing to 1 for train,val[,test], e.g. 0.8,0.1,0.1";
  std::vector<double> ratios;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string part(Trim(spec.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    char* end = nullptr;
    double value = std::strtod(part.c_str(), &end);
    if (part.empty() || *end != '\0' || !std::isfinite(value) || value < 0 || value > 1) {
      return Status::FieldInvalid("split", "split \"" + std::string(spec) + "\": \"" + part + "\" is not a ratio; " + usage);
    }
    ratios.push_back(value);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  double sum = 0;
  for (double r : ratios) sum += r;
  if (ratios.size() < 2 || ratios.size() > 3 || std::abs(sum - 1) > 1e-6) {
    return Status::FieldInvalid("split", "split \"" + std::string(spec) + "\" is not usable; " + usage);
  }
  SplitAssigner assigner;
  assigner.seed_ = seed;
  const char* names[] = {"train", "val", "test"};
  for (size_t idx = 0; idx < ratios.size(); ++idx) assigner.names_.push_back(names[idx]);
  int64_t block = 0;
  for (int64_t n = 1; n <= 1000 && block == 0; ++n) {
    bool whole = true;
    for (double r : ratios) whole = whole && std::abs(r * static_cast<double>(n) - std::round(r * static_cast<double>(n))) < 1e-9;
    if (whole) block = n;
  }
  if (block) {
    for (double r : ratios) assigner.per_block_.push_back(std::llround(r * static_cast<double>(block)));
  } else {
    // Largest remainder over 100 slots.
    block = 100;
    std::vector<std::pair<double, size_t>> remainders;
    int64_t used = 0;
    for (size_t idx = 0; idx < ratios.size(); ++idx) {
      double exact = ratios[idx] * 100;
      assigner.per_block_.push_back(static_cast<int64_t>(std::floor(exact)));
      used += assigner.per_block_.back();
      remainders.emplace_back(exact - std::floor(exact), idx);
    }
    std::sort(remainders.begin(), remainders.end(), [](auto a, auto b) { return a.first > b.first; });
    for (size_t idx = 0; used < block; ++idx, ++used) ++assigner.per_block_[remainders[idx % remainders.size()].second];
  }
  return assigner;
}

const std::string& SplitAssigner::Assign(const std::string& stratum) {
  Stratum& s = strata_[stratum];
  size_t slots = 0;
  for (int64_t n : per_block_) slots += static_cast<size_t>(n);
  size_t pos = static_cast<size_t>(s.seen % static_cast<int64_t>(slots));
  if (pos == 0) {
    s.block.clear();
    for (size_t idx = 0; idx < per_block_.size(); ++idx) s.block.insert(s.block.end(), static_cast<size_t>(per_block_[idx]), idx);
    uint64_t block_no = static_cast<uint64_t>(s.seen) / slots;
    std::string key = std::to_string(seed_) + '\0' + stratum + '\0' + std::to_string(block_no);
    std::mt19937_64 rng(Fnv1a(key));
    for (size_t i = s.block.size() - 1; i > 0; --i) std::swap(s.block[i], s.block[rng() % (i + 1)]);
  }
  ++s.seen;
  return names_[s.block[pos]];
}

std::string FirstLabel(const Item& item) {
  if (!item.classes.empty()) return item.classes[0];
  if (!item.shapes.empty()) return item.shapes[0].label;
  if (!item.spans.empty()) return item.spans[0].label;
  return "";
}

}  // namespace tessera::formats

namespace tessera {

Status CheckSplit(std::string_view split) {
  if (split.empty()) return Status::Ok();
  return formats::SplitAssigner::Parse(split, 0).status();
}

}  // namespace tessera
