// GET /api/projects/{id}/export?exportType=JSON|JSONL: streams the export to
// a temporary file (constant memory), then sends that file.
#include <fstream>

#include "server/app.h"
#include "server/context.h"
#include "tessera/export.h"
#include "tessera/util.h"

namespace tessera::server {

namespace fs = std::filesystem;

namespace {

HttpResponse Export(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  std::string type = ctx.request().Query("exportType").value_or(
      ctx.request().Query("export_type").value_or("JSON"));
  ExportOptions options;
  std::string ext;
  if (type == "JSON") {
    options.format = ExportFormat::kJson;
    ext = "json";
  } else if (type == "JSONL") {
    options.format = ExportFormat::kJsonl;
    ext = "jsonl";
  } else {
    return ErrorResponse(Status::FieldInvalid(
        "exportType", "exportType '" + type + "' is not supported yet; supported: JSON, JSONL"));
  }
  auto all = QueryBool(ctx.request(), "download_all_tasks", false);
  if (!all.ok()) return ErrorResponse(all.status());
  options.download_all_tasks = *all;

  fs::path tmp_dir = ctx.app().options().data_dir / "tmp";
  std::error_code ec;
  fs::create_directories(tmp_dir, ec);
  fs::path tmp = tmp_dir / ("export-" + RandomHex(8) + "." + ext);
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) return ErrorResponse(Status::IOError("cannot create " + tmp.string()));
    s = ExportLsJson(ctx.store(), *id, out, options);
    out.flush();
    if (s.ok() && !out) s = Status::IOError("writing the export failed (disk full?)");
  }
  if (!s.ok()) {
    fs::remove(tmp, ec);
    return ErrorResponse(s);
  }
  uint64_t size = fs::file_size(tmp, ec);
  HttpResponse res;
  res.SetHeader("Content-Type", ext == "json" ? "application/json" : "application/x-ndjson");
  std::string stamp = FormatIsoTime(NowMs()).substr(0, 19);
  for (auto& c : stamp) if (c == ':') c = '-';
  res.SetHeader("Content-Disposition", "attachment; filename=\"project-" + std::to_string(*id) +
                                           "-at-" + stamp + "." + ext + "\"");
  res.file = FileBody{tmp.string(), 0, size, true};
  return res;
}

}  // namespace

void RegisterExportRoutes(Router& r) {
  r.Add("GET", "/api/projects/{id}/export", Access::kAuthenticated, Export);
}

}  // namespace tessera::server
