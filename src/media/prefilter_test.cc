#include "src/media/prefilter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace tessera {
namespace {

namespace fs = std::filesystem;

const fs::path kImages = "../shared/media/images";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string Encode(const cv::Mat& image, const std::string& ext, std::vector<int> params = {}) {
  std::vector<uchar> out;
  EXPECT_TRUE(cv::imencode(ext, image, out, params));
  return std::string(out.begin(), out.end());
}

std::vector<fs::path> SampleImages() {
  std::vector<fs::path> paths;
  if (!fs::exists(kImages)) return paths;
  for (const auto& entry : fs::directory_iterator(kImages)) {
    std::string ext = entry.path().extension().string();
    if (ext == ".jpg" || ext == ".png") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST(PrefilterTest, MeasuresARealImage) {
  fs::path path = kImages / "baboon.jpg";
  if (!fs::exists(path)) GTEST_SKIP() << "no " << path;
  cv::Mat decoded = cv::imread(path.string());
  ImageMeasure m = MeasureImageFile(path);
  ASSERT_TRUE(m.readable) << m.error;
  EXPECT_EQ(m.width, decoded.cols);
  EXPECT_EQ(m.height, decoded.rows);
  EXPECT_NE(m.phash, 0u);
  EXPECT_GT(m.sharpness, 100.0);  // the mandrill's fur is very sharp
  // Same bytes, same hash: measurements are deterministic.
  EXPECT_EQ(MeasureImage(ReadFile(path)).phash, m.phash);
}

TEST(PrefilterTest, ReencodedAndResizedCopiesAreNearDuplicatesAndDistinctImagesAreNot) {
  std::vector<fs::path> paths = SampleImages();
  if (paths.size() < 5) GTEST_SKIP() << "sample images missing";
  std::vector<uint64_t> hashes;
  for (const fs::path& path : paths) {
    cv::Mat image = cv::imread(path.string());
    ASSERT_FALSE(image.empty()) << path;
    ImageMeasure original = MeasureImage(Encode(image, ".png"));
    ASSERT_TRUE(original.readable);
    // A smaller, lossy copy is what a dataset's duplicates usually are.
    cv::Mat half;
    cv::resize(image, half, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
    ImageMeasure copy = MeasureImage(Encode(half, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 60}));
    ASSERT_TRUE(copy.readable);
    EXPECT_LE(HammingDistance(original.phash, copy.phash), PrefilterConfig{}.image_distance)
        << path;
    hashes.push_back(original.phash);
  }
  // No two different pictures fall within the default threshold.
  for (size_t i = 0; i < hashes.size(); ++i) {
    for (size_t j = i + 1; j < hashes.size(); ++j) {
      EXPECT_GT(HammingDistance(hashes[i], hashes[j]), PrefilterConfig{}.image_distance)
          << paths[i] << " vs " << paths[j];
    }
  }
}

TEST(PrefilterTest, BlurLowersSharpnessBelowTheDefaultThreshold) {
  std::vector<fs::path> paths = SampleImages();
  if (paths.empty()) GTEST_SKIP() << "sample images missing";
  int sharp = 0;
  for (const fs::path& path : paths) {
    cv::Mat image = cv::imread(path.string());
    ImageMeasure m = MeasureImage(Encode(image, ".png"));
    cv::Mat blurred;
    cv::GaussianBlur(image, blurred, cv::Size(0, 0), 6.0);
    ImageMeasure b = MeasureImage(Encode(blurred, ".png"));
    ASSERT_TRUE(b.readable);
    EXPECT_LT(b.sharpness, m.sharpness / 4) << path;
    EXPECT_LT(b.sharpness, PrefilterConfig{}.blur_threshold) << path;
    if (m.sharpness >= PrefilterConfig{}.blur_threshold) ++sharp;
  }
  // Most real photographs pass the default threshold.
  EXPECT_GE(sharp * 4, static_cast<int>(paths.size()) * 3);
}

// Sharpness is measured on the image scaled to 256 px, so a photograph saved
// at full and at half size scores about the same, and a blurred copy is
// flagged at both sizes.
TEST(PrefilterTest, SharpnessIsTheSameAtFullAndHalfSize) {
  const double threshold = PrefilterConfig{}.blur_threshold;
  int compared = 0;
  for (const fs::path& path : SampleImages()) {
    cv::Mat image = cv::imread(path.string());
    if (std::max(image.cols, image.rows) < 512) continue;  // half would be under 256 px
    ++compared;
    cv::Mat half, blurred, blurred_half;
    cv::resize(image, half, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
    // A blur of 1.2% of the long side: 6 px on a 512 px photo.
    cv::GaussianBlur(image, blurred, cv::Size(0, 0), 0.012 * std::max(image.cols, image.rows));
    cv::resize(blurred, blurred_half, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
    for (const char* ext : {".png", ".jpg"}) {
      ImageMeasure full = MeasureImage(Encode(image, ext));
      ImageMeasure small = MeasureImage(Encode(half, ext));
      ASSERT_TRUE(full.readable && small.readable) << path;
      EXPECT_GE(full.sharpness, threshold) << path << ext;
      EXPECT_GE(small.sharpness, threshold) << path << ext;
      EXPECT_LT(small.sharpness, full.sharpness * 2) << path << ext;
      EXPECT_GT(small.sharpness, full.sharpness / 2) << path << ext;
      EXPECT_LT(MeasureImage(Encode(blurred, ext)).sharpness, threshold) << path << ext;
      EXPECT_LT(MeasureImage(Encode(blurred_half, ext)).sharpness, threshold) << path << ext;
    }
  }
  if (compared == 0) GTEST_SKIP() << "no sample image of 512 px or more";
  EXPECT_GE(compared, 8);
}

// A large JPEG is decoded at 1/8 scale: it still reports its full size, and
// measures like the same picture saved small.
TEST(PrefilterTest, LargeJpegIsDecodedReducedAndMeasuredAlike) {
  fs::path path = kImages / "baboon.jpg";
  if (!fs::exists(path)) GTEST_SKIP() << "no " << path;
  cv::Mat image = cv::imread(path.string());
  cv::Mat large;
  cv::resize(image, large, cv::Size(image.cols * 4, image.rows * 4 + 8), 0, 0, cv::INTER_CUBIC);
  ImageMeasure big = MeasureImage(Encode(large, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 95}));
  ImageMeasure original = MeasureImage(Encode(image, ".png"));
  ASSERT_TRUE(big.readable) << big.error;
  EXPECT_EQ(big.width, image.cols * 4);
  EXPECT_EQ(big.height, image.rows * 4 + 8);
  EXPECT_LE(HammingDistance(big.phash, original.phash), 2);
  EXPECT_GT(big.sharpness, original.sharpness / 2);
  EXPECT_LT(big.sharpness, original.sharpness * 2);
  // A progressive JPEG has its size in a different frame header (SOF2).
  ImageMeasure progressive =
      MeasureImage(Encode(large, ".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
  ASSERT_TRUE(progressive.readable) << progressive.error;
  EXPECT_EQ(progressive.width, image.cols * 4);
  EXPECT_EQ(progressive.height, image.rows * 4 + 8);
  // Cut inside the header: unreadable, not a crash.
  std::string jpeg = Encode(large, ".jpg");
  EXPECT_FALSE(MeasureImage(jpeg.substr(0, 100)).readable);
}

TEST(PrefilterTest, UnreadableInputsSayWhy) {
  EXPECT_FALSE(MeasureImage("").readable);
  ImageMeasure garbage = MeasureImage("this is not an image at all");
  EXPECT_FALSE(garbage.readable);
  EXPECT_NE(garbage.error.find("cannot decode"), std::string::npos);
  cv::Mat image(40, 60, CV_8UC3, cv::Scalar(10, 200, 30));
  std::string png = Encode(image, ".png");
  EXPECT_TRUE(MeasureImage(png).readable);
  EXPECT_FALSE(MeasureImage(png.substr(0, png.size() / 3)).readable);
  EXPECT_FALSE(MeasureImageFile("/nonexistent/file.png").readable);
}

TEST(PrefilterTest, SimHashIsCloseForEditedTextsAndFarForDifferentOnes) {
  std::string a =
      "The quarterly report shows revenue grew by twelve percent while operating costs fell, "
      "driven mostly by the new logistics contracts signed in the spring and the closure of "
      "two underperforming warehouses in the north.";
  std::string a_edit =
      "The quarterly report shows revenue grew by twelve percent, while operating costs fell, "
      "driven mostly by the new logistics contracts signed in the Spring and the closure of "
      "two underperforming warehouses in the north!";
  std::string b =
      "A small cat slept on the warm windowsill all afternoon, ignoring the birds outside and "
      "the children who kept calling its name from the garden below.";
  EXPECT_EQ(SimHash64(a), SimHash64(a_edit));  // case and punctuation do not count
  std::string a_word = a;
  a_word.replace(a_word.find("twelve"), 6, "eleven");
  EXPECT_LE(HammingDistance(SimHash64(a), SimHash64(a_word)), 12);
  EXPECT_GT(HammingDistance(SimHash64(a), SimHash64(b)), PrefilterConfig{}.text_distance);
  EXPECT_EQ(SimHash64(""), 0u);
  EXPECT_TRUE(IsBlank(" \n\t"));
  EXPECT_FALSE(IsBlank(" x "));
}

TEST(PrefilterTest, HammingIndexFindsWhatALinearScanFinds) {
  uint64_t x = 0x9E3779B97F4A7C15ull;
  auto rnd = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int max_distance : {0, 3, 6, 15, 20}) {
    HammingIndex index(max_distance);
    std::vector<uint64_t> stored;
    for (int i = 0; i < 3000; ++i) {
      // Every third entry is a near copy of an earlier one (a few bits flipped).
      uint64_t v = (i % 3 == 2) ? stored[static_cast<size_t>(rnd() % stored.size())] ^
                                      (uint64_t{1} << (rnd() % 64)) ^ (uint64_t{1} << (rnd() % 64))
                                : rnd();
      stored.push_back(v);
      index.Add(i + 1, v);
    }
    int found = 0;
    for (int q = 0; q < 600; ++q) {
      uint64_t query = stored[static_cast<size_t>(rnd() % stored.size())];
      for (int flips = static_cast<int>(rnd() % 8); flips > 0; --flips) query ^= uint64_t{1} << (rnd() % 64);
      std::optional<std::pair<Id, int>> expected;
      for (size_t i = 0; i < stored.size(); ++i) {
        int d = HammingDistance(stored[i], query);
        if (d <= max_distance && (!expected || d < expected->second))
          expected = std::make_pair(static_cast<Id>(i + 1), d);
      }
      EXPECT_EQ(index.Nearest(query), expected) << "max distance " << max_distance;
      found += expected.has_value();
    }
    if (max_distance >= 6) {
      EXPECT_GT(found, 300);  // the queries do hit
    }
  }
}

TEST(PrefilterTest, ConfigParsesAndNamesTheBadField) {
  auto c = PrefilterConfig::FromJson(R"({"enabled": true, "blurry": false, "image_distance": 4})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->enabled);
  EXPECT_FALSE(c->blurry);
  EXPECT_EQ(c->image_distance, 4);
  EXPECT_TRUE(c->duplicates);  // defaults kept
  auto round = PrefilterConfig::FromJson(c->ToJson());
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->ToJson(), c->ToJson());
  EXPECT_FALSE(PrefilterConfig::FromJson("")->enabled);

  auto bad = PrefilterConfig::FromJson(R"({"blury": true})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'blury'"), std::string::npos);
  EXPECT_NE(bad.status().message().find("blur_threshold"), std::string::npos);
  bad = PrefilterConfig::FromJson(R"({"image_distance": 99})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("from 0 to 32"), std::string::npos);
  bad = PrefilterConfig::FromJson(R"({"enabled": "yes"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("true or false"), std::string::npos);
  EXPECT_FALSE(PrefilterConfig::FromJson("[1]").ok());
}

TEST(PrefilterTest, JudgesAnImportAgainstEarlierTasksAndItself) {
  PrefilterConfig config;
  config.enabled = true;
  std::vector<TaskHash> known = {{1, "content", ContentHash64("task one")},
                                 {2, "simhash", SimHash64("an earlier text about the weather in "
                                                          "the mountains this week")}};
  Prefilter filter(config, known);

  TaskEvidence dup{10, ContentHash64("task one"), {}, {}};
  PrefilterVerdict v = filter.Judge(dup);
  EXPECT_EQ(v.reason, "duplicate");
  EXPECT_EQ(v.detail, "duplicate of task 1");

  std::string text = "An earlier text about the weather in the mountains this week!";
  TaskEvidence near{11, ContentHash64(text), {}, {text}};
  v = filter.Judge(near);
  EXPECT_EQ(v.reason, "near_duplicate");
  EXPECT_NE(v.detail.find("task 2"), std::string::npos);

  TaskEvidence empty{12, ContentHash64("  "), {}, {"  "}};
  EXPECT_EQ(filter.Judge(empty).reason, "empty");

  cv::Mat tiny(8, 8, CV_8UC3, cv::Scalar(1, 2, 3));
  TaskEvidence small{13, 77, {MeasureImage(Encode(tiny, ".png"))}, {}};
  v = filter.Judge(small);
  EXPECT_EQ(v.reason, "unreadable");
  EXPECT_NE(v.detail.find("too small: 8x8"), std::string::npos);

  // A new task passes, and a copy of it later in the same import does not.
  std::string fresh = "A completely different sentence on trains, timetables and delays.";
  EXPECT_EQ(filter.Judge({14, ContentHash64(fresh), {}, {fresh}}).reason, "");
  v = filter.Judge({15, ContentHash64(fresh), {}, {fresh}});
  EXPECT_EQ(v.reason, "duplicate");
  EXPECT_EQ(v.detail, "duplicate of task 14");

  // Every judged task's hashes are handed back for storage.
  int contents = 0;
  for (const TaskHash& h : filter.new_hashes()) contents += h.kind == "content";
  EXPECT_EQ(contents, 6);

  // Disabled: nothing is flagged, hashes are still computed.
  Prefilter off(PrefilterConfig{}, known);
  EXPECT_EQ(off.Judge(dup).reason, "");
  EXPECT_EQ(off.new_hashes().size(), 1u);
}

}  // namespace
}  // namespace tessera
