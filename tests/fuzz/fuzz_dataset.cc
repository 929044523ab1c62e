// Fuzz target: the dataset importers' readers (COCO JSON, Pascal VOC XML,
// CVAT XML for images and for video, CoNLL, TFRecord, and YOLO's Darknet and
// Ultralytics layouts).
// Readers take a path, so each input is written to a scratch folder first:
// as a single annotation file for the one-file formats, and split in two at
// the first 0x00 byte (or the middle) for YOLO — the names file (obj.names /
// data.yaml) and one label file. YOLO_OBB reads the label part beside a fixed
// data.yaml and a PNG header, so that its lines are parsed (corner fitting,
// OpenCV's minAreaRect).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "src/formats/dataset_io.h"

namespace {

namespace fs = std::filesystem;
using tessera::formats::DatasetHeader;
using tessera::formats::Item;
using tessera::formats::ReadOptions;
using tessera::formats::Tally;

const fs::path& Scratch() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("tessera-fuzz-dataset-" + std::to_string(getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

void Write(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(),
                                                                 static_cast<std::streamsize>(bytes.size()));
}

template <typename Reader>
int64_t Run(Reader reader, const fs::path& path) {
  ReadOptions options;
  options.max_file_bytes = 1 << 20;
  DatasetHeader header;
  Tally problems;
  int64_t items = 0;
  (void)reader(path, options, &header, &problems, [&](Item&& item) {
    items += static_cast<int64_t>(item.id.size());
    return tessera::Status::Ok();
  });
  return items;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace f = tessera::formats;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const fs::path& dir = Scratch();
  std::error_code ec;
  fs::remove_all(dir, ec);
  int64_t seen = 0;

  Write(dir / "one" / "instances.json", bytes);
  seen += Run(f::ReadCoco, dir / "one" / "instances.json");
  Write(dir / "voc" / "Annotations" / "a.xml", bytes);
  seen += Run(f::ReadVoc, dir / "voc" / "Annotations" / "a.xml");
  Write(dir / "cvat" / "annotations.xml", bytes);
  seen += Run(f::ReadCvat, dir / "cvat" / "annotations.xml");
  {
    DatasetHeader header;
    Tally problems;
    ReadOptions options;
    options.max_file_bytes = 1 << 20;
    (void)f::ReadCvatVideo(dir / "cvat" / "annotations.xml", options, &header, &problems,
                           [&](f::VideoClip&& clip) {
                             for (const f::VideoTrack& track : clip.tracks) {
                               seen += static_cast<int64_t>(track.keyframes.size());
                             }
                             return tessera::Status::Ok();
                           });
  }
  Write(dir / "conll" / "train.conll", bytes);
  seen += Run(f::ReadConll, dir / "conll" / "train.conll");
  Write(dir / "tf" / "default.tfrecord", bytes);
  seen += Run(f::ReadTfRecord, dir / "tf" / "default.tfrecord");

  size_t cut = bytes.find('\0');
  if (cut == std::string_view::npos) cut = bytes.size() / 2;
  std::string_view names = bytes.substr(0, cut);
  std::string_view labels = bytes.substr(std::min(cut + 1, bytes.size()));
  Write(dir / "darknet" / "obj.names", names);
  Write(dir / "darknet" / "obj.data", "classes = 3\ntrain = data/train.txt\nnames = data/obj.names\n");
  Write(dir / "darknet" / "obj_train_data" / "a.txt", labels);
  Write(dir / "darknet" / "train.txt", "data/obj_train_data/a.jpg\n");
  seen += Run(f::ReadYolo, dir / "darknet");
  Write(dir / "ultra" / "data.yaml", names);
  Write(dir / "ultra" / "labels" / "train" / "a.txt", labels);
  seen += Run(f::ReadYolo, dir / "ultra");
  Write(dir / "obb" / "data.yaml", "train: images/train\nnames: [a, b, c]\n");
  // A PNG's signature and IHDR: 640 x 480.
  static constexpr char kPngHead[] = "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x02\x80\0\0\x01\xe0";
  Write(dir / "obb" / "images" / "train" / "a.png", std::string_view(kPngHead, sizeof(kPngHead) - 1));
  Write(dir / "obb" / "labels" / "train" / "a.txt", labels);
  seen += Run(f::ReadYoloObb, dir / "obb");
  return seen < 0;  // keeps `seen` alive; always 0
}
