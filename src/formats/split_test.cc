// Splits: SplitAssigner's determinism and per-label proportions, and how the
// formats lay splits out (COCO one file per split, YOLO lists and folders,
// VOC image sets, TFRecord files, Hugging Face splits and dataset cards).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "src/formats/dataset_io.h"
#include "tessera/import.h"
#include "src/formats/sqlite_fixture_for_test.h"
#include "tessera/store.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::vector<std::string> AssignMany(const std::string& spec, uint64_t seed, const std::vector<std::string>& labels) {
  SplitAssigner assigner = SplitAssigner::Parse(spec, seed).value();
  std::vector<std::string> out;
  for (const std::string& label : labels) out.push_back(assigner.Assign(label));
  return out;
}

// 1000 "a", 300 "b", 50 "c" interleaved.
std::vector<std::string> Labels() {
  std::vector<std::string> labels;
  for (int idx = 0; idx < 1000; ++idx) {
    labels.push_back("a");
    if (idx % 10 < 3) labels.push_back("b");
    if (idx % 20 == 0) labels.push_back("c");
  }
  return labels;
}

TEST(SplitAssignerTest, SameSeedSameSplitOtherSeedOther) {
  std::vector<std::string> labels = Labels();
  EXPECT_EQ(AssignMany("0.8,0.1,0.1", 7, labels), AssignMany("0.8,0.1,0.1", 7, labels));
  EXPECT_NE(AssignMany("0.8,0.1,0.1", 7, labels), AssignMany("0.8,0.1,0.1", 8, labels));
}

TEST(SplitAssignerTest, ProportionsHoldPerLabel) {
  std::vector<std::string> labels = Labels();
  for (uint64_t seed : {0u, 1u, 42u}) {
    std::vector<std::string> splits = AssignMany("0.8,0.1,0.1", seed, labels);
    std::map<std::string, std::map<std::string, int>> counts;
    for (size_t idx = 0; idx < labels.size(); ++idx) ++counts[labels[idx]][splits[idx]];
    // Whole blocks of 10 per label: exact.
    EXPECT_EQ(counts["a"]["train"], 800);
    EXPECT_EQ(counts["a"]["val"], 100);
    EXPECT_EQ(counts["a"]["test"], 100);
    EXPECT_EQ(counts["b"]["train"], 240);
    EXPECT_EQ(counts["b"]["val"], 30);
    EXPECT_EQ(counts["c"]["train"], 40);
    EXPECT_EQ(counts["c"]["test"], 5);
  }
  // Ratios without a small whole block: within one block of 100.
  std::vector<std::string> splits = AssignMany("0.333,0.667", 3, labels);
  int train = 0;
  for (size_t idx = 0; idx < labels.size(); ++idx) train += labels[idx] == "a" && splits[idx] == "train";
  EXPECT_NEAR(train, 333, 34);
  // The order of assignment within a block varies (not train first).
  std::vector<std::string> first = AssignMany("0.8,0.1,0.1", 5, std::vector<std::string>(10, "x"));
  EXPECT_NE(first, std::vector<std::string>({"train", "train", "train", "train", "train", "train", "train", "train",
                                             "val", "test"}));
}

TEST(SplitAssignerTest, RejectsBadSpecsNamingTheField) {
  for (const char* spec : {"0.8", "0.5,0.6", "a,b", "0.8,0.1,0.05,0.05", "-0.2,1.2", "0.8,,0.2"}) {
    auto parsed = SplitAssigner::Parse(spec, 0);
    ASSERT_FALSE(parsed.ok()) << spec;
    EXPECT_THAT(parsed.status().message(), HasSubstr("split"));
  }
  EXPECT_TRUE(SplitAssigner::Parse("0.9,0.1", 0).ok());
  EXPECT_TRUE(SplitAssigner::Parse(" 0.7, 0.2, 0.1", 0).ok());
}

class SplitExportTest : public SqliteStoreTest {
 protected:
  SplitExportTest() : SqliteStoreTest("split") {}

  // 40 images: 30 with a "cat" box, 10 with a "dog" box.
  Id ImageProject() {
    json tasks = json::array();
    for (int idx = 0; idx < 40; ++idx) {
      json box = {{"from_name", "box"}, {"to_name", "img"}, {"type", "rectanglelabels"},
                  {"original_width", 100}, {"original_height", 50},
                  {"value", {{"x", 10}, {"y", 20}, {"width", 30}, {"height", 40},
                             {"rectanglelabels", {idx % 4 == 3 ? "dog" : "cat"}}}}};
      tasks.push_back({{"data", {{"image", "/data/upload/1/img" + std::to_string(idx) + ".jpg"}}},
                       {"annotations", json::array({{{"result", json::array({box})}}})}});
    }
    return Project(R"(<View><Image name="img" value="$image"/><RectangleLabels name="box" toName="img">
      <Label value="cat"/><Label value="dog"/></RectangleLabels></View>)", tasks);
  }

  Id Project(const std::string& config, const json& tasks) { return ImportedProject("split", config, tasks.dump()); }

  fs::path Export(Id project, const std::string& format, const std::string& split, uint64_t seed = 1) {
    fs::path out = dir_ / (format + "-" + std::to_string(++exports_));
    auto sink = NewFolderSink(out);
    DatasetExportOptions options;
    options.split = split;
    options.seed = seed;
    auto report = ExportDataset(*store_, project, format, *sink, options);
    EXPECT_TRUE(report.ok()) << format << ": " << report.status().ToString();
    return out;
  }

  int exports_ = 0;
};

TEST_F(SplitExportTest, CocoWritesOneFilePerSplitWithPerClassProportions) {
  Id project = ImageProject();
  fs::path out = Export(project, "COCO", "0.5,0.25,0.25");
  std::map<std::string, std::map<int, int>> per_split;  // split -> category id -> images
  std::set<std::string> names;
  for (const char* split : {"train", "val", "test"}) {
    json doc = json::parse(ReadAll(out / "annotations" / (std::string("instances_") + split + ".json")));
    for (const json& image : doc["images"]) EXPECT_TRUE(names.insert(image["file_name"]).second) << "in two splits";
    for (const json& ann : doc["annotations"]) ++per_split[split][ann["category_id"].get<int>()];
    EXPECT_EQ(doc["categories"].size(), 2u);
  }
  EXPECT_EQ(names.size(), 40u);
  EXPECT_FALSE(fs::exists(out / "annotations/instances_default.json"));
  // cat (id 1): 30 -> blocks of 4 (2/1/1): 7 whole blocks + 2 more; dog: 10 -> 2 blocks + 2.
  EXPECT_NEAR(per_split["train"][1], 15, 1);
  EXPECT_NEAR(per_split["val"][1], 7.5, 1);
  EXPECT_NEAR(per_split["train"][2], 5, 1);
  EXPECT_NEAR(per_split["test"][2], 2.5, 1);
  // Same seed, same files; the COCO reader reads the splits as subsets.
  fs::path again = Export(project, "COCO", "0.5,0.25,0.25");
  EXPECT_EQ(ReadAll(out / "annotations/instances_val.json"), ReadAll(again / "annotations/instances_val.json"));
  fs::path other = Export(project, "COCO", "0.5,0.25,0.25", 99);
  EXPECT_NE(ReadAll(out / "annotations/instances_val.json"), ReadAll(other / "annotations/instances_val.json"));
}

TEST_F(SplitExportTest, YoloVocTfRecordLayouts) {
  Id project = ImageProject();
  fs::path darknet = Export(project, "YOLO", "0.5,0.25,0.25");
  EXPECT_THAT(ReadAll(darknet / "obj.data"), HasSubstr("train = data/train.txt\n"));
  EXPECT_THAT(ReadAll(darknet / "obj.data"), HasSubstr("valid = data/valid.txt\n"));
  EXPECT_THAT(ReadAll(darknet / "obj.data"), HasSubstr("test = data/test.txt\n"));
  EXPECT_THAT(ReadAll(darknet / "valid.txt"), HasSubstr("data/obj_val_data/"));
  size_t listed = 0;
  for (const char* list : {"train.txt", "valid.txt", "test.txt"}) {
    std::string text = ReadAll(darknet / list);
    listed += static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  }
  EXPECT_EQ(listed, 40u);
  fs::path ultra = Export(project, "YOLOV8", "0.8,0.2");
  EXPECT_THAT(ReadAll(ultra / "data.yaml"), HasSubstr("train: images/train\nval: images/val\n"));
  size_t val_labels = 0;
  for (const auto& entry : fs::directory_iterator(ultra / "labels/val")) val_labels += entry.is_regular_file();
  EXPECT_EQ(val_labels, 8u);  // 20% of 30 cats + 20% of 10 dogs
  fs::path voc = Export(project, "VOC", "0.8,0.2");
  std::string val = ReadAll(voc / "ImageSets/Main/val.txt");
  EXPECT_EQ(std::count(val.begin(), val.end(), '\n'), 8);
  fs::path tf = Export(project, "TFRECORD", "0.8,0.2");
  EXPECT_TRUE(fs::exists(tf / "train.tfrecord"));
  EXPECT_TRUE(fs::exists(tf / "val.tfrecord"));
  // Formats without splits refuse the option, naming the field.
  auto sink = NewFolderSink(dir_ / "conll");
  DatasetExportOptions options;
  options.split = "0.8,0.2";
  auto refused = ExportDataset(*store_, project, "CVAT_VIDEO", *sink, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("split"));
}

// CVAT XML: the split is each image's subset=, as CVAT's project export
// writes it, and the CVAT reader reads it back.
TEST_F(SplitExportTest, CvatMarksEachImageWithItsSubset) {
  Id project = ImageProject();
  fs::path cvat = Export(project, "CVAT", "0.8,0.2");
  const std::string xml = ReadAll(cvat / "annotations.xml");
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t at = xml.find(needle); at != std::string::npos; at = xml.find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(" subset=\"val\""), 8u);  // 20% of 30 cats + 20% of 10 dogs
  EXPECT_EQ(count(" subset=\"train\""), 32u);
  DatasetHeader header;
  Tally problems;
  std::map<std::string, size_t> per_subset;
  Status read = ReadCvat(cvat, {}, &header, &problems, [&](Item&& item) {
    ++per_subset[item.subset];
    return Status::Ok();
  });
  ASSERT_TRUE(read.ok()) << read.ToString();
  EXPECT_EQ(per_subset["val"], 8u);
  EXPECT_EQ(per_subset["train"], 32u);
  // Without a split, no subset= at all (CVAT's task export has none).
  EXPECT_EQ(ReadAll(Export(project, "CVAT", "") / "annotations.xml").find("subset="), std::string::npos);
}

TEST_F(SplitExportTest, HuggingFaceTextWithSplitsAndCard) {
  json tasks = json::array();
  for (int idx = 0; idx < 20; ++idx) {
    json choice = {{"from_name", "sentiment"}, {"to_name", "text"}, {"type", "choices"},
                   {"value", {{"choices", {idx % 2 ? "Negative" : "Positive"}}}}};
    json span = {{"from_name", "ner"}, {"to_name", "text"}, {"type", "labels"},
                 {"value", {{"start", 0}, {"end", 4}, {"labels", {"PER"}}}}};
    tasks.push_back({{"data", {{"text", "Zoë said hi " + std::to_string(idx)}}},
                     {"annotations", json::array({{{"result", json::array({choice, span})}}})}});
  }
  Id project = Project(R"(<View><Text name="text" value="$text"/>
    <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
    <Labels name="ner" toName="text"><Label value="PER"/></Labels></View>)", tasks);
  fs::path out = Export(project, "HF_JSONL", "0.8,0.2");
  std::map<std::string, std::map<int, int>> counts;
  for (const char* split : {"train", "val"}) {
    std::istringstream lines(ReadAll(out / "data" / (std::string(split) + ".jsonl")));
    std::string line;
    while (std::getline(lines, line)) {
      json row = json::parse(line);
      ++counts[split][row["label"].get<int>()];
      ASSERT_EQ(row["spans"].size(), 1u);
      EXPECT_EQ(row["spans"][0]["text"], "Zoë ");  // code points 0..4, "ë" is two bytes
      EXPECT_EQ(row["spans"][0]["label"], "PER");
      EXPECT_THAT(row["text"].get<std::string>(), HasSubstr("said hi"));
    }
  }
  EXPECT_EQ(counts["train"][0], 8);
  EXPECT_EQ(counts["train"][1], 8);
  EXPECT_EQ(counts["val"][0], 2);
  EXPECT_EQ(counts["val"][1], 2);
  std::string card = ReadAll(out / "README.md");
  EXPECT_THAT(card, ::testing::StartsWith("---\ndataset_info:\n  features:\n"));
  EXPECT_THAT(card, HasSubstr("  - name: label\n    dtype:\n      class_label:\n        names:\n"
                              "          '0': 'Positive'\n          '1': 'Negative'\n"));
  EXPECT_THAT(card, HasSubstr("  splits:\n  - name: train\n    num_examples: 16\n  - name: val\n    num_examples: 4\n"));
  EXPECT_THAT(card, HasSubstr("configs:\n- config_name: default\n  data_files:\n  - split: train\n"
                              "    path: data/train.jsonl\n"));
}

TEST_F(SplitExportTest, HuggingFaceImageFolderCopiesImagesAndWritesMetadata) {
  Id project = ImageProject();
  fs::path media = dir_ / "media";
  fs::create_directories(media / "upload/1");
  std::ofstream(media / "upload/1/img0.jpg", std::ios::binary) << "not really a jpeg";
  fs::path out = dir_ / "hf";
  auto sink = NewFolderSink(out);
  DatasetExportOptions options;
  options.media_root = media;
  auto report = ExportDataset(*store_, project, "HF_IMAGEFOLDER", *sink, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(ReadAll(out / "images/train/img0.jpg"), "not really a jpeg");
  EXPECT_FALSE(fs::exists(out / "images/train/img1.jpg"));  // not on this machine: metadata only
  std::istringstream lines(ReadAll(out / "images/train/metadata.jsonl"));
  std::string line;
  int rows = 0;
  while (std::getline(lines, line)) {
    json row = json::parse(line);
    if (row["file_name"] == "img3.jpg") {
      EXPECT_EQ(row["objects"]["bbox"], json::parse("[[10, 10, 30, 20]]"));  // 10%,20%,30%,40% of 100x50
      EXPECT_EQ(row["objects"]["category"], json::parse("[1]"));            // dog
      EXPECT_EQ(row["width"], 100);
    }
    ++rows;
  }
  EXPECT_EQ(rows, 40);
  std::string card = ReadAll(out / "README.md");
  EXPECT_THAT(card, HasSubstr("  - name: image\n    dtype: image\n"));
  EXPECT_THAT(card, HasSubstr("    path: images/train/*\n"));
  EXPECT_THAT(card, HasSubstr("'1': 'dog'"));
  EXPECT_THAT(card, HasSubstr("39 images were not on the exporting machine"));
}

}  // namespace
}  // namespace tessera::formats
