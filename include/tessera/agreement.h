// Project agreement: turns Label Studio tasks and annotations into the
// quality library's tables and reports inter-annotator agreement per control
// tag of the labeling config and per task.
//
// Which statistic for which control:
//   choices (single or multi-choice as a label set), taxonomy   nominal
//   rating                                                      ordinal
//   number                                                      interval
//     -> percent agreement, Krippendorff's alpha at that level, Fleiss' kappa
//        (nominal only), pairwise Cohen's kappa / percent agreement matrix,
//        per-label agreement (nominal only)
//   rectanglelabels, polygonlabels (boxes/polygons by IoU >= threshold,
//     labels must match), keypointlabels (same label within `keypoint_radius`
//     percent), labels (text spans, exact start/end/label)
//     -> mean pairwise F1 of an optimal one-to-one matching
//   textarea -> mean pairwise normalised text similarity
// A task's score is the mean over its controls of the mean pairwise agreement
// among its annotators; tasks with fewer than two annotators have no score.
//
// Only non-cancelled annotations count; when one person annotated a task more
// than once, their latest annotation (highest id) stands. Tasks without such
// an annotation are left out of the report (and not kept by the builder).
//
#ifndef TESSERA_AGREEMENT_H_
#define TESSERA_AGREEMENT_H_

#include <array>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tessera/config.h"
#include "tessera/quality.h"
#include "tessera/store.h"

namespace tessera {

struct AgreementOptions {
  double iou_threshold = 0.5;
  double keypoint_radius = 2.0;  // percent of the image size
};

struct ControlAgreement {
  std::string from_name;
  std::string result_type;  // "choices", "rectanglelabels", ...
  std::string method;       // "categorical", "ordinal", "interval", "regions", "text"
  size_t tasks = 0;         // tasks with >= 2 annotators on this control
  std::optional<double> percent_agreement;
  std::optional<double> krippendorff_alpha;
  std::optional<double> fleiss_kappa;
  std::optional<double> mean_pairwise;  // regions/text: mean pairwise F1 or similarity
  // Per label (categorical): {"label": {"specific_agreement", "kappa", "ratings"}}
  nlohmann::json per_label = nlohmann::json::object();
  // Pairwise matrix over `annotators` (Cohen's kappa for categorical controls,
  // mean pairwise F1/similarity otherwise); null where undefined.
  std::vector<std::vector<std::optional<double>>> pairwise;
};

struct TaskAgreement {
  Id task_id = 0;
  int annotators = 0;
  std::optional<double> score;
};

struct AgreementReport {
  std::vector<Id> annotators;  // user ids, ascending
  std::vector<ControlAgreement> controls;
  std::vector<TaskAgreement> tasks;
  std::optional<double> mean_task_score;
};

// One categorical or numeric control as a rating table, for the statistics
// the report does not include (other coefficients, aggregation).
struct ControlTable {
  std::string from_name;
  std::string result_type;
  std::string method;                   // "categorical", "ordinal" or "interval"
  std::vector<Id> annotators;           // column j rates as annotators[j]
  std::vector<Id> task_ids;             // tasks with >= 1 rating
  std::vector<std::string> categories;  // categorical: code k is categories[k]; config
                                        // options first, in document order, then
                                        // other observed answers sorted
  // Row i is task task_ids[i]; only the ratings given are stored (a project
  // with many annotators and a few on each task stays small). The agreement
  // coefficients, aggregation, annotator ranking and bootstrap take it as is;
  // Cohen's kappa and Scott's pi take a dense two-column table.
  quality::SparseRatingTable ratings;
};

struct PreparedShare;  // src/quality/agreement_state.h

// One task's share of the agreement, computed apart from the builder that
// takes it (AgreementBuilder::Prepare, then Add).
class PreparedTask {
 public:
  PreparedTask();
  ~PreparedTask();
  PreparedTask(PreparedTask&&) noexcept;
  PreparedTask& operator=(PreparedTask&&) noexcept;

 private:
  friend class AgreementBuilder;
  Id task_id_ = 0;
  std::unique_ptr<PreparedShare> share_;  // null: nobody annotated the task
};

// Accumulates tasks one at a time (so a project streams through), then
// computes the report. Each task's share is computed when it is added (its
// results parsed, its regions matched) and kept in a compact form, so a
// builder can be kept up to date: AddTask again replaces a task's share,
// RemoveTask drops it, and each share is added to (and taken back from)
// totals that Summary and Finish compute the report from.
//
// Thread-safety: const methods (Prepare among them) may run concurrently;
// AddTask, Add and RemoveTask need exclusive access.
class AgreementBuilder {
 public:
  AgreementBuilder(const LabelingConfig& config, AgreementOptions options = {});
  ~AgreementBuilder();
  AgreementBuilder(const AgreementBuilder&) = delete;
  AgreementBuilder& operator=(const AgreementBuilder&) = delete;

  // Adds the task, or replaces what was added before under the same task id.
  void AddTask(const TaskBundle& bundle);
  // AddTask in two halves, so that several threads can do the costly one:
  // Prepare parses the task's results and scores its pairs of annotators
  // (it only reads the builder); Add puts the prepared task in.
  PreparedTask Prepare(const TaskBundle& bundle) const;
  void Add(PreparedTask task);
  void RemoveTask(Id task_id);
  size_t task_count() const;

  // The report. Every line of it but the per-task rows comes from totals
  // the builder keeps as tasks are added and removed (per control the
  // rating table's quality::RatingTotals, per pair of annotators their joint
  // answers or summed similarity, the task scores ordered), so Summary's
  // cost follows the controls, their categories and the pairs of annotators
  // who share tasks, not the number of tasks; Finish adds a row per task.
  // The values equal those computed from the rating tables (Table and the
  // quality library's table functions) to rounding.
  Result<AgreementReport> Finish() const;
  Result<AgreementReport> Summary() const;  // Finish() without report.tasks

  // The task scores (TaskAgreement::score), kept ordered.
  static constexpr size_t kScoreBins = 10;
  size_t scored_tasks() const;
  // Scored tasks per tenth of [0, 1]: bin b holds scores s with
  // floor(10 s) == b (a score of 1 in the last bin).
  std::array<size_t, kScoreBins> ScoreBins() const;
  std::optional<double> MeanTaskScore() const;
  size_t ScoredBelow(double score) const;   // tasks with a score < `score`
  size_t ScoredAtMost(double score) const;  // tasks with a score <= `score`
  // The scored tasks with a score <= max_score, by score (ascending or
  // descending) and then by task id ascending: `limit` of them from
  // position `offset`.
  std::vector<TaskAgreement> TasksByScore(double max_score, bool ascending, size_t offset,
                                          size_t limit) const;
  // PeerAgreement(Finish()) by annotator id (annotators with no defined
  // value left out), from per-pair totals the builder keeps up to date as
  // tasks are added and removed: its cost follows the pairs of annotators
  // who share tasks, not the number of tasks.
  std::map<Id, double> PeerAgreementByAnnotator() const;
  // NotFound for an unknown control; FailedPrecondition for a control whose
  // results are regions or text (they have no rating table).
  Result<ControlTable> Table(std::string_view from_name) const;

 private:
  struct State;
  const LabelingConfig& config_;
  AgreementOptions options_;
  std::unique_ptr<State> state_;
};

nlohmann::json AgreementReportToJson(const AgreementReport& report);
// One control of it, as AgreementReportToJson writes it (without the
// per-task list, which is most of a large project's report).
nlohmann::json ControlAgreementToJson(const ControlAgreement& control);

// Each annotator's agreement with their peers: the mean of their row of every
// control's pairwise matrix (off the diagonal, defined entries only), in
// report.annotators order; nullopt for someone who shares no task.
std::vector<std::optional<double>> PeerAgreement(const AgreementReport& report);

}  // namespace tessera

#endif  // TESSERA_AGREEMENT_H_
