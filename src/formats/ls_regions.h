// Label Studio results <-> dataset Items. The one place where percent
// coordinates become pixels and back:
//   x_px = x_pct * original_width / 100,   x_pct = x_px * 100 / original_width.
//
// How dataset notions map onto Label Studio results:
//   box        -> rectanglelabels {x, y, width, height, rotation}
//   polygon    -> polygonlabels {points, closed: true}; polyline: closed false
//   points     -> one keypointlabels result per present point; points of one
//                 object share "parentID" (the id of the object's box, or of
//                 its first point); a point's visibility other than 2 is kept
//                 in the result item as "visibility"
//   group      -> "parentID" from the object's other regions to its first one
//   attributes -> "attributes" object on the result item
//   span       -> labels {start, end, text}
//   mask       -> brushlabels {format: "rle", rle, brushlabels} (brush_rle.h)
// A keypoint label names its object class through the <Label category="...">
// attribute (SuggestLabelingConfig writes it); COCO reads a category's
// keypoint list from it, in config order.
//
// Thread-safety: LsMapping is immutable after construction.
#ifndef TESSERA_SRC_FORMATS_LS_REGIONS_H_
#define TESSERA_SRC_FORMATS_LS_REGIONS_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "src/formats/dataset.h"
#include "tessera/config.h"
#include "tessera/formats.h"
#include "tessera/store.h"

namespace tessera::formats {

// The controls of a config that datasets read and write.
struct LsMapping {
  std::shared_ptr<const LabelingConfig> config;
  const ObjectTag* image = nullptr;      // first <Image>
  const ControlTag* boxes = nullptr;     // RectangleLabels (or Rectangle) on it
  const ControlTag* polygons = nullptr;  // PolygonLabels (or Polygon)
  const ControlTag* keypoints = nullptr; // KeyPointLabels (or KeyPoint)
  const ControlTag* brushes = nullptr;   // BrushLabels (or Brush)
  const ObjectTag* text = nullptr;       // first <Text>/<HyperText>
  const ControlTag* spans = nullptr;     // Labels on it
  const ControlTag* choices = nullptr;   // first Choices on the image or the text
  const ObjectTag* video = nullptr;        // first <Video>
  const ControlTag* video_boxes = nullptr; // VideoRectangle on it
  const ControlTag* video_labels = nullptr;  // first Labels on it (the boxes' labels)

  static Result<LsMapping> FromConfig(std::string_view label_config);
  // From a config the caller keeps alive (`config` stays null).
  static LsMapping FromParsed(const LabelingConfig& config);

  // Categories in config order: box labels, then polygon labels not seen yet,
  // then brush labels not seen yet, then keypoint labels without a category= attribute. Each category's
  // keypoints are the keypoint labels whose category= names it.
  std::vector<Category> ImageCategories() const;
  // Labels of the span control, in config order.
  std::vector<std::string> SpanLabels() const;
  // Choices of the choices control, in config order.
  std::vector<std::string> ChoiceLabels() const;
  // Labels of the video's Labels control, in config order.
  std::vector<std::string> VideoLabels() const;
};

// A task and the results of its selected annotations as an Item in pixels.
// Regions that cannot be converted are counted in `skipped`.
Item ItemFromTask(const TaskBundle& bundle, const std::vector<const Annotation*>& annotations,
                  const LsMapping& mapping, Tally& skipped);

// An Item's shapes/spans as a Label Studio result array; what the config has
// no control or label for is counted in `unmatched`.
nlohmann::json ResultFromItem(const Item& item, const LsMapping& mapping, Tally& unmatched);

}  // namespace tessera::formats

#endif  // TESSERA_SRC_FORMATS_LS_REGIONS_H_
