// tessera quality aggregate (majority vote or Dawid–Skene) and
// tessera quality annotators (annotator ranking).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cli/quality_commands.h"
#include "cli/quality_input.h"

namespace tessera::cli {

namespace {

using json = nlohmann::ordered_json;
using quality::RatingTable;

std::string Where(const std::string& input, const Judgements& judgements) {
  return input + (judgements.control.empty() ? "" : " (control \"" + judgements.control + "\")");
}

json Distribution(const LabelCodes& codes, const std::vector<double>& shares) {
  json out = json::object();
  for (size_t class_idx = 0; class_idx < shares.size(); ++class_idx) {
    out[codes.names[class_idx]] = Number(shares[class_idx]);
  }
  return out;
}

// Majority vote: posteriors are vote shares; per annotator, the share of
// their ratings (on items that have a majority label) equal to that label.
bool Majority(const Judgements& judgements, const LabelCodes& codes, const RatingTable& table,
              json* report, QualityError* error, const std::string& where) {
  auto votes = quality::MajorityVote(table, quality::TiePolicy::kMissing);
  if (!votes.ok()) {
    *error = DataError(where + ": " + votes.status().message());
    return false;
  }
  const size_t classes = codes.codes.size();
  std::vector<double> priors(classes, 0.0);
  size_t rated_items = 0;
  json items = json::array();
  std::vector<size_t> agreed(judgements.annotators.size(), 0), compared(judgements.annotators.size(), 0);
  for (size_t item_idx = 0; item_idx < table.size(); ++item_idx) {
    const quality::Vote& vote = (*votes)[item_idx];
    std::vector<double> shares(classes, 0.0);
    for (size_t ann_idx = 0; ann_idx < table[item_idx].size(); ++ann_idx) {
      const quality::Rating& rating = table[item_idx][ann_idx];
      if (!rating) continue;
      const auto class_idx = static_cast<size_t>(
          std::lower_bound(codes.codes.begin(), codes.codes.end(), *rating) - codes.codes.begin());
      shares[class_idx] += 1.0 / static_cast<double>(vote.ratings);
      if (vote.label) {
        ++compared[ann_idx];
        if (*rating == *vote.label) ++agreed[ann_idx];
      }
    }
    if (vote.ratings > 0) {
      ++rated_items;
      for (size_t class_idx = 0; class_idx < classes; ++class_idx) priors[class_idx] += shares[class_idx];
    }
    items.push_back({{"item", judgements.items[item_idx]},
                     {"label", vote.label ? json(codes.NameOf(*vote.label)) : json(nullptr)},
                     {"posterior", Distribution(codes, shares)}});
  }
  for (double& prior : priors) prior /= static_cast<double>(std::max<size_t>(rated_items, 1));
  json annotators = json::array();
  for (size_t ann_idx = 0; ann_idx < judgements.annotators.size(); ++ann_idx) {
    const double agreement = compared[ann_idx] > 0 ? static_cast<double>(agreed[ann_idx]) /
                                                         static_cast<double>(compared[ann_idx])
                                                   : NAN;
    annotators.push_back({{"annotator", judgements.annotators[ann_idx]},
                          {"agreement_with_majority", Number(agreement)},
                          {"compared_items", compared[ann_idx]}});
  }
  (*report)["items"] = std::move(items);
  (*report)["annotators"] = std::move(annotators);
  (*report)["class_priors"] = Distribution(codes, priors);
  return true;
}

bool DawidSkene(const Judgements& judgements, const LabelCodes& codes, const RatingTable& table,
                json* report, QualityError* error, const std::string& where) {
  quality::DawidSkeneOptions options;
  options.categories = codes.codes;
  auto fitted = quality::DawidSkene(table, options);
  if (!fitted.ok()) {
    *error = DataError(where + ": " + fitted.status().message());
    return false;
  }
  json items = json::array();
  for (size_t item_idx = 0; item_idx < table.size(); ++item_idx) {
    const quality::Rating& label = fitted->labels[item_idx];
    items.push_back({{"item", judgements.items[item_idx]},
                     {"label", label ? json(codes.NameOf(*label)) : json(nullptr)},
                     {"posterior", Distribution(codes, fitted->posteriors[item_idx])}});
  }
  json annotators = json::array();
  for (size_t ann_idx = 0; ann_idx < judgements.annotators.size(); ++ann_idx) {
    json confusion = json::object();
    double accuracy = 0;
    for (size_t truth = 0; truth < codes.codes.size(); ++truth) {
      confusion[codes.names[truth]] = Distribution(codes, fitted->confusion[ann_idx][truth]);
      accuracy += fitted->priors[truth] * fitted->confusion[ann_idx][truth][truth];
    }
    annotators.push_back({{"annotator", judgements.annotators[ann_idx]},
                          {"accuracy", Number(accuracy)},
                          {"confusion", std::move(confusion)}});
  }
  (*report)["items"] = std::move(items);
  (*report)["annotators"] = std::move(annotators);
  (*report)["class_priors"] = Distribution(codes, fitted->priors);
  (*report)["log_likelihood"] = Number(fitted->log_likelihood);
  (*report)["iterations"] = fitted->iterations;
  (*report)["converged"] = fitted->converged;
  return true;
}

std::string LabelText(const json& label) {
  return label.is_null() ? std::string("(tie)") : label.get<std::string>();
}

std::string NumberText(const json& value) {
  return value.is_null() ? std::string("undefined") : Format(value.get<double>());
}

void PrintAggregate(const json& report) {
  std::printf("method: %s\n", report["method"].get<std::string>().c_str());
  std::printf("%-20s %-16s %s\n", "item", "label", "posterior");
  for (const json& item : report["items"]) {
    const json& label = item["label"];
    const json& posterior = item["posterior"];
    std::string p = label.is_null() ? "-" : NumberText(posterior[label.get<std::string>()]);
    std::printf("%-20s %-16s %s\n", item["item"].get<std::string>().c_str(), LabelText(label).c_str(),
                p.c_str());
  }
  std::printf("class priors:");
  for (const auto& [name, p] : report["class_priors"].items()) {
    std::printf(" %s %s", name.c_str(), NumberText(p).c_str());
  }
  std::printf("\n");
  for (const json& annotator : report["annotators"]) {
    if (annotator.contains("agreement_with_majority")) {
      std::printf("annotator %s: agreement with the majority %s on %zu items\n",
                  annotator["annotator"].get<std::string>().c_str(),
                  NumberText(annotator["agreement_with_majority"]).c_str(),
                  annotator["compared_items"].get<size_t>());
    } else {
      std::printf("annotator %s: estimated accuracy %s\n", annotator["annotator"].get<std::string>().c_str(),
                  NumberText(annotator["accuracy"]).c_str());
      for (const auto& [truth, row] : annotator["confusion"].items()) {
        std::printf("  true %s:", truth.c_str());
        for (const auto& [given, p] : row.items()) std::printf(" %s %s", given.c_str(), NumberText(p).c_str());
        std::printf("\n");
      }
    }
  }
  if (report.contains("log_likelihood")) {
    std::printf("log-likelihood: %s (%d iterations%s)\n", NumberText(report["log_likelihood"]).c_str(),
                report["iterations"].get<int>(), report["converged"].get<bool>() ? ", converged" : "");
  }
}

void PrintAnnotators(const json& report) {
  std::printf("%-4s %-24s %-8s %-12s %s\n", "rank", "annotator", "ratings", "ds_accuracy", "loo_agreement");
  for (const json& row : report["annotators"]) {
    std::printf("%-4d %-24s %-8zu %-12s %s\n", row["rank"].get<int>(), row["annotator"].get<std::string>().c_str(),
                row["ratings"].get<size_t>(), NumberText(row["ds_accuracy"]).c_str(),
                NumberText(row["loo_agreement"]).c_str());
  }
}

}  // namespace

int RunQualityAggregate(const QualityAggregateArgs& args) {
  std::vector<Judgements> tables;
  QualityError error;
  if (!LoadJudgements(args.input, args.control, &tables, &error)) return Report(error);
  json reports = json::array();
  for (const Judgements& judgements : tables) {
    const LabelCodes codes = MakeLabelCodes(judgements);
    const RatingTable table = MakeTable(judgements, codes);
    json report = json::object();
    if (!judgements.control.empty()) report["control"] = judgements.control;
    report["method"] = args.method;
    const std::string where = Where(args.input, judgements);
    const bool ok = args.method == "majority" ? Majority(judgements, codes, table, &report, &error, where)
                                              : DawidSkene(judgements, codes, table, &report, &error, where);
    if (!ok) return Report(error);
    reports.push_back(std::move(report));
  }
  EmitReports(reports, args.control.empty() && !tables.front().control.empty(), args.json, PrintAggregate);
  return 0;
}

int RunQualityAnnotators(const QualityAnnotatorsArgs& args) {
  std::vector<Judgements> tables;
  QualityError error;
  if (!LoadJudgements(args.input, args.control, &tables, &error)) return Report(error);
  json reports = json::array();
  for (const Judgements& judgements : tables) {
    const LabelCodes codes = MakeLabelCodes(judgements);
    const RatingTable table = MakeTable(judgements, codes);
    quality::DawidSkeneOptions options;
    options.categories = codes.codes;
    auto ranking = quality::RankAnnotators(table, options);
    if (!ranking.ok()) return Report(DataError(Where(args.input, judgements) + ": " + ranking.status().message()));
    json report = json::object();
    if (!judgements.control.empty()) report["control"] = judgements.control;
    json rows = json::array();
    for (size_t pos = 0; pos < ranking->size(); ++pos) {
      const quality::AnnotatorQuality& quality = (*ranking)[pos];
      rows.push_back({{"rank", pos + 1},
                      {"annotator", judgements.annotators[quality.annotator]},
                      {"ratings", quality.ratings},
                      {"compared_items", quality.compared_items},
                      {"loo_agreement", Number(quality.loo_agreement)},
                      {"ds_accuracy", Number(quality.ds_accuracy)}});
    }
    report["annotators"] = std::move(rows);
    report["items"] = judgements.items.size();
    reports.push_back(std::move(report));
  }
  EmitReports(reports, args.control.empty() && !tables.front().control.empty(), args.json, PrintAnnotators);
  return 0;
}

}  // namespace tessera::cli
