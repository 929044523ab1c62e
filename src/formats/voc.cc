// Pascal VOC: Annotations/<image>.xml per image plus ImageSets/Main/default.txt.
//
// Export: each box is an <object> with <bndbox> in pixels, written exactly
// (VOC's own files use integers; fractional values survive a round trip).
// Further boxes of the same object are its <part>s. <pose>, <truncated>,
// <difficult>, <occluded> and <actions> come from the region's attributes.
// Import: Annotations/*.xml (or one .xml file); a <part> becomes a box grouped
// with its object. Polygons and points have no place in VOC and are counted.
#include <map>
#include <memory>
#include <pugixml.hpp>

#include "src/formats/dataset_io.h"
#include "tessera/util.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string BoxXml(const std::vector<double>& b, const std::string& indent) {
  return indent + "<bndbox>\n" + indent + "  <xmin>" + FormatNumber(b[0]) + "</xmin>\n" + indent + "  <ymin>" +
         FormatNumber(b[1]) + "</ymin>\n" + indent + "  <xmax>" + FormatNumber(b[2]) + "</xmax>\n" + indent +
         "  <ymax>" + FormatNumber(b[3]) + "</ymax>\n" + indent + "</bndbox>\n";
}

std::string AttrText(const json& attributes, const char* key, const char* fallback) {
  auto found = attributes.find(key);
  if (found == attributes.end()) return fallback;
  if (found->is_string()) return found->get<std::string>();
  if (found->is_boolean()) return found->get<bool>() ? "1" : "0";
  if (found->is_number()) return FormatNumber(found->get<double>());
  return fallback;
}

class VocWriter : public DatasetWriter {
 public:
  explicit VocWriter(const WriterContext& ctx) : ctx_(ctx), file_(*ctx.sink) {}

  Status Add(const Item& item) override {
    std::string name = names_.Unique(item);
    std::string stem = Stem(name);
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<annotation>\n  <folder>JPEGImages</folder>\n"
                      "  <filename>" + XmlEscape(name) + "</filename>\n  <size>\n    <width>" +
                      std::to_string(item.width) + "</width>\n    <height>" + std::to_string(item.height) +
                      "</height>\n    <depth>3</depth>\n  </size>\n  <segmented>0</segmented>\n";
    // Objects: first box of a group; later boxes of the group are parts.
    std::vector<const Shape*> objects;
    std::vector<std::vector<const Shape*>> parts;
    for (const Shape& shape : item.shapes) {
      if (shape.type != ShapeType::kBox) {
        ctx_.skipped->Add("VOC: non-box region (VOC holds boxes only)");
        continue;
      }
      bool is_part = false;
      if (shape.group != 0) {
        for (size_t obj_idx = 0; obj_idx < objects.size(); ++obj_idx) {
          if (objects[obj_idx]->group == shape.group) {
            parts[obj_idx].push_back(&shape);
            is_part = true;
            break;
          }
        }
      }
      if (!is_part) {
        objects.push_back(&shape);
        parts.emplace_back();
      }
    }
    for (size_t obj_idx = 0; obj_idx < objects.size(); ++obj_idx) {
      const Shape& box = *objects[obj_idx];
      const json& attrs = box.attributes;
      xml += "  <object>\n    <name>" + XmlEscape(box.label) + "</name>\n    <pose>" +
             XmlEscape(AttrText(attrs, "pose", "Unspecified")) + "</pose>\n    <truncated>" +
             XmlEscape(AttrText(attrs, "truncated", "0")) + "</truncated>\n    <difficult>" +
             XmlEscape(AttrText(attrs, "difficult", "0")) + "</difficult>\n    <occluded>" +
             XmlEscape(AttrText(attrs, "occluded", "0")) + "</occluded>\n";
      xml += BoxXml(AxisAlignedBox(box, *ctx_.skipped), "    ");
      for (const Shape* part : parts[obj_idx]) {
        xml += "    <part>\n      <name>" + XmlEscape(part->label) + "</name>\n" +
               BoxXml(AxisAlignedBox(*part, *ctx_.skipped), "      ") + "    </part>\n";
      }
      if (auto actions = attrs.find("actions"); actions != attrs.end() && actions->is_object() && !actions->empty()) {
        xml += "    <actions>\n";
        for (const auto& [action, value] : actions->items()) {
          std::string tag = XmlEscape(action);
          xml += "      <" + tag + ">" + AttrText(*actions, action.c_str(), "0") + "</" + tag + ">\n";
        }
        xml += "    </actions>\n";
      }
      xml += "  </object>\n";
    }
    xml += "</annotation>\n";
    TESSERA_RETURN_IF_ERROR(file_.WriteFile("Annotations/" + stem + ".xml", xml));
    std::unique_ptr<Spill>& list = lists_[item.subset.empty() ? "default" : item.subset];
    if (!list) list = std::make_unique<Spill>();
    return list->Append(stem + "\n");
  }

  Status Finish() override {
    std::string labelmap = "# label:color_rgb:parts:actions\n";
    for (const Category& category : ctx_.categories) labelmap += category.name + ":::\n";
    TESSERA_RETURN_IF_ERROR(file_.WriteFile("labelmap.txt", labelmap));
    // One image list per split: ImageSets/Main/<split>.txt ("default" without splits).
    if (lists_.empty()) lists_["default"] = std::make_unique<Spill>();
    for (const auto& [subset, list] : lists_) {
      TESSERA_RETURN_IF_ERROR(file_.Open("ImageSets/Main/" + subset + ".txt"));
      TESSERA_RETURN_IF_ERROR(list->CopyTo(file_));
      TESSERA_RETURN_IF_ERROR(file_.Close());
    }
    return Status::Ok();
  }

 private:
  WriterContext ctx_;
  SinkFile file_;
  std::map<std::string, std::unique_ptr<Spill>> lists_;
  NameAllocator names_;
};

bool ReadBox(pugi::xml_node node, std::vector<double>* out) {
  pugi::xml_node box = node.child("bndbox");
  if (!box) return false;
  out->clear();
  for (const char* key : {"xmin", "ymin", "xmax", "ymax"}) {
    pugi::xml_node value = box.child(key);
    if (!value) return false;
    std::string text(Trim(value.text().get()));
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(v)) return false;
    out->push_back(v);
  }
  return true;
}

Status ReadVocFile(const fs::path& root, const fs::path& file, const ReadOptions& options, Tally* problems,
                   const ItemSink& sink) {
  TESSERA_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(file, options.max_file_bytes));
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(text.data(), text.size());
  if (!parsed) {
    problems->Add("VOC: unreadable XML file");
    return Status::Ok();
  }
  pugi::xml_node annotation = doc.child("annotation");
  if (!annotation) {
    problems->Add("VOC: XML file without <annotation>");
    return Status::Ok();
  }
  Item item;
  std::string filename = annotation.child("filename").text().get();
  if (filename.empty()) filename = file.stem().string() + ".jpg";
  item.id = Stem(filename);
  std::error_code ec;
  item.image = fs::is_regular_file(root / "JPEGImages" / filename, ec) ? "JPEGImages/" + filename : filename;
  item.width = annotation.child("size").child("width").text().as_llong(0);
  item.height = annotation.child("size").child("height").text().as_llong(0);
  int64_t group = 0;
  for (pugi::xml_node object : annotation.children("object")) {
    Shape box;
    box.type = ShapeType::kBox;
    box.label = object.child("name").text().get();
    if (box.label.empty() || !ReadBox(object, &box.points)) {
      problems->Add("VOC: <object> without a name or a complete <bndbox>");
      continue;
    }
    for (const char* key : {"pose", "truncated", "difficult", "occluded"}) {
      if (pugi::xml_node value = object.child(key)) box.attributes[key] = value.text().get();
    }
    if (pugi::xml_node actions = object.child("actions")) {
      json acts = json::object();
      for (pugi::xml_node action : actions.children()) acts[action.name()] = action.text().get();
      box.attributes["actions"] = std::move(acts);
    }
    bool has_parts = object.child("part");
    if (has_parts) box.group = ++group;
    item.shapes.push_back(box);
    for (pugi::xml_node part : object.children("part")) {
      Shape part_box;
      part_box.type = ShapeType::kBox;
      part_box.label = part.child("name").text().get();
      part_box.group = box.group;
      if (part_box.label.empty() || !ReadBox(part, &part_box.points)) {
        problems->Add("VOC: <part> without a name or a complete <bndbox>");
        continue;
      }
      item.shapes.push_back(std::move(part_box));
    }
  }
  return sink(std::move(item));
}

}  // namespace

std::unique_ptr<DatasetWriter> NewVocWriter(const WriterContext& ctx) { return std::make_unique<VocWriter>(ctx); }

Status ReadVoc(const fs::path& path, const ReadOptions& options, DatasetHeader* header, Tally* problems,
               const ItemSink& sink) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return ReadVocFile(path.parent_path().parent_path(), path, options, problems, sink);
  // labelmap.txt (Datumaro/CVAT) declares the labels in order when present.
  if (auto labelmap = ReadFileLimited(path / "labelmap.txt", options.max_file_bytes); labelmap.ok()) {
    size_t start = 0;
    const std::string& text = *labelmap;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string_view line = Trim(std::string_view(text).substr(start, end - start));
      start = end + 1;
      if (line.empty() || line.front() == '#') continue;
      header->categories.push_back(Category{std::string(line.substr(0, line.find(':'))), {}, {}});
    }
  }
  fs::path dir = path / "Annotations";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".xml") files.push_back(entry.path());
  }
  if (ec) return Status::NotFound("cannot list " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) TESSERA_RETURN_IF_ERROR(ReadVocFile(path, file, options, problems, sink));
  return Status::Ok();
}

}  // namespace tessera::formats
