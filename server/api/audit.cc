// GET /api/audit: the audit log of administrative actions (site admins only):
// role changes, user creation and (de)activation, project settings and
// deletion, deleted tasks, exports. Newest first, paged with ?before=<id>.
#include <limits>

#include "server/app.h"
#include "server/context.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

json AuditJson(const AuditEntry& e) {
  json detail = json::parse(e.detail, nullptr, /*allow_exceptions=*/false);
  if (detail.is_discarded()) detail = e.detail;
  return json{{"id", e.id},
              {"created_at", FormatIsoTime(e.created_at)},
              {"user", e.user_id},
              {"action", e.action},
              {"project", e.project_id == 0 ? json(nullptr) : json(e.project_id)},
              {"object_type", e.object_type},
              {"object_id", e.object_id},
              {"detail", std::move(detail)},
              {"request_id", e.request_id}};
}

HttpResponse ListAudit(RequestContext& ctx) {
  AuditQuery q;
  auto project = QueryInt(ctx.request(), "project", 0, 0, std::numeric_limits<int64_t>::max());
  if (!project.ok()) return ErrorResponse(project.status());
  auto user = QueryInt(ctx.request(), "user", 0, 0, std::numeric_limits<int64_t>::max());
  if (!user.ok()) return ErrorResponse(user.status());
  auto before = QueryInt(ctx.request(), "before", 0, 0, std::numeric_limits<int64_t>::max());
  if (!before.ok()) return ErrorResponse(before.status());
  auto limit = QueryInt(ctx.request(), "limit", 100, 1, 1000);
  if (!limit.ok()) return ErrorResponse(limit.status());
  q.project_id = *project;
  q.user_id = *user;
  q.before_id = *before;
  q.limit = static_cast<int>(*limit);
  q.action = ctx.request().Query("action").value_or("");
  if (q.action.size() > 100) {
    return ErrorResponse(Status::FieldInvalid("action", "action is at most 100 characters, e.g. "
                                                        "member.set_role or task."));
  }
  auto entries = ctx.store().ListAudit(q);
  if (!entries.ok()) return ErrorResponse(entries.status());
  json results = json::array();
  for (const AuditEntry& e : *entries) results.push_back(AuditJson(e));
  json next = nullptr;
  if (static_cast<int64_t>(entries->size()) == *limit) next = entries->back().id;
  return JsonResponse(200, json{{"results", std::move(results)}, {"next_before", next}});
}

}  // namespace

void RegisterAuditRoutes(Router& r) { r.Add("GET", "/api/audit", Access::kAdmin, ListAudit); }

}  // namespace tessera::server
