// The browser app: files from the built web/dist folder, with every unknown
// page path answered by index.html so that /projects/3/label and friends can
// be bookmarked. Without a built front end, a small page says how to build it.
#include "server/app.h"
#include "server/context.h"
#include "server/file_response.h"

namespace tessera::server {

HttpResponse ServeStatic(App& app, const HttpRequest& req) {
  const auto& dir = app.options().static_dir;
  std::string rel = req.path.size() > 1 ? req.path.substr(1) : "index.html";
  if (!dir.empty()) {
    if (auto file = SafeJoin(dir, rel); file.ok()) {
      // Vite puts content hashes in asset names: cache those for a long time.
      bool hashed = rel.starts_with("assets/");
      return FileResponse(req, *file, hashed ? "public, max-age=31536000, immutable" : "no-cache");
    }
    if (auto index = SafeJoin(dir, "index.html"); index.ok()) {
      return FileResponse(req, *index, "no-cache");
    }
  }
  static const std::string kNotBuilt =
      "<!doctype html><meta charset=utf-8><title>Tessera</title>"
      "<h1>Tessera</h1><p>The server is running. The web app is not built: run "
      "<code>make build</code>. The REST API is at <a href=/api/openapi.yaml>/api</a>.</p>";
  HttpResponse res;
  res.SetHeader("Content-Type", "text/html; charset=utf-8");
  res.body.assign(kNotBuilt.data(), kNotBuilt.size());
  return res;
}

namespace {
HttpResponse Root(RequestContext& ctx) { return ServeStatic(ctx.app(), ctx.request()); }
}  // namespace

void RegisterStaticRoutes(Router& r) { r.Add("GET", "/", Access::kPublic, Root); }

}  // namespace tessera::server
