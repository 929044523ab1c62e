// Data-driven result validation: each tests/testdata/results/*.json names a
// config and lists cases {name, result, error}; error "" means valid,
// otherwise it is the exact message ValidateResult must return.
#include <gtest/gtest.h>

#include "src/config/test_files.h"
#include "tessera/config.h"

namespace tessera {
namespace {

using config_test::FilesIn;
using config_test::ReadFile;
using nlohmann::json;

const char kResultsDir[] = "tests/testdata/results";

class ResultCasesTest : public testing::TestWithParam<std::filesystem::path> {};

TEST_P(ResultCasesTest, MatchExpectations) {
  json file = json::parse(ReadFile(GetParam()), nullptr, false);
  ASSERT_TRUE(file.is_object()) << GetParam();
  auto config = ParseLabelingConfig(ReadFile(file.value("config", "")));
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_TRUE(file["cases"].is_array());
  for (const json& test_case : file["cases"]) {
    const std::string name = test_case.value("name", "?");
    const std::string expected = test_case.value("error", "");
    Status status = ValidateResult(**config, test_case["result"]);
    if (expected.empty()) {
      EXPECT_TRUE(status.ok()) << name << ": " << status.message();
    } else {
      EXPECT_EQ(status.code(), Code::kInvalidArgument) << name;
      EXPECT_EQ(status.message(), expected) << name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Results, ResultCasesTest, testing::ValuesIn(FilesIn(kResultsDir, ".json")),
                         [](const auto& info) { return config_test::TestName(info.param); });

TEST(ResultCases, FolderIsNotEmpty) { EXPECT_GE(FilesIn(kResultsDir, ".json").size(), 5u); }

TEST(ValidateResult, NeverThrowsOnOddJson) {
  auto config = ParseLabelingConfig(ReadFile("tests/testdata/configs/valid/image_shapes.xml"));
  ASSERT_TRUE(config.ok());
  const char* odd[] = {
      R"(null)", R"([null])", R"([{"type": 5}])", R"([{"type": "relation"}])",
      R"([{"type": "relation", "from_id": {}, "to_id": []}])",
      R"([{"from_name": "boxes", "to_name": "photo", "type": "rectanglelabels", "value": {"x": "1"}}])",
      R"([{"from_name": "boxes", "to_name": "photo", "type": "rectanglelabels", "value": {"x": 1e308, "y": -1e308, "width": 1, "height": 1, "rectanglelabels": [[]]}}])",
      R"([{"from_name": "areas", "to_name": "photo", "type": "polygon", "value": {"points": [[1e400, 1]]}}])",
      R"([{"from_name": [], "to_name": {}, "type": "x"}])",
      R"([{"from_name": "masks", "to_name": "photo", "type": "brushlabels", "value": {"rle": "abc", "brushlabels": ["Puddle"]}}])",
  };
  for (const char* text : odd) {
    json result = json::parse(text, nullptr, false);
    Status status = ValidateResult(**config, result);
    EXPECT_FALSE(status.ok()) << text;
    EXPECT_EQ(status.code(), Code::kInvalidArgument) << text << ": " << status.message();
  }
}

}  // namespace
}  // namespace tessera
