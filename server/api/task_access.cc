#include "server/api/task_access.h"

#include "server/app.h"
#include "tessera/ls_json.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

Result<Task> LoadTask(RequestContext& ctx, Id task_id, Role min) {
  auto task = ctx.store().GetTask(task_id);
  if (!task.ok()) return task.status();
  Status s = ctx.RequireProjectRole(task->project_id, min);
  if (!s.ok()) {
    // Outsiders learn nothing about the task either.
    if (s.code() == Code::kNotFound) return Status::NotFound("task " + std::to_string(task_id) +
                                                             " not found");
    return s;
  }
  return task;
}

Result<Annotation> LoadAnnotation(RequestContext& ctx, Id annotation_id, Role min) {
  auto a = ctx.store().GetAnnotation(annotation_id);
  if (!a.ok()) return a.status();
  Status s = ctx.RequireProjectRole(a->project_id, min);
  if (!s.ok()) {
    if (s.code() == Code::kNotFound) {
      return Status::NotFound("annotation " + std::to_string(annotation_id) + " not found");
    }
    return s;
  }
  return a;
}

bool SeesOthersAnnotations(RequestContext& ctx, Id project_id) {
  std::optional<Role> role = ctx.ProjectRole(project_id);
  if (role && *role >= Role::kReviewer) return true;
  auto settings = ctx.store().GetWorkflowSettings(project_id);
  return settings.ok() && !settings->blind;
}

Status RequireVisible(RequestContext& ctx, const Annotation& a) {
  if (a.completed_by == ctx.user_id() || SeesOthersAnnotations(ctx, a.project_id)) {
    return Status::Ok();
  }
  return Status::NotFound("annotation " + std::to_string(a.id) + " not found");
}

json AnnotationJsonWithAuthor(RequestContext& ctx, const Annotation& a) {
  json out = AnnotationToJson(a, nullptr);
  if (a.completed_by > 0) {
    if (auto u = ctx.store().GetUser(a.completed_by); u.ok()) {
      AuthorInfo info{u->id, u->email, u->first_name, u->last_name};
      out = AnnotationToJson(a, &info);
    }
  }
  if (auto review = ctx.store().GetReviewInfo(a.id); review.ok()) {
    out["review_state"] = ReviewStateName(review->state);
    out["review"] = nullptr;
    if (const auto& last = review->last_review) {
      out["review"] = json{{"action", ReviewStateName(last->action)},
                           {"comment", last->comment},
                           {"reviewer", last->reviewer_id},
                           {"version", last->version},
                           {"created_at", FormatIsoTime(last->created_at)}};
    }
  }
  return out;
}

Result<json> TaskWithChildrenJson(RequestContext& ctx, const Task& task) {
  TaskBundle bundle;
  bundle.task = task;
  TESSERA_ASSIGN_OR_RETURN(bundle.annotations, ctx.store().ListAnnotations(task.id));
  TESSERA_ASSIGN_OR_RETURN(bundle.predictions, ctx.store().ListPredictions(task.id));
  bool sees_all = SeesOthersAnnotations(ctx, task.project_id);
  json out = TaskBundleToJson(bundle);
  json annotations = json::array();
  for (const Annotation& a : bundle.annotations) {
    if (!sees_all && a.completed_by != ctx.user_id()) continue;  // blind mode
    annotations.push_back(AnnotationJsonWithAuthor(ctx, a));
  }
  out["annotations"] = std::move(annotations);
  TESSERA_ASSIGN_OR_RETURN(out["drafts"], CallerDraftsJson(ctx, task.id));
  return out;
}

Status ValidateProjectResult(RequestContext& ctx, Id project_id, const json& result) {
  if (!result.is_array()) {
    return Status::FieldInvalid("result", std::string("result must be a JSON array of regions, got ") +
                                              result.type_name());
  }
  auto project = ctx.store().GetProject(project_id);
  if (!project.ok()) return project.status();
  if (Trim(project->label_config).empty()) return Status::Ok();
  auto cfg = ParseLabelingConfig(project->label_config);
  if (!cfg.ok()) return Status::Ok();  // e.g. the default empty <View/>: nothing to check against
  Status s = ValidateResult(**cfg, result);
  if (!s.ok()) return Status::FieldInvalid("result", s.message());
  return Status::Ok();
}

}  // namespace tessera::server
