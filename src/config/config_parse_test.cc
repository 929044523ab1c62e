// Data-driven parser tests:
//   tests/testdata/configs/valid/*.xml    must parse;
//   tests/testdata/configs/invalid/*.xml  must fail with exactly the errors in
//                                         the matching .expected file, one per
//                                         line, the first being the message.
#include <gtest/gtest.h>

#include "src/config/test_files.h"
#include "tessera/config.h"

namespace tessera {
namespace {

using config_test::FilesIn;
using config_test::ReadFile;
using config_test::TestName;

const char kValidDir[] = "tests/testdata/configs/valid";
const char kInvalidDir[] = "tests/testdata/configs/invalid";

class ValidConfigTest : public testing::TestWithParam<std::filesystem::path> {};

TEST_P(ValidConfigTest, Parses) {
  auto config = ParseLabelingConfig(ReadFile(GetParam()));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_FALSE((*config)->controls().empty());
}

INSTANTIATE_TEST_SUITE_P(Configs, ValidConfigTest, testing::ValuesIn(FilesIn(kValidDir, ".xml")),
                         [](const auto& info) { return TestName(info.param); });

class InvalidConfigTest : public testing::TestWithParam<std::filesystem::path> {};

TEST_P(InvalidConfigTest, FailsWithExpectedErrors) {
  std::filesystem::path expected_path = GetParam();
  expected_path.replace_extension(".expected");
  ASSERT_TRUE(std::filesystem::exists(expected_path)) << expected_path;
  std::vector<std::string> expected;
  std::istringstream lines(ReadFile(expected_path));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) expected.push_back(line);
  }
  ASSERT_FALSE(expected.empty());

  auto config = ParseLabelingConfig(ReadFile(GetParam()));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(config.status().message(), expected.front());
  std::vector<std::string> actual;
  for (const FieldError& error : config.status().field_errors()) {
    EXPECT_EQ(error.field, "label_config");
    actual.push_back(error.message);
  }
  EXPECT_EQ(actual, expected);
}

INSTANTIATE_TEST_SUITE_P(Configs, InvalidConfigTest, testing::ValuesIn(FilesIn(kInvalidDir, ".xml")),
                         [](const auto& info) { return TestName(info.param); });

TEST(ConfigFolders, AreNotEmpty) {
  EXPECT_GE(FilesIn(kValidDir, ".xml").size(), 10u);
  EXPECT_GE(FilesIn(kInvalidDir, ".xml").size(), 15u);
}

TEST(ParseLabelingConfig, SurvivesHostileInput) {
  std::string deep;
  for (int level = 0; level < 5000; ++level) deep += "<View>";
  for (int level = 0; level < 5000; ++level) deep += "</View>";
  auto config = ParseLabelingConfig(deep);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("nested more than"), std::string::npos);

  EXPECT_FALSE(ParseLabelingConfig("").ok());
  EXPECT_FALSE(ParseLabelingConfig(std::string("<View>\0</View>", 14)).ok());
  EXPECT_FALSE(ParseLabelingConfig("<View><Choices name='c' toName='c'><Choice/></Choices></View>").ok());
  EXPECT_FALSE(ParseLabelingConfig("<View><Repeater on='$x' indexFlag=''><Image name='' value=''/></Repeater></View>").ok());
}

TEST(ParseLabelingConfig, BuildsTypedSchema) {
  auto config = ParseLabelingConfig(ReadFile(std::string(kValidDir) + "/classification.xml"));
  ASSERT_TRUE(config.ok()) << config.status().message();
  const ControlTag* mood = (*config)->FindControl("mood");
  ASSERT_NE(mood, nullptr);
  EXPECT_EQ(mood->type, ControlType::kChoices);
  EXPECT_EQ(mood->choice, ChoiceMode::kSingleRadio);
  EXPECT_TRUE(mood->required);
  EXPECT_EQ(mood->to_names, std::vector<std::string>{"review"});
  ASSERT_EQ(mood->options.size(), 2u);
  EXPECT_EQ(mood->options[0].value, "Happy");
  EXPECT_EQ(mood->options[0].hotkey, "1");
  EXPECT_EQ(mood->result_type(), "choices");

  const ControlTag* stars = (*config)->FindControl("stars");
  ASSERT_NE(stars, nullptr);
  EXPECT_EQ(stars->max_rating, 10);
  EXPECT_EQ(stars->visibility.visible_when, "choice-selected");  // from the enclosing View
  EXPECT_EQ(stars->visibility.when_tag_name, "mood");

  const ControlTag* refund = (*config)->FindControl("refund");
  ASSERT_NE(refund, nullptr);
  EXPECT_EQ(refund->min, 0);
  EXPECT_EQ(refund->max, 500);

  const ControlTag* catalog = (*config)->FindControl("catalog");
  ASSERT_NE(catalog, nullptr);
  ASSERT_EQ(catalog->options.size(), 4u);
  EXPECT_EQ(catalog->options[2].path, (std::vector<std::string>{"Home", "Garden"}));
  EXPECT_EQ(catalog->options[2].ResultValue(), "garden");

  const ObjectTag* review = (*config)->FindObject("review");
  ASSERT_NE(review, nullptr);
  EXPECT_EQ(review->type, ObjectType::kText);
  EXPECT_EQ(review->data_key, "review");
  EXPECT_EQ((*config)->FindObject("mood"), nullptr);
}

TEST(ParseLabelingConfig, AcceptsTagsInAnyCase) {
  auto config = ParseLabelingConfig(ReadFile(std::string(kValidDir) + "/lowercase_tags.xml"));
  ASSERT_TRUE(config.ok()) << config.status().message();
  const ControlTag* kind = (*config)->FindControl("kind");
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(kind->type, ControlType::kChoices);
  EXPECT_EQ(kind->xml_tag, "choices");
  EXPECT_EQ(kind->to_names, std::vector<std::string>{"pic"});
}

TEST(ParseLabelingConfig, ResultTypesFollowLabelStudio) {
  EXPECT_EQ(ResultType(ControlType::kRectangleLabels), "rectanglelabels");
  EXPECT_EQ(ResultType(ControlType::kRelations), "relation");
  EXPECT_EQ(ResultType(ControlType::kVideoRectangle), "videorectangle");
  EXPECT_EQ(TagName(ObjectType::kAudio), "Audio");
  ControlTag boxes;
  boxes.type = ControlType::kRectangleLabels;
  EXPECT_TRUE(boxes.AcceptsResultType("Rectangle"));
  EXPECT_TRUE(boxes.AcceptsResultType("rectanglelabels"));
  EXPECT_FALSE(boxes.AcceptsResultType("polygonlabels"));
}

}  // namespace
}  // namespace tessera
