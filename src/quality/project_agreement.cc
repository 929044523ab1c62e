// Agreement over a Label Studio project: maps each control's results onto the
// quality library's tables and matchers (see include/tessera/agreement.h).
#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include <simdjson.h>

#include "src/quality/agreement_state.h"
#include "src/quality/rating_counts.h"
#include "src/quality/result_values.h"
#include "tessera/agreement.h"
#include "tessera/quality.h"

namespace tessera {

using nlohmann::json;
namespace q = quality;
using result_values::CategoryKey;
using result_values::Element;
using result_values::ItemsOf;
using result_values::JoinedText;
using result_values::NumericAnswer;
using result_values::RegionF1;
using result_values::Value;

namespace agreement_state {

Method MethodFor(std::string_view type) {
  if (type == "choices" || type == "taxonomy") return Method::kCategorical;
  if (type == "rating") return Method::kOrdinal;
  if (type == "number") return Method::kInterval;
  if (type == "textarea") return Method::kText;
  for (const char* t : {"rectanglelabels", "rectangle", "polygonlabels", "polygon",
                        "keypointlabels", "keypoint", "labels", "hypertextlabels",
                        "paragraphlabels"}) {
    if (type == t) return Method::kRegions;
  }
  return Method::kNone;
}

const char* MethodName(Method m) {
  switch (m) {
    case Method::kCategorical: return "categorical";
    case Method::kOrdinal: return "ordinal";
    case Method::kInterval: return "interval";
    case Method::kRegions: return "regions";
    case Method::kText: return "text";
    case Method::kNone: return "none";
  }
  return "none";
}

}  // namespace agreement_state

using agreement_state::EligibleControl;
using agreement_state::Method;
using agreement_state::MethodFor;
using agreement_state::MethodName;

AgreementBuilder::AgreementBuilder(const LabelingConfig& config, AgreementOptions options)
    : config_(config), options_(options), state_(std::make_unique<State>()) {
  for (const ControlTag& control : config_.controls()) {
    Method method = MethodFor(control.result_type());
    if (method == Method::kNone || control.name.empty()) continue;
    state_->controls.push_back({&control, method});
  }
  state_->Resize();
}

AgreementBuilder::~AgreementBuilder() = default;

size_t AgreementBuilder::task_count() const { return state_->tasks.size(); }

void AgreementBuilder::RemoveTask(Id task_id) { state_->Erase(task_id); }

PreparedTask::PreparedTask() = default;
PreparedTask::~PreparedTask() = default;
PreparedTask::PreparedTask(PreparedTask&&) noexcept = default;
PreparedTask& PreparedTask::operator=(PreparedTask&&) noexcept = default;

void AgreementBuilder::AddTask(const TaskBundle& bundle) { Add(Prepare(bundle)); }

void AgreementBuilder::Add(PreparedTask task) {
  state_->Erase(task.task_id_);
  if (task.share_ == nullptr) return;
  TaskShare share = state_->Code(std::move(*task.share_));
  state_->Apply(task.task_id_, share, +1);
  state_->tasks.emplace(task.task_id_, std::move(share));
}

PreparedTask AgreementBuilder::Prepare(const TaskBundle& bundle) const {
  PreparedTask prepared;
  prepared.task_id_ = bundle.task.id;
  // Parsed results live in documents of this thread's, reused task after
  // task (a document's elements stay valid while it is not parsed into again).
  thread_local simdjson::dom::parser parser;
  thread_local std::vector<std::unique_ptr<simdjson::dom::document>> documents;
  std::vector<size_t> free_documents;
  for (size_t d = 0; d < documents.size(); ++d) free_documents.push_back(d);
  struct Latest {
    Id annotation_id = 0;
    size_t document = 0;
    Element result;
  };
  std::map<Id, Latest> latest;  // annotator -> their newest annotation that parses
  for (const Annotation& a : bundle.annotations) {
    if (a.was_cancelled) continue;
    // Annotations imported without an author each count as their own annotator.
    Id who = a.completed_by > 0 ? a.completed_by : -a.id;
    auto it = latest.find(who);
    if (it != latest.end() && it->second.annotation_id > a.id) continue;
    if (free_documents.empty()) {
      free_documents.push_back(documents.size());
      documents.push_back(std::make_unique<simdjson::dom::document>());
    }
    const size_t d = free_documents.back();
    Element result;
    // Copied into a padded buffer only when the string's own spare room is too short.
    const bool pad = a.result.capacity() - a.result.size() < simdjson::SIMDJSON_PADDING;
    if (parser.parse_into_document(*documents[d], a.result.data(), a.result.size(), pad).get(result) !=
        simdjson::SUCCESS) {
      continue;
    }
    free_documents.pop_back();
    if (it != latest.end()) free_documents.push_back(it->second.document);
    latest[who] = {a.id, d, result};
  }
  // A task nobody annotated has no agreement to report: it is not kept (a
  // 10M-task project 10% done holds 1M shares, not 10M).
  if (latest.empty()) return prepared;
  prepared.share_ = std::make_unique<PreparedShare>();
  TaskShare& share = prepared.share_->share;
  share.annotators = static_cast<int>(latest.size());
  for (const auto& [who, entry] : latest) share.people.push_back(who);
  share.controls.resize(state_->controls.size());
  prepared.share_->answers.resize(state_->controls.size());
  for (size_t c = 0; c < state_->controls.size(); ++c) {
    const EligibleControl& control = state_->controls[c];
    ControlShare& out = share.controls[c];
    auto& answers = prepared.share_->answers[c];
    std::vector<std::pair<Id, std::vector<Value>>> present;
    bool anyone_used = false;
    for (const auto& [who, entry] : latest) {
      auto items = ItemsOf(entry.result, control.tag->name);
      anyone_used |= !items.empty();
      switch (control.method) {
        case Method::kCategorical:
          if (auto key = CategoryKey(items)) answers.emplace_back(who, std::move(*key));
          break;
        case Method::kOrdinal:
        case Method::kInterval:
          if (auto v = NumericAnswer(items, control.method == Method::kOrdinal ? "rating" : "number"))
            out.ratings.emplace_back(who, *v);
          break;
        default:
          present.emplace_back(who, std::move(items));
      }
    }
    // Regions and text: everyone who annotated the task takes part (an empty
    // answer against a non-empty one scores 0) once anyone used the control.
    if (!anyone_used || present.size() < 2) continue;
    for (size_t a = 0; a < present.size(); ++a) {
      for (size_t b = a + 1; b < present.size(); ++b) {
        double s = control.method == Method::kText
                       ? q::TextSimilarity(JoinedText(present[a].second), JoinedText(present[b].second))
                       : RegionF1(present[a].second, present[b].second, options_);
        out.pairs.emplace_back(present[a].first, present[b].first, s);
      }
    }
  }
  // The task's score: per control the share of agreeing pairs of ratings,
  // or the mean similarity of its pairs, then the mean over the controls.
  double sum = 0;
  int scored = 0;
  for (size_t c = 0; c < state_->controls.size(); ++c) {
    const ControlShare& cs = share.controls[c];
    const auto& answers = prepared.share_->answers[c];
    if (agreement_state::Rated(state_->controls[c].method)) {
      int agree = 0, pairs = 0;
      for (size_t a = 0; a < answers.size(); ++a)
        for (size_t b = a + 1; b < answers.size(); ++b) {
          ++pairs;
          agree += answers[a].second == answers[b].second;
        }
      for (size_t a = 0; a < cs.ratings.size(); ++a)
        for (size_t b = a + 1; b < cs.ratings.size(); ++b) {
          ++pairs;
          agree += cs.ratings[a].second == cs.ratings[b].second;
        }
      if (pairs == 0) continue;
      sum += static_cast<double>(agree) / pairs;
    } else {
      if (cs.pairs.empty()) continue;
      sum += agreement_state::MeanSimilarity(cs);
    }
    ++scored;
  }
  if (scored > 0) share.score = sum / scored;
  return prepared;
}

namespace {

// Category codes for a categorical control: the config's options in document
// order, then other observed answers (multi-choice sets, dynamic options) sorted.
// `totals`: the control's, whose codes with ratings are the answers given.
std::vector<std::string> CategoryNames(const ControlTag& tag, const agreement_state::ControlTotals& totals) {
  std::vector<std::string> names;
  std::set<std::string> known;
  for (const LabelOption& option : tag.options) {
    if (known.insert(option.value).second) names.push_back(option.value);
  }
  const std::vector<int64_t> given = totals.ratings.given();
  std::vector<std::string> others;
  for (size_t code = 0; code < given.size(); ++code) {
    // A rating's value is its answer's code: values() by code are 0, 1, 2...
    const std::string& answer = totals.answer_names[static_cast<size_t>(totals.ratings.values()[code])];
    if (given[code] > 0 && !known.count(answer)) others.push_back(answer);
  }
  std::sort(others.begin(), others.end());
  names.insert(names.end(), others.begin(), others.end());
  return names;
}

}  // namespace

Result<ControlTable> AgreementBuilder::Table(std::string_view from_name) const {
  size_t index = state_->controls.size();
  for (size_t c = 0; c < state_->controls.size(); ++c)
    if (state_->controls[c].tag->name == from_name) index = c;
  if (index == state_->controls.size()) {
    std::string names;
    for (const auto& c : state_->controls) names += (names.empty() ? "" : ", ") + c.tag->name;
    return Status::NotFound("no control named '" + std::string(from_name) +
                            "' with agreement in the labeling config; controls: " +
                            (names.empty() ? "(none)" : names));
  }
  const EligibleControl& control = state_->controls[index];
  if (control.method != Method::kCategorical && control.method != Method::kOrdinal &&
      control.method != Method::kInterval) {
    return Status::FailedPrecondition("control '" + std::string(from_name) + "' (" +
                                      std::string(control.tag->result_type()) +
                                      ") has region or text results, not ratings; use choices, "
                                      "taxonomy, rating or number controls");
  }
  ControlTable out;
  out.from_name = control.tag->name;
  out.result_type = std::string(control.tag->result_type());
  out.method = MethodName(control.method);
  for (const auto& [who, ratings] : state_->seen.raters[index]) out.annotators.push_back(who);  // ascending
  std::unordered_map<Id, uint32_t> column;
  for (size_t j = 0; j < out.annotators.size(); ++j) column[out.annotators[j]] = static_cast<uint32_t>(j);
  // A categorical share holds its answers' codes (first appearance); the
  // table numbers them in CategoryNames' order.
  std::vector<double> table_code;  // by share code
  if (control.method == Method::kCategorical) {
    const agreement_state::ControlTotals& t = state_->totals[index];
    out.categories = CategoryNames(*control.tag, t);
    std::unordered_map<std::string_view, double> position;
    for (size_t k = 0; k < out.categories.size(); ++k) position[out.categories[k]] = static_cast<double>(k);
    table_code.assign(t.answer_names.size(), 0.0);  // an answer no task holds now is never read
    for (size_t code = 0; code < t.answer_names.size(); ++code) {
      auto found = position.find(t.answer_names[code]);
      if (found != position.end()) table_code[code] = found->second;
    }
  }
  out.ratings.annotators = out.annotators.size();
  std::vector<std::pair<uint32_t, double>> row;
  for (const auto& [task_id, share] : state_->tasks) {
    const ControlShare& cs = share.controls[index];
    if (cs.ratings.empty()) continue;
    row.clear();
    for (const auto& [who, value] : cs.ratings) {
      row.emplace_back(column[who], table_code.empty() ? value : table_code[static_cast<size_t>(value)]);
    }
    std::sort(row.begin(), row.end());
    for (const auto& [col, v] : row) out.ratings.Add(col, v);
    out.ratings.EndItem();
    out.task_ids.push_back(task_id);
  }
  return out;
}

std::map<Id, double> AgreementBuilder::PeerAgreementByAnnotator() const {
  std::map<Id, std::pair<double, int>> totals;  // annotator -> (sum, count)
  auto add = [&](Id a, Id b, double value) {
    if (!std::isfinite(value)) return;
    totals[a].first += value;
    ++totals[a].second;
    totals[b].first += value;
    ++totals[b].second;
  };
  for (size_t c = 0; c < state_->controls.size(); ++c) {
    // Cohen's kappa of each pair on the items both answered, as the report's
    // pairwise matrix has it (nominal, unweighted).
    for (const auto& [pair, t] : state_->pairs.answers[c]) {
      add(pair.first, pair.second, agreement_state::PairKappa(t));
    }
    for (const auto& [pair, t] : state_->pairs.scores[c]) {
      add(pair.first, pair.second, t.sum.value() / static_cast<double>(t.count));
    }
  }
  std::map<Id, double> out;
  for (const auto& [who, total] : totals) out[who] = total.first / total.second;
  return out;
}

std::vector<std::optional<double>> PeerAgreement(const AgreementReport& report) {
  const size_t n = report.annotators.size();
  std::vector<double> sum(n, 0.0);
  std::vector<int> count(n, 0);
  for (const ControlAgreement& ca : report.controls)
    for (size_t a = 0; a < ca.pairwise.size() && a < n; ++a)
      for (size_t b = 0; b < ca.pairwise[a].size(); ++b)
        if (a != b && ca.pairwise[a][b] && std::isfinite(*ca.pairwise[a][b])) {
          sum[a] += *ca.pairwise[a][b];
          ++count[a];
        }
  std::vector<std::optional<double>> out(n);
  for (size_t a = 0; a < n; ++a)
    if (count[a] > 0) out[a] = sum[a] / count[a];
  return out;
}

json ControlAgreementToJson(const ControlAgreement& c) {
  auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  json pairwise = json::array();
  for (const auto& row : c.pairwise) {
    json r = json::array();
    for (const auto& v : row) r.push_back(opt(v));
    pairwise.push_back(std::move(r));
  }
  return {{"from_name", c.from_name},
          {"type", c.result_type},
          {"method", c.method},
          {"tasks", c.tasks},
          {"percent_agreement", opt(c.percent_agreement)},
          {"krippendorff_alpha", opt(c.krippendorff_alpha)},
          {"fleiss_kappa", opt(c.fleiss_kappa)},
          {"mean_pairwise", opt(c.mean_pairwise)},
          {"per_label", c.per_label},
          {"pairwise", pairwise}};
}

json AgreementReportToJson(const AgreementReport& report) {
  auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  json controls = json::array();
  for (const auto& c : report.controls) controls.push_back(ControlAgreementToJson(c));
  json tasks = json::array();
  for (const auto& t : report.tasks) {
    tasks.push_back({{"task", t.task_id}, {"annotators", t.annotators}, {"score", opt(t.score)}});
  }
  return {{"annotators", report.annotators},
          {"controls", controls},
          {"tasks", tasks},
          {"mean_task_score", opt(report.mean_task_score)}};
}

}  // namespace tessera
