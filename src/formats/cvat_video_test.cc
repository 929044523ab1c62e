// CVAT for video 1.1: the Datumaro sample (../shared/conformance/datumaro/
// cvat_dataset/for_video) read, imported as Label Studio videorectangle
// regions and exported back; an LS video task exported with its
// interpolated frames and read back to the same keyframes; hostile files.
// Expected values are read off the XML by hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <pugixml.hpp>

#include "src/formats/dataset_io.h"
#include "src/formats/sqlite_fixture_for_test.h"
#include "tessera/import.h"
#include "tessera/store.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;

constexpr double kTolerance = 1e-6;
const fs::path kSample = "../shared/conformance/datumaro/cvat_dataset/for_video/annotations.xml";
const char* kVideoConfig = R"(<View>
  <Video name="video" value="$video"/>
  <VideoRectangle name="box" toName="video"/>
  <Labels name="videoLabels" toName="video"><Label value="car"/><Label value="person"/></Labels>
</View>)";

struct Clips {
  DatasetHeader header;
  std::vector<VideoClip> clips;
  Tally problems;
  Status status;
};

Clips ReadClips(const fs::path& path) {
  Clips out;
  out.status = ReadCvatVideo(path, {}, &out.header, &out.problems, [&](VideoClip&& clip) {
    out.clips.push_back(std::move(clip));
    return Status::Ok();
  });
  return out;
}

// The <box> rows of every track in an exported file.
struct Row {
  std::string label;
  int64_t frame;
  bool keyframe, outside, occluded;
  double xtl, ytl, xbr, ybr;
};
std::vector<Row> Rows(const pugi::xml_document& doc) {
  std::vector<Row> rows;
  for (pugi::xml_node track : doc.child("annotations").children("track")) {
    for (pugi::xml_node box : track.children("box")) {
      rows.push_back({track.attribute("label").value(), box.attribute("frame").as_llong(-1),
                      box.attribute("keyframe").as_int() == 1, box.attribute("outside").as_int() == 1,
                      box.attribute("occluded").as_int() == 1, box.attribute("xtl").as_double(),
                      box.attribute("ytl").as_double(), box.attribute("xbr").as_double(),
                      box.attribute("ybr").as_double()});
    }
  }
  return rows;
}

void ExpectBox(const Row& row, int64_t frame, bool keyframe, bool outside, std::array<double, 4> box) {
  SCOPED_TRACE("frame " + std::to_string(frame));
  EXPECT_EQ(row.frame, frame);
  EXPECT_EQ(row.keyframe, keyframe);
  EXPECT_EQ(row.outside, outside);
  EXPECT_NEAR(row.xtl, box[0], kTolerance);
  EXPECT_NEAR(row.ytl, box[1], kTolerance);
  EXPECT_NEAR(row.xbr, box[2], kTolerance);
  EXPECT_NEAR(row.ybr, box[3], kTolerance);
}

TEST(CvatVideoReadTest, DatumaroSampleKeepsTheBoxTrackAndReportsTheOthers) {
  Clips read = ReadClips(kSample);
  ASSERT_TRUE(read.status.ok()) << read.status.ToString();
  ASSERT_EQ(read.clips.size(), 1u);
  const VideoClip& clip = read.clips[0];
  EXPECT_EQ(clip.video, "t.mp4");  // <source>
  EXPECT_EQ(clip.width, 25);       // <original_size>
  EXPECT_EQ(clip.height, 20);
  EXPECT_EQ(clip.frames_count, 20);  // <stop_frame>19</stop_frame>
  // Track 0 (II): a box at frame 10 (occluded), outside from frame 13 on,
  // which is the next frame of the task (frame_filter step=3): LS shows the
  // box on its frame 11 only.
  ASSERT_EQ(clip.tracks.size(), 1u);
  const VideoTrack& track = clip.tracks[0];
  EXPECT_EQ(track.label, "II");
  ASSERT_EQ(track.keyframes.size(), 1u);
  const VideoKeyframe& keyframe = track.keyframes[0];
  EXPECT_EQ(keyframe.frame, 11);
  EXPECT_FALSE(keyframe.enabled);
  EXPECT_TRUE(keyframe.occluded);
  EXPECT_DOUBLE_EQ(keyframe.x, 3);
  EXPECT_DOUBLE_EQ(keyframe.y, 4);
  EXPECT_DOUBLE_EQ(keyframe.width, 7);
  EXPECT_DOUBLE_EQ(keyframe.height, 1);
  // The points, polyline and skeleton tracks cannot be LS video regions.
  EXPECT_THAT(read.problems.Lines(), Contains(HasSubstr("points track not imported")));
  EXPECT_THAT(read.problems.Lines(), Contains(HasSubstr("polyline track not imported")));
  EXPECT_THAT(read.problems.Lines(), Contains(HasSubstr("skeleton track not imported")));
  std::vector<std::string> names;
  for (const Category& category : read.header.categories) names.push_back(category.name);
  EXPECT_THAT(names, ::testing::ElementsAre("klhg", "z U k", "II", "skeleton"));
  EXPECT_TRUE(IsCvatVideo(kSample, {}));
  EXPECT_FALSE(IsCvatVideo("../shared/conformance/datumaro/cvat_dataset/for_images/train.xml", {}));
}

TEST(CvatVideoReadTest, RegistryListsItForVideoRectanglesOnly) {
  const FormatInfo* format = FindFormat("cvat_video");
  ASSERT_NE(format, nullptr);
  EXPECT_EQ(format->name, "CVAT_VIDEO");
  EXPECT_EQ(FindFormat("CVAT_FOR_VIDEO"), format);
  auto video = ParseLabelingConfig(kVideoConfig);
  ASSERT_TRUE(video.ok());
  auto image = ParseLabelingConfig(
      R"(<View><Image name="image" value="$image"/><RectangleLabels name="l" toName="image"><Label value="a"/></RectangleLabels></View>)");
  ASSERT_TRUE(image.ok());
  EXPECT_TRUE(FormatFits(*format, **video));
  EXPECT_FALSE(FormatFits(*format, **image));
  EXPECT_FALSE(FormatFits(*FindFormat("CVAT"), **video));
  Status refused = CheckFormatFits(*format, **image);
  EXPECT_THAT(refused.message(), HasSubstr("<VideoRectangle>"));
}

class CvatVideoTest : public SqliteStoreTest {
 protected:
  CvatVideoTest() : SqliteStoreTest("cvat_video") {}

  Id NewProject(const std::string& config) {
    Project project;
    project.title = "video";
    project.label_config = config;
    project.created_by = user_id_;
    EXPECT_TRUE(store_->CreateProject(&project).ok());
    return project.id;
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

  fs::path Export(Id project, DatasetExportReport* report = nullptr) {
    fs::path out = dir_ / ("export-" + std::to_string(++exports_));
    auto sink = NewFolderSink(out);
    auto exported = ExportDataset(*store_, project, "CVAT_VIDEO", *sink, {});
    EXPECT_TRUE(exported.ok()) << exported.status().ToString();
    if (exported.ok() && report) *report = *exported;
    return out / "annotations.xml";
  }

  int exports_ = 0;
};

TEST_F(CvatVideoTest, DatumaroSampleImportsAsVideoRectanglesAndExportsBack) {
  auto config = SuggestLabelingConfig("CVAT", kSample);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_THAT(*config, HasSubstr("<VideoRectangle name=\"box\" toName=\"video\"/>"));
  EXPECT_THAT(*config, HasSubstr("<Label value=\"z U k\"/>"));
  Id project = NewProject(*config);
  // `tessera import --format CVAT` into a video project reads the tracks.
  auto imported = ImportDataset(*store_, project, user_id_, "CVAT", kSample, {});
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->tasks, 1);
  EXPECT_EQ(imported->regions, 1);
  EXPECT_THAT(imported->unmatched, Contains(HasSubstr("points track not imported")));

  std::vector<TaskBundle> bundles = Bundles(project);
  ASSERT_EQ(bundles.size(), 1u);
  EXPECT_EQ(json::parse(bundles[0].task.data), json({{"video", "t.mp4"}}));
  ASSERT_EQ(bundles[0].annotations.size(), 1u);
  json result = json::parse(bundles[0].annotations[0].result);
  ASSERT_EQ(result.size(), 1u);
  const json& region = result[0];
  EXPECT_EQ(region["type"], "videorectangle");
  EXPECT_EQ(region["from_name"], "box");
  EXPECT_EQ(region["to_name"], "video");
  EXPECT_EQ(region["original_width"], 25);
  EXPECT_EQ(region["value"]["labels"], json({"II"}));
  EXPECT_EQ(region["value"]["framesCount"], 20);
  const json& keyframe = region["value"]["sequence"][0];
  EXPECT_EQ(keyframe["frame"], 11);
  EXPECT_EQ(keyframe["enabled"], false);
  EXPECT_DOUBLE_EQ(keyframe["x"].get<double>(), 12);      // 3 px of 25
  EXPECT_DOUBLE_EQ(keyframe["y"].get<double>(), 20);      // 4 px of 20
  EXPECT_DOUBLE_EQ(keyframe["width"].get<double>(), 28);  // 7 px of 25
  EXPECT_DOUBLE_EQ(keyframe["height"].get<double>(), 5);  // 1 px of 20
  // The result is one Tessera's validator accepts for this config.
  auto parsed = ParseLabelingConfig(*config);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(ValidateResult(**parsed, result).ok()) << ValidateResult(**parsed, result).ToString();

  DatasetExportReport report;
  fs::path out = Export(project, &report);
  EXPECT_EQ(report.tasks, 1);
  EXPECT_EQ(report.regions, 1);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_file(out.c_str()));
  pugi::xml_node task = doc.child("annotations").child("meta").child("task");
  EXPECT_EQ(task.child("original_size").child("width").text().as_int(), 25);
  EXPECT_EQ(task.child("original_size").child("height").text().as_int(), 20);
  EXPECT_EQ(task.child("stop_frame").text().as_int(), 19);
  EXPECT_STREQ(doc.child("annotations").child("meta").child("source").text().get(), "t.mp4");
  std::vector<std::string> labels;
  for (pugi::xml_node label : task.child("labels").children("label")) labels.push_back(label.child("name").text().get());
  EXPECT_THAT(labels, ::testing::ElementsAre("klhg", "z U k", "II", "skeleton"));
  // The box at its frame (occluded kept), gone from the next video frame on.
  std::vector<Row> rows = Rows(doc);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].label, "II");
  EXPECT_TRUE(rows[0].occluded);
  ExpectBox(rows[0], 10, true, false, {3, 4, 10, 5});
  ExpectBox(rows[1], 11, true, true, {3, 4, 10, 5});
  // Read back, the visible keyframes are the original's to 1e-6 px.
  Clips original = ReadClips(kSample), back = ReadClips(out);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  ASSERT_EQ(back.clips.size(), 1u);
  ASSERT_EQ(back.clips[0].tracks.size(), 1u);
  const VideoKeyframe& a = original.clips[0].tracks[0].keyframes[0];
  const VideoKeyframe& b = back.clips[0].tracks[0].keyframes[0];
  EXPECT_EQ(back.clips[0].tracks[0].keyframes.size(), 1u);
  EXPECT_EQ(a.frame, b.frame);
  EXPECT_EQ(a.enabled, b.enabled);
  EXPECT_NEAR(a.x, b.x, kTolerance);
  EXPECT_NEAR(a.y, b.y, kTolerance);
  EXPECT_NEAR(a.width, b.width, kTolerance);
  EXPECT_NEAR(a.height, b.height, kTolerance);
}

TEST_F(CvatVideoTest, ExportWritesEveryFrameAndReadsBackToTheSameKeyframes) {
  Id project = NewProject(kVideoConfig);
  // 200x100 video of 10 frames. "car": frames 1-4 moving right, shown on 4
  // only (enabled false), then from 7 to the end, turned 30 degrees.
  json sequence = json::parse(R"([
    {"frame": 1, "enabled": true, "x": 10, "y": 10, "width": 20, "height": 20, "rotation": 0, "time": 0},
    {"frame": 4, "enabled": false, "x": 40, "y": 10, "width": 20, "height": 20, "rotation": 0, "time": 0.12},
    {"frame": 7, "enabled": true, "x": 50, "y": 50, "width": 10, "height": 10, "rotation": 30, "time": 0.24}])");
  json task = {{"data", {{"video", "/data/upload/1/clip.mp4"}}},
               {"annotations",
                {{{"result",
                   {{{"id", "a"}, {"from_name", "box"}, {"to_name", "video"}, {"type", "videorectangle"},
                     {"original_width", 200}, {"original_height", 100},
                     {"value", {{"framesCount", 10}, {"duration", 0.4}, {"sequence", sequence}, {"labels", {"car"}}}}},
                    // No frame size: skipped and counted.
                    {{"id", "b"}, {"from_name", "box"}, {"to_name", "video"}, {"type", "videorectangle"},
                     {"value", {{"sequence", sequence}, {"labels", {"person"}}}}}}}}}}};
  std::string body = json::array({task}).dump();
  auto imported = ImportTasks(*store_, project, user_id_, ImportSource::Buffer(body, ImportFormat::kJson), {});
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();

  DatasetExportReport report;
  fs::path out = Export(project, &report);
  EXPECT_EQ(report.regions, 1);
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_THAT(report.skipped[0].first, HasSubstr("without original_width"));
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_file(out.c_str()));
  EXPECT_STREQ(doc.child("annotations").child("meta").child("source").text().get(), "clip.mp4");
  std::vector<Row> rows = Rows(doc);
  ASSERT_EQ(rows.size(), 9u);
  // Frames 0-3: x from 20 to 80 px in steps of 20 (10% -> 40% of 200).
  ExpectBox(rows[0], 0, true, false, {20, 10, 60, 30});
  ExpectBox(rows[1], 1, false, false, {40, 10, 80, 30});
  ExpectBox(rows[2], 2, false, false, {60, 10, 100, 30});
  ExpectBox(rows[3], 3, true, false, {80, 10, 120, 30});
  ExpectBox(rows[4], 4, true, true, {80, 10, 120, 30});
  // Frame 6 on: a 20x10 box turned 30 degrees around its top-left corner
  // (100, 50) in LS, written with CVAT's centre-turned corners.
  double c = std::cos(M_PI / 6), s = std::sin(M_PI / 6);
  double cx = 100 + 10 * c - 5 * s, cy = 50 + 10 * s + 5 * c;
  for (size_t row = 5; row < 9; ++row) {
    ExpectBox(rows[row], static_cast<int64_t>(row) + 1, row == 5, false, {cx - 10, cy - 5, cx + 10, cy + 5});
  }
  EXPECT_EQ(doc.child("annotations").child("track").child("box").attribute("z_order").as_int(-1), 0);

  // Imported again: the same three keyframes, to 1e-6 percent.
  Id again = NewProject(kVideoConfig);
  auto back = ImportDataset(*store_, again, user_id_, "CVAT_VIDEO", out, {});
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->unmatched.empty()) << back->unmatched[0];
  std::vector<TaskBundle> bundles = Bundles(again);
  ASSERT_EQ(bundles.size(), 1u);
  json result = json::parse(bundles[0].annotations.at(0).result);
  ASSERT_EQ(result.size(), 1u);
  const json& got = result[0]["value"]["sequence"];
  ASSERT_EQ(got.size(), sequence.size());
  for (size_t kf = 0; kf < got.size(); ++kf) {
    SCOPED_TRACE("keyframe " + std::to_string(kf));
    EXPECT_EQ(got[kf]["frame"], sequence[kf]["frame"]);
    EXPECT_EQ(got[kf]["enabled"], sequence[kf]["enabled"]);
    for (const char* key : {"x", "y", "width", "height", "rotation"}) {
      EXPECT_NEAR(got[kf][key].get<double>(), sequence[kf][key].get<double>(), kTolerance) << key;
    }
  }
}

TEST_F(CvatVideoTest, HostileSequencesStayBounded) {
  Id project = NewProject(kVideoConfig);
  // A gap of 400000 frames, a frame far past any video, a frame that is not
  // a number and an absurd framesCount.
  json sequence = json::parse(R"([
    {"frame": 1, "enabled": true, "x": 0, "y": 0, "width": 10, "height": 10},
    {"frame": 400001, "enabled": false, "x": 10, "y": 0, "width": 10, "height": 10},
    {"frame": 1125899906842624, "enabled": true, "x": 0, "y": 0, "width": 1, "height": 1},
    {"frame": "x", "x": 0, "y": 0, "width": 1, "height": 1}])");
  json region = {{"id", "a"}, {"from_name", "box"}, {"to_name", "video"}, {"type", "videorectangle"},
                 {"original_width", 100}, {"original_height", 100},
                 {"value", {{"framesCount", 1152921504606846976}, {"sequence", sequence}, {"labels", {"car"}}}}};
  // Items whose names and types are not strings are passed over, not fatal.
  json odd_target = {{"id", "b"}, {"from_name", "box"}, {"to_name", 5}, {"type", json::array()}, {"value", 1}};
  json odd_type = {{"id", "c"}, {"from_name", "box"}, {"to_name", "video"}, {"type", 7}, {"value", 1}};
  json task = {{"data", {{"video", "v.mp4"}}}, {"annotations", {{{"result", {region, odd_target, odd_type}}}}}};
  std::string body = json::array({task}).dump();
  ASSERT_TRUE(ImportTasks(*store_, project, user_id_, ImportSource::Buffer(body, ImportFormat::kJson), {}).ok());
  DatasetExportReport report;
  fs::path out = Export(project, &report);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_file(out.c_str()));
  std::vector<Row> rows = Rows(doc);
  ASSERT_EQ(rows.size(), 3u);
  ExpectBox(rows[0], 0, true, false, {0, 0, 10, 10});
  ExpectBox(rows[1], 400000, true, false, {10, 0, 20, 10});
  ExpectBox(rows[2], 400001, true, true, {10, 0, 20, 10});
  std::map<std::string, int64_t> skipped(report.skipped.begin(), report.skipped.end());
  EXPECT_EQ(skipped["CVAT_VIDEO: malformed keyframe"], 2);
  EXPECT_EQ(skipped["CVAT_VIDEO: untyped result on the video"], 1);
  EXPECT_EQ(skipped["CVAT_VIDEO: interpolated frames not written past 300000 in one track (keyframes only)"], 1);
  // No frame count to go by: no <stop_frame>.
  EXPECT_TRUE(doc.child("annotations").child("meta").child("task").child("stop_frame").empty());
}

TEST_F(CvatVideoTest, ProjectFormWithTwoVideosAndHostileRows) {
  fs::path file = dir_ / "two.xml";
  std::ofstream(file) << R"(<?xml version="1.0"?>
<annotations><version>1.1</version><meta><project><labels>
  <label><name>car</name></label><label><name>person</name></label></labels>
  <tasks>
    <task><id>7</id><name>a.mp4</name><original_size><width>100</width><height>50</height></original_size></task>
    <task><id>8</id><name>b.mp4</name><original_size><width>400</width><height>200</height></original_size></task>
  </tasks></project></meta>
  <track id="0" label="car" task_id="8">
    <box frame="2" keyframe="1" outside="0" occluded="0" xtl="40" ytl="20" xbr="80" ybr="60"><attribute name="color">red</attribute></box>
    <box frame="3" keyframe="0" outside="0" occluded="0" xtl="41" ytl="20" xbr="81" ybr="60"/>
    <box frame="6" keyframe="1" outside="1" occluded="0" xtl="80" ytl="20" xbr="120" ybr="60"/>
  </track>
  <track id="1" label="person" task_id="7">
    <box frame="0" keyframe="1" outside="0" occluded="0" xtl="10" ytl="nan" xbr="20" ybr="20"/>
    <box frame="1e999" keyframe="1" outside="0" occluded="0" xtl="1" ytl="1" xbr="2" ybr="2"/>
    <box frame="4" keyframe="1" outside="0" occluded="0" xtl="10" ytl="10" xbr="20" ybr="20"/>
  </track>
  <track id="2" label="car" task_id="99"><box frame="0" keyframe="1" outside="0" xtl="1" ytl="1" xbr="2" ybr="2"/></track>
  <track id="3" task_id="7"><box frame="0" keyframe="1" outside="0" xtl="1" ytl="1" xbr="2" ybr="2"/></track>
  <track id="4" label="truck" task_id="7"><box frame="0" keyframe="1" outside="0" xtl="1" ytl="1" xbr="2" ybr="2"/></track>
  <track id="5" label="car" task_id="7"><box frame="0" keyframe="1" outside="1" xtl="1" ytl="1" xbr="2" ybr="2"/></track>
  <track id="6" label="car" task_id="7"><ellipse frame="0" keyframe="1" cx="1" cy="1" rx="1" ry="1"/></track>
</annotations>)";
  Clips read = ReadClips(file);
  ASSERT_TRUE(read.status.ok()) << read.status.ToString();
  ASSERT_EQ(read.clips.size(), 2u);
  EXPECT_EQ(read.clips[0].video, "a.mp4");
  EXPECT_EQ(read.clips[1].width, 400);
  std::vector<std::string> problems = read.problems.Lines();
  EXPECT_THAT(problems, Contains("CVAT: malformed box in a track: 2"));
  EXPECT_THAT(problems, Contains("CVAT: track of a task_id not in <meta>: 1"));
  EXPECT_THAT(problems, Contains("CVAT: track without a label: 1"));
  EXPECT_THAT(problems, Contains("CVAT: box track without a visible keyframe: 1"));
  EXPECT_THAT(problems, Contains(HasSubstr("ellipse track not imported")));

  Id project = NewProject(kVideoConfig);
  auto imported = ImportDataset(*store_, project, user_id_, "CVAT", file, {});
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->tasks, 2);
  EXPECT_EQ(imported->regions, 2);
  EXPECT_THAT(imported->unmatched, Contains(HasSubstr("label \"truck\" is not in <Labels name=\"videoLabels\">")));
  std::vector<TaskBundle> bundles = Bundles(project);
  ASSERT_EQ(bundles.size(), 2u);
  // b.mp4's car: keyframe 2 runs to the outside keyframe 6, so CVAT shows it
  // up to frame 5, moved 3/4 of the way: x 40 + 30 = 70 px of 400.
  json car = json::parse(bundles[1].annotations.at(0).result)[0]["value"]["sequence"];
  ASSERT_EQ(car.size(), 2u);
  EXPECT_EQ(car[0]["frame"], 3);
  EXPECT_EQ(car[0]["enabled"], true);
  EXPECT_EQ(car[0]["attributes"], json({{"color", "red"}}));
  EXPECT_EQ(car[1]["frame"], 6);
  EXPECT_EQ(car[1]["enabled"], false);
  EXPECT_DOUBLE_EQ(car[1]["x"].get<double>(), 70.0 * 100 / 400);

  // Two videos export as <meta><project> with one <task> each.
  fs::path out = Export(project);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_file(out.c_str()));
  pugi::xml_node tasks = doc.child("annotations").child("meta").child("project").child("tasks");
  ASSERT_EQ(std::distance(tasks.children("task").begin(), tasks.children("task").end()), 2);
  // The car's per-frame attribute is declared on its label.
  std::vector<std::string> declared;
  for (pugi::xml_node label : doc.child("annotations").child("meta").child("project").child("labels").children()) {
    for (pugi::xml_node attr : label.child("attributes").children("attribute")) {
      declared.push_back(std::string(label.child("name").text().get()) + "." + attr.child("name").text().get());
    }
  }
  EXPECT_THAT(declared, ::testing::ElementsAre("car.color"));
  Clips back = ReadClips(out);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  ASSERT_EQ(back.clips.size(), 2u);
  EXPECT_EQ(back.clips[1].video, "b.mp4");
  EXPECT_EQ(back.clips[1].width, 400);
  ASSERT_EQ(back.clips[1].tracks.size(), 1u);
  const VideoTrack& track = back.clips[1].tracks[0];
  ASSERT_EQ(track.keyframes.size(), 2u);
  EXPECT_EQ(track.keyframes[1].frame, 6);
  EXPECT_NEAR(track.keyframes[1].x, 70, kTolerance);
  EXPECT_EQ(track.keyframes[0].attributes, json({{"color", "red"}}));
  // Garbage is an error naming the file, never a crash.
  std::ofstream(dir_ / "bad.xml") << "<annotations><track label=\"car\"><box frame=\"-1\"/>";
  EXPECT_THAT(ReadClips(dir_ / "bad.xml").status.message(), HasSubstr("bad.xml"));
}

}  // namespace
}  // namespace tessera::formats
