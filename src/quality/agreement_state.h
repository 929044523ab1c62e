// The inside of an AgreementBuilder (tessera/agreement.h): each task's share
// and the totals kept over all shares as tasks come and go. Shared by
// project_agreement.cc (shares, tables) and agreement_summary.cc (the
// report from the totals). Not part of the public API.
#ifndef TESSERA_SRC_QUALITY_AGREEMENT_STATE_H_
#define TESSERA_SRC_QUALITY_AGREEMENT_STATE_H_

#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

#include "tessera/agreement.h"
#include "tessera/quality.h"

namespace tessera {

// What one task contributes for one control, as the builder keeps it.
struct ControlShare {
  // Rated controls: (annotator, value), by ascending annotator; a
  // categorical control's value is its answer's code (ControlTotals::
  // answer_codes), so a share holds no strings.
  std::vector<std::pair<Id, double>> ratings;
  std::vector<std::tuple<Id, Id, double>> pairs;  // regions / text: pairwise similarity
};

struct TaskShare {
  int annotators = 0;
  std::vector<Id> people;              // ascending
  std::vector<ControlShare> controls;  // parallel to State::controls
  // The mean over its controls of the mean pairwise agreement among its
  // annotators; none with fewer than two annotators on every control.
  std::optional<double> score;
};

// A share as Prepare leaves it (Prepare only reads the builder, so it cannot
// give new answers their codes): categorical answers still as text, per
// control, coded by Add.
struct PreparedShare {
  TaskShare share;
  std::vector<std::vector<std::pair<Id, std::string>>> answers;  // per control
};

namespace agreement_state {

enum class Method { kCategorical, kOrdinal, kInterval, kRegions, kText, kNone };

Method MethodFor(std::string_view type);
const char* MethodName(Method m);
inline bool Rated(Method m) {
  return m == Method::kCategorical || m == Method::kOrdinal || m == Method::kInterval;
}

// A running sum that taking back a value leaves exactly as before: values
// are held as fixed-point integers (2^-60 resolution, |value| < 2^20; the
// similarities and scores summed lie in [0, 1]), so a
// kept total equals one summed afresh, however many values came and went.
// A value out of that range makes the sum NaN while it is held.
class ExactSum {
 public:
  void Add(double value, int sign) {
    if (!std::isfinite(value) || std::abs(value) >= 0x1p20) {
      non_finite_ += sign;
      return;
    }
    const auto fixed = static_cast<__int128>(std::ldexp(value, kShift));
    fixed_ += sign > 0 ? fixed : -fixed;
  }
  double value() const {
    return non_finite_ != 0 ? std::nan("") : std::ldexp(static_cast<double>(fixed_), -kShift);
  }

 private:
  static constexpr int kShift = 60;
  __int128 fixed_ = 0;
  int64_t non_finite_ = 0;
};

// A region or text control's agreement on one task: the mean similarity of
// its pairs (which must not be empty), summed in pair order.
inline double MeanSimilarity(const ControlShare& share) {
  double similarity = 0;
  for (const auto& [a, b, score] : share.pairs) similarity += score;
  return similarity / static_cast<double>(share.pairs.size());
}

struct EligibleControl {
  const ControlTag* tag = nullptr;
  Method method = Method::kNone;
};

// Running per-pair totals over every task's share, for the pairwise
// matrices and PeerAgreement without a pass over the tasks: nominal
// controls keep each pair's joint answers (items both answered, items they
// agreed on, each one's answer counts on those items); region and text
// controls each pair's summed similarity. Shares are added with sign +1 and
// taken back with -1 when replaced or removed.
struct PairTotals {
  struct Answers {
    int64_t items = 0, agree = 0;
    std::map<uint32_t, int64_t> first, second;  // answer code -> items
  };
  struct Scores {
    ExactSum sum;
    int64_t count = 0;
  };
  std::vector<std::map<std::pair<Id, Id>, Answers>> answers;  // per control
  std::vector<std::map<std::pair<Id, Id>, Scores>> scores;    // per control
};

// Cohen's kappa of a pair on the items both answered (nominal, unweighted),
// as quality::PairwiseAgreement computes it from their rating table.
double PairKappa(const PairTotals::Answers& answers);

// Who appears in the shares, counted as they come and go, so that the
// report and Table list the annotators without a pass over every task's
// share (3M ratings at 1M tasks). The answers given are the codes with
// ratings in the control's RatingTotals.
struct Appearances {
  std::map<Id, int64_t> people;               // tasks per annotator
  std::vector<std::map<Id, int64_t>> raters;  // per control: ratings per annotator

  template <typename Map, typename Key>
  static void Count(Map& counts, const Key& key, int sign) {
    auto [it, fresh] = counts.try_emplace(key, 0);
    it->second += sign;
    if (it->second == 0) counts.erase(it);
  }
};

// Per control, the totals its line of the report is computed from.
struct ControlTotals {
  // Rated controls: the rating table's totals. A categorical control's
  // answers enter as codes from `answer_codes`, given in order of first
  // appearance and kept (a code is a name for the answer, not a rank).
  quality::RatingTotals ratings;
  std::map<std::string, uint32_t> answer_codes;
  std::vector<std::string> answer_names;  // by code
  // Region and text controls: tasks with a pair and the sum of their means.
  int64_t tasks = 0;
  ExactSum task_means;
};

// Task scores, ordered, with rank queries (GCC's order-statistics tree):
// the lowest tasks, a page of tasks by score and the count below a
// threshold each cost a few tree steps, not a sort of every task.
using ScoreIndex =
    __gnu_pbds::tree<std::pair<double, Id>, __gnu_pbds::null_type, std::less<std::pair<double, Id>>,
                     __gnu_pbds::rb_tree_tag, __gnu_pbds::tree_order_statistics_node_update>;

struct TaskScores {
  ScoreIndex index;  // (score, task id) of every scored task
  ExactSum sum;
  std::array<int64_t, AgreementBuilder::kScoreBins> bins{};
};

struct State {
  std::vector<EligibleControl> controls;
  std::map<Id, TaskShare> tasks;
  PairTotals pairs;
  Appearances seen;
  std::vector<ControlTotals> totals;  // parallel to controls
  TaskScores scores;

  void Resize() {
    pairs.answers.resize(controls.size());
    pairs.scores.resize(controls.size());
    seen.raters.resize(controls.size());
    totals.resize(controls.size());
  }
  // Adds (+1) or takes back (-1) a task's share from every total.
  void Apply(Id task_id, const TaskShare& share, int sign);
  // The share to keep for a prepared one: its answers coded (new answers
  // get the next code of their control).
  TaskShare Code(PreparedShare prepared);
  void Erase(Id task_id) {
    auto it = tasks.find(task_id);
    if (it == tasks.end()) return;
    Apply(task_id, it->second, -1);
    tasks.erase(it);
  }
};

}  // namespace agreement_state

// The builder's state is the struct above (declared in AgreementBuilder).
struct AgreementBuilder::State : agreement_state::State {};

}  // namespace tessera

#endif  // TESSERA_SRC_QUALITY_AGREEMENT_STATE_H_
