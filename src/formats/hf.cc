// Hugging Face `datasets` layouts, each with a README.md dataset card whose
// YAML front matter declares `dataset_info` (features, splits) and `configs`
// (which files make which split), as the Hub writes it:
//
// HF_JSONL (text): data/<split>.jsonl, one object a line:
//   {"id": task id, "text": ..., "label": class index (when the config has a
//    Choices on the text; -1 for none), "spans": [{"start", "end", "label",
//    "text"}] (when it has Labels; offsets in code points, as Label Studio)}
// HF_IMAGEFOLDER (images): images/<split>/<file> (the image, when its file is
// on this machine) and images/<split>/metadata.jsonl:
//   {"file_name", "image_id", "width", "height",
//    "objects": {"bbox": [[x, y, w, h], ...] (pixels, COCO order),
//                "category": [class index, ...]}, "label" (with Choices)}
// Items without a subset are the "train" split. Class indexes are the labels'
// positions in the config (ClassLabel names in the card).
#include <fstream>
#include <map>
#include <memory>

#include "src/formats/dataset_io.h"
#include "tessera/util.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// Byte offset of code point `cp` in UTF-8 `text` (its size when past the end).
size_t ByteOffset(std::string_view text, int64_t cp) {
  size_t pos = 0;
  for (int64_t seen = 0; pos < text.size() && seen < cp; ++seen) {
    ++pos;
    while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
  }
  return pos;
}

std::string YamlQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out.push_back('\'');
    if (c == '\n' || c == '\r') {
      out.push_back(' ');
      continue;
    }
    out.push_back(c);
  }
  return out + "'";
}

std::string ClassLabelYaml(const std::vector<std::string>& names, const std::string& indent) {
  std::string yaml = indent + "class_label:\n" + indent + "  names:\n";
  for (size_t idx = 0; idx < names.size(); ++idx) {
    yaml += indent + "    '" + std::to_string(idx) + "': " + YamlQuote(names[idx]) + "\n";
  }
  return yaml;
}

int64_t IndexOf(const std::vector<std::string>& names, const std::string& name) {
  auto found = std::find(names.begin(), names.end(), name);
  return found == names.end() ? -1 : static_cast<int64_t>(found - names.begin());
}

// Per-split spills of metadata lines, with counts.
struct Split {
  Spill lines;
  int64_t count = 0;
};

// The README.md dataset card.
std::string Card(const std::string& title, const std::string& features_yaml,
                 const std::map<std::string, std::unique_ptr<Split>>& splits,
                 const std::function<std::string(const std::string&)>& split_path, const std::string& body) {
  std::string yaml = "---\ndataset_info:\n  features:\n" + features_yaml + "  splits:\n";
  for (const auto& [name, split] : splits) {
    yaml += "  - name: " + name + "\n    num_examples: " + std::to_string(split->count) + "\n";
  }
  yaml += "configs:\n- config_name: default\n  data_files:\n";
  for (const auto& [name, split] : splits) {
    yaml += "  - split: " + name + "\n    path: " + split_path(name) + "\n";
  }
  yaml += "---\n\n# " + title + "\n\nExported by Tessera.\n\n" + body + "\n\n## Splits\n\n| split | examples |\n|---|---|\n";
  for (const auto& [name, split] : splits) yaml += "| " + name + " | " + std::to_string(split->count) + " |\n";
  return yaml;
}

std::string LabelList(const std::vector<std::string>& names) {
  std::string text;
  for (size_t idx = 0; idx < names.size(); ++idx) text += "- " + std::to_string(idx) + ": " + names[idx] + "\n";
  return text;
}

class HfWriterBase : public DatasetWriter {
 public:
  explicit HfWriterBase(const WriterContext& ctx) : ctx_(ctx), file_(*ctx.sink) {}

 protected:
  Split& SplitOf(const Item& item) {
    std::unique_ptr<Split>& split = splits_[item.subset.empty() ? "train" : item.subset];
    if (!split) split = std::make_unique<Split>();
    ++split->count;
    return *split;
  }

  WriterContext ctx_;
  SinkFile file_;
  std::map<std::string, std::unique_ptr<Split>> splits_;
};

class HfTextWriter : public HfWriterBase {
 public:
  explicit HfTextWriter(const WriterContext& ctx)
      : HfWriterBase(ctx), classes_(ctx.mapping->ChoiceLabels()), span_labels_(ctx.mapping->SpanLabels()) {}

  Status Add(const Item& item) override {
    json line = {{"id", ParseId(item.id)}, {"text", item.text}};
    if (ctx_.mapping->choices) {
      line["label"] = item.classes.empty() ? -1 : IndexOf(classes_, item.classes[0]);
      if (item.classes.size() > 1) ctx_.skipped->Add("HF_JSONL: more than one choice, first kept as label");
    }
    if (ctx_.mapping->spans) {
      json spans = json::array();
      for (const Span& span : item.spans) {
        size_t start = ByteOffset(item.text, span.start), end = ByteOffset(item.text, span.end);
        spans.push_back({{"start", span.start}, {"end", span.end}, {"label", span.label},
                         {"text", item.text.substr(start, end - start)}});
      }
      line["spans"] = std::move(spans);
    }
    return SplitOf(item).lines.Append(Dump(line) + "\n");
  }

  Status Finish() override {
    if (splits_.empty()) splits_["train"] = std::make_unique<Split>();
    for (const auto& [name, split] : splits_) {
      TESSERA_RETURN_IF_ERROR(file_.Open("data/" + name + ".jsonl"));
      TESSERA_RETURN_IF_ERROR(split->lines.CopyTo(file_));
      TESSERA_RETURN_IF_ERROR(file_.Close());
    }
    std::string features = "  - name: id\n    dtype: int64\n  - name: text\n    dtype: string\n";
    std::string body = "Each line of `data/<split>.jsonl` is one task: `id`, `text`";
    if (ctx_.mapping->choices) {
      features += "  - name: label\n    dtype:\n" + ClassLabelYaml(classes_, "      ");
      body += ", `label` (class index, -1 for none)";
    }
    if (ctx_.mapping->spans) {
      features += "  - name: spans\n    list:\n    - name: start\n      dtype: int64\n    - name: end\n      dtype: int64\n"
                  "    - name: label\n      dtype: string\n    - name: text\n      dtype: string\n";
      body += ", `spans` (start/end in Unicode code points, label, text)";
    }
    body += ".";
    if (ctx_.mapping->choices) body += "\n\n## Labels\n\n" + LabelList(classes_);
    if (ctx_.mapping->spans) body += "\n\n## Span labels\n\n" + LabelList(span_labels_);
    return file_.WriteFile("README.md", Card("Text dataset", features, splits_,
                                             [](const std::string& name) { return "data/" + name + ".jsonl"; }, body));
  }

 private:
  static json ParseId(const std::string& id) {
    int64_t value = 0;
    return ParseInt64(id, &value) ? json(value) : json(id);
  }

  std::vector<std::string> classes_;
  std::vector<std::string> span_labels_;
};

class HfImageFolderWriter : public HfWriterBase {
 public:
  explicit HfImageFolderWriter(const WriterContext& ctx) : HfWriterBase(ctx), classes_(ctx.mapping->ChoiceLabels()) {
    for (const Category& category : ctx.categories) categories_.push_back(category.name);
  }

  Status Add(const Item& item) override {
    const std::string split = item.subset.empty() ? "train" : item.subset;
    const std::string name = names_.Unique(item);
    TESSERA_RETURN_IF_ERROR(CopyImage(item, "images/" + split + "/" + name));
    json bboxes = json::array(), category = json::array();
    for (const Shape& shape : item.shapes) {
      int64_t cls = IndexOf(categories_, shape.label);
      if (cls < 0) {
        ctx_.skipped->Add("HF_IMAGEFOLDER: label not in the config: " + shape.label);
        continue;
      }
      if (shape.type == ShapeType::kPoints) {
        ctx_.skipped->Add("HF_IMAGEFOLDER: keypoints");
        continue;
      }
      std::vector<double> box = shape.type == ShapeType::kBox ? AxisAlignedBox(shape, *ctx_.skipped) : Bounds(shape.points);
      if (shape.type != ShapeType::kBox) ctx_.skipped->Add("HF_IMAGEFOLDER: polygon written as its bounding box");
      bboxes.push_back({box[0], box[1], box[2] - box[0], box[3] - box[1]});
      category.push_back(cls);
    }
    int64_t image_id = 0;
    json line = {{"file_name", name},
                 {"image_id", ParseInt64(item.id, &image_id) ? json(image_id) : json(item.id)},
                 {"width", item.width},
                 {"height", item.height},
                 {"objects", {{"bbox", std::move(bboxes)}, {"category", std::move(category)}}}};
    if (ctx_.mapping->choices) line["label"] = item.classes.empty() ? -1 : IndexOf(classes_, item.classes[0]);
    return SplitOf(item).lines.Append(Dump(line) + "\n");
  }

  Status Finish() override {
    if (splits_.empty()) splits_["train"] = std::make_unique<Split>();
    for (const auto& [name, split] : splits_) {
      TESSERA_RETURN_IF_ERROR(file_.Open("images/" + name + "/metadata.jsonl"));
      TESSERA_RETURN_IF_ERROR(split->lines.CopyTo(file_));
      TESSERA_RETURN_IF_ERROR(file_.Close());
    }
    std::string features =
        "  - name: image\n    dtype: image\n  - name: image_id\n    dtype: int64\n  - name: width\n    dtype: int64\n"
        "  - name: height\n    dtype: int64\n  - name: objects\n    sequence:\n    - name: bbox\n      sequence: float64\n"
        "      length: 4\n    - name: category\n      dtype:\n" +
        ClassLabelYaml(categories_, "        ");
    if (ctx_.mapping->choices) features += "  - name: label\n    dtype:\n" + ClassLabelYaml(classes_, "      ");
    std::string body =
        "An ImageFolder dataset: `images/<split>/` holds the images and `metadata.jsonl` with `file_name`, "
        "`image_id`, `width`, `height` and `objects` (`bbox` as [x, y, width, height] in pixels, `category` as "
        "class index).";
    if (missing_images_) {
      body += " " + std::to_string(missing_images_) +
              " images were not on the exporting machine and are not included; add them next to metadata.jsonl.";
    }
    body += "\n\n## Categories\n\n" + LabelList(categories_);
    if (ctx_.mapping->choices) body += "\n\n## Labels\n\n" + LabelList(classes_);
    return file_.WriteFile("README.md",
                           Card("Image dataset", features, splits_,
                                [](const std::string& name) { return "images/" + name + "/*"; }, body));
  }

 private:
  // Streams the image file into the sink when it is on this machine.
  Status CopyImage(const Item& item, const std::string& path) {
    fs::path local = LocalImageFile(item.image, ctx_.media_root, ctx_.local_files_root);
    std::ifstream in;
    if (!local.empty()) in.open(local, std::ios::binary);
    if (!in) {
      ++missing_images_;
      ctx_.skipped->Add("HF_IMAGEFOLDER: image file not on this machine (metadata only)");
      return Status::Ok();
    }
    TESSERA_RETURN_IF_ERROR(file_.Open(path));
    std::string buf(1 << 16, '\0');
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      if (in.gcount() > 0) TESSERA_RETURN_IF_ERROR(file_.Write(std::string_view(buf.data(), static_cast<size_t>(in.gcount()))));
    }
    return file_.Close();
  }

  std::vector<std::string> categories_;
  std::vector<std::string> classes_;
  NameAllocator names_;
  int64_t missing_images_ = 0;
};

}  // namespace

std::unique_ptr<DatasetWriter> NewHfTextWriter(const WriterContext& ctx) { return std::make_unique<HfTextWriter>(ctx); }

std::unique_ptr<DatasetWriter> NewHfImageFolderWriter(const WriterContext& ctx) {
  return std::make_unique<HfImageFolderWriter>(ctx);
}

}  // namespace tessera::formats
