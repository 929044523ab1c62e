// /api/tasks and /api/projects/{id}/next.
#include <algorithm>
#include <map>

#include "server/api/dm_query.h"
#include "server/api/task_access.h"
#include "server/app.h"
#include "server/webhook_events.h"
#include "tessera/ls_json.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

HttpResponse ListTasks(RequestContext& ctx) {
  const HttpRequest& req = ctx.request();
  auto project = QueryInt(req, "project", 0, 1, INT64_MAX);
  if (!project.ok()) return ErrorResponse(project.status());
  if (*project == 0) {
    return ErrorResponse(Status::FieldInvalid("project",
                                              "query parameter project=<id> is required"));
  }
  auto page = QueryInt(req, "page", 1, 1, INT32_MAX);
  if (!page.ok()) return ErrorResponse(page.status());
  auto page_size = QueryInt(req, "page_size", 100, 1, 10000);
  if (!page_size.ok()) return ErrorResponse(page_size.status());
  Status s = ctx.RequireProjectRole(*project, Role::kAnnotator);
  if (!s.ok()) return ErrorResponse(s);
  auto dm = DmQueryFromRequest(ctx, *project);
  if (!dm.ok()) return ErrorResponse(dm.status());
  // Agreement is shown to reviewers and up (as /agreement), so only they
  // may filter or sort by it.
  std::optional<Role> role = ctx.ProjectRole(*project);
  bool reviewer = ctx.is_admin() || (role && *role >= Role::kReviewer);
  if (!reviewer && UsesAgreement(*dm)) {
    return ErrorResponse(Status::PermissionDenied(
        "filtering or sorting by agreement needs the reviewer role or above"));
  }
  std::optional<std::map<Id, double>> agreements;
  s = ResolveDmQuery(ctx, &*dm, &agreements);
  if (!s.ok()) return ErrorResponse(s);
  TaskQuery q = dm->task_query;
  q.offset = (*page - 1) * *page_size;
  q.limit = *page_size;
  int64_t total = 0;
  std::vector<Task> tasks;
  if (dm->order_by_agreement) {
    // Agreement is not in the database: order every matching id in memory,
    // then load the page's tasks.
    auto ids = MatchingTaskIds(ctx, *dm, &agreements);
    if (!ids.ok()) return ErrorResponse(ids.status());
    total = static_cast<int64_t>(ids->size());
    if (q.offset < total) {
      auto first = ids->begin() + q.offset;
      auto last = ids->begin() + std::min<int64_t>(total, q.offset + q.limit);
      TaskQuery page_query;
      page_query.project_id = *project;
      page_query.limit = q.limit;
      page_query.only_ids = std::vector<Id>(first, last);
      auto loaded = ctx.store().ListTasks(page_query);
      if (!loaded.ok()) return ErrorResponse(loaded.status());
      std::map<Id, Task> by_id;
      for (Task& t : *loaded) by_id.emplace(t.id, std::move(t));
      for (auto it = first; it != last; ++it) {
        if (auto found = by_id.find(*it); found != by_id.end()) tasks.push_back(std::move(found->second));
      }
    }
  } else {
    auto counted = ctx.store().CountTasks(q);
    if (!counted.ok()) return ErrorResponse(counted.status());
    total = *counted;
    if (!(*page > 1 && q.offset >= total)) {
      auto loaded = ctx.store().ListTasks(q);
      if (!loaded.ok()) return ErrorResponse(loaded.status());
      tasks = std::move(*loaded);
    }
  }
  if (*page > 1 && q.offset >= total) {
    return ErrorResponse(404, "page " + std::to_string(*page) + " is past the last page (" +
                                  std::to_string(total) + " tasks, page_size " +
                                  std::to_string(*page_size) + ")");
  }
  // The data manager's computed columns. Agreement is shown to reviewers and
  // up (as /agreement); in blind mode an annotator sees only themself among
  // the annotators.
  std::vector<Id> page_ids;
  for (const Task& t : tasks) page_ids.push_back(t.id);
  auto columns = ctx.store().ListTaskColumns(page_ids);
  if (!columns.ok()) return ErrorResponse(columns.status());
  std::map<Id, const TaskColumns*> columns_of;
  for (const TaskColumns& c : *columns) columns_of[c.task_id] = &c;
  if (reviewer && !agreements) {
    auto scores = PageAgreements(ctx, *project, page_ids);
    if (!scores.ok()) return ErrorResponse(scores.status());
    agreements = std::move(*scores);
  }
  bool sees_others = SeesOthersAnnotations(ctx, *project);
  bool task_only = req.Query("fields").value_or("all") == "task_only";
  json list = json::array();
  int64_t total_annotations = 0, total_predictions = 0;
  for (const Task& t : tasks) {
    total_annotations += t.total_annotations;
    total_predictions += t.total_predictions;
    json j;
    if (task_only) {
      j = TaskToJson(t);
    } else {
      auto full = TaskWithChildrenJson(ctx, t);
      if (!full.ok()) return ErrorResponse(full.status());
      j = std::move(*full);
    }
    j["cancelled_annotations"] = t.cancelled_annotations;
    j["agreement"] = nullptr;
    if (reviewer && agreements) {
      if (auto it = agreements->find(t.id); it != agreements->end()) j["agreement"] = it->second;
    }
    auto c = columns_of.find(t.id);
    TaskColumns empty;
    const TaskColumns& col = c != columns_of.end() ? *c->second : empty;
    json annotators = json::array();
    for (Id user : col.annotators) {
      if (sees_others || user == ctx.user_id()) annotators.push_back(user);
    }
    j["annotators"] = std::move(annotators);
    j["guideline_versions"] = col.guideline_versions;
    j["prefilter_flags"] = col.prefilter_flags;
    j["predictions_score"] = col.predictions_score ? json(*col.predictions_score) : json();
    j["completed_at"] = col.completed_at ? json(FormatIsoTime(*col.completed_at)) : json();
    j["reviews_accepted"] = col.reviews_accepted;
    j["reviews_rejected"] = col.reviews_rejected;
    j["ground_truth"] = col.ground_truth;
    list.push_back(std::move(j));
  }
  return JsonResponse(200, json{{"tasks", list},
                                {"total", total},
                                {"total_annotations", total_annotations},
                                {"total_predictions", total_predictions}});
}

HttpResponse CreateTask(RequestContext& ctx) {
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  auto project = IntField(*body, "project", true);
  if (!project.ok()) return ErrorResponse(project.status());
  Status s = ctx.RequireProjectRole(*project, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto data = body->find("data");
  if (data == body->end() || !data->is_object()) {
    return ErrorResponse(Status::FieldInvalid("data", "data must be a JSON object of task fields, "
                                                      "e.g. {\"image\": \"/data/upload/1/a.jpg\"}"));
  }
  NewTask nt;
  nt.data = data->dump();
  if (auto meta = body->find("meta"); meta != body->end() && meta->is_object()) nt.meta = meta->dump();
  auto import_id = ctx.store().BeginImport(*project, ctx.user_id(), "api");
  if (!import_id.ok()) return ErrorResponse(import_id.status());
  std::vector<Id> ids;
  s = ctx.store().InsertTasks(*project, *import_id, std::span<const NewTask>(&nt, 1), &ids);
  if (!s.ok()) {
    ctx.store().AbortImport(*import_id, s.message());
    return ErrorResponse(s);
  }
  ctx.store().FinishImport(*import_id, 1, 0, 0);
  auto task = ctx.store().GetTask(ids.at(0));
  if (!task.ok()) return ErrorResponse(task.status());
  EmitTasksCreated(ctx, *project, ids);
  return JsonResponse(201, TaskToJson(*task));
}

HttpResponse GetTask(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto task = LoadTask(ctx, *id, Role::kAnnotator);
  if (!task.ok()) return ErrorResponse(task.status());
  auto j = TaskWithChildrenJson(ctx, *task);
  if (!j.ok()) return ErrorResponse(j.status());
  return JsonResponse(200, *j);
}

HttpResponse PatchTask(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto task = LoadTask(ctx, *id, Role::kManager);
  if (!task.ok()) return ErrorResponse(task.status());
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  if (auto data = body->find("data"); data != body->end()) {
    if (!data->is_object()) {
      return ErrorResponse(Status::FieldInvalid("data", "data must be a JSON object"));
    }
    task->data = data->dump();
  }
  if (auto meta = body->find("meta"); meta != body->end()) {
    if (!meta->is_object()) {
      return ErrorResponse(Status::FieldInvalid("meta", "meta must be a JSON object"));
    }
    task->meta = meta->dump();
  }
  task->updated_at = NowMs();
  Status s = ctx.store().UpdateTask(*task);
  if (!s.ok()) return ErrorResponse(s);
  auto j = TaskWithChildrenJson(ctx, *task);
  if (!j.ok()) return ErrorResponse(j.status());
  return JsonResponse(200, *j);
}

HttpResponse DeleteTask(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto task = LoadTask(ctx, *id, Role::kManager);
  if (!task.ok()) return ErrorResponse(task.status());
  Status s = ctx.store().DeleteTask(*id);
  if (!s.ok()) return ErrorResponse(s);
  ctx.Audit("task.delete", task->project_id, "task", *id);
  EmitTasksDeleted(ctx, task->project_id, std::span<const Id>(&*id, 1));
  return NoContent();
}

HttpResponse DeleteProjectTasks(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  // The ids are collected only when a webhook listens (a project may hold millions).
  std::vector<Id> deleted;
  if (auto wanted = AnyWebhookWants(ctx.store(), "TASKS_DELETED", *id); wanted.ok() && *wanted) {
    TaskQuery page;
    page.project_id = *id;
    page.limit = 10000;
    while (true) {
      auto tasks = ctx.store().ListTasks(page);
      if (!tasks.ok() || tasks->empty()) break;
      for (const Task& t : *tasks) deleted.push_back(t.id);
      page.after_id = tasks->back().id;
    }
  }
  s = ctx.store().DeleteAllTasks(*id);
  if (!s.ok()) return ErrorResponse(s);
  ctx.Audit("task.delete_all", *id, "project", *id);
  EmitTasksDeleted(ctx, *id, deleted);
  return NoContent();
}

HttpResponse NextTask(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kAnnotator);
  if (!s.ok()) return ErrorResponse(s);
  // ?exclude=<task id>: the task the caller has on screen; the stream asks
  // for the one after it ahead of time (prefetch). It is reserved like any
  // other, and after the submit the held-lock rule hands it out again.
  auto exclude = QueryInt(ctx.request(), "exclude", 0, 1, INT64_MAX);
  if (!exclude.ok()) return ErrorResponse(exclude.status());
  // Annotators and reviewers acknowledge the latest guideline before their
  // next task (managers publish it, so they are not held).
  if (std::optional<Role> role = ctx.ProjectRole(*id); !ctx.is_admin() && role &&
                                                       *role < Role::kManager) {
    auto guideline = ctx.store().GetGuidelineStatus(*id, ctx.user_id());
    if (!guideline.ok()) return ErrorResponse(guideline.status());
    if (guideline->acknowledged < guideline->latest) {
      std::string v = std::to_string(guideline->latest);
      std::string base = "/api/projects/" + std::to_string(*id) + "/guidelines/" + v;
      return JsonResponse(428, json{{"detail", "guideline version " + v +
                                                   " was published: read it and acknowledge it "
                                                   "(POST " + base + "/acknowledge) before your "
                                                   "next task"},
                                    {"status_code", 428},
                                    {"code", "guideline_acknowledgement_required"},
                                    {"guideline_version", guideline->latest},
                                    {"acknowledged_version", guideline->acknowledged},
                                    {"guideline_url", base},
                                    {"acknowledge_url", base + "/acknowledge"}});
    }
  }
  auto task = ctx.store().NextTask(*id, ctx.user_id(), *exclude);
  if (!task.ok()) {
    if (task.status().code() == Code::kNotFound) {
      return ErrorResponse(404, "no more tasks to label in project " + std::to_string(*id) +
                                    " for you: every task has enough annotations, is reserved "
                                    "by other annotators, or you have already annotated or "
                                    "skipped it");
    }
    return ErrorResponse(task.status());
  }
  TaskBundle bundle;
  bundle.task = *task;
  auto predictions = ctx.store().ListPredictions(task->id);
  if (!predictions.ok()) return ErrorResponse(predictions.status());
  bundle.predictions = std::move(*predictions);
  auto annotations = ctx.store().ListAnnotations(task->id);
  if (!annotations.ok()) return ErrorResponse(annotations.status());
  // The labeling stream is always blind: it shows predictions and the
  // caller's own annotations (a rejected one comes back with the reviewer's
  // comment), never other people's. Honeypots look like any other task.
  json out = TaskBundleToJson(bundle);
  json own = json::array();
  for (const Annotation& a : *annotations) {
    if (a.completed_by == ctx.user_id() && !a.ground_truth) {
      own.push_back(AnnotationJsonWithAuthor(ctx, a));
    }
  }
  // Counters would give a honeypot away (its ground truth counts); show the
  // caller's view only.
  out["total_annotations"] = own.size();
  out["cancelled_annotations"] = 0;
  out["is_labeled"] = false;
  out["annotations"] = std::move(own);
  auto drafts = CallerDraftsJson(ctx, task->id);  // reload-safe: work in progress comes back
  if (!drafts.ok()) return ErrorResponse(drafts.status());
  out["drafts"] = std::move(*drafts);
  return JsonResponse(200, out);
}

}  // namespace

void RegisterTaskRoutes(Router& r) {
  r.Add("GET", "/api/tasks", Access::kAuthenticated, ListTasks);
  r.Add("POST", "/api/tasks", Access::kAuthenticated, CreateTask);
  r.Add("GET", "/api/tasks/{id}", Access::kAuthenticated, GetTask);
  r.Add("PATCH", "/api/tasks/{id}", Access::kAuthenticated, PatchTask);
  r.Add("DELETE", "/api/tasks/{id}", Access::kAuthenticated, DeleteTask);
  r.Add("DELETE", "/api/projects/{id}/tasks", Access::kAuthenticated, DeleteProjectTasks);
  r.Add("GET", "/api/projects/{id}/next", Access::kAuthenticated, NextTask);
}

}  // namespace tessera::server
