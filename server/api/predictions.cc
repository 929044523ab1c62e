// /api/predictions and /api/projects/{id}/import/predictions.
#include "server/api/task_access.h"
#include "server/app.h"
#include "tessera/ls_json.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

// Builds a prediction for `task` from an LS prediction object.
Status PredictionFromJson(RequestContext& ctx, const json& body, const Task& task, Prediction* p) {
  auto result = body.find("result");
  if (result == body.end()) {
    return Status::FieldInvalid("result", "result is required: a JSON array of regions");
  }
  TESSERA_RETURN_IF_ERROR(ValidateProjectResult(ctx, task.project_id, *result));
  p->task_id = task.id;
  p->project_id = task.project_id;
  p->result = result->dump();
  if (auto score = body.find("score"); score != body.end() && !score->is_null()) {
    if (!score->is_number()) {
      return Status::FieldInvalid("score", std::string("score must be a number, got ") +
                                               score->type_name());
    }
    p->score = score->get<double>();
  }
  TESSERA_ASSIGN_OR_RETURN(p->model_version, StringField(body, "model_version", false, ""));
  p->created_at = p->updated_at = NowMs();
  return Status::Ok();
}

HttpResponse CreatePrediction(RequestContext& ctx) {
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  auto task_id = IntField(*body, "task", true);
  if (!task_id.ok()) return ErrorResponse(task_id.status());
  auto task = LoadTask(ctx, *task_id, Role::kManager);
  if (!task.ok()) return ErrorResponse(task.status());
  Prediction p;
  Status s = PredictionFromJson(ctx, *body, *task, &p);
  if (!s.ok()) return ErrorResponse(s);
  s = ctx.store().CreatePrediction(&p);
  if (!s.ok()) return ErrorResponse(s);
  return JsonResponse(201, PredictionToJson(p));
}

HttpResponse ListPredictions(RequestContext& ctx) {
  auto task_id = QueryInt(ctx.request(), "task", 0, 1, INT64_MAX);
  if (!task_id.ok()) return ErrorResponse(task_id.status());
  if (*task_id == 0) {
    return ErrorResponse(Status::FieldInvalid("task", "query parameter task=<id> is required"));
  }
  auto task = LoadTask(ctx, *task_id, Role::kAnnotator);
  if (!task.ok()) return ErrorResponse(task.status());
  auto list = ctx.store().ListPredictions(*task_id);
  if (!list.ok()) return ErrorResponse(list.status());
  json out = json::array();
  for (const Prediction& p : *list) out.push_back(PredictionToJson(p));
  return JsonResponse(200, out);
}

Result<Prediction> LoadPrediction(RequestContext& ctx, Role min) {
  TESSERA_ASSIGN_OR_RETURN(Id id, ctx.IdParam("id"));
  TESSERA_ASSIGN_OR_RETURN(Prediction p, ctx.store().GetPrediction(id));
  Status s = ctx.RequireProjectRole(p.project_id, min);
  if (s.code() == Code::kNotFound) return Status::NotFound("prediction " + std::to_string(id) +
                                                           " not found");
  TESSERA_RETURN_IF_ERROR(s);
  return p;
}

HttpResponse GetPrediction(RequestContext& ctx) {
  auto p = LoadPrediction(ctx, Role::kAnnotator);
  if (!p.ok()) return ErrorResponse(p.status());
  return JsonResponse(200, PredictionToJson(*p));
}

HttpResponse DeletePrediction(RequestContext& ctx) {
  auto p = LoadPrediction(ctx, Role::kManager);
  if (!p.ok()) return ErrorResponse(p.status());
  Status s = ctx.store().DeletePrediction(p->id);
  if (!s.ok()) return ErrorResponse(s);
  return NoContent();
}

// Bulk: a JSON array of {"task": id, "result": [...], "score", "model_version"}.
// All-or-nothing: every item is checked before any is stored.
HttpResponse ImportPredictions(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto body = ctx.JsonBody();
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_array()) {
    return ErrorResponse(400, "body must be a JSON array of predictions, each "
                              "{\"task\": <task id>, \"result\": [...]}");
  }
  std::vector<Prediction> items;
  for (size_t idx = 0; idx < body->size(); ++idx) {
    const json& item = (*body)[idx];
    std::string where = "item " + std::to_string(idx);
    if (!item.is_object()) return ErrorResponse(400, where + ": must be a JSON object");
    auto task_id = IntField(item, "task", true);
    if (!task_id.ok()) return ErrorResponse(task_id.status().WithPrefix(where));
    auto task = ctx.store().GetTask(*task_id);
    if (!task.ok() || task->project_id != *id) {
      return ErrorResponse(Status::FieldInvalid(
          "task", where + ": task " + std::to_string(*task_id) + " is not in project " +
                      std::to_string(*id)));
    }
    Prediction p;
    s = PredictionFromJson(ctx, item, *task, &p);
    if (!s.ok()) return ErrorResponse(s.WithPrefix(where));
    items.push_back(std::move(p));
  }
  for (Prediction& p : items) {
    s = ctx.store().CreatePrediction(&p);
    if (!s.ok()) return ErrorResponse(s);
  }
  return JsonResponse(201, json{{"created", items.size()}});
}

}  // namespace

void RegisterPredictionRoutes(Router& r) {
  r.Add("POST", "/api/predictions", Access::kAuthenticated, CreatePrediction);
  r.Add("GET", "/api/predictions", Access::kAuthenticated, ListPredictions);
  r.Add("GET", "/api/predictions/{id}", Access::kAuthenticated, GetPrediction);
  r.Add("DELETE", "/api/predictions/{id}", Access::kAuthenticated, DeletePrediction);
  r.Add("POST", "/api/projects/{id}/import/predictions", Access::kAuthenticated,
        ImportPredictions);
}

}  // namespace tessera::server
