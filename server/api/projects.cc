// /api/projects: list, create, read, update, delete, and config validation.
#include <algorithm>

#include "server/api/views.h"
#include "server/app.h"
#include "server/context.h"
#include "server/webhook_events.h"
#include "tessera/config.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

const char* const kSamplings[] = {"Sequential sampling", "Uniform sampling",
                                  "Uncertainty sampling"};

// Parses a label config; InvalidArgument with validation_errors.label_config.
Status ValidateConfigText(const std::string& xml) {
  if (Trim(xml).empty()) {
    return Status::FieldInvalid("label_config",
                                "label_config is empty; give a <View> with at least one object "
                                "tag, e.g. <View><Image name=\"img\" value=\"$image\"/></View>");
  }
  auto cfg = ParseLabelingConfig(xml);
  if (!cfg.ok()) {
    Status s = cfg.status();
    if (s.field_errors().empty()) s.AddFieldError("label_config", s.message());
    return s;
  }
  return Status::Ok();
}

// Applies the fields present in `body` to `p`, checking each one's type.
Status ApplyProjectFields(const json& body, Project* p) {
#define STR_FIELD(name)                                                        \
  if (body.contains(#name)) {                                                  \
    TESSERA_ASSIGN_OR_RETURN(p->name, StringField(body, #name, false, p->name)); \
  }
#define BOOL_FIELD(name)                                                    \
  if (body.contains(#name)) {                                               \
    TESSERA_ASSIGN_OR_RETURN(p->name, BoolField(body, #name, p->name));     \
  }
  STR_FIELD(title)
  STR_FIELD(description)
  STR_FIELD(expert_instruction)
  STR_FIELD(color)
  STR_FIELD(model_version)
  BOOL_FIELD(show_instruction)
  BOOL_FIELD(show_skip_button)
  BOOL_FIELD(enable_empty_annotation)
  BOOL_FIELD(show_annotation_history)
  BOOL_FIELD(show_collab_predictions)
  BOOL_FIELD(is_published)
  BOOL_FIELD(is_draft)
#undef STR_FIELD
#undef BOOL_FIELD
  if (body.contains("label_config")) {
    TESSERA_ASSIGN_OR_RETURN(std::string xml, StringField(body, "label_config", false, ""));
    TESSERA_RETURN_IF_ERROR(ValidateConfigText(xml));
    p->label_config = xml;
  }
  if (body.contains("maximum_annotations")) {
    TESSERA_ASSIGN_OR_RETURN(int64_t n, IntField(body, "maximum_annotations", false, 1));
    if (n < 1 || n > 1000) {
      return Status::FieldInvalid("maximum_annotations",
                                  "maximum_annotations must be from 1 to 1000, got " +
                                      std::to_string(n));
    }
    p->maximum_annotations = static_cast<int>(n);
  }
  if (body.contains("sampling")) {
    TESSERA_ASSIGN_OR_RETURN(std::string s, StringField(body, "sampling", false, p->sampling));
    if (std::find(std::begin(kSamplings), std::end(kSamplings), s) == std::end(kSamplings)) {
      return Status::FieldInvalid(
          "sampling", "sampling '" + s +
                          "' is not one of: Sequential sampling, Uniform sampling, "
                          "Uncertainty sampling");
    }
    p->sampling = s;
  }
  if (body.contains("settings")) {
    if (!body["settings"].is_object()) {
      return Status::FieldInvalid("settings", "settings must be a JSON object");
    }
    p->settings = body["settings"].dump();
  }
  if (p->title.size() > 250) {
    return Status::FieldInvalid("title", "title must be at most 250 characters");
  }
  return Status::Ok();
}

HttpResponse ProjectResponse(RequestContext& ctx, int status, const Project& p) {
  auto stats = ctx.store().GetProjectStats(p.id);
  if (!stats.ok()) return ErrorResponse(stats.status());
  return JsonResponse(status, ProjectJson(ctx.store(), p, *stats));
}

HttpResponse ListProjects(RequestContext& ctx) {
  auto page = QueryInt(ctx.request(), "page", 1, 1, 1LL << 40);
  if (!page.ok()) return ErrorResponse(page.status());
  auto page_size = QueryInt(ctx.request(), "page_size", 100, 1, 1LL << 40);
  if (!page_size.ok()) return ErrorResponse(page_size.status());
  auto projects = ctx.store().ListProjects(ctx.user_id(), ctx.is_admin());
  if (!projects.ok()) return ErrorResponse(projects.status());
  int64_t count = static_cast<int64_t>(projects->size());
  int64_t begin = (*page - 1) * *page_size;
  if (begin > 0 && begin >= count) {
    return ErrorResponse(404, "page " + std::to_string(*page) + " is past the last page");
  }
  json results = json::array();
  for (int64_t idx = begin; idx < count && idx < begin + *page_size; ++idx) {
    const Project& p = (*projects)[idx];
    auto stats = ctx.store().GetProjectStats(p.id);
    if (!stats.ok()) return ErrorResponse(stats.status());
    results.push_back(ProjectJson(ctx.store(), p, *stats));
  }
  json next = nullptr, previous = nullptr;
  if (begin + *page_size < count) next = *page + 1;
  if (*page > 1) previous = *page - 1;
  return JsonResponse(200, json{{"count", count},
                                {"next", next},
                                {"previous", previous},
                                {"results", results}});
}

HttpResponse CreateProject(RequestContext& ctx) {
  auto body = ctx.JsonBody();
  if (!body.ok()) return ErrorResponse(body.status());
  if (body->is_null()) *body = json::object();
  if (!body->is_object()) return ErrorResponse(400, "request body must be a JSON object");
  Project p;
  p.label_config = "<View></View>";
  p.settings = "{}";
  Status s = ApplyProjectFields(*body, &p);
  if (!s.ok()) return ErrorResponse(s);
  p.created_by = ctx.user_id();
  p.created_at = p.updated_at = NowMs();
  s = ctx.store().CreateProject(&p);
  if (!s.ok()) return ErrorResponse(s);
  const Id project_id = p.id;
  ctx.EmitWebhook("PROJECT_CREATED", project_id, [&]() -> Result<json> {
    TESSERA_ASSIGN_OR_RETURN(json project, WebhookProjectJson(ctx.store(), project_id));
    return json{{"project", std::move(project)}};
  });
  return ProjectResponse(ctx, 201, p);
}

Result<Project> LoadProject(RequestContext& ctx, Role min) {
  TESSERA_ASSIGN_OR_RETURN(Id id, ctx.IdParam("id"));
  TESSERA_RETURN_IF_ERROR(ctx.RequireProjectRole(id, min));
  return ctx.store().GetProject(id);
}

HttpResponse GetProject(RequestContext& ctx) {
  auto p = LoadProject(ctx, Role::kAnnotator);
  if (!p.ok()) return ErrorResponse(p.status());
  return ProjectResponse(ctx, 200, *p);
}

HttpResponse PatchProject(RequestContext& ctx) {
  auto p = LoadProject(ctx, Role::kManager);
  if (!p.ok()) return ErrorResponse(p.status());
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  Status s = ApplyProjectFields(*body, &*p);
  if (!s.ok()) return ErrorResponse(s);
  const std::string old_config = p->label_config;
  p->updated_at = NowMs();
  s = ctx.store().UpdateProject(*p);
  if (!s.ok()) return ErrorResponse(s);
  json fields = json::array();
  for (const auto& item : body->items()) fields.push_back(item.key());
  ctx.Audit("project.update", p->id, "project", p->id,
            {{"fields", fields}, {"label_config_changed", p->label_config != old_config}});
  ctx.EmitWebhook("PROJECT_UPDATED", p->id, [] { return Result<json>(json::object()); });
  return ProjectResponse(ctx, 200, *p);
}

HttpResponse DeleteProject(RequestContext& ctx) {
  auto p = LoadProject(ctx, Role::kOwner);
  if (!p.ok()) return ErrorResponse(p.status());
  Status s = ctx.store().DeleteProject(p->id);
  if (!s.ok()) return ErrorResponse(s);
  ctx.Audit("project.delete", p->id, "project", p->id, {{"title", p->title}});
  const Id project_id = p->id;
  ctx.EmitWebhook("PROJECT_DELETED", project_id, [project_id] {
    return Result<json>(json{{"project", {{"id", project_id}}}});
  });
  std::error_code ec;
  std::filesystem::remove_all(ctx.app().media_root() / "upload" / std::to_string(p->id), ec);
  RemoveProjectExports(ctx.app().options().data_dir, p->id);  // the jobs went with the project
  return NoContent();
}

HttpResponse ValidateConfig(RequestContext& ctx) {
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  auto xml = StringField(*body, "label_config", true);
  if (!xml.ok()) return ErrorResponse(xml.status());
  Status s = ValidateConfigText(*xml);
  if (!s.ok()) return ErrorResponse(s);
  auto cfg = ParseLabelingConfig(*xml);
  return JsonResponse(200, json{{"label_config", *xml},
                                {"parsed_label_config", ParsedLabelConfig(**cfg)},
                                {"data_keys", DataKeys(**cfg)}});
}

HttpResponse ValidateProjectConfig(RequestContext& ctx) {
  auto p = LoadProject(ctx, Role::kAnnotator);
  if (!p.ok()) return ErrorResponse(p.status());
  return ValidateConfig(ctx);
}

}  // namespace

void RegisterProjectRoutes(Router& r) {
  r.Add("GET", "/api/projects", Access::kAuthenticated, ListProjects);
  r.Add("POST", "/api/projects", Access::kAuthenticated, CreateProject);
  r.Add("POST", "/api/projects/validate", Access::kAuthenticated, ValidateConfig);
  r.Add("GET", "/api/projects/{id}", Access::kAuthenticated, GetProject);
  r.Add("PATCH", "/api/projects/{id}", Access::kAuthenticated, PatchProject);
  r.Add("DELETE", "/api/projects/{id}", Access::kAuthenticated, DeleteProject);
  r.Add("POST", "/api/projects/{id}/validate", Access::kAuthenticated, ValidateProjectConfig);
}

}  // namespace tessera::server
