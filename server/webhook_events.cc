#include "server/webhook_events.h"

#include <algorithm>
#include <vector>

#include "server/api/views.h"
#include "server/app.h"
#include "server/context.h"
#include "server/request_log.h"
#include "tessera/ls_json.h"

namespace tessera::server {

using nlohmann::json;

namespace {

// Label Studio's action names and payload keys (webhooks/models.py);
// REVIEW_CREATED is Label Studio Enterprise's name for the same event.
constexpr WebhookActionInfo kActions[] = {
    {"PROJECT_CREATED", "Project created",
     "A project was created; carries the project.", "project", true},
    {"PROJECT_UPDATED", "Project updated",
     "A project's settings changed; carries the project.", "project", false},
    {"PROJECT_DELETED", "Project deleted",
     "A project was deleted; carries {\"id\"} of the project.", "project", true},
    {"TASKS_CREATED", "Task created",
     "Tasks were imported or created; carries them (in batches of up to 100) and the project.",
     "tasks", false},
    {"TASKS_DELETED", "Task deleted",
     "Tasks were deleted; carries their ids (in batches of up to 100) and the project.", "tasks",
     false},
    {"ANNOTATION_CREATED", "Annotation created",
     "An annotation (or a skip) was submitted; carries it, its task and the project.",
     "annotation", false},
    {"ANNOTATIONS_CREATED", "Annotations created",
     "Label Studio sends this when predictions are turned into annotations in bulk; Tessera has "
     "no such bulk action yet, so it never fires (subscribing is allowed for compatibility).",
     "annotation", false},
    {"ANNOTATION_UPDATED", "Annotation updated",
     "An annotation was changed; carries it, its task and the project.", "annotation", false},
    {"ANNOTATIONS_DELETED", "Annotation deleted",
     "An annotation was deleted; carries its id and the project.", "annotations", false},
    {"REVIEW_CREATED", "Review created",
     "A reviewer accepted, rejected or fixed an annotation; carries the review, the annotation, "
     "its task and the project.",
     "review", false},
};

}  // namespace

std::span<const WebhookActionInfo> WebhookActions() { return kActions; }

const WebhookActionInfo* FindWebhookAction(std::string_view action) {
  for (const WebhookActionInfo& info : kActions) {
    if (action == info.action) return &info;
  }
  return nullptr;
}

std::string WebhookActionList() {
  std::string out;
  for (const WebhookActionInfo& info : kActions) {
    if (!out.empty()) out += ", ";
    out += info.action;
  }
  return out;
}

Result<json> WebhookProjectJson(Store& store, Id project_id) {
  TESSERA_ASSIGN_OR_RETURN(Project project, store.GetProject(project_id));
  TESSERA_ASSIGN_OR_RETURN(ProjectStats stats, store.GetProjectStats(project_id));
  json out = ProjectJson(store, project, stats);
  // Label Studio's webhook serializer prints every model field, so references
  // are ids rather than the API's nested objects.
  out["created_by"] = project.created_by == 0 ? json(nullptr) : json(project.created_by);
  return out;
}

Result<json> WebhookAnnotationPayload(Store& store, const Annotation& annotation) {
  TESSERA_ASSIGN_OR_RETURN(Task task, store.GetTask(annotation.task_id));
  return json{{"annotation", AnnotationToJson(annotation)}, {"task", TaskToJson(task)}};
}

Result<int> EmitWebhookEvent(Store& store, std::string_view action, Id project_id,
                             const WebhookPayloadFn& payload) {
  const WebhookActionInfo* info = FindWebhookAction(action);
  if (info == nullptr) return Status::Internal("unknown webhook action " + std::string(action));
  WebhookQuery query;
  query.active_only = true;
  if (info->organization_only || project_id == 0) {
    query.site_wide_only = true;
  } else {
    query.project_id = project_id;
    query.include_site_wide = true;
  }
  TESSERA_ASSIGN_OR_RETURN(std::vector<Webhook> hooks, store.ListWebhooks(query));
  std::erase_if(hooks, [&](const Webhook& w) {
    return !w.send_for_all_actions &&
           std::find(w.actions.begin(), w.actions.end(), action) == w.actions.end();
  });
  if (hooks.empty()) return 0;

  const std::string bare = json{{"action", std::string(action)}}.dump();
  std::string full;
  if (std::any_of(hooks.begin(), hooks.end(), [](const Webhook& w) { return w.send_payload; })) {
    TESSERA_ASSIGN_OR_RETURN(json objects, payload());
    if (project_id != 0 && !objects.contains("project")) {
      TESSERA_ASSIGN_OR_RETURN(objects["project"], WebhookProjectJson(store, project_id));
    }
    // {"action": ...} first, then the objects, as Label Studio builds it.
    std::string rest = objects.dump(-1, ' ', false, json::error_handler_t::replace);
    full = bare;
    if (rest.size() > 2) {
      full.pop_back();
      full += "," + rest.substr(1);
    }
  }
  std::vector<WebhookDelivery> rows;
  rows.reserve(hooks.size());
  for (const Webhook& w : hooks) {
    WebhookDelivery d;
    d.webhook_id = w.id;
    d.action = std::string(action);
    d.payload = w.send_payload ? full : bare;
    rows.push_back(std::move(d));
  }
  TESSERA_RETURN_IF_ERROR(store.EnqueueWebhookDeliveries(rows));
  return static_cast<int>(rows.size());
}

Result<bool> AnyWebhookWants(Store& store, std::string_view action, Id project_id) {
  const WebhookActionInfo* info = FindWebhookAction(action);
  if (info == nullptr) return Status::Internal("unknown webhook action " + std::string(action));
  WebhookQuery query;
  query.active_only = true;
  query.site_wide_only = info->organization_only || project_id == 0;
  query.project_id = project_id;
  query.include_site_wide = true;
  TESSERA_ASSIGN_OR_RETURN(std::vector<Webhook> hooks, store.ListWebhooks(query));
  return std::any_of(hooks.begin(), hooks.end(), [&](const Webhook& w) {
    return w.send_for_all_actions ||
           std::find(w.actions.begin(), w.actions.end(), action) != w.actions.end();
  });
}

void EmitTasksCreated(RequestContext& ctx, Id project_id, std::span<const Id> task_ids) {
  for (size_t begin = 0; begin < task_ids.size(); begin += kWebhookTaskBatch) {
    std::span<const Id> batch = task_ids.subspan(begin, std::min(kWebhookTaskBatch, task_ids.size() - begin));
    ctx.EmitWebhook("TASKS_CREATED", project_id, [&]() -> Result<json> {
      json tasks = json::array();
      for (Id task_id : batch) {
        auto task = ctx.store().GetTask(task_id);
        if (task.ok()) tasks.push_back(TaskToJson(*task));  // deleted meanwhile: left out
      }
      return json{{"tasks", std::move(tasks)}};
    });
  }
}

void EmitTasksDeleted(RequestContext& ctx, Id project_id, std::span<const Id> task_ids) {
  for (size_t begin = 0; begin < task_ids.size(); begin += kWebhookTaskBatch) {
    std::span<const Id> batch = task_ids.subspan(begin, std::min(kWebhookTaskBatch, task_ids.size() - begin));
    ctx.EmitWebhook("TASKS_DELETED", project_id, [&]() -> Result<json> {
      json tasks = json::array();
      for (Id task_id : batch) tasks.push_back(json{{"id", task_id}});
      return json{{"tasks", std::move(tasks)}};
    });
  }
}

void RequestContext::EmitWebhook(std::string_view action, Id project_id,
                                 const WebhookPayloadFn& payload) {
  auto written = EmitWebhookEvent(store(), action, project_id, payload);
  if (!written.ok()) {
    LogError(request_.request_id,
             "webhooks: " + std::string(action) + ": " + written.status().ToString());
    return;
  }
  if (*written > 0) app_.WakeWebhookDelivery();
}

}  // namespace tessera::server
