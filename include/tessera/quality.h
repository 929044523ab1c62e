// Quality science: inter-annotator agreement, region matching, COCO-style
// detection evaluation, label aggregation and label-error detection.
//
// A pure library: plain values in, plain values out. No I/O, no store, no HTTP.
// Every function is a pure function of its arguments, so all of them are safe
// to call concurrently. Nothing throws; failures are reported as a Status.
//
// Conventions used throughout
//  * A RatingTable has one row per item and one column per annotator;
//    std::nullopt marks a missing rating. Categorical metrics treat values as
//    category codes compared exactly (map label strings to codes first).
//  * Structural problems (ragged rows, wrong annotator count, no item with two
//    ratings, empty input) return InvalidArgument. Mathematical degeneracy
//    where a coefficient is 0/0 (e.g. every rating uses one category, so the
//    expected agreement is 1) returns a value of NaN with the parts filled in.
//  * Chance-corrected coefficients can be negative; they are never clamped.
#ifndef TESSERA_QUALITY_H_
#define TESSERA_QUALITY_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/status.h"

namespace tessera::quality {

// ============================ Agreement tables ============================

using Rating = std::optional<double>;
using RatingTable = std::vector<std::vector<Rating>>;  // [item][annotator]

// The same ratings stored by item, holding only the ratings given: a project
// of 1M tasks with 3 of its 200 annotators on each holds 3M ratings, where a
// RatingTable has 200M cells. Item i's ratings are entries
// [item_start[i], item_start[i + 1]), by ascending annotator column.
// The functions below that take one compute the same values as on the dense
// table (the two versions share their code, or the dense one converts).
struct SparseRatingTable {
  size_t annotators = 0;               // columns
  std::vector<size_t> item_start{0};   // items() + 1 offsets
  std::vector<uint32_t> annotator;     // column of each rating
  std::vector<double> value;           // each rating

  size_t items() const { return item_start.size() - 1; }
  size_t ratings() const { return value.size(); }
  // Adds a rating to the item being built; EndItem() closes it.
  void Add(uint32_t column, double rating) {
    annotator.push_back(column);
    value.push_back(rating);
  }
  void EndItem() { item_start.push_back(value.size()); }
};
SparseRatingTable ToSparse(const RatingTable& table);
RatingTable ToDense(const SparseRatingTable& table);

// Weights for partial agreement between categories with ranks k and l out of
// q categories (Cohen 1968; Gwet 2014 ch. 3):
//   kNone      w = 1 if k == l else 0
//   kLinear    w = 1 - |k - l| / (q - 1)
//   kQuadratic w = 1 - (k - l)^2 / (q - 1)^2
// Ranks are positions in the ascending category list (as scikit-learn does).
enum class Weighting { kNone, kLinear, kQuadratic };

struct CategoryOptions {
  // Every possible category, any order. Empty: the distinct observed values.
  // Categories nobody used still change q (AC1, Brennan–Prediger) and ranks.
  std::vector<double> categories;
  Weighting weighting = Weighting::kNone;
};

// A chance-corrected coefficient (p_a - p_e) / (1 - p_e) and its parts.
struct Coefficient {
  double value = 0;     // NaN when p_e == 1 (every rating in one category)
  double observed = 0;  // p_a
  double expected = 0;  // p_e
  size_t items = 0;     // items that entered p_a
};

// Mean over items with >= 2 ratings of the share of agreeing rater pairs
// (Fleiss 1971's P_i). For two annotators this is the fraction of
// doubly-rated items on which they agree.
Result<double> PercentAgreement(const RatingTable& table);
Result<double> PercentAgreement(const SparseRatingTable& table);

// Cohen's kappa (1960) and weighted kappa (1968) for exactly two annotators,
// on the items both rated: p_a = sum w_kl p_kl, p_e = sum w_kl p_k. p_.l.
Result<Coefficient> CohenKappa(const RatingTable& table, const CategoryOptions& options = {});

// Scott's pi (1955) for exactly two annotators, on the items both rated:
// p_e from the pooled marginals, p_e = sum w_kl pi_k pi_l.
Result<Coefficient> ScottPi(const RatingTable& table, const CategoryOptions& options = {});

// The multi-rater coefficients below share Gwet's (2014, Handbook of
// Inter-Rater Reliability, 4th ed., ch. 2-4) treatment of missing ratings:
// with r_ik raters putting item i in category k, r_i = sum_k r_ik,
// r*_ik = sum_l w_kl r_il,
//   p_a  = mean over items with r_i >= 2 of sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))
//   pi_k = mean over items with r_i >= 1 of r_ik / r_i
// Without missing ratings and weights they are the textbook formulas.

// Fleiss' kappa (1971), weighted as Gwet: p_e = sum_kl w_kl pi_k pi_l.
Result<Coefficient> FleissKappa(const RatingTable& table, const CategoryOptions& options = {});
Result<Coefficient> FleissKappa(const SparseRatingTable& table, const CategoryOptions& options = {});

// Gwet's AC1 (2008); AC2 when options.weighting is not kNone:
//   p_e = T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k), T_w = sum_kl w_kl.
// Needs q >= 2 categories (pass options.categories if only one was used).
Result<Coefficient> GwetAC(const RatingTable& table, const CategoryOptions& options = {});
Result<Coefficient> GwetAC(const SparseRatingTable& table, const CategoryOptions& options = {});

// Brennan & Prediger (1981) / Randolph's free-marginal kappa: p_e = T_w / q^2.
Result<Coefficient> BrennanPrediger(const RatingTable& table, const CategoryOptions& options = {});
Result<Coefficient> BrennanPrediger(const SparseRatingTable& table, const CategoryOptions& options = {});

// Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's
// Alpha-Reliability"): alpha = 1 - D_o / D_e from the coincidence matrix of
// pairable values (units with >= 2 values), any number of annotators, missing
// values allowed, with the metric delta^2 of the level:
//   nominal  0 / 1;  ordinal (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2;
//   interval (c - k)^2;  ratio ((c - k) / (c + k))^2.
// Ratio values must be >= 0 (else InvalidArgument). alpha is NaN when
// D_e == 0 (one value used); InvalidArgument when no unit has two values.
enum class Level { kNominal, kOrdinal, kInterval, kRatio };
struct Alpha {
  double value = 0;
  double observed_disagreement = 0;  // D_o
  double expected_disagreement = 0;  // D_e
  size_t pairable_values = 0;        // n.. in Krippendorff's notation
};
Result<Alpha> KrippendorffAlpha(const RatingTable& table, Level level);
Result<Alpha> KrippendorffAlpha(const SparseRatingTable& table, Level level);

// Agreement on one category, for every category.
//  specific_agreement = sum_i r_ik (r_ik - 1) / sum_i r_ik (r_i - 1)
//    (for two raters 2 n_kk / (n_k. + n_.k), Fleiss 1975 / Uebersax's specific
//    agreement), NaN if the category was never used on an item with >= 2 ratings.
//  kappa = Fleiss' kappa of the category-vs-rest table (Fleiss 1971's
//    per-category kappa_j; NaN if nobody or everybody used the category).
struct LabelAgreement {
  double category = 0;
  size_t ratings = 0;  // times the category was given
  double specific_agreement = 0;
  double kappa = 0;
};
Result<std::vector<LabelAgreement>> PerLabelAgreement(const RatingTable& table,
                                                      const CategoryOptions& options = {});
Result<std::vector<LabelAgreement>> PerLabelAgreement(const SparseRatingTable& table,
                                                      const CategoryOptions& options = {});

// Every pair of annotators on the items both rated. Entries with no common
// item or an undefined coefficient are NaN; the diagonal is 1.
enum class PairMetric { kPercentAgreement, kCohenKappa };
struct PairwiseMatrix {
  std::vector<std::vector<double>> value;         // [annotator][annotator]
  std::vector<std::vector<size_t>> common_items;  // items both rated
};
Result<PairwiseMatrix> PairwiseAgreement(const RatingTable& table, PairMetric metric,
                                         const CategoryOptions& options = {});
// On a sparse table the cost follows the pairs that share items (each item
// with k ratings adds k (k - 1) / 2 pair counts), not annotators^2 x items.
Result<PairwiseMatrix> PairwiseAgreement(const SparseRatingTable& table, PairMetric metric,
                                         const CategoryOptions& options = {});

// The sums that percent agreement, Fleiss' kappa, per-label agreement and
// Krippendorff's alpha are computed from, kept as items come and go: a
// large table kept up to date (a project being labeled) answers those four
// statistics at a cost that follows its categories, not its items.
//
// Every sum is an integer, grouped by the item's number of ratings m (r_i):
// items, and per value c the ratings given (sum r_ic), agreeing ordered
// pairs (sum r_ic (r_ic - 1)) and, per pair of values, sum r_ic r_ik. Taking
// an item back subtracts exactly what adding it added, so a kept total
// equals one built afresh from the items it holds, whatever happened
// before. The statistics equal their table versions' to rounding (the sums
// are grouped by m rather than taken item by item).
class RatingTotals {
 public:
  // Adds (sign +1) or takes back (sign -1) one item's ratings, any order. An
  // item taken back must have been added with the same ratings.
  void Apply(const std::vector<double>& ratings, int sign);
  // Items with >= `min_ratings` ratings (and >= 1).
  size_t items(size_t min_ratings = 1) const;

  // Per value: ratings given and the per-m sums.
  struct Group {
    int64_t items = 0;
    std::vector<int64_t> given;           // [code] sum r_ic
    std::vector<int64_t> agreeing;        // [code] sum r_ic (r_ic - 1)
    std::map<std::pair<uint32_t, uint32_t>, int64_t> cross;  // (c < k) -> sum r_ic r_ik
  };
  const std::map<size_t, Group>& groups() const { return groups_; }  // by m
  // Values by code (codes are never reused; a value no item holds any more
  // keeps its code with zero sums).
  const std::vector<double>& values() const { return values_; }
  int64_t non_finite() const { return non_finite_; }
  // Ratings given per value, by code (0 for a value no item holds now).
  std::vector<int64_t> given() const;

 private:
  uint32_t Code(double value);
  std::map<double, uint32_t> codes_;
  std::vector<double> values_;
  std::map<size_t, Group> groups_;
  int64_t non_finite_ = 0;
};
Result<double> PercentAgreement(const RatingTotals& totals);
Result<Coefficient> FleissKappa(const RatingTotals& totals);  // unweighted
Result<Alpha> KrippendorffAlpha(const RatingTotals& totals, Level level);
Result<std::vector<LabelAgreement>> PerLabelAgreement(const RatingTotals& totals);

// Percentile bootstrap over items (rows resampled with replacement). The
// generator is std::mt19937_64 seeded with `seed`, mapped to indices without
// std::*_distribution, so results are identical on every platform. Replicates
// whose statistic fails or is NaN are dropped and counted; percentiles use
// linear interpolation between order statistics.
struct BootstrapOptions {
  int replicates = 1000;
  uint64_t seed = 20240531;
  double confidence = 0.95;
};
struct ConfidenceInterval {
  double estimate = 0;  // the statistic on the full table
  double lower = 0;
  double upper = 0;
  int valid_replicates = 0;
};
using TableStatistic = std::function<Result<double>(const RatingTable&)>;
Result<ConfidenceInterval> BootstrapCI(const RatingTable& table, const TableStatistic& statistic,
                                       const BootstrapOptions& options = {});
// The same on a sparse table: the same items are drawn (same seed, same
// generator), each sample is a sparse table of the drawn items' ratings.
using SparseTableStatistic = std::function<Result<double>(const SparseRatingTable&)>;
Result<ConfidenceInterval> BootstrapCI(const SparseRatingTable& table,
                                       const SparseTableStatistic& statistic,
                                       const BootstrapOptions& options = {});

// ============================ Regions ============================

struct Box {  // axis-aligned; (x, y) is the top-left corner; any unit
  double x = 0, y = 0, width = 0, height = 0;
};
struct Point {
  double x = 0, y = 0;
};
using Polygon = std::vector<Point>;

// Intersection over union; 0 when the union is empty.
double BoxIoU(const Box& a, const Box& b);

// Exact area of the intersection of two simple polygons (convex or concave,
// either orientation; for self-intersecting input the result is the overlap
// weighted by winding numbers, so clean such shapes first).
// Method: a polygon's winding-number function is the signed sum of the
// indicators of its fan triangles T_i = (p0, p_i, p_i+1); the product of two
// such sums integrates to sum_ij sign_i sign_j area(T_i ∩ U_j), and each
// triangle pair is convex, so it is clipped exactly (Sutherland–Hodgman).
// O(n m) triangle pairs; no rasterisation, no special cases for concavity.
double PolygonIntersectionArea(const Polygon& a, const Polygon& b);
double PolygonArea(const Polygon& polygon);  // absolute shoelace area
// IoU of two polygons; InvalidArgument with < 3 vertices; 0 if the union is 0.
Result<double> PolygonIoU(const Polygon& a, const Polygon& b);

// COCO object keypoint similarity (pycocotools computeOks):
//   OKS = mean over keypoints with gt visibility > 0 of
//         exp(-d^2 / (2 * area * (2 sigma)^2))
// InvalidArgument if sizes differ or no ground-truth keypoint is labelled.
struct Keypoint {
  double x = 0, y = 0;
  int visibility = 0;  // 0 unlabelled, 1 occluded, 2 visible
};
Result<double> KeypointOKS(const std::vector<Keypoint>& ground_truth,
                           const std::vector<Keypoint>& predicted, double area,
                           const std::vector<double>& sigmas);
extern const std::array<double, 17> kCocoPersonSigmas;

// Minimum-cost assignment of a rows x cols matrix (rectangular allowed) by
// the O(n^3) shortest-augmenting-path Hungarian method with potentials
// (Kuhn 1955, Munkres 1957; Jonker–Volgenant style). Returns, per row, the
// assigned column or -1 (more rows than columns). InvalidArgument on ragged
// or non-finite input.
Result<std::vector<int>> SolveAssignment(const std::vector<std::vector<double>>& cost);

struct RegionMatch {
  size_t reference = 0, candidate = 0;
  double similarity = 0;
};
struct MatchResult {
  std::vector<RegionMatch> matches;
  std::vector<size_t> unmatched_reference, unmatched_candidate;
  double precision = 0, recall = 0, f1 = 0;  // all 1 when both sides are empty
  double mean_similarity = 0;                // over matches; 0 when none
};
// Optimal one-to-one matching of a [reference][candidate] similarity matrix:
// only pairs with similarity >= threshold may match; among matchings it
// maximises the number of pairs, then their summed similarity (Hungarian
// method on cost -(1 + similarity)). precision = matches / candidates,
// recall = matches / references.
MatchResult MatchBySimilarity(const std::vector<std::vector<double>>& similarity,
                              double threshold);

struct LabeledBox {
  Box box;
  std::string label;
};
struct LabeledPolygon {
  Polygon polygon;
  std::string label;
};
struct MatchOptions {
  double iou_threshold = 0.5;
  bool require_same_label = true;  // pairs with different labels never match
};
MatchResult MatchBoxes(const std::vector<LabeledBox>& reference,
                       const std::vector<LabeledBox>& candidate, const MatchOptions& options = {});
MatchResult MatchPolygons(const std::vector<LabeledPolygon>& reference,
                          const std::vector<LabeledPolygon>& candidate,
                          const MatchOptions& options = {});

// ============================ Spans, choices, values ============================

struct Span {
  std::string label;
  size_t begin = 0, end = 0;  // [begin, end), token or character offsets
};
// Chunks from IOB tags ("B-PER", "I-PER", "O").
//  kStrictIob2: a chunk is B-X followed by I-X tokens; a stray I-X is dropped
//    (seqeval mode="strict", scheme=IOB2).
//  kConllLenient: conlleval's rules; I-X after O or another type starts a chunk.
enum class TagScheme { kStrictIob2, kConllLenient };
std::vector<Span> SpansFromTags(const std::vector<std::string>& tags, TagScheme scheme);

struct PrfScore {
  size_t true_positives = 0, false_positives = 0, false_negatives = 0;
  double precision = 0, recall = 0, f1 = 0;  // 0 on an empty denominator;
                                             // 1 when gold and predicted are both empty
};
//  kExact: same label, begin and end. kOverlap: same label and >= 1 shared
//  offset, one-to-one by maximum total overlap (Hungarian).
enum class SpanMatchMode { kExact, kOverlap };
PrfScore MatchSpans(const std::vector<Span>& gold, const std::vector<Span>& predicted,
                    SpanMatchMode mode);
// Micro-averaged exact chunk scores over sentences (conlleval / seqeval).
// InvalidArgument if sentence counts or lengths differ.
Result<PrfScore> ScoreTagSequences(const std::vector<std::vector<std::string>>& gold,
                                   const std::vector<std::vector<std::string>>& predicted,
                                   TagScheme scheme);

// 1 if both selections hold the same set of choices (order and duplicates
// ignored), else 0.
double ChoicesExactMatch(const std::vector<std::string>& a, const std::vector<std::string>& b);
// |a ∩ b| / |a ∪ b| of the choice sets; 1 when both are empty.
double ChoicesJaccard(const std::vector<std::string>& a, const std::vector<std::string>& b);
// |a - b|; NaN if either is NaN.
double NumberDifference(double a, double b);
// Levenshtein distance over Unicode code points (invalid UTF-8 bytes count as
// one symbol each).
size_t EditDistance(std::string_view a, std::string_view b);
// 1 - EditDistance / max(length) in code points; 1 when both are empty. With
// `normalize`, ASCII letters are lower-cased and runs of whitespace collapse
// to one space and are trimmed first.
double TextSimilarity(std::string_view a, std::string_view b, bool normalize = true);

// ============================ COCO detection evaluation ============================

// Reimplements pycocotools COCOeval (iouType="bbox") on in-memory records:
// IoU thresholds .50:.05:.95, 101 recall points, greedy matching of
// detections in descending score order, crowd ground truth (and ground truth
// outside the area range) ignored, area ranges all/[0,32^2]/[32^2,96^2]/
// [96^2,1e10], maxDets 1/10/100. Values are -1 where pycocotools prints -1
// (no ground truth for any category in that setting).
struct CocoGroundTruth {
  int64_t image_id = 0;
  int64_t category_id = 0;
  Box box;
  std::optional<double> area;  // COCO's "area"; box area when absent
  bool iscrowd = false;
};
struct CocoDetection {
  int64_t image_id = 0;
  int64_t category_id = 0;
  Box box;
  double score = 0;
};
struct CocoEvalOptions {
  // Images and categories evaluated besides those in the ground truth (a
  // COCO file's "images" and "categories"). Detections on an image with no
  // ground truth are false positives; detections of a category absent from
  // both are ignored.
  std::vector<int64_t> image_ids;
  std::vector<int64_t> category_ids;
};
struct CocoClassResult {
  int64_t category_id = 0;
  double ap = -1, ap50 = -1, ap75 = -1, ar100 = -1;
};
struct CocoEvalResult {
  // pycocotools' stats[0..11] in order.
  double ap = -1, ap50 = -1, ap75 = -1, ap_small = -1, ap_medium = -1, ap_large = -1;
  double ar1 = -1, ar10 = -1, ar100 = -1, ar_small = -1, ar_medium = -1, ar_large = -1;
  std::vector<CocoClassResult> per_class;  // ascending category id
};
Result<CocoEvalResult> EvaluateCocoDetections(const std::vector<CocoGroundTruth>& ground_truth,
                                              const std::vector<CocoDetection>& detections,
                                              const CocoEvalOptions& options = {});

// ============================ Aggregation ============================

// What a majority vote does when several labels share the top count.
//  kMissing: no label. kLowestValue: the smallest tied value.
//  kFirstAnnotator: the tied value given by the lowest-index annotator.
enum class TiePolicy { kMissing, kLowestValue, kFirstAnnotator };
struct Vote {
  Rating label;       // nullopt: no ratings, or a tie under kMissing
  size_t votes = 0;   // ratings for the winning (or tied) label
  size_t ratings = 0;
};
Result<std::vector<Vote>> MajorityVote(const RatingTable& table, TiePolicy ties);
Result<std::vector<Vote>> MajorityVote(const SparseRatingTable& table, TiePolicy ties);

// Dawid & Skene (1979) EM for categorical labels. Initialised from per-item
// vote shares (or one-hot gold labels where given); M-step: class priors and
// per-annotator confusion matrices with `smoothing` pseudo-counts added to
// every cell; E-step: posteriors proportional to prior * product of
// confusion entries. Stops when the log-likelihood
//   sum_i log sum_k p_k prod_j prod_l pi^(j)_kl ^ n_ijl
// improves by less than `tolerance`, or after `max_iterations`.
struct DawidSkeneOptions {
  int max_iterations = 100;
  double tolerance = 1e-7;
  double smoothing = 0.01;
  std::vector<double> categories;  // empty: the observed values
  std::vector<Rating> gold;        // empty, or one entry per item
};
struct DawidSkeneResult {
  std::vector<double> categories;                            // ascending
  std::vector<double> priors;                                // [class]
  std::vector<std::vector<std::vector<double>>> confusion;   // [annotator][true][given]
  std::vector<std::vector<double>> posteriors;               // [item][class]
  std::vector<Rating> labels;  // argmax posterior; nullopt for unrated items
  double log_likelihood = 0;
  int iterations = 0;
  bool converged = false;
};
Result<DawidSkeneResult> DawidSkene(const RatingTable& table, const DawidSkeneOptions& options = {});
// The same fit on a sparse table (bit for bit: the same iterations in the same
// order); time and memory follow the ratings given, plus items x classes for
// the posteriors and annotators x classes^2 for the confusion matrices.
Result<DawidSkeneResult> DawidSkene(const SparseRatingTable& table,
                                    const DawidSkeneOptions& options = {});

// Consensus boxes from several annotators' boxes on one image. Boxes are taken
// in input order; each joins the same-label cluster (without a box from the
// same annotator) whose current mean box it overlaps most, if that IoU is >=
// iou_threshold, else it starts a new cluster. Clusters with boxes from at
// least `quorum` annotators become consensus boxes whose coordinates are the
// means of the members' x, y, x+width, y+height.
struct AnnotatorBox {
  size_t annotator = 0;
  LabeledBox box;
};
struct ConsensusOptions {
  double iou_threshold = 0.5;
  size_t quorum = 2;
};
struct ConsensusBox {
  LabeledBox box;
  std::vector<size_t> members;  // indices into the input
};
Result<std::vector<ConsensusBox>> BoxConsensus(const std::vector<AnnotatorBox>& boxes,
                                               const ConsensusOptions& options = {});

// Consensus polygons from several annotators' polygons on one image, by the
// same greedy clustering as BoxConsensus, with polygon IoU against each
// cluster's first polygon. A cluster from at least `quorum` annotators gives
// its medoid: the member with the largest summed IoU to the other members
// (the earliest on ties). Vertices are not averaged: polygons of one object
// seldom have the same number of vertices, in the same order.
// InvalidArgument when a polygon has fewer than 3 vertices or one is not finite.
struct AnnotatorPolygon {
  size_t annotator = 0;
  LabeledPolygon polygon;
};
struct ConsensusPolygon {
  size_t medoid = 0;            // index into the input
  std::vector<size_t> members;  // indices into the input
};
Result<std::vector<ConsensusPolygon>> PolygonConsensus(const std::vector<AnnotatorPolygon>& polygons,
                                                       const ConsensusOptions& options = {});

// Consensus spans (NER) from several annotators' spans on one text. Spans are
// taken in input order; each joins the same-label cluster (without a span
// from the same annotator) whose current consensus span it overlaps most by
// interval IoU |a ∩ b| / |a ∪ b|, if that is >= iou_threshold, else it starts
// a new cluster. Clusters with spans from at least `quorum` annotators become
// consensus spans whose begin and end are the medians of the members' begins
// and ends (the lower median for an even count, so offsets stay integers and
// one outlier boundary cannot drag the span). iou_threshold 1 keeps only spans
// that annotators marked identically. Output is sorted by (begin, end, label).
struct AnnotatorSpan {
  size_t annotator = 0;
  Span span;
};
struct ConsensusSpan {
  Span span;
  std::vector<size_t> members;  // indices into the input
};
double SpanIoU(const Span& a, const Span& b);  // 0 for two empty spans
Result<std::vector<ConsensusSpan>> SpanConsensus(const std::vector<AnnotatorSpan>& spans,
                                                 const ConsensusOptions& options = {});

// ============================ Label errors ============================

// Confident learning (Northcutt, Jiang & Chuang 2021, JAIR 70) from
// out-of-sample predicted probabilities [example][class] and given labels.
//  thresholds t_j = mean p_j(x) over examples labelled j (+inf if none);
//  confident joint C[i][j] counts examples labelled i whose argmax over
//    {j : p_j(x) >= t_j - 1e-6} is j (the slack absorbs rounding in t_j); calibrated so row i sums to the count of label i,
//    then normalised to the joint Q.
// Issues, by `method`:
//  kConfidentJoint: the examples in C's off-diagonal cells.
//  kPruneByNoiseRate: for each i != j, the round(n Q[i][j]) examples labelled i
//    with the largest margin p_j(x) - p_i(x).
//  kPruneByClass: for each i, the round(n sum_{j!=i} Q[i][j]) examples labelled
//    i with the lowest self-confidence p_i(x).
//  kBoth: examples chosen by both pruning rules.
// Issues are sorted by self-confidence p_given(x), lowest first.
enum class PruneMethod { kConfidentJoint, kPruneByNoiseRate, kPruneByClass, kBoth };
struct LabelIssue {
  size_t index = 0;
  size_t given_label = 0;
  size_t suggested_label = 0;  // argmax p(x)
  double self_confidence = 0;
  double normalized_margin = 0;  // see LabelQualityScores
};
struct ConfidentLearningResult {
  std::vector<double> thresholds;
  std::vector<std::vector<size_t>> confident_joint;  // [given][true]
  std::vector<std::vector<double>> joint;            // calibrated, sums to 1
  std::vector<LabelIssue> issues;
};
Result<ConfidentLearningResult> FindLabelIssues(const std::vector<size_t>& labels,
                                                const std::vector<std::vector<double>>& pred_probs,
                                                PruneMethod method = PruneMethod::kPruneByNoiseRate);

// Per-example label-quality scores in [0, 1], low = the given label is likely
// wrong, as cleanlab.rank.get_label_quality_scores defines them (without
// adjust_pred_probs), with k the given label and p = pred_probs[x]:
//  kSelfConfidence   p_k
//  kNormalizedMargin (p_k - max_{j != k} p_j + 1) / 2
// InvalidArgument on the same structural problems as FindLabelIssues.
enum class LabelQualityMethod { kSelfConfidence, kNormalizedMargin };
Result<std::vector<double>> LabelQualityScores(const std::vector<size_t>& labels,
                                               const std::vector<std::vector<double>>& pred_probs,
                                               LabelQualityMethod method);

// Annotator quality from multi-annotator data (a RatingTable of category
// codes), one entry per annotator column, ranked best first:
//  loo_agreement  over the items the annotator rated that someone else also
//    rated, the mean agreement with the majority vote of the OTHER annotators
//    (leave-one-out); when the others tie between t labels, a rating that is
//    one of them earns 1/t. NaN when no such item.
//  ds_accuracy    Dawid & Skene (1979) estimated accuracy sum_k prior_k *
//    confusion[k][k] of the annotator's fitted confusion matrix (DawidSkene
//    with `options`). NaN when the annotator gave no rating.
// Ranking: ds_accuracy descending, then loo_agreement descending, then more
// ratings, then column order; NaN sorts last.
struct AnnotatorQuality {
  size_t annotator = 0;       // column in the table
  size_t ratings = 0;         // items the annotator rated
  size_t compared_items = 0;  // items that entered loo_agreement
  double loo_agreement = 0;
  double ds_accuracy = 0;
};
Result<std::vector<AnnotatorQuality>> RankAnnotators(const RatingTable& table,
                                                     const DawidSkeneOptions& options = {});
Result<std::vector<AnnotatorQuality>> RankAnnotators(const SparseRatingTable& table,
                                                     const DawidSkeneOptions& options = {});

}  // namespace tessera::quality

#endif  // TESSERA_QUALITY_H_
