#include "server/file_response.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tessera/util.h"

namespace tessera::server {
namespace {

namespace fs = std::filesystem;

class FileResponseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("tessera-files-" + RandomHex(6));
    fs::create_directories(root_ / "media");
    std::ofstream(root_ / "media" / "a.png") << "0123456789";
    std::ofstream(root_ / "secret.txt") << "top secret";
    fs::create_symlink(root_ / "secret.txt", root_ / "media" / "link.png");
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(FileResponseTest, RefusesPathsThatEscapeTheRoot) {
  fs::path media = root_ / "media";
  EXPECT_TRUE(SafeJoin(media, "a.png").ok());
  for (const char* bad : {"../secret.txt", "..", "/etc/passwd", "a/../../secret.txt",
                          "..\\secret.txt", "link.png", "", "missing.png"}) {
    EXPECT_FALSE(SafeJoin(media, bad).ok()) << bad;
  }
}

TEST_F(FileResponseTest, ServesRangesAndEtags) {
  HttpRequest req;
  fs::path file = root_ / "media" / "a.png";
  HttpResponse whole = FileResponse(req, file, "no-cache");
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, "0123456789");
  std::string etag;
  for (auto& [k, v] : whole.headers) {
    if (k == "ETag") etag = v;
    if (k == "Content-Type") {
      EXPECT_EQ(v, "image/png");
    }
  }
  req.headers["range"] = "bytes=2-4";
  HttpResponse part = FileResponse(req, file, "no-cache");
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, "234");
  req.headers["range"] = "bytes=-3";
  EXPECT_EQ(FileResponse(req, file, "no-cache").body, "789");
  req.headers["range"] = "bytes=50-";
  EXPECT_EQ(FileResponse(req, file, "no-cache").status, 416);
  req.headers.erase("range");
  req.headers["if-none-match"] = etag;
  EXPECT_EQ(FileResponse(req, file, "no-cache").status, 304);
}

TEST(SanitizeFileNameTest, KeepsSafeCharacters) {
  EXPECT_EQ(SanitizeFileName("../../etc/pass wd.png"), "pass_wd.png");
  EXPECT_EQ(SanitizeFileName(".hidden"), "hidden");
  EXPECT_EQ(SanitizeFileName(""), "file");
}

}  // namespace
}  // namespace tessera::server
