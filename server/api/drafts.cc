// Drafts, in the shape of Label Studio's AnnotationDraft API: the editor
// autosaves unsubmitted work here so that a reload or a crash loses nothing.
//   GET/POST /api/tasks/{id}/drafts          the caller's drafts of a task /
//                                            save the caller's draft of a new
//                                            annotation (create or replace)
//   POST     /api/annotations/{id}/drafts    save a draft of an edit of the
//                                            caller's own annotation
//   GET/PATCH/DELETE /api/drafts/{id}        the caller's own draft only
// A draft is private to its author: anyone else gets 404, as if it did not
// exist. Its result is checked like an annotation's (an array of valid
// regions) but may be empty. Submitting an annotation deletes the author's
// draft (Store::CreateAnnotation / UpdateAnnotation).
#include "server/api/task_access.h"
#include "server/app.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

// Reads "result" (required when `require_result`) and "lead_time" of `body`
// into `d`, validating the result against the project's labeling config.
Status ApplyDraftFields(RequestContext& ctx, const json& body, bool require_result, Draft* d) {
  auto result = body.find("result");
  if (result == body.end()) {
    if (require_result) {
      return Status::FieldInvalid("result", "result is required: a JSON array of regions "
                                            "(may be empty)");
    }
  } else {
    TESSERA_RETURN_IF_ERROR(ValidateProjectResult(ctx, d->project_id, *result));
    d->result = result->dump();
  }
  TESSERA_ASSIGN_OR_RETURN(d->lead_time, NumberField(body, "lead_time", d->lead_time));
  if (!(d->lead_time >= 0)) {
    return Status::FieldInvalid("lead_time", "lead_time must be a number of seconds >= 0");
  }
  return Status::Ok();
}

// A draft of the caller, in a project they are still a member of; NotFound
// for everyone else.
Result<Draft> LoadOwnDraft(RequestContext& ctx, Id id) {
  Status not_found = Status::NotFound("draft " + std::to_string(id) + " not found");
  auto draft = ctx.store().GetDraft(id);
  if (!draft.ok()) return draft.status().code() == Code::kNotFound ? not_found : draft.status();
  if (draft->user_id != ctx.user_id()) return not_found;
  Status s = ctx.RequireProjectRole(draft->project_id, Role::kAnnotator);
  if (!s.ok()) return s.code() == Code::kNotFound ? not_found : s;
  return draft;
}

HttpResponse SaveAndRespond(RequestContext& ctx, Draft* d) {
  Status s = ctx.store().SaveDraft(d);
  if (!s.ok()) return ErrorResponse(s);
  return JsonResponse(201, DraftJson(ctx, *d));
}

HttpResponse ListTaskDrafts(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto task = LoadTask(ctx, *id, Role::kAnnotator);
  if (!task.ok()) return ErrorResponse(task.status());
  auto drafts = CallerDraftsJson(ctx, task->id);
  if (!drafts.ok()) return ErrorResponse(drafts.status());
  return JsonResponse(200, *drafts);
}

HttpResponse CreateTaskDraft(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto task = LoadTask(ctx, *id, Role::kAnnotator);
  if (!task.ok()) return ErrorResponse(task.status());
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  Draft d;
  d.task_id = task->id;
  d.project_id = task->project_id;
  d.user_id = ctx.user_id();
  Status s = ApplyDraftFields(ctx, *body, true, &d);
  if (!s.ok()) return ErrorResponse(s);
  return SaveAndRespond(ctx, &d);
}

// Only the annotation's author keeps drafts of it. Someone who cannot see
// the annotation (blind mode) gets the 404 of a missing one.
HttpResponse CreateAnnotationDraft(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto a = LoadAnnotation(ctx, *id, Role::kAnnotator);
  if (!a.ok()) return ErrorResponse(a.status());
  if (a->completed_by != ctx.user_id()) {
    Status s = RequireVisible(ctx, *a);
    if (!s.ok()) return ErrorResponse(s);
    return ErrorResponse(403, "only the author of annotation " + std::to_string(a->id) +
                                  " can keep a draft of it");
  }
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  Draft d;
  d.task_id = a->task_id;
  d.project_id = a->project_id;
  d.user_id = ctx.user_id();
  d.annotation_id = a->id;
  Status s = ApplyDraftFields(ctx, *body, true, &d);
  if (!s.ok()) return ErrorResponse(s);
  return SaveAndRespond(ctx, &d);
}

HttpResponse GetDraft(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto d = LoadOwnDraft(ctx, *id);
  if (!d.ok()) return ErrorResponse(d.status());
  return JsonResponse(200, DraftJson(ctx, *d));
}

HttpResponse PatchDraft(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto d = LoadOwnDraft(ctx, *id);
  if (!d.ok()) return ErrorResponse(d.status());
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  Status s = ApplyDraftFields(ctx, *body, false, &*d);
  if (!s.ok()) return ErrorResponse(s);
  s = ctx.store().UpdateDraft(&*d);
  if (!s.ok()) return ErrorResponse(s);
  return JsonResponse(200, DraftJson(ctx, *d));
}

HttpResponse DeleteDraft(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto d = LoadOwnDraft(ctx, *id);
  if (!d.ok()) return ErrorResponse(d.status());
  Status s = ctx.store().DeleteDraft(d->id);
  if (!s.ok()) return ErrorResponse(s);
  return NoContent();
}

}  // namespace

json DraftJson(RequestContext& ctx, const Draft& d) {
  // Every draft served is the caller's own, so the author is the caller.
  std::string email, username;
  if (ctx.user() && ctx.user()->id == d.user_id) {
    const User& u = *ctx.user();
    email = u.email;
    std::string name = u.first_name;
    if (!u.last_name.empty()) name += " " + u.last_name;
    username = name + (name.empty() ? "" : " ") + u.email + ", " + std::to_string(u.id);
  }
  return json{{"id", d.id},
              {"user", email},
              {"created_username", username},
              {"created_ago", ""},
              {"result", json::parse(d.result, nullptr, false)},
              {"lead_time", d.lead_time},
              {"was_postponed", false},
              {"import_id", nullptr},
              {"created_at", FormatIsoTime(d.created_at)},
              {"updated_at", FormatIsoTime(d.updated_at)},
              {"task", d.task_id},
              {"annotation", d.annotation_id ? json(*d.annotation_id) : json(nullptr)}};
}

Result<json> CallerDraftsJson(RequestContext& ctx, Id task_id) {
  json out = json::array();
  if (ctx.user_id() == 0) return out;
  TESSERA_ASSIGN_OR_RETURN(std::vector<Draft> drafts, ctx.store().ListDrafts(task_id, ctx.user_id()));
  for (const Draft& d : drafts) out.push_back(DraftJson(ctx, d));
  return out;
}

void RegisterDraftRoutes(Router& r) {
  r.Add("GET", "/api/tasks/{id}/drafts", Access::kAuthenticated, ListTaskDrafts);
  r.Add("POST", "/api/tasks/{id}/drafts", Access::kAuthenticated, CreateTaskDraft);
  r.Add("POST", "/api/annotations/{id}/drafts", Access::kAuthenticated, CreateAnnotationDraft);
  r.Add("GET", "/api/drafts/{id}", Access::kAuthenticated, GetDraft);
  r.Add("PATCH", "/api/drafts/{id}", Access::kAuthenticated, PatchDraft);
  r.Add("DELETE", "/api/drafts/{id}", Access::kAuthenticated, DeleteDraft);
}

}  // namespace tessera::server
