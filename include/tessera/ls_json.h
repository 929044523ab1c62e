// Label Studio JSON shapes for tasks, annotations and predictions, used by the
// REST API and by the Label Studio JSON export so both print the same thing.
//
// Thread-safety: pure functions.
#ifndef TESSERA_LS_JSON_H_
#define TESSERA_LS_JSON_H_

#include <nlohmann/json.hpp>
#include <string>

#include "tessera/model.h"
#include "tessera/store.h"

namespace tessera {

// Optional facts about the author, for created_username / completed_by.
struct AuthorInfo {
  Id id = 0;
  std::string email;
  std::string first_name;
  std::string last_name;
};

// {"id","result","created_username","created_ago","completed_by","was_cancelled",
//  "ground_truth","created_at","updated_at","lead_time","task","project",
//  "updated_by","parent_prediction","parent_annotation","last_action","version",...}
nlohmann::json AnnotationToJson(const Annotation& annotation, const AuthorInfo* author = nullptr);

// {"id","result","score","model_version","task","project","created_at","updated_at",...}
nlohmann::json PredictionToJson(const Prediction& prediction);

// A task as GET /api/tasks/{id} prints it (without annotations/predictions
// arrays unless `bundle` carries them): {"id","data","meta","created_at",
// "updated_at","is_labeled","overlap","inner_id","total_annotations",
// "cancelled_annotations","total_predictions","project", "annotations":[...],
// "predictions":[...]}.
nlohmann::json TaskToJson(const Task& task);
nlohmann::json TaskBundleToJson(const TaskBundle& bundle);

}  // namespace tessera

#endif  // TESSERA_LS_JSON_H_
