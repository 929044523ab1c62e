// Spans, choices and values. Span numbers are the examples in seqeval's
// README (conlleval-compatible default mode and mode="strict", IOB2);
// edit distances are textbook Levenshtein examples.
#include <gtest/gtest.h>

#include <cmath>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

using Tags = std::vector<std::vector<std::string>>;

TEST(SpanTest, SeqevalReadmeDefaultMode) {
  Tags gold = {{"O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"}, {"B-PER", "I-PER", "O"}};
  Tags pred = {{"O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"}, {"B-PER", "I-PER", "O"}};
  auto score = ScoreTagSequences(gold, pred, TagScheme::kConllLenient);
  ASSERT_TRUE(score.ok());
  EXPECT_DOUBLE_EQ(score->f1, 0.5);  // seqeval f1_score = 0.50
  EXPECT_DOUBLE_EQ(score->precision, 0.5);
  EXPECT_DOUBLE_EQ(score->recall, 0.5);
}

TEST(SpanTest, SeqevalReadmeStrictMode) {
  // seqeval: f1_score(y_true, y_pred) = 1.0 but with mode="strict",
  // scheme=IOB2 it is 0.0, because "I-NP I-NP" has no B- start.
  Tags gold = {{"B-NP", "I-NP", "O"}};
  Tags pred = {{"I-NP", "I-NP", "O"}};
  EXPECT_DOUBLE_EQ(ScoreTagSequences(gold, pred, TagScheme::kConllLenient)->f1, 1.0);
  EXPECT_DOUBLE_EQ(ScoreTagSequences(gold, pred, TagScheme::kStrictIob2)->f1, 0.0);
}

TEST(SpanTest, ChunkRules) {
  const std::vector<std::string> tags = {"B-PER", "I-LOC", "I-LOC", "O", "I-ORG", "B-ORG", "I-ORG"};
  // conlleval: I-LOC after B-PER starts a LOC chunk; the stray I-ORG starts one.
  auto lenient = SpansFromTags(tags, TagScheme::kConllLenient);
  ASSERT_EQ(lenient.size(), 4u);
  EXPECT_EQ(lenient[1].label, "LOC");
  EXPECT_EQ(lenient[1].begin, 1u);
  EXPECT_EQ(lenient[1].end, 3u);
  EXPECT_EQ(lenient[2].begin, 4u);
  EXPECT_EQ(lenient[2].end, 5u);
  // Strict IOB2 keeps only B-started chunks: PER [0,1) and ORG [5,7).
  auto strict = SpansFromTags(tags, TagScheme::kStrictIob2);
  ASSERT_EQ(strict.size(), 2u);
  EXPECT_EQ(strict[1].begin, 5u);
  EXPECT_EQ(strict[1].end, 7u);
  EXPECT_EQ(ScoreTagSequences({{"O"}}, {{"O", "O"}}, TagScheme::kStrictIob2).status().code(),
            Code::kInvalidArgument);
}

TEST(SpanTest, OverlapMatchingIsOneToOne) {
  std::vector<Span> gold = {{"PER", 0, 3}, {"LOC", 10, 12}};
  std::vector<Span> pred = {{"PER", 1, 4}, {"PER", 2, 3}, {"LOC", 12, 14}};
  // Exact: nothing. Overlap: PER [0,3) takes one PER prediction; LOC [10,12)
  // and [12,14) share no offset. tp 1, fp 2, fn 1: P 1/3, R 1/2, F1 0.4.
  EXPECT_EQ(MatchSpans(gold, pred, SpanMatchMode::kExact).true_positives, 0u);
  PrfScore overlap = MatchSpans(gold, pred, SpanMatchMode::kOverlap);
  EXPECT_EQ(overlap.true_positives, 1u);
  EXPECT_EQ(overlap.false_positives, 2u);
  EXPECT_NEAR(overlap.f1, 0.4, 1e-12);
  EXPECT_EQ(MatchSpans({}, {}, SpanMatchMode::kExact).f1, 1.0);
}

TEST(ValueMatchTest, ChoicesAndNumbers) {
  EXPECT_EQ(ChoicesExactMatch({"a", "b"}, {"b", "a", "a"}), 1.0);
  EXPECT_EQ(ChoicesExactMatch({"a"}, {"a", "b"}), 0.0);
  EXPECT_NEAR(ChoicesJaccard({"a", "b", "c"}, {"b", "c", "d"}), 0.5, 1e-12);
  EXPECT_EQ(ChoicesJaccard({}, {}), 1.0);
  EXPECT_EQ(NumberDifference(3.5, 5.0), 1.5);
  EXPECT_TRUE(std::isnan(NumberDifference(NAN, 1.0)));
}

TEST(ValueMatchTest, EditDistance) {
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("flaw", "lawn"), 2u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("caf\xc3\xa9", "cafe"), 1u);  // é is one code point
  EXPECT_EQ(EditDistance("\xff", "\xfe"), 1u);         // invalid bytes are symbols
  EXPECT_NEAR(TextSimilarity("kitten", "sitting"), 1.0 - 3.0 / 7.0, 1e-12);
  EXPECT_EQ(TextSimilarity("  Hello   World ", "hello world"), 1.0);
  EXPECT_LT(TextSimilarity("Hello", "hello", false), 1.0);
  EXPECT_EQ(TextSimilarity("", ""), 1.0);
}

}  // namespace
}  // namespace tessera::quality
