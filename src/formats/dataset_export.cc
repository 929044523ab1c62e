// ExportDataset: streams a project's tasks through the chosen format's writer.
#include <optional>
#include <ostream>
#include <streambuf>

#include "src/formats/dataset_io.h"
#include "src/formats/selection.h"
#include "tessera/export.h"
#include "tessera/util.h"

namespace tessera {
namespace {

using formats::DatasetWriter;
using formats::WriterContext;

// An ostream over one file of an OutputSink, for the Label Studio JSON export.
class SinkStreamBuf : public std::streambuf {
 public:
  explicit SinkStreamBuf(OutputSink& sink) : sink_(sink) { setp(buf_, buf_ + sizeof(buf_)); }
  const Status& status() const { return status_; }

 protected:
  int_type overflow(int_type ch) override {
    if (sync() != 0) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  // A write as large as the buffer goes to the sink as it is, not copied.
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (n < static_cast<std::streamsize>(sizeof(buf_))) return std::streambuf::xsputn(s, n);
    if (sync() != 0) return 0;
    status_ = sink_.Write(std::string_view(s, static_cast<size_t>(n)));
    return status_.ok() ? n : 0;
  }
  int sync() override {
    if (!status_.ok()) return -1;
    std::ptrdiff_t n = pptr() - pbase();
    if (n > 0) status_ = sink_.Write(std::string_view(pbase(), static_cast<size_t>(n)));
    setp(buf_, buf_ + sizeof(buf_));
    return status_.ok() ? 0 : -1;
  }

 private:
  OutputSink& sink_;
  char buf_[1 << 16];
  Status status_;
};

Status ExportLsJsonToSink(Store& store, Id project_id, bool jsonl, OutputSink& sink,
                          const DatasetExportOptions& options, int64_t* tasks_written) {
  TESSERA_RETURN_IF_ERROR(sink.BeginFile(jsonl ? "result.jsonl" : "result.json"));
  SinkStreamBuf buf(sink);
  std::ostream out(&buf);
  ExportOptions ls;
  ls.format = jsonl ? ExportFormat::kJsonl : ExportFormat::kJson;
  ls.download_all_tasks = options.download_all_tasks;
  ls.task_ids = options.task_ids;
  // ExportLsJson reports the final count through progress, always.
  ls.progress = [&](int64_t written) {
    *tasks_written = written;
    if (options.progress) options.progress(written);
  };
  ls.progress_every = options.progress ? options.progress_every : 0;
  Status s = ExportLsJson(store, project_id, out, ls);
  out.flush();
  TESSERA_RETURN_IF_ERROR(buf.status());
  TESSERA_RETURN_IF_ERROR(s);
  TESSERA_RETURN_IF_ERROR(sink.EndFile());
  return sink.Finish();
}

std::unique_ptr<DatasetWriter> NewWriter(const std::string& name, const WriterContext& ctx) {
  if (name == "COCO") return formats::NewCocoWriter(ctx);
  if (name == "VOC") return formats::NewVocWriter(ctx);
  if (name == "YOLO") return formats::NewYoloWriter(ctx, false, false);
  if (name == "YOLOV8") return formats::NewYoloWriter(ctx, true, false);
  if (name == "YOLOV8_SEG") return formats::NewYoloWriter(ctx, true, true);
  if (name == "YOLO_OBB") return formats::NewYoloObbWriter(ctx);
  if (name == "CVAT") return formats::NewCvatWriter(ctx);
  if (name == "CONLL2003") return formats::NewConllWriter(ctx);
  if (name == "SPACY") return formats::NewSpacyWriter(ctx);
  if (name == "TFRECORD") return formats::NewTfRecordWriter(ctx);
  if (name == "HF_JSONL") return formats::NewHfTextWriter(ctx);
  if (name == "HF_IMAGEFOLDER") return formats::NewHfImageFolderWriter(ctx);
  if (name == "BRUSH_TO_PNG") return formats::NewBrushPngWriter(ctx);
  if (name == "SEMANTIC_PNG") return formats::NewSemanticPngWriter(ctx);
  return nullptr;
}

}  // namespace

Status CheckIncludeImages(std::string_view format) {
  if (format == "COCO" || format == "HF_IMAGEFOLDER" || format == "TFRECORD") return Status::Ok();
  return Status::FieldInvalid("download_resources", "download_resources puts images into COCO exports only "
                                                    "(HF_IMAGEFOLDER and TFRECORD always carry them); got exportType " +
                                                        std::string(format));
}

Result<DatasetExportReport> ExportDataset(Store& store, Id project_id, std::string_view format_name,
                                          OutputSink& sink, const DatasetExportOptions& options) {
  const FormatInfo* format = FindFormat(format_name);
  if (!format) {
    std::string names;
    for (const FormatInfo& f : Formats()) names += (names.empty() ? "" : ", ") + f.name;
    return Status::FieldInvalid("exportType",
                                "export format \"" + std::string(format_name) + "\" is not known; use one of " + names);
  }
  std::optional<formats::SplitAssigner> splitter;
  if (!options.split.empty()) {
    if (format->fit == FormatFit::kAny || format->name == "CVAT_VIDEO" ||
        format->name == "CONLL2003" ||
        format->name == "SPACY" || format->name == "BRUSH_TO_PNG" || format->name == "SEMANTIC_PNG") {
      return Status::FieldInvalid("split", format->name + " has no splits; formats that write them: COCO, VOC, YOLO, "
                                           "YOLOV8, YOLOV8_SEG, YOLO_OBB, TFRECORD, HF_JSONL, HF_IMAGEFOLDER, CVAT");
    }
    TESSERA_ASSIGN_OR_RETURN(splitter, formats::SplitAssigner::Parse(options.split, options.seed));
  }
  TESSERA_ASSIGN_OR_RETURN(Project project, store.GetProject(project_id));
  DatasetExportReport report;
  if (format->name == "JSON" || format->name == "JSONL") {
    TESSERA_RETURN_IF_ERROR(
        ExportLsJsonToSink(store, project_id, format->name == "JSONL", sink, options, &report.tasks));
    return report;
  }
  if (format->name == "JSON_MIN" || format->name == "CSV" || format->name == "TSV") {
    auto config = ParseLabelingConfig(project.label_config);
    if (!config.ok()) return config.status().WithPrefix("the project's labeling config");
    formats::TabularKind kind = format->name == "CSV"   ? formats::TabularKind::kCsv
                                : format->name == "TSV" ? formats::TabularKind::kTsv
                                                        : formats::TabularKind::kJsonMin;
    TESSERA_RETURN_IF_ERROR(formats::ExportTabular(store, project_id, **config, kind, sink, options, &report));
    if (options.progress) options.progress(report.tasks);
    return report;
  }
  auto mapping = formats::LsMapping::FromConfig(project.label_config);
  if (!mapping.ok()) return mapping.status().WithPrefix("the project's labeling config");
  TESSERA_RETURN_IF_ERROR(CheckFormatFits(*format, *mapping->config));

  formats::Tally skipped;
  WriterContext ctx;
  ctx.mapping = &*mapping;
  ctx.categories = mapping->ImageCategories();
  ctx.sink = &sink;
  ctx.skipped = &skipped;
  ctx.media_root = options.media_root;
  ctx.local_files_root = options.local_files_root;
  if (options.include_images) TESSERA_RETURN_IF_ERROR(CheckIncludeImages(format->name));
  ctx.include_images = options.include_images;
  if (format->name == "CVAT_VIDEO") {
    TESSERA_RETURN_IF_ERROR(formats::ExportCvatVideo(store, project_id, *mapping, sink, options, &report));
    return report;
  }
  // Formats that hold brush masks; the others count them as skipped.
  const bool holds_masks = format->name == "COCO" || format->name == "CVAT" || format->name == "BRUSH_TO_PNG" ||
                           format->name == "SEMANTIC_PNG";
  std::unique_ptr<DatasetWriter> writer = NewWriter(format->name, ctx);
  if (!writer) return Status::Internal("no writer for " + format->name);

  TaskQuery query;
  query.project_id = project_id;
  query.only_ids = options.task_ids;
  std::optional<Annotation> consensus;
  Status s = store.ForEachTaskBundle(query, [&](const TaskBundle& bundle) -> Status {
    auto annotations = formats::SelectAnnotations(bundle, options.selection, consensus, skipped);
    if (annotations.empty() && !options.download_all_tasks) return Status::Ok();
    formats::Item item = formats::ItemFromTask(bundle, annotations, *mapping, skipped);
    if (splitter) item.subset = splitter->Assign(formats::FirstLabel(item));
    if (!holds_masks && !item.masks.empty()) {
      skipped.Add(format->name + ": brush mask (formats with masks: COCO, CVAT, BRUSH_TO_PNG, SEMANTIC_PNG)",
                  static_cast<int64_t>(item.masks.size()));
    }
    report.regions += static_cast<int64_t>(item.shapes.size() + item.masks.size() + item.spans.size());
    TESSERA_RETURN_IF_ERROR(writer->Add(item));
    ++report.tasks;
    if (options.progress && options.progress_every > 0 && report.tasks % options.progress_every == 0) {
      options.progress(report.tasks);
    }
    return Status::Ok();
  });
  TESSERA_RETURN_IF_ERROR(s);
  TESSERA_RETURN_IF_ERROR(writer->Finish());
  TESSERA_RETURN_IF_ERROR(sink.Finish());
  if (options.progress) options.progress(report.tasks);
  report.skipped = skipped.Sorted();
  return report;
}

}  // namespace tessera
