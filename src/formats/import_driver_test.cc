// ImportTasks and ExportLsJson against an in-memory store, including a round
// trip of the Label Studio conformance exports.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "src/formats/fake_store_for_test.h"
#include "tessera/export.h"
#include "tessera/import.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using nlohmann::json;

std::string ReadAll(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string Lines(int count) {
  std::string out;
  for (int line_idx = 0; line_idx < count; ++line_idx) {
    out += "{\"text\": \"t" + std::to_string(line_idx) + "\"}\n";
  }
  return out;
}

TEST(ImportTasksTest, InsertsInBatchesAndReports) {
  FakeStore store;
  std::string input = Lines(25);
  ImportOptions options;
  options.parse.batch_size = 10;
  options.return_task_ids = true;
  std::vector<int64_t> progress;
  options.progress = [&](int64_t done) { progress.push_back(done); };
  auto report = ImportTasks(store, 1, 2, ImportSource::Buffer(input, ImportFormat::kJsonl), options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->task_count, 25);
  EXPECT_EQ(report->task_ids.size(), 25u);
  EXPECT_THAT(report->data_columns, ElementsAre("text"));
  EXPECT_THAT(progress, ElementsAre(10, 20, 25));
  EXPECT_EQ(store.insert_calls, 3);
  EXPECT_EQ(store.bundles.size(), 25u);
  EXPECT_EQ(store.imports.at(report->import_id).status, "completed");
  EXPECT_EQ(store.imports.at(report->import_id).source, "api");
}

TEST(ImportTasksTest, ParseErrorAbortsAndLeavesNothing) {
  FakeStore store;
  std::string input = Lines(25) + "[1]\n";
  ImportOptions options;
  options.parse.batch_size = 10;
  options.validate_first = false;  // insert as we go, so the abort has work to undo
  auto report = ImportTasks(store, 1, 2, ImportSource::Buffer(input, ImportFormat::kJsonl), options);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("line 26: expected a JSON object"));
  EXPECT_EQ(store.insert_calls, 2);
  EXPECT_TRUE(store.bundles.empty());
  EXPECT_EQ(store.imports.at(1).status, "failed");
}

TEST(ImportTasksTest, StoreErrorAborts) {
  FakeStore store;
  store.fail_insert_after = 1;
  std::string input = Lines(25);
  ImportOptions options;
  options.parse.batch_size = 10;
  auto report = ImportTasks(store, 1, 2, ImportSource::Buffer(input, ImportFormat::kJsonl), options);
  EXPECT_EQ(report.status().code(), Code::kIOError);
  EXPECT_TRUE(store.bundles.empty());
}

TEST(ImportTasksTest, ValidateFirstWritesNothingOnLateError) {
  std::string path = ::testing::TempDir() + "/tessera_late_error.jsonl";
  {
    std::ofstream file(path, std::ios::binary);
    file << Lines(30000) << "{\"text\": \"bad\"\n";
  }
  FakeStore store;
  ImportOptions options;
  options.parse.batch_size = 1000;
  auto report = ImportTasks(store, 1, 2, ImportSource::File(path, ImportFormat::kJsonl), options);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("line 30001"));
  EXPECT_EQ(store.begin_calls, 0);
  EXPECT_EQ(store.insert_calls, 0);
  std::remove(path.c_str());
}

TEST(ImportTasksTest, ValidatorRunsOnce) {
  FakeStore store;
  std::string input = Lines(5);
  ImportOptions options;
  options.validate_first = true;
  int calls = 0;
  options.parse.validator = [&](const NewTask&, int64_t) {
    ++calls;
    return Status::Ok();
  };
  auto report = ImportTasks(store, 1, 2, ImportSource::Buffer(input, ImportFormat::kJsonl), options);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(calls, 5);
}

// Imports each Label Studio conformance export (a single task object with
// data/annotations/predictions) and the example task lists, exports the
// project, and compares data, results and counts.
TEST(RoundTripTest, LabelStudioConformanceFiles) {
  fs::path root = "../shared/conformance/label-studio";
  if (!fs::is_directory(root)) GTEST_SKIP() << "no conformance files at " << root;
  std::vector<fs::path> inputs;
  for (const auto& project : fs::directory_iterator(root)) {
    if (fs::exists(project.path() / "tasks.json")) inputs.push_back(project.path() / "tasks.json");
    if (fs::is_directory(project.path() / "annotations")) {
      for (const auto& file : fs::directory_iterator(project.path() / "annotations")) {
        inputs.push_back(file.path());
      }
    }
  }
  ASSERT_FALSE(inputs.empty());
  Id project_id = 0;
  for (const fs::path& input : inputs) {
    SCOPED_TRACE(input.string());
    json original = json::parse(ReadAll(input));
    if (original.is_object()) original = json::array({original});
    // An export without "data" (video_bboxes/annotations/1.json) is not a
    // complete task; importing it as a flat item keeps it whole as data.
    FakeStore store;
    ++project_id;
    ImportOptions options;
    auto report = ImportTasks(store, project_id, 1, ImportSource::File(input.string(), ImportFormat::kJson),
                              options);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_EQ(report->task_count, static_cast<int64_t>(original.size()));

    std::ostringstream out;
    ExportOptions export_options;
    export_options.download_all_tasks = true;
    ASSERT_TRUE(ExportLsJson(store, project_id, out, export_options).ok());
    json exported = json::parse(out.str());
    ASSERT_EQ(exported.size(), original.size());
    for (size_t task_idx = 0; task_idx < original.size(); ++task_idx) {
      const json& before = original[task_idx];
      const json& after = exported[task_idx];
      if (!before.contains("data")) {
        EXPECT_EQ(after["data"], before);
        continue;
      }
      EXPECT_EQ(after["data"], before["data"]);
      json annotations = before.value("annotations", json::array());
      ASSERT_EQ(after["annotations"].size(), annotations.size());
      for (size_t ann_idx = 0; ann_idx < annotations.size(); ++ann_idx) {
        EXPECT_EQ(after["annotations"][ann_idx]["result"], annotations[ann_idx]["result"]);
      }
      json predictions = before.value("predictions", json::array());
      ASSERT_EQ(after["predictions"].size(), predictions.size());
      for (size_t pred_idx = 0; pred_idx < predictions.size(); ++pred_idx) {
        EXPECT_EQ(after["predictions"][pred_idx]["result"], predictions[pred_idx]["result"]);
        EXPECT_EQ(after["predictions"][pred_idx]["model_version"],
                  predictions[pred_idx].value("model_version", "undefined"));
      }
      EXPECT_EQ(after["total_annotations"], annotations.size());
      EXPECT_EQ(after["total_predictions"], predictions.size());
    }
  }
}

TEST(ExportTest, JsonlAndFilteringAndAuthors) {
  FakeStore store;
  User ann;
  ann.id = 7;
  ann.email = "ann@example.com";
  ann.first_name = "Ann";
  store.users[7] = ann;
  std::string input = R"([{"data": {"t": 1}, "annotations": [{"result": [], "completed_by": 7}]},
                          {"data": {"t": 2}}])";
  auto report = ImportTasks(store, 3, 7, ImportSource::Buffer(input, ImportFormat::kJson), {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();

  std::ostringstream only_labeled;
  ASSERT_TRUE(ExportLsJson(store, 3, only_labeled, {}).ok());
  json tasks = json::parse(only_labeled.str());
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["annotations"][0]["completed_by"],
            json({{"id", 7}, {"email", "ann@example.com"}, {"first_name", "Ann"}, {"last_name", ""}}));
  EXPECT_FALSE(tasks[0].contains("overlap"));
  EXPECT_FALSE(tasks[0].contains("is_labeled"));

  std::ostringstream lines;
  ExportOptions options;
  options.format = ExportFormat::kJsonl;
  options.download_all_tasks = true;
  int64_t last_progress = -1;
  options.progress = [&](int64_t done) { last_progress = done; };
  ASSERT_TRUE(ExportLsJson(store, 3, lines, options).ok());
  std::istringstream in(lines.str());
  std::string line;
  int count = 0;
  while (std::getline(in, line)) {
    EXPECT_EQ(json::parse(line)["project"], 3);
    ++count;
  }
  EXPECT_EQ(count, 2);
  EXPECT_EQ(last_progress, 2);

  std::ostringstream empty;
  ASSERT_TRUE(ExportLsJson(store, 99, empty, {}).ok());
  EXPECT_EQ(json::parse(empty.str()), json::array());
}

// The export's fast writer (stored JSON spliced in after a validity check)
// says exactly what the JSON tree of the task says: same keys, same values,
// null for stored text that is not JSON, one line per task.
TEST(ExportLsJsonTest, FastWriterMatchesTheJsonTree) {
  FakeStore store;
  User author;
  author.id = 2;
  author.email = "zoë@example.com";
  author.first_name = "Zo\"ë";
  store.users[2] = author;
  TaskBundle b;
  b.task.id = 7;
  b.task.project_id = 3;
  b.task.inner_id = 4;
  b.task.data = "{\n  \"text\": \"Zo\\u00eb said \\\"hi\\\"\\n\",\n  \"n\": 1.5,\n  \"nested\": {\"b\": [1, 2], \"a\": null}\n}";
  b.task.meta = "not json";
  b.task.created_at = 1'700'000'000'123;
  b.task.total_annotations = 3;
  b.task.total_predictions = 2;
  auto annotation = [&](Id id, std::string result) {
    Annotation a;
    a.id = id;
    a.task_id = 7;
    a.project_id = 3;
    a.completed_by = 2;
    a.result = std::move(result);
    a.lead_time = 3.0;
    a.created_at = a.updated_at = 1'700'000'000'456;
    return a;
  };
  b.annotations.push_back(annotation(1, R"([{"id":"a","type":"choices","value":{"choices":["X"]}}])"));
  b.annotations.back().last_action = "imported";
  b.annotations.back().parent_prediction = 5;
  b.annotations.back().ground_truth = true;
  b.annotations.push_back(annotation(2, "[\n  {\"id\": \"b\"},\n  {\"id\": \"c\"}\n]"));
  b.annotations.push_back(annotation(3, "[broken"));
  b.annotations.back().completed_by = 0;
  b.annotations.push_back(annotation(4, "{}"));
  b.annotations.push_back(annotation(5, "[\"\xff\"]"));  // not UTF-8
  Prediction p;
  p.id = 9;
  p.task_id = 7;
  p.project_id = 3;
  p.model_version = "v\"1\t";
  p.score = 0.25;
  p.result = "[]";
  b.predictions.push_back(p);
  p.id = 10;
  p.score.reset();
  p.result = "";
  b.predictions.push_back(p);

  std::string fast = ExportTaskText(store, b, /*reference=*/false);
  std::string reference = ExportTaskText(store, b, /*reference=*/true);
  EXPECT_EQ(fast.find('\n'), std::string::npos) << fast;
  json a = json::parse(fast), r = json::parse(reference);
  EXPECT_EQ(a, r) << "fast:      " << fast << "\nreference: " << reference;
  EXPECT_EQ(a["annotations"][1]["result_count"], 2);
  EXPECT_TRUE(a["annotations"][2]["result"].is_null());
  EXPECT_EQ(a["annotations"][2]["result_count"], 0);
  EXPECT_TRUE(a["annotations"][4]["result"].is_null());
  EXPECT_TRUE(a["meta"].is_null());
  EXPECT_EQ(a["data"]["text"], "Zoë said \"hi\"\n");

  // Stored texts already in nlohmann's compact, sorted form: byte for byte.
  b.task.data = R"({"image":"/data/upload/3/a.png"})";
  b.task.meta = "{}";
  b.annotations.resize(1);
  b.predictions.resize(1);
  EXPECT_EQ(ExportTaskText(store, b, false), ExportTaskText(store, b, true));
}

// The whole export (read ahead on a second thread, batched, buffered) says
// byte for byte what the reference tree says for each task, in id order,
// over more tasks than a read-ahead batch holds.
TEST(ExportLsJsonTest, WholeExportMatchesTheReferenceTaskByTask) {
  FakeStore store;
  User author;
  author.id = 2;
  author.email = "a@example.com";
  store.users[2] = author;
  for (Id task_id = 1; task_id <= 1500; ++task_id) {
    TaskBundle b;
    b.task.id = task_id;
    b.task.project_id = 3;
    b.task.inner_id = task_id;
    // Compact and key-sorted, as nlohmann prints: the reference reprints the same bytes.
    b.task.data = R"({"image":"/data/upload/3/)" + std::to_string(task_id) + R"(.png"})";
    b.task.meta = "{}";
    b.task.created_at = 1'600'000'000'000 + task_id * 86'399'997;
    b.task.updated_at = task_id % 5 == 0 ? 0 : b.task.created_at + 1;
    if (task_id % 4 != 0) {
      Annotation a;
      a.id = task_id * 10;
      a.task_id = task_id;
      a.project_id = 3;
      a.completed_by = task_id % 2 == 0 ? 2 : 0;
      a.result = R"([{"id":"r)" + std::to_string(task_id) + R"(","value":{"x":)" + std::to_string(task_id) + ".5}}]";
      a.lead_time = 0.1 * static_cast<double>(task_id);
      a.created_at = a.updated_at = b.task.created_at + 999;
      b.annotations.push_back(a);
      b.task.total_annotations = 1;
    }
    store.bundles[task_id] = b;
  }
  for (ExportFormat format : {ExportFormat::kJson, ExportFormat::kJsonl}) {
    std::string expected = format == ExportFormat::kJson ? "[" : "";
    int64_t count = 0;
    for (const auto& [id, bundle] : store.bundles) {
      if (bundle.annotations.empty()) continue;
      if (format == ExportFormat::kJson) expected += count > 0 ? ",\n" : "\n";
      expected += ExportTaskText(store, bundle, /*reference=*/true);
      if (format == ExportFormat::kJsonl) expected += "\n";
      ++count;
    }
    if (format == ExportFormat::kJson) expected += "\n]\n";
    ASSERT_EQ(count, 1125);
    std::ostringstream out;
    ExportOptions options;
    options.format = format;
    int64_t reported = 0;
    options.progress = [&](int64_t done) { reported = done; };
    ASSERT_TRUE(ExportLsJson(store, 3, out, options).ok());
    EXPECT_EQ(reported, count);
    ASSERT_EQ(out.str().size(), expected.size());
    EXPECT_TRUE(out.str() == expected);
  }
}

}  // namespace
}  // namespace tessera
