#include "cli/quality_input.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cli/csv.h"
#include "tessera/util.h"

namespace tessera::cli {

using nlohmann::json;

QualityError UsageError(std::string message) { return {kExitUsageError, std::move(message)}; }
QualityError DataError(std::string message) { return {kExitDataError, std::move(message)}; }

int Report(const QualityError& error) {
  std::fprintf(stderr, "tessera quality: %s\n", error.message.c_str());
  return error.exit_code;
}

bool ReadInputFile(const std::string& path, const std::string& option, std::string* text,
                   QualityError* error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    *error = UsageError(option + " " + path + ": is a folder; give a file");
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = UsageError(option + " " + path + ": cannot open the file; check the path");
    return false;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    *error = UsageError(option + " " + path + ": cannot read the file");
    return false;
  }
  *text = buffer.str();
  return true;
}

std::string TryParseJson(const std::string& text, json* out) {
  try {
    *out = json::parse(text);
    return "";
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    const size_t at = what.find("] ");
    return at == std::string::npos ? what : what.substr(at + 2);
  }
}

bool ParseJsonText(const std::string& path, const std::string& text, json* out,
                   QualityError* error) {
  const std::string problem = TryParseJson(text, out);
  if (problem.empty()) return true;
  *error = DataError(path + ": not valid JSON: " + problem);
  return false;
}

namespace {

// ---------------------------------------------------------------- CSV input

bool LoadCsvJudgements(const std::string& path, const std::string& text, Judgements* out,
                       QualityError* error) {
  auto records = ParseCsv(text);
  if (!records.ok()) {
    *error = DataError(path + ":" + records.status().message().substr(5));  // "line N: ..."
    return false;
  }
  if (records->empty()) {
    *error = DataError(path + ": the file is empty; expected a header item,annotator,label and "
                              "one row per judgement");
    return false;
  }
  const CsvRecord& header = records->front();
  int columns[3] = {-1, -1, -1};
  const char* kNames[3] = {"item", "annotator", "label"};
  for (size_t col_idx = 0; col_idx < header.fields.size(); ++col_idx) {
    const std::string name = ToLower(Trim(header.fields[col_idx]));
    for (int want = 0; want < 3; ++want) {
      if (name == kNames[want] && columns[want] < 0) columns[want] = static_cast<int>(col_idx);
    }
  }
  for (int want = 0; want < 3; ++want) {
    if (columns[want] < 0) {
      *error = DataError(path + ":" + std::to_string(header.line) + ": the header has no \"" +
                         kNames[want] +
                         "\" column; the header must name the columns item, annotator and label");
      return false;
    }
  }
  std::map<std::string, size_t> item_index, annotator_index;
  std::map<std::pair<size_t, size_t>, int64_t> seen;  // (item, annotator) -> line
  for (size_t rec_idx = 1; rec_idx < records->size(); ++rec_idx) {
    const CsvRecord& record = (*records)[rec_idx];
    const std::string where = path + ":" + std::to_string(record.line) + ": ";
    if (record.fields.size() != header.fields.size()) {
      *error = DataError(where + std::to_string(record.fields.size()) + " fields but the header has " +
                         std::to_string(header.fields.size()) +
                         "; quote values that contain commas");
      return false;
    }
    std::string values[3];
    for (int want = 0; want < 3; ++want) {
      values[want] = std::string(Trim(record.fields[static_cast<size_t>(columns[want])]));
      if (values[want].empty()) {
        *error = DataError(where + "field \"" + kNames[want] + "\" is empty; every row needs an item, "
                                   "an annotator and a label");
        return false;
      }
    }
    auto [item_it, new_item] = item_index.emplace(values[0], out->items.size());
    if (new_item) out->items.push_back(values[0]);
    auto [ann_it, new_ann] = annotator_index.emplace(values[1], out->annotators.size());
    if (new_ann) out->annotators.push_back(values[1]);
    auto [seen_it, first] = seen.emplace(std::make_pair(item_it->second, ann_it->second), record.line);
    if (!first) {
      *error = DataError(where + "annotator \"" + values[1] + "\" already labelled item \"" +
                         values[0] + "\" on line " + std::to_string(seen_it->second) +
                         "; give one label per item and annotator");
      return false;
    }
    out->entries.push_back({item_it->second, ann_it->second, values[2]});
  }
  if (out->entries.empty()) {
    *error = DataError(path + ": the header has no rows below it; add one row per judgement");
    return false;
  }
  return true;
}

bool ParseNumber(const std::string& text, double* value) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, *value);
  return ec == std::errc() && ptr == end && std::isfinite(*value);
}

}  // namespace

bool LoadJudgements(const std::string& path, const std::string& control, std::vector<Judgements>* out,
                    QualityError* error) {
  std::string text;
  if (!ReadInputFile(path, "--input", &text, error)) return false;
  size_t first = 0;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) first = 3;
  while (first < text.size() && std::isspace(static_cast<unsigned char>(text[first]))) ++first;
  if (first < text.size() && (text[first] == '[' || text[first] == '{')) {
    return LoadExportJudgements(path, text.substr(first), control, out, error);
  }
  if (!control.empty()) {
    *error = UsageError("--control applies to Label Studio exports; " + path + " is a CSV file");
    return false;
  }
  Judgements judgements;
  if (!LoadCsvJudgements(path, text, &judgements, error)) return false;
  out->push_back(std::move(judgements));
  return true;
}

const std::string& LabelCodes::NameOf(double code) const {
  const auto at = std::lower_bound(codes.begin(), codes.end(), code) - codes.begin();
  return names[static_cast<size_t>(at)];
}

LabelCodes MakeLabelCodes(const Judgements& judgements) {
  LabelCodes out;
  std::set<std::string> labels;
  for (const auto& entry : judgements.entries) labels.insert(entry.label);
  out.numeric = true;
  std::map<double, std::string> by_value;  // first spelling in sorted label order
  for (const std::string& label : labels) {
    double value = 0;
    if (!ParseNumber(label, &value)) {
      out.numeric = false;
      break;
    }
    by_value.emplace(value, label);
    out.code_of[label] = value;
  }
  if (out.numeric) {
    for (const auto& [value, name] : by_value) {
      out.codes.push_back(value);
      out.names.push_back(name);
    }
    return out;
  }
  out.code_of.clear();
  for (const std::string& label : labels) {
    out.code_of[label] = static_cast<double>(out.codes.size());
    out.codes.push_back(static_cast<double>(out.codes.size()));
    out.names.push_back(label);
  }
  return out;
}

quality::RatingTable MakeTable(const Judgements& judgements, const LabelCodes& codes) {
  quality::RatingTable table(judgements.items.size(),
                             std::vector<quality::Rating>(judgements.annotators.size()));
  for (const auto& entry : judgements.entries) {
    table[entry.item][entry.annotator] = codes.code_of.at(entry.label);
  }
  return table;
}

void PrintJson(const nlohmann::ordered_json& value) {
  std::printf("%s\n", value.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
}

void EmitReports(const nlohmann::ordered_json& reports, bool grouped, bool as_json,
                 const std::function<void(const nlohmann::ordered_json&)>& print_human) {
  if (as_json) {
    const nlohmann::ordered_json out =
        grouped ? nlohmann::ordered_json{{"controls", reports}} : reports.front();
    PrintJson(out);
    return;
  }
  for (size_t idx = 0; idx < reports.size(); ++idx) {
    if (idx > 0) std::printf("\n");
    if (reports[idx].contains("control")) {
      std::printf("control %s\n", reports[idx]["control"].get<std::string>().c_str());
    }
    print_human(reports[idx]);
  }
}

nlohmann::ordered_json Number(double value) {
  return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
}

std::string Format(double value) {
  if (std::isnan(value)) return "undefined";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.4f", value);
  return buffer;
}

}  // namespace tessera::cli
