// GET /api/projects/{id}/export?exportType=JSON|JSONL|COCO|VOC|YOLO|...:
// streams the export to a temporary file (constant memory), then sends that
// file; formats that write several files are sent as a zip.
// GET /api/projects/{id}/export/formats: the formats, as Label Studio lists
// them, with the ones that do not fit the project's config disabled.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <limits>

#include "server/api/dm_query.h"
#include "server/app.h"
#include "server/context.h"
#include "tessera/formats.h"
#include "tessera/util.h"

namespace tessera::server {

namespace fs = std::filesystem;

namespace {

const char* ContentType(const std::string& ext) {
  if (ext == "json") return "application/json";
  if (ext == "jsonl") return "application/x-ndjson";
  if (ext == "zip") return "application/zip";
  if (ext == "xml") return "application/xml";
  return "text/plain; charset=utf-8";
}

Result<std::optional<std::vector<Id>>> ExportSelection(RequestContext& ctx, Id project_id) {
  const HttpRequest& req = ctx.request();
  std::optional<std::vector<Id>> ids;
  for (const char* key : {"ids", "ids[]"}) {
    auto [first, last] = req.query.equal_range(key);
    for (auto it = first; it != last; ++it) {
      if (!ids) ids.emplace();
      size_t pos = 0;
      const std::string& list = it->second;
      while (pos <= list.size()) {
        size_t comma = std::min(list.find(',', pos), list.size());
        std::string part = list.substr(pos, comma - pos);
        pos = comma + 1;
        if (part.empty()) continue;
        char* end = nullptr;
        long long value = std::strtoll(part.c_str(), &end, 10);
        if (*end != '\0' || value <= 0) {
          return Status::FieldInvalid("ids", "ids must be positive task ids separated by commas "
                                             "(ids=1,2,3) or repeated (ids=1&ids=2); got '" +
                                                 part + "'");
        }
        ids->push_back(static_cast<Id>(value));
      }
    }
  }
  if (ids) return ids;
  if (req.Query("view") || req.Query("query")) {
    TESSERA_ASSIGN_OR_RETURN(DmQuery query, DmQueryFromRequest(ctx, project_id));
    std::optional<std::map<Id, double>> agreements;
    TESSERA_ASSIGN_OR_RETURN(std::vector<Id> matching, MatchingTaskIds(ctx, query, &agreements));
    std::sort(matching.begin(), matching.end());
    ids = std::move(matching);
  }
  return ids;
}

HttpResponse Export(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  std::string type = ctx.request().Query("exportType").value_or(
      ctx.request().Query("export_type").value_or("JSON"));
  const FormatInfo* format = FindFormat(type);
  if (!format) {
    std::string names;
    for (const FormatInfo& f : Formats()) names += (names.empty() ? "" : ", ") + f.name;
    return ErrorResponse(Status::FieldInvalid("exportType", "exportType '" + type + "' is not supported; supported: " + names));
  }
  DatasetExportOptions options;
  auto all = QueryBool(ctx.request(), "download_all_tasks", false);
  if (!all.ok()) return ErrorResponse(all.status());
  options.download_all_tasks = *all;
  auto selection = ParseAnnotationSelection(ctx.request().Query("annotations").value_or("all"));
  if (!selection.ok()) return ErrorResponse(selection.status());
  options.selection = *selection;
  // ?split=0.8,0.1,0.1&seed=N: stratified train/val/test (checked by ExportDataset).
  options.split = ctx.request().Query("split").value_or("");
  auto seed = QueryInt(ctx.request(), "seed", 0, 0, std::numeric_limits<int64_t>::max());
  if (!seed.ok()) return ErrorResponse(seed.status());
  options.seed = static_cast<uint64_t>(*seed);
  options.media_root = ctx.app().media_root();  // formats that embed images read uploads from here
  // Label Studio's download_resources: the task images (uploads) go into the
  // export (COCO: images/). Default false: LS's default fetches remote URLs too.
  auto resources = QueryBool(ctx.request(), "download_resources", false);
  if (!resources.ok()) return ErrorResponse(resources.status());
  options.include_images = *resources;
  // The data manager's "export selection": ids=1,2,3 (or repeated ids=, or
  // LS's ids[]=), else the tasks matching view=/query= when given.
  auto task_ids = ExportSelection(ctx, *id);
  if (!task_ids.ok()) return ErrorResponse(task_ids.status());
  options.task_ids = std::move(*task_ids);

  fs::path tmp_dir = ctx.app().options().data_dir / "tmp";
  std::error_code ec;
  fs::create_directories(tmp_dir, ec);
  const std::string ext = format->extension;
  fs::path tmp = tmp_dir / ("export-" + RandomHex(8) + "." + ext);
  int64_t exported_tasks = 0;
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) return ErrorResponse(Status::IOError("cannot create " + tmp.string()));
    auto sink = format->multi_file ? NewZipSink(out) : NewSingleFileSink(out);
    auto report = ExportDataset(ctx.store(), *id, format->name, *sink, options);
    s = report.status();
    if (report.ok()) exported_tasks = report->tasks;
    out.flush();
    if (s.ok() && !out) s = Status::IOError("writing the export failed (disk full?)");
  }
  if (!s.ok()) {
    fs::remove(tmp, ec);
    return ErrorResponse(s);
  }
  uint64_t size = fs::file_size(tmp, ec);
  ctx.Audit("project.export", *id, "project", *id,
            {{"format", format->name}, {"tasks", exported_tasks}, {"bytes", size}});
  HttpResponse res;
  res.SetHeader("Content-Type", ContentType(ext));
  std::string stamp = FormatIsoTime(NowMs()).substr(0, 19);
  for (auto& c : stamp) if (c == ':') c = '-';
  res.SetHeader("Content-Disposition", "attachment; filename=\"project-" + std::to_string(*id) +
                                           "-at-" + stamp + "." + ext + "\"");
  res.file = FileBody{tmp.string(), 0, size, true};
  return res;
}

HttpResponse ExportFormats(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto project = ctx.store().GetProject(*id);
  if (!project.ok()) return ErrorResponse(project.status());
  auto config = ParseLabelingConfig(project->label_config);
  nlohmann::json list = nlohmann::json::array();
  for (const FormatInfo& format : Formats()) {
    bool fits = config.ok() ? FormatFits(format, **config) : format.fit == FormatFit::kAny;
    list.push_back({{"name", format.name},
                    {"title", format.title},
                    {"description", format.description},
                    {"extension", format.extension},
                    {"tags", format.tags},
                    {"can_import", format.can_import},
                    {"disabled", !fits}});
  }
  return JsonResponse(200, list);
}

}  // namespace

void RegisterExportRoutes(Router& r) {
  r.Add("GET", "/api/projects/{id}/export", Access::kAuthenticated, Export);
  r.Add("GET", "/api/projects/{id}/export/formats", Access::kAuthenticated, ExportFormats);
}

}  // namespace tessera::server
