// Text spans: chunks from IOB tags (strict IOB2 and conlleval-lenient) and
// exact / overlap span matching with precision, recall and F1.
#include <algorithm>
#include <string>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

struct Tag {
  char prefix = 'O';  // 'B', 'I' or 'O'
  std::string type;
};

// "B-PER" -> {'B', "PER"}; "O" and anything unrecognised -> {'O', ""}.
Tag ParseTag(const std::string& text) {
  if (text.size() >= 2 && (text[0] == 'B' || text[0] == 'I') && (text[1] == '-' || text[1] == '_')) {
    return {text[0], text.substr(2)};
  }
  return {};
}

std::vector<Span> StrictIob2(const std::vector<std::string>& tags) {
  std::vector<Span> spans;
  bool open = false;
  Span current;
  for (size_t token = 0; token <= tags.size(); ++token) {
    const Tag tag = token < tags.size() ? ParseTag(tags[token]) : Tag{};
    if (open && tag.prefix == 'I' && tag.type == current.label) continue;
    if (open) {
      current.end = token;
      spans.push_back(current);
      open = false;
    }
    if (tag.prefix == 'B') {  // a stray I- never opens a chunk
      current = {tag.type, token, token};
      open = true;
    }
  }
  return spans;
}

// conlleval's chunk boundary rules for IOB tags.
bool EndsChunk(const Tag& previous, const Tag& tag) {
  if (previous.prefix == 'O') return false;
  return tag.prefix == 'B' || tag.prefix == 'O' || previous.type != tag.type;
}
bool StartsChunk(const Tag& previous, const Tag& tag) {
  if (tag.prefix == 'O') return false;
  return tag.prefix == 'B' || previous.prefix == 'O' || previous.type != tag.type;
}

std::vector<Span> ConllLenient(const std::vector<std::string>& tags) {
  std::vector<Span> spans;
  Tag previous;
  Span current;
  for (size_t token = 0; token <= tags.size(); ++token) {
    const Tag tag = token < tags.size() ? ParseTag(tags[token]) : Tag{};
    if (EndsChunk(previous, tag)) {
      current.end = token;
      spans.push_back(current);
    }
    if (StartsChunk(previous, tag)) current = {tag.type, token, token};
    previous = tag;
  }
  return spans;
}

PrfScore Score(size_t true_positives, size_t gold, size_t predicted) {
  PrfScore score;
  score.true_positives = true_positives;
  score.false_positives = predicted - true_positives;
  score.false_negatives = gold - true_positives;
  if (gold == 0 && predicted == 0) {
    score.precision = score.recall = score.f1 = 1.0;
    return score;
  }
  const double tp = static_cast<double>(true_positives);
  score.precision = predicted > 0 ? tp / static_cast<double>(predicted) : 0.0;
  score.recall = gold > 0 ? tp / static_cast<double>(gold) : 0.0;
  const double sum = score.precision + score.recall;
  score.f1 = sum > 0 ? 2 * score.precision * score.recall / sum : 0.0;
  return score;
}

size_t CountMatches(const std::vector<Span>& gold, const std::vector<Span>& predicted,
                    SpanMatchMode mode) {
  if (mode == SpanMatchMode::kExact) {
    std::vector<bool> used(predicted.size(), false);
    size_t matched = 0;
    for (const Span& want : gold) {
      for (size_t idx = 0; idx < predicted.size(); ++idx) {
        const Span& got = predicted[idx];
        if (!used[idx] && got.label == want.label && got.begin == want.begin && got.end == want.end) {
          used[idx] = true;
          ++matched;
          break;
        }
      }
    }
    return matched;
  }
  std::vector<std::vector<double>> overlap(gold.size(), std::vector<double>(predicted.size(), 0.0));
  for (size_t g = 0; g < gold.size(); ++g) {
    for (size_t p = 0; p < predicted.size(); ++p) {
      if (gold[g].label != predicted[p].label) continue;
      const size_t begin = std::max(gold[g].begin, predicted[p].begin);
      const size_t end = std::min(gold[g].end, predicted[p].end);
      if (end > begin) overlap[g][p] = static_cast<double>(end - begin);
    }
  }
  return MatchBySimilarity(overlap, 0.5).matches.size();  // overlaps are whole offsets
}

}  // namespace

std::vector<Span> SpansFromTags(const std::vector<std::string>& tags, TagScheme scheme) {
  return scheme == TagScheme::kStrictIob2 ? StrictIob2(tags) : ConllLenient(tags);
}

PrfScore MatchSpans(const std::vector<Span>& gold, const std::vector<Span>& predicted,
                    SpanMatchMode mode) {
  return Score(CountMatches(gold, predicted, mode), gold.size(), predicted.size());
}

Result<PrfScore> ScoreTagSequences(const std::vector<std::vector<std::string>>& gold,
                                   const std::vector<std::vector<std::string>>& predicted,
                                   TagScheme scheme) {
  if (gold.size() != predicted.size()) {
    return Status::InvalidArgument("gold has " + std::to_string(gold.size()) +
                                   " sentences but predicted has " +
                                   std::to_string(predicted.size()));
  }
  size_t true_positives = 0, gold_total = 0, predicted_total = 0;
  for (size_t sentence = 0; sentence < gold.size(); ++sentence) {
    if (gold[sentence].size() != predicted[sentence].size()) {
      return Status::InvalidArgument("sentence " + std::to_string(sentence) +
                                     " has a different number of gold and predicted tags");
    }
    const std::vector<Span> want = SpansFromTags(gold[sentence], scheme);
    const std::vector<Span> got = SpansFromTags(predicted[sentence], scheme);
    true_positives += CountMatches(want, got, SpanMatchMode::kExact);
    gold_total += want.size();
    predicted_total += got.size();
  }
  return Score(true_positives, gold_total, predicted_total);
}

}  // namespace tessera::quality
