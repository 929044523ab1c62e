// YOLO: Darknet layout (obj.names, obj.data, train.txt, obj_train_data/*.txt)
// and Ultralytics layout (data.yaml, labels/<split>/*.txt, images/<split>/).
//
// A label line is "class cx cy w h" (detection), "class x1 y1 x2 y2 ..."
// (segmentation) or "class x1 y1 x2 y2 x3 y3 x4 y4" (YOLO_OBB: a rotated
// rectangle's corners, see obb.h), all normalized to 0..1 by the image size;
// class is the 0-based index of the label in the config (export) or in
// obj.names / data.yaml's names (import). Numbers are written in full
// precision so that a round trip is exact. Importing needs each image's size,
// read from the image file's header (JPEG, PNG); without the image the
// regions are counted as unmatched. Bad label lines are reported with their
// file and line.
#include <cmath>
#include <map>
#include <memory>

#include "src/formats/dataset_io.h"
#include "src/formats/obb.h"
#include "tessera/util.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;

std::string YamlQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) out.push_back(c);
  }
  return out + "\"";
}

// What a label line holds.
enum class YoloLabels {
  kBoxes,          // class cx cy w h
  kPolygons,       // class x1 y1 x2 y2 ... (boxes as 4-point polygons)
  kOrientedBoxes,  // class and a rotated rectangle's four corners (YOLO_OBB)
};

class YoloWriter : public DatasetWriter {
 public:
  YoloWriter(const WriterContext& ctx, bool ultralytics, YoloLabels labels)
      : ctx_(ctx), file_(*ctx.sink), ultralytics_(ultralytics), labels_(labels) {}

  Status Add(const Item& item) override {
    std::string name = names_.Unique(item);
    std::string stem = Stem(name);
    std::string lines;
    double w = static_cast<double>(item.width), h = static_cast<double>(item.height);
    for (const Shape& shape : item.shapes) {
      int cls = ClassOf(shape.label);
      if (cls < 0) {
        ctx_.skipped->Add("YOLO: label not in the config: " + shape.label);
        continue;
      }
      if (shape.type == ShapeType::kPoints) {
        ctx_.skipped->Add("YOLO: keypoints");
        continue;
      }
      if (w <= 0 || h <= 0) {
        ctx_.skipped->Add("YOLO: region on an image of unknown size");
        continue;
      }
      if (labels_ == YoloLabels::kOrientedBoxes) {
        if (shape.type != ShapeType::kBox) {
          ctx_.skipped->Add("YOLO_OBB: polygon or polyline (only rectangles are written)");
          continue;
        }
        Corners corners = BoxCorners(shape);
        lines += std::to_string(cls);
        for (size_t i = 0; i + 1 < corners.size(); i += 2) {
          lines += ' ' + FormatNumber(corners[i] / w) + ' ' + FormatNumber(corners[i + 1] / h);
        }
        lines += '\n';
        continue;
      }
      const bool segmentation = labels_ == YoloLabels::kPolygons;
      std::vector<double> polygon;
      if (shape.type == ShapeType::kBox) {
        std::vector<double> b = AxisAlignedBox(shape, *ctx_.skipped);
        polygon = {b[0], b[1], b[2], b[1], b[2], b[3], b[0], b[3]};
        if (!segmentation) {
          lines += std::to_string(cls) + ' ' + FormatNumber((b[0] + b[2]) / 2 / w) + ' ' +
                   FormatNumber((b[1] + b[3]) / 2 / h) + ' ' + FormatNumber((b[2] - b[0]) / w) + ' ' +
                   FormatNumber((b[3] - b[1]) / h) + '\n';
          continue;
        }
      } else {
        polygon = shape.points;
        if (!segmentation) {
          ctx_.skipped->Add("YOLO: polygon written as its bounding box");
          std::vector<double> b = Bounds(polygon);
          lines += std::to_string(cls) + ' ' + FormatNumber((b[0] + b[2]) / 2 / w) + ' ' +
                   FormatNumber((b[1] + b[3]) / 2 / h) + ' ' + FormatNumber((b[2] - b[0]) / w) + ' ' +
                   FormatNumber((b[3] - b[1]) / h) + '\n';
          continue;
        }
      }
      lines += std::to_string(cls);
      for (size_t i = 0; i + 1 < polygon.size(); i += 2) {
        lines += ' ' + FormatNumber(polygon[i] / w) + ' ' + FormatNumber(polygon[i + 1] / h);
      }
      lines += '\n';
    }
    const std::string subset = item.subset.empty() ? "train" : item.subset;
    std::unique_ptr<Spill>& list = lists_[subset];
    if (!list) list = std::make_unique<Spill>();
    std::string label_path =
        ultralytics_ ? "labels/" + subset + "/" + stem + ".txt" : "obj_" + subset + "_data/" + stem + ".txt";
    TESSERA_RETURN_IF_ERROR(file_.WriteFile(label_path, lines));
    return list->Append(ultralytics_ ? "" : "data/obj_" + subset + "_data/" + name + "\n");
  }

  Status Finish() override {
    if (ultralytics_) {
      std::string yaml = "path: .\ntrain: images/train\nval: images/" + std::string(lists_.count("val") ? "val" : "train") +
                         "\n" + (lists_.count("test") ? "test: images/test\n" : "") + "\nnames:\n";
      for (size_t cls = 0; cls < ctx_.categories.size(); ++cls) {
        yaml += "  " + std::to_string(cls) + ": " + YamlQuote(ctx_.categories[cls].name) + "\n";
      }
      return file_.WriteFile("data.yaml", yaml);
    }
    std::string names;
    for (const Category& category : ctx_.categories) names += category.name + "\n";
    TESSERA_RETURN_IF_ERROR(file_.WriteFile("obj.names", names));
    // Darknet's lists: train.txt, valid.txt (the "val" split), test.txt.
    if (lists_.empty()) lists_["train"] = std::make_unique<Spill>();
    std::string data = "classes = " + std::to_string(ctx_.categories.size()) + "\n";
    for (const auto& [subset, list] : lists_) {
      std::string key = subset == "val" ? "valid" : subset;
      data += key + " = data/" + key + ".txt\n";
    }
    TESSERA_RETURN_IF_ERROR(file_.WriteFile("obj.data", data + "names = data/obj.names\nbackup = backup/\n"));
    for (const auto& [subset, list] : lists_) {
      TESSERA_RETURN_IF_ERROR(file_.Open((subset == "val" ? "valid" : subset) + ".txt"));
      TESSERA_RETURN_IF_ERROR(list->CopyTo(file_));
      TESSERA_RETURN_IF_ERROR(file_.Close());
    }
    return Status::Ok();
  }

 private:
  int ClassOf(const std::string& label) const {
    for (size_t cls = 0; cls < ctx_.categories.size(); ++cls) {
      if (ctx_.categories[cls].name == label) return static_cast<int>(cls);
    }
    return -1;
  }

  WriterContext ctx_;
  SinkFile file_;
  std::map<std::string, std::unique_ptr<Spill>> lists_;  // image list per split (Darknet)
  NameAllocator names_;
  bool ultralytics_;
  YoloLabels labels_;
};

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(Trim(text.substr(start, end - start)));
    start = end + 1;
  }
  return lines;
}

std::string Unquote(std::string_view s) {
  s = Trim(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && s.front() == '"' && i + 2 < s.size()) ++i;
      out.push_back(s[i]);
    }
    return out;
  }
  return std::string(s);
}

// data.yaml: the names (map "0: a", list "- a", or inline "[a, b]") and the
// split folders (train/val/test keys).
void ParseDataYaml(std::string_view text, std::vector<std::string>* names,
                   std::vector<std::pair<std::string, std::string>>* splits) {
  bool in_names = false;
  for (std::string_view raw : Lines(text)) {
    if (raw.empty() || raw.front() == '#') continue;
    size_t colon = raw.find(':');
    if (in_names && (raw.front() == '-' || (colon != std::string_view::npos && std::isdigit(static_cast<unsigned char>(raw.front()))))) {
      std::string_view value = raw.front() == '-' ? raw.substr(1) : raw.substr(colon + 1);
      int64_t index = static_cast<int64_t>(names->size());
      if (raw.front() != '-') ParseInt64(Trim(raw.substr(0, colon)), &index);
      if (index >= 0 && index < 100000) {
        if (names->size() <= static_cast<size_t>(index)) names->resize(static_cast<size_t>(index) + 1);
        (*names)[static_cast<size_t>(index)] = Unquote(value);
      }
      continue;
    }
    in_names = false;
    if (colon == std::string_view::npos) continue;
    std::string key(Trim(raw.substr(0, colon)));
    std::string_view value = Trim(raw.substr(colon + 1));
    if (key == "names") {
      if (value.empty()) {
        in_names = true;
      } else if (value.front() == '[') {
        value = value.substr(1, value.find(']') == std::string_view::npos ? std::string_view::npos : value.find(']') - 1);
        size_t start = 0;
        while (start <= value.size()) {
          size_t comma = value.find(',', start);
          std::string_view part = value.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
          if (!Trim(part).empty()) names->push_back(Unquote(part));
          if (comma == std::string_view::npos) break;
          start = comma + 1;
        }
      }
    } else if ((key == "train" || key == "val" || key == "test") && !value.empty()) {
      splits->emplace_back(key, Unquote(value));
    }
  }
}

// Bad label lines go into the report with their file and line, the first
// kLocated of them; the rest are counted together, so that a broken dataset
// still gives a short report.
class LineReport {
 public:
  explicit LineReport(Tally* problems) : problems_(problems) {}
  void Add(const std::string& reason, const std::string& file, size_t line) {
    if (located_ < kLocated) {
      ++located_;
      problems_->Add(reason + " (" + file + ":" + std::to_string(line) + ")");
    } else {
      problems_->Add(reason + " (further lines)");
    }
  }
  Tally* problems() const { return problems_; }

 private:
  static constexpr int kLocated = 20;
  Tally* problems_;
  int located_ = 0;
};

// Corners of an oriented box that are each within this share of the image's
// larger side of a rectangle are that rectangle: what writing the normalized
// coordinates with six decimals (as Ultralytics does) can move them.
constexpr double kCornerTolerance = 4e-6;

// Parses one label file (`file`, relative to the dataset) into `item` (which
// has its size).
void ParseLabels(std::string_view text, const std::vector<std::string>& names, YoloLabels kind,
                 const std::string& file, Item* item, LineReport* report) {
  double w = static_cast<double>(item->width), h = static_cast<double>(item->height);
  const bool oriented = kind == YoloLabels::kOrientedBoxes;
  const std::string format = oriented ? "YOLO_OBB" : "YOLO";
  std::vector<std::string_view> lines = Lines(text);
  for (size_t line_idx = 0; line_idx < lines.size(); ++line_idx) {
    std::string_view line = lines[line_idx];
    const size_t line_no = line_idx + 1;
    if (line.empty()) continue;
    std::vector<double> values;
    int64_t cls = -1;
    size_t start = 0;
    bool ok = true;
    bool first = true;
    while (start < line.size() && ok) {
      size_t end = line.find_first_of(" \t", start);
      if (end == std::string_view::npos) end = line.size();
      std::string token(line.substr(start, end - start));
      start = line.find_first_not_of(" \t", end);
      if (start == std::string_view::npos) start = line.size();
      if (token.empty()) continue;
      if (first) {
        ok = ParseInt64(token, &cls);
        first = false;
        continue;
      }
      char* parse_end = nullptr;
      double v = std::strtod(token.c_str(), &parse_end);
      ok = *parse_end == '\0' && std::isfinite(v);
      values.push_back(v);
    }
    const bool count_ok =
        oriented ? values.size() == 8 : values.size() == 4 || (values.size() >= 6 && values.size() % 2 == 0);
    if (!ok || cls < 0 || !count_ok) {
      report->Add(format + (oriented ? ": malformed label line (a class index and 8 numbers expected)"
                                     : ": malformed label line"),
                  file, line_no);
      continue;
    }
    if (static_cast<size_t>(cls) >= names.size()) {
      report->Add(format + ": class index beyond the names list", file, line_no);
      continue;
    }
    Shape shape;
    shape.label = names[static_cast<size_t>(cls)];
    if (oriented) {
      Corners corners;
      for (size_t i = 0; i + 1 < corners.size(); i += 2) {
        corners[i] = values[i] * w;
        corners[i + 1] = values[i + 1] * h;
      }
      CornerFit fit = BoxFromCorners(corners, kCornerTolerance * std::max(w, h), &shape);
      if (fit == CornerFit::kDegenerate) {
        report->Add("YOLO_OBB: box without width or height, or far outside the image", file, line_no);
        continue;
      }
      if (fit == CornerFit::kApproximated) {
        report->Add("YOLO_OBB: corners not a rectangle, stored as the smallest rotated rectangle around them",
                    file, line_no);
      }
    } else if (values.size() == 4) {
      shape.type = ShapeType::kBox;
      shape.points = {(values[0] - values[2] / 2) * w, (values[1] - values[3] / 2) * h,
                      (values[0] + values[2] / 2) * w, (values[1] + values[3] / 2) * h};
    } else {
      shape.type = ShapeType::kPolygon;
      for (size_t i = 0; i + 1 < values.size(); i += 2) {
        shape.points.push_back(values[i] * w);
        shape.points.push_back(values[i + 1] * h);
      }
    }
    item->shapes.push_back(std::move(shape));
  }
}

Status ReadLabelFile(const fs::path& label_file, const fs::path& root, const std::string& image_rel,
                     const std::string& subset, const std::vector<std::string>& names, YoloLabels kind,
                     const ReadOptions& options, LineReport* report, const ItemSink& sink) {
  Item item;
  item.image = image_rel;
  item.id = Stem(image_rel);
  item.subset = subset;
  std::tie(item.width, item.height) = ImageSizeFromFile(root / image_rel);
  auto text = ReadFileLimited(label_file, options.max_file_bytes);
  if (text.ok()) {
    if (item.width <= 0) {
      report->problems()->Add("YOLO: image missing or of unknown format, so its size is unknown");
    } else {
      ParseLabels(*text, names, kind, label_file.lexically_relative(root).generic_string(), &item, report);
    }
  }
  return sink(std::move(item));
}

Status ReadUltralytics(const fs::path& root, YoloLabels kind, const ReadOptions& options, DatasetHeader* header,
                       Tally* problems, const ItemSink& sink) {
  TESSERA_ASSIGN_OR_RETURN(std::string yaml, ReadFileLimited(root / "data.yaml", options.max_file_bytes));
  std::vector<std::string> names;
  std::vector<std::pair<std::string, std::string>> splits;
  ParseDataYaml(yaml, &names, &splits);
  for (const std::string& name : names) header->categories.push_back(Category{name, {}, {}});
  std::vector<std::string> seen_dirs;
  LineReport report(problems);
  for (const auto& [subset, images_dir] : splits) {
    if (images_dir.find("..") != std::string::npos) {
      problems->Add("YOLO: data.yaml split path outside the dataset");
      continue;
    }
    if (std::find(seen_dirs.begin(), seen_dirs.end(), images_dir) != seen_dirs.end()) continue;
    seen_dirs.push_back(images_dir);
    std::string labels_dir = images_dir;
    if (size_t pos = labels_dir.find("images"); pos != std::string::npos) labels_dir.replace(pos, 6, "labels");
    std::error_code ec;
    std::vector<fs::path> images;
    for (const auto& entry : fs::directory_iterator(root / images_dir, ec)) {
      if (entry.is_regular_file()) images.push_back(entry.path());
    }
    std::sort(images.begin(), images.end());
    for (const fs::path& image : images) {
      std::string rel = (fs::path(images_dir) / image.filename()).generic_string();
      if (rel.rfind("./", 0) == 0) rel = rel.substr(2);
      fs::path label_file = root / labels_dir / (image.stem().string() + ".txt");
      TESSERA_RETURN_IF_ERROR(ReadLabelFile(label_file, root, rel, subset, names, kind, options, &report, sink));
    }
  }
  return Status::Ok();
}

Status ReadDarknet(const fs::path& root, const ReadOptions& options, DatasetHeader* header, Tally* problems,
                   const ItemSink& sink) {
  TESSERA_ASSIGN_OR_RETURN(std::string names_text, ReadFileLimited(root / "obj.names", options.max_file_bytes));
  std::vector<std::string> names;
  for (std::string_view line : Lines(names_text)) {
    if (!line.empty()) names.emplace_back(line);
  }
  for (const std::string& name : names) header->categories.push_back(Category{name, {}, {}});
  // Image lists named in obj.data (train = data/train.txt), else train.txt.
  std::vector<std::pair<std::string, std::string>> lists;
  if (auto data = ReadFileLimited(root / "obj.data", options.max_file_bytes); data.ok()) {
    for (std::string_view line : Lines(*data)) {
      size_t eq = line.find('=');
      if (eq == std::string_view::npos) continue;
      std::string key(Trim(line.substr(0, eq)));
      if (key != "train" && key != "valid" && key != "test") continue;
      std::string value(Trim(line.substr(eq + 1)));
      if (value.rfind("data/", 0) == 0) value = value.substr(5);
      lists.emplace_back(key == "valid" ? "val" : key, value);
    }
  }
  if (lists.empty()) lists.emplace_back("train", "train.txt");
  LineReport report(problems);
  for (const auto& [subset, list] : lists) {
    if (list.find("..") != std::string::npos) {
      problems->Add("YOLO: image list outside the dataset");
      continue;
    }
    auto text = ReadFileLimited(root / list, options.max_file_bytes);
    if (!text.ok()) {
      problems->Add("YOLO: image list missing: " + list);
      continue;
    }
    for (std::string_view line : Lines(*text)) {
      if (line.empty()) continue;
      std::string rel(line);
      if (rel.rfind("data/", 0) == 0) rel = rel.substr(5);
      if (rel.find("..") != std::string::npos || rel.front() == '/') {
        problems->Add("YOLO: image path outside the dataset");
        continue;
      }
      fs::path label_file = (root / rel).replace_extension(".txt");
      TESSERA_RETURN_IF_ERROR(
          ReadLabelFile(label_file, root, rel, subset, names, YoloLabels::kBoxes, options, &report, sink));
    }
  }
  return Status::Ok();
}

}  // namespace

std::unique_ptr<DatasetWriter> NewYoloWriter(const WriterContext& ctx, bool ultralytics, bool segmentation) {
  return std::make_unique<YoloWriter>(ctx, ultralytics, segmentation ? YoloLabels::kPolygons : YoloLabels::kBoxes);
}

std::unique_ptr<DatasetWriter> NewYoloObbWriter(const WriterContext& ctx) {
  return std::make_unique<YoloWriter>(ctx, true, YoloLabels::kOrientedBoxes);
}

Status ReadYolo(const fs::path& path, const ReadOptions& options, DatasetHeader* header, Tally* problems,
                const ItemSink& sink) {
  std::error_code ec;
  fs::path root = fs::is_directory(path, ec) ? path : path.parent_path();
  if (fs::exists(root / "data.yaml", ec)) {
    return ReadUltralytics(root, YoloLabels::kBoxes, options, header, problems, sink);
  }
  if (fs::exists(root / "obj.names", ec)) return ReadDarknet(root, options, header, problems, sink);
  return Status::NotFound("no YOLO dataset in " + root.string() + ": expected data.yaml (Ultralytics) or obj.names (Darknet)");
}

Status ReadYoloObb(const fs::path& path, const ReadOptions& options, DatasetHeader* header, Tally* problems,
                   const ItemSink& sink) {
  std::error_code ec;
  fs::path root = fs::is_directory(path, ec) ? path : path.parent_path();
  if (fs::exists(root / "data.yaml", ec)) {
    return ReadUltralytics(root, YoloLabels::kOrientedBoxes, options, header, problems, sink);
  }
  return Status::NotFound("no YOLO_OBB dataset in " + root.string() + ": expected data.yaml (Ultralytics layout)");
}

}  // namespace tessera::formats
