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
#include <memory>
#include <string>
#include <unordered_set>

#include "src/formats/dataset.h"
#include "src/formats/ls_regions.h"
#include "tessera/formats.h"

namespace tessera::formats {

struct WriterContext {
  const LsMapping* mapping = nullptr;
  std::vector<Category> categories;  // config order
  OutputSink* sink = nullptr;
  Tally* skipped = nullptr;
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
std::unique_ptr<DatasetWriter> NewCvatWriter(const WriterContext& ctx);
std::unique_ptr<DatasetWriter> NewConllWriter(const WriterContext& ctx);
std::unique_ptr<DatasetWriter> NewSpacyWriter(const WriterContext& ctx);

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
Status ReadCvat(const std::filesystem::path& path, const ReadOptions& options, DatasetHeader* header,
                Tally* problems, const ItemSink& sink);
Status ReadConll(const std::filesystem::path& path, const ReadOptions& options, DatasetHeader* header,
                 Tally* problems, const ItemSink& sink);

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

// XML text escaping for element text and attribute values.
std::string XmlEscape(std::string_view text);

// Absolute (rotated) box corners to their axis-aligned bounds; counts rotated boxes.
std::vector<double> AxisAlignedBox(const Shape& box, Tally& skipped);

}  // namespace tessera::formats

#endif  // TESSERA_SRC_FORMATS_DATASET_IO_H_
