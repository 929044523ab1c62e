// Webhooks (issue 9), in Label Studio's API shape:
//   GET/POST /api/webhooks (?project=<id> or ?project=isnull), GET /api/webhooks/info,
//   GET/PATCH/DELETE /api/webhooks/{id}, GET /api/webhooks/{id}/deliveries.
// A project webhook is managed by the project's managers and owners; a
// site-wide one (project null) by site admins. The secret that signs
// deliveries is generated here and shown once, in the POST reply.
#include <algorithm>
#include <cctype>
#include <limits>
#include <set>

#include "server/app.h"
#include "server/context.h"
#include "server/net/http_client.h"
#include "server/webhook_events.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

constexpr size_t kMaxUrl = 2048;
constexpr size_t kMaxHeaders = 10;

json WebhookJson(const Webhook& w) {
  json headers = json::parse(w.headers, nullptr, false);
  if (!headers.is_object()) headers = json::object();
  return json{{"id", w.id},
              {"organization", 1},
              {"project", w.project_id == 0 ? json(nullptr) : json(w.project_id)},
              {"url", w.url},
              {"send_payload", w.send_payload},
              {"send_for_all_actions", w.send_for_all_actions},
              {"headers", std::move(headers)},
              {"is_active", w.is_active},
              {"actions", w.actions},
              {"created_at", FormatIsoTime(w.created_at)},
              {"updated_at", FormatIsoTime(w.updated_at)}};
}

json DeliveryJson(const WebhookDelivery& d) {
  json payload = json::parse(d.payload, nullptr, false);
  if (payload.is_discarded()) payload = d.payload;
  return json{{"id", d.id},
              {"webhook", d.webhook_id},
              {"action", d.action},
              {"status", DeliveryStatusName(d.status)},
              {"attempts", d.attempts},
              {"next_attempt_at",
               d.status == DeliveryStatus::kPending ? json(FormatIsoTime(d.next_attempt_at))
                                                    : json(nullptr)},
              {"last_status_code", d.last_status_code == 0 ? json(nullptr) : json(d.last_status_code)},
              {"last_error", d.last_error},
              {"created_at", FormatIsoTime(d.created_at)},
              {"delivered_at", d.delivered_at == 0 ? json(nullptr) : json(FormatIsoTime(d.delivered_at))},
              {"payload", std::move(payload)}};
}

// Project webhooks: manager or owner of the project (404 to non-members).
// Site-wide ones: site admins.
Status RequireWebhookAccess(RequestContext& ctx, Id project_id) {
  if (project_id != 0) return ctx.RequireProjectRole(project_id, Role::kManager);
  if (!ctx.is_admin()) {
    return Status::PermissionDenied(
        "site-wide webhooks (project null) are managed by site administrators; give a project "
        "you manage");
  }
  return Status::Ok();
}

Result<Webhook> LoadWebhook(RequestContext& ctx) {
  TESSERA_ASSIGN_OR_RETURN(Id id, ctx.IdParam("id"));
  auto hook = ctx.store().GetWebhook(id);
  if (!hook.ok()) return hook.status();
  Status s = RequireWebhookAccess(ctx, hook->project_id);
  if (s.code() == Code::kNotFound) return Status::NotFound("webhook " + std::to_string(id) + " not found");
  TESSERA_RETURN_IF_ERROR(s);
  return hook;
}

bool ValidHeaderName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
  });
}

// Applies the writable fields present in `body` to `hook` (all but project).
Status ApplyFields(const json& body, Webhook* hook, bool creating) {
  if (creating || body.contains("url")) {
    TESSERA_ASSIGN_OR_RETURN(std::string url, StringField(body, "url", true));
    if (url.size() > kMaxUrl) {
      return Status::FieldInvalid("url", "url must be at most 2048 characters");
    }
    auto parsed = ParseHttpUrl(url);
    if (!parsed.ok()) {
      return Status::FieldInvalid("url", "url must be an http:// or https:// URL with a host: " +
                                             parsed.status().message());
    }
    hook->url = url;
  }
  TESSERA_ASSIGN_OR_RETURN(hook->send_payload, BoolField(body, "send_payload", hook->send_payload));
  TESSERA_ASSIGN_OR_RETURN(hook->send_for_all_actions,
                           BoolField(body, "send_for_all_actions", hook->send_for_all_actions));
  TESSERA_ASSIGN_OR_RETURN(hook->is_active, BoolField(body, "is_active", hook->is_active));
  if (auto it = body.find("actions"); it != body.end() && !it->is_null()) {
    const std::string allowed = "allowed values: " + WebhookActionList();
    if (!it->is_array()) {
      return Status::FieldInvalid("actions", "actions must be a list of action names; " + allowed);
    }
    std::vector<std::string> actions;
    for (const json& item : *it) {
      const WebhookActionInfo* info = item.is_string() ? FindWebhookAction(item.get<std::string>()) : nullptr;
      if (info == nullptr) {
        return Status::FieldInvalid("actions", "unknown action " + item.dump() + "; " + allowed);
      }
      if (info->organization_only && hook->project_id != 0) {
        return Status::FieldInvalid(
            "actions", std::string(info->action) +
                           " is organization-only: only a site-wide webhook (project null) can "
                           "subscribe to it");
      }
      if (std::find(actions.begin(), actions.end(), info->action) == actions.end()) {
        actions.push_back(info->action);
      }
    }
    hook->actions = std::move(actions);
  }
  if (auto it = body.find("headers"); it != body.end() && !it->is_null()) {
    if (!it->is_object()) {
      return Status::FieldInvalid("headers", "headers must be an object of header names to string "
                                             "values, e.g. {\"Authorization\": \"Bearer ...\"}");
    }
    if (it->size() > kMaxHeaders) {
      return Status::FieldInvalid("headers", "headers may have at most 10 entries");
    }
    static const std::set<std::string> kReserved = {"host", "content-length", "content-type",
                                                    "connection", "transfer-encoding",
                                                    "x-tessera-signature", "x-tessera-delivery"};
    for (const auto& [name, value] : it->items()) {
      if (!ValidHeaderName(name)) {
        return Status::FieldInvalid("headers", "header name '" + name +
                                                   "' may use only letters, digits, '-' and '_'");
      }
      if (kReserved.count(ToLower(name)) > 0) {
        return Status::FieldInvalid("headers", "header " + name + " is set by Tessera and cannot "
                                               "be replaced");
      }
      if (!value.is_string()) {
        return Status::FieldInvalid("headers", "header " + name + " must have a string value, got " +
                                                   value.type_name());
      }
      const std::string& text = value.get_ref<const std::string&>();
      if (text.size() > 4096 ||
          std::any_of(text.begin(), text.end(), [](char ch) { return ch == '\r' || ch == '\n' || ch == '\0'; })) {
        return Status::FieldInvalid("headers", "header " + name +
                                                   " must be one line of at most 4096 characters");
      }
    }
    hook->headers = it->dump();
  }
  return Status::Ok();
}

// ?project=<id> or ?project=isnull (Label Studio's filter for site-wide ones).
HttpResponse ListWebhooks(RequestContext& ctx) {
  WebhookQuery query;
  auto project = ctx.request().Query("project");
  if (project && *project == "isnull") {
    query.site_wide_only = true;
  } else {
    auto id = QueryInt(ctx.request(), "project", 0, 1, std::numeric_limits<int64_t>::max());
    if (!id.ok()) {
      return ErrorResponse(Status::FieldInvalid(
          "project", "query parameter project must be a project id or 'isnull' (site-wide)"));
    }
    query.project_id = *id;
    if (*id != 0) {
      Status s = ctx.RequireProjectRole(*id, Role::kManager);
      if (!s.ok()) return ErrorResponse(s);
    }
  }
  auto hooks = ctx.store().ListWebhooks(query);
  if (!hooks.ok()) return ErrorResponse(hooks.status());
  json out = json::array();
  std::map<Id, bool> allowed;  // project -> may the caller see its webhooks
  for (const Webhook& w : *hooks) {
    auto it = allowed.find(w.project_id);
    if (it == allowed.end()) {
      it = allowed.emplace(w.project_id, RequireWebhookAccess(ctx, w.project_id).ok()).first;
    }
    if (it->second) out.push_back(WebhookJson(w));
  }
  return JsonResponse(200, out);
}

HttpResponse CreateWebhook(RequestContext& ctx) {
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  Webhook hook;
  auto project = IntField(*body, "project", false, 0);
  if (!project.ok()) return ErrorResponse(project.status());
  if (*project < 0) return ErrorResponse(Status::FieldInvalid("project", "project must be a project id or null"));
  hook.project_id = *project;
  Status s = RequireWebhookAccess(ctx, hook.project_id);
  if (!s.ok()) return ErrorResponse(s);
  s = ApplyFields(*body, &hook, /*creating=*/true);
  if (!s.ok()) return ErrorResponse(s);
  hook.secret = RandomHex(32);
  hook.created_by = ctx.user_id();
  s = ctx.store().CreateWebhook(&hook);
  if (!s.ok()) return ErrorResponse(s);
  ctx.Audit("webhook.create", hook.project_id, "webhook", hook.id, {{"url", hook.url}});
  json out = WebhookJson(hook);
  out["secret"] = hook.secret;  // shown once: GET never returns it
  return JsonResponse(201, out);
}

HttpResponse GetWebhook(RequestContext& ctx) {
  auto hook = LoadWebhook(ctx);
  if (!hook.ok()) return ErrorResponse(hook.status());
  return JsonResponse(200, WebhookJson(*hook));
}

HttpResponse PatchWebhook(RequestContext& ctx) {
  auto hook = LoadWebhook(ctx);
  if (!hook.ok()) return ErrorResponse(hook.status());
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  if (auto it = body->find("project"); it != body->end()) {
    json current = hook->project_id == 0 ? json(nullptr) : json(hook->project_id);
    if (*it != current) {
      return ErrorResponse(Status::FieldInvalid(
          "project", "a webhook's project cannot be changed; create a new webhook instead"));
    }
  }
  Status s = ApplyFields(*body, &*hook, /*creating=*/false);
  if (!s.ok()) return ErrorResponse(s);
  s = ctx.store().UpdateWebhook(&*hook);
  if (!s.ok()) return ErrorResponse(s);
  ctx.Audit("webhook.update", hook->project_id, "webhook", hook->id, {{"url", hook->url}});
  return JsonResponse(200, WebhookJson(*hook));
}

HttpResponse DeleteWebhook(RequestContext& ctx) {
  auto hook = LoadWebhook(ctx);
  if (!hook.ok()) return ErrorResponse(hook.status());
  Status s = ctx.store().DeleteWebhook(hook->id);
  if (!s.ok()) return ErrorResponse(s);
  ctx.Audit("webhook.delete", hook->project_id, "webhook", hook->id, {{"url", hook->url}});
  return NoContent();
}

HttpResponse WebhookInfo(RequestContext& ctx) {
  auto filter = ctx.request().Query("organization-only");
  std::optional<bool> only;
  if (filter && !filter->empty()) {
    auto parsed = QueryBool(ctx.request(), "organization-only", false);
    if (!parsed.ok()) return ErrorResponse(parsed.status());
    only = *parsed;
  }
  json out = json::object();
  for (const WebhookActionInfo& info : WebhookActions()) {
    if (only && *only != info.organization_only) continue;
    out[info.action] = json{{"name", info.name},
                            {"description", info.description},
                            {"key", info.key},
                            {"organization-only", info.organization_only}};
  }
  return JsonResponse(200, out);
}

HttpResponse ListDeliveries(RequestContext& ctx) {
  auto hook = LoadWebhook(ctx);
  if (!hook.ok()) return ErrorResponse(hook.status());
  auto limit = QueryInt(ctx.request(), "limit", 100, 1, 1000);
  if (!limit.ok()) return ErrorResponse(limit.status());
  auto rows = ctx.store().ListWebhookDeliveries(hook->id, static_cast<int>(*limit));
  if (!rows.ok()) return ErrorResponse(rows.status());
  json out = json::array();
  for (const WebhookDelivery& d : *rows) out.push_back(DeliveryJson(d));
  return JsonResponse(200, out);
}

}  // namespace

void RegisterWebhookRoutes(Router& r) {
  r.Add("GET", "/api/webhooks/info", Access::kAuthenticated, WebhookInfo);
  r.Add("GET", "/api/webhooks", Access::kAuthenticated, ListWebhooks);
  r.Add("POST", "/api/webhooks", Access::kAuthenticated, CreateWebhook);
  r.Add("GET", "/api/webhooks/{id}", Access::kAuthenticated, GetWebhook);
  r.Add("PATCH", "/api/webhooks/{id}", Access::kAuthenticated, PatchWebhook);
  r.Add("DELETE", "/api/webhooks/{id}", Access::kAuthenticated, DeleteWebhook);
  r.Add("GET", "/api/webhooks/{id}/deliveries", Access::kAuthenticated, ListDeliveries);
}

}  // namespace tessera::server
