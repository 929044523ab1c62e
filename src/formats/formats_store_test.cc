// Import and export against the real SQLite store: an aborted import leaves
// nothing behind, and Label Studio conformance exports survive a round trip.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tessera/export.h"
#include "tessera/import.h"
#include "src/formats/sqlite_fixture_for_test.h"
#include "tessera/store.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using nlohmann::json;

class FormatsStoreTest : public SqliteStoreTest {
 protected:
  FormatsStoreTest() : SqliteStoreTest("importer") {}

  Id NewProject() {
    Project project;
    project.title = "formats test";
    project.created_by = user_id_;
    EXPECT_TRUE(store_->CreateProject(&project).ok());
    return project.id;
  }
  int64_t CountTasks(Id project_id) {
    TaskQuery query;
    query.project_id = project_id;
    auto count = store_->CountTasks(query);
    EXPECT_TRUE(count.ok()) << count.status().ToString();
    return count.ok() ? *count : -1;
  }
};

std::string Lines(int count) {
  std::string out;
  for (int line_idx = 0; line_idx < count; ++line_idx) {
    out += "{\"data\": {\"text\": \"t" + std::to_string(line_idx) +
           "\"}, \"annotations\": [{\"result\": []}], \"predictions\": [{\"result\": []}]}\n";
  }
  return out;
}

TEST_F(FormatsStoreTest, ImportCommitsTasksWithNestedItems) {
  Id project_id = NewProject();
  std::string input = Lines(25);
  ImportOptions options;
  options.parse.batch_size = 10;
  auto report = ImportTasks(*store_, project_id, user_id_,
                            ImportSource::Buffer(input, ImportFormat::kJsonl), options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(CountTasks(project_id), 25);
  auto record = store_->GetImport(report->import_id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->status, "completed");
  EXPECT_EQ(record->task_count, 25);
  EXPECT_EQ(record->annotation_count, 25);
  EXPECT_EQ(record->prediction_count, 25);
}

TEST_F(FormatsStoreTest, FailedImportLeavesNothing) {
  Id project_id = NewProject();
  std::string input = Lines(25) + "{\"data\": 5}\n";
  ImportOptions options;
  options.parse.batch_size = 10;
  options.validate_first = false;  // two batches are inserted before the error
  auto report = ImportTasks(*store_, project_id, user_id_,
                            ImportSource::Buffer(input, ImportFormat::kJsonl), options);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("line 26: \"data\" must be an object"));
  EXPECT_EQ(CountTasks(project_id), 0);
  auto stats = store_->GetProjectStats(project_id);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->total_annotations_number, 0);
  EXPECT_EQ(stats->total_predictions_number, 0);
}

TEST_F(FormatsStoreTest, LabelStudioConformanceRoundTrip) {
  fs::path root = "../shared/conformance/label-studio";
  if (!fs::is_directory(root)) GTEST_SKIP() << "no conformance files at " << root;
  int files = 0;
  for (const auto& project_dir : fs::directory_iterator(root)) {
    std::vector<fs::path> inputs;
    if (fs::exists(project_dir.path() / "tasks.json")) inputs.push_back(project_dir.path() / "tasks.json");
    if (fs::is_directory(project_dir.path() / "annotations")) {
      for (const auto& file : fs::directory_iterator(project_dir.path() / "annotations")) {
        inputs.push_back(file.path());
      }
    }
    for (const fs::path& input : inputs) {
      SCOPED_TRACE(input.string());
      ++files;
      std::ifstream file(input);
      json original = json::parse(file);
      if (original.is_object()) original = json::array({original});
      Id project_id = NewProject();
      auto report = ImportTasks(*store_, project_id, user_id_,
                                ImportSource::File(input.string(), ImportFormat::kJson), {});
      ASSERT_TRUE(report.ok()) << report.status().ToString();
      std::ostringstream out;
      ExportOptions export_options;
      export_options.download_all_tasks = true;
      ASSERT_TRUE(ExportLsJson(*store_, project_id, out, export_options).ok());
      json exported = json::parse(out.str());
      ASSERT_EQ(exported.size(), original.size());
      for (size_t task_idx = 0; task_idx < original.size(); ++task_idx) {
        const json& before = original[task_idx];
        const json& after = exported[task_idx];
        if (!before.contains("data")) {  // not a task: imported whole as data
          EXPECT_EQ(after["data"], before);
          continue;
        }
        EXPECT_EQ(after["data"], before["data"]);
        json annotations = before.value("annotations", json::array());
        json predictions = before.value("predictions", json::array());
        ASSERT_EQ(after["annotations"].size(), annotations.size());
        ASSERT_EQ(after["predictions"].size(), predictions.size());
        for (size_t ann_idx = 0; ann_idx < annotations.size(); ++ann_idx) {
          EXPECT_EQ(after["annotations"][ann_idx]["result"], annotations[ann_idx]["result"]);
        }
        for (size_t pred_idx = 0; pred_idx < predictions.size(); ++pred_idx) {
          EXPECT_EQ(after["predictions"][pred_idx]["result"], predictions[pred_idx]["result"]);
        }
        EXPECT_EQ(after["total_annotations"], annotations.size());
        EXPECT_EQ(after["total_predictions"], predictions.size());
      }
    }
  }
  EXPECT_GT(files, 10);
}

}  // namespace
}  // namespace tessera
