// Webhook events: the catalogue of actions (Label Studio's names) and the
// function that turns one event into outbox rows, one per webhook that wants
// it. Delivery is WebhookDispatcher's job (webhook_dispatcher.h).
//
// Thread-safety: the catalogue is immutable; EmitWebhookEvent may be called
// from any thread (the Store is thread-safe).
#ifndef TESSERA_SERVER_WEBHOOK_EVENTS_H_
#define TESSERA_SERVER_WEBHOOK_EVENTS_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "tessera/store.h"

namespace tessera::server {

struct WebhookActionInfo {
  const char* action;       // "ANNOTATION_CREATED"
  const char* name;         // "Annotation created"
  const char* description;  // one sentence: when it fires and what it carries
  const char* key;          // payload key of the object ("annotation", "tasks", ...)
  bool organization_only;   // only site-wide webhooks may subscribe
};

std::span<const WebhookActionInfo> WebhookActions();
// nullptr when `action` is not a known action name.
const WebhookActionInfo* FindWebhookAction(std::string_view action);
// "PROJECT_CREATED, PROJECT_UPDATED, ..." for error messages.
std::string WebhookActionList();

// Builds the event's objects, e.g. {"annotation": {...}, "task": {...}}.
// Called at most once, and only when some matching webhook sends payloads.
using WebhookPayloadFn = std::function<Result<nlohmann::json>()>;

// Writes one pending delivery per active webhook that wants `action`: the
// project's webhooks and the site-wide ones (only site-wide ones for
// organization-only actions). The body is Label Studio's: {"action": ...}
// followed by the payload's keys and, for events in a project, "project"
// (the project with its counters) unless the payload has it; webhooks with
// send_payload false get {"action": ...} alone. Returns how many rows it wrote.
Result<int> EmitWebhookEvent(Store& store, std::string_view action, Id project_id,
                             const WebhookPayloadFn& payload);

// True when some active webhook wants `action` in the project (to skip
// collecting ids for bulk events nobody listens to).
Result<bool> AnyWebhookWants(Store& store, std::string_view action, Id project_id);

// Tasks are sent in batches of this many per event (Label Studio's
// WEBHOOK_BATCH_SIZE default).
inline constexpr size_t kWebhookTaskBatch = 100;

class RequestContext;
// TASKS_CREATED with the tasks (Label Studio's task fields), in batches.
void EmitTasksCreated(RequestContext& ctx, Id project_id, std::span<const Id> task_ids);
// TASKS_DELETED with [{"id": ...}] per task, in batches.
void EmitTasksDeleted(RequestContext& ctx, Id project_id, std::span<const Id> task_ids);

// {"annotation": {...}, "task": {...}} for annotation events (Label Studio's
// fields; the task without its annotations).
Result<nlohmann::json> WebhookAnnotationPayload(Store& store, const Annotation& annotation);

// The project as webhook payloads show it (Label Studio's project fields
// and counters; created_by is the user id).
Result<nlohmann::json> WebhookProjectJson(Store& store, Id project_id);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_WEBHOOK_EVENTS_H_
