// The agreement report from the totals an AgreementBuilder keeps (see
// src/quality/agreement_state.h): what each task's share adds to them and
// takes back, and the report and task-score queries computed from them.
#include <algorithm>
#include <cmath>
#include <limits>

#include "src/quality/agreement_state.h"
#include "src/quality/rating_counts.h"
#include "tessera/agreement.h"
#include "tessera/quality.h"

namespace tessera {

namespace q = quality;
using nlohmann::json;

namespace agreement_state {

double PairKappa(const PairTotals::Answers& t) {
  const double n = static_cast<double>(t.items);
  double expected = 0;
  for (const auto& [answer, count] : t.first) {
    auto other = t.second.find(answer);
    if (other != t.second.end()) expected += (static_cast<double>(count) / n) * (static_cast<double>(other->second) / n);
  }
  return q::internal::ChanceCorrected(static_cast<double>(t.agree) / n, expected);
}

namespace {

size_t BinOf(double score) {
  return static_cast<size_t>(std::clamp(static_cast<int>(score * AgreementBuilder::kScoreBins), 0,
                                        static_cast<int>(AgreementBuilder::kScoreBins) - 1));
}

}  // namespace

TaskShare State::Code(PreparedShare prepared) {
  TaskShare share = std::move(prepared.share);
  for (size_t c = 0; c < prepared.answers.size() && c < controls.size(); ++c) {
    ControlTotals& t = totals[c];
    for (auto& [who, answer] : prepared.answers[c]) {
      auto [it, fresh] = t.answer_codes.try_emplace(answer, static_cast<uint32_t>(t.answer_names.size()));
      if (fresh) t.answer_names.push_back(std::move(answer));
      share.controls[c].ratings.emplace_back(who, it->second);
    }
  }
  return share;
}

void State::Apply(Id task_id, const TaskShare& share, int sign) {
  for (Id who : share.people) Appearances::Count(seen.people, who, sign);
  std::vector<double> ratings;
  for (size_t c = 0; c < controls.size(); ++c) {
    const ControlShare& cs = share.controls[c];
    ControlTotals& t = totals[c];
    const Method method = controls[c].method;
    if (Rated(method)) {
      ratings.clear();
      for (const auto& [who, value] : cs.ratings) {
        Appearances::Count(seen.raters[c], who, sign);
        ratings.push_back(value);
      }
      t.ratings.Apply(ratings, sign);
    }
    if (method == Method::kCategorical) {
      // cs.ratings is in ascending annotator order.
      for (size_t i = 0; i < cs.ratings.size(); ++i) {
        for (size_t j = i + 1; j < cs.ratings.size(); ++j) {
          const auto key = std::make_pair(cs.ratings[i].first, cs.ratings[j].first);
          PairTotals::Answers& pair = pairs.answers[c][key];
          pair.items += sign;
          pair.agree += sign * (cs.ratings[i].second == cs.ratings[j].second);
          Appearances::Count(pair.first, static_cast<uint32_t>(cs.ratings[i].second), sign);
          Appearances::Count(pair.second, static_cast<uint32_t>(cs.ratings[j].second), sign);
          if (pair.items == 0) pairs.answers[c].erase(key);
        }
      }
    } else if (!Rated(method) && !cs.pairs.empty()) {  // regions, text
      for (const auto& [a, b, score] : cs.pairs) {
        const auto key = std::make_pair(a, b);
        PairTotals::Scores& pair = pairs.scores[c][key];
        pair.sum.Add(score, sign);
        pair.count += sign;
        if (pair.count == 0) pairs.scores[c].erase(key);
      }
      t.tasks += sign;
      t.task_means.Add(MeanSimilarity(cs), sign);
    }
  }
  if (share.score && std::isfinite(*share.score)) {
    if (sign > 0) scores.index.insert({*share.score, task_id});
    else scores.index.erase({*share.score, task_id});
    scores.sum.Add(*share.score, sign);
    scores.bins[BinOf(*share.score)] += sign;
  }
}

}  // namespace agreement_state

using agreement_state::Method;

namespace {

std::optional<double> Optional(double v) {
  if (std::isnan(v)) return std::nullopt;
  return v;
}

}  // namespace

Result<AgreementReport> AgreementBuilder::Summary() const {
  const agreement_state::State& s = *state_;
  AgreementReport report;
  for (const auto& [who, tasks] : s.seen.people) report.annotators.push_back(who);  // ascending
  std::map<Id, size_t> column;
  for (size_t idx = 0; idx < report.annotators.size(); ++idx) column[report.annotators[idx]] = idx;
  const size_t n = report.annotators.size();

  for (size_t c = 0; c < s.controls.size(); ++c) {
    const agreement_state::EligibleControl& control = s.controls[c];
    const Method method = control.method;
    const agreement_state::ControlTotals& t = s.totals[c];
    ControlAgreement ca;
    ca.from_name = control.tag->name;
    ca.result_type = std::string(control.tag->result_type());
    ca.method = agreement_state::MethodName(method);
    if (agreement_state::Rated(method)) {
      ca.tasks = t.ratings.items(2);
      if (ca.tasks > 0) {
        if (auto p = q::PercentAgreement(t.ratings); p.ok()) ca.percent_agreement = Optional(*p);
        const q::Level level = method == Method::kCategorical ? q::Level::kNominal
                               : method == Method::kOrdinal  ? q::Level::kOrdinal
                                                             : q::Level::kInterval;
        if (auto a = q::KrippendorffAlpha(t.ratings, level); a.ok()) ca.krippendorff_alpha = Optional(a->value);
        if (method == Method::kCategorical) {
          if (auto k = q::FleissKappa(t.ratings); k.ok()) ca.fleiss_kappa = Optional(k->value);
          if (auto labels = q::PerLabelAgreement(t.ratings); labels.ok()) {
            for (const q::LabelAgreement& la : *labels) {
              const auto code = static_cast<size_t>(la.category);
              if (code >= t.answer_names.size()) continue;
              ca.per_label[t.answer_names[code]] = {
                  {"ratings", la.ratings},
                  {"specific_agreement",
                   Optional(la.specific_agreement) ? json(la.specific_agreement) : json(nullptr)},
                  {"kappa", Optional(la.kappa) ? json(la.kappa) : json(nullptr)}};
            }
          }
          // Cohen's kappa of every pair of the control's annotators; 1 on the
          // diagonal, none for a pair with no task in common.
          if (s.seen.raters[c].size() >= 2) {
            ca.pairwise.assign(n, std::vector<std::optional<double>>(n));
            for (const auto& [who, ratings] : s.seen.raters[c]) ca.pairwise[column[who]][column[who]] = 1.0;
            for (const auto& [pair, answers] : s.pairs.answers[c]) {
              const size_t a = column[pair.first], b = column[pair.second];
              ca.pairwise[a][b] = ca.pairwise[b][a] = Optional(agreement_state::PairKappa(answers));
            }
          }
        }
      }
    } else {
      ca.tasks = static_cast<size_t>(t.tasks);
      if (ca.tasks > 0) ca.mean_pairwise = t.task_means.value() / static_cast<double>(ca.tasks);
      ca.pairwise.assign(n, std::vector<std::optional<double>>(n));
      for (size_t a = 0; a < n; ++a) ca.pairwise[a][a] = 1.0;
      for (const auto& [pair, scores] : s.pairs.scores[c]) {
        const size_t a = column[pair.first], b = column[pair.second];
        ca.pairwise[a][b] = ca.pairwise[b][a] = scores.sum.value() / static_cast<double>(scores.count);
      }
    }
    report.controls.push_back(std::move(ca));
  }
  report.mean_task_score = MeanTaskScore();
  return report;
}

Result<AgreementReport> AgreementBuilder::Finish() const {
  TESSERA_ASSIGN_OR_RETURN(AgreementReport report, Summary());
  report.tasks.reserve(state_->tasks.size());
  for (const auto& [task_id, share] : state_->tasks) report.tasks.push_back({task_id, share.annotators, share.score});
  return report;
}

size_t AgreementBuilder::scored_tasks() const { return state_->scores.index.size(); }

std::array<size_t, AgreementBuilder::kScoreBins> AgreementBuilder::ScoreBins() const {
  std::array<size_t, kScoreBins> out{};
  for (size_t b = 0; b < kScoreBins; ++b) out[b] = static_cast<size_t>(state_->scores.bins[b]);
  return out;
}

std::optional<double> AgreementBuilder::MeanTaskScore() const {
  const size_t scored = scored_tasks();
  if (scored == 0) return std::nullopt;
  return state_->scores.sum.value() / static_cast<double>(scored);
}

namespace {
constexpr Id kFirstId = std::numeric_limits<Id>::min();
constexpr Id kLastId = std::numeric_limits<Id>::max();
}  // namespace

size_t AgreementBuilder::ScoredBelow(double score) const {
  if (std::isnan(score)) return 0;
  return state_->scores.index.order_of_key({score, kFirstId});
}

size_t AgreementBuilder::ScoredAtMost(double score) const {
  if (std::isnan(score)) return 0;
  const auto& index = state_->scores.index;
  return index.order_of_key({score, kLastId}) + (index.find({score, kLastId}) != index.end());
}

std::vector<TaskAgreement> AgreementBuilder::TasksByScore(double max_score, bool ascending, size_t offset,
                                                          size_t limit) const {
  const auto& index = state_->scores.index;
  const size_t held = ScoredAtMost(max_score);
  std::vector<TaskAgreement> out;
  auto emit = [&](const std::pair<double, Id>& entry) {
    auto task = state_->tasks.find(entry.second);
    out.push_back({entry.second, task != state_->tasks.end() ? task->second.annotators : 0, entry.first});
  };
  if (ascending) {
    for (auto it = index.find_by_order(offset); offset < held && out.size() < limit; ++it, ++offset) emit(*it);
    return out;
  }
  // Descending by score, each score's tasks still by ascending id: find the
  // group of equal scores that position `offset` falls in (groups are
  // contiguous either way), then go through it in ascending order and on
  // to the next lower group.
  for (size_t pos = offset; pos < held && out.size() < limit;) {
    const double score = index.find_by_order(held - 1 - pos)->first;
    const size_t low = index.order_of_key({score, kFirstId});
    const size_t high = std::min(held, ScoredAtMost(score));
    auto it = index.find_by_order(low + (pos - (held - high)));
    for (; it != index.end() && it->first == score && out.size() < limit; ++it, ++pos) emit(*it);
  }
  return out;
}

}  // namespace tessera
