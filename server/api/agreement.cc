// GET /api/projects/{id}/agreement: inter-annotator agreement per control tag
// and per task (include/tessera/agreement.h), for reviewers and managers.
#include "server/app.h"
#include "server/context.h"
#include "tessera/agreement.h"

namespace tessera::server {

using nlohmann::json;

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
  // The same per-project cache as /quality (server/quality_cache.h): only
  // tasks changed since the last call are re-read.
  json body;
  s = ctx.app().quality_cache().With(ctx.store(), *project, options,
                                     [&](const QualitySnapshot& snap) -> Status {
                                       auto report = snap.builder.Finish();
                                       if (!report.ok()) return report.status();
                                       body = AgreementReportToJson(*report);
                                       return Status::Ok();
                                     });
  if (!s.ok()) return ErrorResponse(s);
  return JsonResponse(200, body);
}

}  // namespace

void RegisterAgreementRoutes(Router& r) {
  r.Add("GET", "/api/projects/{id}/agreement", Access::kAuthenticated, ProjectAgreement);
}

}  // namespace tessera::server
