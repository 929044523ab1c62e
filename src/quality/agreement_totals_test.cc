// The report an AgreementBuilder computes from its kept totals, checked
// after random adds, replacements and removals of tasks against:
//  * a builder built afresh from the tasks held then (the totals carry no
//    history);
//  * the statistics computed from the rating tables (Table and the quality
//    library's table functions), the way the report was computed before the
//    totals, and per task from the task alone;
//  * the task-score queries against a sort of every task's score.
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "tessera/agreement.h"
#include "tessera/quality.h"

namespace tessera {
namespace {

namespace q = quality;
using nlohmann::json;

constexpr char kConfig[] = R"(<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="multiple"><Choice value="A"/><Choice value="B"/><Choice value="C"/></Choices>
  <Rating name="stars" toName="text" maxRating="5"/>
  <Number name="count" toName="text"/>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <TextArea name="note" toName="text"/>
</View>)";

// Numbers compare to 1e-12 relative, everything else exactly.
void ExpectNear(const json& expected, const json& actual, const std::string& where) {
  if (expected.is_number() && actual.is_number()) {
    const double e = expected.get<double>(), a = actual.get<double>();
    EXPECT_NEAR(e, a, 1e-12 * std::max(1.0, std::abs(e))) << where;
    return;
  }
  ASSERT_EQ(expected.type(), actual.type()) << where << ": " << expected.dump() << " vs " << actual.dump();
  if (expected.is_object()) {
    ASSERT_EQ(expected.size(), actual.size()) << where << ": " << expected.dump() << " vs " << actual.dump();
    for (const auto& [key, value] : expected.items()) {
      ASSERT_TRUE(actual.contains(key)) << where << "." << key;
      ExpectNear(value, actual[key], where + "." + key);
    }
  } else if (expected.is_array()) {
    ASSERT_EQ(expected.size(), actual.size()) << where;
    for (size_t i = 0; i < expected.size(); ++i) ExpectNear(expected[i], actual[i], where + "[" + std::to_string(i) + "]");
  } else {
    EXPECT_EQ(expected, actual) << where;
  }
}

json OptionalJson(double v) { return std::isnan(v) ? json(nullptr) : json(v); }

// One control's line as the report had it when it was computed from the
// rating table: the quality library's table functions on Table().
json FromTable(const AgreementBuilder& builder, const ControlAgreement& line, const std::vector<Id>& annotators) {
  auto table = builder.Table(line.from_name);
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  json out = {{"tasks", 0}};
  size_t tasks = 0;
  for (size_t i = 0; i < table->ratings.items(); ++i) {
    tasks += table->ratings.item_start[i + 1] - table->ratings.item_start[i] >= 2;
  }
  out["tasks"] = tasks;
  if (tasks == 0) return out;
  out["percent_agreement"] = OptionalJson(*q::PercentAgreement(table->ratings));
  const q::Level level = line.method == "categorical" ? q::Level::kNominal
                         : line.method == "ordinal"   ? q::Level::kOrdinal
                                                      : q::Level::kInterval;
  auto alpha = q::KrippendorffAlpha(table->ratings, level);
  out["krippendorff_alpha"] = alpha.ok() ? OptionalJson(alpha->value) : json(nullptr);
  if (line.method != "categorical") return out;
  out["fleiss_kappa"] = OptionalJson(q::FleissKappa(table->ratings)->value);
  json labels = json::object();
  auto per_label = q::PerLabelAgreement(table->ratings);
  for (const q::LabelAgreement& la : *per_label) {
    labels[table->categories[static_cast<size_t>(la.category)]] = {
        {"ratings", la.ratings},
        {"specific_agreement", OptionalJson(la.specific_agreement)},
        {"kappa", OptionalJson(la.kappa)}};
  }
  out["per_label"] = labels;
  if (table->annotators.size() >= 2) {
    std::map<Id, size_t> column;
    for (size_t i = 0; i < annotators.size(); ++i) column[annotators[i]] = i;
    auto matrix = q::PairwiseAgreement(table->ratings, q::PairMetric::kCohenKappa);
    json pairwise = json::array();
    for (size_t a = 0; a < annotators.size(); ++a) pairwise.push_back(std::vector<json>(annotators.size(), nullptr));
    for (size_t a = 0; a < table->annotators.size(); ++a)
      for (size_t b = 0; b < table->annotators.size(); ++b)
        pairwise[column[table->annotators[a]]][column[table->annotators[b]]] = OptionalJson(matrix->value[a][b]);
    out["pairwise"] = pairwise;
  }
  return out;
}

json Line(const ControlAgreement& c) {
  json j = ControlAgreementToJson(c);
  json out = {{"tasks", j["tasks"]}};
  if (c.method == "regions" || c.method == "text") return out;
  if (c.tasks == 0) return out;
  out["percent_agreement"] = j["percent_agreement"];
  out["krippendorff_alpha"] = j["krippendorff_alpha"];
  if (c.method != "categorical") return out;
  out["fleiss_kappa"] = j["fleiss_kappa"];
  out["per_label"] = j["per_label"];
  if (!c.pairwise.empty()) out["pairwise"] = j["pairwise"];
  return out;
}

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}
  uint64_t Next(uint64_t bound) { return rng_() % bound; }

  Annotation Make(Id who) {
    Annotation a;
    a.id = ++annotation_id_;
    a.completed_by = who;
    a.was_cancelled = Next(12) == 0;
    json result = json::array();
    auto add = [&](const char* from, const char* type, json value) {
      result.push_back({{"from_name", from}, {"to_name", "text"}, {"type", type}, {"value", value}});
    };
    static const char* kChoices[] = {"A", "B", "C", "D"};  // D: not in the config
    if (Next(5) != 0) {
      json picked = json::array({kChoices[Next(Next(6) == 0 ? 4 : 3)]});
      if (Next(6) == 0) picked.push_back(kChoices[Next(3)]);
      add("sentiment", "choices", {{"choices", picked}});
    }
    if (Next(4) != 0) add("stars", "rating", {{"rating", 1 + Next(5)}});
    if (Next(3) != 0) add("count", "number", {{"number", std::vector<double>{0.0, -0.0, 1.5, 2, 10}[Next(5)]}});
    if (Next(2) != 0) {
      const int start = static_cast<int>(Next(3)) * 4;
      add("ner", "labels", {{"start", start}, {"end", start + 3}, {"labels", {Next(2) ? "PER" : "ORG"}}});
    }
    if (Next(3) == 0) add("note", "textarea", {{"text", {std::vector<const char*>{"ok", "okay", "bad"}[Next(3)]}}});
    a.result = result.dump();
    return a;
  }

  TaskBundle Task(Id id) {
    TaskBundle b;
    b.task.id = id;
    for (Id who = 1; who <= 7; ++who) {
      if (Next(3) != 0) continue;
      b.annotations.push_back(Make(Next(15) == 0 ? 0 : who));  // 0: imported without an author
      if (Next(8) == 0) b.annotations.push_back(Make(who));    // a second, newer one: it stands
    }
    return b;
  }

 private:
  std::mt19937_64 rng_;
  Id annotation_id_ = 0;
};

void Check(const LabelingConfig& config, const AgreementBuilder& kept, const std::map<Id, TaskBundle>& tasks,
           const std::string& where) {
  SCOPED_TRACE(where);
  AgreementBuilder fresh(config);
  for (const auto& [id, bundle] : tasks) fresh.AddTask(bundle);
  auto report = kept.Finish();
  auto fresh_report = fresh.Finish();
  ASSERT_TRUE(report.ok() && fresh_report.ok());
  // 1. No history: the kept report is the fresh one.
  ExpectNear(AgreementReportToJson(*fresh_report), AgreementReportToJson(*report), "fresh");
  auto summary = kept.Summary();
  ASSERT_TRUE(summary.ok());
  EXPECT_TRUE(summary->tasks.empty());
  json without_tasks = AgreementReportToJson(*report);
  without_tasks["tasks"] = json::array();
  EXPECT_EQ(AgreementReportToJson(*summary).dump(), without_tasks.dump());

  // 2. Per control, from the tables; region and text controls from each
  // task's own report (one task: its pairs' similarities), summed here.
  std::map<Id, std::pair<double, int>> expected_scores;  // task -> (sum over controls, controls)
  for (const ControlAgreement& line : report->controls) {
    if (line.method == "regions" || line.method == "text") {
      double sum = 0;
      size_t scored = 0;
      std::map<std::pair<Id, Id>, std::pair<double, int>> pairs;
      for (const auto& [id, bundle] : tasks) {
        AgreementBuilder one(config);
        one.AddTask(bundle);
        auto single = one.Finish();
        ASSERT_TRUE(single.ok());
        for (const ControlAgreement& c : single->controls) {
          if (c.from_name != line.from_name || c.tasks == 0) continue;
          ++scored;
          sum += *c.mean_pairwise;
          expected_scores[id].first += *c.mean_pairwise;
          ++expected_scores[id].second;
          for (size_t a = 0; a < single->annotators.size(); ++a)
            for (size_t b = a + 1; b < single->annotators.size(); ++b)
              if (c.pairwise[a][b]) {
                auto& p = pairs[{single->annotators[a], single->annotators[b]}];
                p.first += *c.pairwise[a][b];
                ++p.second;
              }
        }
      }
      EXPECT_EQ(line.tasks, scored) << line.from_name;
      if (scored > 0) {
        EXPECT_NEAR(*line.mean_pairwise, sum / static_cast<double>(scored), 1e-12) << line.from_name;
      }
      std::map<Id, size_t> column;
      for (size_t i = 0; i < report->annotators.size(); ++i) column[report->annotators[i]] = i;
      size_t defined = 0;
      for (size_t a = 0; a < line.pairwise.size(); ++a)
        for (size_t b = a + 1; b < line.pairwise.size(); ++b) defined += line.pairwise[a][b].has_value();
      EXPECT_EQ(defined, pairs.size()) << line.from_name;
      for (const auto& [pair, total] : pairs) {
        const auto& value = line.pairwise[column[pair.first]][column[pair.second]];
        ASSERT_TRUE(value.has_value());
        EXPECT_NEAR(*value, total.first / total.second, 1e-12);
      }
      continue;
    }
    ExpectNear(FromTable(kept, line, report->annotators), Line(line), line.from_name);
    // The answers given, and so the table's categories, are those of the
    // tasks held now (an answer whose last rating went is not listed).
    EXPECT_EQ(kept.Table(line.from_name)->categories, fresh.Table(line.from_name)->categories) << line.from_name;
    // Each task's share of agreeing pairs, from its row of the table.
    auto table = kept.Table(line.from_name);
    for (size_t i = 0; i < table->ratings.items(); ++i) {
      const size_t begin = table->ratings.item_start[i], end = table->ratings.item_start[i + 1];
      int agree = 0, pairs = 0;
      for (size_t a = begin; a < end; ++a)
        for (size_t b = a + 1; b < end; ++b) {
          ++pairs;
          agree += table->ratings.value[a] == table->ratings.value[b];
        }
      if (pairs == 0) continue;
      expected_scores[table->task_ids[i]].first += static_cast<double>(agree) / pairs;
      ++expected_scores[table->task_ids[i]].second;
    }
  }

  // 3. Task scores and the queries on them.
  std::vector<std::pair<double, Id>> scored;
  for (const TaskAgreement& t : report->tasks) {
    auto e = expected_scores.find(t.task_id);
    ASSERT_EQ(t.score.has_value(), e != expected_scores.end()) << "task " << t.task_id;
    if (!t.score) continue;
    EXPECT_NEAR(*t.score, e->second.first / e->second.second, 1e-12) << "task " << t.task_id;
    scored.emplace_back(*t.score, t.task_id);
  }
  ASSERT_EQ(kept.scored_tasks(), scored.size());
  std::array<size_t, AgreementBuilder::kScoreBins> bins{};
  double total = 0;
  for (const auto& [score, id] : scored) {
    ++bins[static_cast<size_t>(std::clamp(static_cast<int>(score * 10), 0, 9))];
    total += score;
  }
  EXPECT_EQ(kept.ScoreBins(), bins);
  if (scored.empty()) {
    EXPECT_FALSE(kept.MeanTaskScore().has_value());
  } else {
    EXPECT_NEAR(*kept.MeanTaskScore(), total / static_cast<double>(scored.size()), 1e-12);
  }
  for (double threshold : {0.0, 0.25, 0.5, 2.0 / 3.0, 1.0, 1.5}) {
    size_t below = 0, at_most = 0;
    for (const auto& [score, id] : scored) {
      below += score < threshold;
      at_most += score <= threshold;
    }
    EXPECT_EQ(kept.ScoredBelow(threshold), below) << threshold;
    EXPECT_EQ(kept.ScoredAtMost(threshold), at_most) << threshold;
    for (bool ascending : {true, false}) {
      std::vector<std::pair<double, Id>> rows;
      for (const auto& row : scored)
        if (row.first <= threshold) rows.push_back(row);
      std::sort(rows.begin(), rows.end(), [ascending](const auto& a, const auto& b) {
        if (a.first != b.first) return ascending ? a.first < b.first : a.first > b.first;
        return a.second < b.second;
      });
      for (size_t offset : {size_t{0}, size_t{1}, size_t{3}, rows.size() / 2, rows.size()}) {
        const size_t limit = 4;
        auto page = kept.TasksByScore(threshold, ascending, offset, limit);
        ASSERT_EQ(page.size(), std::min(limit, rows.size() - std::min(offset, rows.size())))
            << "threshold " << threshold << " offset " << offset << " ascending " << ascending;
        for (size_t i = 0; i < page.size(); ++i) {
          EXPECT_EQ(page[i].task_id, rows[offset + i].second) << "offset " << offset << " row " << i;
          EXPECT_EQ(*page[i].score, rows[offset + i].first);
        }
      }
    }
  }
}

TEST(AgreementTotalsTest, KeptReportEqualsTablesAndAFreshBuilderAfterEveryChange) {
  auto config = ParseLabelingConfig(kConfig);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  for (uint64_t seed : {7u, 8u, 9u}) {
    Generator gen(seed);
    AgreementBuilder kept(**config);
    std::map<Id, TaskBundle> tasks;
    for (int step = 1; step <= 240; ++step) {
      const Id id = static_cast<Id>(1 + gen.Next(40));
      if (gen.Next(5) == 0) {
        kept.RemoveTask(id);
        tasks.erase(id);
      } else {
        TaskBundle bundle = gen.Task(id);
        kept.AddTask(bundle);
        tasks[id] = std::move(bundle);
      }
      if (step % 30 == 0) {
        Check(**config, kept, tasks, "seed " + std::to_string(seed) + " step " + std::to_string(step));
        if (HasFatalFailure()) return;
      }
    }
    // Everything taken back: nothing left, and adding again starts clean.
    for (const auto& [id, bundle] : tasks) kept.RemoveTask(id);
    auto empty = kept.Summary();
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->annotators.empty());
    EXPECT_EQ(kept.scored_tasks(), 0u);
    for (const ControlAgreement& c : empty->controls) EXPECT_EQ(c.tasks, 0u) << c.from_name;
  }
}

}  // namespace
}  // namespace tessera
