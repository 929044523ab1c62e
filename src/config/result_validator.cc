// ValidateResult: checks each result item's references (from_name, to_name,
// type), then its value. Relation items are checked against the region ids
// of the same result.
#include <algorithm>
#include <set>

#include "src/config/result_checks.h"
#include "src/config/text_util.h"

namespace tessera {

using config_internal::ItemError;
using config_internal::JoinList;
using config_internal::JsonKind;
using config_internal::ResultItem;
using config_internal::ToLower;
using nlohmann::json;

namespace config_internal {

Status ItemError(const ResultItem& item, const std::string& message) {
  std::string where = "result[" + std::to_string(item.index) + "]";
  if (!item.from_name.empty()) where += " from_name=\"" + item.from_name + "\"";
  return Status::InvalidArgument(where + ": " + message);
}

std::string Describe(const ControlTag& control) {
  return "<" + control.xml_tag + (control.name.empty() ? "" : " name=\"" + control.name + "\"") + ">";
}

std::string JsonKind(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::binary: return "binary data";
    case json::value_t::discarded: return "nothing";
    default: return "a number";
  }
}

}  // namespace config_internal

namespace {

// Every result type some control accepts, for "valid: ..." lists.
constexpr std::string_view kKnownTypes[] = {
    "choices", "labels", "rectanglelabels", "rectangle", "polygonlabels", "polygon", "keypointlabels", "keypoint",
    "ellipselabels", "ellipse", "brushlabels", "brush", "magicwand", "bitmasklabels", "bitmask", "textarea",
    "rating", "number", "datetime", "taxonomy", "relation", "videorectangle", "pairwise", "ranker",
    "hypertextlabels", "paragraphlabels", "timeserieslabels", "timelinelabels"};

std::string AcceptedTypes(const ControlTag& control) {
  std::vector<std::string> types{std::string(control.result_type())};
  for (std::string_view type : kKnownTypes) {
    if (type != control.result_type() && control.AcceptsResultType(type)) types.emplace_back(type);
  }
  return JoinList(types);
}

std::string ControlNames(const LabelingConfig& config) {
  std::vector<std::string> names;
  for (const ControlTag& control : config.controls()) {
    if (!control.name.empty()) names.push_back(control.name);
  }
  return JoinList(names);
}

// Region ids may be strings (LS) or numbers (some importers); compare as text.
std::string IdText(const json& id) { return id.is_string() ? id.get<std::string>() : id.dump(); }

Status CheckRelation(const ResultItem& item, const json& entry, const std::set<std::string>& region_ids) {
  for (const char* key : {"from_id", "to_id"}) {
    auto it = entry.find(key);
    if (it == entry.end() || !(it->is_string() || it->is_number_integer()) || IdText(*it).empty()) {
      return ItemError(item, std::string("a relation needs \"") + key + "\", the id of a region in this result");
    }
    if (!region_ids.count(IdText(*it))) {
      std::vector<std::string> ids(region_ids.begin(), region_ids.end());
      return ItemError(item, std::string(key) + "=\"" + IdText(*it) + "\" names no region in this result; region ids: " +
                                 JoinList(ids));
    }
  }
  if (auto it = entry.find("direction"); it != entry.end()) {
    const std::string direction = it->is_string() ? it->get<std::string>() : it->dump();
    if (direction != "right" && direction != "left" && direction != "bi") {
      return ItemError(item, "direction=\"" + direction + "\" is not valid; use right, left or bi");
    }
  }
  auto labels = entry.find("labels");
  if (labels == entry.end() || labels->is_null()) return Status::Ok();
  if (!labels->is_array()) return ItemError(item, "\"labels\" must be an array of relation labels, got " + JsonKind(*labels));
  std::vector<std::string> valid;
  for (const ControlTag& control : item.config->controls()) {
    if (control.type != ControlType::kRelations) continue;
    if (control.dynamic_options) return Status::Ok();
    for (const LabelOption& option : control.options) valid.push_back(option.ResultValue());
  }
  for (const json& label : *labels) {
    if (!label.is_string()) return ItemError(item, "relation labels must be strings, got " + JsonKind(label));
    if (std::find(valid.begin(), valid.end(), label.get<std::string>()) == valid.end()) {
      return ItemError(item, "relation label \"" + label.get<std::string>() +
                                 "\" is not a <Relation> of the config; relation labels: " + JoinList(valid));
    }
  }
  return Status::Ok();
}

Status CheckItem(const LabelingConfig& config, size_t index, const json& entry,
                 const std::set<std::string>& region_ids) {
  ResultItem item;
  item.index = index;
  item.config = &config;
  if (!entry.is_object()) {
    return ItemError(item, "must be an object with from_name, to_name, type and value, got " + JsonKind(entry));
  }
  auto type = entry.find("type");
  if (type == entry.end() || !type->is_string()) {
    return ItemError(item, "missing \"type\"; say what the item is, e.g. \"choices\" or \"rectanglelabels\"");
  }
  item.type = ToLower(type->get<std::string>());
  // Relations link two regions; LS writes them without from_name/to_name.
  if (item.type == "relation") return CheckRelation(item, entry, region_ids);

  auto from_name = entry.find("from_name");
  if (from_name == entry.end() || !from_name->is_string()) {
    return ItemError(item, "missing \"from_name\"; name the control that made it; control tags here: " +
                               ControlNames(config));
  }
  item.from_name = from_name->get<std::string>();
  item.control = config.FindControl(item.from_name);
  if (item.control == nullptr) {
    return ItemError(item, "names no control tag; control tags here: " + ControlNames(config));
  }
  const ControlTag& control = *item.control;
  const std::string valid_targets = JoinList(control.to_names);
  auto to_name = entry.find("to_name");
  if (to_name == entry.end() || !to_name->is_string()) {
    return ItemError(item, "missing \"to_name\"; valid: " + valid_targets);
  }
  item.to_name = to_name->get<std::string>();
  // FindObject resolves Repeater names ("img_0" -> "img_{{idx}}").
  const ObjectTag* object = config.FindObject(item.to_name);
  const bool target_ok = object != nullptr && std::find(control.to_names.begin(), control.to_names.end(),
                                                        object->name) != control.to_names.end();
  // Leniency: LS has written TextArea results whose to_name is the TextArea
  // itself (its transcription example does); LS accepts them, so do we.
  const bool self_target = control.type == ControlType::kTextArea && item.to_name == control.name;
  if (!target_ok && !self_target) {
    return ItemError(item, "to_name=\"" + item.to_name + "\" is not a target of " + config_internal::Describe(control) +
                               "; valid: " + valid_targets);
  }
  item.object = target_ok ? object : nullptr;
  if (!control.AcceptsResultType(item.type)) {
    return ItemError(item, "type=\"" + type->get<std::string>() + "\" does not match " +
                               config_internal::Describe(control) + "; valid: " + AcceptedTypes(control));
  }
  auto value = entry.find("value");
  if (value == entry.end() || !value->is_object()) {
    return ItemError(item, "\"value\" must be an object holding the answer, got " +
                               (value == entry.end() ? std::string("nothing") : JsonKind(*value)));
  }
  TESSERA_RETURN_IF_ERROR(config_internal::CheckValueShape(item, *value));
  return config_internal::CheckValueLabels(item, *value);
}

}  // namespace

Status ValidateResult(const LabelingConfig& config, const json& result) {
  try {
    if (!result.is_array()) {
      return Status::InvalidArgument("result must be an array of result items, got " + JsonKind(result));
    }
    std::set<std::string> region_ids;
    for (const json& entry : result) {
      if (!entry.is_object()) continue;
      if (auto id = entry.find("id"); id != entry.end() && (id->is_string() || id->is_number_integer())) {
        region_ids.insert(IdText(*id));
      }
    }
    for (size_t index = 0; index < result.size(); ++index) {
      TESSERA_RETURN_IF_ERROR(CheckItem(config, index, result[index], region_ids));
    }
    return Status::Ok();
  } catch (const std::exception& e) {  // a check that slipped; never let it escape
    return Status::Internal(std::string("validating the result failed: ") + e.what());
  }
}

Status ValidateTaskResults(const LabelingConfig& config, const NewTask& task) {
  auto check = [&](const std::string& text, const char* what, size_t idx) -> Status {
    Status s = ValidateResult(config, json::parse(text, nullptr, false));
    if (!s.ok()) return s.WithPrefix(std::string(what) + " " + std::to_string(idx + 1));
    return Status::Ok();
  };
  for (size_t idx = 0; idx < task.annotations.size(); ++idx)
    TESSERA_RETURN_IF_ERROR(check(task.annotations[idx].result, "annotation", idx));
  for (size_t idx = 0; idx < task.predictions.size(); ++idx)
    TESSERA_RETURN_IF_ERROR(check(task.predictions[idx].result, "prediction", idx));
  return Status::Ok();
}

}  // namespace tessera
