// Agreement over a Label Studio project: maps each control's results onto the
// quality library's tables and matchers (see include/tessera/agreement.h).
#include <algorithm>
#include <cmath>
#include <set>

#include "tessera/agreement.h"
#include "tessera/quality.h"

namespace tessera {

using nlohmann::json;
namespace q = quality;

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

// The result items of one control in one annotation.
std::vector<const json*> ItemsOf(const json& result, const std::string& control) {
  std::vector<const json*> out;
  if (!result.is_array()) return out;
  for (const json& item : result) {
    if (item.is_object() && item.value("from_name", "") == control && item.contains("value") &&
        item["value"].is_object()) {
      out.push_back(&item);
    }
  }
  return out;
}

double Num(const json& v, const char* key) {
  auto it = v.find(key);
  return it != v.end() && it->is_number() ? it->get<double>() : 0.0;
}

// The first label of a region item, whatever its labels key is called.
std::string RegionLabel(const json& value) {
  for (const char* key : {"rectanglelabels", "polygonlabels", "keypointlabels", "labels",
                          "hypertextlabels", "paragraphlabels", "ellipselabels"}) {
    auto it = value.find(key);
    if (it != value.end() && it->is_array() && !it->empty() && (*it)[0].is_string()) {
      return (*it)[0].get<std::string>();
    }
  }
  return "";
}

// A categorical/numeric answer of one annotator for one control, or nullopt.
std::optional<std::string> CategoryKey(const std::vector<const json*>& items) {
  if (items.empty()) return std::nullopt;
  const json& v = (*items.front())["value"];
  for (const char* key : {"choices", "taxonomy"}) {
    auto it = v.find(key);
    if (it == v.end() || !it->is_array()) continue;
    std::vector<std::string> parts;
    for (const json& c : *it) parts.push_back(c.is_string() ? c.get<std::string>() : c.dump());
    std::sort(parts.begin(), parts.end());
    std::string joined;
    for (const auto& p : parts) joined += (joined.empty() ? "" : " | ") + p;
    return joined;
  }
  return std::nullopt;
}

std::optional<double> NumericAnswer(const std::vector<const json*>& items, const char* key) {
  if (items.empty()) return std::nullopt;
  const json& v = (*items.front())["value"];
  auto it = v.find(key);
  if (it == v.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

// F1 of an optimal matching between two annotators' regions.
double RegionF1(const std::vector<const json*>& a, const std::vector<const json*>& b,
                const AgreementOptions& options) {
  std::vector<std::vector<double>> sim(a.size(), std::vector<double>(b.size(), 0.0));
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = 0; j < b.size(); ++j) {
      const json& va = (*a[i])["value"];
      const json& vb = (*b[j])["value"];
      if (RegionLabel(va) != RegionLabel(vb)) continue;
      if (va.contains("points") && vb.contains("points")) {
        q::Polygon pa, pb;
        for (const json& p : va["points"])
          if (p.is_array() && p.size() >= 2 && p[0].is_number() && p[1].is_number())
            pa.push_back({p[0].get<double>(), p[1].get<double>()});
        for (const json& p : vb["points"])
          if (p.is_array() && p.size() >= 2 && p[0].is_number() && p[1].is_number())
            pb.push_back({p[0].get<double>(), p[1].get<double>()});
        auto iou = q::PolygonIoU(pa, pb);
        sim[i][j] = iou.ok() ? *iou : 0.0;
      } else if (va.contains("start") && vb.contains("start")) {
        bool same = va["start"] == vb["start"] && va.value("end", json()) == vb.value("end", json());
        sim[i][j] = same ? 1.0 : 0.0;
      } else if (va.contains("height") && vb.contains("height")) {
        q::Box ba{Num(va, "x"), Num(va, "y"), Num(va, "width"), Num(va, "height")};
        q::Box bb{Num(vb, "x"), Num(vb, "y"), Num(vb, "width"), Num(vb, "height")};
        sim[i][j] = q::BoxIoU(ba, bb);
      } else if (va.contains("x") && vb.contains("x")) {  // keypoints
        double dx = Num(va, "x") - Num(vb, "x"), dy = Num(va, "y") - Num(vb, "y");
        sim[i][j] = std::sqrt(dx * dx + dy * dy) <= options.keypoint_radius ? 1.0 : 0.0;
      }
    }
  }
  double threshold = options.iou_threshold;
  return q::MatchBySimilarity(sim, threshold).f1;
}

std::string JoinedText(const std::vector<const json*>& items) {
  std::string out;
  for (const json* item : items) {
    auto it = (*item)["value"].find("text");
    if (it == (*item)["value"].end()) continue;
    if (it->is_string()) out += it->get<std::string>();
    if (it->is_array())
      for (const json& t : *it)
        if (t.is_string()) out += (out.empty() ? "" : "\n") + t.get<std::string>();
  }
  return out;
}

std::optional<double> Optional(double v) {
  if (std::isnan(v)) return std::nullopt;
  return v;
}

}  // namespace

AgreementBuilder::AgreementBuilder(const LabelingConfig& config, AgreementOptions options)
    : config_(config), options_(options) {}

void AgreementBuilder::AddTask(const TaskBundle& bundle) {
  std::map<Id, std::pair<Id, json>> latest;  // annotator -> (annotation id, result)
  for (const Annotation& a : bundle.annotations) {
    if (a.was_cancelled) continue;
    // Annotations imported without an author each count as their own annotator.
    Id who = a.completed_by > 0 ? a.completed_by : -a.id;
    auto it = latest.find(who);
    if (it != latest.end() && it->second.first > a.id) continue;
    json result = json::parse(a.result, nullptr, false);
    if (result.is_discarded()) continue;
    latest[who] = {a.id, std::move(result)};
  }
  std::map<Id, json> by_annotator;
  for (auto& [who, entry] : latest) by_annotator[who] = std::move(entry.second);
  tasks_.emplace_back(bundle.task.id, std::move(by_annotator));
}

Result<AgreementReport> AgreementBuilder::Finish() const {
  AgreementReport report;
  std::set<Id> people;
  for (const auto& [task_id, by] : tasks_)
    for (const auto& [who, result] : by) people.insert(who);
  report.annotators.assign(people.begin(), people.end());
  std::map<Id, size_t> column;
  for (size_t idx = 0; idx < report.annotators.size(); ++idx) column[report.annotators[idx]] = idx;
  const size_t n = report.annotators.size();

  // Per task: sum and count of per-control pairwise agreement.
  std::vector<std::pair<double, int>> task_scores(tasks_.size(), {0.0, 0});

  for (const ControlTag& control : config_.controls()) {
    Method method = MethodFor(control.result_type());
    if (method == Method::kNone || control.name.empty()) continue;
    ControlAgreement ca;
    ca.from_name = control.name;
    ca.result_type = std::string(control.result_type());
    ca.method = MethodName(method);
    std::vector<std::vector<double>> pair_sum(n, std::vector<double>(n, 0.0));
    std::vector<std::vector<int>> pair_count(n, std::vector<int>(n, 0));

    if (method == Method::kCategorical || method == Method::kOrdinal ||
        method == Method::kInterval) {
      q::RatingTable table;
      std::map<std::string, double> codes;
      std::vector<std::string> names;
      for (size_t task_idx = 0; task_idx < tasks_.size(); ++task_idx) {
        std::vector<q::Rating> row(n);
        int rated = 0;
        for (const auto& [who, result] : tasks_[task_idx].second) {
          auto items = ItemsOf(result, control.name);
          q::Rating r;
          if (method == Method::kCategorical) {
            if (auto key = CategoryKey(items)) {
              auto [it, inserted] = codes.emplace(*key, static_cast<double>(codes.size()));
              if (inserted) names.push_back(*key);
              r = it->second;
            }
          } else {
            r = NumericAnswer(items, method == Method::kOrdinal ? "rating" : "number");
          }
          if (r) ++rated;
          row[column[who]] = r;
        }
        if (rated == 0) continue;
        if (rated >= 2) {
          ++ca.tasks;
          int agree = 0, pairs = 0;
          for (size_t a = 0; a < n; ++a)
            for (size_t b = a + 1; b < n; ++b)
              if (row[a] && row[b]) {
                ++pairs;
                bool same = *row[a] == *row[b];
                agree += same;
                pair_sum[a][b] += same;
                pair_sum[b][a] += same;
                ++pair_count[a][b];
                ++pair_count[b][a];
              }
          task_scores[task_idx].first += static_cast<double>(agree) / pairs;
          ++task_scores[task_idx].second;
        }
        table.push_back(std::move(row));
      }
      if (ca.tasks > 0) {
        if (auto p = q::PercentAgreement(table); p.ok()) ca.percent_agreement = Optional(*p);
        q::Level level = method == Method::kCategorical ? q::Level::kNominal
                         : method == Method::kOrdinal  ? q::Level::kOrdinal
                                                       : q::Level::kInterval;
        if (auto a = q::KrippendorffAlpha(table, level); a.ok())
          ca.krippendorff_alpha = Optional(a->value);
        if (method == Method::kCategorical) {
          if (auto k = q::FleissKappa(table); k.ok()) ca.fleiss_kappa = Optional(k->value);
          if (auto labels = q::PerLabelAgreement(table); labels.ok()) {
            for (const auto& la : *labels) {
              size_t code = static_cast<size_t>(la.category);
              if (code >= names.size()) continue;
              ca.per_label[names[code]] = {
                  {"ratings", la.ratings},
                  {"specific_agreement", Optional(la.specific_agreement)
                                             ? json(la.specific_agreement) : json(nullptr)},
                  {"kappa", Optional(la.kappa) ? json(la.kappa) : json(nullptr)}};
            }
          }
          if (n >= 2) {
            if (auto m = q::PairwiseAgreement(table, q::PairMetric::kCohenKappa); m.ok()) {
              ca.pairwise.assign(n, std::vector<std::optional<double>>(n));
              for (size_t a = 0; a < n; ++a)
                for (size_t b = 0; b < n; ++b) ca.pairwise[a][b] = Optional(m->value[a][b]);
            }
          }
        }
      }
    } else {
      double control_sum = 0;
      for (size_t task_idx = 0; task_idx < tasks_.size(); ++task_idx) {
        const auto& by = tasks_[task_idx].second;
        std::vector<std::pair<size_t, std::vector<const json*>>> present;
        bool anyone_used = false;
        for (const auto& [who, result] : by) {
          auto items = ItemsOf(result, control.name);
          anyone_used |= !items.empty();
          present.emplace_back(column[who], std::move(items));
        }
        if (!anyone_used || present.size() < 2) continue;
        double sum = 0;
        int pairs = 0;
        for (size_t a = 0; a < present.size(); ++a) {
          for (size_t b = a + 1; b < present.size(); ++b) {
            double s = method == Method::kText
                           ? q::TextSimilarity(JoinedText(present[a].second),
                                               JoinedText(present[b].second))
                           : RegionF1(present[a].second, present[b].second, options_);
            sum += s;
            ++pairs;
            size_t ca_idx = present[a].first, cb_idx = present[b].first;
            pair_sum[ca_idx][cb_idx] += s;
            pair_sum[cb_idx][ca_idx] += s;
            ++pair_count[ca_idx][cb_idx];
            ++pair_count[cb_idx][ca_idx];
          }
        }
        ++ca.tasks;
        control_sum += sum / pairs;
        task_scores[task_idx].first += sum / pairs;
        ++task_scores[task_idx].second;
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
  for (size_t task_idx = 0; task_idx < tasks_.size(); ++task_idx) {
    TaskAgreement ta;
    ta.task_id = tasks_[task_idx].first;
    ta.annotators = static_cast<int>(tasks_[task_idx].second.size());
    if (task_scores[task_idx].second > 0) {
      ta.score = task_scores[task_idx].first / task_scores[task_idx].second;
      total += *ta.score;
      ++scored;
    }
    report.tasks.push_back(ta);
  }
  if (scored > 0) report.mean_task_score = total / scored;
  return report;
}

json AgreementReportToJson(const AgreementReport& report) {
  auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  json controls = json::array();
  for (const auto& c : report.controls) {
    json pairwise = json::array();
    for (const auto& row : c.pairwise) {
      json r = json::array();
      for (const auto& v : row) r.push_back(opt(v));
      pairwise.push_back(std::move(r));
    }
    controls.push_back({{"from_name", c.from_name},
                        {"type", c.result_type},
                        {"method", c.method},
                        {"tasks", c.tasks},
                        {"percent_agreement", opt(c.percent_agreement)},
                        {"krippendorff_alpha", opt(c.krippendorff_alpha)},
                        {"fleiss_kappa", opt(c.fleiss_kappa)},
                        {"mean_pairwise", opt(c.mean_pairwise)},
                        {"per_label", c.per_label},
                        {"pairwise", pairwise}});
  }
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
