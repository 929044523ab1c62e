// ImportDataset onto existing tasks (DatasetImportOptions::to_existing_tasks):
// file-name matching, the report of what matched nothing or several tasks,
// and reruns that add nothing twice.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "src/formats/dataset_attach.h"
#include "src/formats/sqlite_fixture_for_test.h"
#include "tessera/formats.h"

namespace tessera {
namespace {

using nlohmann::json;

TEST(ImageFileNameTest, EndsOfPathsAndUrls) {
  EXPECT_EQ(formats::ImageFileName("img7.jpg"), "img7.jpg");
  EXPECT_EQ(formats::ImageFileName("/data/upload/3/1a2b3c4d-img7.jpg"), "img7.jpg");
  // Only uploads carry the server's prefix; elsewhere it is part of the name.
  EXPECT_EQ(formats::ImageFileName("s3://bucket/dir/1a2b3c4d-img7.jpg"), "1a2b3c4d-img7.jpg");
  EXPECT_EQ(formats::ImageFileName("/data/upload/3/zz2b3c4d-img7.jpg"), "zz2b3c4d-img7.jpg");
  EXPECT_EQ(formats::ImageFileName("/data/local-files/?d=coco/train/img7.jpg"), "img7.jpg");
  EXPECT_EQ(formats::ImageFileName("https://host/a/img%207.jpg?token=x=y#frag"), "img 7.jpg");
  EXPECT_EQ(formats::ImageFileName("C:\\data\\img7.jpg"), "img7.jpg");
  EXPECT_EQ(formats::ImageFileName("https://host/dir/"), "");
}

class DatasetAttachTest : public SqliteStoreTest {
 protected:
  DatasetAttachTest() : SqliteStoreTest("dataset_attach") {}

  void SetUp() override {
    SqliteStoreTest::SetUp();
    Project project;
    project.title = "attach";
    project.label_config =
        R"(<View><Image name="image" value="$image"/>)"
        R"(<RectangleLabels name="box" toName="image"><Label value="car"/><Label value="cat"/></RectangleLabels></View>)";
    ASSERT_TRUE(store_->CreateProject(&project).ok());
    project_ = project.id;
    std::vector<NewTask> tasks(6);
    const char* images[] = {"/data/upload/1/0a1b2c3d-img1.jpg", "s3://bucket/dir/img2.jpg",
                            "/data/local-files/?d=ds/img%203.jpg", "dup.jpg", "/data/upload/1/ffffffff-dup.jpg",
                            "unrelated.png"};
    for (size_t i = 0; i < tasks.size(); ++i) tasks[i].data = json{{"image", images[i]}}.dump();
    ASSERT_TRUE(store_->InsertTasks(project_, 0, tasks, &task_ids_).ok());
    // A COCO dataset: one box per image, 20x10 px at (10, 5) in a 100x50 image.
    const std::filesystem::path coco = dir_ / "coco";
    std::filesystem::create_directories(coco / "annotations");
    json doc = {{"categories", json::array({{{"id", 1}, {"name", "car"}}})},
                {"images", json::array()},
                {"annotations", json::array()}};
    const char* names[] = {"img1.jpg", "img2.jpg", "img 3.jpg", "dup.jpg", "missing.jpg"};
    for (int i = 0; i < 5; ++i) {
      doc["images"].push_back({{"id", i + 1}, {"file_name", names[i]}, {"width", 100}, {"height", 50}});
      doc["annotations"].push_back({{"id", i + 1}, {"image_id", i + 1}, {"category_id", 1},
                                    {"bbox", {10, 5, 20, 10}}, {"area", 200}, {"iscrowd", 0}});
    }
    std::ofstream(coco / "annotations" / "instances_default.json") << doc.dump();
    coco_ = coco;
  }

  int64_t Tasks() {
    TaskQuery query;
    query.project_id = project_;
    auto count = store_->CountTasks(query);
    return count.ok() ? *count : -1;
  }

  bool Mentions(const DatasetImportReport& report, const std::string& text) {
    for (const std::string& line : report.unmatched) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

  Id project_ = 0;
  std::vector<Id> task_ids_;
  std::filesystem::path coco_;
};

TEST_F(DatasetAttachTest, AnnotationsGoToTheTaskWithTheSameFileName) {
  DatasetImportOptions options;
  options.to_existing_tasks = true;
  auto report = ImportDataset(*store_, project_, user_id_, "COCO", coco_, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->tasks, 3);
  EXPECT_EQ(report->regions, 3);
  EXPECT_EQ(report->import_id, 0);
  EXPECT_TRUE(Mentions(*report, "1 images match no task's image file name (first: missing.jpg)"));
  EXPECT_TRUE(Mentions(*report, "1 images match several tasks' image file names (not imported) (first: dup.jpg)"));
  // No task was created; the first three got one box each, in percent.
  EXPECT_EQ(Tasks(), 6);
  for (size_t i = 0; i < task_ids_.size(); ++i) {
    auto annotations = store_->ListAnnotations(task_ids_[i]);
    ASSERT_TRUE(annotations.ok());
    if (i >= 3) {
      EXPECT_TRUE(annotations->empty()) << "task " << i;
      continue;
    }
    ASSERT_EQ(annotations->size(), 1u) << "task " << i;
    const Annotation& a = annotations->front();
    EXPECT_EQ(a.completed_by, user_id_);
    json result = json::parse(a.result);
    ASSERT_EQ(result.size(), 1u);
    EXPECT_EQ(result[0]["type"], "rectanglelabels");
    EXPECT_NEAR(result[0]["value"]["x"].get<double>(), 10.0, 1e-9);
    EXPECT_NEAR(result[0]["value"]["y"].get<double>(), 10.0, 1e-9);
    EXPECT_NEAR(result[0]["value"]["width"].get<double>(), 20.0, 1e-9);
    EXPECT_NEAR(result[0]["value"]["height"].get<double>(), 20.0, 1e-9);
    EXPECT_EQ(result[0]["original_width"], 100);
    EXPECT_EQ(result[0]["value"]["rectanglelabels"], json::array({"car"}));
  }
  auto task = store_->GetTask(task_ids_[0]);
  ASSERT_TRUE(task.ok());
  EXPECT_EQ(task->total_annotations, 1);

  // Run again (as after an interruption): nothing is added twice.
  auto again = ImportDataset(*store_, project_, user_id_, "COCO", coco_, options);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->tasks, 0);
  EXPECT_TRUE(Mentions(*again, "3 results were on their task already"));
  EXPECT_EQ(store_->ListAnnotations(task_ids_[1])->size(), 1u);
}

TEST_F(DatasetAttachTest, PredictionsForUploadedImages) {
  DatasetImportOptions options;
  options.to_existing_tasks = true;
  options.as_predictions = true;
  options.model_version = "detector-v2";
  auto report = ImportDataset(*store_, project_, user_id_, "COCO", coco_, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->tasks, 3);
  auto predictions = store_->ListPredictions(task_ids_[0]);
  ASSERT_TRUE(predictions.ok());
  ASSERT_EQ(predictions->size(), 1u);
  EXPECT_EQ(predictions->front().model_version, "detector-v2");
  EXPECT_TRUE(store_->ListAnnotations(task_ids_[0])->empty());
  EXPECT_EQ(store_->GetTask(task_ids_[2])->total_predictions, 1);
  // An annotation with the same result does not count as "already there".
  options.as_predictions = false;
  auto annotations = ImportDataset(*store_, project_, user_id_, "COCO", coco_, options);
  ASSERT_TRUE(annotations.ok());
  EXPECT_EQ(annotations->tasks, 3);
}

TEST_F(DatasetAttachTest, TextDatasetsAreRefusedWithTheReason) {
  DatasetImportOptions options;
  options.to_existing_tasks = true;
  Project text;
  text.title = "text";
  text.label_config = R"(<View><Text name="text" value="$text"/>)"
                      R"(<Labels name="ner" toName="text"><Label value="PER"/></Labels></View>)";
  ASSERT_TRUE(store_->CreateProject(&text).ok());
  auto report = ImportDataset(*store_, text.id, user_id_, "CONLL2003", coco_, options);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Code::kInvalidArgument);
  EXPECT_NE(report.status().message().find("image file name"), std::string::npos) << report.status().ToString();
  EXPECT_EQ(Tasks(), 6);
}

}  // namespace
}  // namespace tessera
