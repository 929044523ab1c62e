// YOLO_OBB: Label Studio rotated rectangles to Ultralytics OBB corners and
// back. Corner values are checked against ones worked out by hand from the
// box's geometry; the round trip LS -> OBB -> LS goes through a real store,
// the export and the import; bad label lines are reported by file and line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "src/formats/dataset_io.h"
#include "src/formats/obb.h"
#include "src/formats/sqlite_fixture_for_test.h"
#include "tessera/import.h"
#include "tessera/store.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kConfig[] = R"(<View><Image name="img" value="$image"/><RectangleLabels name="box" toName="img">
  <Label value="car"/><Label value="ship"/></RectangleLabels></View>)";

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A black PNG of the given size (the importer reads the size from its header).
void WritePng(const fs::path& path, int width, int height) {
  fs::create_directories(path.parent_path());
  ASSERT_TRUE(cv::imwrite(path.string(), cv::Mat::zeros(height, width, CV_8UC1)));
}

// The numbers of each line of a label file.
std::vector<std::vector<double>> Numbers(const std::string& text) {
  std::vector<std::vector<double>> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<double> values;
    double value = 0;
    while (fields >> value) values.push_back(value);
    lines.push_back(values);
  }
  return lines;
}

// A rectangle in Label Studio's percent coordinates on a width x height image.
json Box(const std::string& label, double x_px, double y_px, double w_px, double h_px, double rotation,
         int width, int height) {
  return {{"from_name", "box"}, {"to_name", "img"}, {"type", "rectanglelabels"},
          {"original_width", width}, {"original_height", height},
          {"value", {{"x", x_px * 100 / width}, {"y", y_px * 100 / height}, {"width", w_px * 100 / width},
                     {"height", h_px * 100 / height}, {"rotation", rotation}, {"rectanglelabels", {label}}}}};
}

struct Read {
  DatasetHeader header;
  std::vector<Item> items;
  Tally problems;
  Status status;
};

Read ReadObb(const fs::path& path) {
  Read read;
  read.status = ReadYoloObb(path, {}, &read.header, &read.problems, [&](Item&& item) {
    read.items.push_back(std::move(item));
    return Status::Ok();
  });
  return read;
}

bool HasProblem(const Tally& tally, const std::string& text) {
  for (const auto& [reason, count] : tally.Sorted()) {
    if (reason == text) return true;
  }
  return false;
}

std::string AllProblems(const Tally& tally) {
  std::string out;
  for (const std::string& line : tally.Lines()) out += "\n  " + line;
  return out;
}

class YoloObbTest : public SqliteStoreTest {
 protected:
  YoloObbTest() : SqliteStoreTest("yolo_obb") {}

  Id NewProject(const json& tasks) { return ImportedProject("obb", kConfig, tasks.dump()); }

  fs::path Export(Id project, const std::string& format = "YOLO_OBB", DatasetExportReport* report = nullptr) {
    fs::path out = dir_ / ("export-" + std::to_string(++exports_));
    auto sink = NewFolderSink(out);
    auto exported = ExportDataset(*store_, project, format, *sink, {});
    EXPECT_TRUE(exported.ok()) << exported.status().ToString();
    if (report && exported.ok()) *report = *exported;
    return out;
  }

  std::vector<TaskBundle> Bundles(Id project) {
    std::vector<TaskBundle> bundles;
    TaskQuery query;
    query.project_id = project;
    EXPECT_TRUE(store_->ForEachTaskBundle(query, [&](const TaskBundle& bundle) {
                        bundles.push_back(bundle);
                        return Status::Ok();
                      }).ok());
    return bundles;
  }

  int exports_ = 0;
};

TEST(ObbGeometryTest, CornersOfARotatedBoxFromFirstPrinciples) {
  // 40 x 20 px at (100, 50), turned 30 degrees clockwise on screen around
  // (100, 50): the width edge goes along (cos 30, sin 30) = (sqrt(3)/2, 1/2),
  // the height edge along (-sin 30, cos 30) = (-1/2, sqrt(3)/2).
  Shape box;
  box.points = {100, 50, 140, 70};
  box.rotation = 30;
  const double r3 = std::sqrt(3.0);
  Corners want = {100, 50, 100 + 20 * r3, 70, 90 + 20 * r3, 70 + 10 * r3, 90, 50 + 10 * r3};
  Corners got = BoxCorners(box);
  for (size_t i = 0; i < 8; ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << "coordinate " << i;
}

TEST(ObbGeometryTest, RectanglesInEitherDirectionAndQuadrilaterals) {
  // Ultralytics' own corner order (xywhr2xyxyxyxy: centre + v1 + v2, + v1 - v2,
  // - v1 - v2, - v1 + v2) for the upright box x 100..140, y 20..40 runs the
  // other way round; it reads back as the upright box.
  Shape box;
  EXPECT_EQ(BoxFromCorners({140, 40, 140, 20, 100, 20, 100, 40}, 1e-9, &box), CornerFit::kExact);
  EXPECT_THAT(box.points, ::testing::Pointwise(::testing::DoubleNear(1e-9), std::vector<double>{100, 20, 140, 40}));
  EXPECT_NEAR(box.rotation, 0, 1e-9);
  // Label Studio's direction keeps the first corner as the top-left one:
  // the same box listed from its bottom-right corner is turned 180 degrees.
  EXPECT_EQ(BoxFromCorners({140, 40, 100, 40, 100, 20, 140, 20}, 1e-9, &box), CornerFit::kExact);
  EXPECT_THAT(box.points, ::testing::Pointwise(::testing::DoubleNear(1e-9), std::vector<double>{140, 40, 180, 60}));
  EXPECT_NEAR(box.rotation, 180, 1e-9);
  // A trapezoid (top 20..80, bottom 30..70, y 10..60): the smallest rectangle
  // around it is its 60 x 50 bounds (tilted along a slanted side it would be
  // 58.8 x 58.8).
  EXPECT_EQ(BoxFromCorners({20, 10, 80, 10, 70, 60, 30, 60}, 1e-9, &box), CornerFit::kApproximated);
  ASSERT_EQ(box.points.size(), 4u);
  EXPECT_NEAR(box.points[0], 20, 1e-3);
  EXPECT_NEAR(box.points[1], 10, 1e-3);
  EXPECT_NEAR(box.points[2] - box.points[0], 60, 1e-3);
  EXPECT_NEAR(box.points[3] - box.points[1], 50, 1e-3);
  EXPECT_NEAR(std::min(box.rotation, 360 - box.rotation), 0, 1e-3);
  // No area: reported, never a box.
  Shape untouched;
  EXPECT_EQ(BoxFromCorners({5, 5, 5, 5, 5, 5, 5, 5}, 1e-9, &untouched), CornerFit::kDegenerate);
  EXPECT_EQ(BoxFromCorners({0, 0, 10, 0, 20, 0, 30, 0}, 1e-9, &untouched), CornerFit::kDegenerate);
  EXPECT_EQ(BoxFromCorners({0, 0, 1e300, 0, 1e300, 1e300, 0, 1e300}, 1e-9, &untouched), CornerFit::kDegenerate);
  EXPECT_TRUE(untouched.points.empty());
}

TEST_F(YoloObbTest, ExportWritesTheCornersInLabelStudioOrder) {
  json tasks = json::array();
  json result = json::array({Box("ship", 100, 50, 40, 20, 30, 640, 480), Box("car", 10, 20, 30, 40, 0, 640, 480)});
  tasks.push_back({{"data", {{"image", "/data/upload/1/harbour.jpg"}}},
                   {"annotations", json::array({{{"result", result}}})}});
  fs::path out = Export(NewProject(tasks));
  EXPECT_EQ(ReadAll(out / "data.yaml"),
            "path: .\ntrain: images/train\nval: images/train\n\nnames:\n  0: \"car\"\n  1: \"ship\"\n");
  auto lines = Numbers(ReadAll(out / "labels/train/harbour.txt"));
  ASSERT_EQ(lines.size(), 2u);
  // The ship, by hand: corners (100, 50), (100 + 20 sqrt 3, 70),
  // (90 + 20 sqrt 3, 70 + 10 sqrt 3), (90, 50 + 10 sqrt 3), over 640 x 480.
  const double r3 = std::sqrt(3.0);
  std::vector<double> ship = {1,
                              100.0 / 640, 50.0 / 480,
                              (100 + 20 * r3) / 640, 70.0 / 480,
                              (90 + 20 * r3) / 640, (70 + 10 * r3) / 480,
                              90.0 / 640, (50 + 10 * r3) / 480};
  ASSERT_EQ(lines[0].size(), 9u);
  for (size_t i = 0; i < 9; ++i) EXPECT_NEAR(lines[0][i], ship[i], 1e-12) << "field " << i;
  // The upright car: its corners clockwise from the top-left.
  std::vector<double> car = {0, 10.0 / 640, 20.0 / 480, 40.0 / 640, 20.0 / 480,
                             40.0 / 640, 60.0 / 480, 10.0 / 640, 60.0 / 480};
  ASSERT_EQ(lines[1].size(), 9u);
  for (size_t i = 0; i < 9; ++i) EXPECT_NEAR(lines[1][i], car[i], 1e-12) << "field " << i;
}

TEST_F(YoloObbTest, RoundTripKeepsPositionSizeAndRotation) {
  struct Want {
    double x, y, w, h, rotation;
  };
  const std::vector<Want> boxes = {{100, 50, 40, 20, 30},        {10, 20, 30, 40, 0},
                                   {300.25, 200.5, 55.5, 12.75, 135.5}, {400, 300, 80, 60, 200},
                                   {500, 100, 33.3, 66.6, 359.9},  {50, 400, 10, 90, 270},
                                   {320, 240, 1.5, 2.5, 89.999}};
  json result = json::array();
  for (const Want& b : boxes) result.push_back(Box("ship", b.x, b.y, b.w, b.h, b.rotation, 640, 480));
  result.push_back({{"from_name", "box"}, {"to_name", "img"}, {"type", "rectanglelabels"},
                    {"original_width", 640}, {"original_height", 480},
                    {"value", {{"x", 5}, {"y", 5}, {"width", 10}, {"height", 10}, {"rectanglelabels", {"car"}}}}});
  json tasks = json::array({{{"data", {{"image", "/data/upload/1/dock.png"}}},
                             {"annotations", json::array({{{"result", result}}})}}});
  fs::path out = Export(NewProject(tasks));
  WritePng(out / "images/train/dock.png", 640, 480);

  Project project;
  project.title = "back";
  project.label_config = kConfig;
  project.created_by = user_id_;
  ASSERT_TRUE(store_->CreateProject(&project).ok());
  auto imported = ImportDataset(*store_, project.id, user_id_, "YOLO_OBB", out, {});
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->tasks, 1);
  EXPECT_EQ(imported->regions, static_cast<int64_t>(boxes.size() + 1));
  EXPECT_TRUE(imported->unmatched.empty()) << imported->unmatched[0];

  auto bundles = Bundles(project.id);
  ASSERT_EQ(bundles.size(), 1u);
  EXPECT_THAT(bundles[0].task.data, HasSubstr("images/train/dock.png"));
  ASSERT_EQ(bundles[0].annotations.size(), 1u);
  json back = json::parse(bundles[0].annotations[0].result);
  ASSERT_EQ(back.size(), boxes.size() + 1);
  for (size_t idx = 0; idx < boxes.size(); ++idx) {
    SCOPED_TRACE("box " + std::to_string(idx));
    const json& region = back[idx];
    EXPECT_EQ(region["type"], "rectanglelabels");
    EXPECT_EQ(region["original_width"], 640);
    EXPECT_EQ(region["original_height"], 480);
    const json& v = region["value"];
    EXPECT_EQ(v["rectanglelabels"], json({"ship"}));
    EXPECT_NEAR(v["x"].get<double>() * 640 / 100, boxes[idx].x, 1e-6);
    EXPECT_NEAR(v["y"].get<double>() * 480 / 100, boxes[idx].y, 1e-6);
    EXPECT_NEAR(v["width"].get<double>() * 640 / 100, boxes[idx].w, 1e-6);
    EXPECT_NEAR(v["height"].get<double>() * 480 / 100, boxes[idx].h, 1e-6);
    EXPECT_NEAR(v["rotation"].get<double>(), boxes[idx].rotation, 1e-6);
    EXPECT_GE(v["rotation"].get<double>(), 0);
    EXPECT_LT(v["rotation"].get<double>(), 360);
  }
  const json& car = back[boxes.size()]["value"];
  EXPECT_EQ(car["rectanglelabels"], json({"car"}));
  EXPECT_NEAR(car["x"].get<double>(), 5, 1e-9);
  EXPECT_NEAR(car["width"].get<double>(), 10, 1e-9);
  EXPECT_EQ(car["rotation"].get<double>(), 0);  // not 360
  EXPECT_FALSE(std::signbit(car["rotation"].get<double>()));  // not -0
}

TEST_F(YoloObbTest, QuadrilateralImportsAsItsSmallestRectangleAndIsReported) {
  fs::path root = dir_ / "quad";
  WriteFile(root / "data.yaml", "path: .\ntrain: images/train\nval: images/train\nnames:\n  0: car\n  1: ship\n");
  WritePng(root / "images/train/q.png", 200, 100);
  // Line 1: the trapezoid (20,10) (80,10) (70,60) (30,60) px on 200 x 100.
  // Line 2: a rectangle in Ultralytics' corner order, written with six
  // decimals: (140,40) (140,20) (100,20) (100,40) px.
  WriteFile(root / "labels/train/q.txt",
            "1 0.1 0.1 0.4 0.1 0.35 0.6 0.15 0.6\n0 0.700000 0.400000 0.700000 0.200000 0.500000 0.200000 "
            "0.500000 0.400000\n");
  Read read = ReadObb(root);
  ASSERT_TRUE(read.status.ok()) << read.status.ToString();
  ASSERT_EQ(read.items.size(), 1u);
  const Item& item = read.items[0];
  EXPECT_EQ(item.width, 200);
  EXPECT_EQ(item.height, 100);
  ASSERT_EQ(item.shapes.size(), 2u);
  const Shape& quad = item.shapes[0];
  EXPECT_EQ(quad.label, "ship");
  EXPECT_EQ(quad.type, ShapeType::kBox);
  EXPECT_NEAR(quad.points[0], 20, 1e-3);
  EXPECT_NEAR(quad.points[1], 10, 1e-3);
  EXPECT_NEAR(quad.points[2], 80, 1e-3);
  EXPECT_NEAR(quad.points[3], 60, 1e-3);
  EXPECT_NEAR(std::min(quad.rotation, 360 - quad.rotation), 0, 1e-3);
  const Shape& rect = item.shapes[1];
  EXPECT_EQ(rect.label, "car");
  EXPECT_THAT(rect.points, ::testing::Pointwise(::testing::DoubleNear(1e-9), std::vector<double>{100, 20, 140, 40}));
  EXPECT_NEAR(rect.rotation, 0, 1e-9);
  EXPECT_EQ(read.problems.Sorted().size(), 1u) << AllProblems(read.problems);
  EXPECT_TRUE(HasProblem(read.problems, "YOLO_OBB: corners not a rectangle, stored as the smallest rotated "
                                        "rectangle around them (labels/train/q.txt:1)"))
      << AllProblems(read.problems);
}

TEST_F(YoloObbTest, BadLinesAreReportedWithFileAndLine) {
  fs::path root = dir_ / "bad";
  WriteFile(root / "data.yaml", "train: images/train\nnames: [car, ship]\n");
  WritePng(root / "images/train/b.png", 100, 100);
  WriteFile(root / "labels/train/b.txt",
            "0 0.1 0.1 0.2 0.1 0.2 0.2\n"                      // 1: six numbers
            "0 0.1 0.1 0.2 0.1 0.2 0.2 0.1 abc\n"              // 2: not a number
            "7 0.1 0.1 0.2 0.1 0.2 0.2 0.1 0.2\n"              // 3: class 7 of 2
            "\n"                                               // 4: blank, fine
            "car 0.1 0.1 0.2 0.1 0.2 0.2 0.1 0.2\n"            // 5: class not an index
            "1 0.1 0.1 0.2 0.1 0.2 0.2 0.1 0.2\n"              // 6: good
            "0 0.3 0.3 0.3 0.3 0.3 0.3 0.3 0.3\n"              // 7: no area
            "0 1e400 0.1 0.2 0.1 0.2 0.2 0.1 0.2\n"            // 8: not finite
            "-1 0.1 0.1 0.2 0.1 0.2 0.2 0.1 0.2\n"             // 9: negative class
            "0 0.1 0.1 0.2 0.1 0.2 0.2 0.1 0.2 0.9\n");        // 10: nine numbers
  Read read = ReadObb(root);
  ASSERT_TRUE(read.status.ok()) << read.status.ToString();
  ASSERT_EQ(read.items.size(), 1u);
  ASSERT_EQ(read.items[0].shapes.size(), 1u);
  EXPECT_EQ(read.items[0].shapes[0].label, "ship");
  const std::string malformed = "YOLO_OBB: malformed label line (a class index and 8 numbers expected)";
  for (int line : {1, 2, 5, 8, 9, 10}) {
    EXPECT_TRUE(HasProblem(read.problems, malformed + " (labels/train/b.txt:" + std::to_string(line) + ")"))
        << "line " << line << AllProblems(read.problems);
  }
  EXPECT_TRUE(HasProblem(read.problems, "YOLO_OBB: class index beyond the names list (labels/train/b.txt:3)"))
      << AllProblems(read.problems);
  EXPECT_TRUE(HasProblem(read.problems,
                         "YOLO_OBB: box without width or height, or far outside the image (labels/train/b.txt:7)"))
      << AllProblems(read.problems);
  EXPECT_EQ(read.problems.Sorted().size(), 8u) << AllProblems(read.problems);

  // Past 20 bad lines, the rest are counted without their place.
  std::string many;
  for (int line = 0; line < 25; ++line) many += "0 0.5\n";
  WriteFile(root / "labels/train/b.txt", many);
  Read flood = ReadObb(root);
  ASSERT_TRUE(flood.status.ok());
  int64_t located = 0, further = 0;
  for (const auto& [reason, count] : flood.problems.Sorted()) {
    if (reason == malformed + " (further lines)") further += count;
    else if (reason.rfind(malformed + " (labels/train/b.txt:", 0) == 0) located += count;
  }
  EXPECT_EQ(located, 20);
  EXPECT_EQ(further, 5);

  // Not an Ultralytics layout at all.
  fs::create_directories(dir_ / "empty");
  Read none = ReadObb(dir_ / "empty");
  EXPECT_EQ(none.status.code(), Code::kNotFound);
  EXPECT_THAT(none.status.message(), HasSubstr("data.yaml"));
}

TEST_F(YoloObbTest, RegistryListsItForImageBoxConfigsOnly) {
  const FormatInfo* format = FindFormat("YOLO_OBB");
  ASSERT_NE(format, nullptr);
  EXPECT_EQ(format->name, "YOLO_OBB");
  EXPECT_TRUE(format->can_import);
  EXPECT_TRUE(format->multi_file);
  EXPECT_EQ(FindFormat("yolov8_obb"), format);
  auto boxes = ParseLabelingConfig(kConfig);
  ASSERT_TRUE(boxes.ok());
  EXPECT_TRUE(FormatFits(*format, **boxes));
  auto polygons = ParseLabelingConfig(R"(<View><Image name="img" value="$image"/>
    <PolygonLabels name="poly" toName="img"><Label value="a"/></PolygonLabels></View>)");
  ASSERT_TRUE(polygons.ok());
  EXPECT_FALSE(FormatFits(*format, **polygons));
  Status refused = CheckFormatFits(*format, **polygons);
  EXPECT_THAT(refused.message(), HasSubstr("YOLO_OBB needs an <Image> with RectangleLabels"));
}

TEST_F(YoloObbTest, SplitsLikeYolov8AndPolygonsAreCounted) {
  json tasks = json::array();
  for (int idx = 0; idx < 10; ++idx) {
    json result = json::array({Box("car", 1, 2, 3, 4, 10, 100, 100)});
    tasks.push_back({{"data", {{"image", "/data/upload/1/i" + std::to_string(idx) + ".jpg"}}},
                     {"annotations", json::array({{{"result", result}}})}});
  }
  Id project = NewProject(tasks);
  auto sink = NewFolderSink(dir_ / "split");
  DatasetExportOptions options;
  options.split = "0.8,0.2";
  auto report = ExportDataset(*store_, project, "YOLO_OBB", *sink, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->tasks, 10);
  EXPECT_THAT(ReadAll(dir_ / "split/data.yaml"), HasSubstr("train: images/train\nval: images/val\n"));
  size_t val = 0;
  for (const auto& entry : fs::directory_iterator(dir_ / "split/labels/val")) val += entry.is_regular_file();
  EXPECT_EQ(val, 2u);
  EXPECT_TRUE(report->skipped.empty());  // YOLOV8 would flatten each rotated box:
  DatasetExportReport yolov8;
  Export(project, "YOLOV8", &yolov8);
  EXPECT_THAT(yolov8.skipped, ::testing::Contains(std::pair<std::string, int64_t>(
                                  "rotated box written as its axis-aligned bounds", 10)));

  // A polygon in a project that also has rectangles is counted, not written.
  Project mixed;
  mixed.title = "mixed";
  mixed.label_config = R"(<View><Image name="img" value="$image"/>
    <RectangleLabels name="box" toName="img"><Label value="car"/></RectangleLabels>
    <PolygonLabels name="poly" toName="img"><Label value="lake"/></PolygonLabels></View>)";
  mixed.created_by = user_id_;
  ASSERT_TRUE(store_->CreateProject(&mixed).ok());
  json polygon = {{"from_name", "poly"}, {"to_name", "img"}, {"type", "polygonlabels"},
                  {"original_width", 100}, {"original_height", 100},
                  {"value", {{"points", {{10, 10}, {20, 10}, {15, 20}}}, {"polygonlabels", {"lake"}}}}};
  std::string body = json::array({{{"data", {{"image", "/data/upload/1/m.jpg"}}},
                                   {"annotations", json::array({{{"result", json::array({Box("car", 1, 2, 3, 4, 0,
                                                                                             100, 100),
                                                                                         polygon})}}})}}})
                         .dump();
  ASSERT_TRUE(ImportTasks(*store_, mixed.id, user_id_, ImportSource::Buffer(body, ImportFormat::kJson), {}).ok());
  DatasetExportReport mixed_report;
  fs::path out = Export(mixed.id, "YOLO_OBB", &mixed_report);
  EXPECT_EQ(Numbers(ReadAll(out / "labels/train/m.txt")).size(), 1u);
  EXPECT_THAT(mixed_report.skipped, ::testing::Contains(std::pair<std::string, int64_t>(
                                        "YOLO_OBB: polygon or polyline (only rectangles are written)", 1)));
}

}  // namespace
}  // namespace tessera::formats
