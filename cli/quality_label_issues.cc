// tessera quality label-issues: likely label errors by confident learning.
//
// --labels: one integer class index (0..K-1) per line, or a CSV with one
// column; a first line that is not an integer is a header.
// --pred-probs: a CSV with one row of K out-of-sample predicted probabilities
// per example, in the order of --labels; each in [0, 1], each row summing to
// 1 within 0.01; a first row that is not all numbers is a header (class names).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "cli/csv.h"
#include "cli/quality_commands.h"
#include "cli/quality_input.h"
#include "tessera/util.h"

namespace tessera::cli {

namespace {

using json = nlohmann::ordered_json;

constexpr double kRowSumTolerance = 0.01;

bool ParseDouble(std::string_view text, double* value) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(*value);
}

bool ReadCsvFile(const std::string& path, const std::string& option, std::vector<CsvRecord>* records,
                 QualityError* error) {
  std::string text;
  if (!ReadInputFile(path, option, &text, error)) return false;
  auto parsed = ParseCsv(text);
  if (!parsed.ok()) {
    *error = DataError(path + ":" + parsed.status().message().substr(5));  // "line N: ..."
    return false;
  }
  if (parsed->empty()) {
    *error = DataError(path + ": the file is empty");
    return false;
  }
  *records = std::move(*parsed);
  return true;
}

struct Labels {
  std::vector<size_t> values;
  std::vector<int64_t> lines;
};

bool ReadLabels(const std::string& path, Labels* out, QualityError* error) {
  std::vector<CsvRecord> records;
  if (!ReadCsvFile(path, "--labels", &records, error)) return false;
  for (size_t rec_idx = 0; rec_idx < records.size(); ++rec_idx) {
    const CsvRecord& record = records[rec_idx];
    const std::string where = path + ":" + std::to_string(record.line) + ": ";
    if (record.fields.size() != 1) {
      *error = DataError(where + std::to_string(record.fields.size()) +
                         " fields; the labels file holds one class index per line");
      return false;
    }
    int64_t value = 0;
    const std::string text(Trim(record.fields[0]));
    if (!ParseInt64(text, &value)) {
      if (rec_idx == 0) continue;  // a header
      *error = DataError(where + "label \"" + text + "\" is not a class index (0, 1, ..., K-1)");
      return false;
    }
    if (value < 0) {
      *error = DataError(where + "label " + text + " is negative; class indices start at 0");
      return false;
    }
    out->values.push_back(static_cast<size_t>(value));
    out->lines.push_back(record.line);
  }
  if (out->values.empty()) {
    *error = DataError(path + ": no labels; expected one class index per line");
    return false;
  }
  return true;
}

bool ReadPredProbs(const std::string& path, std::vector<std::vector<double>>* out, QualityError* error) {
  std::vector<CsvRecord> records;
  if (!ReadCsvFile(path, "--pred-probs", &records, error)) return false;
  size_t classes = 0;
  for (size_t rec_idx = 0; rec_idx < records.size(); ++rec_idx) {
    const CsvRecord& record = records[rec_idx];
    const std::string where = path + ":" + std::to_string(record.line) + ": ";
    std::vector<double> row;
    for (size_t col_idx = 0; col_idx < record.fields.size(); ++col_idx) {
      double value = 0;
      if (!ParseDouble(record.fields[col_idx], &value)) {
        if (rec_idx == 0) break;  // a header
        *error = DataError(where + "column " + std::to_string(col_idx + 1) + ": \"" +
                           std::string(Trim(record.fields[col_idx])) + "\" is not a number");
        return false;
      }
      if (value < 0 || value > 1) {
        *error = DataError(where + "column " + std::to_string(col_idx + 1) + ": " +
                           std::string(Trim(record.fields[col_idx])) +
                           " is not a probability; values must lie in [0, 1]");
        return false;
      }
      row.push_back(value);
    }
    if (rec_idx == 0) classes = record.fields.size();
    if (rec_idx == 0 && row.size() != record.fields.size()) continue;  // the header
    if (record.fields.size() != classes) {
      *error = DataError(where + std::to_string(record.fields.size()) + " values but the first row has " +
                         std::to_string(classes) + "; every row holds one probability per class");
      return false;
    }
    double sum = 0;
    for (double p : row) sum += p;
    if (std::abs(sum - 1) > kRowSumTolerance) {
      char text[64];
      std::snprintf(text, sizeof text, "%.6g", sum);
      *error = DataError(where + "the probabilities sum to " + text + "; each row must sum to 1 (within " +
                         "0.01)");
      return false;
    }
    out->push_back(std::move(row));
  }
  if (out->empty()) {
    *error = DataError(path + ": no rows of probabilities");
    return false;
  }
  if (classes < 2) {
    *error = DataError(path + ": " + std::to_string(classes) + " column; pred-probs needs one column per "
                       "class and at least 2 classes");
    return false;
  }
  return true;
}

quality::PruneMethod MethodOf(const std::string& name) {
  if (name == "prune-by-class") return quality::PruneMethod::kPruneByClass;
  if (name == "both") return quality::PruneMethod::kBoth;
  if (name == "confident-joint") return quality::PruneMethod::kConfidentJoint;
  return quality::PruneMethod::kPruneByNoiseRate;
}

json Summary(std::vector<double> scores) {
  double sum = 0;
  for (double score : scores) sum += score;
  std::sort(scores.begin(), scores.end());
  const size_t n = scores.size();
  const double median = n % 2 ? scores[n / 2] : (scores[n / 2 - 1] + scores[n / 2]) / 2;
  return {{"mean", sum / static_cast<double>(n)}, {"median", median}, {"min", scores.front()}};
}

}  // namespace

int RunQualityLabelIssues(const QualityLabelIssuesArgs& args) {
  Labels labels;
  std::vector<std::vector<double>> probs;
  QualityError error;
  if (!ReadLabels(args.labels, &labels, &error)) return Report(error);
  if (!ReadPredProbs(args.pred_probs, &probs, &error)) return Report(error);
  if (labels.values.size() != probs.size()) {
    return Report(DataError("--labels " + args.labels + " has " + std::to_string(labels.values.size()) +
                            " labels but --pred-probs " + args.pred_probs + " has " +
                            std::to_string(probs.size()) + " rows; give one row per label, in the same order"));
  }
  const size_t classes = probs.front().size();
  for (size_t idx = 0; idx < labels.values.size(); ++idx) {
    if (labels.values[idx] >= classes) {
      return Report(DataError(args.labels + ":" + std::to_string(labels.lines[idx]) + ": label " +
                              std::to_string(labels.values[idx]) + " but --pred-probs has " +
                              std::to_string(classes) + " classes (0.." + std::to_string(classes - 1) + ")"));
    }
  }
  auto found = quality::FindLabelIssues(labels.values, probs, MethodOf(args.filter_by));
  auto self = quality::LabelQualityScores(labels.values, probs, quality::LabelQualityMethod::kSelfConfidence);
  auto margin = quality::LabelQualityScores(labels.values, probs, quality::LabelQualityMethod::kNormalizedMargin);
  for (const Status& status : {found.status(), self.status(), margin.status()}) {
    if (!status.ok()) return Report(DataError(args.pred_probs + ": " + status.message()));
  }
  json issues = json::array();
  for (const quality::LabelIssue& issue : found->issues) {
    issues.push_back({{"index", issue.index},
                      {"given_label", issue.given_label},
                      {"suggested_label", issue.suggested_label},
                      {"self_confidence", issue.self_confidence},
                      {"normalized_margin", issue.normalized_margin}});
  }
  json report = {{"filter_by", args.filter_by},
                 {"issues", std::move(issues)},
                 {"label_quality",
                  {{"examples", labels.values.size()},
                   {"classes", classes},
                   {"issues", found->issues.size()},
                   {"self_confidence", Summary(*self)},
                   {"normalized_margin", Summary(*margin)}}}};
  if (args.json) {
    PrintJson(report);
    return 0;
  }
  std::printf("%zu examples, %zu classes, %zu likely label issues (%s)\n", labels.values.size(), classes,
              found->issues.size(), args.filter_by.c_str());
  if (!found->issues.empty()) {
    std::printf("%-8s %-6s %-9s %-16s %s\n", "index", "given", "suggested", "self_confidence",
                "normalized_margin");
  }
  for (const quality::LabelIssue& issue : found->issues) {
    std::printf("%-8zu %-6zu %-9zu %-16s %s\n", issue.index, issue.given_label, issue.suggested_label,
                Format(issue.self_confidence).c_str(), Format(issue.normalized_margin).c_str());
  }
  const json& summary = report["label_quality"];
  std::printf("self-confidence: mean %s, median %s, min %s\n",
              Format(summary["self_confidence"]["mean"].get<double>()).c_str(),
              Format(summary["self_confidence"]["median"].get<double>()).c_str(),
              Format(summary["self_confidence"]["min"].get<double>()).c_str());
  std::printf("normalized margin: mean %s, median %s, min %s\n",
              Format(summary["normalized_margin"]["mean"].get<double>()).c_str(),
              Format(summary["normalized_margin"]["median"].get<double>()).c_str(),
              Format(summary["normalized_margin"]["min"].get<double>()).c_str());
  return 0;
}

}  // namespace tessera::cli
