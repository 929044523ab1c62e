// The interfaces each dataset format implements (one file per format), and
// small helpers they share for writing files and reading a dataset folder.
//
// A DatasetWriter receives the export's Items one at a time and writes them to
// an OutputSink; it may keep per-file state but never the whole dataset
// (spills go to a temporary file). A reader parses a dataset path into Items.
//
// Thread-safety: a writer or reader is used by one thread.
#ifndef TESSERA_SRC_FORMATS_DATASET_IO_H_
#define TESSERA_SRC_FORMATS_DATASET_IO_H_

#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "src/formats/dataset.h"
#include "src/formats/ls_regions.h"
#include "tessera/formats.h"

namespace pugi {
class xml_document;
class xml_node;
}  // namespace pugi

namespace tessera::formats {

struct WriterContext {
  const LsMapping* mapping = nullptr;
  std::vector<Category> categories;  // config order
  OutputSink* sink = nullptr;
  Tally* skipped = nullptr;
  // Where image URLs point on this machine (see LocalImageFile); empty: nowhere.
  std::filesystem::path media_root;
  std::filesystem::path local_files_root;
  bool include_images = false;  // DatasetExportOptions::include_images
};

class DatasetWriter {
 public:
  virtual ~DatasetWriter() = default;
  virtual Status Add(const Item& item) = 0;
  virtual Status Finish() = 0;
};

std::unique_ptr<DatasetWriter> NewCocoWriter(const WriterContext& ctx);
std::unique_ptr<DatasetWriter> NewVocWriter(const WriterContext& ctx);
std::unique_ptr<DatasetWriter> NewYoloWriter(const WriterContext& ctx, bool ultralytics, bool segmentation);
// YOLO_OBB: the Ultralytics layout with each box's four corners (obb.h).
std::unique_ptr<DatasetWriter> NewYoloObbWriter(const WriterContext& ctx);
std::unique_ptr<DatasetWriter> NewCvatWriter(const WriterContext& ctx);
std::unique_ptr<DatasetWriter> NewConllWriter(const WriterContext& ctx);
std::unique_ptr<DatasetWriter> NewSpacyWriter(const WriterContext& ctx);
std::unique_ptr<DatasetWriter> NewTfRecordWriter(const WriterContext& ctx);
std::unique_ptr<DatasetWriter> NewHfTextWriter(const WriterContext& ctx);
std::unique_ptr<DatasetWriter> NewHfImageFolderWriter(const WriterContext& ctx);
std::unique_ptr<DatasetWriter> NewBrushPngWriter(const WriterContext& ctx);     // png_masks.cc
std::unique_ptr<DatasetWriter> NewSemanticPngWriter(const WriterContext& ctx);  // png_masks.cc

// Label Studio's record-per-annotation exports (tabular.cc): JSON_MIN
// (result.json), CSV (result.csv), TSV (result.tsv). Fills report->tasks and
// report->regions (result items written).
enum class TabularKind { kJsonMin, kCsv, kTsv };
Status ExportTabular(Store& store, Id project_id, const LabelingConfig& config, TabularKind kind, OutputSink& sink,
                     const DatasetExportOptions& options, DatasetExportReport* report);

// Deterministic stratified train/val/test assignment (split.cc).
class SplitAssigner {
 public:
  // `spec` as DatasetExportOptions::split; FieldInvalid("split") when malformed.
  static Result<SplitAssigner> Parse(std::string_view spec, uint64_t seed);
  // The split ("train", "val", "test") of the next item of stratum `stratum`.
  const std::string& Assign(const std::string& stratum);
  const std::vector<std::string>& names() const { return names_; }

 private:
  struct Stratum {
    int64_t seen = 0;
    std::vector<size_t> block;  // split index per slot of the current block
  };
  std::vector<std::string> names_;
  std::vector<int64_t> per_block_;  // slots of each split in a block
  uint64_t seed_ = 0;
  std::unordered_map<std::string, Stratum> strata_;
};

// What an item is stratified by: its first class, else its first shape's or span's label ("" when none).
std::string FirstLabel(const Item& item);

// Readers: parse the dataset at `path`, filling `header` before the first item.
struct ReadOptions {
  size_t max_file_bytes = size_t{512} << 20;
};
Status ReadCoco(const std::filesystem::path& path, const ReadOptions& options, DatasetHeader* header,
                Tally* problems, const ItemSink& sink);
Status ReadVoc(const std::filesystem::path& path, const ReadOptions& options, DatasetHeader* header,
               Tally* problems, const ItemSink& sink);
Status ReadYolo(const std::filesystem::path& path, const ReadOptions& options, DatasetHeader* header,
                Tally* problems, const ItemSink& sink);
// YOLO_OBB (Ultralytics layout): each line's corners become a rotated box;
// corners that are not a rectangle, their minimum-area rotated rectangle
// (counted in `problems`, as are bad lines, by file and line).
Status ReadYoloObb(const std::filesystem::path& path, const ReadOptions& options, DatasetHeader* header,
                   Tally* problems, const ItemSink& sink);
Status ReadCvat(const std::filesystem::path& path, const ReadOptions& options, DatasetHeader* header,
                Tally* problems, const ItemSink& sink);
// %XX escapes decoded; '+' becomes a space when `plus_is_space` (a URL
// query value), else stays (a path).
std::string UrlDecode(std::string_view text, bool plus_is_space);

// CVAT XML, shared by the image and video readers: the .xml files a path
// names (itself, or those in a folder, sorted), and one of them parsed, its
// <annotations> element in *annotations.
Result<std::vector<std::filesystem::path>> CvatXmlFiles(const std::filesystem::path& path);
Status LoadCvatXml(const std::filesystem::path& file, const ReadOptions& options, pugi::xml_document* doc,
                   pugi::xml_node* annotations);
Status ReadConll(const std::filesystem::path& path, const ReadOptions& options, DatasetHeader* header,
                 Tally* problems, const ItemSink& sink);
Status ReadTfRecord(const std::filesystem::path& path, const ReadOptions& options, DatasetHeader* header,
                    Tally* problems, const ItemSink& sink);

// CVAT for video 1.1 (cvat_video.cc, cvat_video_export.cc). A clip is one
// CVAT task, that is one video, with its box tracks in Label Studio's terms:
// 1-based frames, and `enabled` meaning the box goes on (interpolated) to the
// next keyframe, so a keyframe without it is the last frame the box shows.
struct VideoKeyframe {
  int64_t frame = 1;  // CVAT's frame + 1
  bool enabled = true;
  double x = 0, y = 0, width = 0, height = 0;  // pixels; (x, y) is the top-left corner
  double rotation = 0;                         // degrees clockwise around (x, y), as LS rotates
  bool occluded = false;
  nlohmann::json attributes = nlohmann::json::object();  // CVAT <attribute> children
};
struct VideoTrack {
  std::string label;
  std::vector<VideoKeyframe> keyframes;  // by frame
};
struct VideoClip {
  std::string video;         // the video's file name: meta <source>, else the task's <name>
  int64_t width = 0;         // <original_size>; 0 when the file does not say
  int64_t height = 0;
  int64_t frames_count = 0;  // <stop_frame> + 1 when given, else 0
  std::vector<VideoTrack> tracks;
};
using VideoClipSink = std::function<Status(VideoClip&&)>;
// Reads the CVAT XML file at `path` (or every .xml file in the folder) as
// clips; only keyframe rows count, as in CVAT's own importer. Tracks of other
// shapes, <image> elements and malformed rows are counted in `problems`.
Status ReadCvatVideo(const std::filesystem::path& path, const ReadOptions& options, DatasetHeader* header,
                     Tally* problems, const VideoClipSink& sink);
// True when the CVAT XML at `path` (a file, or the first .xml in a folder)
// has <track> elements and no <image> (CVAT for video rather than images).
bool IsCvatVideo(const std::filesystem::path& path, const ReadOptions& options);
// A clip as Label Studio videorectangle results on `mapping`'s video (percent
// of the clip's size, which goes into original_width/original_height);
// tracks that cannot be stored are counted in `unmatched`.
nlohmann::json VideoResultFromClip(const VideoClip& clip, const LsMapping& mapping, Tally& unmatched);
// The project's videorectangle regions as one annotations.xml (see cvat_video_export.cc).
Status ExportCvatVideo(Store& store, Id project_id, const LsMapping& mapping, OutputSink& sink,
                       const DatasetExportOptions& options, DatasetExportReport* report);

// Buffers writes to one file of a sink.
class SinkFile {
 public:
  explicit SinkFile(OutputSink& sink) : sink_(sink) {}
  Status Open(std::string_view path) { return sink_.BeginFile(path); }
  Status Write(std::string_view bytes) {
    buffer_ += bytes;
    return buffer_.size() >= (1u << 16) ? Flush() : Status::Ok();
  }
  Status Close() {
    TESSERA_RETURN_IF_ERROR(Flush());
    return sink_.EndFile();
  }
  // A whole small file.
  Status WriteFile(std::string_view path, std::string_view bytes) {
    TESSERA_RETURN_IF_ERROR(Open(path));
    TESSERA_RETURN_IF_ERROR(Write(bytes));
    return Close();
  }

 private:
  Status Flush() {
    if (buffer_.empty()) return Status::Ok();
    Status s = sink_.Write(buffer_);
    buffer_.clear();
    return s;
  }
  OutputSink& sink_;
  std::string buffer_;
};

// Text appended to an anonymous temporary file and copied out later (for
// parts of a file that must come after the streamed part).
class Spill {
 public:
  Spill() : file_(std::tmpfile()) {}
  ~Spill() {
    if (file_) std::fclose(file_);
  }
  Spill(const Spill&) = delete;
  Spill& operator=(const Spill&) = delete;
  Status Append(std::string_view bytes);
  Status CopyTo(SinkFile& out);
  // Calls `fn` with each '\n'-terminated line appended so far (without the '\n').
  Status ForEachLine(const std::function<Status(std::string_view)>& fn);
  bool empty() const { return size_ == 0; }

 private:
  std::FILE* file_;
  uint64_t size_ = 0;
};

// One unique output name per image, from the image's file name; a repeated
// name gets the task id in front ("17_a.jpg").
class NameAllocator {
 public:
  std::string Unique(const Item& item, std::string_view fallback_ext = ".jpg");

 private:
  std::unordered_set<uint64_t> seen_;
};

// Whole file, refused above `max_bytes`.
Result<std::string> ReadFileLimited(const std::filesystem::path& path, size_t max_bytes);

// Width and height from a JPEG or PNG header; {0, 0} when unknown.
std::pair<int64_t, int64_t> ImageSizeFromFile(const std::filesystem::path& path);
std::pair<int64_t, int64_t> ImageSizeFromBytes(std::string_view head);

// The file on this machine behind an image URL: /data/upload/<project>/<file>
// under `media_root`/upload, /data/local-files/?d=<path> under
// `local_files_root`. Empty when the URL is of another kind, its root is not
// set, or the path would leave the root (no "..", no absolute paths).
std::filesystem::path LocalImageFile(std::string_view url, const std::filesystem::path& media_root,
                                     const std::filesystem::path& local_files_root);

// Streams the file behind item.image into `path` of `file`'s sink when it is
// on this machine and stays, symbolic links resolved, inside the upload or
// local-files folder; *copied says whether it was.
Status CopyLocalImage(const WriterContext& ctx, const Item& item, const std::string& path, SinkFile& file,
                      bool* copied);

// XML text escaping for element text and attribute values.
std::string XmlEscape(std::string_view text);

// Absolute (rotated) box corners to their axis-aligned bounds; counts rotated boxes.
std::vector<double> AxisAlignedBox(const Shape& box, Tally& skipped);

}  // namespace tessera::formats

#endif  // TESSERA_SRC_FORMATS_DATASET_IO_H_
