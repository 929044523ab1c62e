// Per-item majority vote with an explicit tie policy.
//
// The table is coded once (category values -> dense codes, see EncodeRatings);
// each item then counts its codes in a small array that is reset through the
// list of codes it touched, so no item allocates.
#include <cstdint>

#include "src/quality/rating_counts.h"
#include "tessera/quality.h"

namespace tessera::quality {

Result<std::vector<Vote>> MajorityVote(const RatingTable& table, TiePolicy ties) {
  TESSERA_ASSIGN_OR_RETURN(internal::CodedTable coded,
                           internal::EncodeRatings(table, {}, internal::CodeOrder::kFirstSeen));
  const std::vector<double>& categories = coded.categories;
  std::vector<Vote> votes(coded.items);
  std::vector<uint32_t> counts(categories.size(), 0);
  std::vector<uint32_t> present;  // codes with a count in the current item
  present.reserve(coded.annotators);
  const uint32_t* row = coded.codes.data();
  for (size_t item = 0; item < coded.items; ++item, row += coded.annotators) {
    present.clear();
    for (size_t ann = 0; ann < coded.annotators; ++ann) {
      const uint32_t code = row[ann];
      if (code != internal::kMissingCode && counts[code]++ == 0) present.push_back(code);
    }
    Vote& vote = votes[item];
    // The top count, how many codes share it, and the one with the lowest value.
    uint32_t top = 0, lowest = 0;
    size_t tied = 0;
    for (uint32_t code : present) {
      vote.ratings += counts[code];
      if (counts[code] > top) {
        top = counts[code];
        lowest = code;
        tied = 1;
      } else if (counts[code] == top) {
        if (categories[code] < categories[lowest]) lowest = code;
        ++tied;
      }
    }
    vote.votes = top;
    if (tied == 1 || (tied > 1 && ties == TiePolicy::kLowestValue)) {
      vote.label = categories[lowest];
    } else if (tied > 1 && ties == TiePolicy::kFirstAnnotator) {
      for (size_t ann = 0; ann < coded.annotators; ++ann) {
        if (row[ann] != internal::kMissingCode && counts[row[ann]] == top) {
          vote.label = categories[row[ann]];
          break;
        }
      }
    }
    for (uint32_t code : present) counts[code] = 0;
  }
  return votes;
}

}  // namespace tessera::quality
