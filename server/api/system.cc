// /health, /api/version, /api/openapi.yaml.
#include <fstream>
#include <sstream>

#include "server/app.h"
#include "server/context.h"

namespace tessera::server {

using nlohmann::json;

namespace {

HttpResponse Health(RequestContext&) { return JsonResponse(200, json{{"status", "UP"}}); }

HttpResponse Version(RequestContext&) {
  return JsonResponse(200, json{{"release", TESSERA_VERSION},
                                {"tessera", {{"version", TESSERA_VERSION}}},
                                {"label-studio-os-package",
                                 {{"version", TESSERA_VERSION},
                                  {"short_version", TESSERA_VERSION},
                                  {"latest_version_from_pypi", nullptr}}}});
}

HttpResponse OpenApi(RequestContext& ctx) {
  std::filesystem::path path = ctx.app().options().static_dir.parent_path().parent_path() /
                               "api" / "openapi.yaml";
  HttpResponse res;
  std::ifstream in(TESSERA_SOURCE_DIR "/api/openapi.yaml", std::ios::binary);
  if (!in) in.open(path, std::ios::binary);
  if (!in) return ErrorResponse(404, "openapi.yaml is not installed next to this binary");
  std::stringstream ss;
  ss << in.rdbuf();
  res.body = ss.str();
  res.SetHeader("Content-Type", "application/yaml; charset=utf-8");
  return res;
}

}  // namespace

void RegisterSystemRoutes(Router& r) {
  r.Add("GET", "/health", Access::kPublic, Health);
  r.Add("GET", "/api/health", Access::kPublic, Health);
  r.Add("GET", "/api/version", Access::kPublic, Version);
  r.Add("GET", "/api/openapi.yaml", Access::kPublic, OpenApi);
}

}  // namespace tessera::server
