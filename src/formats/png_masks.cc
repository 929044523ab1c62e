// PNG mask exports (OpenCV's PNG encoder; polygons filled by a scanline).
//
// BRUSH_TO_PNG (Label Studio's name and layout): one 8-bit grayscale PNG per
// brush region, its pixels the region's alpha values (0 outside, usually 255
// inside), named task-<task>-annotation-<annotation>-by-<user id>-<from_name>-
// <label>-<n>.png, n counting the regions of one label in one annotation
// from 0 (Label Studio writes the annotator's email where we write the id).
//
// SEMANTIC_PNG: one PNG per image, SegmentationClass/<image stem>.png, each
// pixel the index of its class: 0 background, k the k-th category of the
// config (the COCO category id); classes.txt lists the classes, line k for
// index k. Regions are painted in order boxes, polygons, brush masks, so a
// later one covers an earlier one. A polygon or box covers the pixels whose
// centres (x + 0.5, y + 0.5) lie inside it or on its edge. 8-bit PNG up to
// 255 classes, 16-bit above.
#include <algorithm>
#include <cmath>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "src/formats/dataset_io.h"

namespace tessera::formats {
namespace {

// Even-odd scanline fill: pixel (x, y) is set when its centre (x + 0.5,
// y + 0.5) is inside, edges half-open (left and top edges in, right and bottom
// out), so a box from 1 to 3 covers pixels 1 and 2. cv::fillPoly rounds its
// vertices and includes both edges (a 2-pixel box would cover 3 pixels).
void FillPolygon(cv::Mat& image, const std::vector<double>& pts, int value) {
  const size_t n = pts.size() / 2;
  std::vector<double> xs;
  for (int y = 0; y < image.rows; ++y) {
    const double yc = y + 0.5;
    xs.clear();
    for (size_t i = 0; i < n; ++i) {
      double x0 = pts[2 * i], y0 = pts[2 * i + 1];
      double x1 = pts[2 * ((i + 1) % n)], y1 = pts[2 * ((i + 1) % n) + 1];
      if ((y0 <= yc) == (y1 <= yc)) continue;  // horizontal, or not crossing this row
      xs.push_back(x0 + (yc - y0) * (x1 - x0) / (y1 - y0));
    }
    std::sort(xs.begin(), xs.end());
    for (size_t k = 0; k + 1 < xs.size(); k += 2) {
      // Centres in [xs[k], xs[k+1]).
      double from = std::clamp(std::ceil(xs[k] - 0.5), 0.0, static_cast<double>(image.cols));
      double to = std::clamp(std::ceil(xs[k + 1] - 0.5), 0.0, static_cast<double>(image.cols));
      if (to > from) image.row(y).colRange(static_cast<int>(from), static_cast<int>(to)).setTo(cv::Scalar(value));
    }
  }
}

Status WritePng(SinkFile& file, const std::string& path, const cv::Mat& image) {
  std::vector<uchar> png;
  if (!cv::imencode(".png", image, png)) return Status::Internal("PNG encoding failed for " + path);
  return file.WriteFile(path, std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
}

// Letters, digits and - _ . @ kept; anything else becomes '_'.
std::string FileSafe(const std::string& text) {
  std::string out;
  for (char c : text) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '@';
    out.push_back(keep ? c : '_');
  }
  return out;
}

class BrushPngWriter : public DatasetWriter {
 public:
  explicit BrushPngWriter(const WriterContext& ctx) : ctx_(ctx), file_(*ctx.sink) {}

  Status Add(const Item& item) override {
    std::map<std::string, int> counters;
    for (const MaskRegion& mask : item.masks) {
      if (item.width <= 0 || mask.pixels.size() != static_cast<size_t>(item.width * item.height)) {
        ctx_.skipped->Add("BRUSH_TO_PNG: mask of another size than its image");
        continue;
      }
      std::string name = "task-" + FileSafe(item.id) + "-annotation-" + std::to_string(mask.annotation_id) + "-by-" +
                         std::to_string(mask.author) + "-" + FileSafe(mask.from_name) + "-" + FileSafe(mask.label);
      name += "-" + std::to_string(counters[name]++) + ".png";
      cv::Mat image(static_cast<int>(item.height), static_cast<int>(item.width), CV_8UC1,
                    const_cast<uint8_t*>(mask.pixels.data()));
      TESSERA_RETURN_IF_ERROR(WritePng(file_, name, image));
    }
    if (!item.shapes.empty()) ctx_.skipped->Add("BRUSH_TO_PNG: regions other than brushes", static_cast<int64_t>(item.shapes.size()));
    return Status::Ok();
  }

  Status Finish() override { return Status::Ok(); }

 private:
  WriterContext ctx_;
  SinkFile file_;
};

class SemanticPngWriter : public DatasetWriter {
 public:
  explicit SemanticPngWriter(const WriterContext& ctx) : ctx_(ctx), file_(*ctx.sink) {}

  Status Add(const Item& item) override {
    if (item.width <= 0 || item.height <= 0 || item.width * item.height > (int64_t{1} << 28)) {
      ctx_.skipped->Add("SEMANTIC_PNG: image of unknown size (no region with original_width/original_height)");
      return Status::Ok();
    }
    const int type = ctx_.categories.size() > 255 ? CV_16UC1 : CV_8UC1;
    cv::Mat image(static_cast<int>(item.height), static_cast<int>(item.width), type, cv::Scalar(0));
    for (ShapeType pass : {ShapeType::kBox, ShapeType::kPolygon}) {
      for (const Shape& shape : item.shapes) {
        if (shape.type != pass) continue;
        int index = ClassIndex(shape.label);
        if (index == 0) continue;
        std::vector<double> corners = shape.points;
        if (pass == ShapeType::kBox) corners = BoxCorners(shape);
        if (corners.size() >= 6) FillPolygon(image, corners, index);
      }
    }
    for (const Shape& shape : item.shapes) {
      if (shape.type == ShapeType::kPolyline || shape.type == ShapeType::kPoints) {
        ctx_.skipped->Add("SEMANTIC_PNG: polylines and keypoints cover no area");
      }
    }
    for (const MaskRegion& mask : item.masks) {
      int index = ClassIndex(mask.label);
      if (index == 0) continue;
      if (mask.pixels.size() != static_cast<size_t>(item.width * item.height)) {
        ctx_.skipped->Add("SEMANTIC_PNG: mask of another size than its image");
        continue;
      }
      cv::Mat where(image.rows, image.cols, CV_8UC1, const_cast<uint8_t*>(mask.pixels.data()));
      image.setTo(cv::Scalar(index), where);
    }
    std::string name = names_.Unique(item, ".png");
    if (size_t dot = name.rfind('.'); dot != std::string::npos && dot > 0) name.resize(dot);
    return WritePng(file_, "SegmentationClass/" + name + ".png", image);
  }

  Status Finish() override {
    std::string classes = "background\n";
    for (const Category& category : ctx_.categories) classes += category.name + "\n";
    return file_.WriteFile("classes.txt", classes);
  }

 private:
  int ClassIndex(const std::string& label) {
    for (size_t k = 0; k < ctx_.categories.size(); ++k) {
      if (ctx_.categories[k].name == label) return static_cast<int>(k) + 1;
    }
    ctx_.skipped->Add("SEMANTIC_PNG: label not in the config: " + label);
    return 0;
  }

  // The four corners of a (possibly rotated) box, turned around (x1, y1).
  static std::vector<double> BoxCorners(const Shape& box) {
    if (box.points.size() != 4) return {};
    double x = box.points[0], y = box.points[1], w = box.points[2] - x, h = box.points[3] - y;
    double rad = box.rotation * M_PI / 180.0, c = std::cos(rad), s = std::sin(rad);
    std::vector<double> out;
    for (auto [dx, dy] : {std::pair{0.0, 0.0}, {w, 0.0}, {w, h}, {0.0, h}}) {
      out.push_back(x + dx * c - dy * s);
      out.push_back(y + dx * s + dy * c);
    }
    return out;
  }

  WriterContext ctx_;
  SinkFile file_;
  NameAllocator names_;
};

}  // namespace

std::unique_ptr<DatasetWriter> NewBrushPngWriter(const WriterContext& ctx) {
  return std::make_unique<BrushPngWriter>(ctx);
}
std::unique_ptr<DatasetWriter> NewSemanticPngWriter(const WriterContext& ctx) {
  return std::make_unique<SemanticPngWriter>(ctx);
}

}  // namespace tessera::formats
