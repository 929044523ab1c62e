// tessera quality detection: COCO box detection metrics of a results file
// against a COCO ground-truth file.
#include <cstdio>
#include <map>
#include <set>

#include "cli/quality_commands.h"
#include "cli/quality_input.h"

namespace tessera::cli {

namespace {

using nlohmann::json;
using OutJson = nlohmann::ordered_json;

// Reads `key` of `object` as an integer id; `where` names the element.
bool ReadId(const json& object, const char* key, const std::string& where, int64_t* out, std::string* problem) {
  if (!object.contains(key) || !object.at(key).is_number_integer()) {
    *problem = where + "." + key + ": expected an integer id";
    return false;
  }
  *out = object.at(key).get<int64_t>();
  return true;
}

bool ReadBox(const json& object, const std::string& where, quality::Box* box, std::string* problem) {
  const json* bbox = object.contains("bbox") ? &object.at("bbox") : nullptr;
  if (!bbox || !bbox->is_array() || bbox->size() != 4) {
    *problem = where + ".bbox: expected [x, y, width, height]";
    return false;
  }
  double values[4];
  for (size_t idx = 0; idx < 4; ++idx) {
    if (!(*bbox)[idx].is_number()) {
      *problem = where + ".bbox: expected 4 numbers [x, y, width, height]";
      return false;
    }
    values[idx] = (*bbox)[idx].get<double>();
  }
  if (values[2] < 0 || values[3] < 0) {
    *problem = where + ".bbox: width and height must not be negative";
    return false;
  }
  *box = {values[0], values[1], values[2], values[3]};
  return true;
}

struct GroundTruthFile {
  std::vector<quality::CocoGroundTruth> boxes;
  quality::CocoEvalOptions options;
  std::map<int64_t, std::string> category_names;
  bool has_images = false;
};

bool ReadGroundTruth(const json& root, GroundTruthFile* out, std::string* problem) {
  if (!root.is_object() || !root.contains("annotations") || !root.at("annotations").is_array()) {
    *problem = "expected a COCO object with \"images\", \"annotations\" and \"categories\" arrays";
    return false;
  }
  for (const char* list : {"images", "categories"}) {
    if (root.contains(list) && !root.at(list).is_array()) {
      *problem = std::string(list) + ": expected an array";
      return false;
    }
  }
  if (root.contains("images")) {
    out->has_images = true;
    const json& images = root.at("images");
    for (size_t idx = 0; idx < images.size(); ++idx) {
      int64_t id = 0;
      if (!images[idx].is_object() || !ReadId(images[idx], "id", "images[" + std::to_string(idx) + "]", &id, problem)) {
        if (problem->empty()) *problem = "images[" + std::to_string(idx) + "]: expected an object";
        return false;
      }
      out->options.image_ids.push_back(id);
    }
  }
  if (root.contains("categories")) {
    const json& categories = root.at("categories");
    for (size_t idx = 0; idx < categories.size(); ++idx) {
      const std::string where = "categories[" + std::to_string(idx) + "]";
      int64_t id = 0;
      if (!categories[idx].is_object() || !ReadId(categories[idx], "id", where, &id, problem)) {
        if (problem->empty()) *problem = where + ": expected an object";
        return false;
      }
      out->options.category_ids.push_back(id);
      if (categories[idx].contains("name") && categories[idx].at("name").is_string()) {
        out->category_names[id] = categories[idx].at("name").get<std::string>();
      }
    }
  }
  const json& annotations = root.at("annotations");
  for (size_t idx = 0; idx < annotations.size(); ++idx) {
    const std::string where = "annotations[" + std::to_string(idx) + "]";
    const json& annotation = annotations[idx];
    if (!annotation.is_object()) {
      *problem = where + ": expected an object";
      return false;
    }
    quality::CocoGroundTruth box;
    if (!ReadId(annotation, "image_id", where, &box.image_id, problem) ||
        !ReadId(annotation, "category_id", where, &box.category_id, problem) ||
        !ReadBox(annotation, where, &box.box, problem)) {
      return false;
    }
    if (annotation.contains("iscrowd")) {
      const json& crowd = annotation.at("iscrowd");
      if (crowd.is_boolean()) {
        box.iscrowd = crowd.get<bool>();
      } else if (crowd.is_number_integer()) {
        box.iscrowd = crowd.get<int64_t>() != 0;
      } else {
        *problem = where + ".iscrowd: expected 0 or 1";
        return false;
      }
    }
    if (annotation.contains("area")) {
      if (!annotation.at("area").is_number()) {
        *problem = where + ".area: expected a number";
        return false;
      }
      box.area = annotation.at("area").get<double>();
    }
    out->boxes.push_back(box);
  }
  return true;
}

bool ReadDetections(const json& root, const GroundTruthFile& truth, std::vector<quality::CocoDetection>* out,
                    std::string* problem) {
  if (!root.is_array()) {
    *problem = "expected a JSON array of detections [{\"image_id\", \"category_id\", \"bbox\", \"score\"}, ...]";
    return false;
  }
  const std::set<int64_t> images(truth.options.image_ids.begin(), truth.options.image_ids.end());
  for (size_t idx = 0; idx < root.size(); ++idx) {
    const std::string where = "[" + std::to_string(idx) + "]";
    const json& entry = root[idx];
    if (!entry.is_object()) {
      *problem = where + ": expected an object {image_id, category_id, bbox, score}";
      return false;
    }
    quality::CocoDetection detection;
    if (!ReadId(entry, "image_id", where, &detection.image_id, problem) ||
        !ReadId(entry, "category_id", where, &detection.category_id, problem) ||
        !ReadBox(entry, where, &detection.box, problem)) {
      return false;
    }
    if (!entry.contains("score") || !entry.at("score").is_number()) {
      *problem = where + ".score: expected a number";
      return false;
    }
    detection.score = entry.at("score").get<double>();
    if (truth.has_images && !images.count(detection.image_id)) {
      *problem = where + ".image_id: " + std::to_string(detection.image_id) +
                 " is not an image of the ground truth (its \"images\" list)";
      return false;
    }
    out->push_back(detection);
  }
  return true;
}

struct Stat {
  const char* name;
  const char* description;
  double quality::CocoEvalResult::*field;
};
const Stat kStats[] = {
    {"AP", "AP @ IoU .50:.95, all areas, 100 detections", &quality::CocoEvalResult::ap},
    {"AP50", "AP @ IoU .50", &quality::CocoEvalResult::ap50},
    {"AP75", "AP @ IoU .75", &quality::CocoEvalResult::ap75},
    {"AP_small", "AP, area < 32^2", &quality::CocoEvalResult::ap_small},
    {"AP_medium", "AP, 32^2 <= area < 96^2", &quality::CocoEvalResult::ap_medium},
    {"AP_large", "AP, area >= 96^2", &quality::CocoEvalResult::ap_large},
    {"AR1", "AR @ IoU .50:.95, 1 detection per image", &quality::CocoEvalResult::ar1},
    {"AR10", "AR, 10 detections per image", &quality::CocoEvalResult::ar10},
    {"AR100", "AR, 100 detections per image", &quality::CocoEvalResult::ar100},
    {"AR_small", "AR, area < 32^2", &quality::CocoEvalResult::ar_small},
    {"AR_medium", "AR, 32^2 <= area < 96^2", &quality::CocoEvalResult::ar_medium},
    {"AR_large", "AR, area >= 96^2", &quality::CocoEvalResult::ar_large},
};

}  // namespace

int RunQualityDetection(const QualityDetectionArgs& args) {
  QualityError error;
  std::string text;
  json root;
  GroundTruthFile truth;
  std::string problem;
  if (!ReadInputFile(args.ground_truth, "--gt", &text, &error)) return Report(error);
  if (!ParseJsonText(args.ground_truth, text, &root, &error)) return Report(error);
  if (!ReadGroundTruth(root, &truth, &problem)) return Report(DataError(args.ground_truth + ": " + problem));
  std::vector<quality::CocoDetection> detections;
  if (!ReadInputFile(args.detections, "--dt", &text, &error)) return Report(error);
  if (!ParseJsonText(args.detections, text, &root, &error)) return Report(error);
  if (!ReadDetections(root, truth, &detections, &problem)) return Report(DataError(args.detections + ": " + problem));
  auto result = quality::EvaluateCocoDetections(truth.boxes, detections, truth.options);
  if (!result.ok()) return Report(DataError(args.detections + ": " + result.status().message()));
  OutJson report = OutJson::object();
  for (const Stat& stat : kStats) report[stat.name] = Number((*result).*stat.field);
  OutJson per_class = OutJson::array();
  for (const quality::CocoClassResult& row : result->per_class) {
    OutJson entry = {{"category_id", row.category_id}};
    if (truth.category_names.count(row.category_id)) entry["name"] = truth.category_names.at(row.category_id);
    entry["AP"] = Number(row.ap);
    entry["AP50"] = Number(row.ap50);
    entry["AP75"] = Number(row.ap75);
    entry["AR100"] = Number(row.ar100);
    per_class.push_back(std::move(entry));
  }
  report["per_class"] = std::move(per_class);
  report["ground_truth"] = truth.boxes.size();
  report["detections"] = detections.size();
  if (args.json) {
    PrintJson(report);
    return 0;
  }
  std::printf("%zu ground-truth boxes, %zu detections (-1: no ground truth in that setting)\n",
              truth.boxes.size(), detections.size());
  for (const Stat& stat : kStats) {
    std::printf("%-10s %8.4f  %s\n", stat.name, (*result).*stat.field, stat.description);
  }
  std::printf("%-24s %8s %8s %8s %8s\n", "category", "AP", "AP50", "AP75", "AR100");
  for (const quality::CocoClassResult& row : result->per_class) {
    std::string name = std::to_string(row.category_id);
    if (truth.category_names.count(row.category_id)) name += " " + truth.category_names.at(row.category_id);
    std::printf("%-24s %8.4f %8.4f %8.4f %8.4f\n", name.c_str(), row.ap, row.ap50, row.ap75, row.ar100);
  }
  return 0;
}

}  // namespace tessera::cli
