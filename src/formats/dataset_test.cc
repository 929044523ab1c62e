// Unit tests of the dataset-format building blocks: registry and config fit,
// annotation selection, percent <-> pixel conversion, the zip writer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <map>
#include <sstream>

#include "src/formats/dataset_io.h"
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

using ::testing::HasSubstr;
using nlohmann::json;

constexpr char kBoxConfig[] = R"(<View><Image name="img" value="$image"/>
  <RectangleLabels name="box" toName="img"><Label value="cat"/><Label value="dog"/></RectangleLabels></View>)";
constexpr char kTextConfig[] = R"(<View><Labels name="ner" toName="text"><Label value="PER"/></Labels>
  <Text name="text" value="$text"/></View>)";

TEST(FormatRegistryTest, FindsByNameAndAlias) {
  ASSERT_NE(FindFormat("coco"), nullptr);
  EXPECT_EQ(FindFormat("coco")->name, "COCO");
  EXPECT_EQ(FindFormat("conll")->name, "CONLL2003");
  EXPECT_EQ(FindFormat("nope"), nullptr);
}

TEST(FormatRegistryTest, RefusesFormatsThatDoNotFitAndNamesThoseThatDo) {
  auto text = ParseLabelingConfig(kTextConfig);
  ASSERT_TRUE(text.ok());
  Status s = CheckFormatFits(*FindFormat("VOC"), **text);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("CONLL2003"));
  EXPECT_THAT(s.message(), ::testing::Not(HasSubstr("COCO,")));
  EXPECT_TRUE(CheckFormatFits(*FindFormat("CONLL2003"), **text).ok());
  auto image = ParseLabelingConfig(kBoxConfig);
  ASSERT_TRUE(image.ok());
  EXPECT_TRUE(CheckFormatFits(*FindFormat("VOC"), **image).ok());
  EXPECT_FALSE(CheckFormatFits(*FindFormat("CONLL2003"), **image).ok());
}

TEST(SelectAnnotationsTest, AllLatestGroundTruthSkipCancelled) {
  TaskBundle bundle;
  for (int idx = 0; idx < 4; ++idx) {
    Annotation a;
    a.id = idx + 1;
    a.updated_at = 100 - idx * 10;
    bundle.annotations.push_back(a);
  }
  bundle.annotations[0].was_cancelled = true;  // newest, but a skip
  bundle.annotations[2].ground_truth = true;
  EXPECT_EQ(Select(bundle, AnnotationSelection::kAll).size(), 3u);
  auto latest = Select(bundle, AnnotationSelection::kLatest);
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0]->id, 2);
  auto gt = Select(bundle, AnnotationSelection::kGroundTruth);
  ASSERT_EQ(gt.size(), 1u);
  EXPECT_EQ(gt[0]->id, 3);
}

TEST(LsRegionsTest, PercentPixelRoundTripWithinMicroPixel) {
  LsMapping mapping = LsMapping::FromConfig(kBoxConfig).value();
  Item item;
  item.width = 4000;
  item.height = 3001;
  Shape box;
  box.label = "cat";
  box.points = {1234.56789, 17.000001, 3999.999999, 3000.5};
  item.shapes.push_back(box);
  Tally tally;
  json result = ResultFromItem(item, mapping, tally);
  ASSERT_EQ(result.size(), 1u);
  TaskBundle bundle;
  bundle.task.id = 1;
  bundle.task.data = R"({"image":"x.jpg"})";
  Annotation annotation;
  annotation.result = result.dump();
  bundle.annotations.push_back(annotation);
  Item back = ItemFromTask(bundle, Select(bundle, AnnotationSelection::kAll), mapping, tally);
  ASSERT_EQ(back.shapes.size(), 1u);
  EXPECT_EQ(back.width, 4000);
  for (size_t idx = 0; idx < 4; ++idx) EXPECT_NEAR(back.shapes[0].points[idx], box.points[idx], 1e-6);
  EXPECT_TRUE(tally.empty());
}

TEST(LsRegionsTest, ReportsUnknownLabelsAndMissingControls) {
  LsMapping mapping = LsMapping::FromConfig(kBoxConfig).value();
  Item item;
  item.width = item.height = 10;
  Shape bird;
  bird.label = "bird";
  bird.points = {0, 0, 1, 1};
  Shape polygon;
  polygon.type = ShapeType::kPolygon;
  polygon.label = "cat";
  polygon.points = {0, 0, 1, 0, 1, 1};
  item.shapes = {bird, polygon};
  Tally tally;
  EXPECT_TRUE(ResultFromItem(item, mapping, tally).empty());
  EXPECT_THAT(tally.Lines(), ::testing::ElementsAre(HasSubstr("\"bird\""), HasSubstr("PolygonLabels")));
}

TEST(LsRegionsTest, HostileResultsAreSkippedNotFatal) {
  LsMapping mapping = LsMapping::FromConfig(kBoxConfig).value();
  TaskBundle bundle;
  bundle.task.data = "not json";
  for (const char* result :
       {"{}", "[1, null, \"x\"]", R"([{"type":"rectanglelabels","value":{"x":"1"}}])",
        R"([{"type":"rectanglelabels","original_width":10,"original_height":10,"value":{"x":1,"y":1,"width":1,"height":1,"rectanglelabels":[5]}}])",
        R"([{"type":"polygonlabels","original_width":10,"original_height":10,"value":{"points":[[1]],"polygonlabels":["cat"]}}])",
        R"([{"type":"keypointlabels","parentID":"x","original_width":1e308,"original_height":10,"value":{"x":1e308,"y":1,"keypointlabels":["cat"]}}])"}) {
    Annotation annotation;
    annotation.result = result;
    bundle.annotations = {annotation};
    Tally tally;
    (void)ItemFromTask(bundle, Select(bundle, AnnotationSelection::kAll), mapping, tally);
  }
}

TEST(DatasetHelpersTest, BaseNameAndNumbers) {
  EXPECT_EQ(BaseName("/data/upload/1/abc-a.jpg"), "abc-a.jpg");
  EXPECT_EQ(BaseName("/data/local-files/?d=images/train/a.jpg"), "a.jpg");
  EXPECT_EQ(BaseName("https://x.org/p/b.png?sig=1"), "b.png");
  EXPECT_EQ(Stem("dir/b.tar.png"), "b.tar");
  EXPECT_EQ(FormatNumber(2), "2");
  EXPECT_EQ(FormatNumber(0.1), "0.1");
  EXPECT_EQ(FormatNumber(-0.0), "0");
  EXPECT_EQ(std::stod(FormatNumber(1.0 / 3)), 1.0 / 3);
}

// Reads back a zip written by NewZipSink: entry names and inflated contents.
std::map<std::string, std::string> Unzip(const std::string& zip) {
  std::map<std::string, std::string> files;
  auto u16 = [&](size_t at) { return static_cast<uint32_t>(static_cast<unsigned char>(zip[at]) | static_cast<unsigned char>(zip[at + 1]) << 8); };
  auto u32 = [&](size_t at) { return u16(at) | u16(at + 2) << 16; };
  size_t eocd = zip.rfind(std::string("PK\x05\x06", 4));
  EXPECT_NE(eocd, std::string::npos);
  if (eocd == std::string::npos) return files;
  size_t count = u16(eocd + 10);
  size_t at = u32(eocd + 16);
  for (size_t entry = 0; entry < count; ++entry) {
    EXPECT_EQ(u32(at), 0x02014b50u);
    uint32_t crc = u32(at + 16), csize = u32(at + 20), size = u32(at + 24);
    size_t name_len = u16(at + 28), extra = u16(at + 30), comment = u16(at + 32);
    size_t local = u32(at + 42);
    std::string name = zip.substr(at + 46, name_len);
    size_t data = local + 30 + u16(local + 26) + u16(local + 28);
    std::string out(size, '\0');
    z_stream z{};
    inflateInit2(&z, -15);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zip.data() + data));
    z.avail_in = csize;
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = size;
    EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END) << name;
    inflateEnd(&z);
    EXPECT_EQ(crc32(0, reinterpret_cast<const Bytef*>(out.data()), size), crc) << name;
    files[name] = out;
    at += 46 + name_len + extra + comment;
  }
  return files;
}

TEST(ZipSinkTest, WritesReadableDeflatedEntries) {
  std::ostringstream out;
  auto zip = NewZipSink(out);
  std::string big(300000, 'a');
  for (size_t idx = 0; idx < big.size(); idx += 7) big[idx] = static_cast<char>('a' + idx % 26);
  ASSERT_TRUE(zip->BeginFile("a/one.txt").ok());
  ASSERT_TRUE(zip->Write("hello ").ok());
  ASSERT_TRUE(zip->Write("zip").ok());
  ASSERT_TRUE(zip->EndFile().ok());
  ASSERT_TRUE(zip->BeginFile("empty.txt").ok());
  ASSERT_TRUE(zip->EndFile().ok());
  ASSERT_TRUE(zip->BeginFile("big.txt").ok());
  ASSERT_TRUE(zip->Write(big).ok());
  ASSERT_TRUE(zip->EndFile().ok());
  ASSERT_TRUE(zip->Finish().ok());
  auto files = Unzip(out.str());
  EXPECT_EQ(files["a/one.txt"], "hello zip");
  EXPECT_EQ(files["empty.txt"], "");
  EXPECT_EQ(files["big.txt"], big);
  EXPECT_LT(out.str().size(), big.size());
}

TEST(ZipSinkTest, RefusesUnsafePaths) {
  std::ostringstream out;
  auto zip = NewZipSink(out);
  for (const char* path : {"../x", "/abs", "a/../b", "", "a//b", "c:\\x"}) {
    EXPECT_FALSE(zip->BeginFile(path).ok()) << path;
  }
}

}  // namespace
}  // namespace tessera::formats
