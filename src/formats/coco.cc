// COCO object detection / keypoints: annotations/instances_default.json.
//
// Export: one COCO annotation per object (a group of regions, or a single
// region): bbox from its box (else the bounds of its polygons), polygons as
// "segmentation", keypoints in the order of the category's keypoint list.
// A brush mask is an annotation of its own: "segmentation" {"size": [h, w],
// "counts": [...]} (uncompressed column-major RLE), iscrowd 1, area its
// pixel count, bbox its pixels' bounds. With include_images the image files
// on this machine go to images/ (images/<split>/ with splits).
// Categories are the config's labels in config order, ids from 1. The file is
// streamed: images in order, annotations spilled to a temporary file and
// appended after them.
// Import: every annotations/*.json (or the given .json file); the subset is
// the file name's suffix after the last '_' ("instances_train" -> "train").
// RLE masks (counts as a list or pycocotools' string) become masks.
#include <cmath>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "src/formats/brush_rle.h"
#include "src/formats/dataset_io.h"
#include "tessera/util.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string NumberList(const std::vector<double>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += FormatNumber(values[i]);
  }
  return out + "]";
}

double PolygonArea(const std::vector<double>& pts) {
  double twice = 0;
  size_t n = pts.size() / 2;
  for (size_t i = 0; i < n; ++i) {
    size_t j = (i + 1) % n;
    twice += pts[2 * i] * pts[2 * j + 1] - pts[2 * j] * pts[2 * i + 1];
  }
  return std::abs(twice) / 2;
}

class CocoWriter : public DatasetWriter {
 public:
  explicit CocoWriter(const WriterContext& ctx) : ctx_(ctx), file_(*ctx.sink) {}

  Status Add(const Item& item) override {
    std::unique_ptr<Part>& part = parts_[item.subset.empty() ? "default" : item.subset];
    if (!part) part = std::make_unique<Part>();
    int64_t image_id = ++images_written_;
    ParseInt64(item.id, &image_id);
    std::string file_name = names_.Unique(item);
    json image = {{"id", image_id}, {"width", item.width}, {"height", item.height}, {"file_name", file_name}};
    if (ctx_.include_images) {
      bool copied = false;
      const std::string path = item.subset.empty() ? "images/" + file_name : "images/" + item.subset + "/" + file_name;
      TESSERA_RETURN_IF_ERROR(CopyLocalImage(ctx_, item, path, file_, &copied));
      if (!copied) ctx_.skipped->Add("COCO: image file not on this machine (not included)");
    }
    TESSERA_RETURN_IF_ERROR(part->images.Append((part->image_count++ ? ",\n" : "\n") +
                                                image.dump(-1, ' ', false, json::error_handler_t::replace)));
    // Objects: shapes sharing a group, else each shape alone.
    std::vector<std::vector<const Shape*>> objects;
    std::vector<int64_t> object_groups;
    for (const Shape& shape : item.shapes) {
      if (shape.group != 0) {
        auto found = std::find(object_groups.begin(), object_groups.end(), shape.group);
        if (found != object_groups.end()) {
          objects[static_cast<size_t>(found - object_groups.begin())].push_back(&shape);
          continue;
        }
      }
      objects.push_back({&shape});
      object_groups.push_back(shape.group);
    }
    for (const auto& object : objects) TESSERA_RETURN_IF_ERROR(AddObject(*part, image["id"].get<int64_t>(), object));
    for (const MaskRegion& mask : item.masks) TESSERA_RETURN_IF_ERROR(AddMask(*part, image_id, item, mask));
    return Status::Ok();
  }

  // One annotations/instances_<split>.json per split ("default" without splits).
  Status Finish() override {
    if (parts_.empty()) parts_["default"] = std::make_unique<Part>();
    const std::string head = Head();
    for (const auto& [name, part] : parts_) {
      TESSERA_RETURN_IF_ERROR(file_.Open("annotations/instances_" + name + ".json"));
      TESSERA_RETURN_IF_ERROR(file_.Write(head));
      TESSERA_RETURN_IF_ERROR(part->images.CopyTo(file_));
      TESSERA_RETURN_IF_ERROR(file_.Write("\n],\n\"annotations\":["));
      TESSERA_RETURN_IF_ERROR(part->annotations.CopyTo(file_));
      TESSERA_RETURN_IF_ERROR(file_.Write("\n]}\n"));
      TESSERA_RETURN_IF_ERROR(file_.Close());
    }
    return Status::Ok();
  }

 private:
  // A split's images and annotations, spilled until Finish.
  struct Part {
    Spill images;
    Spill annotations;
    int64_t image_count = 0;
    int64_t annotation_count = 0;
  };

  std::string Head() const {
    json categories = json::array();
    for (size_t cat_idx = 0; cat_idx < ctx_.categories.size(); ++cat_idx) {
      const Category& category = ctx_.categories[cat_idx];
      json entry = {{"id", cat_idx + 1}, {"name", category.name}, {"supercategory", ""}};
      if (!category.keypoints.empty()) {
        entry["keypoints"] = category.keypoints;
        entry["skeleton"] = json::array();
      }
      categories.push_back(std::move(entry));
    }
    std::string head = "{\"info\":{\"description\":\"Exported by Tessera\",\"version\":\"1.0\"},"
                       "\"licenses\":[],\n\"categories\":" +
                       categories.dump(-1, ' ', false, json::error_handler_t::replace) + ",\n\"images\":[";
    return head;
  }

  int CategoryId(const std::string& label) const {
    for (size_t cat_idx = 0; cat_idx < ctx_.categories.size(); ++cat_idx) {
      if (ctx_.categories[cat_idx].name == label) return static_cast<int>(cat_idx) + 1;
    }
    return 0;
  }

  Status AddObject(Part& part, int64_t image_id, const std::vector<const Shape*>& object) {
    const Shape* box = nullptr;
    const Shape* points = nullptr;
    std::vector<const Shape*> polygons;
    for (const Shape* shape : object) {
      switch (shape->type) {
        case ShapeType::kBox: if (!box) box = shape; else ctx_.skipped->Add("COCO: second box of one object"); break;
        case ShapeType::kPolygon: polygons.push_back(shape); break;
        case ShapeType::kPolyline: ctx_.skipped->Add("COCO: polyline (COCO has no open polylines)"); break;
        case ShapeType::kPoints: if (!points) points = shape; else ctx_.skipped->Add("COCO: second keypoint set of one object"); break;
      }
    }
    const Shape* lead = box ? box : !polygons.empty() ? polygons.front() : points;
    if (!lead) return Status::Ok();
    int category_id = CategoryId(lead->label);
    if (category_id == 0) {
      ctx_.skipped->Add("COCO: label not in the config: " + lead->label);
      return Status::Ok();
    }
    std::vector<double> bbox;
    if (box) {
      bbox = AxisAlignedBox(*box, *ctx_.skipped);
    } else if (!polygons.empty()) {
      std::vector<double> all;
      for (const Shape* polygon : polygons) all.insert(all.end(), polygon->points.begin(), polygon->points.end());
      bbox = Bounds(all);
    } else {
      std::vector<double> visible;
      for (size_t p = 0; p * 2 + 1 < points->points.size(); ++p) {
        if (p < points->visibility.size() && points->visibility[p] == 0) continue;
        visible.push_back(points->points[p * 2]);
        visible.push_back(points->points[p * 2 + 1]);
      }
      bbox = Bounds(visible);
    }
    double w = bbox[2] - bbox[0], h = bbox[3] - bbox[1];
    std::string ann = "{\"id\":" + std::to_string(++annotation_id_) + ",\"image_id\":" + std::to_string(image_id) +
                      ",\"category_id\":" + std::to_string(category_id) + ",\"segmentation\":[";
    double area = 0;
    for (size_t poly_idx = 0; poly_idx < polygons.size(); ++poly_idx) {
      if (poly_idx) ann += ',';
      ann += NumberList(polygons[poly_idx]->points);
      area += PolygonArea(polygons[poly_idx]->points);
    }
    if (polygons.empty()) area = w * h;
    ann += "],\"area\":" + FormatNumber(area) + ",\"bbox\":" + NumberList({bbox[0], bbox[1], w, h}) +
           ",\"iscrowd\":0";
    if (points) ann += KeypointsJson(*points, category_id);
    if (!lead->attributes.empty()) {
      ann += ",\"attributes\":" + lead->attributes.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    ann += "}";
    return part.annotations.Append((part.annotation_count++ ? ",\n" : "\n") + ann);
  }

  Status AddMask(Part& part, int64_t image_id, const Item& item, const MaskRegion& mask) {
    int category_id = CategoryId(mask.label);
    if (category_id == 0) {
      ctx_.skipped->Add("COCO: label not in the config: " + mask.label);
      return Status::Ok();
    }
    if (item.width <= 0 || mask.pixels.size() != static_cast<size_t>(item.width * item.height)) {
      ctx_.skipped->Add("COCO: mask of another size than its image");
      return Status::Ok();
    }
    std::vector<uint32_t> counts = CocoCountsFromMask(mask.pixels, item.width, item.height);
    std::array<double, 4> bbox = MaskBbox(mask.pixels, item.width, item.height);
    std::string ann = "{\"id\":" + std::to_string(++annotation_id_) + ",\"image_id\":" + std::to_string(image_id) +
                      ",\"category_id\":" + std::to_string(category_id) + ",\"segmentation\":{\"size\":[" +
                      std::to_string(item.height) + "," + std::to_string(item.width) + "],\"counts\":[";
    for (size_t k = 0; k < counts.size(); ++k) {
      if (k) ann += ',';
      ann += std::to_string(counts[k]);
    }
    ann += "]},\"area\":" + std::to_string(MaskArea(mask.pixels)) + ",\"bbox\":" +
           NumberList({bbox[0], bbox[1], bbox[2], bbox[3]}) + ",\"iscrowd\":1";
    if (!mask.attributes.empty()) {
      ann += ",\"attributes\":" + mask.attributes.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    ann += "}";
    return part.annotations.Append((part.annotation_count++ ? ",\n" : "\n") + ann);
  }

  // ,"keypoints":[x,y,v,...],"num_keypoints":n in the category's point order.
  std::string KeypointsJson(const Shape& points, int category_id) {
    const std::vector<std::string>& order = ctx_.categories[static_cast<size_t>(category_id - 1)].keypoints;
    std::vector<double> flat;
    int visible = 0;
    auto push = [&](size_t p) {
      int v = p < points.visibility.size() ? points.visibility[p] : 2;
      flat.push_back(v ? points.points[p * 2] : 0);
      flat.push_back(v ? points.points[p * 2 + 1] : 0);
      flat.push_back(v);
      if (v) ++visible;
    };
    size_t count = points.points.size() / 2;
    bool named = !order.empty() && points.point_labels.size() == count;
    if (named) {
      for (const std::string& name : order) {
        size_t found = count;
        for (size_t p = 0; p < count; ++p) {
          if (points.point_labels[p] == name) found = p;
        }
        if (found == count) {
          flat.insert(flat.end(), {0, 0, 0});
        } else {
          push(found);
        }
      }
    } else {
      for (size_t p = 0; p < count; ++p) push(p);
    }
    return ",\"keypoints\":" + NumberList(flat) + ",\"num_keypoints\":" + std::to_string(visible);
  }

  WriterContext ctx_;
  SinkFile file_;
  std::map<std::string, std::unique_ptr<Part>> parts_;
  NameAllocator names_;
  int64_t images_written_ = 0;
  int64_t annotation_id_ = 0;
};

std::vector<double> Doubles(const json& array) {
  std::vector<double> out;
  if (!array.is_array()) return out;
  for (const json& v : array) {
    if (!v.is_number()) return {};
    double d = v.get<double>();
    if (!std::isfinite(d)) return {};
    out.push_back(d);
  }
  return out;
}

// An image dimension: a whole number of pixels in a sane range, else 0.
int64_t SizeField(const json& image, const char* key) {
  auto found = image.find(key);
  if (found == image.end() || !found->is_number()) return 0;
  double v = found->get<double>();
  return std::isfinite(v) && v > 0 && v < 1e9 ? static_cast<int64_t>(v) : 0;
}

Status ReadCocoFile(const fs::path& root, const fs::path& file, const ReadOptions& options, DatasetHeader* header,
                    Tally* problems, const ItemSink& sink) {
  TESSERA_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(file, options.max_file_bytes));
  json doc = json::parse(text, nullptr, false);
  text.clear();
  if (!doc.is_object()) return Status::InvalidArgument(file.string() + " is not a COCO JSON object");
  std::string subset = file.stem().string();
  if (size_t underscore = subset.rfind('_'); underscore != std::string::npos) subset = subset.substr(underscore + 1);

  std::map<int64_t, size_t> category_index;  // COCO id -> header index
  if (auto cats = doc.find("categories"); cats != doc.end() && cats->is_array()) {
    for (const json& cat : *cats) {
      if (!cat.is_object() || !cat.contains("id") || !cat["id"].is_number_integer() ||
          !cat.contains("name") || !cat["name"].is_string()) {
        problems->Add("COCO category without an integer id and a name");
        continue;
      }
      std::string name = cat["name"].get<std::string>();
      size_t idx = header->categories.size();
      for (size_t i = 0; i < header->categories.size(); ++i) {
        if (header->categories[i].name == name) idx = i;
      }
      if (idx == header->categories.size()) header->categories.push_back(Category{name, {}, {}});
      Category& category = header->categories[idx];
      if (auto kps = cat.find("keypoints"); kps != cat.end() && kps->is_array() && category.keypoints.empty()) {
        for (const json& kp : *kps) {
          if (kp.is_string()) category.keypoints.push_back(kp.get<std::string>());
        }
      }
      category_index[cat["id"].get<int64_t>()] = idx;
    }
  }
  // Items keyed by image id, in the file's image order.
  std::map<int64_t, Item> items;
  std::vector<int64_t> order;
  if (auto images = doc.find("images"); images != doc.end() && images->is_array()) {
    for (const json& image : *images) {
      if (!image.is_object() || !image.contains("id") || !image["id"].is_number_integer()) {
        problems->Add("COCO image without an integer id");
        continue;
      }
      Item item;
      int64_t id = image["id"].get<int64_t>();
      item.subset = subset;
      if (image.contains("file_name") && image["file_name"].is_string()) {
        item.image = image["file_name"].get<std::string>();
      }
      // COCO keeps images in images/<subset>/ (or images/) beside annotations/.
      for (const fs::path& candidate : {fs::path("images") / subset / item.image, fs::path("images") / item.image}) {
        std::error_code exists_ec;
        if (!item.image.empty() && fs::is_regular_file(root / candidate, exists_ec)) {
          item.image = candidate.generic_string();
          break;
        }
      }
      item.id = Stem(item.image);
      item.width = SizeField(image, "width");
      item.height = SizeField(image, "height");
      if (items.emplace(id, std::move(item)).second) order.push_back(id);
    }
  }
  int64_t group = 0;
  if (auto anns = doc.find("annotations"); anns != doc.end() && anns->is_array()) {
    for (const json& ann : *anns) {
      if (!ann.is_object() || !ann.contains("image_id") || !ann["image_id"].is_number_integer() ||
          !ann.contains("category_id") || !ann["category_id"].is_number_integer()) {
        problems->Add("COCO annotation without integer image_id and category_id");
        continue;
      }
      auto item_it = items.find(ann["image_id"].get<int64_t>());
      auto cat_it = category_index.find(ann["category_id"].get<int64_t>());
      if (item_it == items.end()) { problems->Add("COCO annotation for an unknown image_id"); continue; }
      if (cat_it == category_index.end()) { problems->Add("COCO annotation with an unknown category_id"); continue; }
      Item& item = item_it->second;
      const Category& category = header->categories[cat_it->second];
      ++group;
      json attributes = ann.contains("attributes") && ann["attributes"].is_object() ? ann["attributes"] : json::object();
      const json& seg = ann.contains("segmentation") ? ann["segmentation"] : json();
      bool has_mask = false;
      if (seg.is_object()) {
        auto pixels = MaskFromCocoSegmentation(seg, item.width, item.height);
        if (pixels.ok()) {
          if (item.width <= 0) item.width = seg["size"][1].get<int64_t>(), item.height = seg["size"][0].get<int64_t>();
          MaskRegion mask;
          mask.label = category.name;
          mask.pixels = std::move(*pixels);
          // 255 inside: Label Studio draws a brush by its alpha.
          for (uint8_t& p : mask.pixels) p = p ? 255 : 0;
          mask.attributes = attributes;
          item.masks.push_back(std::move(mask));
          has_mask = true;
        } else {
          problems->Add("COCO RLE mask not imported (malformed or not the image's size); its bbox is kept");
        }
      } else if (seg.is_array()) {
        for (const json& poly : seg) {
          std::vector<double> pts = Doubles(poly);
          if (pts.size() < 6 || pts.size() % 2) { problems->Add("COCO polygon with fewer than 3 points"); continue; }
          Shape polygon;
          polygon.type = ShapeType::kPolygon;
          polygon.label = category.name;
          polygon.points = std::move(pts);
          polygon.group = group;
          item.shapes.push_back(std::move(polygon));
        }
      }
      std::vector<double> kps = Doubles(ann.value("keypoints", json()));
      if (!kps.empty() && kps.size() % 3 == 0) {
        Shape points;
        points.type = ShapeType::kPoints;
        points.label = category.name;
        points.group = group;
        for (size_t p = 0; p * 3 + 2 < kps.size(); ++p) {
          points.points.push_back(kps[p * 3]);
          points.points.push_back(kps[p * 3 + 1]);
          points.visibility.push_back(static_cast<int>(std::clamp(kps[p * 3 + 2], 0.0, 2.0)));
          // Unnamed points: a single one is the category itself, more are numbered.
          std::string name = p < category.keypoints.size() ? category.keypoints[p]
                             : kps.size() == 3            ? ""
                                                          : category.name + "_" + std::to_string(p + 1);
          points.point_labels.push_back(std::move(name));
        }
        item.shapes.push_back(std::move(points));
      }
      // The bbox stands as a box only when nothing else outlines the object
      // (as Datumaro reads COCO): polygons imply it, and a keypoint-only
      // object's bbox is just their bounds.
      std::vector<double> bbox = Doubles(ann.value("bbox", json()));
      bool has_polygons = false, has_points = false;
      for (const Shape& shape : item.shapes) {
        if (shape.group != group) continue;
        has_polygons |= shape.type == ShapeType::kPolygon;
        has_points |= shape.type == ShapeType::kPoints;
      }
      // A mask outlines its object too, unless keypoints need the box to hold
      // the object's bbox (the mask is exported as an annotation of its own).
      if (bbox.size() == 4 && !has_polygons && !(has_mask && !has_points) &&
          !(has_points && bbox[2] == 0 && bbox[3] == 0)) {
        Shape box;
        box.type = ShapeType::kBox;
        box.label = category.name;
        box.points = {bbox[0], bbox[1], bbox[0] + bbox[2], bbox[1] + bbox[3]};
        box.group = group;
        box.attributes = attributes;
        // Keep the object's regions in the order box, polygons, points.
        auto first = std::find_if(item.shapes.begin(), item.shapes.end(),
                                  [&](const Shape& shape) { return shape.group == group; });
        item.shapes.insert(first, std::move(box));
      } else if (!attributes.empty()) {
        for (Shape& shape : item.shapes) {
          if (shape.group == group) {
            shape.attributes = attributes;
            break;
          }
        }
      }
    }
  }
  for (int64_t id : order) TESSERA_RETURN_IF_ERROR(sink(std::move(items[id])));
  return Status::Ok();
}

}  // namespace

std::unique_ptr<DatasetWriter> NewCocoWriter(const WriterContext& ctx) { return std::make_unique<CocoWriter>(ctx); }

Status ReadCoco(const fs::path& path, const ReadOptions& options, DatasetHeader* header, Tally* problems,
                const ItemSink& sink) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    return ReadCocoFile(path.parent_path().parent_path(), path, options, header, problems, sink);
  }
  fs::path dir = fs::is_directory(path / "annotations", ec) ? path / "annotations" : path;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (ec) return Status::NotFound("cannot list " + dir.string() + ": " + ec.message());
  if (files.empty()) return Status::NotFound("no COCO .json files in " + dir.string());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    TESSERA_RETURN_IF_ERROR(ReadCocoFile(path, file, options, header, problems, sink));
  }
  return Status::Ok();
}

}  // namespace tessera::formats
