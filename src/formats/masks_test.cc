// Mask exports through a real store: COCO RLE segmentations, BRUSH_TO_PNG,
// SEMANTIC_PNG (brushes, polygons and boxes rasterized), which configs they
// fit, and COCO with the task images included (download_resources).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <opencv2/imgcodecs.hpp>

#include "src/formats/brush_rle.h"
#include "src/formats/dataset_io.h"
#include "tessera/import.h"
#include "src/formats/sqlite_fixture_for_test.h"
#include "tessera/store.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kConfig[] = R"(<View><Image name="img" value="$image"/>
  <RectangleLabels name="box" toName="img"><Label value="car"/></RectangleLabels>
  <PolygonLabels name="poly" toName="img"><Label value="tree"/></PolygonLabels>
  <BrushLabels name="brush" toName="img"><Label value="road"/><Label value="sky"/></BrushLabels></View>)";

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// 7 wide, 5 high: "road" is the lower two rows and the pixel (6, 0).
std::vector<uint8_t> RoadMask() {
  std::vector<uint8_t> mask(35);
  for (int x = 0; x < 7; ++x) mask[3 * 7 + x] = mask[4 * 7 + x] = 255;
  mask[6] = 255;
  return mask;
}

// Every item a dataset reader gives for `path` (none when it fails).
using Reader = Status (*)(const fs::path&, const ReadOptions&, DatasetHeader*, Tally*, const ItemSink&);
std::vector<Item> ReadItems(Reader reader, const fs::path& path, Tally* problems) {
  DatasetHeader header;
  std::vector<Item> items;
  Status s = reader(path, {}, &header, problems, [&](Item&& item) {
    items.push_back(std::move(item));
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return items;
}

json Brush(const std::string& label, const std::vector<uint8_t>& mask) {
  return {{"from_name", "brush"}, {"to_name", "img"}, {"type", "brushlabels"}, {"original_width", 7},
          {"original_height", 5}, {"value", {{"format", "rle"}, {"rle", LsRleFromMask(mask)}, {"brushlabels", {label}}}}};
}

class MaskExportTest : public SqliteStoreTest {
 protected:
  MaskExportTest() : SqliteStoreTest("masks") {}

  Id Project(const std::string& config, const json& tasks) { return ImportedProject("masks", config, tasks.dump()); }

  // One task: a road brush, a car box (1,1)-(3,3) px and a tree triangle.
  Id MixedProject(const std::string& image = "/data/upload/1/street.png") {
    json box = {{"from_name", "box"}, {"to_name", "img"}, {"type", "rectanglelabels"}, {"original_width", 7},
                {"original_height", 5},
                {"value", {{"x", 100.0 / 7}, {"y", 20}, {"width", 200.0 / 7}, {"height", 40}, {"rectanglelabels", {"car"}}}}};
    json tree = {{"from_name", "poly"}, {"to_name", "img"}, {"type", "polygonlabels"}, {"original_width", 7},
                 {"original_height", 5},
                 {"value", {{"points", {{500.0 / 7, 0}, {100, 0}, {100, 60}}}, {"polygonlabels", {"tree"}}}}};
    json tasks = json::array({{{"data", {{"image", image}}},
                               {"annotations", json::array({{{"result", {box, tree, Brush("road", RoadMask())}}}})}}});
    return Project(kConfig, tasks);
  }

  Result<DatasetExportReport> Export(Id project, const std::string& format, fs::path* out,
                                     DatasetExportOptions options = {}) {
    *out = dir_ / (format + "-" + std::to_string(++exports_));
    auto sink = NewFolderSink(*out);
    return ExportDataset(*store_, project, format, *sink, options);
  }

  int exports_ = 0;
};

TEST_F(MaskExportTest, CocoWritesBrushesAsUncompressedRle) {
  Id project = MixedProject();
  fs::path out;
  auto report = Export(project, "COCO", &out);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  json doc = json::parse(ReadAll(out / "annotations/instances_default.json"));
  std::vector<std::string> names;
  for (const json& c : doc["categories"]) names.push_back(c["name"]);
  EXPECT_THAT(names, ::testing::ElementsAre("car", "tree", "road", "sky"));
  const json* road = nullptr;
  for (const json& ann : doc["annotations"]) {
    if (ann["category_id"] == 3) road = &ann;
  }
  ASSERT_NE(road, nullptr) << doc.dump();
  EXPECT_EQ((*road)["iscrowd"], 1);
  EXPECT_EQ((*road)["segmentation"]["size"], json({5, 7}));
  // Column-major: columns 0-5 are 0 0 0 1 1 each; column 6 is 1 0 0 1 1.
  EXPECT_EQ((*road)["segmentation"]["counts"], json({3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 3, 2, 2}));
  EXPECT_EQ((*road)["area"], 15);
  EXPECT_EQ((*road)["bbox"], json({0, 0, 7, 5}));
  // Read back: the same pixels.
  Tally problems;
  std::vector<Item> items = ReadItems(ReadCoco, out, &problems);
  ASSERT_EQ(items.size(), 1u);
  ASSERT_EQ(items[0].masks.size(), 1u);
  EXPECT_EQ(items[0].masks[0].pixels, RoadMask());  // 255 inside
  EXPECT_EQ(items[0].masks[0].label, "road");
}

TEST_F(MaskExportTest, BrushToPngWritesEachRegionsAlpha) {
  json tasks = json::array({{{"data", {{"image", "a.png"}}},
                             {"annotations", json::array({{{"result", {Brush("road", RoadMask()), Brush("road", RoadMask()),
                                                                       Brush("sky", std::vector<uint8_t>(35, 128))}}}})}}});
  Id project = Project(kConfig, tasks);
  fs::path out;
  auto report = Export(project, "BRUSH_TO_PNG", &out);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(out)) files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), 3u);
  EXPECT_THAT(files[0], ::testing::MatchesRegex("task-1-annotation-[0-9]+-by-[0-9]+-brush-road-0\\.png"));
  EXPECT_THAT(files[1], ::testing::EndsWith("-brush-road-1.png"));
  EXPECT_THAT(files[2], ::testing::EndsWith("-brush-sky-0.png"));
  cv::Mat road = cv::imread((out / files[0]).string(), cv::IMREAD_UNCHANGED);
  ASSERT_EQ(road.type(), CV_8UC1);
  ASSERT_EQ(road.cols, 7);
  ASSERT_EQ(road.rows, 5);
  EXPECT_EQ(std::vector<uint8_t>(road.data, road.data + 35), RoadMask());
  cv::Mat sky = cv::imread((out / files[2]).string(), cv::IMREAD_UNCHANGED);
  EXPECT_EQ(sky.at<uint8_t>(2, 3), 128);
}

TEST_F(MaskExportTest, SemanticPngPaintsClassIndexes) {
  Id project = MixedProject();
  fs::path out;
  auto report = Export(project, "SEMANTIC_PNG", &out);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(ReadAll(out / "classes.txt"), "background\ncar\ntree\nroad\nsky\n");
  cv::Mat image = cv::imread((out / "SegmentationClass/street.png").string(), cv::IMREAD_UNCHANGED);
  ASSERT_EQ(image.type(), CV_8UC1);
  ASSERT_EQ(image.cols, 7);
  // Box (1,1)-(3,3): pixels 1..2 (class 1); triangle (5,0) (7,0) (7,3)
  // (class 2): centres right of the line from (5,0) to (7,3); road (3)
  // painted last, over both.
  std::vector<std::string> expected = {
      "0000023",
      "0110002",
      "0110000",
      "3333333",
      "3333333",
  };
  std::vector<std::string> got;
  for (int y = 0; y < image.rows; ++y) {
    std::string row;
    for (int x = 0; x < image.cols; ++x) row += static_cast<char>('0' + image.at<uint8_t>(y, x));
    got.push_back(row);
  }
  EXPECT_EQ(got, expected);
}

TEST_F(MaskExportTest, FormatsFitTheConfigsTheyNeed) {
  auto brush_only = ParseLabelingConfig(R"(<View><Image name="i" value="$image"/>
    <BrushLabels name="b" toName="i"><Label value="x"/></BrushLabels></View>)");
  auto polygons = ParseLabelingConfig(R"(<View><Image name="i" value="$image"/>
    <PolygonLabels name="p" toName="i"><Label value="x"/></PolygonLabels></View>)");
  ASSERT_TRUE(brush_only.ok() && polygons.ok());
  EXPECT_TRUE(FormatFits(*FindFormat("BRUSH_TO_PNG"), **brush_only));
  EXPECT_TRUE(FormatFits(*FindFormat("SEMANTIC_PNG"), **brush_only));
  EXPECT_TRUE(FormatFits(*FindFormat("COCO"), **brush_only));
  EXPECT_FALSE(FormatFits(*FindFormat("YOLO"), **brush_only));
  EXPECT_FALSE(FormatFits(*FindFormat("BRUSH_TO_PNG"), **polygons));
  EXPECT_TRUE(FormatFits(*FindFormat("SEMANTIC_PNG"), **polygons));
  Status s = CheckFormatFits(*FindFormat("BRUSH_TO_PNG"), **polygons);
  EXPECT_THAT(s.message(), HasSubstr("BrushLabels"));
  EXPECT_THAT(s.message(), HasSubstr("SEMANTIC_PNG"));
  // Masks in a format without them are counted.
  Id project = MixedProject();
  fs::path out;
  auto report = Export(project, "YOLO", &out);
  ASSERT_TRUE(report.ok());
  bool counted = false;
  for (const auto& [reason, n] : report->skipped) counted |= reason.find("brush mask") != std::string::npos && n == 1;
  EXPECT_TRUE(counted);
}

TEST_F(MaskExportTest, CocoIncludesLocalImagesOnlyInsideTheirFolder) {
  fs::path media = dir_ / "media";
  fs::create_directories(media / "upload/1");
  fs::create_directories(dir_ / "secret");
  std::string png(3000, '\0');
  for (size_t k = 0; k < png.size(); ++k) png[k] = static_cast<char>(k * 7);
  std::ofstream(media / "upload/1/street.png", std::ios::binary) << png;
  std::ofstream(dir_ / "secret/key.png", std::ios::binary) << "secret";
  fs::create_symlink(dir_ / "secret/key.png", media / "upload/1/link.png");
  Id ok_project = MixedProject("/data/upload/1/street.png");
  DatasetExportOptions options;
  options.include_images = true;
  options.media_root = media;
  fs::path out;
  auto report = Export(ok_project, "COCO", &out, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(ReadAll(out / "images/street.png"), png);
  json doc = json::parse(ReadAll(out / "annotations/instances_default.json"));
  EXPECT_EQ(doc["images"][0]["file_name"], "street.png");
  // Not without the option.
  fs::path plain;
  ASSERT_TRUE(Export(ok_project, "COCO", &plain).ok());
  EXPECT_FALSE(fs::exists(plain / "images"));
  // A path that climbs out, and a symbolic link out of the folder: left out, counted.
  for (const char* url : {"/data/upload/1/../../../secret/key.png", "/data/upload/1/link.png"}) {
    Id project = MixedProject(url);
    fs::path escaped;
    auto escaped_report = Export(project, "COCO", &escaped, options);
    ASSERT_TRUE(escaped_report.ok());
    EXPECT_FALSE(fs::exists(escaped / "images")) << url;
    EXPECT_THAT(escaped_report->skipped, ::testing::Contains(::testing::Pair(HasSubstr("not on this machine"), 1)));
  }
  // Other formats refuse the option, naming it.
  auto yolo = Export(ok_project, "YOLO", &out, options);
  EXPECT_EQ(yolo.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(yolo.status().message(), HasSubstr("download_resources"));
}

TEST_F(MaskExportTest, CocoMasksWithoutBrushLabelsImportAsTheirBounds) {
  tessera::Project project;
  project.title = "boxes";
  project.label_config = R"(<View><Image name="img" value="$image"/><RectangleLabels name="box" toName="img">
    <Label value="a"/><Label value="b"/></RectangleLabels><PolygonLabels name="poly" toName="img">
    <Label value="a"/></PolygonLabels></View>)";
  project.created_by = user_id_;
  ASSERT_TRUE(store_->CreateProject(&project).ok());
  auto report = ImportDataset(*store_, project.id, user_id_, "COCO",
                              "../shared/conformance/datumaro/coco_dataset/coco_instances", {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_THAT(report->unmatched, ::testing::Contains(HasSubstr("bounding box")));
  fs::path out;
  ASSERT_TRUE(Export(project.id, "COCO", &out).ok());
  json doc = json::parse(ReadAll(out / "annotations/instances_default.json"));
  bool found = false;
  for (const json& ann : doc["annotations"]) {
    // b's mask (the first two columns of a 5x10 image) became the box 0,0 2x10.
    if (ann["bbox"] == json({0, 0, 2, 10})) found = true;
  }
  EXPECT_TRUE(found) << doc["annotations"].dump();
}

// CVAT for images 1.1 carries brushes as <mask>: run lengths over the
// region's tight box, row-major, starting with 0s. Read back, and imported
// into a project, they are the same pixels, opaque as Label Studio draws them.
TEST_F(MaskExportTest, CvatWritesMasksAsItsRleAndReadsThemBack) {
  Id project = MixedProject();
  fs::path out;
  auto report = Export(project, "CVAT", &out);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const std::string xml = ReadAll(out / "annotations.xml");
  // Box 0..6 x 0..4: row 0 is six 0s then the pixel (6, 0); rows 1-2 are 0s; rows 3-4 are 1s.
  EXPECT_THAT(xml, HasSubstr("<mask label=\"road\" source=\"manual\" occluded=\"0\" rle=\"6, 1, 14, 14\" left=\"0\" "
                             "top=\"0\" width=\"7\" height=\"5\" z_order=\"0\"/>"));
  for (const auto& [reason, n] : report->skipped) EXPECT_EQ(reason.find("brush mask"), std::string::npos) << reason;

  Tally problems;
  std::vector<Item> items = ReadItems(ReadCvat, out, &problems);
  ASSERT_EQ(items.size(), 1u);
  ASSERT_EQ(items[0].masks.size(), 1u);
  EXPECT_EQ(items[0].masks[0].pixels, RoadMask());  // 255 inside
  EXPECT_EQ(items[0].masks[0].label, "road");
  EXPECT_EQ(items[0].shapes.size(), 2u);  // the car and the tree
  EXPECT_TRUE(problems.empty()) << problems.Lines()[0];

  tessera::Project copy;
  copy.title = "copy";
  copy.label_config = kConfig;
  copy.created_by = user_id_;
  ASSERT_TRUE(store_->CreateProject(&copy).ok());
  auto imported = ImportDataset(*store_, copy.id, user_id_, "CVAT", out, {});
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  TaskQuery query;
  query.project_id = copy.id;
  int brushes = 0;
  ASSERT_TRUE(store_->ForEachTaskBundle(query, [&](const TaskBundle& bundle) {
    for (const Annotation& a : bundle.annotations) {
      for (const json& r : json::parse(a.result)) {
        if (r["type"] != "brushlabels") continue;
        ++brushes;
        auto pixels = MaskFromLsRle(r["value"]["rle"], 7, 5);
        EXPECT_TRUE(pixels.ok());
        if (pixels.ok()) {
          EXPECT_EQ(*pixels, RoadMask());  // 255 inside: drawn opaque
        }
      }
    }
    return Status::Ok();
  }).ok());
  EXPECT_EQ(brushes, 1);
}

TEST(CvatMaskRleTest, BadMasksAreRefusedNamingWhatIsWrong) {
  CvatMaskRle rle{{0, 4}, 1, 1, 2, 2};
  auto mask = MaskFromCvatRle(rle, 4, 3);
  ASSERT_TRUE(mask.ok());
  EXPECT_EQ(*mask, (std::vector<uint8_t>{0, 0, 0, 0, 0, 255, 255, 0, 0, 255, 255, 0}));
  EXPECT_EQ(CvatRleFromMask(*mask, 4, 3).counts, (std::vector<uint32_t>{0, 4}));
  EXPECT_THAT(MaskFromCvatRle({{0, 5}, 1, 1, 2, 2}, 4, 3).status().message(), HasSubstr("sum to 5"));
  EXPECT_THAT(MaskFromCvatRle({{0, 4}, 3, 1, 2, 2}, 4, 3).status().message(), HasSubstr("not inside"));
  const int64_t huge = std::numeric_limits<int64_t>::max();
  EXPECT_THAT(MaskFromCvatRle({{0, 4}, huge, 1, huge, 2}, 4, 3).status().message(), HasSubstr("not inside"));
  EXPECT_THAT(MaskFromCvatRle({{0, 4}, 0, 0, 2, 2}, 0, 0).status().message(), HasSubstr("width and height"));
  EXPECT_TRUE(CvatRleFromMask(std::vector<uint8_t>(12), 4, 3).counts.empty());
}

}  // namespace
}  // namespace tessera::formats
