// GET /api/projects/{id}/agreement: inter-annotator agreement per control tag
// and per task (include/tessera/agreement.h), for reviewers and managers.
#include "server/app.h"
#include "server/context.h"
#include "tessera/agreement.h"

namespace tessera::server {

namespace {

HttpResponse ProjectAgreement(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  AgreementOptions options;
  if (auto raw = ctx.request().Query("iou_threshold")) {
    char* end = nullptr;
    double v = std::strtod(raw->c_str(), &end);
    if (raw->empty() || *end != '\0' || !(v > 0 && v <= 1)) {
      return ErrorResponse(Status::FieldInvalid(
          "iou_threshold", "iou_threshold='" + *raw + "' must be a number in (0, 1]"));
    }
    options.iou_threshold = v;
  }
  Status s = ctx.RequireProjectRole(*id, Role::kReviewer);
  if (!s.ok()) return ErrorResponse(s);
  auto project = ctx.store().GetProject(*id);
  if (!project.ok()) return ErrorResponse(project.status());
  auto cfg = ParseLabelingConfig(project->label_config);
  if (!cfg.ok()) {
    return ErrorResponse(Status::FailedPrecondition(
        "the project's labeling config does not parse, so agreement cannot be computed: " +
        cfg.status().message()));
  }
  AgreementBuilder builder(**cfg, options);
  TaskQuery query;
  query.project_id = *id;
  s = ctx.store().ForEachTaskBundle(query, [&](const TaskBundle& bundle) {
    builder.AddTask(bundle);
    return Status::Ok();
  });
  if (!s.ok()) return ErrorResponse(s);
  auto report = builder.Finish();
  if (!report.ok()) return ErrorResponse(report.status());
  return JsonResponse(200, AgreementReportToJson(*report));
}

}  // namespace

void RegisterAgreementRoutes(Router& r) {
  r.Add("GET", "/api/projects/{id}/agreement", Access::kAuthenticated, ProjectAgreement);
}

}  // namespace tessera::server
