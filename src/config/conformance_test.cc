// Real Label Studio data must pass: every config under
// ../shared/conformance/label-studio parses, and every annotation and
// prediction result stored beside it validates.
#include <gtest/gtest.h>

#include "src/config/test_files.h"
#include "tessera/config.h"

namespace tessera {
namespace {

using config_test::ReadFile;
using nlohmann::json;

const char kConformanceDir[] = "../shared/conformance/label-studio";

std::vector<std::filesystem::path> ProjectDirs() {
  std::vector<std::filesystem::path> dirs;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(kConformanceDir, ec)) {
    if (std::filesystem::exists(entry.path() / "config.xml")) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// Appends every result (annotations and predictions) of one task.
void CollectResults(const json& task, const std::string& where, std::vector<std::pair<std::string, json>>* out) {
  if (!task.is_object()) return;
  for (const char* kind : {"annotations", "predictions"}) {
    auto list = task.find(kind);
    if (list == task.end() || !list->is_array()) continue;
    for (size_t idx = 0; idx < list->size(); ++idx) {
      const json& item = (*list)[idx];
      if (item.is_object() && item.contains("result")) {
        out->emplace_back(where + " " + kind + "[" + std::to_string(idx) + "]", item["result"]);
      }
    }
  }
}

class ConformanceTest : public testing::TestWithParam<std::filesystem::path> {};

TEST_P(ConformanceTest, ConfigParsesAndResultsValidate) {
  const std::filesystem::path dir = GetParam();
  auto config = ParseLabelingConfig(ReadFile(dir / "config.xml"));
  ASSERT_TRUE(config.ok()) << config.status().message();

  std::vector<std::pair<std::string, json>> results;
  if (std::filesystem::exists(dir / "tasks.json")) {
    json tasks = json::parse(ReadFile(dir / "tasks.json"), nullptr, false);
    ASSERT_FALSE(tasks.is_discarded());
    if (tasks.is_array()) {
      for (size_t idx = 0; idx < tasks.size(); ++idx) {
        CollectResults(tasks[idx], "tasks.json[" + std::to_string(idx) + "]", &results);
      }
    }
  }
  for (const auto& path : config_test::FilesIn(dir / "annotations", ".json")) {
    json task = json::parse(ReadFile(path), nullptr, false);
    ASSERT_FALSE(task.is_discarded()) << path;
    CollectResults(task, path.filename().string(), &results);
  }
  for (const auto& [where, result] : results) {
    Status status = ValidateResult(**config, result);
    EXPECT_TRUE(status.ok()) << dir.filename() << " " << where << ": " << status.message();
  }
}

INSTANTIATE_TEST_SUITE_P(LabelStudio, ConformanceTest, testing::ValuesIn(ProjectDirs()),
                         [](const auto& info) { return config_test::TestName(info.param.filename()); });

TEST(Conformance, FolderIsThere) { EXPECT_GE(ProjectDirs().size(), 10u) << "expected " << kConformanceDir; }

}  // namespace
}  // namespace tessera
