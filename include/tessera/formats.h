// Dataset formats: export a project to the layouts training pipelines read
// (COCO, Pascal VOC, YOLO, CVAT XML, CoNLL-2003, ...) and import them back as
// tasks with annotations or predictions.
//
// One registry (Formats()) lists every format with its name, the extension of
// what it writes and the kind of labeling config it fits. Exports stream
// through Store::ForEachTaskBundle with one task in memory at a time; a
// format that writes several files (VOC, YOLO, ...) writes them to an
// OutputSink, which is a zip archive or a folder.
//
// Coordinates: Label Studio stores image regions in percent of the image
// size; dataset formats use pixels. Each result item carries the image's
// original_width/original_height, which the conversion uses both ways; a
// region without them is exported only by formats that need no pixels
// (YOLO) and counted as skipped by the others.
//
// Thread-safety: functions are reentrant; an OutputSink is used by one thread.
#ifndef TESSERA_FORMATS_H_
#define TESSERA_FORMATS_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/config.h"
#include "tessera/model.h"
#include "tessera/status.h"
#include "tessera/store.h"

namespace tessera {

// Which annotation(s) of a task an export uses. Cancelled annotations (skips)
// are never exported as labels.
enum class AnnotationSelection {
  kAll,          // every annotation's regions (image formats merge them per image)
  kLatest,       // the most recently updated annotation
  kGroundTruth,  // annotations marked ground truth only
  kAccepted,     // annotations a reviewer accepted, or fixed and accepted
  kConsensus,    // one annotation merged from all by majority (src/formats/selection.h)
};

// "all", "latest", "ground_truth", "accepted" (or "reviewed"), "consensus"
// (case-insensitive).
Result<AnnotationSelection> ParseAnnotationSelection(std::string_view name);

// What a format needs from the labeling config.
enum class FormatFit {
  kAny,          // any config (Label Studio JSON, CSV, ...)
  kImageShapes,  // an Image with RectangleLabels, PolygonLabels or KeyPointLabels
  kImageBoxes,   // an Image with RectangleLabels (VOC, TFRecord)
  kTextSpans,    // a Text with Labels (CoNLL, spaCy)
  kText,         // a Text with Labels or Choices (Hugging Face text)
  kImage,        // an Image with shapes or Choices (Hugging Face ImageFolder)
  kImageShapesMasks,  // an Image with RectangleLabels, PolygonLabels, KeyPointLabels or BrushLabels (COCO)
  kImageMasks,   // an Image with BrushLabels (BRUSH_TO_PNG)
  kImageAreas,   // an Image with BrushLabels, PolygonLabels or RectangleLabels (SEMANTIC_PNG)
  kVideoBoxes,   // a Video with VideoRectangle (CVAT for video)
};

struct FormatInfo {
  std::string name;         // as in ?exportType= and --format: "COCO", "YOLO", ...
  std::string title;        // "COCO"
  std::string description;  // one sentence: what it exports
  std::string extension;    // of the download: "json", "zip", "conll", ...
  bool multi_file = false;  // writes a layout of several files (zip or folder)
  bool can_import = false;
  FormatFit fit = FormatFit::kAny;
  std::vector<std::string> tags;  // LS's "tags" (e.g. "image segmentation")
};

// Every format, in the order the formats list shows them.
const std::vector<FormatInfo>& Formats();
// By name or alias, case-insensitive; nullptr when unknown.
const FormatInfo* FindFormat(std::string_view name);
// Ok when `format` fits `config`; otherwise FailedPrecondition saying why and
// naming the formats that do fit.
Status CheckFormatFits(const FormatInfo& format, const LabelingConfig& config);
bool FormatFits(const FormatInfo& format, const LabelingConfig& config);

// Where a multi-file export goes. BeginFile/Write/EndFile for each file in
// turn (one open file at a time), then Finish. Paths use '/' and are relative.
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual Status BeginFile(std::string_view path) = 0;
  virtual Status Write(std::string_view bytes) = 0;
  virtual Status EndFile() = 0;
  virtual Status Finish() = 0;
};

// A zip archive (deflate) written to `out`, which must outlive the sink.
std::unique_ptr<OutputSink> NewZipSink(std::ostream& out);
// Files under `root` (created if missing). Paths that would leave `root` are refused.
std::unique_ptr<OutputSink> NewFolderSink(std::filesystem::path root);
// Exactly one file, written to `out` as is (for single-file formats).
std::unique_ptr<OutputSink> NewSingleFileSink(std::ostream& out);

struct DatasetExportOptions {
  AnnotationSelection selection = AnnotationSelection::kAll;
  // Include tasks without annotations (as images without objects).
  bool download_all_tasks = false;
  std::function<void(int64_t tasks_written)> progress;
  int64_t progress_every = 1000;
  // Where image URLs point on this machine, for formats that embed images
  // (TFRecord): /data/upload/<project>/<file> is media_root/upload/<project>/<file>
  // (the server's data_dir/media) and /data/local-files/?d=<path> is
  // local_files_root/<path>. Empty: images are not read.
  std::filesystem::path media_root;
  std::filesystem::path local_files_root;
  // Put the task images (files on this machine, found as for media_root and
  // local_files_root) into the export, as Label Studio's download_resources
  // does (COCO: images/ beside annotations/); images elsewhere are counted
  // in the report's skipped.
  bool include_images = false;
  // Train/val/test split: "0.8,0.1,0.1" (or "0.9,0.1": train and val), the
  // ratios summing to 1; "" writes one split as the format's default. The
  // split is deterministic for a given seed and stratified by each task's
  // first label (first choice, else first region's label), so every label's
  // tasks are divided in the ratios (exactly per block of tasks; see split.cc).
  std::string split;
  uint64_t seed = 0;
  // When set, only these tasks (the data manager's "export selection").
  std::optional<std::vector<Id>> task_ids;
};

// Ok when `split` is a valid DatasetExportOptions::split ("" included);
// otherwise FieldInvalid("split") saying what is accepted.
Status CheckSplit(std::string_view split);

struct DatasetExportReport {
  int64_t tasks = 0;
  int64_t regions = 0;
  // Regions the format cannot hold (e.g. a polygon in VOC, a box without
  // original_width), counted by reason.
  std::vector<std::pair<std::string, int64_t>> skipped;
};

// Ok when DatasetExportOptions::include_images (Label Studio's
// download_resources) applies to `format`, else FieldInvalid naming the
// formats it applies to.
Status CheckIncludeImages(std::string_view format);

// Exports project `project_id` in `format` (a FormatInfo name) to `sink`.
// FailedPrecondition when the format does not fit the project's config.
Result<DatasetExportReport> ExportDataset(Store& store, Id project_id, std::string_view format,
                                          OutputSink& sink, const DatasetExportOptions& options);

// Caps on extracting a zip archive (datasets given as a .zip).
struct ZipLimits {
  uint64_t max_bytes = uint64_t{16} << 30;  // total uncompressed size of the entries
  int64_t max_entries = 1'000'000;          // files and folders in the archive
};

// Extracts the zip archive `zip` into the folder `dest` (created if missing).
// Refuses (InvalidArgument naming the entry) any entry whose name is absolute,
// has a drive letter, a backslash or a ".." part, symbolic links and
// encrypted entries; PayloadTooLarge when the archive has more than
// limits.max_entries entries or would unpack to more than limits.max_bytes
// (counted as it is written, not taken from the archive's own claims).
// On failure, what was extracted so far is left in `dest` for the caller to remove.
Status ExtractZip(const std::filesystem::path& zip, const std::filesystem::path& dest, const ZipLimits& limits);

struct DatasetImportOptions {
  bool as_predictions = false;       // store regions as predictions instead of annotations
  std::string model_version = "import";
  // Prepended to each image's path inside the dataset to form the task's
  // image URL, e.g. "/data/local-files/?d=datasets/coco/".
  std::string image_prefix;
  // Add each item's regions to the project's existing task whose image has
  // the same file name (src/formats/dataset_attach.h) instead of creating
  // tasks. Items that match no task, or several, are reported in
  // `unmatched` and skipped; a result the task already has is not added
  // again, so an interrupted import can simply be run again.
  bool to_existing_tasks = false;
  size_t max_file_bytes = size_t{512} << 20;  // larger annotation files are refused
  ZipLimits zip;  // when the dataset is given as a .zip
};

struct DatasetImportReport {
  Id import_id = 0;  // 0 with to_existing_tasks (no tasks are created)
  int64_t tasks = 0;  // tasks created, or with to_existing_tasks, tasks given a result
  int64_t regions = 0;
  // What did not match: labels not in the config, shapes the config has no
  // control for, files that could not be read. One line each, with counts.
  std::vector<std::string> unmatched;
};

// Imports the dataset at `path` (a file or a folder laid out as the format
// lays it out, or a .zip of either, extracted to a temporary folder first)
// into project `project_id` as new tasks.
Result<DatasetImportReport> ImportDataset(Store& store, Id project_id, Id user_id,
                                          std::string_view format,
                                          const std::filesystem::path& path,
                                          const DatasetImportOptions& options);

// A labeling config that can hold everything in the dataset at `path`
// (an Image with the control tags and labels the dataset uses).
Result<std::string> SuggestLabelingConfig(std::string_view format,
                                          const std::filesystem::path& path);

}  // namespace tessera

#endif  // TESSERA_FORMATS_H_
