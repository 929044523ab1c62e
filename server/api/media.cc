// /data/upload/{project}/{file}: uploaded media, for project members only.
#include "server/app.h"
#include "server/context.h"
#include "server/file_response.h"

namespace tessera::server {

namespace {

HttpResponse ServeUpload(RequestContext& ctx) {
  auto project = ctx.IdParam("project");
  if (!project.ok()) return ErrorResponse(404, "file not found");
  Status s = ctx.RequireProjectRole(*project, Role::kAnnotator);
  if (!s.ok()) return ErrorResponse(s);
  auto path = SafeJoin(ctx.app().media_root() / "upload" / std::to_string(*project),
                       ctx.Param("file"));
  if (!path.ok()) return ErrorResponse(path.status());
  return FileResponse(ctx.request(), *path, "private, max-age=3600");
}

}  // namespace

void RegisterMediaRoutes(Router& r) {
  r.Add("GET", "/data/upload/{project}/{file}", Access::kAuthenticated, ServeUpload);
}

}  // namespace tessera::server
