// Attribute checks for control tags and their options: choice=, numeric
// limits, dynamic options, visibleWhen.
#include <map>

#include "src/config/config_builder.h"
#include "src/config/text_util.h"

namespace tessera {

using config_internal::DataKeyOf;
using config_internal::FindTagSpec;
using config_internal::ParseInt;
using config_internal::ParseNumber;
using config_internal::ToLower;
using config_internal::Trim;

namespace {

bool HoldsLabelsOrChoices(ControlType type) {
  std::string_view option_tag = FindTagSpec(TagName(type))->option_tag;
  return option_tag == "Label" || option_tag == "Choice";
}

}  // namespace

void LabelingConfigBuilder::CheckPositiveInt(const pugi::xml_node& node, std::string_view attribute,
                                             const char* what) {
  const pugi::xml_attribute attr = node.attribute(std::string(attribute).c_str());
  if (!attr) return;
  std::optional<long long> value = ParseInt(attr.value());
  if (!value || *value < 1) {
    Error(node, std::string(attribute) + "=\"" + attr.value() + "\" is not valid; use " + what);
  }
}

void LabelingConfigBuilder::ReadControlAttributes(const pugi::xml_node& node, ControlTag& control) {
  const Attributes& attributes = control.attributes;
  if (const std::string* choice = attributes.Find("choice"); choice && HoldsLabelsOrChoices(control.type)) {
    const std::string mode = ToLower(Trim(*choice));
    if (mode == "single") {
      control.choice = ChoiceMode::kSingle;
    } else if (mode == "single-radio") {
      control.choice = ChoiceMode::kSingleRadio;
    } else if (mode == "multiple") {
      control.choice = ChoiceMode::kMultiple;
    } else {
      Error(node, "choice=\"" + *choice + "\" is not valid; use single, single-radio or multiple");
    }
  }
  control.required = attributes.GetBool("required");
  control.per_region = attributes.GetBool("perRegion");

  if (const std::string* max_usages = attributes.Find("maxUsages")) {
    std::optional<long long> value = ParseInt(*max_usages);
    if (!value || *value < 1 || *value > 1'000'000) {
      Error(node, "maxUsages=\"" + *max_usages + "\" is not valid; use a positive whole number");
    } else {
      control.max_usages = static_cast<int>(*value);
    }
  }
  if (control.type == ControlType::kRating) {
    if (const std::string* max_rating = attributes.Find("maxRating")) {
      std::optional<long long> value = ParseInt(*max_rating);
      if (!value || *value < 1 || *value > 100) {
        Error(node, "maxRating=\"" + *max_rating + "\" is not valid; use a whole number from 1 to 100");
      } else {
        control.max_rating = static_cast<int>(*value);
      }
    }
  }
  if (control.type == ControlType::kNumber) {
    for (const char* bound : {"min", "max", "step"}) {
      const std::string* text = attributes.Find(bound);
      if (text == nullptr) continue;
      std::optional<double> value = ParseNumber(*text);
      if (!value) {
        Error(node, std::string(bound) + "=\"" + *text + "\" is not valid; use a number");
      } else if (bound[1] == 'i') {
        control.min = value;
      } else if (bound[1] == 'a') {
        control.max = value;
      }
    }
    if (control.min && control.max && *control.min > *control.max) {
      Error(node, "min=\"" + attributes.Get("min") + "\" is greater than max=\"" + attributes.Get("max") +
                      "\"; min must not exceed max");
    }
  }
  if (control.type == ControlType::kTextArea) {
    if (const std::string* text = attributes.Find("maxSubmissions")) {
      std::optional<long long> value = ParseInt(*text);
      if (!value || *value < 0) {
        Error(node, "maxSubmissions=\"" + *text + "\" is not valid; use a whole number, 0 or more");
      }
    }
  }
  // Options may come from task data (value="$options"), an API (Taxonomy
  // apiUrl=) or annotators (Taxonomy userLabels="true"); results may then
  // carry values the config does not list.
  if (FindTagSpec(TagName(control.type))->option_tag.size() > 0) {
    control.options_data_key = DataKeyOf(attributes.Get("value"));
    AddDataKey(control.options_data_key);
    control.dynamic_options = !control.options_data_key.empty() || attributes.Has("apiUrl") ||
                              attributes.GetBool("userLabels") || attributes.GetBool("allowUserLabels");
  }
  control.visibility = ReadVisibility(node);
}

void LabelingConfigBuilder::CheckOptionsOf(const pugi::xml_node& node, const ControlTag& control) {
  std::string_view option_tag = FindTagSpec(TagName(control.type))->option_tag;
  if ((option_tag == "Label" || option_tag == "Choice") && control.options.empty() && !control.dynamic_options) {
    const std::string tag(option_tag);
    Error(node, "has no <" + tag + "> inside; add <" + tag +
                    " value=\"...\"/> children or take them from task data with value=\"$options\"");
  }
  // Option values must be unique among siblings (nested choices may repeat a
  // value under different parents).
  std::map<std::vector<std::string>, int> seen;
  for (const LabelOption& option : control.options) {
    if (option.value.empty()) continue;
    std::vector<std::string> key = option.path;
    key.back() = option.ResultValue();
    auto [it, inserted] = seen.emplace(key, option.line);
    if (!inserted) {
      Error(option.line, "<" + option.tag + " value=\"" + option.value + "\">",
            "\"" + option.ResultValue() + "\" is already an option of " +
                "<" + control.xml_tag + (control.name.empty() ? "" : " name=\"" + control.name + "\"") +
                "> (line " + std::to_string(it->second) + "); option values must be unique");
    }
  }
}

Visibility LabelingConfigBuilder::ReadVisibility(const pugi::xml_node& node) {
  Visibility visibility;
  for (const pugi::xml_attribute& attr : node.attributes()) {
    const std::string name = ToLower(attr.name());
    if (name == "visiblewhen") visibility.visible_when = Trim(attr.value());
    if (name == "whentagname") visibility.when_tag_name = Trim(attr.value());
    if (name == "whenchoicevalue") visibility.when_choice_value = attr.value();
    if (name == "whenlabelvalue") visibility.when_label_value = attr.value();
  }
  if (visibility.visible_when.empty()) return Visibility{};
  static const char* const kValid[] = {"region-selected", "no-region-selected", "choice-selected",
                                       "choice-unselected"};
  bool valid = false;
  for (const char* candidate : kValid) valid = valid || visibility.visible_when == candidate;
  if (!valid) {
    Error(node, "visibleWhen=\"" + visibility.visible_when +
                    "\" is not valid; use region-selected, no-region-selected, choice-selected or "
                    "choice-unselected");
    return Visibility{};
  }
  if (!visibility.when_tag_name.empty()) pending_visibility_.push_back({LineOf(node), Describe(node), visibility});
  return visibility;
}

}  // namespace tessera
