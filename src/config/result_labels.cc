// Label and choice values in a result item belong to the config's options.
#include <algorithm>

#include "src/config/result_checks.h"
#include "src/config/tag_registry.h"
#include "src/config/text_util.h"

namespace tessera::config_internal {
namespace {

using nlohmann::json;

// The keys of `value` that carry option values.
constexpr std::string_view kLabelKeys[] = {
    "labels",           "rectanglelabels",  "polygonlabels",  "keypointlabels", "ellipselabels",
    "brushlabels",      "bitmasklabels",    "hypertextlabels", "paragraphlabels", "timeserieslabels",
    "timelinelabels",   "choices",          "taxonomy"};

std::string_view OptionTagOf(const ControlTag& control) { return FindTagSpec(TagName(control.type))->option_tag; }

// The controls whose options a value under `key` must come from. A labels key
// from a control without labels of its own (a <Rectangle> or <VideoRectangle>
// next to a <Labels>) takes them from the labels controls on the same object,
// as LS's editor does.
std::vector<const ControlTag*> SourcesFor(const ResultItem& item, std::string_view key) {
  const ControlTag& control = *item.control;
  const bool wants_choices = key == "choices" || key == "taxonomy";
  const std::string_view option_tag = OptionTagOf(control);
  if ((wants_choices && option_tag == "Choice") || (!wants_choices && option_tag == "Label")) return {&control};
  std::vector<const ControlTag*> sources;
  if (item.object == nullptr) return sources;
  for (const ControlTag& other : item.config->controls()) {
    if (OptionTagOf(other) != (wants_choices ? "Choice" : "Label")) continue;
    if (std::find(other.to_names.begin(), other.to_names.end(), item.object->name) != other.to_names.end()) {
      sources.push_back(&other);
    }
  }
  return sources;
}

bool PathExists(const ControlTag& control, const json& path) {
  for (const LabelOption& option : control.options) {
    if (option.path.size() != path.size()) continue;
    bool match = true;
    for (size_t level = 0; level < path.size() && match; ++level) {
      if (!path[level].is_string()) return false;
      const std::string& step = path[level].get_ref<const std::string&>();
      if (step == option.path[level]) continue;
      // An ancestor may be named by its alias.
      const LabelOption* named = control.FindOption(step);
      match = named != nullptr && named->value == option.path[level];
    }
    if (match) return true;
  }
  return false;
}

std::string ValidOptions(const std::vector<const ControlTag*>& sources) {
  std::vector<std::string> values;
  for (const ControlTag* source : sources) {
    for (const LabelOption& option : source->options) {
      std::string text;
      for (size_t level = 0; level + 1 < option.path.size(); ++level) text += option.path[level] + " / ";
      text += option.ResultValue();
      if (std::find(values.begin(), values.end(), text) == values.end()) values.push_back(text);
    }
  }
  return JoinList(values);
}

std::string SourcesText(const std::vector<const ControlTag*>& sources) {
  std::string out;
  for (const ControlTag* source : sources) out += (out.empty() ? "" : " or ") + Describe(*source);
  return out;
}

}  // namespace

Status CheckValueLabels(const ResultItem& item, const nlohmann::json& value) {
  const std::string& type = item.type;
  // The answer itself is required from a control with options, under its
  // own type: "choices" for choices, "rectanglelabels" for rectanglelabels.
  const bool needs_key = type == item.control->result_type() && !OptionTagOf(*item.control).empty() &&
                         item.control->type != ControlType::kRelations && item.control->type != ControlType::kRanker;
  if (needs_key && !value.contains(type)) {
    return ItemError(item, "missing value." + type + "; a " + type + " result lists the chosen values");
  }
  for (std::string_view key_view : kLabelKeys) {
    const std::string key(key_view);
    auto values = value.find(key);
    if (values == value.end()) continue;
    if (!values->is_array()) return ItemError(item, "value." + key + " must be an array of values, got " + JsonKind(*values));
    if (key == "choices" && item.control->type == ControlType::kChoices && item.control->choice != ChoiceMode::kMultiple &&
        values->size() > 1) {
      return ItemError(item, "value.choices has " + std::to_string(values->size()) + " values but " +
                                 Describe(*item.control) + " takes one; set choice=\"multiple\" to allow more");
    }
    const std::vector<const ControlTag*> sources = SourcesFor(item, key);
    const bool dynamic = std::any_of(sources.begin(), sources.end(), [](const ControlTag* c) { return c->dynamic_options; });
    if (dynamic) continue;  // options come from task data or annotators
    if (sources.empty()) {
      if (values->empty()) continue;
      return ItemError(item, "value." + key + " is given, but no control with options annotates \"" + item.to_name +
                                 "\"; remove it or add a labels control for that object");
    }
    for (const json& entry : *values) {
      if (entry.is_string()) {
        const std::string& text = entry.get_ref<const std::string&>();
        const bool known = std::any_of(sources.begin(), sources.end(),
                                       [&](const ControlTag* c) { return c->FindOption(text) != nullptr; });
        if (!known) {
          return ItemError(item, key + " value \"" + text + "\" is not an option of " + SourcesText(sources) +
                                     "; valid: " + ValidOptions(sources));
        }
      } else if (entry.is_array() && (key == "taxonomy" || key == "choices")) {
        // A path from the top of a nested choice tree: ["Animal", "Cat"].
        const bool known = std::any_of(sources.begin(), sources.end(),
                                       [&](const ControlTag* c) { return PathExists(*c, entry); });
        if (!known) {
          return ItemError(item, key + " path " + entry.dump() + " is not in " + SourcesText(sources) +
                                     "; each step must be a nested <Choice> of the one before");
        }
      } else {
        return ItemError(item, "value." + key + " entries must be strings, got " + entry.dump());
      }
    }
  }
  return Status::Ok();
}

}  // namespace tessera::config_internal
