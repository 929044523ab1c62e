// Checks that need the whole tree: unique names, toName targets,
// whenTagName/whenChoiceValue targets; and the list of data keys.
#include <algorithm>

#include "src/config/config_builder.h"
#include "src/config/text_util.h"

namespace tessera {

using config_internal::JoinList;
using config_internal::SplitList;

namespace {

std::string DescribeControl(const ControlTag& control) {
  return "<" + control.xml_tag + (control.name.empty() ? "" : " name=\"" + control.name + "\"") + ">";
}

}  // namespace

void LabelingConfigBuilder::RegisterName(const pugi::xml_node& node, const std::string& name) {
  auto [it, inserted] = names_.emplace(name, NamedTag{node.name(), LineOf(node)});
  if (!inserted) {
    Error(node, "name=\"" + name + "\" is already used by <" + it->second.xml_tag + "> on line " +
                    std::to_string(it->second.line) + "; names must be unique");
  }
}

void LabelingConfigBuilder::AddDataKey(const std::string& key) {
  if (key.empty()) return;
  std::vector<std::string>& keys = config_.data_keys_;
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
}

void LabelingConfigBuilder::CheckReferences() {
  std::vector<std::string> object_names;
  for (const ObjectTag& object : config_.objects_) {
    if (!object.name.empty()) object_names.push_back(object.name);
  }
  std::vector<std::string> control_names;
  for (const ControlTag& control : config_.controls_) {
    if (!control.name.empty()) control_names.push_back(control.name);
  }
  const std::string objects_here = "; object tags here: " + JoinList(object_names);

  for (const ControlTag& control : config_.controls_) {
    if (control.to_names.empty()) {
      if (control.type != ControlType::kRelations) {
        Error(control.line, DescribeControl(control),
              "missing toName=\"...\"; name the object tag it annotates" + objects_here);
      }
      continue;
    }
    for (const std::string& target : control.to_names) {
      if (std::find(object_names.begin(), object_names.end(), target) != object_names.end()) continue;
      auto named = names_.find(target);
      if (named != names_.end()) {
        Error(control.line, DescribeControl(control),
              "toName=\"" + target + "\" names <" + named->second.xml_tag + ">, not an object tag" + objects_here);
      } else {
        Error(control.line, DescribeControl(control), "toName=\"" + target + "\" names no object tag" + objects_here);
      }
    }
  }

  for (const PendingReference& ref : pending_) {
    if (std::find(control_names.begin(), control_names.end(), ref.target) != control_names.end()) continue;
    Error(ref.line, ref.where,
          ref.attribute + "=\"" + ref.target + "\" names no control tag; control tags here: " + JoinList(control_names));
  }

  for (const PendingVisibility& pending : pending_visibility_) {
    const Visibility& visibility = pending.visibility;
    const ControlTag* watched = nullptr;
    for (const ControlTag& control : config_.controls_) {
      if (control.name == visibility.when_tag_name) watched = &control;
    }
    if (watched == nullptr) {
      Error(pending.line, pending.where,
            "whenTagName=\"" + visibility.when_tag_name +
                "\" names no control tag; control tags here: " + JoinList(control_names));
      continue;
    }
    if (watched->dynamic_options || watched->options.empty()) continue;
    std::vector<std::string> valid;
    for (const LabelOption& option : watched->options) valid.push_back(option.ResultValue());
    const std::pair<const std::string*, const char*> lists[] = {{&visibility.when_choice_value, "whenChoiceValue"},
                                                                {&visibility.when_label_value, "whenLabelValue"}};
    for (const auto& [list, attribute] : lists) {
      for (const std::string& value : SplitList(*list)) {
        if (watched->FindOption(value) != nullptr) continue;
        Error(pending.line, pending.where,
              std::string(attribute) + "=\"" + value + "\" is not an option of " + DescribeControl(*watched) +
                  "; options: " + JoinList(valid));
      }
    }
  }
}

}  // namespace tessera
