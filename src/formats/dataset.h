// The in-between model every dataset format reads and writes: an item (one
// image or one text) with its shapes in pixels or its spans in characters.
// Importers parse a format into Items; exporters turn tasks into Items
// (ls_regions.cc) and write them. Only one Item is alive at a time on export.
//
// Thread-safety: plain values.
#ifndef TESSERA_SRC_FORMATS_DATASET_H_
#define TESSERA_SRC_FORMATS_DATASET_H_

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tessera/status.h"

namespace tessera::formats {

enum class ShapeType {
  kBox,       // points = x1, y1, x2, y2 (pixels; x2 >= x1, y2 >= y1)
  kPolygon,   // points = x0, y0, x1, y1, ... (closed)
  kPolyline,  // like kPolygon, open
  kPoints,    // points = x0, y0, ...; one entry per keypoint (absent ones at 0,0 with visibility 0)
};

struct Shape {
  ShapeType type = ShapeType::kBox;
  std::string label;
  std::vector<double> points;
  // kPoints only: 0 absent, 1 labeled but hidden, 2 visible (COCO's v), one
  // per point; and the name of each point ("" when the points are unnamed).
  std::vector<int> visibility;
  std::vector<std::string> point_labels;
  double rotation = 0;  // kBox: degrees clockwise around (x1, y1), as Label Studio rotates
  // Shapes with the same non-zero group describe one object (a COCO
  // annotation's box, polygon and keypoints).
  int64_t group = 0;
  double score = -1;    // prediction score, -1 when none
  nlohmann::json attributes = nlohmann::json::object();  // format extras (occluded, difficult, ...)
};

// A raster region (a Label Studio brush, a COCO RLE mask): one byte per pixel
// of its item (item.width x item.height, row-major); 0 is outside, any other
// value inside (Label Studio's alpha, usually 255).
struct MaskRegion {
  std::string label;
  std::vector<uint8_t> pixels;
  double score = -1;
  nlohmann::json attributes = nlohmann::json::object();
  // Export only: where it came from (BRUSH_TO_PNG names its files by them).
  int64_t annotation_id = 0;
  int64_t author = 0;  // the annotation's completed_by
  std::string from_name;
};

// A labeled character range of an item's text.
struct Span {
  int64_t start = 0;  // characters (Unicode code points), as Label Studio counts them
  int64_t end = 0;
  std::string label;
};

struct Item {
  std::string id;        // file name stem or task id
  std::string image;     // path of the image inside the dataset ("images/train/a.jpg"), or its URL
  std::string subset;    // "train", "val", ... ("" when the format has no subsets)
  int64_t width = 0;     // pixels; 0 when unknown
  int64_t height = 0;
  std::vector<Shape> shapes;
  std::vector<MaskRegion> masks;
  std::string text;      // text items
  std::vector<Span> spans;
  // Whole-item classes: the choices of the mapping's Choices control, in
  // result order, each once (export only).
  std::vector<std::string> classes;
};

// A label (category) as a dataset declares it.
struct Category {
  std::string name;
  std::vector<std::string> keypoints;             // point names (COCO, CVAT skeleton)
  std::vector<std::pair<int, int>> skeleton;      // 0-based point index pairs
};

// What a reader found: categories in the dataset's order and items.
struct DatasetHeader {
  std::vector<Category> categories;
};

// Importers hand items to a sink one at a time; a non-OK status stops reading.
using ItemSink = std::function<Status(Item&&)>;

// Reasons for things not imported/exported, counted ("polyline: 1").
class Tally {
 public:
  void Add(const std::string& reason, int64_t n = 1) { counts_[reason] += n; }
  std::vector<std::pair<std::string, int64_t>> Sorted() const {
    return {counts_.begin(), counts_.end()};
  }
  std::vector<std::string> Lines() const;
  bool empty() const { return counts_.empty(); }

 private:
  std::map<std::string, int64_t> counts_;
};

// The file name part of a path or URL ("a.jpg" from "/data/upload/1/a.jpg?x"
// or from "/data/local-files/?d=images/a.jpg").
std::string BaseName(std::string_view path_or_url);
// BaseName without its extension.
std::string Stem(std::string_view path_or_url);

// Shortest decimal that reads back as the same double ("2", "0.1", "1e-07").
std::string FormatNumber(double value);

// Bounds of a point list: x1, y1, x2, y2. Zeros when empty.
std::vector<double> Bounds(const std::vector<double>& points);

}  // namespace tessera::formats

#endif  // TESSERA_SRC_FORMATS_DATASET_H_
