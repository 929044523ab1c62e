// Datasets given as a zip (issue 6): each Datumaro sample dataset in
// ../shared/conformance/datumaro is zipped here (with our own ZipSink) and
// imported both ways; the tasks must be the same. Unsafe archives (zip slip,
// links, too many entries, too large) are refused before anything leaves the
// temporary folder.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zip.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "src/formats/zip_input.h"
#include "tessera/store.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kDatumaro = "../shared/conformance/datumaro";

// Zips every file under `folder` into `zip`, names prefixed with `prefix`.
void ZipFolder(const fs::path& folder, const fs::path& zip, const std::string& prefix) {
  std::ofstream out(zip, std::ios::binary);
  auto sink = NewZipSink(out);
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    ASSERT_TRUE(sink->BeginFile(prefix + fs::relative(entry.path(), folder).generic_string()).ok());
    ASSERT_TRUE(sink->Write(bytes.str()).ok());
    ASSERT_TRUE(sink->EndFile().ok());
  }
  ASSERT_TRUE(sink->Finish().ok());
}

// A zip with the given entries written by libzip, which stores any name (so
// that hostile names can be tested). `link` entries are marked symbolic links.
void RawZip(const fs::path& path, const std::vector<std::pair<std::string, std::string>>& entries,
            const std::string& link = "") {
  int error = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  ASSERT_NE(za, nullptr);
  for (const auto& [name, content] : entries) {
    zip_source_t* src = zip_source_buffer(za, content.data(), content.size(), 0);
    ASSERT_NE(src, nullptr);
    zip_int64_t index = zip_file_add(za, name.c_str(), src, ZIP_FL_ENC_UTF_8);
    ASSERT_GE(index, 0) << name << ": " << zip_strerror(za);
    if (name == link) {
      ASSERT_EQ(zip_file_set_external_attributes(za, static_cast<zip_uint64_t>(index), 0, ZIP_OPSYS_UNIX,
                                                 static_cast<zip_uint32_t>(S_IFLNK | 0777) << 16),
                0);
    }
  }
  ASSERT_EQ(zip_close(za), 0);
}

class ZipInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("tessera_zip_test_" + std::to_string(rd()));
    fs::create_directories(dir_ / "tmp");
    // Extraction goes under TMPDIR: a private one shows what is left behind.
    const char* old = std::getenv("TMPDIR");
    old_tmpdir_ = old ? old : "";
    setenv("TMPDIR", (dir_ / "tmp").c_str(), 1);
    SqliteOptions options;
    options.path = (dir_ / "store.db").string();
    options.full_sync = false;
    auto store = OpenSqliteStore(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    User user;
    user.email = "zip@example.com";
    ASSERT_TRUE(store_->CreateUser(&user).ok());
    user_id_ = user.id;
  }
  void TearDown() override {
    if (old_tmpdir_.empty()) unsetenv("TMPDIR");
    else setenv("TMPDIR", old_tmpdir_.c_str(), 1);
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Id NewProject(const std::string& config) {
    Project project;
    project.title = "zip";
    project.label_config = config;
    project.created_by = user_id_;
    EXPECT_TRUE(store_->CreateProject(&project).ok());
    return project.id;
  }
  // Each task's data and its annotation results without the random region ids.
  std::vector<std::string> Tasks(Id project) {
    std::vector<std::string> out;
    TaskQuery query;
    query.project_id = project;
    EXPECT_TRUE(store_->ForEachTaskBundle(query, [&](const TaskBundle& bundle) {
      std::string line = bundle.task.data;
      for (const Annotation& annotation : bundle.annotations) {
        json result = json::parse(annotation.result);
        for (json& region : result) {
          region.erase("id");
          region.erase("parentID");
        }
        line += " " + result.dump();
      }
      out.push_back(line);
      return Status::Ok();
    }).ok());
    std::sort(out.begin(), out.end());
    return out;
  }
  size_t LeftInTmp() {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir_ / "tmp"), fs::directory_iterator()));
  }

  fs::path dir_;
  std::string old_tmpdir_;
  std::unique_ptr<Store> store_;
  Id user_id_ = 0;
};

TEST_F(ZipInputTest, EveryDatumaroDatasetImportsTheSameFromAZip) {
  struct Case {
    std::string format;
    std::string folder;
    std::string prefix;  // "" zips the layout itself, else a zipped folder
  };
  const std::vector<Case> cases = {
      {"COCO", "coco_dataset/coco_instances", ""},
      {"COCO", "coco_dataset/coco_person_keypoints", "coco_person_keypoints/"},
      {"VOC", "voc_dataset/voc_dataset1", "voc_dataset1/"},
      {"YOLO", "yolo_dataset/yolo", ""},
      {"YOLOV8", "yolo_dataset/yolov8_detection", "yolov8_detection/"},
      {"CVAT", "cvat_dataset/for_images", "for_images/"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.format + " " + c.folder);
    const fs::path folder = kDatumaro / c.folder;
    const fs::path zip = dir_ / (fs::path(c.folder).filename().string() + ".ZIP");  // any case
    ZipFolder(folder, zip, c.prefix);
    auto config = SuggestLabelingConfig(c.format, folder);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    auto zip_config = SuggestLabelingConfig(c.format, zip);
    ASSERT_TRUE(zip_config.ok()) << zip_config.status().ToString();
    EXPECT_EQ(*zip_config, *config);
    Id from_folder = NewProject(*config);
    Id from_zip = NewProject(*config);
    auto a = ImportDataset(*store_, from_folder, user_id_, c.format, folder, {});
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    auto b = ImportDataset(*store_, from_zip, user_id_, c.format, zip, {});
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    EXPECT_GT(a->tasks, 0);
    EXPECT_GT(a->regions, 0);
    EXPECT_EQ(b->tasks, a->tasks);
    EXPECT_EQ(b->regions, a->regions);
    EXPECT_EQ(b->unmatched, a->unmatched);
    EXPECT_EQ(Tasks(from_zip), Tasks(from_folder));
    EXPECT_EQ(LeftInTmp(), 0u);  // the extracted copy is removed
  }
}

TEST_F(ZipInputTest, ZipSlipAndOtherHostileNamesAreRefused) {
  for (const std::string name : {"../evil.txt", "a/../../evil.txt", "/tmp/evil.txt", "C:/evil.txt", "a\\..\\evil.txt"}) {
    SCOPED_TRACE(name);
    const fs::path zip = dir_ / "slip.zip";
    RawZip(zip, {{"annotations/ok.txt", "fine"}, {name, "pwned"}});
    const fs::path dest = dir_ / "out" / "deep";
    Status s = ExtractZip(zip, dest, {});
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
    EXPECT_NE(s.message().find(name), std::string::npos) << s.message();
    // Nothing was written, not even the safe entry (names are checked first).
    EXPECT_FALSE(fs::exists(dest / "annotations/ok.txt"));
    EXPECT_FALSE(fs::exists(dir_ / "out" / "evil.txt"));
    EXPECT_FALSE(fs::exists(dir_ / "evil.txt"));
    fs::remove_all(dir_ / "out");
  }
  // Through the importer: refused with the entry named, nothing imported, no leftovers.
  const fs::path zip = dir_ / "slip.zip";
  RawZip(zip, {{"annotations/instances_default.json", "{}"}, {"../../evil.json", "{}"}});
  Id project = NewProject("<View><Image name=\"image\" value=\"$image\"/>"
                          "<RectangleLabels name=\"label\" toName=\"image\"><Label value=\"a\"/></RectangleLabels></View>");
  auto report = ImportDataset(*store_, project, user_id_, "COCO", zip, {});
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("../../evil.json"), std::string::npos) << report.status().ToString();
  EXPECT_EQ(Tasks(project).size(), 0u);
  EXPECT_EQ(LeftInTmp(), 0u);
  EXPECT_FALSE(fs::exists(dir_ / "evil.json"));
}

TEST_F(ZipInputTest, LinksLimitsAndJunkAreRefusedClearly) {
  const fs::path zip = dir_ / "x.zip";
  RawZip(zip, {{"data.txt", "x"}, {"link", "/etc/passwd"}}, "link");
  Status s = ExtractZip(zip, dir_ / "out1", {});
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("symbolic link"), std::string::npos) << s.message();

  RawZip(zip, {{"a.txt", "1"}, {"b.txt", "2"}, {"c/", ""}});
  ZipLimits few;
  few.max_entries = 2;
  s = ExtractZip(zip, dir_ / "out2", few);
  EXPECT_EQ(s.code(), Code::kPayloadTooLarge) << s.ToString();
  EXPECT_NE(s.message().find("3 entries; at most 2"), std::string::npos) << s.message();
  few.max_entries = 3;
  EXPECT_TRUE(ExtractZip(zip, dir_ / "out3", few).ok());
  EXPECT_TRUE(fs::is_directory(dir_ / "out3/c"));
  EXPECT_EQ(std::ifstream(dir_ / "out3/b.txt").get(), '2');

  // The size cap counts bytes as they unpack (1 MB of zeros compresses to ~1 KB).
  RawZip(zip, {{"big.bin", std::string(1 << 20, '\0')}});
  EXPECT_LT(fs::file_size(zip), 10000u);
  ZipLimits small;
  small.max_bytes = 100000;
  s = ExtractZip(zip, dir_ / "out4", small);
  EXPECT_EQ(s.code(), Code::kPayloadTooLarge) << s.ToString();
  EXPECT_NE(s.message().find("more than 100000 bytes"), std::string::npos) << s.message();
  EXPECT_LE(fs::file_size(dir_ / "out4/big.bin"), 100000u);

  std::ofstream(dir_ / "junk.zip") << "this is not a zip archive";
  s = ExtractZip(dir_ / "junk.zip", dir_ / "out5", {});
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("not a readable zip archive"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tessera::formats
