// The two mask encodings: Label Studio's brush RLE (bit vectors derived by
// hand from the documented layout) and COCO's RLE (pycocotools' conventions).
#include "src/formats/brush_rle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "src/formats/ls_regions.h"
#include "src/formats/selection.h"

namespace tessera::formats {
namespace {

// SelectAnnotations for selections other than kConsensus (whose merged
// annotation would live in the local storage here).
std::vector<const Annotation*> Select(const TaskBundle& bundle, AnnotationSelection selection) {
  std::optional<Annotation> consensus;
  Tally skipped;
  return SelectAnnotations(bundle, selection, consensus, skipped);
}

using nlohmann::json;

std::vector<uint8_t> RandomMask(std::mt19937& rng, int64_t w, int64_t h, int blobs) {
  std::vector<uint8_t> mask(static_cast<size_t>(w * h));
  // Blobs of runs plus some lone pixels, so both repeats and literals occur.
  for (int b = 0; b < blobs; ++b) {
    int64_t x0 = rng() % w, y0 = rng() % h, bw = 1 + rng() % w, bh = 1 + rng() % h;
    for (int64_t y = y0; y < std::min(h, y0 + bh); ++y) {
      for (int64_t x = x0; x < std::min(w, x0 + bw); ++x) mask[static_cast<size_t>(y * w + x)] = 255;
    }
  }
  for (int k = 0; k < 20; ++k) mask[rng() % mask.size()] = static_cast<uint8_t>(rng() % 256);
  return mask;
}

TEST(BrushRleTest, DecodesHandDerivedVectors) {
  // 1x2 RGBA image, a transparent pixel then opaque white: header (count 8,
  // word size 8, run fields 3/4/8/16 bits), then "1 00 011 00000000" (four
  // zeros) and "1 00 011 11111111" (four 255s), zero-padded to a byte.
  const std::vector<uint8_t> two_pixels = {0, 0, 0, 8, 57, 27, 252, 96, 17, 255, 128};
  auto words = DecodeLsRle(two_pixels, 100);
  ASSERT_TRUE(words.ok()) << words.status().ToString();
  EXPECT_THAT(*words, ::testing::ElementsAre(0, 0, 0, 0, 255, 255, 255, 255));
  auto mask = MaskFromLsRle(json(two_pixels), 2, 1);
  ASSERT_TRUE(mask.ok()) << mask.status().ToString();
  EXPECT_THAT(*mask, ::testing::ElementsAre(0, 255));
  // label-studio-converter's encoder writes a lone value as a literal run of
  // one ("0 00 000" + value) and pads a byte-aligned stream with a zero byte:
  // words 1, 2, 2, 2.
  const std::vector<uint8_t> converter_style = {0, 0, 0, 4, 57, 27, 248, 0, 49, 1, 0};
  auto words2 = DecodeLsRle(converter_style, 100);
  ASSERT_TRUE(words2.ok()) << words2.status().ToString();
  EXPECT_THAT(*words2, ::testing::ElementsAre(1, 2, 2, 2));
}

TEST(BrushRleTest, EncodesTheDocumentedBits) {
  EXPECT_THAT(EncodeLsRle(std::vector<uint8_t>{0, 0, 0, 0, 255, 255, 255, 255}),
              ::testing::ElementsAre(0, 0, 0, 8, 57, 27, 252, 96, 17, 255, 128));
  // A literal run of three (class 0: 3-bit field "010") and a repeat of 20
  // (class 2: 8-bit field 19).
  std::vector<uint8_t> words = {5, 6, 7};
  words.insert(words.end(), 20, 9);
  std::vector<uint8_t> packed = EncodeLsRle(words);
  EXPECT_THAT(packed, ::testing::ElementsAre(0, 0, 0, 23, 57, 27, 248, 64, 160, 192, 248, 76, 36));
  auto header = ReadLsRleHeader(packed);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->words, 23u);
  EXPECT_EQ(header->word_size, 8);
  EXPECT_THAT(header->run_bits, ::testing::ElementsAre(3, 4, 8, 16));
}

TEST(BrushRleTest, RoundTripsRandomMasksOfOddSizes) {
  std::mt19937 rng(7);
  for (auto [w, h] : {std::pair<int64_t, int64_t>{1, 1}, {3, 5}, {17, 9}, {101, 33}, {257, 3}, {640, 1}}) {
    for (int blobs : {0, 1, 4}) {
      std::vector<uint8_t> mask = RandomMask(rng, w, h, blobs);
      json rle = LsRleFromMask(mask);
      auto header = ReadLsRleHeader(rle.get<std::vector<uint8_t>>());
      ASSERT_TRUE(header.ok());
      EXPECT_EQ(header->words, static_cast<uint32_t>(w * h * 4));
      auto back = MaskFromLsRle(rle, w, h);
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_EQ(*back, mask) << w << "x" << h;
    }
  }
  // A run longer than one 16-bit field (65536 words) is split.
  std::vector<uint8_t> big(300 * 300, 255);
  auto back = MaskFromLsRle(LsRleFromMask(big), 300, 300);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, big);
}

TEST(BrushRleTest, RefusesBrokenStreams) {
  std::vector<uint8_t> good = EncodeLsRle(std::vector<uint8_t>(64, 3));
  std::vector<uint8_t> cut(good.begin(), good.end() - 1);
  EXPECT_FALSE(DecodeLsRle(cut, 1000).ok());
  EXPECT_FALSE(DecodeLsRle(std::vector<uint8_t>{1, 2, 3}, 1000).ok());
  EXPECT_FALSE(DecodeLsRle(good, 10).ok());  // declares 64 > 10
  auto wrong_size = MaskFromLsRle(json(good), 5, 5);  // 64 words, 5x5x4 = 100
  EXPECT_EQ(wrong_size.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(wrong_size.status().message(), ::testing::HasSubstr("100"));
  EXPECT_FALSE(MaskFromLsRle(json::array({1, 300, 2}), 1, 1).ok());
  EXPECT_FALSE(MaskFromLsRle(json("abc"), 1, 1).ok());
  // A run past the declared count: count 4, then a repeat of 8.
  std::vector<uint8_t> over = EncodeLsRle(std::vector<uint8_t>(8, 1));
  over[3] = 4;
  EXPECT_FALSE(DecodeLsRle(over, 100).ok());
}

TEST(CocoRleTest, ColumnMajorCountsStartWithZeros) {
  // 3 wide, 2 high; set: (0,0), (0,1), (2,1). Column-major order:
  // (0,0) (0,1) | (1,0) (1,1) | (2,0) (2,1) -> 1 1 0 0 0 1.
  std::vector<uint8_t> mask = {1, 0, 0,
                               1, 0, 1};
  EXPECT_THAT(CocoCountsFromMask(mask, 3, 2), ::testing::ElementsAre(0, 2, 3, 1));
  auto back = MaskFromCocoCounts({0, 2, 3, 1}, 3, 2);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, mask);
  EXPECT_EQ(MaskArea(mask), 3);
  EXPECT_THAT(MaskBbox(mask, 3, 2), ::testing::ElementsAre(0, 0, 3, 2));
  EXPECT_THAT(MaskBbox(std::vector<uint8_t>(6), 3, 2), ::testing::ElementsAre(0, 0, 0, 0));
  EXPECT_FALSE(MaskFromCocoCounts({0, 2, 3}, 3, 2).ok());  // sums to 5, not 6
}

TEST(CocoRleTest, CompressedStringsAsPycocotoolsWritesThem) {
  // [0, 20, 30]: '0'; 20 = 0b10100 -> 0x14|0x20 + 48 'd', then '0'; 30 -> 'n' '0'.
  // The fourth count is written as the difference with the second: 10 - 20 =
  // -10 -> low 5 bits 0x16 with the sign bit set, no continuation -> 'F'.
  EXPECT_EQ(CocoCountsToString({0, 20, 30}), "0d0n0");
  EXPECT_EQ(CocoCountsToString({0, 20, 30, 10}), "0d0n0F");
  auto counts = CocoCountsFromString("0d0n0F");
  ASSERT_TRUE(counts.ok());
  EXPECT_THAT(*counts, ::testing::ElementsAre(0, 20, 30, 10));
  std::mt19937 rng(3);
  for (int round = 0; round < 50; ++round) {
    std::vector<uint32_t> random;
    for (int k = 0; k < 40; ++k) random.push_back(rng() % (round < 25 ? 40 : 5000000));
    auto decoded = CocoCountsFromString(CocoCountsToString(random));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, random);
  }
  EXPECT_FALSE(CocoCountsFromString("0d").ok());   // ends inside a count
  EXPECT_FALSE(CocoCountsFromString("0 ").ok());   // outside '0'..'o'
  EXPECT_FALSE(CocoCountsFromString("0000F").ok());  // 0 - 10: negative
}

TEST(CocoRleTest, SegmentationObjectsWithListOrString) {
  json list = {{"size", {10, 5}}, {"counts", {0, 20, 30}}};
  json text = {{"size", {10, 5}}, {"counts", "0d0n0"}};
  auto a = MaskFromCocoSegmentation(list, 5, 10);
  auto b = MaskFromCocoSegmentation(text, 5, 10);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(MaskArea(*a), 20);  // the first two columns
  EXPECT_THAT(MaskBbox(*a, 5, 10), ::testing::ElementsAre(0, 0, 2, 10));
  EXPECT_FALSE(MaskFromCocoSegmentation(list, 10, 5).ok());  // size is [h, w]
  EXPECT_FALSE(MaskFromCocoSegmentation(json{{"counts", {1}}}, 5, 10).ok());
}

TEST(BrushRleTest, BrushResultsBecomeMasksAndBack) {
  constexpr char kConfig[] = R"(<View><Image name="img" value="$image"/>
    <BrushLabels name="brush" toName="img"><Label value="road"/><Label value="sky"/></BrushLabels></View>)";
  LsMapping mapping = LsMapping::FromConfig(kConfig).value();
  ASSERT_NE(mapping.brushes, nullptr);
  std::mt19937 rng(11);
  Item item;
  item.width = 13;
  item.height = 7;
  MaskRegion road;
  road.label = "road";
  road.pixels = RandomMask(rng, 13, 7, 2);
  item.masks.push_back(road);
  Tally tally;
  json result = ResultFromItem(item, mapping, tally);
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0]["type"], "brushlabels");
  EXPECT_EQ(result[0]["value"]["format"], "rle");
  EXPECT_EQ(result[0]["original_width"], 13);
  TaskBundle bundle;
  bundle.task.id = 4;
  bundle.task.data = R"({"image":"/data/upload/1/a.png"})";
  Annotation annotation;
  annotation.id = 9;
  annotation.result = result.dump();
  bundle.annotations.push_back(annotation);
  Item back = ItemFromTask(bundle, Select(bundle, AnnotationSelection::kAll), mapping, tally);
  ASSERT_EQ(back.masks.size(), 1u);
  EXPECT_EQ(back.masks[0].pixels, road.pixels);
  EXPECT_EQ(back.masks[0].label, "road");
  EXPECT_EQ(back.masks[0].annotation_id, 9);
  EXPECT_EQ(back.width, 13);
  EXPECT_TRUE(tally.empty());
  // A broken rle is counted, not fatal.
  result[0]["value"]["rle"] = json::array({0, 0, 0, 1});
  bundle.annotations[0].result = result.dump();
  Item broken = ItemFromTask(bundle, Select(bundle, AnnotationSelection::kAll), mapping, tally);
  EXPECT_TRUE(broken.masks.empty());
  EXPECT_THAT(tally.Lines(), ::testing::ElementsAre(::testing::HasSubstr("malformed rle")));
}

}  // namespace
}  // namespace tessera::formats
