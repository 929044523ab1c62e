// `tessera import --format F PATH.zip` (issue 6): real Datumaro datasets from
// ../shared/conformance/datumaro, zipped here with Tessera's own ZipSink,
// import exactly as their folders do; a zip-slip archive is refused with the
// entry named and nothing written outside the temporary folder. And what
// an import with annotations leaves for the dashboards of a server started
// afterwards.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tessera/formats.h"
#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kDatumaro = "../shared/conformance/datumaro";

constexpr char kImageConfig[] = R"(<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image">
    <Label value="a"/><Label value="b"/><Label value="c"/><Label value="person"/><Label value="car"/>
    <Label value="label_0"/><Label value="label_2"/><Label value="label_4"/><Label value="label1"/>
  </RectangleLabels>
  <PolygonLabels name="polygon" toName="image"><Label value="a"/><Label value="b"/><Label value="c"/></PolygonLabels>
</View>)";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Zips every file under `folder` into `zip`, names prefixed with `prefix`.
void ZipFolder(const fs::path& folder, const fs::path& zip, const std::string& prefix) {
  std::ofstream out(zip, std::ios::binary);
  auto sink = NewZipSink(out);
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    ASSERT_TRUE(sink->BeginFile(prefix + fs::relative(entry.path(), folder).generic_string()).ok());
    ASSERT_TRUE(sink->Write(ReadFile(entry.path())).ok());
    ASSERT_TRUE(sink->EndFile().ok());
  }
  ASSERT_TRUE(sink->Finish().ok());
}

class ImportZipCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.AddUser("admin@example.com", "correct horse", true);
    tmp_ = server_.data_dir() / "tmp-extract";
    fs::create_directories(tmp_);
    const char* old = std::getenv("TMPDIR");
    old_tmpdir_ = old ? old : "";
    setenv("TMPDIR", tmp_.c_str(), 1);  // the CLI extracts under it
    std::ofstream(server_.data_dir() / "config.xml") << kImageConfig;
  }
  void TearDown() override {
    if (old_tmpdir_.empty()) unsetenv("TMPDIR");
    else setenv("TMPDIR", old_tmpdir_.c_str(), 1);
  }
  std::vector<std::string> With(std::vector<std::string> args) {
    args.push_back("--data");
    args.push_back(server_.data_dir().string());
    for (const std::string& arg : server_.DatabaseArgs()) args.push_back(arg);
    return args;
  }
  std::string NewProject() {
    std::string out, err;
    int rc = RunTessera(With({"project", "create", "--title", "zip",
                              "--config", (server_.data_dir() / "config.xml").string()}),
                        &out, &err);
    EXPECT_EQ(rc, 0) << err;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out.substr(out.find_last_of(' ') + 1);
  }
  // Runs the import; returns stdout with the path replaced by "PATH".
  std::string Import(const std::string& format, const fs::path& path, int want_code = 0, std::string* err = nullptr) {
    std::string out, e;
    int rc = RunTessera(With({"import", "--project", NewProject(), "--format", format, path.string()}), &out, &e);
    EXPECT_EQ(rc, want_code) << out << e;
    if (err) *err = e;
    for (size_t at = out.find(path.string()); at != std::string::npos; at = out.find(path.string())) {
      out.replace(at, path.string().size(), "PATH");
    }
    // Each import makes its own project: the dashboard count's line names it, with a time.
    const size_t counted = out.find("project ");
    if (counted != std::string::npos && out.find("dashboards counted", counted) != std::string::npos) {
      out.erase(counted);
    }
    return out;
  }

  ServerProcess server_;
  fs::path tmp_;
  std::string old_tmpdir_;
};

TEST_F(ImportZipCliTest, ZippedDatasetsImportLikeTheirFolders) {
  struct Case {
    std::string format, folder, prefix, expect;
  };
  const std::vector<Case> cases = {
      {"COCO", "coco_dataset/coco_instances", "", "PATH: 2 tasks, "},
      {"VOC", "voc_dataset/voc_dataset1", "voc_dataset1/", "PATH: 1 tasks, "},
      {"YOLO", "yolo_dataset/yolo", "", "PATH: 1 tasks, "},
      {"CVAT", "cvat_dataset/for_images", "for_images/", "PATH: "},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.format);
    const fs::path folder = fs::absolute(kDatumaro / c.folder);
    const fs::path zip = server_.data_dir() / (c.format + ".zip");
    ZipFolder(folder, zip, c.prefix);
    std::string from_folder = Import(c.format, folder);
    std::string from_zip = Import(c.format, zip);
    EXPECT_EQ(from_zip, from_folder);
    EXPECT_EQ(from_zip.rfind(c.expect, 0), 0u) << from_zip;
    EXPECT_EQ(from_zip.find(" 0 regions"), std::string::npos) << from_zip;
    EXPECT_TRUE(fs::is_empty(tmp_)) << "extracted files left behind";
  }
}

// Annotations imported with the CLI are counted for the dashboards before
// the command ends: a server started afterwards answers the first dashboard
// request from that count (stale while it builds its own), without making
// it wait for a read of the project. Tasks alone change no dashboard number:
// nothing is counted for them.
TEST_F(ImportZipCliTest, ImportedAnnotationsAreCountedForTheDashboards) {
  const std::string project = NewProject();
  const fs::path tasks = server_.data_dir() / "tasks.json";
  const fs::path bare = server_.data_dir() / "bare.json";
  auto box = [](const char* label) {
    return "{\"from_name\":\"label\",\"to_name\":\"image\",\"type\":\"rectanglelabels\",\"value\":{\"x\":10,"
           "\"y\":10,\"width\":20,\"height\":20,\"rotation\":0,\"rectanglelabels\":[\"" +
           std::string(label) + "\"]}}";
  };
  std::ofstream(tasks) << "[{\"data\":{\"image\":\"a.png\"},\"annotations\":[{\"completed_by\":1,\"result\":["
                       << box("a") << "]}]},{\"data\":{\"image\":\"b.png\"},\"annotations\":["
                       << "{\"completed_by\":1,\"result\":[" << box("b") << "," << box("a") << "]}]}]";
  std::ofstream(bare) << "[{\"image\":\"c.png\"}]";
  std::string out, err;
  ASSERT_EQ(RunTessera(With({"import", "--project", project, bare.string()}), &out, &err), 0) << err;
  EXPECT_EQ(out.find("dashboards counted"), std::string::npos) << out;
  ASSERT_EQ(RunTessera(With({"import", "--project", project, tasks.string()}), &out, &err), 0) << err;
  EXPECT_NE(out.find("project " + project + ": dashboards counted in "), std::string::npos) << out;

  const std::string token = server_.AddUser("manager@example.com", "correct horse", true);
  server_.Start();
  HttpClient c("127.0.0.1", server_.port());
  c.SetHeader("Authorization", "Token " + token);
  Reply stats = c.Get("/api/projects/" + project + "/stats/project");
  ASSERT_EQ(stats.status, 200) << stats.body;
  const nlohmann::json j = stats.Json();
  EXPECT_TRUE(j["stale"].get<bool>()) << stats.body;
  EXPECT_EQ(j["annotations"]["ground_truth"], 2) << stats.body;  // imported annotations are ground truth
  ASSERT_EQ(j["labels"].size(), 1u) << stats.body;
  EXPECT_EQ(j["labels"][0]["counts"], (nlohmann::json{{"a", 2}, {"b", 1}})) << stats.body;
  EXPECT_EQ(j["tasks"]["total"], 3) << stats.body;
}

// The import's count also keeps the quality page: the first /quality on
// the server started afterwards answers at once from it, marked stale, with
// the imported agreement (two authorless annotations per task, each its own
// annotator: the same box on the first task, different labels on the second).
TEST_F(ImportZipCliTest, ImportedAnnotationsAreCountedForTheQualityPage) {
  const std::string project = NewProject();
  const fs::path tasks = server_.data_dir() / "pairs.json";
  auto box = [](const char* label) {
    return "{\"result\":[{\"from_name\":\"label\",\"to_name\":\"image\",\"type\":\"rectanglelabels\","
           "\"value\":{\"x\":10,\"y\":10,\"width\":20,\"height\":20,\"rotation\":0,\"rectanglelabels\":[\"" +
           std::string(label) + "\"]}}]}";
  };
  std::ofstream(tasks) << "[{\"data\":{\"image\":\"a.png\"},\"annotations\":[" << box("a") << "," << box("a")
                       << "]},{\"data\":{\"image\":\"b.png\"},\"annotations\":[" << box("a") << "," << box("b")
                       << "]}]";
  std::string out, err;
  ASSERT_EQ(RunTessera(With({"import", "--project", project, tasks.string()}), &out, &err), 0) << err;
  ASSERT_NE(out.find("dashboards counted"), std::string::npos) << out;

  const std::string token = server_.AddUser("manager@example.com", "correct horse", true);
  server_.Start();
  HttpClient c("127.0.0.1", server_.port());
  c.SetHeader("Authorization", "Token " + token);
  Reply quality = c.Get("/api/projects/" + project + "/quality?threshold=0.6");
  ASSERT_EQ(quality.status, 200) << quality.body;
  const nlohmann::json j = quality.Json();
  EXPECT_TRUE(j["stale"].get<bool>()) << quality.body;
  EXPECT_EQ(j["tasks"]["count"], 2) << quality.body;
  EXPECT_EQ(j["tasks"]["scored"], 2) << quality.body;
  EXPECT_DOUBLE_EQ(j["tasks"]["mean"].get<double>(), 0.5) << quality.body;  // F1 1 and 0
}

// YOLO_OBB through the CLI: a folder and its zip import alike, the
// quadrilateral is reported with its file and line, and `tessera export`
// writes the rectangle's corners back as they came in.
TEST_F(ImportZipCliTest, YoloObbImportsAndExportsThroughTheCli) {
  const fs::path folder = server_.data_dir() / "obb";
  fs::create_directories(folder / "images/train");
  fs::create_directories(folder / "labels/train");
  std::ofstream(folder / "data.yaml") << "path: .\ntrain: images/train\nval: images/train\nnames:\n  0: a\n  1: b\n";
  // The importer reads only the PNG signature and IHDR: 200 x 100.
  static constexpr char kPngHead[] = "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\xc8\0\0\0\x64";
  std::ofstream(folder / "images/train/a.png", std::ios::binary).write(kPngHead, sizeof(kPngHead) - 1);
  // Line 1: 40 x 20 px at (100, 50) turned 90 degrees: (100,50) (100,90) (80,90) (80,50).
  // Line 2: a trapezoid, (20,10) (80,10) (70,60) (30,60).
  std::ofstream(folder / "labels/train/a.txt") << "0 0.5 0.5 0.5 0.9 0.4 0.9 0.4 0.5\n"
                                                  "1 0.1 0.1 0.4 0.1 0.35 0.6 0.15 0.6\n";
  const fs::path zip = server_.data_dir() / "obb.zip";
  ZipFolder(folder, zip, "obb/");
  std::string from_folder = Import("YOLO_OBB", folder);
  EXPECT_EQ(Import("YOLO_OBB", zip), from_folder);
  EXPECT_EQ(from_folder,
            "PATH: 1 tasks, 2 regions (annotations)\n"
            "  not imported: YOLO_OBB: corners not a rectangle, stored as the smallest rotated rectangle around "
            "them (labels/train/a.txt:2): 1\n");

  std::string project = NewProject();
  std::string out, err;
  ASSERT_EQ(RunTessera(With({"import", "--project", project, "--format", "YOLO_OBB", folder.string()}), &out, &err),
            0)
      << err;
  const fs::path exported = server_.data_dir() / "obb-export";
  ASSERT_EQ(RunTessera(With({"export", "--project", project, "--format", "YOLO_OBB", "--out", exported.string()}),
                       &out, &err),
            0)
      << err;
  std::istringstream labels(ReadFile(exported / "labels/train/a.txt"));
  std::vector<std::vector<double>> lines;
  for (std::string line; std::getline(labels, line);) {
    std::istringstream fields(line);
    lines.emplace_back();
    for (double value = 0; fields >> value;) lines.back().push_back(value);
  }
  ASSERT_EQ(lines.size(), 2u);
  const std::vector<double> rect = {0, 0.5, 0.5, 0.5, 0.9, 0.4, 0.9, 0.4, 0.5};
  const std::vector<double> trapezoid_bounds = {1, 0.1, 0.1, 0.4, 0.1, 0.4, 0.6, 0.1, 0.6};
  ASSERT_EQ(lines[0].size(), 9u);
  ASSERT_EQ(lines[1].size(), 9u);
  for (size_t field = 0; field < 9; ++field) {
    EXPECT_NEAR(lines[0][field], rect[field], 1e-9) << "field " << field;
    EXPECT_NEAR(lines[1][field], trapezoid_bounds[field], 1e-5) << "field " << field;
  }
}

TEST_F(ImportZipCliTest, ZipSlipIsRefused) {
  // A zip whose entry name is patched to climb out: "xx/evil.txt" ->
  // "../evil.txt" (same length, so the archive stays well-formed; the CRC
  // covers only the data).
  const fs::path zip = server_.data_dir() / "slip.zip";
  {
    std::ofstream out(zip, std::ios::binary);
    auto sink = NewZipSink(out);
    ASSERT_TRUE(sink->BeginFile("annotations/instances_default.json").ok());
    ASSERT_TRUE(sink->Write(R"({"images": [], "annotations": [], "categories": []})").ok());
    ASSERT_TRUE(sink->EndFile().ok());
    ASSERT_TRUE(sink->BeginFile("xx/evil.txt").ok());
    ASSERT_TRUE(sink->Write("pwned").ok());
    ASSERT_TRUE(sink->EndFile().ok());
    ASSERT_TRUE(sink->Finish().ok());
  }
  std::string bytes = ReadFile(zip);
  int patched = 0;
  for (size_t at = bytes.find("xx/evil.txt"); at != std::string::npos; at = bytes.find("xx/evil.txt")) {
    bytes.replace(at, 2, "..");
    ++patched;
  }
  ASSERT_EQ(patched, 2);  // local header and central directory
  std::ofstream(zip, std::ios::binary | std::ios::trunc) << bytes;

  std::string err;
  std::string out = Import("COCO", zip, 1, &err);
  EXPECT_NE(err.find("\"../evil.txt\""), std::string::npos) << err;
  EXPECT_NE(err.find("refusing to extract"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(tmp_ / "evil.txt"));
  EXPECT_FALSE(fs::exists(tmp_.parent_path() / "evil.txt"));
  EXPECT_TRUE(fs::is_empty(tmp_)) << "extracted files left behind";
}

}  // namespace
}  // namespace tessera::testing
