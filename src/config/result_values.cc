// The shape of a result item's `value`: coordinates in range, spans ordered,
// scalar answers within the control's limits.
//
// Coordinates are percentages of the image or frame (0..100). LS rounds and
// lets regions be dragged a little past the edge, so we allow kTolerance
// percentage points either side.
#include "src/config/result_checks.h"
#include "src/config/text_util.h"

namespace tessera::config_internal {
namespace {

using nlohmann::json;

constexpr double kTolerance = 1.0;

// 12 rather than 12.0; other numbers as JSON writes them.
std::string Show(double number) {
  if (number > -1e15 && number < 1e15 && number == static_cast<double>(static_cast<long long>(number))) {
    return std::to_string(static_cast<long long>(number));
  }
  return json(number).dump();
}

// A JSON number that is a whole number (1 or 1.0); nullopt otherwise.
std::optional<long long> WholeNumber(const json& number) {
  if (number.is_number_unsigned()) {
    const auto value = number.get<unsigned long long>();
    return value > 1'000'000'000'000ULL ? std::nullopt : std::optional<long long>(static_cast<long long>(value));
  }
  if (number.is_number_integer()) return number.get<long long>();
  if (!number.is_number_float()) return std::nullopt;
  const double value = number.get<double>();
  if (!(value > -1e12 && value < 1e12) || value != static_cast<double>(static_cast<long long>(value))) return std::nullopt;
  return static_cast<long long>(value);
}

// value[key] as a number; nullopt when absent. A present non-number is an error.
Status ReadNumber(const ResultItem& item, const json& value, const char* key, bool required,
                  std::optional<double>* out) {
  *out = std::nullopt;
  auto it = value.find(key);
  if (it == value.end() || it->is_null()) {
    if (!required) return Status::Ok();
    return ItemError(item, std::string("missing value.") + key + "; a " + item.type + " result needs it");
  }
  if (!it->is_number()) return ItemError(item, std::string("value.") + key + " must be a number, got " + JsonKind(*it));
  *out = it->get<double>();
  return Status::Ok();
}

Status CheckPercent(const ResultItem& item, const char* key, std::optional<double> number) {
  if (!number || (*number >= -kTolerance && *number <= 100 + kTolerance)) return Status::Ok();
  return ItemError(item, std::string("value.") + key + "=" + Show(*number) +
                             " is out of range; coordinates are percentages from 0 to 100");
}

bool IsOneOf(std::string_view type, std::initializer_list<std::string_view> types) {
  for (std::string_view candidate : types) {
    if (type == candidate) return true;
  }
  return false;
}

Status CheckGeometry(const ResultItem& item, const json& value) {
  const std::string& type = item.type;
  const bool rect = IsOneOf(type, {"rectangle", "rectanglelabels"});
  const bool ellipse = IsOneOf(type, {"ellipse", "ellipselabels"});
  const bool keypoint = IsOneOf(type, {"keypoint", "keypointlabels"});
  std::optional<double> x, y, width, height, rotation, radius_x, radius_y;
  TESSERA_RETURN_IF_ERROR(ReadNumber(item, value, "x", rect || ellipse || keypoint, &x));
  TESSERA_RETURN_IF_ERROR(ReadNumber(item, value, "y", rect || ellipse || keypoint, &y));
  TESSERA_RETURN_IF_ERROR(ReadNumber(item, value, "width", rect, &width));
  TESSERA_RETURN_IF_ERROR(ReadNumber(item, value, "height", rect, &height));
  TESSERA_RETURN_IF_ERROR(ReadNumber(item, value, "rotation", false, &rotation));  // any angle
  TESSERA_RETURN_IF_ERROR(ReadNumber(item, value, "radiusX", ellipse, &radius_x));
  TESSERA_RETURN_IF_ERROR(ReadNumber(item, value, "radiusY", ellipse, &radius_y));
  TESSERA_RETURN_IF_ERROR(CheckPercent(item, "x", x));
  TESSERA_RETURN_IF_ERROR(CheckPercent(item, "y", y));
  TESSERA_RETURN_IF_ERROR(CheckPercent(item, "width", width));
  TESSERA_RETURN_IF_ERROR(CheckPercent(item, "height", height));
  TESSERA_RETURN_IF_ERROR(CheckPercent(item, "radiusX", radius_x));
  TESSERA_RETURN_IF_ERROR(CheckPercent(item, "radiusY", radius_y));
  for (const auto& [name, size] : {std::pair{"width", width}, std::pair{"height", height}}) {
    if (size && *size < -kTolerance) {
      return ItemError(item, std::string("value.") + name + "=" + Show(*size) + " is negative; sizes run from 0 to 100");
    }
  }
  // A rotated box may reach past the right/bottom edge; only check unrotated ones.
  if (!rotation || *rotation == 0) {
    if (x && width && *x + *width > 100 + kTolerance) {
      return ItemError(item, "value.x + value.width = " + Show(*x + *width) + " goes past the right edge (100)");
    }
    if (y && height && *y + *height > 100 + kTolerance) {
      return ItemError(item, "value.y + value.height = " + Show(*y + *height) + " goes past the bottom edge (100)");
    }
  }

  auto points = value.find("points");
  if (points == value.end() || points->is_null()) {
    if (IsOneOf(type, {"polygon", "polygonlabels"})) return ItemError(item, "missing value.points; a polygon needs [[x, y], ...]");
    return Status::Ok();
  }
  if (!points->is_array()) return ItemError(item, "value.points must be an array of [x, y] pairs, got " + JsonKind(*points));
  for (size_t point_idx = 0; point_idx < points->size(); ++point_idx) {
    const json& point = (*points)[point_idx];
    const std::string where = "value.points[" + std::to_string(point_idx) + "]";
    if (!point.is_array() || point.size() < 2 || !point[0].is_number() || !point[1].is_number()) {
      return ItemError(item, where + " must be an [x, y] pair of numbers, got " + point.dump());
    }
    for (size_t axis = 0; axis < 2; ++axis) {
      const double coordinate = point[axis].get<double>();
      if (coordinate < -kTolerance || coordinate > 100 + kTolerance) {
        return ItemError(item, where + " = " + point.dump() + " is out of range; coordinates are percentages from 0 to 100");
      }
    }
  }
  return Status::Ok();
}

// start/end of a span. Their form depends on the object: character offsets
// (Text), XPaths plus offsets (HyperText), paragraph indexes plus offsets
// (Paragraphs), seconds (Audio, Video), times or dates (TimeSeries).
Status CheckSpan(const ResultItem& item, const json& value) {
  const ObjectType object_type = item.object ? item.object->type : ObjectType::kImage;
  const bool span_type = IsOneOf(item.type, {"labels", "hypertextlabels", "paragraphlabels", "timeserieslabels"});
  const bool span_object = item.object != nullptr && (object_type == ObjectType::kText || object_type == ObjectType::kHyperText ||
                                                      object_type == ObjectType::kParagraphs || object_type == ObjectType::kAudio ||
                                                      object_type == ObjectType::kTimeSeries);
  auto start = value.find("start");
  auto end = value.find("end");
  if (start == value.end() && end == value.end()) {
    if (span_type && span_object) return ItemError(item, "missing value.start and value.end; a span on <" +
                                                          std::string(TagName(object_type)) + "> needs both");
    return Status::Ok();
  }
  if (start == value.end() || end == value.end()) return ItemError(item, "a span needs both value.start and value.end");
  for (const char* key : {"startOffset", "endOffset"}) {
    auto offset = value.find(key);
    if (offset != value.end() && !(offset->is_number_integer() && offset->get<long long>() >= 0)) {
      return ItemError(item, std::string("value.") + key + " must be a character offset (a whole number, 0 or more), got " +
                                 offset->dump());
    }
  }
  if (start->is_number() && end->is_number()) {
    if (object_type == ObjectType::kText && !(start->is_number_integer() && end->is_number_integer())) {
      return ItemError(item, "value.start and value.end on <Text> must be whole character offsets, got " +
                                 start->dump() + " and " + end->dump());
    }
    const double from = start->get<double>();
    const double to = end->get<double>();
    if (from < 0 && object_type != ObjectType::kTimeSeries) {
      return ItemError(item, "value.start=" + start->dump() + " is negative; spans start at 0 or later");
    }
    if (from > to) {
      return ItemError(item, "value.start=" + start->dump() + " is after value.end=" + end->dump() +
                                 "; a span needs start <= end");
    }
    return Status::Ok();
  }
  if (start->is_string() && end->is_string()) {
    // XPaths (HyperText; older LS versions for Text too), paragraph indexes, dates.
    if (object_type == ObjectType::kAudio || object_type == ObjectType::kVideo) {
      return ItemError(item, "value.start and value.end on <" + std::string(TagName(object_type)) +
                                 "> must be numbers of seconds");
    }
    const bool needs_offsets = object_type == ObjectType::kHyperText || object_type == ObjectType::kText;
    if (needs_offsets && item.object && (!value.contains("startOffset") || !value.contains("endOffset"))) {
      return ItemError(item, "a span given as XPaths needs value.startOffset and value.endOffset");
    }
    return Status::Ok();
  }
  return ItemError(item, "value.start and value.end must both be numbers or both be strings, got " + start->dump() +
                             " and " + end->dump());
}

// A VideoRectangle's keyframes. Checked leniently: LS writes boxes partly
// outside the frame and, while a box is being dragged, negative sizes, so
// only the types are checked.
Status CheckSequence(const ResultItem& item, const json& value) {
  auto sequence = value.find("sequence");
  if (sequence == value.end() || !sequence->is_array()) {
    return ItemError(item, "value.sequence must be an array of keyframes {frame, enabled, x, y, width, height}");
  }
  for (size_t frame_idx = 0; frame_idx < sequence->size(); ++frame_idx) {
    const json& keyframe = (*sequence)[frame_idx];
    const std::string where = "value.sequence[" + std::to_string(frame_idx) + "]";
    if (!keyframe.is_object()) return ItemError(item, where + " must be an object, got " + JsonKind(keyframe));
    auto frame = keyframe.find("frame");
    if (frame == keyframe.end() || !frame->is_number_integer() || frame->get<long long>() < 0) {
      return ItemError(item, where + ".frame must be a frame number (a whole number, 0 or more)");
    }
    auto enabled = keyframe.find("enabled");
    if (enabled != keyframe.end() && !enabled->is_boolean()) {
      return ItemError(item, where + ".enabled must be true or false, got " + enabled->dump());
    }
    for (const char* key : {"x", "y", "width", "height", "rotation", "time"}) {
      auto it = keyframe.find(key);
      if (it != keyframe.end() && !it->is_number()) {
        return ItemError(item, where + "." + key + " must be a number, got " + JsonKind(*it));
      }
    }
  }
  return Status::Ok();
}

Status CheckScalar(const ResultItem& item, const json& value) {
  const ControlTag& control = *item.control;
  const std::string& type = item.type;
  if (type == "rating") {
    auto rating = value.find("rating");
    const std::optional<long long> whole = rating == value.end() ? std::nullopt : WholeNumber(*rating);
    if (!whole) return ItemError(item, "value.rating must be a whole number from 1 to " + std::to_string(control.max_rating));
    const long long stars = *whole;
    if (stars < 1 || stars > control.max_rating) {
      return ItemError(item, "value.rating=" + std::to_string(stars) + " is out of range; " + Describe(control) +
                                 " allows 1 to " + std::to_string(control.max_rating));
    }
  } else if (type == "number") {
    std::optional<double> number;
    TESSERA_RETURN_IF_ERROR(ReadNumber(item, value, "number", true, &number));
    if ((control.min && *number < *control.min) || (control.max && *number > *control.max)) {
      return ItemError(item, "value.number=" + Show(*number) + " is out of range; " + Describe(control) + " allows " +
                                 (control.min ? Show(*control.min) : std::string("any")) + " to " +
                                 (control.max ? Show(*control.max) : std::string("any")));
    }
  } else if (type == "textarea") {
    auto text = value.find("text");
    bool ok = text != value.end() && (text->is_string() || text->is_array());
    if (ok && text->is_array()) {
      for (const json& line : *text) ok = ok && line.is_string();
    }
    if (!ok) return ItemError(item, "value.text must be a string or an array of strings");
  } else if (type == "datetime") {
    auto datetime = value.find("datetime");
    if (datetime == value.end() || !datetime->is_string()) return ItemError(item, "value.datetime must be a string");
  } else if (type == "pairwise") {
    auto selected = value.find("selected");
    if (selected == value.end() || !selected->is_string() ||
        !(selected->get<std::string>() == "left" || selected->get<std::string>() == "right")) {
      return ItemError(item, "value.selected must be \"left\" or \"right\"");
    }
  } else if (type == "ranker") {
    auto ranker = value.find("ranker");
    if (ranker == value.end() || !ranker->is_object()) {
      return ItemError(item, "value.ranker must be an object of bucket name -> item ids");
    }
    for (const auto& [bucket, ids] : ranker->items()) {
      if (!ids.is_array()) return ItemError(item, "value.ranker[\"" + bucket + "\"] must be an array of item ids");
    }
  } else if (type == "videorectangle") {
    return CheckSequence(item, value);
  }
  if (auto rle = value.find("rle"); rle != value.end()) {
    bool ok = rle->is_array();
    if (ok) {
      for (const json& run : *rle) ok = ok && run.is_number();
    }
    if (!ok) return ItemError(item, "value.rle must be an array of numbers (LS's run-length encoded mask)");
  }
  return Status::Ok();
}

}  // namespace

Status CheckValueShape(const ResultItem& item, const nlohmann::json& value) {
  if (item.type != "videorectangle") TESSERA_RETURN_IF_ERROR(CheckGeometry(item, value));
  TESSERA_RETURN_IF_ERROR(CheckSpan(item, value));
  return CheckScalar(item, value);
}

}  // namespace tessera::config_internal
