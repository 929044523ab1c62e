// Task distribution settings and controls of a project:
//   GET/PATCH /api/projects/{id}/workflow          overlap, order, lock time-out,
//                                                  skip policy, honeypot rate, blind mode
//   POST/DELETE /api/projects/{id}/tasks/assignees manual (bulk) assignment, LS's shape
//                                                  (selectedItems: the listed tasks, or
//                                                  all of them except the excluded)
//   GET /api/tasks/{id}/assignees                  who a task is assigned to (managers)
//   GET /api/projects/{id}/locks                   live task locks
//   POST /api/projects/{id}/tasks/priorities       priority scores for the priority order
#include <algorithm>

#include "server/api/selection.h"
#include "server/api/task_access.h"
#include "server/app.h"
#include "server/context.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

const char* const kSamplings[] = {"Sequential sampling", "Uniform sampling",
                                  "Uncertainty sampling"};

json WorkflowJson(const Project& p, const WorkflowSettings& s) {
  return json{{"maximum_annotations", p.maximum_annotations},
              {"sampling", p.sampling},
              {"lock_timeout_seconds", static_cast<double>(s.lock_timeout_ms) / 1000.0},
              {"skip_queue", SkipQueueName(s.skip_queue)},
              {"honeypot_rate", s.honeypot_rate},
              {"blind", s.blind}};
}

// Managers see who a task is assigned to, to annotate ("AN") or review ("RE").
HttpResponse TaskAssignees(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto task = LoadTask(ctx, *id, Role::kManager);
  if (!task.ok()) return ErrorResponse(task.status());
  auto assignments = ctx.store().ListAssignments(*id);
  if (!assignments.ok()) return ErrorResponse(assignments.status());
  json out = json::array();
  for (const TaskAssignment& a : *assignments) {
    out.push_back({{"user", a.user_id},
                   {"type", AssignmentKindName(a.kind)},
                   {"assigned_by", a.assigned_by},
                   {"created_at", FormatIsoTime(a.created_at)}});
  }
  return JsonResponse(200, out);
}

// DELETE /api/tasks/{id}/lock: gives back the caller's own reservation of
// the task, so someone else may have it before it expires (the labeling
// stream sends it for its prefetched task when the page closes). 204 whether
// or not the caller held one; other people's locks are never touched.
HttpResponse ReleaseLock(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto task = LoadTask(ctx, *id, Role::kAnnotator);
  if (!task.ok()) return ErrorResponse(task.status());
  Status s = ctx.store().ReleaseTaskLock(task->id, ctx.user_id());
  if (!s.ok()) return ErrorResponse(s);
  return NoContent();
}

HttpResponse GetWorkflow(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kAnnotator);
  if (!s.ok()) return ErrorResponse(s);
  auto project = ctx.store().GetProject(*id);
  if (!project.ok()) return ErrorResponse(project.status());
  auto settings = ctx.store().GetWorkflowSettings(*id);
  if (!settings.ok()) return ErrorResponse(settings.status());
  return JsonResponse(200, WorkflowJson(*project, *settings));
}

// Applies the fields present in `body`; each is checked and named on error.
Status ApplyWorkflowFields(const json& body, Project* p, WorkflowSettings* s) {
  if (body.contains("maximum_annotations")) {
    TESSERA_ASSIGN_OR_RETURN(int64_t n, IntField(body, "maximum_annotations", true));
    if (n < 1 || n > 1000) {
      return Status::FieldInvalid("maximum_annotations",
                                  "maximum_annotations must be from 1 to 1000, got " +
                                      std::to_string(n));
    }
    p->maximum_annotations = static_cast<int>(n);
  }
  if (body.contains("sampling")) {
    TESSERA_ASSIGN_OR_RETURN(std::string v, StringField(body, "sampling", true));
    if (std::find(std::begin(kSamplings), std::end(kSamplings), v) == std::end(kSamplings)) {
      return Status::FieldInvalid("sampling", "sampling '" + v +
                                                  "' is not one of: Sequential sampling (by id), "
                                                  "Uniform sampling (random), Uncertainty "
                                                  "sampling (by priority, highest first)");
    }
    p->sampling = v;
  }
  if (body.contains("lock_timeout_seconds")) {
    TESSERA_ASSIGN_OR_RETURN(double seconds, NumberField(body, "lock_timeout_seconds", 0));
    if (!(seconds >= 0.05 && seconds <= 7 * 24 * 3600)) {
      return Status::FieldInvalid("lock_timeout_seconds",
                                  "lock_timeout_seconds must be from 0.05 to 604800 (a week)");
    }
    s->lock_timeout_ms = static_cast<int64_t>(seconds * 1000.0);
  }
  if (body.contains("skip_queue")) {
    TESSERA_ASSIGN_OR_RETURN(std::string v, StringField(body, "skip_queue", true));
    auto parsed = ParseSkipQueue(ToLower(v));
    if (!parsed) {
      return Status::FieldInvalid("skip_queue", "skip_queue '" + v +
                                                    "' is not one of: requeue_for_others (a "
                                                    "skipped task goes to someone else), "
                                                    "ignore_skipped (a skip counts as done)");
    }
    s->skip_queue = *parsed;
  }
  if (body.contains("honeypot_rate")) {
    TESSERA_ASSIGN_OR_RETURN(double rate, NumberField(body, "honeypot_rate", 0));
    if (!(rate >= 0 && rate <= 1)) {
      return Status::FieldInvalid("honeypot_rate",
                                  "honeypot_rate must be from 0 to 1 (the share of served tasks "
                                  "that are ground-truth tasks)");
    }
    s->honeypot_rate = rate;
  }
  if (body.contains("blind")) {
    TESSERA_ASSIGN_OR_RETURN(s->blind, BoolField(body, "blind", true));
  }
  return Status::Ok();
}

HttpResponse PatchWorkflow(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  auto project = ctx.store().GetProject(*id);
  if (!project.ok()) return ErrorResponse(project.status());
  auto settings = ctx.store().GetWorkflowSettings(*id);
  if (!settings.ok()) return ErrorResponse(settings.status());
  Project before = *project;
  s = ApplyWorkflowFields(*body, &*project, &*settings);
  if (!s.ok()) return ErrorResponse(s);
  if (project->maximum_annotations != before.maximum_annotations ||
      project->sampling != before.sampling) {
    project->updated_at = NowMs();
    s = ctx.store().UpdateProject(*project);
    if (!s.ok()) return ErrorResponse(s);
  }
  s = ctx.store().SetWorkflowSettings(*id, *settings);
  if (!s.ok()) return ErrorResponse(s);
  return JsonResponse(200, WorkflowJson(*project, *settings));
}

struct AssignRequest {
  AssignmentKind kind = AssignmentKind::kAnnotate;
  std::vector<Id> users;
  TaskSelection tasks;
};

// Label Studio's body: {"type": "AN"|"RE", "users": [...], "selectedItems":
// {"all": false, "included": [task ids]} or {"all": true, "excluded": [task ids]}}.
Result<AssignRequest> ParseAssignRequest(const json& body, bool users_required) {
  AssignRequest req;
  TESSERA_ASSIGN_OR_RETURN(std::string type, StringField(body, "type", false, "AN"));
  if (type != "AN" && type != "RE") {
    return Status::FieldInvalid("type", "type '" + type +
                                            "' is not one of: AN (annotate), RE (review)");
  }
  req.kind = type == "RE" ? AssignmentKind::kReview : AssignmentKind::kAnnotate;
  if (auto users = body.find("users"); users != body.end()) {
    TESSERA_ASSIGN_OR_RETURN(req.users, IdList(*users, "users"));
  }
  if (users_required && req.users.empty()) {
    return Status::FieldInvalid("users", "users must list at least one user id");
  }
  TESSERA_ASSIGN_OR_RETURN(req.tasks, ParseSelectedItems(body));
  return req;
}

HttpResponse AssignTasks(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  auto req = ParseAssignRequest(*body, /*users_required=*/true);
  if (!req.ok()) return ErrorResponse(req.status());
  auto counts =
      ctx.store().AssignSelection(*id, req->tasks, req->users, req->kind, ctx.user_id());
  if (!counts.ok()) return ErrorResponse(counts.status());
  return JsonResponse(201, json{{"assignments", counts->assignments},
                                {"tasks", counts->tasks},
                                {"users", req->users.size()},
                                {"type", AssignmentKindName(req->kind)}});
}

HttpResponse UnassignTasks(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  auto req = ParseAssignRequest(*body, /*users_required=*/false);
  if (!req.ok()) return ErrorResponse(req.status());
  auto counts = ctx.store().UnassignSelection(*id, req->tasks, req->users, req->kind);
  if (!counts.ok()) return ErrorResponse(counts.status());
  return JsonResponse(200, json{{"removed", counts->assignments}, {"tasks", counts->tasks}});
}

HttpResponse ListLocks(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto locks = ctx.store().ListTaskLocks(*id, NowMs());
  if (!locks.ok()) return ErrorResponse(locks.status());
  json out = json::array();
  for (const TaskLock& l : *locks) {
    out.push_back(json{{"task", l.task_id},
                       {"user", l.user_id},
                       {"created_at", FormatIsoTime(l.created_at)},
                       {"expires_at", FormatIsoTime(l.expires_at)}});
  }
  return JsonResponse(200, out);
}

// {"priorities": [{"task": <id>, "priority": <number>}, ...]}
HttpResponse SetPriorities(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  auto list = body->find("priorities");
  if (list == body->end() || !list->is_array()) {
    return ErrorResponse(Status::FieldInvalid(
        "priorities", "priorities must be a list of {\"task\": <id>, \"priority\": <number>}"));
  }
  std::vector<std::pair<Id, double>> priorities;
  for (const json& item : *list) {
    if (!item.is_object()) {
      return ErrorResponse(Status::FieldInvalid(
          "priorities", "each priority must be {\"task\": <id>, \"priority\": <number>}"));
    }
    auto task = IntField(item, "task", true);
    if (!task.ok()) return ErrorResponse(Status::FieldInvalid("priorities", task.status().message()));
    auto priority = NumberField(item, "priority", 0);
    if (!priority.ok()) {
      return ErrorResponse(Status::FieldInvalid("priorities", priority.status().message()));
    }
    priorities.emplace_back(*task, *priority);
  }
  s = ctx.store().SetTaskPriorities(*id, priorities);
  if (s.code() == Code::kNotFound) return ErrorResponse(Status::FieldInvalid("priorities", s.message()));
  if (!s.ok()) return ErrorResponse(s);
  return JsonResponse(200, json{{"updated", priorities.size()}});
}

}  // namespace

void RegisterWorkflowRoutes(Router& r) {
  r.Add("GET", "/api/projects/{id}/workflow", Access::kAuthenticated, GetWorkflow);
  r.Add("PATCH", "/api/projects/{id}/workflow", Access::kAuthenticated, PatchWorkflow);
  r.Add("POST", "/api/projects/{id}/tasks/assignees", Access::kAuthenticated, AssignTasks);
  r.Add("DELETE", "/api/projects/{id}/tasks/assignees", Access::kAuthenticated, UnassignTasks);
  r.Add("GET", "/api/projects/{id}/locks", Access::kAuthenticated, ListLocks);
  r.Add("GET", "/api/tasks/{id}/assignees", Access::kAuthenticated, TaskAssignees);
  r.Add("DELETE", "/api/tasks/{id}/lock", Access::kAuthenticated, ReleaseLock);
  r.Add("POST", "/api/projects/{id}/tasks/priorities", Access::kAuthenticated, SetPriorities);
}

}  // namespace tessera::server
