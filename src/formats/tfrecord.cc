// TFRecord for the TensorFlow Object Detection API: <subset>.tfrecord files of
// tf.train.Example records plus label_map.pbtxt (Datumaro's
// "tf_detection_api" layout).
//
// Each image is one Example with the keys the OD API reads:
//   image/height, image/width (int64), image/filename, image/source_id
//   (the task id), image/encoded (the image's bytes when its file is on this
//   machine, else empty), image/format ("jpeg", "png", ...),
//   image/object/bbox/xmin|xmax|ymin|ymax (float, 0..1 of the image size),
//   image/object/class/text (label) and image/object/class/label (1-based
//   index of the label in the config, as in label_map.pbtxt).
// Boxes only: a polygon is written as its bounds (counted), keypoints are
// skipped (counted). Items without a subset go to default.tfrecord.
//
// Import reads every *.tfrecord of a folder (or one file), checks both CRCs of
// each record and reports corrupt records by file and index. A box's label is
// its class/text, else the label map's name for its class/label.
// image/encoded is used only for the image size when width/height are absent;
// the image bytes themselves are not stored by the import.
#include <fstream>
#include <map>
#include <memory>

#include "src/formats/dataset_io.h"
#include "src/formats/tfrecord_io.h"
#include "tessera/util.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;
using tfrecord::Example;
using tfrecord::Feature;

std::string ImageFormat(const std::string& file_name) {
  std::string ext = ToLower(fs::path(file_name).extension().string());
  if (!ext.empty()) ext = ext.substr(1);
  if (ext == "jpg" || ext == "jpeg" || ext.empty()) return "jpeg";
  return ext;
}

// A pbtxt single-quoted string.
std::string PbtxtQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out + "'";
}

class TfRecordWriter : public DatasetWriter {
 public:
  explicit TfRecordWriter(const WriterContext& ctx) : ctx_(ctx), file_(*ctx.sink) {}

  Status Add(const Item& item) override {
    std::string file_name = names_.Unique(item);
    std::string encoded;
    fs::path local = LocalImageFile(item.image, ctx_.media_root, ctx_.local_files_root);
    if (!local.empty()) {
      auto bytes = ReadFileLimited(local, size_t{1} << 30);
      if (bytes.ok()) {
        encoded = std::move(*bytes);
      } else {
        ctx_.skipped->Add("TFRecord: image file not readable, image/encoded left empty");
      }
    }
    // A task without regions has no original_width/height: take the size from the image.
    int64_t width = item.width, height = item.height;
    if ((width <= 0 || height <= 0) && !encoded.empty()) std::tie(width, height) = ImageSizeFromBytes(encoded);
    Example example;
    example.Add("image/height", Feature::Ints({height}));
    example.Add("image/width", Feature::Ints({width}));
    example.Add("image/filename", Feature::Bytes({file_name}));
    example.Add("image/source_id", Feature::Bytes({item.id}));
    example.Add("image/encoded", Feature::Bytes({std::move(encoded)}));
    example.Add("image/format", Feature::Bytes({ImageFormat(file_name)}));
    std::vector<float> xmin, xmax, ymin, ymax;
    std::vector<std::string> text;
    std::vector<int64_t> label;
    const double w = static_cast<double>(item.width), h = static_cast<double>(item.height);
    for (const Shape& shape : item.shapes) {
      int64_t cls = ClassOf(shape.label);
      if (cls == 0) {
        ctx_.skipped->Add("TFRecord: label not in the config: " + shape.label);
        continue;
      }
      if (shape.type == ShapeType::kPoints) {
        ctx_.skipped->Add("TFRecord: keypoints");
        continue;
      }
      if (w <= 0 || h <= 0) {
        ctx_.skipped->Add("TFRecord: region on an image of unknown size");
        continue;
      }
      std::vector<double> box;
      if (shape.type == ShapeType::kBox) {
        box = AxisAlignedBox(shape, *ctx_.skipped);
      } else {
        ctx_.skipped->Add("TFRecord: polygon written as its bounding box");
        box = Bounds(shape.points);
      }
      xmin.push_back(static_cast<float>(box[0] / w));
      ymin.push_back(static_cast<float>(box[1] / h));
      xmax.push_back(static_cast<float>(box[2] / w));
      ymax.push_back(static_cast<float>(box[3] / h));
      text.push_back(shape.label);
      label.push_back(cls);
    }
    example.Add("image/object/bbox/xmin", Feature::Floats(std::move(xmin)));
    example.Add("image/object/bbox/xmax", Feature::Floats(std::move(xmax)));
    example.Add("image/object/bbox/ymin", Feature::Floats(std::move(ymin)));
    example.Add("image/object/bbox/ymax", Feature::Floats(std::move(ymax)));
    example.Add("image/object/class/text", Feature::Bytes(std::move(text)));
    example.Add("image/object/class/label", Feature::Ints(std::move(label)));
    std::unique_ptr<Spill>& spill = subsets_[item.subset.empty() ? "default" : item.subset];
    if (!spill) spill = std::make_unique<Spill>();
    return spill->Append(tfrecord::FrameRecord(tfrecord::EncodeExample(example)));
  }

  Status Finish() override {
    if (subsets_.empty()) subsets_["default"] = std::make_unique<Spill>();
    for (const auto& [subset, spill] : subsets_) {
      TESSERA_RETURN_IF_ERROR(file_.Open(subset + ".tfrecord"));
      TESSERA_RETURN_IF_ERROR(spill->CopyTo(file_));
      TESSERA_RETURN_IF_ERROR(file_.Close());
    }
    std::string map;
    for (size_t cat_idx = 0; cat_idx < ctx_.categories.size(); ++cat_idx) {
      map += "item {\n  id: " + std::to_string(cat_idx + 1) + "\n  name: " + PbtxtQuote(ctx_.categories[cat_idx].name) +
             "\n}\n\n";
    }
    return file_.WriteFile("label_map.pbtxt", map);
  }

 private:
  int64_t ClassOf(const std::string& name) const {
    for (size_t cat_idx = 0; cat_idx < ctx_.categories.size(); ++cat_idx) {
      if (ctx_.categories[cat_idx].name == name) return static_cast<int64_t>(cat_idx) + 1;
    }
    return 0;
  }

  WriterContext ctx_;
  SinkFile file_;
  NameAllocator names_;
  std::map<std::string, std::unique_ptr<Spill>> subsets_;
};

// label_map.pbtxt: item { id: N name: 'x' } blocks (display_name when name is absent).
std::map<int64_t, std::string> ParseLabelMap(std::string_view text) {
  std::map<int64_t, std::string> labels;
  size_t pos = 0;
  while ((pos = text.find("item", pos)) != std::string_view::npos) {
    size_t open = text.find('{', pos);
    size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) break;
    std::string_view block = text.substr(open + 1, close - open - 1);
    pos = close + 1;
    int64_t id = -1;
    std::string name, display_name;
    size_t at = 0;
    while (at < block.size()) {
      size_t colon = block.find(':', at);
      if (colon == std::string_view::npos) break;
      std::string_view key = Trim(block.substr(at, colon - at));
      size_t value_start = block.find_first_not_of(" \t", colon + 1);
      if (value_start == std::string_view::npos) break;
      std::string value;
      size_t value_end;
      char quote = block[value_start];
      if (quote == '\'' || quote == '"') {
        value_end = value_start + 1;
        while (value_end < block.size() && block[value_end] != quote) {
          if (block[value_end] == '\\' && value_end + 1 < block.size()) {
            ++value_end;
            value.push_back(block[value_end] == 'n' ? '\n' : block[value_end]);
          } else {
            value.push_back(block[value_end]);
          }
          ++value_end;
        }
        ++value_end;
      } else {
        value_end = block.find_first_of(" \t\r\n", value_start);
        if (value_end == std::string_view::npos) value_end = block.size();
        value = std::string(block.substr(value_start, value_end - value_start));
      }
      if (key == "id") ParseInt64(value, &id);
      if (key == "name") name = value;
      if (key == "display_name") display_name = value;
      at = value_end;
    }
    if (id >= 0) labels[id] = name.empty() ? display_name : name;
  }
  return labels;
}

int64_t FirstInt(const Example& example, std::string_view key) {
  const Feature* f = example.Find(key);
  return f && f->kind == Feature::Kind::kInt64 && !f->ints.empty() ? f->ints[0] : 0;
}

std::string FirstBytes(const Example& example, std::string_view key) {
  const Feature* f = example.Find(key);
  return f && f->kind == Feature::Kind::kBytes && !f->bytes.empty() ? f->bytes[0] : "";
}

const std::vector<float>* Floats(const Example& example, std::string_view key) {
  static const std::vector<float> kNone;
  const Feature* f = example.Find(key);
  return f && f->kind == Feature::Kind::kFloat ? &f->floats : &kNone;
}

Item ItemFromExample(const Example& example, const std::string& subset, const std::map<int64_t, std::string>& labels,
                     Tally* problems) {
  Item item;
  item.subset = subset;
  item.width = FirstInt(example, "image/width");
  item.height = FirstInt(example, "image/height");
  std::string source_id = FirstBytes(example, "image/source_id");
  item.image = FirstBytes(example, "image/filename");
  if (item.image.empty()) item.image = source_id.empty() ? "" : source_id + ".jpg";
  item.id = source_id.empty() ? Stem(item.image) : source_id;
  if (item.width <= 0 || item.height <= 0) {
    std::tie(item.width, item.height) = ImageSizeFromBytes(FirstBytes(example, "image/encoded"));
  }
  const std::vector<float>& xmin = *Floats(example, "image/object/bbox/xmin");
  const std::vector<float>& xmax = *Floats(example, "image/object/bbox/xmax");
  const std::vector<float>& ymin = *Floats(example, "image/object/bbox/ymin");
  const std::vector<float>& ymax = *Floats(example, "image/object/bbox/ymax");
  const Feature* text = example.Find("image/object/class/text");
  const Feature* label = example.Find("image/object/class/label");
  size_t count = xmin.size();
  if (xmax.size() != count || ymin.size() != count || ymax.size() != count) {
    problems->Add("TFRecord: bbox coordinate lists of different lengths");
    count = std::min({xmin.size(), xmax.size(), ymin.size(), ymax.size()});
  }
  if (count > 0 && (item.width <= 0 || item.height <= 0)) {
    problems->Add("TFRecord: image of unknown size, so its boxes are not imported");
    return item;
  }
  const double w = static_cast<double>(item.width), h = static_cast<double>(item.height);
  for (size_t obj = 0; obj < count; ++obj) {
    Shape shape;
    if (text && text->kind == Feature::Kind::kBytes && obj < text->bytes.size()) shape.label = text->bytes[obj];
    if (shape.label.empty() && label && label->kind == Feature::Kind::kInt64 && obj < label->ints.size()) {
      auto found = labels.find(label->ints[obj]);
      if (found != labels.end()) shape.label = found->second;
    }
    if (shape.label.empty()) {
      problems->Add("TFRecord: object without a label");
      continue;
    }
    shape.type = ShapeType::kBox;
    shape.points = {xmin[obj] * w, ymin[obj] * h, xmax[obj] * w, ymax[obj] * h};
    item.shapes.push_back(std::move(shape));
  }
  return item;
}

}  // namespace

std::unique_ptr<DatasetWriter> NewTfRecordWriter(const WriterContext& ctx) {
  return std::make_unique<TfRecordWriter>(ctx);
}

Status ReadTfRecord(const fs::path& path, const ReadOptions& options, DatasetHeader* header, Tally* problems,
                    const ItemSink& sink) {
  std::error_code ec;
  const bool folder = fs::is_directory(path, ec);
  const fs::path root = folder ? path : path.parent_path();
  std::vector<fs::path> files;
  if (folder) {
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".tfrecord") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) return Status::NotFound("no .tfrecord files in " + path.string());
  } else {
    files.push_back(path);
  }
  std::map<int64_t, std::string> labels;
  if (auto map = ReadFileLimited(root / "label_map.pbtxt", options.max_file_bytes); map.ok()) {
    labels = ParseLabelMap(*map);
    for (const auto& [id, name] : labels) header->categories.push_back(Category{name, {}, {}});
  }
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::NotFound("cannot open " + file.string());
    const std::string where = "TFRecord: " + file.filename().string() + " ";
    tfrecord::RecordReader reader(in, options.max_file_bytes);
    std::string data;
    std::vector<std::pair<int64_t, std::string>> corrupt;
    for (;;) {
      auto next = reader.Next(&data, &corrupt);
      for (const auto& [index, why] : corrupt) {
        problems->Add(where + "record " + std::to_string(index) + ": " + why + " (skipped)");
      }
      corrupt.clear();
      if (!next.ok()) {
        if (next.status().code() != Code::kCorruption) return next.status().WithPrefix(file.string());
        problems->Add(where + next.status().message() + "; the rest of the file is not read");
        break;
      }
      if (!*next) break;
      auto example = tfrecord::DecodeExample(data);
      if (!example.ok()) {
        problems->Add(where + "record " + std::to_string(reader.index() - 1) + ": " + example.status().message());
        continue;
      }
      TESSERA_RETURN_IF_ERROR(sink(ItemFromExample(*example, file.stem().string(), labels, problems)));
    }
  }
  return Status::Ok();
}

}  // namespace tessera::formats
