// ParsedLabelConfig: the `parsed_label_config` object LS's API returns for a
// project, built from the schema in the same shape and order as LS builds it.
#include <cctype>

#include "src/config/text_util.h"
#include "tessera/config.h"

namespace tessera {
namespace {

using nlohmann::json;

// LS marks a control's labels dynamic when its value= is exactly "$field"
// (letters and underscores) or it loads them from apiUrl=.
bool HasDynamicLabels(const ControlTag& control) {
  const std::string value = control.attributes.Get("value");
  if (value.size() < 2 || value.front() != '$') return control.attributes.Has("apiUrl");
  for (size_t idx = 1; idx < value.size(); ++idx) {
    const char c = value[idx];
    if (!(std::isalpha(static_cast<unsigned char>(c)) || c == '_')) return control.attributes.Has("apiUrl");
  }
  return true;
}

json AttributesJson(const Attributes& attributes) {
  json out = json::object();
  for (const auto& [name, value] : attributes.entries()) out[name] = value;
  return out;
}

}  // namespace

nlohmann::json ParsedLabelConfig(const LabelingConfig& config) {
  json out = json::object();
  for (const ControlTag& control : config.controls()) {
    // LS lists only tags with both name= and toName=.
    if (control.name.empty() || control.to_names.empty()) continue;
    json info = json::object();
    info["type"] = control.xml_tag;
    info["to_name"] = control.to_names;
    if (!control.repeater_index_flag.empty()) {
      for (const std::string& target : control.to_names) {
        if (target.find(control.repeater_index_flag) != std::string::npos) {
          info["regex"][control.repeater_index_flag] = ".*";
        }
      }
    }
    if (control.per_region) {
      const Attributes& attrs = control.attributes;
      if (attrs.Has("whenTagName")) {
        info["conditionals"] = {{"type", "tag"}, {"name", attrs.Get("whenTagName")}};
      } else if (attrs.Has("whenLabelValue")) {
        info["conditionals"] = {{"type", "label"}, {"name", attrs.Get("whenLabelValue")}};
      } else if (attrs.Has("whenChoiceValue")) {
        info["conditionals"] = {{"type", "choice"}, {"name", attrs.Get("whenChoiceValue")}};
      }
    }
    if (HasDynamicLabels(control)) info["dynamic_labels"] = true;

    json inputs = json::array();
    for (const std::string& target : control.to_names) {
      const ObjectTag* object = config.FindObject(target);
      if (object == nullptr) continue;
      std::string value = object->value;
      value.erase(0, value.find_first_not_of('$'));
      json input = {{"type", object->xml_tag}, {"value", value}};
      // LS adds valueType; we add it only when the config sets it.
      if (const std::string* value_type = object->attributes.Find("valueType")) input["valueType"] = *value_type;
      inputs.push_back(std::move(input));
    }
    info["inputs"] = std::move(inputs);

    // Labels keyed by alias-or-value, first occurrence's position, last
    // occurrence's attributes (as a Python dict built in order behaves).
    // Ranker buckets are not labels in LS's sense.
    json labels = json::array();
    json labels_attrs = json::object();
    for (const LabelOption& option : control.options) {
      if (option.tag == "Bucket" || option.ResultValue().empty()) continue;
      if (!labels_attrs.contains(option.ResultValue())) labels.push_back(option.ResultValue());
      labels_attrs[option.ResultValue()] = AttributesJson(option.attributes);
    }
    info["labels"] = std::move(labels);
    info["labels_attrs"] = std::move(labels_attrs);
    out[control.name] = std::move(info);
  }
  return out;
}

}  // namespace tessera
