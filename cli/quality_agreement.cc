// tessera quality agreement: one agreement coefficient per judgement table.
#include <cstdio>
#include <functional>

#include "cli/quality_commands.h"
#include "cli/quality_input.h"

namespace tessera::cli {

namespace {

using json = nlohmann::ordered_json;
using quality::RatingTable;

bool IsKappaFamily(const std::string& metric) {
  return metric == "cohen" || metric == "scott" || metric == "fleiss" || metric == "gwet" ||
         metric == "brennan-prediger";
}

quality::Weighting WeightingOf(const std::string& name) {
  if (name == "linear") return quality::Weighting::kLinear;
  if (name == "quadratic") return quality::Weighting::kQuadratic;
  return quality::Weighting::kNone;
}

quality::Level LevelOf(const std::string& name) {
  if (name == "ordinal") return quality::Level::kOrdinal;
  if (name == "interval") return quality::Level::kInterval;
  if (name == "ratio") return quality::Level::kRatio;
  return quality::Level::kNominal;
}

// The metric as a statistic of a table (also what the bootstrap resamples).
quality::TableStatistic MakeStatistic(const QualityAgreementArgs& args,
                                      const quality::CategoryOptions& options) {
  const std::string metric = args.metric;
  if (metric == "percent") return [](const RatingTable& t) { return quality::PercentAgreement(t); };
  if (metric == "krippendorff") {
    const quality::Level level = LevelOf(args.level);
    return [level](const RatingTable& t) -> Result<double> {
      TESSERA_ASSIGN_OR_RETURN(quality::Alpha alpha, quality::KrippendorffAlpha(t, level));
      return alpha.value;
    };
  }
  using Kappa = Result<quality::Coefficient> (*)(const RatingTable&, const quality::CategoryOptions&);
  Kappa kappa = metric == "cohen"    ? Kappa{&quality::CohenKappa}
                : metric == "scott"  ? Kappa{&quality::ScottPi}
                : metric == "fleiss" ? Kappa{&quality::FleissKappa}
                : metric == "gwet"   ? Kappa{&quality::GwetAC}
                                     : Kappa{&quality::BrennanPrediger};
  return [kappa, options](const RatingTable& t) -> Result<double> {
    TESSERA_ASSIGN_OR_RETURN(quality::Coefficient coefficient, kappa(t, options));
    return coefficient.value;
  };
}

// One table's report, or false with *error.
bool Measure(const QualityAgreementArgs& args, const Judgements& judgements, json* report,
             QualityError* error) {
  const LabelCodes codes = MakeLabelCodes(judgements);
  const RatingTable table = MakeTable(judgements, codes);
  const std::string where =
      args.input + (judgements.control.empty() ? "" : " (control \"" + judgements.control + "\")");
  if ((args.metric == "cohen" || args.metric == "scott") && judgements.annotators.size() != 2) {
    *error = DataError(where + ": --metric " + args.metric + " compares exactly 2 annotators but "
                       "the file has " + std::to_string(judgements.annotators.size()) +
                       "; use fleiss, gwet, brennan-prediger or krippendorff for more");
    return false;
  }
  quality::CategoryOptions options;
  options.categories = codes.codes;
  options.weighting = WeightingOf(args.weights);
  const bool ordered = (args.metric == "krippendorff" && !args.level.empty() && args.level != "nominal") ||
                       (IsKappaFamily(args.metric) && options.weighting != quality::Weighting::kNone);
  if (ordered && !codes.numeric) {
    std::fprintf(stderr,
                 "tessera quality: note: %s: not every label is a number, so labels are ordered "
                 "alphabetically (category k has value k)\n",
                 where.c_str());
  }
  const quality::TableStatistic statistic = MakeStatistic(args, options);
  Result<double> value = statistic(table);
  if (!value.ok()) {
    *error = DataError(where + ": " + args.metric + ": " + value.status().message());
    return false;
  }
  json out = json::object();
  if (!judgements.control.empty()) out["control"] = judgements.control;
  out["metric"] = args.metric;
  if (args.metric == "krippendorff") out["level"] = args.level.empty() ? "nominal" : args.level;
  if (IsKappaFamily(args.metric)) out["weights"] = args.weights.empty() ? "none" : args.weights;
  out["value"] = Number(*value);
  if (args.ci) {
    const quality::BootstrapOptions bootstrap;  // the library's default seed and 1000 replicates
    auto interval = quality::BootstrapCI(table, statistic, bootstrap);
    out["ci95"] = interval.ok() ? json::array({Number(interval->lower), Number(interval->upper)})
                                : json(nullptr);
  }
  out["items"] = judgements.items.size();
  out["annotators"] = judgements.annotators.size();
  out["categories"] = codes.names;
  *report = std::move(out);
  return true;
}

void PrintHuman(const json& report) {
  std::string metric = report["metric"].get<std::string>();
  if (report.contains("level")) metric += " (" + report["level"].get<std::string>() + ")";
  if (report.contains("weights") && report["weights"] != "none") {
    metric += " (" + report["weights"].get<std::string>() + " weights)";
  }
  const auto number = [](const json& v) { return v.is_null() ? std::string("undefined") : Format(v.get<double>()); };
  std::printf("%s: %s\n", metric.c_str(), number(report["value"]).c_str());
  if (report.contains("ci95")) {
    const json& ci = report["ci95"];
    if (ci.is_null()) {
      std::printf("95%% CI: undefined (the metric is undefined on every bootstrap sample)\n");
    } else {
      std::printf("95%% CI: [%s, %s]\n", number(ci[0]).c_str(), number(ci[1]).c_str());
    }
  }
  std::printf("items: %zu, annotators: %zu, categories: %zu\n", report["items"].get<size_t>(),
              report["annotators"].get<size_t>(), report["categories"].size());
}

}  // namespace

int RunQualityAgreement(const QualityAgreementArgs& args) {
  if (!args.level.empty() && args.metric != "krippendorff") {
    return Report(UsageError("--level applies to --metric krippendorff; the kappa family takes "
                             "--weights none|linear|quadratic"));
  }
  if (!args.weights.empty() && args.weights != "none" && !IsKappaFamily(args.metric)) {
    return Report(UsageError("--weights applies to --metric cohen, scott, fleiss, gwet and "
                             "brennan-prediger; krippendorff takes --level"));
  }
  std::vector<Judgements> tables;
  QualityError error;
  if (!LoadJudgements(args.input, args.control, &tables, &error)) return Report(error);
  json reports = json::array();
  for (const Judgements& judgements : tables) {
    json report;
    if (!Measure(args, judgements, &report, &error)) return Report(error);
    reports.push_back(std::move(report));
  }
  const bool grouped = args.control.empty() && !tables.front().control.empty();
  EmitReports(reports, grouped, args.json, PrintHuman);
  return 0;
}

}  // namespace tessera::cli
