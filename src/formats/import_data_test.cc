// Data-driven import tests: every tests/testdata/import/<name>.<ext> is parsed
// as the format its extension names, and checked against <name>.expected:
//   error: <text the error message must contain>
// or lines of
//   tasks: N / annotations: N / predictions: N / columns: a,b / data: {...}
// where each "data:" line is the next task's data, in order.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tessera/import.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(ImportDataTest, TestdataCases) {
  fs::path dir = "tests/testdata/import";
  ASSERT_TRUE(fs::is_directory(dir)) << "run from the repository root";
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    fs::path input = entry.path();
    if (input.extension() == ".expected" || input.extension() == ".md") continue;
    fs::path expected_path = input;
    expected_path.replace_extension(".expected");
    ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path;
    SCOPED_TRACE(input.string());
    ++cases;
    auto format = FormatFromFileName(input.filename().string());
    ASSERT_TRUE(format.ok()) << format.status().ToString();
    std::vector<NewTask> tasks;
    auto result = ParseTasks(ImportSource::File(input.string(), *format), {},
                             [&](std::span<const NewTask> batch) {
                               tasks.insert(tasks.end(), batch.begin(), batch.end());
                               return Status::Ok();
                             });
    std::istringstream expected(ReadAll(expected_path));
    std::string line;
    size_t data_idx = 0;
    bool expect_error = false;
    while (std::getline(expected, line)) {
      if (line.empty() || line[0] == '#') continue;
      size_t colon = line.find(": ");
      ASSERT_NE(colon, std::string::npos) << line;
      std::string key = line.substr(0, colon), value = line.substr(colon + 2);
      if (key == "error") {
        expect_error = true;
        ASSERT_FALSE(result.ok()) << "expected an error containing: " << value;
        EXPECT_NE(result.status().message().find(value), std::string::npos)
            << result.status().message();
        continue;
      }
      ASSERT_TRUE(result.ok()) << result.status().ToString();
      if (key == "tasks") {
        EXPECT_EQ(std::to_string(result->task_count), value);
      }
      if (key == "annotations") {
        EXPECT_EQ(std::to_string(result->annotation_count), value);
      }
      if (key == "predictions") {
        EXPECT_EQ(std::to_string(result->prediction_count), value);
      }
      if (key == "columns") {
        std::string joined;
        for (const auto& column : result->data_columns) joined += (joined.empty() ? "" : ",") + column;
        EXPECT_EQ(joined, value);
      }
      if (key == "data") {
        ASSERT_LT(data_idx, tasks.size());
        EXPECT_EQ(tasks[data_idx++].data, value);
      }
    }
    if (!expect_error) {
      EXPECT_TRUE(result.ok()) << result.status().ToString();
    }
  }
  EXPECT_GT(cases, 5);
}

}  // namespace
}  // namespace tessera
