// ImportDataset and SuggestLabelingConfig: read a dataset with its format's
// reader and store each item as a task with an annotation (or prediction).
#include <set>

#include "src/formats/brush_rle.h"
#include "src/formats/dataset_attach.h"
#include "src/formats/dataset_io.h"
#include "src/formats/zip_input.h"
#include "tessera/util.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using formats::Item;

constexpr size_t kBatch = 1000;

Status ReadDataset(const FormatInfo& format, const fs::path& path, const formats::ReadOptions& options,
                   formats::DatasetHeader* header, formats::Tally* problems, const formats::ItemSink& sink) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::NotFound("no such file or folder: " + path.string());
  if (format.name == "COCO") return formats::ReadCoco(path, options, header, problems, sink);
  if (format.name == "VOC") return formats::ReadVoc(path, options, header, problems, sink);
  if (format.name == "YOLO" || format.name == "YOLOV8") return formats::ReadYolo(path, options, header, problems, sink);
  if (format.name == "YOLO_OBB") return formats::ReadYoloObb(path, options, header, problems, sink);
  if (format.name == "CVAT") return formats::ReadCvat(path, options, header, problems, sink);
  if (format.name == "CONLL2003") return formats::ReadConll(path, options, header, problems, sink);
  if (format.name == "TFRECORD") return formats::ReadTfRecord(path, options, header, problems, sink);
  std::string importable;
  for (const FormatInfo& f : Formats()) {
    if (f.can_import && f.name != "JSON" && f.name != "JSONL") importable += (importable.empty() ? "" : ", ") + f.name;
  }
  return Status::InvalidArgument("cannot import " + format.name + " as a dataset; dataset formats that import: " +
                                 importable + " (JSON and JSONL go through the task import)");
}

Result<const FormatInfo*> Lookup(std::string_view name) {
  const FormatInfo* format = FindFormat(name);
  if (!format) return Status::InvalidArgument("unknown format \"" + std::string(name) + "\"");
  return format;
}

// Where image paths inside the dataset are relative to.
fs::path DatasetRoot(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) ? path : path.parent_path();
}

// A Video with VideoRectangle and the labels of a CVAT for video file:
// declared ones first (the file's order), then any only seen on tracks.
Result<std::string> SuggestVideoConfig(const fs::path& path) {
  formats::DatasetHeader header;
  formats::Tally problems;
  std::vector<std::string> used;
  TESSERA_RETURN_IF_ERROR(formats::ReadCvatVideo(path, {}, &header, &problems, [&](formats::VideoClip&& clip) {
    for (const formats::VideoTrack& track : clip.tracks) used.push_back(track.label);
    return Status::Ok();
  }));
  std::vector<std::string> labels;
  for (const formats::Category& category : header.categories) labels.push_back(category.name);
  for (const std::string& label : used) {
    if (std::find(labels.begin(), labels.end(), label) == labels.end()) labels.push_back(label);
  }
  std::string xml = "<View>\n  <Video name=\"video\" value=\"$video\"/>\n"
                    "  <VideoRectangle name=\"box\" toName=\"video\"/>\n"
                    "  <Labels name=\"videoLabels\" toName=\"video\">\n";
  for (const std::string& label : labels) xml += "    <Label value=\"" + formats::XmlEscape(label) + "\"/>\n";
  return xml + "  </Labels>\n</View>\n";
}

// Fills in an image item's size from the image file when the dataset has
// none, and turns masks into boxes when the config has no BrushLabels.
void PrepareImageItem(const fs::path& root, const formats::LsMapping& mapping, Item* item,
                      formats::Tally* problems) {
  if (item->width <= 0 && !item->image.empty() && item->image.find("://") == std::string::npos) {
    std::tie(item->width, item->height) = formats::ImageSizeFromFile(root / item->image);
  }
  if (!mapping.brushes && mapping.boxes && !item->masks.empty()) {
    // No BrushLabels to hold a mask: keep its bounds as a box.
    for (const formats::MaskRegion& mask : item->masks) {
      std::array<double, 4> bbox = formats::MaskBbox(mask.pixels, item->width, item->height);
      formats::Shape box;
      box.label = mask.label;
      box.points = {bbox[0], bbox[1], bbox[0] + bbox[2], bbox[1] + bbox[3]};
      box.attributes = mask.attributes;
      item->shapes.push_back(std::move(box));
    }
    problems->Add("mask stored as its bounding box (the labeling config has no BrushLabels)",
                  static_cast<int64_t>(item->masks.size()));
    item->masks.clear();
  }
}

// "3 images ... (first: a.jpg, b.jpg, c.jpg)"
std::string NamedCount(int64_t count, const std::string& what, const std::vector<std::string>& first) {
  std::string line = std::to_string(count) + " " + what;
  if (!first.empty()) {
    line += " (first: ";
    for (size_t i = 0; i < first.size(); ++i) line += (i ? ", " : "") + first[i];
    line += count > static_cast<int64_t>(first.size()) ? ", ...)" : ")";
  }
  return line;
}

// ImportDataset with DatasetImportOptions::to_existing_tasks: each item's
// regions go to the task whose image has the item's file name, one write
// each (CreateAnnotation / CreatePrediction keep the task's counters), so
// what was added before an interruption stays, and a rerun skips it.
Result<DatasetImportReport> AttachDataset(Store& store, Id project_id, Id user_id, const FormatInfo& format,
                                          const fs::path& path, const DatasetImportOptions& options,
                                          const formats::LsMapping& mapping) {
  if (format.fit == FormatFit::kTextSpans || format.fit == FormatFit::kVideoBoxes || !mapping.image ||
      mapping.image->data_key.empty()) {
    return Status::FieldInvalid("to_existing_tasks",
                                "matching existing tasks works by image file name: it needs an image dataset "
                                "(COCO, VOC, YOLO, CVAT for images, TFRecord) and an <Image value=\"$image\"> "
                                "in the project's labeling config; " + format.name + " creates new tasks");
  }
  TESSERA_ASSIGN_OR_RETURN(formats::ExistingTasks existing,
                           formats::ExistingTasks::Load(store, project_id, mapping.image->data_key,
                                                        options.as_predictions));
  DatasetImportReport report;
  const fs::path root = DatasetRoot(path);
  formats::Tally problems;
  formats::DatasetHeader header;
  constexpr size_t kNamesShown = 5;
  int64_t no_task = 0, several = 0, already = 0;
  std::vector<std::string> no_task_names, several_names;
  formats::ReadOptions read_options;
  read_options.max_file_bytes = options.max_file_bytes;
  Status s = ReadDataset(format, path, read_options, &header, &problems, [&](Item&& item) -> Status {
    const std::string name = formats::ImageFileName(item.image);
    const Id task_id = existing.Find(name);
    if (task_id == 0 || task_id == formats::ExistingTasks::kAmbiguous) {
      int64_t& count = task_id == 0 ? no_task : several;
      std::vector<std::string>& names = task_id == 0 ? no_task_names : several_names;
      ++count;
      if (names.size() < kNamesShown) names.push_back(name.empty() ? "(no file name)" : name);
      return Status::Ok();
    }
    PrepareImageItem(root, mapping, &item, &problems);
    json result = formats::ResultFromItem(item, mapping, problems);
    if (result.empty()) return Status::Ok();
    std::string text = result.dump(-1, ' ', false, json::error_handler_t::replace);
    if (existing.HasResult(task_id, text)) {
      ++already;
      return Status::Ok();
    }
    if (options.as_predictions) {
      Prediction prediction;
      prediction.task_id = task_id;
      prediction.project_id = project_id;
      prediction.result = text;
      prediction.model_version = options.model_version;
      TESSERA_RETURN_IF_ERROR(store.CreatePrediction(&prediction));
    } else {
      Annotation annotation;
      annotation.task_id = task_id;
      annotation.project_id = project_id;
      annotation.result = text;
      annotation.completed_by = user_id;
      annotation.updated_by = user_id;
      annotation.last_action = "imported";
      annotation.ground_truth = true;  // as for the tasks ImportDataset creates
      TESSERA_RETURN_IF_ERROR(store.CreateAnnotation(&annotation));
    }
    existing.AddResult(task_id, text);
    ++report.tasks;
    report.regions += static_cast<int64_t>(result.size());
    return Status::Ok();
  });
  if (!s.ok()) {
    return s.WithPrefix(std::to_string(report.tasks) + " tasks got their " +
                        (options.as_predictions ? "predictions" : "annotations") +
                        " before this error (running the import again skips them)");
  }
  report.unmatched = problems.Lines();
  if (no_task > 0) {
    report.unmatched.push_back(NamedCount(no_task, "images match no task's image file name", no_task_names));
  }
  if (several > 0) {
    report.unmatched.push_back(
        NamedCount(several, "images match several tasks' image file names (not imported)", several_names));
  }
  if (already > 0) {
    report.unmatched.push_back(std::to_string(already) +
                               " results were on their task already (an earlier run): not added again");
  }
  return report;
}

}  // namespace

Result<DatasetImportReport> ImportDataset(Store& store, Id project_id, Id user_id, std::string_view format_name,
                                          const fs::path& path, const DatasetImportOptions& options) {
  TESSERA_ASSIGN_OR_RETURN(const FormatInfo* format, Lookup(format_name));
  if (formats::IsZipFile(path)) {
    TESSERA_ASSIGN_OR_RETURN(auto extracted, formats::ExtractedZip::Open(path, options.zip));
    return ImportDataset(store, project_id, user_id, format->name, extracted->root(), options);
  }
  TESSERA_ASSIGN_OR_RETURN(Project project, store.GetProject(project_id));
  auto mapping = formats::LsMapping::FromConfig(project.label_config);
  if (!mapping.ok()) return mapping.status().WithPrefix("the project's labeling config");
  const bool text_format = format->fit == FormatFit::kTextSpans;
  // CVAT XML into a video project is CVAT for video.
  const bool video = format->fit == FormatFit::kVideoBoxes ||
                     (format->name == "CVAT" && mapping->video && mapping->video_boxes && !mapping->image);
  const ObjectTag* object = video ? mapping->video : text_format ? mapping->text : mapping->image;
  if (!object || object->data_key.empty() || (video && !mapping->video_boxes)) {
    return Status::FailedPrecondition(std::string("importing ") + format->name + " needs " +
                                      (video         ? "a <Video value=\"$video\"> with a <VideoRectangle>"
                                       : text_format ? "a <Text value=\"$text\">"
                                                     : "an <Image value=\"$image\">") +
                                      " in the project's labeling config");
  }
  if (options.to_existing_tasks) return AttachDataset(store, project_id, user_id, *format, path, options, *mapping);
  DatasetImportReport report;
  TESSERA_ASSIGN_OR_RETURN(report.import_id, store.BeginImport(project_id, user_id, "dataset:" + format->name));
  const fs::path root = DatasetRoot(path);
  formats::Tally problems;
  formats::DatasetHeader header;
  std::vector<NewTask> batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    Status s = store.InsertTasks(project_id, report.import_id, batch, nullptr);
    batch.clear();
    return s;
  };
  // One task with its regions as an annotation (or a prediction).
  auto add_task = [&](const json& data, const json& result) -> Status {
    NewTask task;
    task.data = data.dump(-1, ' ', false, json::error_handler_t::replace);
    report.regions += static_cast<int64_t>(result.size());
    if (!result.empty()) {
      std::string text = result.dump(-1, ' ', false, json::error_handler_t::replace);
      if (options.as_predictions) {
        Prediction prediction;
        prediction.result = std::move(text);
        prediction.model_version = options.model_version;
        task.predictions.push_back(std::move(prediction));
      } else {
        Annotation annotation;
        annotation.result = std::move(text);
        annotation.completed_by = user_id;
        annotation.ground_truth = true;  // Label Studio's default for imported annotations
        annotation.last_action = "imported";
        task.annotations.push_back(std::move(annotation));
      }
    }
    batch.push_back(std::move(task));
    ++report.tasks;
    return batch.size() >= kBatch ? flush() : Status::Ok();
  };
  formats::ReadOptions read_options;
  read_options.max_file_bytes = options.max_file_bytes;
  Status s;
  if (video) {
    s = formats::ReadCvatVideo(path, read_options, &header, &problems, [&](formats::VideoClip&& clip) {
      json data = json::object();
      data[object->data_key] = options.image_prefix + clip.video;
      return add_task(data, formats::VideoResultFromClip(clip, *mapping, problems));
    });
  } else {
    s = ReadDataset(*format, path, read_options, &header, &problems, [&](Item&& item) -> Status {
      if (!text_format) PrepareImageItem(root, *mapping, &item, &problems);
      json data = json::object();
      data[object->data_key] = text_format ? item.text : options.image_prefix + item.image;
      return add_task(data, formats::ResultFromItem(item, *mapping, problems));
    });
  }
  if (s.ok()) s = flush();
  if (s.ok()) {
    int64_t annotations = options.as_predictions ? 0 : report.tasks;
    s = store.FinishImport(report.import_id, report.tasks, annotations, options.as_predictions ? report.tasks : 0);
  }
  if (!s.ok()) {
    (void)store.AbortImport(report.import_id, s.message());
    return s;
  }
  report.unmatched = problems.Lines();
  return report;
}

Result<std::string> SuggestLabelingConfig(std::string_view format_name, const fs::path& path) {
  TESSERA_ASSIGN_OR_RETURN(const FormatInfo* format, Lookup(format_name));
  if (formats::IsZipFile(path)) {
    TESSERA_ASSIGN_OR_RETURN(auto extracted, formats::ExtractedZip::Open(path, ZipLimits{}));
    return SuggestLabelingConfig(format->name, extracted->root());
  }
  if (format->fit == FormatFit::kVideoBoxes || (format->name == "CVAT" && formats::IsCvatVideo(path, {}))) {
    return SuggestVideoConfig(path);
  }
  formats::DatasetHeader header;
  formats::Tally problems;
  std::set<std::string> box_labels, polygon_labels, brush_labels, span_labels;
  std::vector<std::pair<std::string, std::string>> points;  // (point label, category or "")
  std::set<std::pair<std::string, std::string>> seen_points;
  auto add_point = [&](const std::string& label, const std::string& category) {
    if (seen_points.insert({label, category}).second) points.emplace_back(label, category);
  };
  TESSERA_RETURN_IF_ERROR(ReadDataset(*format, path, formats::ReadOptions{}, &header, &problems, [&](Item&& item) {
    for (const formats::Shape& shape : item.shapes) {
      if (shape.type == formats::ShapeType::kBox) box_labels.insert(shape.label);
      if (shape.type == formats::ShapeType::kPolygon || shape.type == formats::ShapeType::kPolyline) {
        polygon_labels.insert(shape.label);
      }
      if (shape.type == formats::ShapeType::kPoints) {
        for (size_t p = 0; p * 2 + 1 < shape.points.size(); ++p) {
          bool named = p < shape.point_labels.size() && !shape.point_labels[p].empty();
          if (named) add_point(shape.point_labels[p], shape.label);
          else add_point(shape.label, "");
        }
      }
    }
    for (const formats::MaskRegion& mask : item.masks) brush_labels.insert(mask.label);
    for (const formats::Span& span : item.spans) span_labels.insert(span.label);
    return Status::Ok();
  }));
  // Declared categories first (dataset order), then labels only seen in use.
  std::vector<std::string> order;
  for (const formats::Category& category : header.categories) order.push_back(category.name);
  auto ordered = [&](const std::set<std::string>& used, bool all_declared) {
    std::vector<std::string> out;
    for (const std::string& name : order) {
      if (all_declared || used.count(name)) out.push_back(name);
    }
    for (const std::string& name : used) {
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
    return out;
  };
  auto labels = [](const std::vector<std::string>& names) {
    std::string xml;
    for (const std::string& name : names) xml += "    <Label value=\"" + formats::XmlEscape(name) + "\"/>\n";
    return xml;
  };
  std::string xml = "<View>\n";
  if (format->fit == FormatFit::kTextSpans) {
    xml += "  <Labels name=\"label\" toName=\"text\">\n" + labels(ordered(span_labels, true)) + "  </Labels>\n";
    xml += "  <Text name=\"text\" value=\"$text\"/>\n";
    return xml + "</View>\n";
  }
  xml += "  <Image name=\"image\" value=\"$image\"/>\n";
  bool any = !polygon_labels.empty() || !points.empty() || !brush_labels.empty();
  if (!box_labels.empty() || !any) {
    xml += "  <RectangleLabels name=\"label\" toName=\"image\">\n" + labels(ordered(box_labels, true)) +
           "  </RectangleLabels>\n";
  }
  if (!polygon_labels.empty()) {
    xml += "  <PolygonLabels name=\"polygon\" toName=\"image\">\n" + labels(ordered(polygon_labels, false)) +
           "  </PolygonLabels>\n";
  }
  if (!brush_labels.empty()) {
    xml += "  <BrushLabels name=\"brush\" toName=\"image\">\n" + labels(ordered(brush_labels, false)) +
           "  </BrushLabels>\n";
  }
  if (!points.empty()) {
    // Declared keypoint names first, in category order, so COCO keeps its point order.
    std::vector<std::pair<std::string, std::string>> ordered_points;
    for (const formats::Category& category : header.categories) {
      for (const std::string& kp : category.keypoints) {
        if (seen_points.count({kp, category.name})) ordered_points.emplace_back(kp, category.name);
      }
    }
    for (const auto& point : points) {
      if (std::find(ordered_points.begin(), ordered_points.end(), point) == ordered_points.end()) {
        ordered_points.push_back(point);
      }
    }
    xml += "  <KeyPointLabels name=\"keypoint\" toName=\"image\">\n";
    for (const auto& [label, category] : ordered_points) {
      xml += "    <Label value=\"" + formats::XmlEscape(label) + "\"";
      if (!category.empty()) xml += " category=\"" + formats::XmlEscape(category) + "\"";
      xml += "/>\n";
    }
    xml += "  </KeyPointLabels>\n";
  }
  return xml + "</View>\n";
}

}  // namespace tessera
