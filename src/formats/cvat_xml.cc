// CVAT for images 1.1 XML: one annotations.xml with <meta> (labels) and one
// <image> per task holding <box>, <polygon>, <polyline>, <points> and
// <skeleton> elements in pixels. A split is the image's subset= attribute,
// as in CVAT's project export (Datumaro's <subset>.xml files are read too).
//
// Mapping: a box's rotation in CVAT turns around the box centre, Label
// Studio's around its top-left corner; both are converted. <attribute>
// children and occluded="1" live in the region's attributes. A <points> of
// unnamed points is one object; a <skeleton>'s named points keep their names
// (the keypoint labels, with category= the skeleton's label). outside="1" is
// an absent point (visibility 0), occluded="1" a hidden one (visibility 1).
// Shapes without a label cannot be labeled regions and are reported.
// Brush regions are <mask> elements (CVAT >= 2.3): rle= run lengths over the
// region's tight box at left/top/width/height (brush_rle.h), read back into
// brush regions.
#include <cmath>
#include <limits>
#include <pugixml.hpp>

#include "src/formats/brush_rle.h"
#include "src/formats/dataset_io.h"
#include "tessera/util.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string PointsAttr(const std::vector<double>& pts) {
  std::string out;
  for (size_t i = 0; i + 1 < pts.size(); i += 2) {
    if (i) out += ';';
    out += FormatNumber(pts[i]) + ',' + FormatNumber(pts[i + 1]);
  }
  return out;
}

bool Truthy(const json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number()) return value.get<double>() != 0;
  if (value.is_string()) return value == "1" || value == "true" || value == "True";
  return false;
}

// <attribute> children plus occluded="..".
std::string AttributesXml(const json& attributes, std::string* occluded) {
  std::string xml;
  *occluded = "0";
  for (const auto& [name, value] : attributes.items()) {
    if (name == "occluded") {
      *occluded = Truthy(value) ? "1" : "0";
      continue;
    }
    std::string text = value.is_string() ? value.get<std::string>()
                       : value.is_number() ? FormatNumber(value.get<double>())
                       : value.is_boolean() ? (value.get<bool>() ? "true" : "false")
                                            : value.dump();
    xml += "      <attribute name=\"" + XmlEscape(name) + "\">" + XmlEscape(text) + "</attribute>\n";
  }
  return xml;
}

class CvatWriter : public DatasetWriter {
 public:
  explicit CvatWriter(const WriterContext& ctx) : ctx_(ctx), file_(*ctx.sink) {}

  Status Add(const Item& item) override {
    if (!started_) TESSERA_RETURN_IF_ERROR(Start());
    // A split goes where CVAT's project export puts it: subset= on the image.
    std::string xml = "  <image id=\"" + std::to_string(next_id_++) + "\" name=\"" + XmlEscape(names_.Unique(item)) +
                      "\"" + (item.subset.empty() ? "" : " subset=\"" + XmlEscape(item.subset) + "\"") +
                      " width=\"" + std::to_string(item.width) + "\" height=\"" + std::to_string(item.height) +
                      "\">\n";
    for (const Shape& shape : item.shapes) xml += ShapeXml(shape);
    for (const MaskRegion& mask : item.masks) xml += MaskXml(item, mask);
    xml += "  </image>\n";
    return file_.Write(xml);
  }

  Status Finish() override {
    if (!started_) TESSERA_RETURN_IF_ERROR(Start());
    TESSERA_RETURN_IF_ERROR(file_.Write("</annotations>\n"));
    return file_.Close();
  }

 private:
  Status Start() {
    started_ = true;
    TESSERA_RETURN_IF_ERROR(file_.Open("annotations.xml"));
    std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<annotations>\n  <version>1.1</version>\n"
                      "  <meta>\n    <task>\n      <mode>annotation</mode>\n      <labels>\n";
    for (const Category& category : ctx_.categories) {
      xml += "        <label>\n          <name>" + XmlEscape(category.name) + "</name>\n";
      if (!category.keypoints.empty()) xml += "          <type>skeleton</type>\n";
      xml += "          <attributes>\n          </attributes>\n        </label>\n";
      for (const std::string& point : category.keypoints) {
        xml += "        <label>\n          <name>" + XmlEscape(point) + "</name>\n          <type>points</type>\n"
               "          <attributes>\n          </attributes>\n          <parent>" + XmlEscape(category.name) +
               "</parent>\n        </label>\n";
      }
    }
    xml += "      </labels>\n    </task>\n  </meta>\n";
    return file_.Write(xml);
  }

  const Category* FindCategory(const std::string& name) const {
    for (const Category& category : ctx_.categories) {
      if (category.name == name) return &category;
    }
    return nullptr;
  }

  std::string ShapeXml(const Shape& shape) {
    std::string occluded;
    std::string attrs = AttributesXml(shape.attributes, &occluded);
    std::string head = "    <";
    std::string label = " label=\"" + XmlEscape(shape.label) + "\" occluded=\"" + occluded + "\" source=\"manual\"";
    std::string tag;
    switch (shape.type) {
      case ShapeType::kBox: {
        tag = "box";
        double x = shape.points[0], y = shape.points[1];
        double w = shape.points[2] - x, h = shape.points[3] - y;
        double xtl = x, ytl = y;
        std::string rotation;
        if (shape.rotation != 0) {
          // LS turns around the top-left corner, CVAT around the centre.
          double rad = shape.rotation * M_PI / 180.0, c = std::cos(rad), s = std::sin(rad);
          double cx = x + (w / 2) * c - (h / 2) * s, cy = y + (w / 2) * s + (h / 2) * c;
          xtl = cx - w / 2;
          ytl = cy - h / 2;
          rotation = " rotation=\"" + FormatNumber(shape.rotation) + "\"";
        }
        head += tag + label + " xtl=\"" + FormatNumber(xtl) + "\" ytl=\"" + FormatNumber(ytl) + "\" xbr=\"" +
                FormatNumber(xtl + w) + "\" ybr=\"" + FormatNumber(ytl + h) + "\"" + rotation;
        break;
      }
      case ShapeType::kPolygon:
      case ShapeType::kPolyline:
        tag = shape.type == ShapeType::kPolygon ? "polygon" : "polyline";
        head += tag + label + " points=\"" + PointsAttr(shape.points) + "\"";
        break;
      case ShapeType::kPoints:
        return PointsXml(shape, label, attrs);
    }
    head += " z_order=\"0\"";
    if (attrs.empty()) return head + "/>\n";
    return head + ">\n" + attrs + "    </" + tag + ">\n";
  }

  // A brush region as CVAT's <mask>: run lengths over its tight box.
  std::string MaskXml(const Item& item, const MaskRegion& mask) {
    if (item.width <= 0 || mask.pixels.size() != static_cast<size_t>(item.width * item.height)) {
      ctx_.skipped->Add("CVAT: mask of another size than its image");
      return "";
    }
    CvatMaskRle rle = CvatRleFromMask(mask.pixels, item.width, item.height);
    if (rle.counts.empty()) {
      ctx_.skipped->Add("CVAT: empty mask");
      return "";
    }
    std::string occluded;
    std::string attrs = AttributesXml(mask.attributes, &occluded);
    std::string counts;
    for (size_t k = 0; k < rle.counts.size(); ++k) {
      if (k) counts += ", ";
      counts += std::to_string(rle.counts[k]);
    }
    std::string head = "    <mask label=\"" + XmlEscape(mask.label) + "\" source=\"manual\" occluded=\"" + occluded +
                       "\" rle=\"" + counts + "\" left=\"" + std::to_string(rle.left) + "\" top=\"" +
                       std::to_string(rle.top) + "\" width=\"" + std::to_string(rle.width) + "\" height=\"" +
                       std::to_string(rle.height) + "\" z_order=\"0\"";
    return attrs.empty() ? head + "/>\n" : head + ">\n" + attrs + "    </mask>\n";
  }

  std::string PointsXml(const Shape& shape, const std::string& label, const std::string& attrs) {
    bool named = std::any_of(shape.point_labels.begin(), shape.point_labels.end(),
                             [](const std::string& name) { return !name.empty(); });
    if (!named) {
      std::vector<double> visible;
      for (size_t p = 0; p * 2 + 1 < shape.points.size(); ++p) {
        if (p < shape.visibility.size() && shape.visibility[p] == 0) continue;
        visible.push_back(shape.points[p * 2]);
        visible.push_back(shape.points[p * 2 + 1]);
      }
      std::string head = "    <points" + label + " points=\"" + PointsAttr(visible) + "\" z_order=\"0\"";
      return attrs.empty() ? head + "/>\n" : head + ">\n" + attrs + "    </points>\n";
    }
    // A skeleton: every declared point in the category's order, absent ones outside.
    std::vector<std::string> order;
    if (const Category* category = FindCategory(shape.label)) order = category->keypoints;
    for (const std::string& name : shape.point_labels) {
      if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
    }
    std::string xml = "    <skeleton" + label + " points=\"\" rotation=\"0.00\" z_order=\"0\">\n";
    for (const std::string& name : order) {
      size_t found = shape.point_labels.size();
      for (size_t p = 0; p < shape.point_labels.size(); ++p) {
        if (shape.point_labels[p] == name) found = p;
      }
      int visibility = found < shape.visibility.size() ? shape.visibility[found] : (found < shape.point_labels.size() ? 2 : 0);
      std::vector<double> xy = visibility > 0 ? std::vector<double>{shape.points[found * 2], shape.points[found * 2 + 1]}
                                              : std::vector<double>{0, 0};
      xml += "      <points label=\"" + XmlEscape(name) + "\" occluded=\"" + (visibility == 1 ? "1" : "0") +
             "\" source=\"manual\" outside=\"" + (visibility == 0 ? "1" : "0") + "\" points=\"" + PointsAttr(xy) +
             "\" z_order=\"0\">\n      </points>\n";
    }
    return xml + attrs + "    </skeleton>\n";
  }

  WriterContext ctx_;
  SinkFile file_;
  NameAllocator names_;
  bool started_ = false;
  int64_t next_id_ = 0;
};

bool ParsePoints(const char* text, std::vector<double>* out) {
  out->clear();
  std::string s(text);
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find(';', start);
    if (end == std::string::npos) end = s.size();
    std::string pair = s.substr(start, end - start);
    start = end + 1;
    size_t comma = pair.find(',');
    if (comma == std::string::npos) return false;
    char* e1 = nullptr;
    char* e2 = nullptr;
    std::string xs = std::string(Trim(pair.substr(0, comma))), ys = std::string(Trim(pair.substr(comma + 1)));
    double x = std::strtod(xs.c_str(), &e1), y = std::strtod(ys.c_str(), &e2);
    if (xs.empty() || ys.empty() || *e1 || *e2 || !std::isfinite(x) || !std::isfinite(y)) return false;
    out->push_back(x);
    out->push_back(y);
  }
  return !out->empty();
}

json ReadAttributes(pugi::xml_node node) {
  json attrs = json::object();
  if (node.attribute("occluded").as_int(0) == 1) attrs["occluded"] = true;
  for (pugi::xml_node attr : node.children("attribute")) attrs[attr.attribute("name").value()] = attr.text().get();
  return attrs;
}

bool ReadBox(pugi::xml_node node, Shape* shape) {
  double v[4];
  const char* keys[] = {"xtl", "ytl", "xbr", "ybr"};
  for (int idx = 0; idx < 4; ++idx) {
    pugi::xml_attribute attr = node.attribute(keys[idx]);
    char* end = nullptr;
    v[idx] = std::strtod(attr.value(), &end);
    if (!attr || *end || !std::isfinite(v[idx])) return false;
  }
  double w = v[2] - v[0], h = v[3] - v[1];
  double rotation = node.attribute("rotation").as_double(0);
  if (!std::isfinite(rotation)) rotation = 0;
  shape->type = ShapeType::kBox;
  shape->rotation = rotation;
  if (rotation == 0) {
    shape->points = {v[0], v[1], v[2], v[3]};
  } else {
    // From CVAT's centre rotation to LS's top-left rotation.
    double rad = rotation * M_PI / 180.0, c = std::cos(rad), s = std::sin(rad);
    double cx = v[0] + w / 2, cy = v[1] + h / 2;
    double x = cx - (w / 2) * c + (h / 2) * s, y = cy - (w / 2) * s - (h / 2) * c;
    shape->points = {x, y, x + w, y + h};
  }
  return true;
}

// A <mask>'s pixels in its image: rle="n0, n1, ..." over the box at
// left/top of width x height.
Result<std::vector<uint8_t>> ReadMask(pugi::xml_node node, int64_t image_width, int64_t image_height) {
  CvatMaskRle rle;
  for (const char* key : {"left", "top", "width", "height"}) {
    pugi::xml_attribute attr = node.attribute(key);
    char* end = nullptr;
    const long long v = std::strtoll(attr.value(), &end, 10);
    if (!attr || end == attr.value() || *end) {
      return Status::InvalidArgument(std::string(key) + " must be a whole number of pixels");
    }
    int64_t& field = key[0] == 'l' ? rle.left : key[0] == 't' ? rle.top : key[0] == 'w' ? rle.width : rle.height;
    field = v;
  }
  std::string_view text = node.attribute("rle").value();
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string number(Trim(text.substr(0, comma)));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    char* end = nullptr;
    const unsigned long long v = std::strtoull(number.c_str(), &end, 10);
    if (number.empty() || number[0] == '-' || *end || v > std::numeric_limits<uint32_t>::max()) {
      return Status::InvalidArgument("rle must be comma-separated run lengths; \"" + number + "\" is not one");
    }
    rle.counts.push_back(static_cast<uint32_t>(v));
  }
  return MaskFromCvatRle(rle, image_width, image_height);
}

Status ReadCvatFile(const fs::path& root, const fs::path& file, const ReadOptions& options, DatasetHeader* header,
                    Tally* problems, const ItemSink& sink) {
  pugi::xml_document doc;
  pugi::xml_node annotations;
  TESSERA_RETURN_IF_ERROR(LoadCvatXml(file, options, &doc, &annotations));
  pugi::xml_node labels = annotations.child("meta").child("task").child("labels");
  if (!labels) labels = annotations.child("meta").child("project").child("labels");
  for (pugi::xml_node label : labels.children("label")) {
    std::string name = label.child("name").text().get();
    std::string parent = label.child("parent").text().get();
    if (!parent.empty()) {
      for (Category& category : header->categories) {
        if (category.name == parent) category.keypoints.push_back(name);
      }
      continue;
    }
    if (std::none_of(header->categories.begin(), header->categories.end(),
                     [&](const Category& c) { return c.name == name; })) {
      header->categories.push_back(Category{name, {}, {}});
    }
  }
  std::string subset = file.stem().string() == "annotations" ? "" : file.stem().string();
  if (annotations.child("track")) {
    problems->Add("CVAT: video tracks not imported (CVAT for video goes into a project with <Video> and "
                  "<VideoRectangle>)");
  }
  for (pugi::xml_node image : annotations.children("image")) {
    Item item;
    std::string name = image.attribute("name").value();
    item.id = Stem(name);
    std::error_code ec;
    item.image = fs::is_regular_file(root / "images" / name, ec) ? "images/" + name : name;
    item.subset = image.attribute("subset") ? image.attribute("subset").value() : subset;
    item.width = image.attribute("width").as_llong(0);
    item.height = image.attribute("height").as_llong(0);
    int64_t group = 0;
    for (pugi::xml_node node : image.children()) {
      std::string tag = node.name();
      Shape shape;
      shape.label = node.attribute("label").value();
      shape.attributes = ReadAttributes(node);
      if (shape.label.empty()) {
        problems->Add("CVAT: " + tag + " without a label");
        continue;
      }
      if (tag == "box") {
        if (!ReadBox(node, &shape)) { problems->Add("CVAT: malformed box"); continue; }
      } else if (tag == "polygon" || tag == "polyline" || tag == "points") {
        if (!ParsePoints(node.attribute("points").value(), &shape.points)) {
          problems->Add("CVAT: malformed " + tag);
          continue;
        }
        shape.type = tag == "polygon" ? ShapeType::kPolygon : tag == "polyline" ? ShapeType::kPolyline : ShapeType::kPoints;
        if (shape.type == ShapeType::kPoints) {
          shape.visibility.assign(shape.points.size() / 2, 2);
          shape.point_labels.assign(shape.points.size() / 2, "");
        }
      } else if (tag == "skeleton") {
        shape.type = ShapeType::kPoints;
        shape.group = ++group;
        for (pugi::xml_node point : node.children("points")) {
          std::vector<double> xy;
          if (!ParsePoints(point.attribute("points").value(), &xy) || xy.size() != 2) {
            problems->Add("CVAT: malformed skeleton point");
            continue;
          }
          int visibility = point.attribute("outside").as_int(0) == 1 ? 0 : point.attribute("occluded").as_int(0) == 1 ? 1 : 2;
          shape.points.insert(shape.points.end(), xy.begin(), xy.end());
          shape.visibility.push_back(visibility);
          shape.point_labels.push_back(point.attribute("label").value());
        }
        if (shape.points.empty()) continue;
      } else if (tag == "mask") {
        auto pixels = ReadMask(node, item.width, item.height);
        if (!pixels.ok()) {
          problems->Add("CVAT: mask not imported (" + pixels.status().message() + ")");
          continue;
        }
        MaskRegion mask;
        mask.label = shape.label;
        mask.pixels = std::move(*pixels);
        mask.attributes = std::move(shape.attributes);
        item.masks.push_back(std::move(mask));
        continue;
      } else {
        if (tag == "ellipse" || tag == "cuboid" || tag == "tag") problems->Add("CVAT: " + tag + " not imported");
        continue;
      }
      item.shapes.push_back(std::move(shape));
    }
    TESSERA_RETURN_IF_ERROR(sink(std::move(item)));
  }
  return Status::Ok();
}

}  // namespace

std::unique_ptr<DatasetWriter> NewCvatWriter(const WriterContext& ctx) { return std::make_unique<CvatWriter>(ctx); }

Result<std::vector<fs::path>> CvatXmlFiles(const fs::path& path) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return std::vector<fs::path>{path};
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".xml") files.push_back(entry.path());
  }
  if (ec) return Status::NotFound("cannot list " + path.string() + ": " + ec.message());
  if (files.empty()) return Status::NotFound("no CVAT .xml file in " + path.string());
  std::sort(files.begin(), files.end());
  return files;
}

Status LoadCvatXml(const fs::path& file, const ReadOptions& options, pugi::xml_document* doc,
                   pugi::xml_node* annotations) {
  TESSERA_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(file, options.max_file_bytes));
  if (!doc->load_buffer(text.data(), text.size())) return Status::InvalidArgument(file.string() + " is not valid XML");
  *annotations = doc->child("annotations");
  if (!*annotations) return Status::InvalidArgument(file.string() + " has no <annotations> root");
  return Status::Ok();
}

Status ReadCvat(const fs::path& path, const ReadOptions& options, DatasetHeader* header, Tally* problems,
                const ItemSink& sink) {
  TESSERA_ASSIGN_OR_RETURN(std::vector<fs::path> files, CvatXmlFiles(path));
  std::error_code ec;
  // Image paths are relative to the folder the XML is in.
  const fs::path root = fs::is_regular_file(path, ec) ? path.parent_path() : path;
  for (const fs::path& file : files) TESSERA_RETURN_IF_ERROR(ReadCvatFile(root, file, options, header, problems, sink));
  return Status::Ok();
}

}  // namespace tessera::formats
