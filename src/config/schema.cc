// The schema types of tessera/config.h: names, result types, look-ups.
#include <algorithm>
#include <cctype>

#include "src/config/text_util.h"
#include "tessera/config.h"

namespace tessera {
namespace {

using config_internal::EqualsIgnoreCase;
using config_internal::MatchesTemplate;

template <typename Tag>
const Tag* FindByName(const std::vector<Tag>& tags, std::string_view name) {
  for (const Tag& tag : tags) {
    if (!tag.name.empty() && tag.name == name) return &tag;
  }
  for (const Tag& tag : tags) {
    if (!tag.name.empty() && MatchesTemplate(tag.name, tag.repeater_index_flag, name)) return &tag;
  }
  return nullptr;
}

}  // namespace

const std::string* Attributes::Find(std::string_view name) const {
  for (const Entry& entry : entries_) {
    if (EqualsIgnoreCase(entry.first, name)) return &entry.second;
  }
  return nullptr;
}

std::string Attributes::Get(std::string_view name, std::string_view fallback) const {
  const std::string* value = Find(name);
  return value ? *value : std::string(fallback);
}

bool Attributes::GetBool(std::string_view name, bool fallback) const {
  const std::string* value = Find(name);
  return value ? EqualsIgnoreCase(*value, "true") : fallback;
}

std::string_view TagName(ObjectType type) {
  switch (type) {
    case ObjectType::kImage: return "Image";
    case ObjectType::kText: return "Text";
    case ObjectType::kHyperText: return "HyperText";
    case ObjectType::kAudio: return "Audio";
    case ObjectType::kVideo: return "Video";
    case ObjectType::kParagraphs: return "Paragraphs";
    case ObjectType::kTimeSeries: return "TimeSeries";
    case ObjectType::kTable: return "Table";
    case ObjectType::kList: return "List";
    case ObjectType::kPdf: return "Pdf";
    case ObjectType::kChat: return "Chat";
  }
  return "";
}

std::string_view TagName(ControlType type) {
  switch (type) {
    case ControlType::kChoices: return "Choices";
    case ControlType::kLabels: return "Labels";
    case ControlType::kRectangleLabels: return "RectangleLabels";
    case ControlType::kRectangle: return "Rectangle";
    case ControlType::kPolygonLabels: return "PolygonLabels";
    case ControlType::kPolygon: return "Polygon";
    case ControlType::kKeyPointLabels: return "KeyPointLabels";
    case ControlType::kKeyPoint: return "KeyPoint";
    case ControlType::kEllipseLabels: return "EllipseLabels";
    case ControlType::kEllipse: return "Ellipse";
    case ControlType::kBrushLabels: return "BrushLabels";
    case ControlType::kBrush: return "Brush";
    case ControlType::kMagicWand: return "MagicWand";
    case ControlType::kBitmaskLabels: return "BitmaskLabels";
    case ControlType::kBitmask: return "Bitmask";
    case ControlType::kTextArea: return "TextArea";
    case ControlType::kRating: return "Rating";
    case ControlType::kNumber: return "Number";
    case ControlType::kDateTime: return "DateTime";
    case ControlType::kTaxonomy: return "Taxonomy";
    case ControlType::kRelations: return "Relations";
    case ControlType::kVideoRectangle: return "VideoRectangle";
    case ControlType::kPairwise: return "Pairwise";
    case ControlType::kRanker: return "Ranker";
    case ControlType::kHyperTextLabels: return "HyperTextLabels";
    case ControlType::kParagraphLabels: return "ParagraphLabels";
    case ControlType::kTimeSeriesLabels: return "TimeSeriesLabels";
    case ControlType::kTimelineLabels: return "TimelineLabels";
  }
  return "";
}

std::string_view ResultType(ControlType type) {
  switch (type) {
    case ControlType::kChoices: return "choices";
    case ControlType::kLabels: return "labels";
    case ControlType::kRectangleLabels: return "rectanglelabels";
    case ControlType::kRectangle: return "rectangle";
    case ControlType::kPolygonLabels: return "polygonlabels";
    case ControlType::kPolygon: return "polygon";
    case ControlType::kKeyPointLabels: return "keypointlabels";
    case ControlType::kKeyPoint: return "keypoint";
    case ControlType::kEllipseLabels: return "ellipselabels";
    case ControlType::kEllipse: return "ellipse";
    case ControlType::kBrushLabels: return "brushlabels";
    case ControlType::kBrush: return "brush";
    case ControlType::kMagicWand: return "magicwand";
    case ControlType::kBitmaskLabels: return "bitmasklabels";
    case ControlType::kBitmask: return "bitmask";
    case ControlType::kTextArea: return "textarea";
    case ControlType::kRating: return "rating";
    case ControlType::kNumber: return "number";
    case ControlType::kDateTime: return "datetime";
    case ControlType::kTaxonomy: return "taxonomy";
    case ControlType::kRelations: return "relation";
    case ControlType::kVideoRectangle: return "videorectangle";
    case ControlType::kPairwise: return "pairwise";
    case ControlType::kRanker: return "ranker";
    case ControlType::kHyperTextLabels: return "hypertextlabels";
    case ControlType::kParagraphLabels: return "paragraphlabels";
    case ControlType::kTimeSeriesLabels: return "timeserieslabels";
    case ControlType::kTimelineLabels: return "timelinelabels";
  }
  return "";
}

bool ControlTag::AcceptsResultType(std::string_view type_name) const {
  if (EqualsIgnoreCase(type_name, result_type())) return true;
  // LS writes a shape region with labels as "<shape>labels" whichever of the
  // two controls drew it, so each shape control accepts its pair's type.
  auto either = [&](std::string_view a, std::string_view b) {
    return EqualsIgnoreCase(type_name, a) || EqualsIgnoreCase(type_name, b);
  };
  switch (type) {
    case ControlType::kRectangleLabels:
    case ControlType::kRectangle: return either("rectangle", "rectanglelabels");
    case ControlType::kPolygonLabels:
    case ControlType::kPolygon: return either("polygon", "polygonlabels");
    case ControlType::kKeyPointLabels:
    case ControlType::kKeyPoint: return either("keypoint", "keypointlabels");
    case ControlType::kEllipseLabels:
    case ControlType::kEllipse: return either("ellipse", "ellipselabels");
    case ControlType::kBrushLabels:
    case ControlType::kBrush:
    case ControlType::kMagicWand: return either("brush", "brushlabels") || EqualsIgnoreCase(type_name, "magicwand");
    case ControlType::kBitmaskLabels:
    case ControlType::kBitmask: return either("bitmask", "bitmasklabels");
    // Span labels on text-like objects: older LS versions wrote plain "labels".
    case ControlType::kHyperTextLabels:
    case ControlType::kParagraphLabels:
    case ControlType::kTimeSeriesLabels:
    case ControlType::kTimelineLabels: return EqualsIgnoreCase(type_name, "labels");
    case ControlType::kLabels: {
      // A plain <Labels> next to a shape tool (<Rectangle>, <Polygon>, ...)
      // labels that tool's regions, which LS writes with the shape's type.
      static constexpr std::string_view kLabeled[] = {
          "rectanglelabels", "polygonlabels", "keypointlabels", "ellipselabels", "brushlabels",
          "bitmasklabels", "hypertextlabels", "paragraphlabels", "timeserieslabels", "timelinelabels",
          "videorectangle", "rectangle", "polygon", "keypoint", "ellipse", "brush"};
      return std::any_of(std::begin(kLabeled), std::end(kLabeled),
                         [&](std::string_view t) { return EqualsIgnoreCase(type_name, t); });
    }
    default: return false;
  }
}

const LabelOption* ControlTag::FindOption(std::string_view value) const {
  for (const LabelOption& option : options) {
    if (option.value == value || (!option.alias.empty() && option.alias == value)) return &option;
  }
  return nullptr;
}

const ObjectTag* LabelingConfig::FindObject(std::string_view name) const { return FindByName(objects_, name); }

const ControlTag* LabelingConfig::FindControl(std::string_view name) const { return FindByName(controls_, name); }

std::vector<std::string> DataKeys(const LabelingConfig& config) { return config.data_keys(); }

}  // namespace tessera
