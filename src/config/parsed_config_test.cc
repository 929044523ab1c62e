// ParsedLabelConfig (LS's parsed_label_config shape) and DataKeys.
#include <gtest/gtest.h>

#include "src/config/test_files.h"
#include "tessera/config.h"

namespace tessera {
namespace {

using config_test::ReadFile;
using nlohmann::json;

std::shared_ptr<const LabelingConfig> Parse(const std::string& path) {
  auto config = ParseLabelingConfig(ReadFile(path));
  EXPECT_TRUE(config.ok()) << path << ": " << config.status().message();
  return config.ok() ? *config : nullptr;
}

TEST(ParsedLabelConfig, MatchesLabelStudioShape) {
  auto config = Parse("../shared/conformance/label-studio/image_bbox/config.xml");
  ASSERT_NE(config, nullptr);
  const json expected = json::parse(R"({
    "tag": {
      "type": "RectangleLabels",
      "to_name": ["img"],
      "inputs": [{"type": "Image", "value": "image"}],
      "labels": ["Planet", "Moonwalker"],
      "labels_attrs": {
        "Planet": {"value": "Planet"},
        "Moonwalker": {"value": "Moonwalker", "background": "blue"}
      }
    }
  })");
  EXPECT_EQ(ParsedLabelConfig(*config), expected) << ParsedLabelConfig(*config).dump(2);
}

TEST(ParsedLabelConfig, AliasesDynamicLabelsAndConditionals) {
  auto config = ParseLabelingConfig(R"(<View>
    <Image name="img" value="$image" valueType="url"/>
    <Choices name="kind" toName="img" value="$kinds"/>
    <RectangleLabels name="box" toName="img">
      <Label value="Bicycle" alias="bike"/>
    </RectangleLabels>
    <TextArea name="note" toName="img" perRegion="true" whenLabelValue="bike"/>
    <Relations><Relation value="near"/></Relations>
  </View>)");
  ASSERT_TRUE(config.ok()) << config.status().message();
  const json parsed = ParsedLabelConfig(**config);
  EXPECT_EQ(parsed["kind"]["dynamic_labels"], true);
  EXPECT_EQ(parsed["kind"]["labels"], json::array());
  EXPECT_EQ(parsed["box"]["labels"], json({"bike"}));
  EXPECT_EQ(parsed["box"]["labels_attrs"]["bike"]["value"], "Bicycle");
  EXPECT_EQ(parsed["box"]["inputs"][0], json({{"type", "Image"}, {"value", "image"}, {"valueType", "url"}}));
  EXPECT_EQ(parsed["note"]["conditionals"], json({{"type", "label"}, {"name", "bike"}}));
  EXPECT_FALSE(parsed.contains("note") && parsed["note"].contains("dynamic_labels"));
  EXPECT_EQ(parsed.size(), 3u);  // the unnamed <Relations> is not listed, as in LS
}

TEST(ParsedLabelConfig, RepeaterTargetsGetRegex) {
  auto config = Parse("tests/testdata/configs/valid/repeater.xml");
  ASSERT_NE(config, nullptr);
  const json parsed = ParsedLabelConfig(*config);
  EXPECT_EQ(parsed["boxes_{{n}}"]["regex"], json({{"{{n}}", ".*"}}));
  EXPECT_EQ(parsed["boxes_{{n}}"]["inputs"][0]["value"], "pages[{{n}}].scan");
}

TEST(DataKeys, DocumentOrderUnique) {
  struct Case {
    const char* path;
    std::vector<std::string> keys;
  };
  const Case cases[] = {
      {"../shared/conformance/label-studio/image_bbox/config.xml", {"image"}},
      {"../shared/conformance/label-studio/sentiment_analysis/config.xml", {"reviewText"}},
      {"../shared/conformance/label-studio/audio_regions/config.xml", {"url"}},
      {"tests/testdata/configs/valid/ranking.xml", {"query", "hits", "answer_a", "answer_b", "facts"}},
      {"tests/testdata/configs/valid/repeater.xml", {"pages"}},
      {"tests/testdata/configs/valid/dynamic_options.xml", {"ticket", "queues", "glossary"}},
      {"tests/testdata/configs/valid/literal_values.xml", {"caption"}},
      {"tests/testdata/configs/valid/audio_video.xml", {"recording", "legacy_recording", "video"}},
  };
  for (const Case& test_case : cases) {
    auto config = Parse(test_case.path);
    ASSERT_NE(config, nullptr);
    EXPECT_EQ(DataKeys(*config), test_case.keys) << test_case.path;
  }
}

}  // namespace
}  // namespace tessera
