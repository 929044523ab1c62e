// /api/tasks/{id}/annotations and /api/annotations/{id}: create, read, update
// (every update keeps the previous version), delete, and version history.
#include "server/api/task_access.h"
#include "server/app.h"
#include "tessera/ls_json.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

// Reads the editable fields of an annotation from `body` into `a`.
Status ApplyAnnotationFields(RequestContext& ctx, const json& body, Annotation* a) {
  if (auto it = body.find("result"); it != body.end()) {
    TESSERA_RETURN_IF_ERROR(ValidateProjectResult(ctx, a->project_id, *it));
    a->result = it->dump();
  }
  TESSERA_ASSIGN_OR_RETURN(a->was_cancelled, BoolField(body, "was_cancelled", a->was_cancelled));
  TESSERA_ASSIGN_OR_RETURN(a->ground_truth, BoolField(body, "ground_truth", a->ground_truth));
  TESSERA_ASSIGN_OR_RETURN(a->lead_time, NumberField(body, "lead_time", a->lead_time));
  if (a->lead_time < 0) return Status::FieldInvalid("lead_time", "lead_time must be >= 0 seconds");
  return Status::Ok();
}

HttpResponse ListTaskAnnotations(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto task = LoadTask(ctx, *id, Role::kAnnotator);
  if (!task.ok()) return ErrorResponse(task.status());
  auto list = ctx.store().ListAnnotations(*id);
  if (!list.ok()) return ErrorResponse(list.status());
  json out = json::array();
  for (const Annotation& a : *list) out.push_back(AnnotationJsonWithAuthor(ctx, a));
  return JsonResponse(200, out);
}

HttpResponse CreateAnnotation(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto task = LoadTask(ctx, *id, Role::kAnnotator);
  if (!task.ok()) return ErrorResponse(task.status());
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  Annotation a;
  a.task_id = task->id;
  a.project_id = task->project_id;
  a.completed_by = ctx.user_id();
  a.updated_by = ctx.user_id();
  a.last_action = "submitted";
  Status s = ApplyAnnotationFields(ctx, *body, &a);
  if (!s.ok()) return ErrorResponse(s);
  if (auto pp = body->find("parent_prediction"); pp != body->end() && pp->is_number_integer()) {
    a.parent_prediction = pp->get<Id>();
  }
  if (auto pa = body->find("parent_annotation"); pa != body->end() && pa->is_number_integer()) {
    a.parent_annotation = pa->get<Id>();
  }
  a.created_at = a.updated_at = NowMs();
  s = ctx.store().CreateAnnotation(&a);
  if (!s.ok()) return ErrorResponse(s);
  return JsonResponse(201, AnnotationJsonWithAuthor(ctx, a));
}

HttpResponse GetAnnotation(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto a = LoadAnnotation(ctx, *id, Role::kAnnotator);
  if (!a.ok()) return ErrorResponse(a.status());
  return JsonResponse(200, AnnotationJsonWithAuthor(ctx, *a));
}

// Authors may edit their own annotations; reviewers and above anyone's.
Status RequireEditRight(RequestContext& ctx, const Annotation& a, Role others_min) {
  if (a.completed_by == ctx.user_id()) return Status::Ok();
  return ctx.RequireProjectRole(a.project_id, others_min);
}

HttpResponse PatchAnnotation(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto a = LoadAnnotation(ctx, *id, Role::kAnnotator);
  if (!a.ok()) return ErrorResponse(a.status());
  Status s = RequireEditRight(ctx, *a, Role::kReviewer);
  if (!s.ok()) return ErrorResponse(s);
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  s = ApplyAnnotationFields(ctx, *body, &*a);
  if (!s.ok()) return ErrorResponse(s);
  a->updated_by = ctx.user_id();
  a->updated_at = NowMs();
  a->last_action = "updated";
  s = ctx.store().UpdateAnnotation(&*a);
  if (!s.ok()) return ErrorResponse(s);
  return JsonResponse(200, AnnotationJsonWithAuthor(ctx, *a));
}

HttpResponse DeleteAnnotation(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto a = LoadAnnotation(ctx, *id, Role::kAnnotator);
  if (!a.ok()) return ErrorResponse(a.status());
  Status s = RequireEditRight(ctx, *a, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  s = ctx.store().DeleteAnnotation(*id);
  if (!s.ok()) return ErrorResponse(s);
  return NoContent();
}

HttpResponse AnnotationVersions(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto a = LoadAnnotation(ctx, *id, Role::kAnnotator);
  if (!a.ok()) return ErrorResponse(a.status());
  auto versions = ctx.store().ListAnnotationVersions(*id);
  if (!versions.ok()) return ErrorResponse(versions.status());
  json out = json::array();
  for (const AnnotationVersion& v : *versions) {
    out.push_back(json{{"version", v.version},
                       {"result", json::parse(v.result, nullptr, false)},
                       {"was_cancelled", v.was_cancelled},
                       {"ground_truth", v.ground_truth},
                       {"lead_time", v.lead_time},
                       {"updated_by", v.updated_by},
                       {"action", v.action},
                       {"created_at", FormatIsoTime(v.created_at)}});
  }
  // The current state closes the list.
  out.push_back(json{{"version", a->version},
                     {"result", json::parse(a->result, nullptr, false)},
                     {"was_cancelled", a->was_cancelled},
                     {"ground_truth", a->ground_truth},
                     {"lead_time", a->lead_time},
                     {"updated_by", a->updated_by},
                     {"action", a->last_action},
                     {"created_at", FormatIsoTime(a->updated_at)},
                     {"current", true}});
  return JsonResponse(200, out);
}

}  // namespace

void RegisterAnnotationRoutes(Router& r) {
  r.Add("GET", "/api/tasks/{id}/annotations", Access::kAuthenticated, ListTaskAnnotations);
  r.Add("POST", "/api/tasks/{id}/annotations", Access::kAuthenticated, CreateAnnotation);
  r.Add("GET", "/api/annotations/{id}", Access::kAuthenticated, GetAnnotation);
  r.Add("PATCH", "/api/annotations/{id}", Access::kAuthenticated, PatchAnnotation);
  r.Add("DELETE", "/api/annotations/{id}", Access::kAuthenticated, DeleteAnnotation);
  r.Add("GET", "/api/annotations/{id}/versions", Access::kAuthenticated, AnnotationVersions);
}

}  // namespace tessera::server
