// TFRecord: CRC-32C and record framing, tf.train.Example wire encoding, and
// the Datumaro sample (../shared/conformance/datumaro/tf_detection_api_dataset)
// imported, exported back and compared; corrupt records are reported by index.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "src/formats/dataset_io.h"
#include "src/formats/tfrecord_io.h"
#include "src/formats/sqlite_fixture_for_test.h"
#include "tessera/store.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tfrecord::Example;
using tfrecord::Feature;

const fs::path kSample = "../shared/conformance/datumaro/tf_detection_api_dataset";

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

uint32_t Le32(std::string_view bytes, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v |= uint32_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
  return v;
}

uint64_t Le64(std::string_view bytes, size_t at) {
  return Le32(bytes, at) | (uint64_t{Le32(bytes, at + 4)} << 32);
}

// Walks a TFRecord file's framing by hand and checks both CRCs of every
// record; returns the record payloads (fails the test on any mismatch).
std::vector<std::string> CheckFraming(const std::string& file) {
  std::vector<std::string> records;
  size_t at = 0;
  while (at < file.size()) {
    EXPECT_LE(at + 12, file.size());
    if (at + 12 > file.size()) break;
    uint64_t length = Le64(file, at);
    EXPECT_EQ(Le32(file, at + 8), tfrecord::MaskCrc(tfrecord::Crc32c(std::string_view(file).substr(at, 8))))
        << "length CRC of record " << records.size();
    EXPECT_LE(at + 12 + length + 4, file.size());
    if (at + 12 + length + 4 > file.size()) break;
    std::string_view data = std::string_view(file).substr(at + 12, length);
    EXPECT_EQ(Le32(file, at + 12 + length), tfrecord::MaskCrc(tfrecord::Crc32c(data)))
        << "data CRC of record " << records.size();
    records.emplace_back(data);
    at += 12 + length + 4;
  }
  EXPECT_EQ(at, file.size());
  return records;
}

struct Read {
  DatasetHeader header;
  std::vector<Item> items;
  Tally problems;
  Status status;
};

Read ReadPath(const fs::path& path) {
  Read r;
  r.status = ReadTfRecord(path, {}, &r.header, &r.problems, [&](Item&& item) {
    r.items.push_back(std::move(item));
    return Status::Ok();
  });
  return r;
}

TEST(TfRecordIoTest, Crc32cKnownValues) {
  // The check value of CRC-32C and RFC 3720's 32 zero bytes.
  EXPECT_EQ(tfrecord::Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(tfrecord::Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(tfrecord::MaskCrc(0), 0xa282ead8u);
}

TEST(TfRecordIoTest, DatumaroFilesHaveValidFraming) {
  for (const char* name : {"train.tfrecord", "val.tfrecord", "test.tfrecord"}) {
    SCOPED_TRACE(name);
    std::string file = ReadAll(kSample / name);
    ASSERT_FALSE(file.empty());
    std::vector<std::string> records = CheckFraming(file);
    ASSERT_EQ(records.size(), 1u);
    auto example = tfrecord::DecodeExample(records[0]);
    ASSERT_TRUE(example.ok()) << example.status().ToString();
    // Encoding what was decoded and decoding again gives the same features.
    auto again = tfrecord::DecodeExample(tfrecord::EncodeExample(*example));
    ASSERT_TRUE(again.ok());
    ASSERT_EQ(again->features.size(), example->features.size());
    for (size_t idx = 0; idx < example->features.size(); ++idx) {
      const auto& [name_a, a] = example->features[idx];
      const auto& [name_b, b] = again->features[idx];
      EXPECT_EQ(name_a, name_b);
      EXPECT_EQ(a.kind, b.kind);
      EXPECT_EQ(a.bytes, b.bytes);
      EXPECT_EQ(a.floats, b.floats);
      EXPECT_EQ(a.ints, b.ints);
    }
  }
}

TEST(TfRecordIoTest, ExampleWireEncodingMatchesProtobuf) {
  Example example;
  example.Add("w", Feature::Ints({16, -1}));
  example.Add("f", Feature::Floats({0.25f}));
  example.Add("b", Feature::Bytes({"ab", ""}));
  std::string encoded = tfrecord::EncodeExample(example);
  auto decoded = tfrecord::DecodeExample(encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_THAT(decoded->Find("w")->ints, ElementsAre(16, -1));
  EXPECT_THAT(decoded->Find("f")->floats, ElementsAre(0.25f));
  EXPECT_THAT(decoded->Find("b")->bytes, ElementsAre("ab", ""));
  // Byte for byte what protobuf writes: packed repeated numbers, -1 as a
  // 10-byte varint, 0.25f as 00 00 80 3e.
  EXPECT_NE(encoded.find(std::string("\x0a\x01w\x12\x0f\x1a\x0d\x0a\x0b\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 20)),
            std::string::npos);
  EXPECT_NE(encoded.find(std::string("\x0a\x01" "f\x12\x08\x12\x06\x0a\x04\x00\x00\x80\x3e", 13)), std::string::npos);
  EXPECT_NE(encoded.find(std::string("\x0a\x01" "b\x12\x08\x0a\x06\x0a\x02" "ab\x0a\x00", 13)), std::string::npos);
  // Unpacked numbers (older writers) decode too.
  std::string unpacked("\x0a\x13\x0a\x11\x0a\x01x\x12\x0c\x12\x0a\x0d\x00\x00\x80\x3e\x0d\x00\x00\x00\x3f", 21);
  auto old = tfrecord::DecodeExample(unpacked);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_THAT(old->Find("x")->floats, ElementsAre(0.25f, 0.5f));
  EXPECT_FALSE(tfrecord::DecodeExample(std::string("\x0a\x10\x0a", 3)).ok());
}

TEST(TfRecordReadTest, DatumaroSample) {
  Read r = ReadPath(kSample);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.header.categories.size(), 10u);
  EXPECT_EQ(r.header.categories[2].name, "label_2");
  ASSERT_EQ(r.items.size(), 3u);
  const Item& train = *std::find_if(r.items.begin(), r.items.end(), [](const Item& i) { return i.subset == "train"; });
  EXPECT_EQ(train.image, "1.jpg");
  EXPECT_EQ(train.width, 16);
  EXPECT_EQ(train.height, 16);
  // Three boxes in the file; the third has no label (empty text, class 0).
  ASSERT_EQ(train.shapes.size(), 2u);
  EXPECT_EQ(train.shapes[0].label, "label_2");
  EXPECT_THAT(train.shapes[0].points, ElementsAre(0, 4, 4, 12));
  EXPECT_EQ(train.shapes[1].label, "label_3");
  EXPECT_THAT(train.shapes[1].points, ElementsAre(0, 4, 4, 8));
  EXPECT_THAT(r.problems.Lines(), ::testing::Contains(HasSubstr("object without a label")));
}

TEST(TfRecordReadTest, CorruptRecordsAreReportedByIndex) {
  fs::path dir = fs::temp_directory_path() / ("tessera_tfrecord_" + std::to_string(std::random_device()()));
  fs::create_directories(dir);
  std::string one = ReadAll(kSample / "train.tfrecord");
  std::string bad = one;
  bad[40] ^= 0x01;  // a byte of the first record's data
  std::ofstream(dir / "a.tfrecord", std::ios::binary) << one << bad << one;
  Read r = ReadPath(dir / "a.tfrecord");
  EXPECT_TRUE(r.status.ok());
  EXPECT_EQ(r.items.size(), 2u);  // records 0 and 2
  EXPECT_THAT(r.problems.Lines(), ::testing::Contains(HasSubstr("a.tfrecord record 1: data CRC mismatch")));
  // A damaged length ends the file: reported, the records before it kept.
  std::string bad_length = one;
  bad_length[1] ^= 0x01;
  std::ofstream(dir / "a.tfrecord", std::ios::binary | std::ios::trunc) << one << bad_length;
  r = ReadPath(dir / "a.tfrecord");
  EXPECT_TRUE(r.status.ok());
  EXPECT_EQ(r.items.size(), 1u);
  EXPECT_THAT(r.problems.Lines(), ::testing::Contains(HasSubstr("record 1: length CRC mismatch")));
  // A truncated file.
  std::ofstream(dir / "a.tfrecord", std::ios::binary | std::ios::trunc) << one.substr(0, one.size() - 2);
  r = ReadPath(dir / "a.tfrecord");
  EXPECT_THAT(r.problems.Lines(), ::testing::Contains(HasSubstr("record 0: truncated")));
  fs::remove_all(dir);
}

class TfRecordStoreTest : public SqliteStoreTest {
 protected:
  TfRecordStoreTest() : SqliteStoreTest("tf") {}
};

TEST_F(TfRecordStoreTest, DatumaroSampleRoundTripWithEmbeddedImages) {
  auto config = SuggestLabelingConfig("TFRECORD", kSample);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  Project project;
  project.title = "tf";
  project.label_config = *config;
  project.created_by = user_id_;
  ASSERT_TRUE(store_->CreateProject(&project).ok());
  const std::string prefix = "/data/upload/" + std::to_string(project.id) + "/";
  DatasetImportOptions import_options;
  import_options.image_prefix = prefix;
  auto imported = ImportDataset(*store_, project.id, user_id_, "tfrecord", kSample, import_options);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->tasks, 3);
  EXPECT_EQ(imported->regions, 3);  // train: 2 labeled boxes (+1 without a label), val: 1, test: none
  // Put the images the records carry where the uploads live.
  Read original = ReadPath(kSample);
  fs::path media = dir_ / "media";
  fs::create_directories(media / "upload" / std::to_string(project.id));
  std::map<std::string, std::string> image_bytes;
  for (const char* name : {"train.tfrecord", "val.tfrecord", "test.tfrecord"}) {
    for (const std::string& record : CheckFraming(ReadAll(kSample / name))) {
      Example example = tfrecord::DecodeExample(record).value();
      std::string file = example.Find("image/filename")->bytes[0];
      image_bytes[file] = example.Find("image/encoded")->bytes[0];
      std::ofstream(media / "upload" / std::to_string(project.id) / file, std::ios::binary) << image_bytes[file];
    }
  }
  DatasetExportOptions export_options;
  export_options.media_root = media;
  export_options.download_all_tasks = true;  // the test image has no boxes
  fs::path out = dir_ / "out";
  auto sink = NewFolderSink(out);
  auto report = ExportDataset(*store_, project.id, "TFRECORD", *sink, export_options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->tasks, 3);
  EXPECT_EQ(report->regions, 3);
  // Our framing, checked by hand.
  std::vector<std::string> records = CheckFraming(ReadAll(out / "default.tfrecord"));
  ASSERT_EQ(records.size(), 3u);
  for (const std::string& record : records) {
    Example example = tfrecord::DecodeExample(record).value();
    const std::string file = example.Find("image/filename")->bytes[0];
    ASSERT_TRUE(image_bytes.count(file)) << file;
    EXPECT_EQ(example.Find("image/encoded")->bytes[0], image_bytes[file]);
    EXPECT_EQ(example.Find("image/format")->bytes[0], "jpeg");
    if (file == "3.jpg") {  // no boxes, so no size in the annotation: read from the image
      EXPECT_EQ(example.Find("image/width")->ints[0], 4);
      EXPECT_EQ(example.Find("image/height")->ints[0], 5);
    }
    const Feature* text = example.Find("image/object/class/text");
    const Feature* label = example.Find("image/object/class/label");
    ASSERT_EQ(text->bytes.size(), label->ints.size());
    for (size_t obj = 0; obj < text->bytes.size(); ++obj) {
      // label_map.pbtxt ids are 1-based: label_N has id N + 1 in the sample's config order.
      EXPECT_EQ("label_" + std::to_string(label->ints[obj] - 1), text->bytes[obj]);
    }
  }
  EXPECT_THAT(ReadAll(out / "label_map.pbtxt"), HasSubstr("item {\n  id: 3\n  name: 'label_2'\n}\n"));
  // For checking with another reader (src/formats/check_tfrecord.py).
  if (const char* keep = std::getenv("TESSERA_TFRECORD_KEEP")) {
    fs::copy(out, keep, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }
  // And read back: same images, sizes, boxes and labels as the original.
  Read back = ReadPath(out);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  ASSERT_EQ(back.items.size(), original.items.size());
  size_t boxes = 0;
  for (const Item& a : original.items) {
    SCOPED_TRACE(a.image);
    auto b = std::find_if(back.items.begin(), back.items.end(), [&](const Item& i) { return i.image == a.image; });
    ASSERT_NE(b, back.items.end());
    EXPECT_EQ(a.width, b->width);
    EXPECT_EQ(a.height, b->height);
    ASSERT_EQ(a.shapes.size(), b->shapes.size());
    for (size_t idx = 0; idx < a.shapes.size(); ++idx) {
      EXPECT_EQ(a.shapes[idx].label, b->shapes[idx].label);
      EXPECT_EQ(a.shapes[idx].points, b->shapes[idx].points);  // exact: float32 in, float32 out
      ++boxes;
    }
  }
  EXPECT_EQ(boxes, 3u);
  // Without a media root the images are not embedded.
  fs::path bare = dir_ / "bare";
  auto bare_sink = NewFolderSink(bare);
  ASSERT_TRUE(ExportDataset(*store_, project.id, "TFRECORD", *bare_sink, {}).ok());
  EXPECT_EQ(CheckFraming(ReadAll(bare / "default.tfrecord")).size(), 2u);  // only annotated tasks
  for (const std::string& record : CheckFraming(ReadAll(bare / "default.tfrecord"))) {
    EXPECT_EQ(tfrecord::DecodeExample(record).value().Find("image/encoded")->bytes[0], "");
  }
}

TEST(LocalImageFileTest, ResolvesUploadsAndLocalFilesInsideTheirRoots) {
  EXPECT_EQ(LocalImageFile("/data/upload/3/a.jpg", "/m", ""), fs::path("/m/upload/3/a.jpg"));
  EXPECT_EQ(LocalImageFile("/data/local-files/?d=ds/a%20b.jpg", "", "/l"), fs::path("/l/ds/a b.jpg"));
  EXPECT_EQ(LocalImageFile("/data/upload/3/../../x", "/m", ""), fs::path());
  EXPECT_EQ(LocalImageFile("/data/local-files/?d=/etc/passwd", "", "/l"), fs::path());
  EXPECT_EQ(LocalImageFile("/data/upload/3/a.jpg", "", ""), fs::path());
  EXPECT_EQ(LocalImageFile("https://x/a.jpg", "/m", "/l"), fs::path());
}

}  // namespace
}  // namespace tessera::formats
