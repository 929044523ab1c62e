// Per-item majority vote with an explicit tie policy.
#include <map>

#include "src/quality/rating_counts.h"
#include "tessera/quality.h"

namespace tessera::quality {

Result<std::vector<Vote>> MajorityVote(const RatingTable& table, TiePolicy ties) {
  TESSERA_RETURN_IF_ERROR(internal::CheckTable(table));
  std::vector<Vote> votes;
  votes.reserve(table.size());
  for (const auto& row : table) {
    std::map<double, size_t> counts;  // ascending values
    Vote vote;
    for (const Rating& rating : row) {
      if (!rating) continue;
      ++counts[*rating];
      ++vote.ratings;
    }
    for (const auto& [value, count] : counts) vote.votes = std::max(vote.votes, count);
    std::vector<double> tied;
    for (const auto& [value, count] : counts) {
      if (count == vote.votes) tied.push_back(value);
    }
    if (tied.size() == 1 || (!tied.empty() && ties == TiePolicy::kLowestValue)) {
      vote.label = tied.front();
    } else if (!tied.empty() && ties == TiePolicy::kFirstAnnotator) {
      for (const Rating& rating : row) {
        if (rating && counts[*rating] == vote.votes) {
          vote.label = *rating;
          break;
        }
      }
    }
    votes.push_back(vote);
  }
  return votes;
}

}  // namespace tessera::quality
