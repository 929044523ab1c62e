// Label Studio results <-> Items (see ls_regions.h for the mapping).
#include "src/formats/ls_regions.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "src/formats/brush_rle.h"
#include "tessera/util.h"

namespace tessera::formats {
namespace {

using nlohmann::json;

bool IsShapeControl(const ControlTag& control, ControlType labels, ControlType plain) {
  return control.type == labels || control.type == plain;
}

bool Targets(const ControlTag& control, const std::string& object) {
  return std::find(control.to_names.begin(), control.to_names.end(), object) !=
         control.to_names.end();
}

double Num(const json& obj, const char* key, bool* ok) {
  auto found = obj.find(key);
  if (found == obj.end() || !found->is_number()) {
    *ok = false;
    return 0;
  }
  double v = found->get<double>();
  if (!std::isfinite(v)) *ok = false;
  return v;
}

// The first label of a result value (value[type] is a list of strings).
std::string FirstLabel(const json& value, const std::string& type) {
  auto found = value.find(type);
  if (found == value.end() || !found->is_array() || found->empty()) return "";
  const json& first = (*found)[0];
  return first.is_string() ? first.get<std::string>() : "";
}

std::string StringField(const json& obj, const char* key) {
  auto found = obj.find(key);
  return found != obj.end() && found->is_string() ? found->get<std::string>() : "";
}

// Code points before byte offset `bytes` of UTF-8 `text`.
}  // namespace

Result<LsMapping> LsMapping::FromConfig(std::string_view label_config) {
  TESSERA_ASSIGN_OR_RETURN(auto config, ParseLabelingConfig(label_config));
  LsMapping m = FromParsed(*config);
  m.config = config;
  return m;
}

LsMapping LsMapping::FromParsed(const LabelingConfig& config) {
  LsMapping m;
  for (const ObjectTag& object : config.objects()) {
    if (!m.image && object.type == ObjectType::kImage) m.image = &object;
    if (!m.text && (object.type == ObjectType::kText || object.type == ObjectType::kHyperText)) {
      m.text = &object;
    }
    if (!m.video && object.type == ObjectType::kVideo) m.video = &object;
  }
  for (const ControlTag& control : config.controls()) {
    if (m.image && Targets(control, m.image->name)) {
      if (!m.boxes && IsShapeControl(control, ControlType::kRectangleLabels, ControlType::kRectangle)) {
        m.boxes = &control;
      }
      if (!m.polygons && IsShapeControl(control, ControlType::kPolygonLabels, ControlType::kPolygon)) {
        m.polygons = &control;
      }
      if (!m.keypoints && IsShapeControl(control, ControlType::kKeyPointLabels, ControlType::kKeyPoint)) {
        m.keypoints = &control;
      }
      if (!m.brushes && IsShapeControl(control, ControlType::kBrushLabels, ControlType::kBrush)) {
        m.brushes = &control;
      }
    }
    if (m.text && !m.spans && control.type == ControlType::kLabels && Targets(control, m.text->name)) {
      m.spans = &control;
    }
    if (m.video && Targets(control, m.video->name)) {
      if (!m.video_boxes && control.type == ControlType::kVideoRectangle) m.video_boxes = &control;
      if (!m.video_labels && control.type == ControlType::kLabels) m.video_labels = &control;
    }
    if (!m.choices && control.type == ControlType::kChoices &&
        ((m.image && Targets(control, m.image->name)) || (m.text && Targets(control, m.text->name)))) {
      m.choices = &control;
    }
  }
  return m;
}

std::vector<Category> LsMapping::ImageCategories() const {
  std::vector<Category> categories;
  auto add = [&](const std::string& name) -> Category* {
    for (Category& c : categories) {
      if (c.name == name) return &c;
    }
    categories.push_back(Category{name, {}, {}});
    return &categories.back();
  };
  for (const ControlTag* control : {boxes, polygons, brushes}) {
    if (!control) continue;
    for (const LabelOption& option : control->options) add(option.ResultValue());
  }
  if (keypoints) {
    for (const LabelOption& option : keypoints->options) {
      std::string category = option.attributes.Get("category");
      if (category.empty()) {
        add(option.ResultValue());
      } else {
        add(category)->keypoints.push_back(option.ResultValue());
      }
    }
  }
  return categories;
}

std::vector<std::string> LsMapping::SpanLabels() const {
  std::vector<std::string> labels;
  if (spans) {
    for (const LabelOption& option : spans->options) labels.push_back(option.ResultValue());
  }
  return labels;
}

std::vector<std::string> LsMapping::ChoiceLabels() const {
  std::vector<std::string> labels;
  if (choices) {
    for (const LabelOption& option : choices->options) labels.push_back(option.ResultValue());
  }
  return labels;
}

std::vector<std::string> LsMapping::VideoLabels() const {
  std::vector<std::string> labels;
  if (video_labels) {
    for (const LabelOption& option : video_labels->options) labels.push_back(option.ResultValue());
  }
  return labels;
}

namespace {

// Keypoints gathered per object while reading one task.
struct PointGroup {
  std::string label;  // object class
  std::vector<double> points;
  std::vector<int> visibility;
  std::vector<std::string> names;
  int64_t group = 0;
  size_t first_order = 0;
};

class ItemBuilder {
 public:
  ItemBuilder(const LsMapping& mapping, Tally& skipped, Item& item)
      : mapping_(mapping), skipped_(skipped), item_(item) {}

  void AddResult(const json& result, size_t annotation_no) {
    if (!result.is_array()) return;
    // Regions that others point at with parentID form groups.
    std::unordered_map<std::string, int64_t> groups;
    for (const json& region : result) {
      if (!region.is_object()) continue;
      std::string parent = StringField(region, "parentID");
      if (!parent.empty() && !groups.count(parent)) groups[parent] = ++next_group_;
    }
    for (const json& region : result) {
      if (!region.is_object()) continue;
      std::string id = StringField(region, "id");
      std::string parent = StringField(region, "parentID");
      int64_t group = 0;
      if (!parent.empty()) group = groups[parent];
      else if (auto found = groups.find(id); !id.empty() && found != groups.end()) group = found->second;
      AddRegion(region, group, annotation_no);
    }
  }

  void Finish() {
    std::vector<PointGroup*> ordered;
    for (auto& [key, points] : point_groups_) ordered.push_back(&points);
    std::sort(ordered.begin(), ordered.end(),
              [](const PointGroup* a, const PointGroup* b) { return a->first_order < b->first_order; });
    for (PointGroup* points : ordered) {
      Shape shape;
      shape.type = ShapeType::kPoints;
      shape.label = points->label;
      shape.points = std::move(points->points);
      shape.visibility = std::move(points->visibility);
      shape.point_labels = std::move(points->names);
      shape.group = points->group;
      item_.shapes.push_back(std::move(shape));
    }
  }

 private:
  void AddRegion(const json& region, int64_t group, size_t annotation_no) {
    std::string type = ToLower(StringField(region, "type"));
    auto value_it = region.find("value");
    if (value_it == region.end() || !value_it->is_object()) return;
    const json& value = *value_it;
    if (type == "labels" || type == "hypertextlabels") {
      AddSpan(value, type);
      return;
    }
    if (type == "choices" && mapping_.choices && StringField(region, "from_name") == mapping_.choices->name) {
      AddClasses(value);
      return;
    }
    if (type == "brushlabels" || type == "brush") {
      AddMask(region, value, type);
      return;
    }
    bool is_box = type == "rectanglelabels" || type == "rectangle";
    bool is_polygon = type == "polygonlabels" || type == "polygon";
    bool is_point = type == "keypointlabels" || type == "keypoint";
    if (!is_box && !is_polygon && !is_point) return;  // choices, text areas, ...: not regions
    std::string label = FirstLabel(value, type);
    if (label.empty()) label = FirstLabel(value, "labels");
    if (label.empty()) {
      skipped_.Add(type + " without a label");
      return;
    }
    bool ok = true;
    double width = Num(region, "original_width", &ok);
    double height = Num(region, "original_height", &ok);
    if (!ok || width <= 0 || height <= 0 || width > 1e9 || height > 1e9) {
      skipped_.Add(type + " without original_width/original_height");
      return;
    }
    if (item_.width == 0) {
      item_.width = static_cast<int64_t>(std::llround(width));
      item_.height = static_cast<int64_t>(std::llround(height));
    }
    double sx = width / 100.0, sy = height / 100.0;
    Shape shape;
    shape.label = label;
    shape.group = group;
    if (auto attrs = region.find("attributes"); attrs != region.end() && attrs->is_object()) {
      shape.attributes = *attrs;
    }
    if (is_box) {
      double x = Num(value, "x", &ok), y = Num(value, "y", &ok);
      double w = Num(value, "width", &ok), h = Num(value, "height", &ok);
      if (!ok) {
        skipped_.Add(type + " with a malformed value");
        return;
      }
      bool rot_ok = true;
      shape.rotation = Num(value, "rotation", &rot_ok);
      if (!rot_ok) shape.rotation = 0;
      shape.type = ShapeType::kBox;
      shape.points = {x * sx, y * sy, (x + w) * sx, (y + h) * sy};
    } else if (is_polygon) {
      auto pts = value.find("points");
      if (pts == value.end() || !pts->is_array()) {
        skipped_.Add(type + " with a malformed value");
        return;
      }
      for (const json& point : *pts) {
        if (!point.is_array() || point.size() < 2 || !point[0].is_number() || !point[1].is_number()) {
          skipped_.Add(type + " with a malformed value");
          return;
        }
        shape.points.push_back(point[0].get<double>() * sx);
        shape.points.push_back(point[1].get<double>() * sy);
      }
      auto closed = value.find("closed");
      shape.type = closed != value.end() && closed->is_boolean() && !closed->get<bool>()
                       ? ShapeType::kPolyline
                       : ShapeType::kPolygon;
    } else {
      double x = Num(value, "x", &ok), y = Num(value, "y", &ok);
      if (!ok) {
        skipped_.Add(type + " with a malformed value");
        return;
      }
      int visibility = 2;
      if (auto vis = region.find("visibility"); vis != region.end() && vis->is_number_integer()) {
        visibility = std::clamp(vis->get<int>(), 0, 2);
      }
      AddPoint(label, x * sx, y * sy, visibility, group, annotation_no);
      return;
    }
    if (group != 0) group_labels_[group] = shape.label;
    item_.shapes.push_back(std::move(shape));
  }

  void AddPoint(const std::string& label, double x, double y, int visibility, int64_t group,
                size_t annotation_no) {
    std::string category;
    if (mapping_.keypoints) {
      if (const LabelOption* option = mapping_.keypoints->FindOption(label)) {
        category = option->attributes.Get("category");
      }
    }
    // Ungrouped points each stand alone; grouped ones gather by group.
    std::string key = group != 0 ? "g" + std::to_string(group)
                                 : "p" + std::to_string(annotation_no) + ":" + std::to_string(order_);
    PointGroup& points = point_groups_[key];
    if (points.points.empty()) {
      points.group = group;
      points.first_order = order_;
      if (!category.empty()) points.label = category;
      else if (auto found = group_labels_.find(group); group != 0 && found != group_labels_.end()) points.label = found->second;
      else points.label = label;
    }
    ++order_;
    points.points.push_back(x);
    points.points.push_back(y);
    points.visibility.push_back(visibility);
    points.names.push_back(category.empty() && points.label == label ? "" : label);
  }

  // A brush region; its pixels must be the item's size (the first region's).
  void AddMask(const json& region, const json& value, const std::string& type) {
    std::string label = FirstLabel(value, type);
    if (label.empty()) label = FirstLabel(value, "labels");
    bool ok = true;
    double width = Num(region, "original_width", &ok);
    double height = Num(region, "original_height", &ok);
    if (label.empty() || !ok || width < 1 || height < 1 || width > 1e9 || height > 1e9) {
      skipped_.Add(type + " without a label or original_width/original_height");
      return;
    }
    int64_t w = static_cast<int64_t>(std::llround(width)), h = static_cast<int64_t>(std::llround(height));
    if (item_.width == 0) item_.width = w, item_.height = h;
    if (w != item_.width || h != item_.height) {
      skipped_.Add(type + " of another size than the image's other regions");
      return;
    }
    if (StringField(value, "format") != "rle" || !value.contains("rle")) {
      skipped_.Add(type + " not in format rle");
      return;
    }
    auto pixels = MaskFromLsRle(value["rle"], w, h);
    if (!pixels.ok()) {
      skipped_.Add(type + " with a malformed rle");
      return;
    }
    MaskRegion mask;
    mask.label = label;
    mask.pixels = std::move(*pixels);
    mask.from_name = StringField(region, "from_name");
    if (auto attrs = region.find("attributes"); attrs != region.end() && attrs->is_object()) {
      mask.attributes = *attrs;
    }
    item_.masks.push_back(std::move(mask));
  }

  void AddClasses(const json& value) {
    auto found = value.find("choices");
    if (found == value.end() || !found->is_array()) return;
    for (const json& choice : *found) {
      if (!choice.is_string()) continue;
      const std::string name = choice.get<std::string>();
      if (std::find(item_.classes.begin(), item_.classes.end(), name) == item_.classes.end()) {
        item_.classes.push_back(name);
      }
    }
  }

  void AddSpan(const json& value, const std::string& type) {
    bool ok = true;
    double start = Num(value, "start", &ok), end = Num(value, "end", &ok);
    std::string label = FirstLabel(value, type);
    if (label.empty()) label = FirstLabel(value, "labels");
    if (!ok || label.empty() || start < 0 || end < start || end > 1e15) {
      skipped_.Add("span without a label or offsets");
      return;
    }
    item_.spans.push_back(Span{static_cast<int64_t>(start), static_cast<int64_t>(end), label});
  }

  const LsMapping& mapping_;
  Tally& skipped_;
  Item& item_;
  int64_t next_group_ = 0;
  size_t order_ = 0;
  std::unordered_map<int64_t, std::string> group_labels_;
  std::unordered_map<std::string, PointGroup> point_groups_;
};

}  // namespace

Item ItemFromTask(const TaskBundle& bundle, const std::vector<const Annotation*>& annotations,
                  const LsMapping& mapping, Tally& skipped) {
  Item item;
  item.id = std::to_string(bundle.task.id);
  json data = json::parse(bundle.task.data, nullptr, false);
  if (data.is_object()) {
    if (mapping.image) item.image = StringField(data, mapping.image->data_key.c_str());
    if (mapping.text) item.text = StringField(data, mapping.text->data_key.c_str());
  }
  ItemBuilder builder(mapping, skipped, item);
  for (size_t ann_idx = 0; ann_idx < annotations.size(); ++ann_idx) {
    json result = json::parse(annotations[ann_idx]->result, nullptr, false);
    size_t masks_before = item.masks.size();
    builder.AddResult(result, ann_idx);
    for (size_t m = masks_before; m < item.masks.size(); ++m) {
      item.masks[m].annotation_id = annotations[ann_idx]->id;
      item.masks[m].author = annotations[ann_idx]->completed_by;
    }
  }
  builder.Finish();
  return item;
}

namespace {

class ResultBuilder {
 public:
  ResultBuilder(const Item& item, const LsMapping& mapping, Tally& unmatched)
      : item_(item), mapping_(mapping), unmatched_(unmatched) {}

  json Build() {
    for (const Shape& shape : item_.shapes) AddShape(shape);
    for (const MaskRegion& mask : item_.masks) AddMask(mask);
    for (const Span& span : item_.spans) AddSpan(span);
    return std::move(result_);
  }

 private:
  bool LabelKnown(const ControlTag& control, const std::string& label, const char* what) {
    if (control.dynamic_options || control.FindOption(label)) return true;
    unmatched_.Add(std::string(what) + " label \"" + label + "\" is not in <" + control.xml_tag +
                   " name=\"" + control.name + "\">");
    return false;
  }

  json Region(const ControlTag& control, const std::string& type, json value, const Shape& shape) {
    json region = {{"id", "r" + std::to_string(++next_id_)},
                   {"from_name", control.name},
                   {"to_name", mapping_.image->name},
                   {"type", type},
                   {"original_width", item_.width},
                   {"original_height", item_.height},
                   {"image_rotation", 0},
                   {"value", std::move(value)}};
    if (!shape.attributes.empty()) region["attributes"] = shape.attributes;
    if (shape.score >= 0) region["score"] = shape.score;
    return region;
  }

  // Links a region to its object's first region.
  void Link(json& region, int64_t group) {
    if (group == 0) return;
    auto found = leaders_.find(group);
    if (found == leaders_.end()) {
      leaders_[group] = region["id"].get<std::string>();
    } else {
      region["parentID"] = found->second;
    }
  }

  void AddShape(const Shape& shape) {
    const char* kind = shape.type == ShapeType::kBox       ? "box"
                       : shape.type == ShapeType::kPolygon ? "polygon"
                       : shape.type == ShapeType::kPolyline ? "polyline"
                                                             : "points";
    if (!mapping_.image) {
      unmatched_.Add(std::string(kind) + ": the labeling config has no <Image>");
      return;
    }
    if (item_.width <= 0 || item_.height <= 0) {
      unmatched_.Add(std::string(kind) + " on an image of unknown size");
      return;
    }
    double sx = 100.0 / static_cast<double>(item_.width);
    double sy = 100.0 / static_cast<double>(item_.height);
    if (shape.type == ShapeType::kBox) {
      if (!mapping_.boxes) {
        unmatched_.Add("box: the labeling config has no RectangleLabels on the image");
        return;
      }
      if (shape.points.size() != 4 || !LabelKnown(*mapping_.boxes, shape.label, "box")) return;
      json value = {{"x", shape.points[0] * sx},
                    {"y", shape.points[1] * sy},
                    {"width", (shape.points[2] - shape.points[0]) * sx},
                    {"height", (shape.points[3] - shape.points[1]) * sy},
                    {"rotation", shape.rotation},
                    {"rectanglelabels", json::array({shape.label})}};
      json region = Region(*mapping_.boxes, "rectanglelabels", std::move(value), shape);
      Link(region, shape.group);
      result_.push_back(std::move(region));
    } else if (shape.type == ShapeType::kPolygon || shape.type == ShapeType::kPolyline) {
      if (!mapping_.polygons) {
        unmatched_.Add(std::string(kind) + ": the labeling config has no PolygonLabels on the image");
        return;
      }
      if (shape.points.size() < 4 || !LabelKnown(*mapping_.polygons, shape.label, kind)) return;
      json points = json::array();
      for (size_t i = 0; i + 1 < shape.points.size(); i += 2) {
        points.push_back({shape.points[i] * sx, shape.points[i + 1] * sy});
      }
      json value = {{"points", std::move(points)},
                    {"closed", shape.type == ShapeType::kPolygon},
                    {"polygonlabels", json::array({shape.label})}};
      json region = Region(*mapping_.polygons, "polygonlabels", std::move(value), shape);
      Link(region, shape.group);
      result_.push_back(std::move(region));
    } else {
      AddPoints(shape, sx, sy);
    }
  }

  void AddMask(const MaskRegion& mask) {
    if (!mapping_.image || !mapping_.brushes) {
      unmatched_.Add("mask: the labeling config has no BrushLabels on the image");
      return;
    }
    if (item_.width <= 0 || item_.height <= 0 ||
        mask.pixels.size() != static_cast<size_t>(item_.width * item_.height)) {
      unmatched_.Add("mask of another size than its image");
      return;
    }
    if (!LabelKnown(*mapping_.brushes, mask.label, "mask")) return;
    json value = {{"format", "rle"}, {"rle", LsRleFromMask(mask.pixels)}, {"brushlabels", json::array({mask.label})}};
    Shape info;  // Region() takes the attributes and score from a Shape
    info.attributes = mask.attributes;
    info.score = mask.score;
    result_.push_back(Region(*mapping_.brushes, "brushlabels", std::move(value), info));
  }

  void AddPoints(const Shape& shape, double sx, double sy) {
    if (!mapping_.keypoints) {
      unmatched_.Add("points: the labeling config has no KeyPointLabels on the image");
      return;
    }
    // Points of one object link to the object's first region; a lone
    // multi-point shape links to its own first point.
    int64_t group = shape.group;
    if (group == 0 && shape.points.size() > 2) group = --solo_group_;
    for (size_t point_idx = 0; point_idx * 2 + 1 < shape.points.size(); ++point_idx) {
      int visibility = point_idx < shape.visibility.size() ? shape.visibility[point_idx] : 2;
      if (visibility <= 0) continue;
      std::string label = point_idx < shape.point_labels.size() && !shape.point_labels[point_idx].empty()
                              ? shape.point_labels[point_idx]
                              : shape.label;
      if (!LabelKnown(*mapping_.keypoints, label, "keypoint")) continue;
      json value = {{"x", shape.points[point_idx * 2] * sx},
                    {"y", shape.points[point_idx * 2 + 1] * sy},
                    {"width", 0.5},
                    {"keypointlabels", json::array({label})}};
      json region = Region(*mapping_.keypoints, "keypointlabels", std::move(value), shape);
      if (visibility != 2) region["visibility"] = visibility;
      Link(region, group);
      result_.push_back(std::move(region));
    }
  }

  void AddSpan(const Span& span) {
    if (!mapping_.text || !mapping_.spans) {
      unmatched_.Add("span: the labeling config has no Labels on a Text");
      return;
    }
    if (!LabelKnown(*mapping_.spans, span.label, "span")) return;
    json value = {{"start", span.start},
                  {"end", span.end},
                  {"text", SliceCodePoints(item_.text, span.start, span.end)},
                  {"labels", json::array({span.label})}};
    result_.push_back({{"id", "r" + std::to_string(++next_id_)},
                       {"from_name", mapping_.spans->name},
                       {"to_name", mapping_.text->name},
                       {"type", "labels"},
                       {"value", std::move(value)}});
  }

  // Code points [start, end) of UTF-8 `text`.
  static std::string SliceCodePoints(const std::string& text, int64_t start, int64_t end) {
    size_t begin_byte = text.size(), end_byte = text.size();
    int64_t cp = 0;
    for (size_t byte = 0; byte <= text.size(); ++byte) {
      if (byte < text.size() && (static_cast<unsigned char>(text[byte]) & 0xC0) == 0x80) continue;
      if (cp == start) begin_byte = byte;
      if (cp == end) {
        end_byte = byte;
        break;
      }
      ++cp;
    }
    if (begin_byte > end_byte) return "";
    return text.substr(begin_byte, end_byte - begin_byte);
  }

  const Item& item_;
  const LsMapping& mapping_;
  Tally& unmatched_;
  json result_ = json::array();
  int64_t next_id_ = 0;
  int64_t solo_group_ = 0;
  std::unordered_map<int64_t, std::string> leaders_;
};

}  // namespace

json ResultFromItem(const Item& item, const LsMapping& mapping, Tally& unmatched) {
  return ResultBuilder(item, mapping, unmatched).Build();
}

}  // namespace tessera::formats
