// Tasks, annotations and predictions in Label Studio's JSON shapes (the field
// names and types of its REST serializers). Fields Label Studio has but
// Tessera does not track are printed with their empty value (null, 0, []);
// "created_ago" is left out rather than made up.
#include "tessera/ls_json.h"

#include "tessera/util.h"

namespace tessera {
namespace {

using nlohmann::json;

// Stored JSON text -> json; null if the text is not valid JSON.
json ParseStored(const std::string& text) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return nullptr;
  return value;
}

json IdOrNull(Id id) { return id > 0 ? json(id) : json(nullptr); }

json OptionalId(const std::optional<Id>& id) { return id ? json(*id) : json(nullptr); }

json TimeOrNull(TimeMs ms) { return ms > 0 ? json(FormatIsoTime(ms)) : json(nullptr); }

// Label Studio's "created_username": "<first>[ <last>] <email>, <id>".
std::string CreatedUsername(const AuthorInfo& author) {
  std::string name = author.first_name;
  if (!author.last_name.empty()) name += " " + author.last_name;
  name += " " + author.email + ", " + std::to_string(author.id);
  return name;
}

}  // namespace

nlohmann::json AnnotationToJson(const Annotation& annotation, const AuthorInfo* author) {
  json out = json::object();
  out["id"] = annotation.id;
  out["result"] = ParseStored(annotation.result);
  out["created_username"] = author != nullptr ? CreatedUsername(*author) : std::string();
  out["completed_by"] = IdOrNull(annotation.completed_by);
  out["was_cancelled"] = annotation.was_cancelled;
  out["ground_truth"] = annotation.ground_truth;
  out["created_at"] = TimeOrNull(annotation.created_at);
  out["updated_at"] = TimeOrNull(annotation.updated_at);
  out["draft_created_at"] = nullptr;
  out["lead_time"] = annotation.lead_time;
  // Label Studio's "import_id" is the id an annotation had in the file it was
  // imported from; Tessera does not keep that.
  out["import_id"] = nullptr;
  out["last_action"] = annotation.last_action.empty() ? json(nullptr) : json(annotation.last_action);
  out["bulk_created"] = false;
  out["task"] = annotation.task_id;
  out["project"] = annotation.project_id;
  out["updated_by"] = IdOrNull(annotation.updated_by);
  out["parent_prediction"] = OptionalId(annotation.parent_prediction);
  out["parent_annotation"] = OptionalId(annotation.parent_annotation);
  out["last_created_by"] = nullptr;
  out["version"] = annotation.version;
  // Tessera's addition: the guideline version it was made under (null: none).
  out["guideline_version"] =
      annotation.guideline_version > 0 ? json(annotation.guideline_version) : json(nullptr);
  return out;
}

nlohmann::json PredictionToJson(const Prediction& prediction) {
  json out = json::object();
  out["id"] = prediction.id;
  out["result"] = ParseStored(prediction.result);
  out["model_version"] = prediction.model_version;
  out["score"] = prediction.score ? json(*prediction.score) : json(nullptr);
  out["cluster"] = nullptr;
  out["neighbors"] = nullptr;
  out["mislabeling"] = 0.0;
  out["created_at"] = TimeOrNull(prediction.created_at);
  out["updated_at"] = TimeOrNull(prediction.updated_at);
  out["model"] = nullptr;
  out["model_run"] = nullptr;
  out["task"] = prediction.task_id;
  out["project"] = prediction.project_id;
  return out;
}

nlohmann::json TaskToJson(const Task& task) {
  json out = json::object();
  out["id"] = task.id;
  out["data"] = ParseStored(task.data);
  out["meta"] = ParseStored(task.meta);
  out["created_at"] = TimeOrNull(task.created_at);
  out["updated_at"] = TimeOrNull(task.updated_at);
  out["is_labeled"] = task.is_labeled;
  out["overlap"] = task.overlap;
  out["inner_id"] = task.inner_id;
  out["total_annotations"] = task.total_annotations;
  out["cancelled_annotations"] = task.cancelled_annotations;
  out["total_predictions"] = task.total_predictions;
  out["comment_count"] = 0;
  out["unresolved_comment_count"] = 0;
  out["last_comment_updated_at"] = nullptr;
  out["project"] = task.project_id;
  out["updated_by"] = nullptr;
  out["file_upload"] = nullptr;
  out["comment_authors"] = json::array();
  return out;
}

nlohmann::json TaskBundleToJson(const TaskBundle& bundle) {
  json out = TaskToJson(bundle.task);
  json annotations = json::array();
  for (const Annotation& annotation : bundle.annotations) {
    annotations.push_back(AnnotationToJson(annotation));
  }
  json predictions = json::array();
  for (const Prediction& prediction : bundle.predictions) {
    predictions.push_back(PredictionToJson(prediction));
  }
  out["annotations"] = std::move(annotations);
  out["predictions"] = std::move(predictions);
  return out;
}

}  // namespace tessera
