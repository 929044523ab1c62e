// The data manager (issue 9), in Label Studio's shapes:
//   GET/POST /api/dm/views                 saved views (tabs) of a project
//   GET/PATCH/PUT/DELETE /api/dm/views/{id}
//   DELETE /api/dm/views/reset?project=P   every view of the project
//   GET /api/dm/actions?project=P          the bulk actions
//   POST /api/dm/actions?id=A&project=P    runs one over selectedItems (all:
//                                          every task matching the filters,
//                                          search and view, minus excluded)
// Views are validated with the task list's filter checks (dm_query.h). Actions
// reuse the store's operations (ApplyTaskAction, AssignTasks,
// ReleaseTaskFlags); destructive ones are audited.
#include <algorithm>
#include <unordered_set>

#include "server/api/dm_query.h"
#include "server/api/selection.h"
#include "server/app.h"
#include "server/context.h"
#include "server/webhook_events.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

json ViewJson(const DmView& view) {
  json data = json::parse(view.data, nullptr, false);
  if (!data.is_object()) data = json::object();
  return json{{"id", view.id},
              {"project", view.project_id},
              {"user", view.user_id == 0 ? json() : json(view.user_id)},
              {"order", view.order},
              {"data", std::move(data)}};
}

Result<Id> ProjectParam(RequestContext& ctx) {
  TESSERA_ASSIGN_OR_RETURN(int64_t project, QueryInt(ctx.request(), "project", 0, 1, INT64_MAX));
  if (project == 0) {
    return Status::FieldInvalid("project", "query parameter project=<id> is required");
  }
  return project;
}

// The view named by {id}, with the caller's role in its project checked.
Result<DmView> LoadView(RequestContext& ctx, Role min) {
  TESSERA_ASSIGN_OR_RETURN(Id id, ctx.IdParam("id"));
  auto view = ctx.store().GetDmView(id);
  if (!view.ok()) return view.status();
  TESSERA_RETURN_IF_ERROR(ctx.RequireProjectRole(view->project_id, min));
  return view;
}

HttpResponse ListViews(RequestContext& ctx) {
  auto project = ProjectParam(ctx);
  if (!project.ok()) return ErrorResponse(project.status());
  Status s = ctx.RequireProjectRole(*project, Role::kAnnotator);
  if (!s.ok()) return ErrorResponse(s);
  auto views = ctx.store().ListDmViews(*project);
  if (!views.ok()) return ErrorResponse(views.status());
  json out = json::array();
  for (const DmView& v : *views) out.push_back(ViewJson(v));
  return JsonResponse(200, out);
}

HttpResponse CreateView(RequestContext& ctx) {
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  auto project = IntField(*body, "project", true);
  if (!project.ok()) return ErrorResponse(project.status());
  Status s = ctx.RequireProjectRole(*project, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  json data = body->contains("data") ? (*body)["data"] : json::object();
  s = ValidateViewData(data);
  if (!s.ok()) return ErrorResponse(s);
  DmView view;
  view.project_id = *project;
  view.user_id = ctx.user_id();
  view.data = data.dump();
  if (body->contains("order")) {
    auto order = IntField(*body, "order", false);
    if (!order.ok()) return ErrorResponse(order.status());
    view.order = *order;
  }
  s = ctx.store().CreateDmView(&view);
  if (!s.ok()) return ErrorResponse(s);
  return JsonResponse(201, ViewJson(view));
}

HttpResponse GetView(RequestContext& ctx) {
  auto view = LoadView(ctx, Role::kAnnotator);
  if (!view.ok()) return ErrorResponse(view.status());
  return JsonResponse(200, ViewJson(*view));
}

// PATCH merges data key by key; PUT replaces it.
HttpResponse UpdateView(RequestContext& ctx, bool replace) {
  auto view = LoadView(ctx, Role::kManager);
  if (!view.ok()) return ErrorResponse(view.status());
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  json data = json::parse(view->data, nullptr, false);
  if (!data.is_object() || replace) data = json::object();
  if (auto given = body->find("data"); given != body->end()) {
    if (!given->is_object()) {
      return ErrorResponse(Status::FieldInvalid("data", "data must be an object {\"title\", "
                                                        "\"filters\", \"ordering\", ...}"));
    }
    for (auto it = given->begin(); it != given->end(); ++it) data[it.key()] = it.value();
  } else if (replace) {
    return ErrorResponse(Status::FieldInvalid("data", "PUT needs the whole data object"));
  }
  Status s = ValidateViewData(data);
  if (!s.ok()) return ErrorResponse(s);
  if (body->contains("order")) {
    auto order = IntField(*body, "order", false);
    if (!order.ok()) return ErrorResponse(order.status());
    view->order = *order;
  }
  view->data = data.dump();
  s = ctx.store().UpdateDmView(*view);
  if (!s.ok()) return ErrorResponse(s);
  return JsonResponse(200, ViewJson(*view));
}

HttpResponse PatchView(RequestContext& ctx) { return UpdateView(ctx, false); }
HttpResponse PutView(RequestContext& ctx) { return UpdateView(ctx, true); }

HttpResponse DeleteView(RequestContext& ctx) {
  auto view = LoadView(ctx, Role::kManager);
  if (!view.ok()) return ErrorResponse(view.status());
  Status s = ctx.store().DeleteDmView(view->id);
  if (!s.ok()) return ErrorResponse(s);
  return NoContent();
}

HttpResponse ResetViews(RequestContext& ctx) {
  auto project = ProjectParam(ctx);
  if (!project.ok()) return ErrorResponse(project.status());
  Status s = ctx.RequireProjectRole(*project, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto deleted = ctx.store().DeleteDmViews(*project);
  if (!deleted.ok()) return ErrorResponse(deleted.status());
  ctx.Audit("dm.views_reset", *project, "project", *project, {{"views", *deleted}});
  return NoContent();
}

struct ActionInfo {
  const char* id;
  const char* title;
  const char* confirm;  // dialog text; nullptr: none
};

constexpr ActionInfo kActions[] = {
    {"delete_tasks", "Delete tasks", "You are about to delete the selected tasks."},
    {"delete_tasks_annotations", "Delete annotations",
     "You are about to delete all annotations of the selected tasks."},
    {"delete_tasks_predictions", "Delete predictions",
     "You are about to delete all predictions of the selected tasks."},
    {"assign", "Assign", nullptr},
    {"mark_ground_truth", "Mark as ground truth", nullptr},
    {"unmark_ground_truth", "Unmark ground truth", nullptr},
    {"send_to_review", "Send to review", nullptr},
    {"requeue", "Return to the labeling queue",
     "Locks and skips on the selected tasks are removed."},
    {"release_filtered", "Release pre-filtered tasks", nullptr},
};

std::string ActionNames() {
  std::string out;
  for (const ActionInfo& a : kActions) out += (out.empty() ? "" : ", ") + std::string(a.id);
  return out;
}

HttpResponse ListActions(RequestContext& ctx) {
  auto project = ProjectParam(ctx);
  if (!project.ok()) return ErrorResponse(project.status());
  Status s = ctx.RequireProjectRole(*project, Role::kAnnotator);
  if (!s.ok()) return ErrorResponse(s);
  json out = json::array();
  std::optional<Role> role = ctx.ProjectRole(*project);
  if (!ctx.is_admin() && !(role && *role >= Role::kManager)) return JsonResponse(200, out);
  int order = 0;
  for (const ActionInfo& a : kActions) {
    json item{{"id", a.id}, {"title", a.title}, {"order", ++order}};
    if (a.confirm) item["dialog"] = {{"text", a.confirm}, {"type", "confirm"}};
    out.push_back(std::move(item));
  }
  return JsonResponse(200, out);
}

// The task ids a request's selectedItems stand for.
Result<std::vector<Id>> SelectedTasks(RequestContext& ctx, Id project_id, const json& body) {
  TESSERA_ASSIGN_OR_RETURN(TaskSelection selection, ParseSelectedItems(body));
  if (!selection.all) return selection.ids;
  TESSERA_ASSIGN_OR_RETURN(DmQuery query, DmQueryFromBody(ctx, project_id, body));
  std::optional<std::map<Id, double>> agreements;
  TESSERA_ASSIGN_OR_RETURN(std::vector<Id> ids, MatchingTaskIds(ctx, query, &agreements));
  if (selection.ids.empty()) return ids;
  std::unordered_set<Id> excluded(selection.ids.begin(), selection.ids.end());
  std::erase_if(ids, [&](Id id) { return excluded.count(id) > 0; });
  return ids;
}

HttpResponse RunAction(RequestContext& ctx) {
  auto project = ProjectParam(ctx);
  if (!project.ok()) return ErrorResponse(project.status());
  std::string action = ctx.request().Query("id").value_or("");
  auto info = std::find_if(std::begin(kActions), std::end(kActions),
                           [&](const ActionInfo& a) { return action == a.id; });
  if (info == std::end(kActions)) {
    return ErrorResponse(Status::FieldInvalid(
        "id", "action id '" + action + "' is not one of: " + ActionNames()));
  }
  Status s = ctx.RequireProjectRole(*project, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  auto ids = SelectedTasks(ctx, *project, *body);
  if (!ids.ok()) return ErrorResponse(ids.status());
  int64_t processed = 0;
  std::string detail;
  if (action == "assign") {
    std::string type = "AN";
    if (body->contains("type")) {
      auto t = StringField(*body, "type", false, "AN");
      if (!t.ok()) return ErrorResponse(t.status());
      type = *t;
    }
    if (type != "AN" && type != "RE") {
      return ErrorResponse(Status::FieldInvalid(
          "type", "type '" + type + "' is not one of: AN (annotate), RE (review)"));
    }
    auto users = body->contains("users") ? IdList((*body)["users"], "users")
                                         : Result<std::vector<Id>>(std::vector<Id>{});
    if (!users.ok()) return ErrorResponse(users.status());
    if (users->empty()) {
      return ErrorResponse(Status::FieldInvalid("users", "users must list at least one user id"));
    }
    auto created = ctx.store().AssignTasks(*project, *ids, *users,
                                           type == "RE" ? AssignmentKind::kReview
                                                        : AssignmentKind::kAnnotate,
                                           ctx.user_id());
    if (!created.ok()) return ErrorResponse(created.status());
    processed = static_cast<int64_t>(ids->size());
    detail = std::to_string(*created) + " assignments created";
  } else if (action == "release_filtered") {
    TaskSelection selection;
    selection.ids = *ids;
    auto released = ctx.store().ReleaseTaskFlags(*project, selection, "");
    if (!released.ok()) return ErrorResponse(released.status());
    processed = *released;
    detail = std::to_string(processed) + " tasks released";
  } else {
    TaskAction kind = action == "delete_tasks"               ? TaskAction::kDeleteTasks
                      : action == "delete_tasks_annotations" ? TaskAction::kDeleteAnnotations
                      : action == "delete_tasks_predictions" ? TaskAction::kDeletePredictions
                      : action == "mark_ground_truth"        ? TaskAction::kMarkGroundTruth
                      : action == "unmark_ground_truth"      ? TaskAction::kUnmarkGroundTruth
                      : action == "send_to_review"           ? TaskAction::kSendToReview
                                                             : TaskAction::kRequeue;
    auto changed = ctx.store().ApplyTaskAction(*project, kind, *ids);
    if (!changed.ok()) return ErrorResponse(changed.status());
    processed = *changed;
    detail = std::to_string(processed) + " tasks changed";
    if (kind == TaskAction::kDeleteTasks) EmitTasksDeleted(ctx, *project, *ids);
  }
  bool destructive = action.starts_with("delete_") || action == "requeue" ||
                     action.find("ground_truth") != std::string::npos || action == "send_to_review";
  if (destructive || action == "release_filtered" || action == "assign") {
    ctx.Audit("dm." + action, *project, "project", *project,
              {{"selected", ids->size()}, {"processed", processed}});
  }
  return JsonResponse(200, json{{"processed_items", processed}, {"detail", detail}});
}

}  // namespace

void RegisterDataManagerRoutes(Router& r) {
  r.Add("GET", "/api/dm/views", Access::kAuthenticated, ListViews);
  r.Add("POST", "/api/dm/views", Access::kAuthenticated, CreateView);
  // Before /api/dm/views/{id}: the first matching pattern wins.
  r.Add("DELETE", "/api/dm/views/reset", Access::kAuthenticated, ResetViews);
  r.Add("GET", "/api/dm/views/{id}", Access::kAuthenticated, GetView);
  r.Add("PATCH", "/api/dm/views/{id}", Access::kAuthenticated, PatchView);
  r.Add("PUT", "/api/dm/views/{id}", Access::kAuthenticated, PutView);
  r.Add("DELETE", "/api/dm/views/{id}", Access::kAuthenticated, DeleteView);
  r.Add("GET", "/api/dm/actions", Access::kAuthenticated, ListActions);
  r.Add("POST", "/api/dm/actions", Access::kAuthenticated, RunAction);
}

}  // namespace tessera::server
