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

namespace {

enum class Method { kCategorical, kOrdinal, kInterval, kRegions, kText, kNone };

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

std::optional<double> Optional(double v) {
  if (std::isnan(v)) return std::nullopt;
  return v;
}

}  // namespace

// ---- the builder's state ----

// What one task contributes for one control.
struct ControlShare {
  std::vector<std::pair<Id, std::string>> categories;  // categorical: annotator, answer key
  std::vector<std::pair<Id, double>> numbers;          // ordinal / interval
  std::vector<std::tuple<Id, Id, double>> pairs;       // regions / text: pairwise similarity
};

struct TaskShare {
  int annotators = 0;
  std::vector<Id> people;             // ascending
  std::vector<ControlShare> controls; // parallel to State::controls
};

struct EligibleControl {
  const ControlTag* tag = nullptr;
  Method method = Method::kNone;
};

// Running per-pair totals over every task's share, for PeerAgreement without
// a full Finish: nominal controls keep each pair's joint answers (items both
// answered, items they agreed on, each one's answer counts on those items);
// region and text controls each pair's summed similarity. Shares are added
// with sign +1 and taken back with -1 when replaced or removed.
struct PairTotals {
  struct Answers {
    int64_t items = 0, agree = 0;
    std::map<std::string, int64_t> first, second;  // answer -> items
  };
  struct Scores {
    double sum = 0;
    int64_t count = 0;
  };
  std::vector<std::map<std::pair<Id, Id>, Answers>> answers;  // per control
  std::vector<std::map<std::pair<Id, Id>, Scores>> scores;    // per control
};

// Who and what appears in the shares, counted as they come and go, so that
// Finish and Table list the annotators and answers without a pass over every
// task's share (3M ratings at 1M tasks).
struct Appearances {
  std::map<Id, int64_t> people;                        // tasks per annotator
  std::vector<std::map<Id, int64_t>> raters;           // per control: ratings per annotator
  std::vector<std::map<std::string, int64_t>> answers;  // per categorical control: ratings per answer

  template <typename Map, typename Key>
  static void Count(Map& counts, const Key& key, int sign) {
    auto [it, fresh] = counts.try_emplace(key, 0);
    it->second += sign;
    if (it->second == 0) counts.erase(it);
  }
};

struct AgreementBuilder::State {
  std::vector<EligibleControl> controls;
  std::map<Id, TaskShare> tasks;
  PairTotals pairs;
  Appearances seen;

  void Apply(const TaskShare& share, int sign) {
    for (Id who : share.people) Appearances::Count(seen.people, who, sign);
    for (size_t c = 0; c < controls.size(); ++c) {
      const ControlShare& cs = share.controls[c];
      for (const auto& [who, key] : cs.categories) {
        Appearances::Count(seen.raters[c], who, sign);
        Appearances::Count(seen.answers[c], key, sign);
      }
      for (const auto& [who, value] : cs.numbers) Appearances::Count(seen.raters[c], who, sign);
    }
    for (size_t c = 0; c < controls.size(); ++c) {
      const ControlShare& cs = share.controls[c];
      if (controls[c].method == Method::kCategorical) {
        // cs.categories is in ascending annotator order.
        for (size_t i = 0; i < cs.categories.size(); ++i) {
          for (size_t j = i + 1; j < cs.categories.size(); ++j) {
            const auto key = std::make_pair(cs.categories[i].first, cs.categories[j].first);
            PairTotals::Answers& t = pairs.answers[c][key];
            t.items += sign;
            t.agree += sign * (cs.categories[i].second == cs.categories[j].second);
            t.first[cs.categories[i].second] += sign;
            t.second[cs.categories[j].second] += sign;
            if (t.items == 0) pairs.answers[c].erase(key);
          }
        }
      } else if (controls[c].method == Method::kRegions || controls[c].method == Method::kText) {
        for (const auto& [a, b, score] : cs.pairs) {
          const auto key = std::make_pair(a, b);
          PairTotals::Scores& t = pairs.scores[c][key];
          t.sum += sign * score;
          t.count += sign;
          if (t.count == 0) pairs.scores[c].erase(key);  // no rounding left behind
        }
      }
    }
  }

  void Erase(Id task_id) {
    auto it = tasks.find(task_id);
    if (it == tasks.end()) return;
    Apply(it->second, -1);
    tasks.erase(it);
  }
};

AgreementBuilder::AgreementBuilder(const LabelingConfig& config, AgreementOptions options)
    : config_(config), options_(options), state_(std::make_unique<State>()) {
  for (const ControlTag& control : config_.controls()) {
    Method method = MethodFor(control.result_type());
    if (method == Method::kNone || control.name.empty()) continue;
    state_->controls.push_back({&control, method});
  }
  state_->pairs.answers.resize(state_->controls.size());
  state_->pairs.scores.resize(state_->controls.size());
  state_->seen.raters.resize(state_->controls.size());
  state_->seen.answers.resize(state_->controls.size());
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
  state_->Apply(*task.share_, +1);
  state_->tasks.emplace(task.task_id_, std::move(*task.share_));
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
  prepared.share_ = std::make_unique<TaskShare>();
  TaskShare& share = *prepared.share_;
  share.annotators = static_cast<int>(latest.size());
  for (const auto& [who, entry] : latest) share.people.push_back(who);
  share.controls.resize(state_->controls.size());
  for (size_t c = 0; c < state_->controls.size(); ++c) {
    const EligibleControl& control = state_->controls[c];
    ControlShare& out = share.controls[c];
    std::vector<std::pair<Id, std::vector<Value>>> present;
    bool anyone_used = false;
    for (const auto& [who, entry] : latest) {
      auto items = ItemsOf(entry.result, control.tag->name);
      anyone_used |= !items.empty();
      switch (control.method) {
        case Method::kCategorical:
          if (auto key = CategoryKey(items)) out.categories.emplace_back(who, std::move(*key));
          break;
        case Method::kOrdinal:
        case Method::kInterval:
          if (auto v = NumericAnswer(items, control.method == Method::kOrdinal ? "rating" : "number"))
            out.numbers.emplace_back(who, *v);
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
  return prepared;
}

namespace {

// Category codes for a categorical control: the config's options in document
// order, then other observed answers (multi-choice sets, dynamic options) sorted.
// `answers`: every answer given, ascending (Appearances::answers).
std::vector<std::string> CategoryNames(const ControlTag& tag, const std::map<std::string, int64_t>& answers) {
  std::vector<std::string> names;
  std::set<std::string> known;
  for (const LabelOption& option : tag.options) {
    if (known.insert(option.value).second) names.push_back(option.value);
  }
  for (const auto& [key, count] : answers)
    if (!known.count(key)) names.push_back(key);
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
  std::unordered_map<std::string, double> codes;
  if (control.method == Method::kCategorical) {
    out.categories = CategoryNames(*control.tag, state_->seen.answers[index]);
    for (size_t k = 0; k < out.categories.size(); ++k) codes[out.categories[k]] = static_cast<double>(k);
  }
  // A control has a handful of answers: comparing a rating's answer with
  // each is cheaper than hashing it, which was a seventh of a report.
  constexpr size_t kScanCategories = 16;
  auto code_of = [&](const std::string& key) -> double {
    if (out.categories.size() > kScanCategories) return codes[key];
    for (size_t k = 0; k < out.categories.size(); ++k) {
      if (out.categories[k] == key) return static_cast<double>(k);
    }
    return 0.0;  // not reached: every answer given is a category
  };
  out.ratings.annotators = out.annotators.size();
  std::vector<std::pair<uint32_t, double>> row;
  for (const auto& [task_id, share] : state_->tasks) {
    const ControlShare& cs = share.controls[index];
    if (cs.categories.empty() && cs.numbers.empty()) continue;
    row.clear();
    for (const auto& [who, key] : cs.categories) row.emplace_back(column[who], code_of(key));
    for (const auto& [who, v] : cs.numbers) row.emplace_back(column[who], v);
    std::sort(row.begin(), row.end());
    for (const auto& [col, v] : row) out.ratings.Add(col, v);
    out.ratings.EndItem();
    out.task_ids.push_back(task_id);
  }
  return out;
}

Result<AgreementReport> AgreementBuilder::Finish() const {
  AgreementReport report;
  for (const auto& [who, tasks] : state_->seen.people) report.annotators.push_back(who);  // ascending
  std::map<Id, size_t> column;
  for (size_t idx = 0; idx < report.annotators.size(); ++idx) column[report.annotators[idx]] = idx;
  const size_t n = report.annotators.size();

  // Per task, in task id order (the order of state_->tasks, which every
  // control's rows follow too): sum and count of per-control pairwise
  // agreement. A vector walked alongside, not a hash map of a million nodes.
  std::vector<Id> task_order;
  task_order.reserve(state_->tasks.size());
  for (const auto& [task_id, share] : state_->tasks) task_order.push_back(task_id);
  std::vector<std::pair<double, int>> task_scores(task_order.size(), {0.0, 0});
  // The slot of `task_id`, at or after `*cursor` (ids come ascending; a
  // table's rows are a subsequence of the tasks). One past the end holds
  // what would match nothing, and is never read.
  task_scores.emplace_back(0.0, 0);
  auto slot = [&](size_t* cursor, Id task_id) -> std::pair<double, int>& {
    while (*cursor < task_order.size() && task_order[*cursor] != task_id) ++*cursor;
    return task_scores[*cursor];
  };

  for (size_t c = 0; c < state_->controls.size(); ++c) {
    const EligibleControl& control = state_->controls[c];
    const Method method = control.method;
    ControlAgreement ca;
    ca.from_name = control.tag->name;
    ca.result_type = std::string(control.tag->result_type());
    ca.method = MethodName(method);

    if (method == Method::kCategorical || method == Method::kOrdinal ||
        method == Method::kInterval) {
      auto table = Table(control.tag->name);
      if (!table.ok()) return table.status();
      // Columns of the control's table are a subset of the report's.
      std::vector<size_t> to_report;
      for (Id who : table->annotators) to_report.push_back(column[who]);
      const q::SparseRatingTable& ratings = table->ratings;
      size_t cursor = 0;
      for (size_t row_idx = 0; row_idx < ratings.items(); ++row_idx) {
        const size_t begin = ratings.item_start[row_idx], end = ratings.item_start[row_idx + 1];
        int agree = 0, pairs = 0;
        for (size_t a = begin; a < end; ++a)
          for (size_t b = a + 1; b < end; ++b) {
            ++pairs;
            agree += ratings.value[a] == ratings.value[b];
          }
        if (pairs == 0) continue;
        ++ca.tasks;
        auto& ts = slot(&cursor, table->task_ids[row_idx]);
        ts.first += static_cast<double>(agree) / pairs;
        ++ts.second;
      }
      if (ca.tasks > 0) {
        if (auto p = q::PercentAgreement(ratings); p.ok()) ca.percent_agreement = Optional(*p);
        q::Level level = method == Method::kCategorical ? q::Level::kNominal
                         : method == Method::kOrdinal  ? q::Level::kOrdinal
                                                       : q::Level::kInterval;
        if (auto a = q::KrippendorffAlpha(ratings, level); a.ok())
          ca.krippendorff_alpha = Optional(a->value);
        if (method == Method::kCategorical) {
          if (auto k = q::FleissKappa(ratings); k.ok()) ca.fleiss_kappa = Optional(k->value);
          if (auto labels = q::PerLabelAgreement(ratings); labels.ok()) {
            for (const auto& la : *labels) {
              size_t code = static_cast<size_t>(la.category);
              if (code >= table->categories.size()) continue;
              ca.per_label[table->categories[code]] = {
                  {"ratings", la.ratings},
                  {"specific_agreement", Optional(la.specific_agreement)
                                             ? json(la.specific_agreement) : json(nullptr)},
                  {"kappa", Optional(la.kappa) ? json(la.kappa) : json(nullptr)}};
            }
          }
          if (table->annotators.size() >= 2) {
            if (auto m = q::PairwiseAgreement(ratings, q::PairMetric::kCohenKappa); m.ok()) {
              ca.pairwise.assign(n, std::vector<std::optional<double>>(n));
              for (size_t a = 0; a < to_report.size(); ++a)
                for (size_t b = 0; b < to_report.size(); ++b)
                  ca.pairwise[to_report[a]][to_report[b]] = Optional(m->value[a][b]);
            }
          }
        }
      }
    } else {
      std::vector<std::vector<double>> pair_sum(n, std::vector<double>(n, 0.0));
      std::vector<std::vector<int>> pair_count(n, std::vector<int>(n, 0));
      double control_sum = 0;
      size_t cursor = 0;
      for (const auto& [task_id, share] : state_->tasks) {
        const auto& pairs = share.controls[c].pairs;
        if (pairs.empty()) continue;
        double sum = 0;
        for (const auto& [a, b, s] : pairs) {
          sum += s;
          size_t ia = column[a], ib = column[b];
          pair_sum[ia][ib] += s;
          pair_sum[ib][ia] += s;
          ++pair_count[ia][ib];
          ++pair_count[ib][ia];
        }
        const double mean = sum / static_cast<double>(pairs.size());
        ++ca.tasks;
        control_sum += mean;
        auto& ts = slot(&cursor, task_id);
        ts.first += mean;
        ++ts.second;
      }
      if (ca.tasks > 0) ca.mean_pairwise = control_sum / static_cast<double>(ca.tasks);
      ca.pairwise.assign(n, std::vector<std::optional<double>>(n));
      for (size_t a = 0; a < n; ++a)
        for (size_t b = 0; b < n; ++b)
          if (a == b) ca.pairwise[a][b] = 1.0;
          else if (pair_count[a][b] > 0) ca.pairwise[a][b] = pair_sum[a][b] / pair_count[a][b];
    }
    report.controls.push_back(std::move(ca));
  }

  double total = 0;
  int scored = 0;
  report.tasks.reserve(state_->tasks.size());
  size_t task_idx = 0;
  for (const auto& [task_id, share] : state_->tasks) {
    TaskAgreement ta;
    ta.task_id = task_id;
    ta.annotators = share.annotators;
    const auto& [sum, count] = task_scores[task_idx++];
    if (count > 0) {
      ta.score = sum / count;
      total += *ta.score;
      ++scored;
    }
    report.tasks.push_back(ta);
  }
  if (scored > 0) report.mean_task_score = total / scored;
  return report;
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
      const double n = static_cast<double>(t.items);
      double expected = 0;
      for (const auto& [answer, count] : t.first) {
        auto other = t.second.find(answer);
        if (other != t.second.end()) expected += (count / n) * (other->second / n);
      }
      add(pair.first, pair.second, q::internal::ChanceCorrected(t.agree / n, expected));
    }
    for (const auto& [pair, t] : state_->pairs.scores[c]) {
      add(pair.first, pair.second, t.sum / static_cast<double>(t.count));
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
