// Aggregation on cases whose answer is determined by construction, with the
// first EM step and the consensus coordinates worked by hand.
#include <cmath>

#include <gtest/gtest.h>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

TEST(MajorityVoteTest, TiePolicies) {
  RatingTable table = {{1.0, 2.0, 2.0}, {3.0, 1.0, std::nullopt}, {std::nullopt, std::nullopt, std::nullopt}};
  auto missing = MajorityVote(table, TiePolicy::kMissing);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ((*missing)[0].label, 2.0);
  EXPECT_EQ((*missing)[0].votes, 2u);
  EXPECT_EQ((*missing)[0].ratings, 3u);
  EXPECT_FALSE((*missing)[1].label.has_value());  // 3 vs 1 tie
  EXPECT_FALSE((*missing)[2].label.has_value());  // nobody rated it
  EXPECT_EQ((*MajorityVote(table, TiePolicy::kLowestValue))[1].label, 1.0);
  EXPECT_EQ((*MajorityVote(table, TiePolicy::kFirstAnnotator))[1].label, 3.0);
  EXPECT_EQ(MajorityVote(RatingTable{{1.0}, {1.0, 2.0}}, TiePolicy::kMissing).status().code(), Code::kInvalidArgument);
}

// Five annotators on 12 items (truth 0 for items 0-5, 1 for items 6-11):
// annotators 0 and 1 are always right, 2-4 always answer 0.
RatingTable SpammerTable() {
  RatingTable table;
  for (int item = 0; item < 12; ++item) {
    const double truth = item < 6 ? 0.0 : 1.0;
    table.push_back({truth, truth, 0.0, 0.0, 0.0});
  }
  return table;
}

TEST(DawidSkeneTest, FirstIterationByHand) {
  // Start: vote shares, (1, 0) on items 0-5 and (3/5, 2/5) on items 6-11.
  // M-step (no smoothing): prior_0 = (6 + 6 * 0.6) / 12 = 0.8.
  // Reliable annotator, true class 0 row: says 0 with weight 6, says 1 with
  // 6 * 0.6 = 3.6 -> (0.625, 0.375); true class 1 row: (0, 1).
  // Spammers: rows (1, 0) for both classes (uninformative).
  // E-step, item 6 (votes 1,1,0,0,0):
  //   class 0: 0.8 * 0.375^2 * 1 = 0.1125;  class 1: 0.2 * 1 * 1 = 0.2
  //   posterior_1 = 0.2 / 0.3125 = 0.64.
  DawidSkeneOptions options;
  options.smoothing = 0;
  options.max_iterations = 1;
  auto result = DawidSkene(SpammerTable(), options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_NEAR(result->priors[0], 0.8, 1e-12);
  EXPECT_NEAR(result->confusion[0][0][1], 0.375, 1e-12);
  EXPECT_NEAR(result->confusion[0][1][1], 1.0, 1e-12);
  EXPECT_NEAR(result->confusion[3][1][0], 1.0, 1e-12);
  EXPECT_NEAR(result->posteriors[6][1], 0.64, 1e-12);
  EXPECT_NEAR(result->posteriors[0][0], 1.0, 1e-12);
  EXPECT_EQ(result->iterations, 1);
}

TEST(DawidSkeneTest, RecoversTruthThatMajorityVoteMisses) {
  RatingTable table = SpammerTable();
  auto votes = MajorityVote(table, TiePolicy::kMissing);
  EXPECT_EQ((*votes)[6].label, 0.0);  // the three spammers outvote the truth
  DawidSkeneOptions single;
  single.max_iterations = 1;
  auto one_step = DawidSkene(table, single);
  auto result = DawidSkene(table);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->converged);
  for (size_t item = 0; item < 12; ++item) {
    EXPECT_EQ(result->labels[item], item < 6 ? 0.0 : 1.0) << "item " << item;
    EXPECT_GT(result->posteriors[item][item < 6 ? 0 : 1], 0.99);
  }
  EXPECT_NEAR(result->priors[1], 0.5, 0.01);
  EXPECT_GE(result->log_likelihood, one_step->log_likelihood);  // EM never decreases it
}

TEST(DawidSkeneTest, AdversarialAnnotatorIsLearned) {
  // Annotators 0 and 1 are right, annotator 2 always flips the binary label.
  RatingTable table;
  const std::vector<double> truth = {0, 1, 0, 1, 1, 0, 0, 1};
  for (double t : truth) table.push_back({t, t, 1.0 - t});
  auto result = DawidSkene(table);
  ASSERT_TRUE(result.ok());
  for (size_t item = 0; item < truth.size(); ++item) EXPECT_EQ(result->labels[item], truth[item]);
  EXPECT_GT(result->confusion[2][0][1], 0.99);
  EXPECT_GT(result->confusion[2][1][0], 0.99);
  EXPECT_GT(result->confusion[0][0][0], 0.99);
}

TEST(DawidSkeneTest, GoldBreaksASymmetricTie) {
  // Two annotators always disagree: vote shares are (1/2, 1/2) everywhere and
  // EM cannot leave that point. One gold label saying annotator 0 is right
  // is enough to recover annotator 0's labels for every item.
  RatingTable table;
  const std::vector<double> first = {0, 1, 1, 0, 1, 0};
  for (double f : first) table.push_back({f, 1.0 - f});
  auto stuck = DawidSkene(table);
  ASSERT_TRUE(stuck.ok());
  EXPECT_NEAR(stuck->posteriors[0][0], 0.5, 1e-9);
  DawidSkeneOptions options;
  options.gold.assign(table.size(), std::nullopt);
  options.gold[0] = 0.0;
  auto guided = DawidSkene(table, options);
  ASSERT_TRUE(guided.ok());
  for (size_t item = 0; item < first.size(); ++item) EXPECT_EQ(guided->labels[item], first[item]);
}

TEST(DawidSkeneTest, InvalidInputs) {
  EXPECT_FALSE(DawidSkene(RatingTable{}).ok());
  EXPECT_FALSE(DawidSkene(RatingTable{{std::nullopt}}).ok());
  DawidSkeneOptions bad_gold;
  bad_gold.gold = {7.0};
  EXPECT_EQ(DawidSkene(RatingTable{{1.0, 2.0}}, bad_gold).status().code(), Code::kInvalidArgument);
  // An unrated item gets the prior and no label.
  auto partial = DawidSkene(RatingTable{{1.0, 1.0}, {std::nullopt, std::nullopt}, {2.0, 2.0}});
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->labels[1].has_value());
}

TEST(BoxConsensusTest, ClustersAverageAndQuorum) {
  // Object A from annotators 0, 1, 2 joins one cluster (IoU with the running
  // mean 81/119 and then 80.75/119.25, both >= 0.5). Mean corners:
  // left (0+1+0)/3 = 1/3, top (0+1+2)/3 = 1, right (10+11+10)/3 = 31/3,
  // bottom (10+11+12)/3 = 11 -> box (1/3, 1, 10, 10).
  // Annotator 0's second box near A cannot join (one box per annotator);
  // the lone box B and the "dog" box fall short of the quorum of 2.
  std::vector<AnnotatorBox> boxes = {{0, {{0, 0, 10, 10}, "cat"}},
                                     {1, {{1, 1, 10, 10}, "cat"}},
                                     {2, {{0, 2, 10, 10}, "cat"}},
                                     {0, {{2, 0, 10, 10}, "cat"}},
                                     {0, {{50, 50, 10, 10}, "cat"}},
                                     {1, {{0, 0, 10, 10}, "dog"}}};
  auto consensus = BoxConsensus(boxes);
  ASSERT_TRUE(consensus.ok());
  ASSERT_EQ(consensus->size(), 1u);
  const Box& box = (*consensus)[0].box.box;
  EXPECT_NEAR(box.x, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(box.y, 1.0, 1e-12);
  EXPECT_NEAR(box.width, 10.0, 1e-12);
  EXPECT_NEAR(box.height, 10.0, 1e-12);
  EXPECT_EQ((*consensus)[0].members, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(BoxConsensus(boxes, {.iou_threshold = 0.5, .quorum = 1})->size(), 4u);
  EXPECT_FALSE(BoxConsensus(boxes, {.iou_threshold = 0.5, .quorum = 0}).ok());
}

TEST(PolygonConsensusTest, MedoidOfEachClusterThatReachesTheQuorum) {
  // Annotator 1's square is 1 px right of the other two, which coincide:
  // IoU 90/110 with each. Summed IoU to the others: 18/11 for annotator 1's,
  // 1 + 9/11 for each of the other two; the earlier of those is the medoid.
  auto square = [](double x, double y) { return Polygon{{x, y}, {x + 10, y}, {x + 10, y + 10}, {x, y + 10}}; };
  std::vector<AnnotatorPolygon> polygons = {{1, {square(1, 0), "cat"}},
                                            {0, {square(0, 0), "cat"}},
                                            {2, {square(0, 0), "cat"}},
                                            {0, {square(50, 50), "cat"}},
                                            {2, {square(0, 0), "dog"}}};
  auto consensus = PolygonConsensus(polygons);
  ASSERT_TRUE(consensus.ok()) << consensus.status().ToString();
  ASSERT_EQ(consensus->size(), 1u);
  EXPECT_EQ((*consensus)[0].medoid, 1u);
  EXPECT_EQ((*consensus)[0].members, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(PolygonConsensus(polygons, {.iou_threshold = 0.5, .quorum = 1})->size(), 3u);
  // Stricter: annotator 1's square (IoU 9/11) is left out; the two that coincide remain.
  auto strict = PolygonConsensus(polygons, {.iou_threshold = 0.95, .quorum = 2});
  ASSERT_TRUE(strict.ok());
  ASSERT_EQ(strict->size(), 1u);
  EXPECT_EQ((*strict)[0].members, (std::vector<size_t>{1, 2}));
  polygons.push_back({3, {Polygon{{0, 0}, {1, 1}}, "cat"}});
  EXPECT_FALSE(PolygonConsensus(polygons).ok());
}

TEST(SpanConsensusTest, MedianBoundariesAndQuorum) {
  // Three annotators mark "New York City" at [10,23), [10,18) and [10,23);
  // IoUs with the running consensus: 8/13 >= 0.5, then 1. Lower medians:
  // begin 10, end median{23,18,23} = 23. Annotator 2's "ORG" span and the
  // lone PER span at [40,45) stay under the quorum of 2.
  std::vector<AnnotatorSpan> spans = {{0, {"LOC", 10, 23}}, {1, {"LOC", 10, 18}},
                                      {2, {"LOC", 10, 23}}, {2, {"ORG", 10, 23}},
                                      {0, {"PER", 40, 45}}, {1, {"PER", 0, 4}},
                                      {2, {"PER", 0, 4}}};
  auto consensus = SpanConsensus(spans);
  ASSERT_TRUE(consensus.ok()) << consensus.status().ToString();
  ASSERT_EQ(consensus->size(), 2u);
  EXPECT_EQ((*consensus)[0].span.label, "PER");  // sorted by begin
  EXPECT_EQ((*consensus)[0].span.begin, 0u);
  EXPECT_EQ((*consensus)[0].span.end, 4u);
  EXPECT_EQ((*consensus)[0].members, (std::vector<size_t>{5, 6}));
  EXPECT_EQ((*consensus)[1].span.label, "LOC");
  EXPECT_EQ((*consensus)[1].span.begin, 10u);
  EXPECT_EQ((*consensus)[1].span.end, 23u);
  EXPECT_EQ((*consensus)[1].members, (std::vector<size_t>{0, 1, 2}));
  // Exact-match consensus: [10,18) cannot join [10,23), so LOC has 2 votes.
  auto exact = SpanConsensus(spans, {.iou_threshold = 1.0, .quorum = 3});
  ASSERT_TRUE(exact.ok());
  EXPECT_TRUE(exact->empty());
  EXPECT_EQ(SpanConsensus(spans, {.iou_threshold = 1.0, .quorum = 2})->size(), 2u);
  // Interval IoU and edge cases.
  EXPECT_DOUBLE_EQ(SpanIoU({"X", 0, 10}, {"X", 5, 15}), 5.0 / 15.0);
  EXPECT_DOUBLE_EQ(SpanIoU({"X", 3, 3}, {"X", 3, 3}), 0.0);
  EXPECT_TRUE(SpanConsensus({}, {})->empty());
  EXPECT_FALSE(SpanConsensus({{0, {"X", 5, 2}}}).ok());
  EXPECT_FALSE(SpanConsensus(spans, {.iou_threshold = 0, .quorum = 2}).ok());
}

}  // namespace
}  // namespace tessera::quality
