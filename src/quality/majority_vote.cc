// Per-item majority vote with an explicit tie policy.
//
// The table is coded once (category values -> dense codes, see EncodeRatings);
// each item then counts its codes in a small array that is reset through the
// list of codes it touched, so no item allocates. Dense and sparse tables
// share the per-item count (Voter); a dense row is its codes with
// kMissingCode in the unrated columns, a sparse item its given codes only.
#include <cstdint>

#include "src/quality/rating_counts.h"
#include "tessera/quality.h"

namespace tessera::quality {
namespace {

class Voter {
 public:
  Voter(const std::vector<double>& categories, TiePolicy ties, size_t annotators)
      : categories_(categories), ties_(ties), counts_(categories.size(), 0) {
    present_.reserve(annotators);
  }

  // The vote over an item's codes, in annotator order; kMissingCode is skipped.
  Vote operator()(const uint32_t* codes, size_t size) {
    present_.clear();
    for (size_t i = 0; i < size; ++i) {
      const uint32_t code = codes[i];
      if (code != internal::kMissingCode && counts_[code]++ == 0) present_.push_back(code);
    }
    Vote vote;
    // The top count, how many codes share it, and the one with the lowest value.
    uint32_t top = 0, lowest = 0;
    size_t tied = 0;
    for (uint32_t code : present_) {
      vote.ratings += counts_[code];
      if (counts_[code] > top) {
        top = counts_[code];
        lowest = code;
        tied = 1;
      } else if (counts_[code] == top) {
        if (categories_[code] < categories_[lowest]) lowest = code;
        ++tied;
      }
    }
    vote.votes = top;
    if (tied == 1 || (tied > 1 && ties_ == TiePolicy::kLowestValue)) {
      vote.label = categories_[lowest];
    } else if (tied > 1 && ties_ == TiePolicy::kFirstAnnotator) {
      for (size_t i = 0; i < size; ++i) {
        if (codes[i] != internal::kMissingCode && counts_[codes[i]] == top) {
          vote.label = categories_[codes[i]];
          break;
        }
      }
    }
    for (uint32_t code : present_) counts_[code] = 0;
    return vote;
  }

 private:
  const std::vector<double>& categories_;
  const TiePolicy ties_;
  std::vector<uint32_t> counts_;
  std::vector<uint32_t> present_;  // codes with a count in the current item
};

}  // namespace

Result<std::vector<Vote>> MajorityVote(const RatingTable& table, TiePolicy ties) {
  TESSERA_ASSIGN_OR_RETURN(internal::CodedTable coded,
                           internal::EncodeRatings(table, {}, internal::CodeOrder::kFirstSeen));
  std::vector<Vote> votes(coded.items);
  Voter voter(coded.categories, ties, coded.annotators);
  const uint32_t* row = coded.codes.data();
  for (size_t item = 0; item < coded.items; ++item, row += coded.annotators) {
    votes[item] = voter(row, coded.annotators);
  }
  return votes;
}

Result<std::vector<Vote>> MajorityVote(const SparseRatingTable& table, TiePolicy ties) {
  TESSERA_ASSIGN_OR_RETURN(internal::CodedRatings coded,
                           internal::EncodeRatings(table, {}, internal::CodeOrder::kFirstSeen));
  std::vector<Vote> votes(table.items());
  Voter voter(coded.categories, ties, table.annotators);
  for (size_t item = 0; item < table.items(); ++item) {
    const size_t begin = table.item_start[item];
    votes[item] = voter(coded.codes.data() + begin, table.item_start[item + 1] - begin);
  }
  return votes;
}

}  // namespace tessera::quality
