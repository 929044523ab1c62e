// Label Studio JSON / JSONL exports as judgement tables (see LoadJudgements).
#include <algorithm>
#include <set>
#include <sstream>

#include "cli/quality_input.h"
#include "tessera/util.h"

namespace tessera::cli {

namespace {

using nlohmann::json;

// Classification result types and how their value becomes one label string.
const std::set<std::string> kClassificationTypes = {"choices", "rating", "number", "taxonomy"};

std::string JoinSorted(std::vector<std::string> parts) {
  std::sort(parts.begin(), parts.end());
  std::string joined;
  for (const std::string& part : parts) joined += (joined.empty() ? "" : "|") + part;
  return joined;
}

// The label of one result, or an error message naming the field.
bool ResultLabel(const std::string& type, const json& value, std::string* label, std::string* problem) {
  const json* field = value.contains(type) ? &value.at(type) : nullptr;
  if (type == "rating" || type == "number") {
    if (!field || !field->is_number()) {
      *problem = "value." + type + " must be a number";
      return false;
    }
    *label = field->dump();
    return true;
  }
  if (!field || !field->is_array() || field->empty()) {
    *problem = "value." + type + " must be a non-empty array";
    return false;
  }
  std::vector<std::string> parts;
  for (const json& entry : *field) {
    if (type == "choices" && entry.is_string()) {
      parts.push_back(entry.get<std::string>());
    } else if (type == "taxonomy" && entry.is_array()) {
      std::string path;
      for (const json& node : entry) {
        if (!node.is_string()) {
          *problem = "value.taxonomy must be an array of arrays of strings";
          return false;
        }
        path += (path.empty() ? "" : "/") + node.get<std::string>();
      }
      parts.push_back(path);
    } else {
      *problem = type == "choices" ? "value.choices must be an array of strings"
                                   : "value.taxonomy must be an array of arrays of strings";
      return false;
    }
  }
  *label = JoinSorted(parts);
  return true;
}

std::string AnnotatorName(const json& annotation, size_t position) {
  const json* who = annotation.contains("completed_by") ? &annotation.at("completed_by") : nullptr;
  if (who && who->is_object()) {
    if (who->contains("email") && who->at("email").is_string()) return who->at("email").get<std::string>();
    if (who->contains("id")) who = &who->at("id");
  }
  if (who && who->is_number_integer()) return std::to_string(who->get<int64_t>());
  if (who && who->is_string()) return who->get<std::string>();
  return "#" + std::to_string(position + 1);
}

struct ExportReader {
  std::string path;
  // control -> judgements being built, plus per (item, annotator) the
  // annotation id that stands (the latest).
  std::map<std::string, Judgements> controls;
  std::map<std::string, std::map<std::pair<size_t, size_t>, std::pair<int64_t, size_t>>> latest;
  std::map<std::string, size_t> item_index;
  std::vector<std::string> items;
  std::map<std::string, size_t> annotator_index;
  std::vector<std::string> annotators;

  size_t Index(std::map<std::string, size_t>* index, std::vector<std::string>* names,
               const std::string& name) {
    auto [it, inserted] = index->emplace(name, names->size());
    if (inserted) names->push_back(name);
    return it->second;
  }

  // `where` is "line 3" (JSONL) or "task 3" (JSON array).
  bool AddTask(const json& task, size_t position, const std::string& where, QualityError* error) {
    if (!task.is_object()) {
      *error = DataError(path + ": " + where + ": a task must be a JSON object");
      return false;
    }
    std::string item;
    if (task.contains("id") && task.at("id").is_number_integer()) {
      item = std::to_string(task.at("id").get<int64_t>());
    } else if (task.contains("id") && task.at("id").is_string()) {
      item = task.at("id").get<std::string>();
    } else {
      item = "task " + std::to_string(position + 1);
    }
    const char* key = task.contains("annotations") ? "annotations" : "completions";
    if (!task.contains(key)) return true;  // a task nobody annotated
    const json& annotations = task.at(key);
    if (!annotations.is_array()) {
      *error = DataError(path + ": " + where + ": \"" + key + "\" must be an array");
      return false;
    }
    const size_t item_idx = Index(&item_index, &items, item);
    for (size_t ann_pos = 0; ann_pos < annotations.size(); ++ann_pos) {
      const json& annotation = annotations[ann_pos];
      const std::string here = where + ", annotation " + std::to_string(ann_pos + 1);
      if (!annotation.is_object()) {
        *error = DataError(path + ": " + here + ": an annotation must be a JSON object");
        return false;
      }
      if (annotation.contains("was_cancelled") && annotation.at("was_cancelled").is_boolean() &&
          annotation.at("was_cancelled").get<bool>()) {
        continue;
      }
      const size_t ann_idx = Index(&annotator_index, &annotators, AnnotatorName(annotation, ann_pos));
      const int64_t annotation_id = annotation.contains("id") && annotation.at("id").is_number_integer()
                                        ? annotation.at("id").get<int64_t>()
                                        : static_cast<int64_t>(ann_pos);
      if (!annotation.contains("result")) continue;
      const json& results = annotation.at("result");
      if (!results.is_array()) {
        *error = DataError(path + ": " + here + ": \"result\" must be an array");
        return false;
      }
      for (const json& result : results) {
        if (!result.is_object() || !result.contains("type") || !result.at("type").is_string()) continue;
        const std::string type = result.at("type").get<std::string>();
        if (!kClassificationTypes.count(type)) continue;
        if (!result.contains("value") || !result.at("value").is_object()) continue;
        const json& value = result.at("value");
        // Per-region classifications carry the region's geometry: not item labels.
        if (value.contains("x") || value.contains("start") || value.contains("points") ||
            value.contains("startOffset")) {
          continue;
        }
        const std::string control = result.contains("from_name") && result.at("from_name").is_string()
                                        ? result.at("from_name").get<std::string>()
                                        : type;
        std::string label, problem;
        if (!ResultLabel(type, value, &label, &problem)) {
          *error = DataError(path + ": " + here + ", control \"" + control + "\": " + problem);
          return false;
        }
        Judgements& table = controls[control];
        table.control = control;
        auto& standing = latest[control];
        auto found = standing.find({item_idx, ann_idx});
        if (found != standing.end()) {
          if (found->second.first > annotation_id) continue;  // an older annotation
          table.entries[found->second.second].label = label;
          found->second.first = annotation_id;
          continue;
        }
        standing[{item_idx, ann_idx}] = {annotation_id, table.entries.size()};
        table.entries.push_back({item_idx, ann_idx, label});
      }
    }
    return true;
  }

  // Renumbers each control's items and annotators to those it uses.
  void Finish(const std::string& only, std::vector<Judgements>* out) {
    for (auto& [name, table] : controls) {
      if (!only.empty() && name != only) continue;
      Judgements compact;
      compact.control = name;
      std::map<size_t, size_t> item_map, ann_map;
      // Keep the file's order of items and annotators.
      std::vector<size_t> used_items, used_annotators;
      for (const auto& entry : table.entries) {
        used_items.push_back(entry.item);
        used_annotators.push_back(entry.annotator);
      }
      std::sort(used_items.begin(), used_items.end());
      std::sort(used_annotators.begin(), used_annotators.end());
      for (size_t idx : used_items) {
        if (item_map.emplace(idx, compact.items.size()).second) compact.items.push_back(items[idx]);
      }
      for (size_t idx : used_annotators) {
        if (ann_map.emplace(idx, compact.annotators.size()).second) compact.annotators.push_back(annotators[idx]);
      }
      for (const auto& entry : table.entries) {
        compact.entries.push_back({item_map[entry.item], ann_map[entry.annotator], entry.label});
      }
      out->push_back(std::move(compact));
    }
  }
};

}  // namespace

bool LoadExportJudgements(const std::string& path, const std::string& text, const std::string& control,
                          std::vector<Judgements>* out, QualityError* error) {
  ExportReader reader;
  reader.path = path;
  json whole;
  QualityError whole_error;
  const bool parsed = ParseJsonText(path, text, &whole, &whole_error);
  if (parsed && whole.is_array()) {
    for (size_t task_idx = 0; task_idx < whole.size(); ++task_idx) {
      if (!reader.AddTask(whole[task_idx], task_idx, "task " + std::to_string(task_idx + 1), error)) {
        return false;
      }
    }
  } else if (parsed) {
    if (!reader.AddTask(whole, 0, "task 1", error)) return false;
  } else {
    // JSONL: one task per line, if the first line alone is JSON.
    std::istringstream lines(text);
    std::string line;
    size_t line_no = 0, tasks = 0;
    bool first = true;
    while (std::getline(lines, line)) {
      ++line_no;
      if (Trim(line).empty()) continue;
      json task;
      const std::string problem = TryParseJson(line, &task);
      if (!problem.empty()) {
        if (first) {  // not JSONL either: report the whole-file error
          *error = whole_error;
          return false;
        }
        *error = DataError(path + ":" + std::to_string(line_no) +
                           ": not valid JSON (JSONL holds one task object per line): " + problem);
        return false;
      }
      first = false;
      if (!reader.AddTask(task, tasks++, "line " + std::to_string(line_no), error)) return false;
    }
  }
  reader.Finish(control, out);
  if (out->empty()) {
    if (!control.empty() && !reader.controls.empty()) {
      std::string found;
      for (const auto& [name, table] : reader.controls) found += (found.empty() ? "" : ", ") + name;
      *error = UsageError("--control " + control + ": " + path + " has no classification control of that name; it has: " + found);
    } else {
      *error = DataError(path + ": no choices, rating, number or taxonomy results in this export "
                                "(region labels are not item labels)");
    }
    return false;
  }
  return true;
}

}  // namespace tessera::cli
