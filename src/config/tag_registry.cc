#include "src/config/tag_registry.h"

#include <algorithm>
#include <array>
#include <vector>

#include "src/config/text_util.h"

namespace tessera::config_internal {
namespace {

constexpr TagSpec Object(std::string_view name, ObjectType type, ValueRule rule = ValueRule::kDataOrLiteral) {
  return TagSpec{name, TagRole::kObject, type, ControlType::kChoices, rule, {}};
}
constexpr TagSpec Control(std::string_view name, ControlType type, std::string_view option_tag = {}) {
  return TagSpec{name, TagRole::kControl, ObjectType::kText, type, ValueRule::kDataOrLiteral, option_tag};
}
constexpr TagSpec Other(std::string_view name, TagRole role) {
  return TagSpec{name, role, ObjectType::kText, ControlType::kChoices, ValueRule::kDataOrLiteral, {}};
}

// Every tag we accept. Layout tags are those of LS's editor that only arrange
// or decorate the page; unlisted tags are rejected, never ignored.
constexpr auto kTags = std::to_array<TagSpec>({
    // Objects.
    Object("Image", ObjectType::kImage),
    Object("Text", ObjectType::kText),
    Object("HyperText", ObjectType::kHyperText),
    Object("Audio", ObjectType::kAudio),
    Object("AudioPlus", ObjectType::kAudio),  // legacy name of Audio
    Object("Video", ObjectType::kVideo),
    Object("Paragraphs", ObjectType::kParagraphs, ValueRule::kData),
    Object("TimeSeries", ObjectType::kTimeSeries, ValueRule::kData),
    Object("Table", ObjectType::kTable, ValueRule::kData),
    Object("List", ObjectType::kList, ValueRule::kData),
    Object("Chat", ObjectType::kChat, ValueRule::kData),
    Object("Pdf", ObjectType::kPdf),
    // Controls.
    Control("Choices", ControlType::kChoices, "Choice"),
    Control("Taxonomy", ControlType::kTaxonomy, "Choice"),
    Control("Labels", ControlType::kLabels, "Label"),
    Control("RectangleLabels", ControlType::kRectangleLabels, "Label"),
    Control("Rectangle", ControlType::kRectangle),
    Control("PolygonLabels", ControlType::kPolygonLabels, "Label"),
    Control("Polygon", ControlType::kPolygon),
    Control("KeyPointLabels", ControlType::kKeyPointLabels, "Label"),
    Control("KeyPoint", ControlType::kKeyPoint),
    Control("EllipseLabels", ControlType::kEllipseLabels, "Label"),
    Control("Ellipse", ControlType::kEllipse),
    Control("BrushLabels", ControlType::kBrushLabels, "Label"),
    Control("Brush", ControlType::kBrush),
    Control("MagicWand", ControlType::kMagicWand),
    Control("BitmaskLabels", ControlType::kBitmaskLabels, "Label"),
    Control("Bitmask", ControlType::kBitmask),
    Control("TextArea", ControlType::kTextArea),
    Control("Rating", ControlType::kRating),
    Control("Number", ControlType::kNumber),
    Control("DateTime", ControlType::kDateTime),
    Control("Relations", ControlType::kRelations, "Relation"),
    Control("VideoRectangle", ControlType::kVideoRectangle),
    Control("Pairwise", ControlType::kPairwise),
    Control("Ranker", ControlType::kRanker, "Bucket"),
    Control("HyperTextLabels", ControlType::kHyperTextLabels, "Label"),
    Control("ParagraphLabels", ControlType::kParagraphLabels, "Label"),
    Control("TimeSeriesLabels", ControlType::kTimeSeriesLabels, "Label"),
    Control("TimelineLabels", ControlType::kTimelineLabels, "Label"),
    // Options inside controls, and TimeSeries channels.
    Other("Label", TagRole::kOption),
    Other("Choice", TagRole::kOption),
    Other("Relation", TagRole::kOption),
    Other("Bucket", TagRole::kOption),
    Other("Channel", TagRole::kChannel),
    // Layout.
    Other("View", TagRole::kLayout),
    Other("Header", TagRole::kLayout),
    Other("Style", TagRole::kLayout),
    Other("Repeater", TagRole::kLayout),
    Other("Collapse", TagRole::kLayout),
    Other("Panel", TagRole::kLayout),  // a section of <Collapse>
    Other("Filter", TagRole::kLayout),
    Other("Shortcut", TagRole::kLayout),  // a text snippet button inside <TextArea>
    Other("Markdown", TagRole::kLayout),
    Other("Dialog", TagRole::kLayout),
});

}  // namespace

const TagSpec* FindTagSpec(std::string_view name) {
  for (const TagSpec& spec : kTags) {
    if (EqualsIgnoreCase(spec.name, name)) return &spec;
  }
  return nullptr;
}

const std::string& SupportedTagList() {
  static const std::string kList = [] {
    std::vector<std::string_view> names;
    for (const TagSpec& spec : kTags) names.push_back(spec.name);
    std::sort(names.begin(), names.end());
    std::string out;
    for (std::string_view name : names) {
      if (!out.empty()) out += ", ";
      out += name;
    }
    return out;
  }();
  return kList;
}

std::string ControlsHolding(std::string_view option_tag) {
  std::vector<std::string_view> names;
  for (const TagSpec& spec : kTags) {
    if (spec.role == TagRole::kControl && spec.option_tag == option_tag) names.push_back(spec.name);
  }
  std::string out;
  for (size_t idx = 0; idx < names.size(); ++idx) {
    if (idx > 0) out += idx + 1 == names.size() ? " or " : ", ";
    out += "<" + std::string(names[idx]) + ">";
  }
  return out;
}

}  // namespace tessera::config_internal
