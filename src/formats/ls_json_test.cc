#include "tessera/ls_json.h"

#include <gtest/gtest.h>

namespace tessera {
namespace {

using nlohmann::json;

TEST(LsJsonTest, Annotation) {
  Annotation annotation;
  annotation.id = 5;
  annotation.task_id = 9;
  annotation.project_id = 2;
  annotation.completed_by = 3;
  annotation.result = R"([{"type":"choices","value":{"choices":["A"]}}])";
  annotation.lead_time = 1.25;
  annotation.created_at = 1000;
  annotation.updated_at = 2000;
  annotation.last_action = "imported";
  AuthorInfo author{3, "a@b.c", "Ann", "Lee"};
  json out = AnnotationToJson(annotation, &author);
  EXPECT_EQ(out["id"], 5);
  EXPECT_EQ(out["task"], 9);
  EXPECT_EQ(out["project"], 2);
  EXPECT_EQ(out["completed_by"], 3);
  EXPECT_EQ(out["created_username"], "Ann Lee a@b.c, 3");
  EXPECT_EQ(out["result"][0]["value"]["choices"][0], "A");
  EXPECT_EQ(out["created_at"], "1970-01-01T00:00:01.000000Z");
  EXPECT_EQ(out["updated_at"], "1970-01-01T00:00:02.000000Z");
  EXPECT_EQ(out["lead_time"], 1.25);
  EXPECT_EQ(out["was_cancelled"], false);
  EXPECT_EQ(out["ground_truth"], false);
  EXPECT_TRUE(out["parent_prediction"].is_null());
  EXPECT_TRUE(out["updated_by"].is_null());
  EXPECT_EQ(out["last_action"], "imported");
  EXPECT_FALSE(out.contains("created_ago"));

  AuthorInfo no_last{3, "a@b.c", "", ""};
  EXPECT_EQ(AnnotationToJson(annotation, &no_last)["created_username"], " a@b.c, 3");
  EXPECT_EQ(AnnotationToJson(annotation)["created_username"], "");
}

TEST(LsJsonTest, BrokenStoredJsonBecomesNull) {
  Annotation annotation;
  annotation.result = "[not json";
  EXPECT_TRUE(AnnotationToJson(annotation)["result"].is_null());
  Task task;
  task.data = "{";
  EXPECT_TRUE(TaskToJson(task)["data"].is_null());
}

TEST(LsJsonTest, PredictionAndTaskBundle) {
  Prediction prediction;
  prediction.id = 4;
  prediction.task_id = 9;
  prediction.project_id = 2;
  prediction.result = "[]";
  prediction.model_version = "v1";
  json out = PredictionToJson(prediction);
  EXPECT_TRUE(out["score"].is_null());
  prediction.score = 0.5;
  EXPECT_EQ(PredictionToJson(prediction)["score"], 0.5);
  EXPECT_EQ(out["model_version"], "v1");
  EXPECT_EQ(out["task"], 9);

  TaskBundle bundle;
  bundle.task.id = 9;
  bundle.task.project_id = 2;
  bundle.task.data = R"({"text":"hi"})";
  bundle.task.inner_id = 1;
  bundle.task.total_predictions = 1;
  bundle.predictions.push_back(prediction);
  json task = TaskBundleToJson(bundle);
  EXPECT_EQ(task["data"]["text"], "hi");
  EXPECT_EQ(task["meta"], json::object());
  EXPECT_EQ(task["is_labeled"], false);
  EXPECT_EQ(task["overlap"], 1);
  EXPECT_EQ(task["inner_id"], 1);
  EXPECT_EQ(task["total_predictions"], 1);
  EXPECT_EQ(task["annotations"], json::array());
  EXPECT_EQ(task["predictions"].size(), 1u);
  EXPECT_TRUE(task["created_at"].is_null());
}

}  // namespace
}  // namespace tessera
