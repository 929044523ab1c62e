// ParseLabelingConfig: XML -> LabelingConfig, one tag role at a time.
#include <algorithm>

#include "src/config/config_builder.h"
#include "src/config/text_util.h"

namespace tessera {

using config_internal::DataKeyOf;
using config_internal::FindTagSpec;
using config_internal::SplitList;
using config_internal::TagRole;
using config_internal::TagSpec;
using config_internal::ToLower;
using config_internal::ValueRule;

namespace {

// Deeper nesting is hostile or broken input; stop before the stack suffers.
constexpr int kMaxDepth = 200;

Attributes AttributesOf(const pugi::xml_node& node) {
  Attributes attributes;
  for (const pugi::xml_attribute& attr : node.attributes()) attributes.Add(attr.name(), attr.value());
  return attributes;
}

}  // namespace

LabelingConfigBuilder::LabelingConfigBuilder(std::string_view xml) : xml_(xml) {
  line_starts_.push_back(0);
  for (size_t pos = 0; pos < xml.size(); ++pos) {
    if (xml[pos] == '\n') line_starts_.push_back(pos + 1);
  }
}

Result<std::shared_ptr<const LabelingConfig>> LabelingConfigBuilder::Build() {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(xml_.data(), xml_.size(), pugi::parse_default, pugi::encoding_utf8);
  if (parsed.status == pugi::status_no_document_element) {
    return Status::FieldInvalid("label_config", "line 1: the config is empty; write it as <View>...</View>");
  }
  if (!parsed) {
    std::string message =
        "line " + std::to_string(LineOfOffset(parsed.offset)) + ": not well-formed XML: " + parsed.description();
    return Status::FieldInvalid("label_config", message);
  }
  pugi::xml_node root;
  for (const pugi::xml_node& child : doc.children()) {
    if (child.type() != pugi::node_element) continue;
    if (!root) {
      root = child;
    } else {
      Error(child, "a config has a single root <View>; this tag is outside it");
    }
  }
  if (!root) {
    return Status::FieldInvalid("label_config", "line 1: the config is empty; write it as <View>...</View>");
  }
  if (!config_internal::EqualsIgnoreCase(root.name(), "View")) {
    Error(root, "the root tag must be <View>; wrap the config in <View>...</View>");
  }
  Walk(root, Scope{}, 0);
  CheckReferences();

  if (errors_.empty()) return std::shared_ptr<const LabelingConfig>(std::make_shared<LabelingConfig>(std::move(config_)));
  std::stable_sort(errors_.begin(), errors_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  Status status = Status::InvalidArgument(errors_.front().second);
  for (const auto& [line, message] : errors_) status.AddFieldError("label_config", message);
  return status;
}

void LabelingConfigBuilder::Walk(const pugi::xml_node& node, const Scope& scope, int depth) {
  if (node.type() != pugi::node_element) return;  // text, CDATA, comments
  if (depth > kMaxDepth) {
    Error(node, "tags are nested more than " + std::to_string(kMaxDepth) + " levels deep");
    return;
  }
  const TagSpec* spec = FindTagSpec(node.name());
  if (spec == nullptr) {
    Error(node, "unknown tag; supported tags: " + config_internal::SupportedTagList());
    return;  // its children would only repeat the confusion
  }
  switch (spec->role) {
    case TagRole::kObject: AddObject(node, *spec, scope, depth); break;
    case TagRole::kControl: AddControl(node, *spec, scope, depth); break;
    case TagRole::kOption: AddOption(node, *spec, scope, depth); break;
    case TagRole::kChannel: AddChannel(node, scope); break;
    case TagRole::kLayout: AddLayout(node, *spec, scope, depth); break;
  }
}

void LabelingConfigBuilder::WalkChildren(const pugi::xml_node& node, const Scope& scope, int depth) {
  for (const pugi::xml_node& child : node.children()) Walk(child, scope, depth + 1);
}

void LabelingConfigBuilder::AddObject(const pugi::xml_node& node, const TagSpec& spec, const Scope& scope, int depth) {
  ObjectTag object;
  object.type = spec.object_type;
  object.xml_tag = node.name();
  object.line = LineOf(node);
  object.attributes = AttributesOf(node);
  object.name = object.attributes.Get("name");
  object.repeater_index_flag = scope.repeater_flag;
  object.value = object.attributes.Get("value");
  // Images may show a list of pictures instead (valueList="$pages").
  if (object.value.empty() && spec.object_type == ObjectType::kImage) object.value = object.attributes.Get("valueList");

  if (object.name.empty()) {
    Error(node, "missing name=\"...\"; an object tag needs a name for controls to point at with toName");
  } else {
    RegisterName(node, object.name);
  }
  const std::string example = "$" + ToLower(spec.name);
  if (object.value.empty()) {
    Error(node, "missing value=\"...\"; an object tag shows a task field, e.g. value=\"" + example + "\"");
  } else if (spec.value_rule == ValueRule::kData && DataKeyOf(object.value).empty()) {
    Error(node, "value=\"" + object.value + "\" must name a task field, e.g. value=\"$" +
                    (object.value.front() == '$' ? ToLower(spec.name) : object.value) + "\"");
  }
  // Literal values are fine for the others: LS shows them as they are.
  object.data_key = DataKeyOf(object.value);
  AddDataKey(object.data_key);
  AddDataKey(DataKeyOf(object.attributes.Get("audioUrl")));  // Paragraphs synced with audio

  config_.objects_.push_back(std::move(object));
  Scope inner = scope;
  inner.object = static_cast<int>(config_.objects_.size()) - 1;
  WalkChildren(node, inner, depth);
}

void LabelingConfigBuilder::AddChannel(const pugi::xml_node& node, const Scope& scope) {
  if (scope.object < 0 || config_.objects_[scope.object].type != ObjectType::kTimeSeries) {
    Error(node, "<Channel> belongs inside <TimeSeries>");
    return;
  }
  TimeSeriesChannel channel;
  channel.attributes = AttributesOf(node);
  channel.column = channel.attributes.Get("column");
  channel.line = LineOf(node);
  if (channel.column.empty()) Error(node, "missing column=\"...\"; a channel plots one column of the time series");
  config_.objects_[scope.object].channels.push_back(std::move(channel));
}

void LabelingConfigBuilder::AddControl(const pugi::xml_node& node, const TagSpec& spec, const Scope& scope, int depth) {
  ControlTag control;
  control.type = spec.control_type;
  control.xml_tag = node.name();
  control.line = LineOf(node);
  control.attributes = AttributesOf(node);
  control.name = control.attributes.Get("name");
  control.repeater_index_flag = scope.repeater_flag;
  control.to_names = SplitList(control.attributes.Get("toName"));
  // <Relations> is a page-wide list of relation labels; LS needs no name for it.
  const bool name_optional = spec.control_type == ControlType::kRelations;
  if (control.name.empty()) {
    if (!name_optional) Error(node, "missing name=\"...\"; every control needs a unique name that results refer to");
  } else {
    RegisterName(node, control.name);
  }
  ReadControlAttributes(node, control);
  if (control.visibility.empty()) control.visibility = scope.visibility;

  config_.controls_.push_back(std::move(control));
  Scope inner = scope;
  inner.control = static_cast<int>(config_.controls_.size()) - 1;
  inner.option_tag = spec.option_tag;
  inner.option_path.clear();
  WalkChildren(node, inner, depth);
  CheckOptionsOf(node, config_.controls_[inner.control]);
}

void LabelingConfigBuilder::AddOption(const pugi::xml_node& node, const TagSpec& spec, const Scope& scope, int depth) {
  if (scope.control < 0 || scope.option_tag != spec.name) {
    Error(node, "<" + std::string(spec.name) + "> belongs inside " + config_internal::ControlsHolding(spec.name));
    return;
  }
  ControlTag& control = config_.controls_[scope.control];
  LabelOption option;
  option.tag = spec.name;
  option.attributes = AttributesOf(node);
  option.line = LineOf(node);
  const bool is_bucket = spec.name == "Bucket";
  option.value = option.attributes.Get(is_bucket ? "name" : "value");
  option.alias = option.attributes.Get("alias");
  option.background = option.attributes.Get("background");
  option.hotkey = option.attributes.Get("hotkey");
  if (option.value.empty()) {
    Error(node, is_bucket ? "missing name=\"...\"; a bucket needs the name ranker results will use"
                          : "missing value=\"...\"; each <" + std::string(spec.name) +
                                "> needs the value results will carry");
  }
  if (is_bucket && !option.value.empty()) RegisterName(node, option.value);
  CheckPositiveInt(node, "maxUsages", "a positive whole number");
  option.path = scope.option_path;
  option.path.push_back(option.value);
  control.options.push_back(option);

  Scope inner = scope;
  inner.option_path = option.path;  // nested <Choice> (Taxonomy, Choices allowNested)
  WalkChildren(node, inner, depth);
}

void LabelingConfigBuilder::AddLayout(const pugi::xml_node& node, const TagSpec& spec, const Scope& scope, int depth) {
  Scope inner = scope;
  const Attributes attributes = AttributesOf(node);
  const std::string name = attributes.Get("name");
  if (!name.empty()) RegisterName(node, name);
  // A header may show a task field: <Header value="$title"/>.
  AddDataKey(DataKeyOf(attributes.Get("value")));

  if (spec.name == "View" || spec.name == "Collapse" || spec.name == "Panel") {
    Visibility visibility = ReadVisibility(node);
    if (!visibility.empty()) inner.visibility = visibility;
  } else if (spec.name == "Repeater") {
    const std::string on = attributes.Get("on");
    if (DataKeyOf(on).empty()) {
      Error(node, on.empty() ? "missing on=\"...\"; a Repeater repeats its children for each item of a task "
                               "field, e.g. on=\"$images\""
                             : "on=\"" + on + "\" must name a task field, e.g. on=\"$" + on + "\"");
    }
    AddDataKey(DataKeyOf(on));
    inner.repeater_flag = attributes.Get("indexFlag", "{{idx}}");
  } else if (spec.name == "Filter") {
    // <Filter toName="labels"> filters the options of a control.
    const std::string to_name = attributes.Get("toName");
    for (const std::string& target : SplitList(to_name)) {
      pending_.push_back({LineOf(node), Describe(node), "toName", target});
    }
  }
  WalkChildren(node, inner, depth);
}

int LabelingConfigBuilder::LineOfOffset(ptrdiff_t offset) const {
  if (offset < 0) return 1;
  auto after = std::upper_bound(line_starts_.begin(), line_starts_.end(), static_cast<size_t>(offset));
  return static_cast<int>(after - line_starts_.begin());
}

int LabelingConfigBuilder::LineOf(const pugi::xml_node& node) const { return LineOfOffset(node.offset_debug()); }

std::string LabelingConfigBuilder::Describe(const pugi::xml_node& node) {
  std::string out = "<" + std::string(node.name());
  if (const pugi::xml_attribute name = node.attribute("name")) {
    out += " name=\"" + std::string(name.value()) + "\"";
  } else if (const pugi::xml_attribute value = node.attribute("value");
             value && FindTagSpec(node.name()) != nullptr && FindTagSpec(node.name())->role == TagRole::kOption) {
    out += " value=\"" + std::string(value.value()) + "\"";
  }
  return out + ">";
}

void LabelingConfigBuilder::Error(const pugi::xml_node& node, const std::string& message) {
  Error(LineOf(node), Describe(node), message);
}

void LabelingConfigBuilder::Error(int line, const std::string& where, const std::string& message) {
  errors_.emplace_back(line, "line " + std::to_string(line) + ": " + where + ": " + message);
}

}  // namespace tessera
