// Exactness against real files: each Datumaro sample dataset in
// ../shared/conformance/datumaro is imported into a project, exported back in
// the same format, and both sides are parsed and compared (boxes, polygons,
// keypoints, labels, image sizes; coordinates within 1e-6 px). The Label
// Studio image examples (percent coordinates) are exported with known image
// sizes and checked against the pixel values computed by hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "src/formats/dataset_io.h"
#include "tessera/import.h"
#include "src/formats/sqlite_fixture_for_test.h"
#include "tessera/store.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr double kTolerance = 1e-6;
const fs::path kDatumaro = "../shared/conformance/datumaro";
const fs::path kLabelStudio = "../shared/conformance/label-studio";

struct Dataset {
  DatasetHeader header;
  std::vector<Item> items;
  Tally problems;
};

Dataset Read(const std::string& format, const fs::path& path) {
  Dataset ds;
  ItemSink sink = [&](Item&& item) {
    ds.items.push_back(std::move(item));
    return Status::Ok();
  };
  Status s;
  if (format == "COCO") s = ReadCoco(path, {}, &ds.header, &ds.problems, sink);
  if (format == "VOC") s = ReadVoc(path, {}, &ds.header, &ds.problems, sink);
  if (format == "YOLO" || format == "YOLOV8") s = ReadYolo(path, {}, &ds.header, &ds.problems, sink);
  if (format == "CVAT") s = ReadCvat(path, {}, &ds.header, &ds.problems, sink);
  if (format == "CONLL2003") s = ReadConll(path, {}, &ds.header, &ds.problems, sink);
  EXPECT_TRUE(s.ok()) << format << " " << path << ": " << s.ToString();
  return ds;
}

const char* TypeName(ShapeType type) {
  switch (type) {
    case ShapeType::kBox: return "box";
    case ShapeType::kPolygon: return "polygon";
    case ShapeType::kPolyline: return "polyline";
    case ShapeType::kPoints: return "points";
  }
  return "?";
}

// Equal up to kTolerance; for points, only present points' coordinates count.
bool SameShape(const Shape& a, const Shape& b) {
  if (a.type != b.type || a.label != b.label || a.points.size() != b.points.size()) return false;
  for (size_t i = 0; i < a.points.size(); ++i) {
    size_t point = i / 2;
    if (a.type == ShapeType::kPoints) {
      int va = point < a.visibility.size() ? a.visibility[point] : 2;
      int vb = point < b.visibility.size() ? b.visibility[point] : 2;
      if (va != vb) return false;
      if (va == 0) continue;
      if (point < a.point_labels.size() && point < b.point_labels.size() &&
          !a.point_labels[point].empty() && a.point_labels[point] != b.point_labels[point]) {
        return false;
      }
    }
    if (std::abs(a.points[i] - b.points[i]) > kTolerance) return false;
  }
  return true;
}

std::string Describe(const Shape& s) {
  std::string out = std::string(TypeName(s.type)) + " " + s.label + " [";
  for (double v : s.points) out += FormatNumber(v) + " ";
  out += "] v[";
  for (int v : s.visibility) out += std::to_string(v) + " ";
  return out + "]";
}

// Every item of `original` has an item with the same image file name in
// `exported`, with the same size and the same shapes (in any order).
void ExpectSameItems(const Dataset& original, const Dataset& exported, size_t expected_shapes) {
  ASSERT_EQ(original.items.size(), exported.items.size());
  size_t compared = 0;
  for (const Item& a : original.items) {
    SCOPED_TRACE("image " + a.image);
    auto found = std::find_if(exported.items.begin(), exported.items.end(),
                              [&](const Item& b) { return BaseName(b.image) == BaseName(a.image); });
    ASSERT_NE(found, exported.items.end());
    const Item& b = *found;
    EXPECT_EQ(a.width, b.width);
    EXPECT_EQ(a.height, b.height);
    ASSERT_EQ(a.shapes.size(), b.shapes.size());
    std::vector<bool> used(b.shapes.size());
    for (const Shape& sa : a.shapes) {
      bool matched = false;
      for (size_t idx = 0; idx < b.shapes.size() && !matched; ++idx) {
        if (!used[idx] && SameShape(sa, b.shapes[idx])) used[idx] = matched = true;
      }
      std::string candidates;
      for (const Shape& sb : b.shapes) candidates += "\n  " + Describe(sb);
      EXPECT_TRUE(matched) << "no match for " << Describe(sa) << " among" << candidates;
      ++compared;
    }
  }
  EXPECT_EQ(compared, expected_shapes);
}

class ConformanceTest : public SqliteStoreTest {
 protected:
  ConformanceTest() : SqliteStoreTest("formats") {}

  Id NewProject(const std::string& config) {
    Project project;
    project.title = "conformance";
    project.label_config = config;
    project.created_by = user_id_;
    EXPECT_TRUE(store_->CreateProject(&project).ok());
    return project.id;
  }

  // Imports `path` as `format` into a new project whose config is suggested
  // from the dataset; exports it back as `export_format` into a folder.
  fs::path RoundTrip(const std::string& format, const fs::path& path, const std::string& export_format,
                     DatasetImportReport* import_report = nullptr) {
    auto config = SuggestLabelingConfig(format, path);
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    if (!config.ok()) return {};
    Id project = NewProject(*config);
    auto imported = ImportDataset(*store_, project, user_id_, format, path, {});
    EXPECT_TRUE(imported.ok()) << imported.status().ToString() << "\nconfig:\n" << *config;
    if (!imported.ok()) return {};
    if (import_report) *import_report = *imported;
    fs::path out = dir_ / ("export-" + export_format + "-" + std::to_string(++exports_));
    auto sink = NewFolderSink(out);
    auto exported = ExportDataset(*store_, project, export_format, *sink, {});
    EXPECT_TRUE(exported.ok()) << exported.status().ToString();
    return out;
  }

  int exports_ = 0;
};

TEST_F(ConformanceTest, CocoInstancesRoundTrip) {
  fs::path path = kDatumaro / "coco_dataset/coco_instances";
  Dataset original = Read("COCO", path);
  ASSERT_EQ(original.items.size(), 2u);
  // The crowd annotation's RLE mask (b.jpg, 5x10, counts [0, 20, 30]: the
  // first two columns) is a mask, stored as a brush and exported as RLE again.
  EXPECT_TRUE(original.problems.empty()) << original.problems.Lines()[0];
  DatasetImportReport report;
  fs::path out = RoundTrip("COCO", path, "COCO", &report);
  EXPECT_EQ(report.tasks, 2);
  EXPECT_TRUE(report.unmatched.empty()) << report.unmatched[0];
  Dataset exported = Read("COCO", out);
  ExpectSameItems(original, exported, 2);
  size_t masks = 0;
  for (const Item& a : original.items) {
    auto b = std::find_if(exported.items.begin(), exported.items.end(),
                          [&](const Item& item) { return BaseName(item.image) == BaseName(a.image); });
    ASSERT_NE(b, exported.items.end());
    ASSERT_EQ(a.masks.size(), b->masks.size());
    for (size_t m = 0; m < a.masks.size(); ++m, ++masks) {
      EXPECT_EQ(a.masks[m].label, b->masks[m].label);
      EXPECT_EQ(a.masks[m].pixels, b->masks[m].pixels) << "pixel for pixel";
      EXPECT_EQ(std::count(a.masks[m].pixels.begin(), a.masks[m].pixels.end(), 255), 20);
    }
  }
  EXPECT_EQ(masks, 1u);
  // The exported segmentation is the original's RLE, count for count.
  auto doc = json::parse(std::ifstream(out / "annotations/instances_default.json"));
  bool found = false;
  for (const json& ann : doc["annotations"]) {
    if (!ann["segmentation"].is_object()) continue;
    found = true;
    EXPECT_EQ(ann["segmentation"]["counts"], json({0, 20, 30}));
    EXPECT_EQ(ann["segmentation"]["size"], json({10, 5}));
    EXPECT_EQ(ann["iscrowd"], 1);
    EXPECT_EQ(ann["area"], 20);
  }
  EXPECT_TRUE(found);
}

TEST_F(ConformanceTest, CocoCompressedRleStringImportsAsTheSameMask) {
  // The Datumaro sample with its counts in pycocotools' string form.
  fs::path src = kDatumaro / "coco_dataset/coco_instances/annotations/instances_val.json";
  json doc = json::parse(std::ifstream(src));
  for (json& ann : doc["annotations"]) {
    if (ann["segmentation"].is_object()) ann["segmentation"]["counts"] = "0d0n0";
  }
  fs::create_directories(dir_ / "compressed/annotations");
  std::ofstream(dir_ / "compressed/annotations/instances_val.json") << doc.dump();
  Dataset list = Read("COCO", kDatumaro / "coco_dataset/coco_instances/annotations/instances_val.json");
  Dataset text = Read("COCO", dir_ / "compressed");
  ASSERT_EQ(list.items.size(), 1u);
  ASSERT_EQ(text.items.size(), 1u);
  ASSERT_EQ(text.items[0].masks.size(), 1u);
  EXPECT_EQ(text.items[0].masks[0].pixels, list.items[0].masks[0].pixels);
}

TEST_F(ConformanceTest, CocoPersonKeypointsRoundTrip) {
  fs::path path = kDatumaro / "coco_dataset/coco_person_keypoints";
  Dataset original = Read("COCO", path);
  fs::path out = RoundTrip("COCO", path, "COCO");
  Dataset exported = Read("COCO", out);
  ExpectSameItems(original, exported, 6);
  // Category "a" keeps its declared keypoint names in order.
  auto a = std::find_if(exported.header.categories.begin(), exported.header.categories.end(),
                        [](const Category& c) { return c.name == "a"; });
  ASSERT_NE(a, exported.header.categories.end());
  EXPECT_THAT(a->keypoints, ::testing::ElementsAre("a_1", "a_2", "a_3"));
  // And the raw keypoint triplets survive exactly.
  auto doc = json::parse(std::ifstream(out / "annotations/instances_default.json"));
  std::vector<std::vector<double>> keypoints;
  int masks = 0;
  for (const json& ann : doc["annotations"]) {
    // b's crowd RLE mask is an annotation of its own; its keypoints stay with its bbox.
    if (ann["segmentation"].is_object()) {
      ++masks;
      EXPECT_EQ(ann["segmentation"]["counts"], json({0, 20, 30}));
      continue;
    }
    keypoints.push_back(ann["keypoints"].get<std::vector<double>>());
  }
  EXPECT_EQ(masks, 1);
  EXPECT_THAT(keypoints, ::testing::UnorderedElementsAre(
                             std::vector<double>{0, 0, 0, 0, 2, 1, 4, 1, 2}, std::vector<double>{1, 2, 2, 3, 4, 2, 2, 3, 2},
                             std::vector<double>{2, 4, 2, 4, 4, 2, 4, 2, 2}));
}

TEST_F(ConformanceTest, VocRoundTrip) {
  fs::path path = kDatumaro / "voc_dataset/voc_dataset1";
  Dataset original = Read("VOC", path);
  ASSERT_EQ(original.items.size(), 1u);
  EXPECT_EQ(original.items[0].width, 20);
  fs::path out = RoundTrip("VOC", path, "VOC");
  Dataset exported = Read("VOC", out);
  ExpectSameItems(original, exported, 3);
  // The part (head) stays attached to its person.
  const Item& item = exported.items[0];
  auto head = std::find_if(item.shapes.begin(), item.shapes.end(), [](const Shape& s) { return s.label == "head"; });
  auto person = std::find_if(item.shapes.begin(), item.shapes.end(), [](const Shape& s) { return s.label == "person"; });
  ASSERT_NE(head, item.shapes.end());
  ASSERT_NE(person, item.shapes.end());
  EXPECT_NE(head->group, 0);
  EXPECT_EQ(head->group, person->group);
  EXPECT_EQ(person->attributes["actions"]["jumping"], "0");
}

TEST_F(ConformanceTest, YoloDarknetRoundTrip) {
  fs::path path = kDatumaro / "yolo_dataset/yolo";
  Dataset original = Read("YOLO", path);
  ASSERT_EQ(original.items.size(), 1u);
  EXPECT_EQ(original.items[0].width, 15);  // from the JPEG header
  fs::path out = RoundTrip("YOLO", path, "YOLO");
  fs::create_directories(out / "obj_train_data");
  fs::copy_file(path / "obj_train_data/1.jpg", out / "obj_train_data/1.jpg");
  ExpectSameItems(original, Read("YOLO", out), 2);
  EXPECT_TRUE(fs::exists(out / "obj.data"));
}

TEST_F(ConformanceTest, YoloUltralyticsRoundTrip) {
  fs::path path = kDatumaro / "yolo_dataset/yolov8_detection";
  Dataset original = Read("YOLOV8", path);
  ASSERT_EQ(original.items.size(), 1u);
  ASSERT_EQ(original.header.categories.size(), 10u);
  fs::path out = RoundTrip("YOLOV8", path, "YOLOV8");
  // The export has no images, so give the reader the originals' sizes.
  fs::create_directories(out / "images/train");
  fs::copy_file(path / "images/train/1.jpg", out / "images/train/1.jpg");
  ExpectSameItems(original, Read("YOLOV8", out), 2);
}

// Label Studio examples carry percent coordinates; with known image sizes the
// pixel values are x% * width / 100 exactly.
TEST_F(ConformanceTest, LabelStudioImageExamplesToCoco) {
  struct Example {
    std::string name;
    int64_t width, height;
  };
  for (const Example& example : {Example{"image_bbox", 800, 533}, Example{"image_polygons", 1200, 801},
                                 Example{"image_keypoints", 800, 501}}) {
    SCOPED_TRACE(example.name);
    fs::path dir = kLabelStudio / example.name;
    std::ifstream config_file(dir / "config.xml");
    std::string config((std::istreambuf_iterator<char>(config_file)), {});
    Id project = NewProject(config);
    json tasks = json::array();
    std::vector<json> expected;  // result items with sizes
    for (const auto& entry : fs::directory_iterator(dir / "annotations")) {
      json task = json::parse(std::ifstream(entry.path()));
      task.erase("id");
      task.erase("predictions");
      for (json& annotation : task["annotations"]) {
        annotation.erase("id");
        for (json& region : annotation["result"]) {
          region["original_width"] = example.width;
          region["original_height"] = example.height;
          expected.push_back(region);
        }
      }
      tasks.push_back(task);
    }
    std::string body = tasks.dump();
    auto imported = ImportTasks(*store_, project, user_id_, ImportSource::Buffer(body, ImportFormat::kJson), {});
    ASSERT_TRUE(imported.ok()) << imported.status().ToString();
    std::ostringstream zip;
    auto sink = NewZipSink(zip);
    auto exported = ExportDataset(*store_, project, "COCO", *sink, {});
    ASSERT_TRUE(exported.ok()) << exported.status().ToString();
    fs::path out = dir_ / example.name;
    auto folder = NewFolderSink(out);
    ASSERT_TRUE(ExportDataset(*store_, project, "COCO", *folder, {}).ok());
    json doc = json::parse(std::ifstream(out / "annotations/instances_default.json"));
    ASSERT_EQ(doc["images"].size(), 1u);
    EXPECT_EQ(doc["images"][0]["width"], example.width);
    ASSERT_EQ(doc["annotations"].size(), expected.size());
    double sx = static_cast<double>(example.width) / 100, sy = static_cast<double>(example.height) / 100;
    for (size_t idx = 0; idx < expected.size(); ++idx) {
      const json& value = expected[idx]["value"];
      const json& ann = doc["annotations"][idx];
      if (value.contains("points")) {
        const json& seg = ann["segmentation"][0];
        ASSERT_EQ(seg.size(), value["points"].size() * 2);
        for (size_t p = 0; p < value["points"].size(); ++p) {
          EXPECT_NEAR(seg[2 * p].get<double>(), value["points"][p][0].get<double>() * sx, kTolerance);
          EXPECT_NEAR(seg[2 * p + 1].get<double>(), value["points"][p][1].get<double>() * sy, kTolerance);
        }
      } else if (value.contains("keypointlabels")) {
        EXPECT_NEAR(ann["keypoints"][0].get<double>(), value["x"].get<double>() * sx, kTolerance);
        EXPECT_NEAR(ann["keypoints"][1].get<double>(), value["y"].get<double>() * sy, kTolerance);
        EXPECT_EQ(ann["keypoints"][2], 2);
      } else {
        EXPECT_NEAR(ann["bbox"][0].get<double>(), value["x"].get<double>() * sx, kTolerance);
        EXPECT_NEAR(ann["bbox"][1].get<double>(), value["y"].get<double>() * sy, kTolerance);
        EXPECT_NEAR(ann["bbox"][2].get<double>(), value["width"].get<double>() * sx, kTolerance);
        EXPECT_NEAR(ann["bbox"][3].get<double>(), value["height"].get<double>() * sy, kTolerance);
      }
    }
    // And back: importing the exported COCO gives the same percentages.
    Dataset coco = Read("COCO", out);
    ASSERT_EQ(coco.items.size(), 1u);
    LsMapping mapping = LsMapping::FromConfig(config).value();
    Tally unmatched;
    json result = ResultFromItem(coco.items[0], mapping, unmatched);
    EXPECT_TRUE(unmatched.empty()) << ::testing::PrintToString(unmatched.Lines());
    ASSERT_EQ(result.size(), expected.size());
    for (size_t idx = 0; idx < expected.size(); ++idx) {
      const json& want = expected[idx]["value"];
      const json& got = result[idx]["value"];
      for (const char* key : {"x", "y", "width", "height"}) {
        if (!want.contains(key)) continue;
        // A keypoint's "width" is its drawn radius, not a coordinate.
        if (std::string(key) == "width" && !want.contains("height")) continue;
        EXPECT_NEAR(got[key].get<double>(), want[key].get<double>(), 1e-9) << key;
      }
    }
  }
}

TEST_F(ConformanceTest, CvatForImagesRoundTrip) {
  fs::path path = kDatumaro / "cvat_dataset/for_images/train.xml";
  Dataset original = Read("CVAT", path);
  ASSERT_EQ(original.items.size(), 2u);
  // The unlabeled polyline and polygon cannot become labeled regions: reported.
  EXPECT_THAT(original.problems.Lines(), ::testing::Contains(::testing::HasSubstr("polyline without a label")));
  fs::path out = RoundTrip("CVAT", path, "CVAT");
  Dataset exported = Read("CVAT", out / "annotations.xml");
  ExpectSameItems(original, exported, 4);
  const Item& img0 = *std::find_if(exported.items.begin(), exported.items.end(),
                                   [](const Item& item) { return item.id == "img0"; });
  const Shape& box = img0.shapes[0];
  ASSERT_EQ(box.type, ShapeType::kBox);
  EXPECT_EQ(box.attributes["a2"], "v3");
  EXPECT_EQ(box.attributes["occluded"], true);
  auto skeleton = std::find_if(exported.header.categories.begin(), exported.header.categories.end(),
                               [](const Category& c) { return c.name == "skeleton"; });
  ASSERT_NE(skeleton, exported.header.categories.end());
  EXPECT_THAT(skeleton->keypoints, ::testing::ElementsAre("1", "2", "3", "4"));
}

TEST_F(ConformanceTest, NamedEntityToConllAndBack) {
  fs::path dir = kLabelStudio / "named_entity";
  std::ifstream config_file(dir / "config.xml");
  std::string config((std::istreambuf_iterator<char>(config_file)), {});
  Id project = NewProject(config);
  json task = json::parse(std::ifstream(dir / "annotations/1.json"));
  task.erase("id");
  std::string body = json::array({task}).dump();
  ASSERT_TRUE(ImportTasks(*store_, project, user_id_, ImportSource::Buffer(body, ImportFormat::kJson), {}).ok());
  std::ostringstream conll;
  auto sink = NewSingleFileSink(conll);
  auto report = ExportDataset(*store_, project, "CONLL2003", *sink, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_THAT(conll.str(), ::testing::StartsWith("-DOCSTART- -X- -X- O\n\nShowers -X- _ O\n"));
  EXPECT_THAT(conll.str(), ::testing::HasSubstr("\nFebruary -X- _ B-Date\n22 -X- _ I-Date\nwere -X- _ O\n"));
  // Read back: the span covers the same words.
  fs::create_directories(dir_ / "conll");
  std::ofstream(dir_ / "conll/result.conll") << conll.str();
  Dataset back = Read("CONLL2003", dir_ / "conll");
  ASSERT_EQ(back.items.size(), 1u);
  ASSERT_EQ(back.items[0].spans.size(), 1u);
  const Span& span = back.items[0].spans[0];
  EXPECT_EQ(span.label, "Date");
  EXPECT_EQ(back.items[0].text.substr(static_cast<size_t>(span.start), static_cast<size_t>(span.end - span.start)),
            "February 22");
  // spaCy JSONL keeps Label Studio's character offsets.
  std::ostringstream spacy;
  auto spacy_sink = NewSingleFileSink(spacy);
  ASSERT_TRUE(ExportDataset(*store_, project, "SPACY", *spacy_sink, {}).ok());
  json line = json::parse(spacy.str());
  EXPECT_EQ(line["entities"], json::parse(R"([[343, 354, "Date"]])"));
  // An image format is refused for this text project, naming what fits.
  std::ostringstream voc;
  auto voc_sink = NewZipSink(voc);
  auto refused = ExportDataset(*store_, project, "VOC", *voc_sink, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), ::testing::HasSubstr("CONLL2003"));
}

TEST_F(ConformanceTest, ConllImportRoundTripWithUnicode) {
  fs::create_directories(dir_ / "in");
  std::ofstream(dir_ / "in/train.conll") << "-DOCSTART- -X- -X- O\n\nJosé -X- _ B-PER\nMüller -X- _ I-PER\nvisits -X- _ O\n"
                                            "Zürich -X- _ B-LOC\n\nNothing -X- _ O\n";
  DatasetImportReport report;
  fs::path out = RoundTrip("CONLL2003", dir_ / "in", "CONLL2003", &report);
  EXPECT_EQ(report.tasks, 2);
  EXPECT_TRUE(report.unmatched.empty()) << ::testing::PrintToString(report.unmatched);
  std::ifstream in(out / "result.conll");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  // The sentence without entities has no annotation, so it is not exported
  // (download_all_tasks is off).
  EXPECT_EQ(text, "-DOCSTART- -X- -X- O\n\nJosé -X- _ B-PER\nMüller -X- _ I-PER\nvisits -X- _ O\n"
                  "Zürich -X- _ B-LOC\n\n");
}

TEST_F(ConformanceTest, HostileDatasetsAreReportedNotFatal) {
  fs::create_directories(dir_ / "bad/annotations");
  std::ofstream(dir_ / "bad/annotations/instances_x.json")
      << R"({"categories":[{"id":"1","name":2},{"id":1,"name":"a"}],"images":[{"id":1,"width":-5,"file_name":7},{"id":2}],)"
         R"("annotations":[{"image_id":1,"category_id":1,"bbox":[1,"x"],"segmentation":[[1,2,3]],"keypoints":[1,1,"v"]},{"image_id":9,"category_id":1}]})";
  Dataset coco = Read("COCO", dir_ / "bad");
  EXPECT_FALSE(coco.problems.empty());
  // A file that is not JSON at all is an error naming the file.
  std::ofstream(dir_ / "bad/annotations/instances_y.json") << "[1e999";
  DatasetHeader header;
  Tally problems;
  Status s = ReadCoco(dir_ / "bad", {}, &header, &problems, [](Item&&) { return Status::Ok(); });
  EXPECT_THAT(s.message(), ::testing::HasSubstr("instances_y.json"));
  std::ofstream(dir_ / "bad.xml") << "<annotations><image name=\"../../x\" width=\"a\"><box label=\"l\" xtl=\"nan\"/>"
                                     "<points label=\"p\" points=\"1;2,x\"/><skeleton label=\"s\"><points/></skeleton></image></annotations>";
  Dataset cvat = Read("CVAT", dir_ / "bad.xml");
  EXPECT_EQ(cvat.items.size(), 1u);
  EXPECT_TRUE(cvat.items[0].shapes.empty());
  fs::create_directories(dir_ / "voc/Annotations");
  std::ofstream(dir_ / "voc/Annotations/a.xml") << "<annotation><object><name>x</name><bndbox><xmin>1</xmin></bndbox></object>";
  Dataset voc = Read("VOC", dir_ / "voc");
  EXPECT_FALSE(voc.problems.empty());
}

}  // namespace
}  // namespace tessera::formats
