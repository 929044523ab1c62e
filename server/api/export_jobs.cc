// Background exports in Label Studio's export-snapshot API:
//   POST   /api/projects/{id}/exports                         create a job (201)
//   GET    /api/projects/{id}/exports                         the project's jobs, newest first
//   GET    /api/projects/{id}/exports/{export_pk}             one job, with progress
//   DELETE /api/projects/{id}/exports/{export_pk}             the job and its file
//   GET    /api/projects/{id}/exports/{export_pk}/download    the finished file
// Jobs run on the server's ExportRunner (server/export_runner.h); the options
// are those of the direct export (server/api/export.cc), as JSON fields.
#include <filesystem>
#include <limits>

#include "server/api/views.h"
#include "server/app.h"
#include "server/context.h"
#include "tessera/formats.h"
#include "tessera/util.h"

namespace tessera::server {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* ContentType(const std::string& ext) {
  if (ext == "json") return "application/json";
  if (ext == "jsonl") return "application/x-ndjson";
  if (ext == "zip") return "application/zip";
  if (ext == "xml") return "application/xml";
  return "text/plain; charset=utf-8";
}

std::string FormatNames() {
  std::string names;
  for (const FormatInfo& f : Formats()) names += (names.empty() ? "" : ", ") + f.name;
  return names;
}

json TimeOrNull(TimeMs ms) { return ms > 0 ? json(FormatIsoTime(ms)) : json(nullptr); }

// Label Studio's export snapshot (id, title, created_by, created_at,
// finished_at, status, md5, counters, converted_formats), plus the format,
// the options, progress and the error of a failed job.
json JobJson(Store& store, const ExportJob& job) {
  json created_by = nullptr;
  if (job.created_by != 0) {
    if (auto u = store.GetUser(job.created_by); u.ok()) created_by = UserBriefJson(*u);
  }
  const char* status = ExportJobStatusName(job.status);
  json options = json::parse(job.options, nullptr, false);
  if (!options.is_object()) options = json::object();
  return json{{"id", job.id},
              {"project", job.project_id},
              {"title", job.title},
              {"created_by", created_by},
              {"created_at", TimeOrNull(job.created_at)},
              {"finished_at", TimeOrNull(job.finished_at)},
              {"status", status},
              {"md5", job.md5},
              {"counters", {{"task_number", job.tasks_done}}},
              {"converted_formats",
               json::array({{{"id", job.id},
                             {"status", status},
                             {"export_type", job.format},
                             {"traceback", job.error.empty() ? json(nullptr) : json(job.error)}}})},
              {"exportType", job.format},
              {"options", options},
              {"progress", {{"tasks_done", job.tasks_done}, {"tasks_total", job.tasks_total}}},
              {"attempts", job.attempts},
              {"file_size", job.file_bytes},
              {"error", job.error.empty() ? json(nullptr) : json(job.error)}};
}

// The job, if it belongs to project {id} and the caller may manage it.
Result<ExportJob> JobFor(RequestContext& ctx) {
  TESSERA_ASSIGN_OR_RETURN(Id project_id, ctx.IdParam("id"));
  TESSERA_RETURN_IF_ERROR(ctx.RequireProjectRole(project_id, Role::kManager));
  TESSERA_ASSIGN_OR_RETURN(Id job_id, ctx.IdParam("export_pk"));
  auto job = ctx.store().GetExportJob(job_id);
  if (!job.ok() || job->project_id != project_id) {
    return Status::NotFound("export " + std::to_string(job_id) + " not found in project " +
                            std::to_string(project_id));
  }
  return job;
}

HttpResponse Create(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  json body = json::object();
  if (!Trim(ctx.request().body).empty()) {
    auto parsed = ctx.JsonObjectBody();
    if (!parsed.ok()) return ErrorResponse(parsed.status());
    body = std::move(*parsed);
  }
  // "exportType" as in the download's query; "export_type" as in LS's
  // converted formats.
  const char* type_key = body.contains("exportType") ? "exportType" : "export_type";
  auto type = StringField(body, type_key, false, "JSON");
  if (!type.ok()) return ErrorResponse(type.status());
  const FormatInfo* format = FindFormat(*type);
  if (!format) {
    return ErrorResponse(Status::FieldInvalid(
        "exportType", "exportType '" + *type + "' is not supported; supported: " + FormatNames()));
  }
  auto project = ctx.store().GetProject(*id);
  if (!project.ok()) return ErrorResponse(project.status());
  if (auto config = ParseLabelingConfig(project->label_config); config.ok()) {
    s = CheckFormatFits(*format, **config);
    if (!s.ok()) return ErrorResponse(s);
  }
  auto title = StringField(body, "title", false, "");
  if (!title.ok()) return ErrorResponse(title.status());
  auto annotations = StringField(body, "annotations", false, "all");
  if (!annotations.ok()) return ErrorResponse(annotations.status());
  if (auto selection = ParseAnnotationSelection(*annotations); !selection.ok()) {
    return ErrorResponse(selection.status());
  }
  auto all = BoolField(body, "download_all_tasks", false);
  if (!all.ok()) return ErrorResponse(all.status());
  auto split = StringField(body, "split", false, "");
  if (!split.ok()) return ErrorResponse(split.status());
  s = CheckSplit(*split);
  if (!s.ok()) return ErrorResponse(s);
  auto seed = IntField(body, "seed", false, 0);
  if (!seed.ok()) return ErrorResponse(seed.status());
  if (*seed < 0) return ErrorResponse(Status::FieldInvalid("seed", "seed must be 0 or more"));
  // Label Studio's download_resources: the task images (uploads, local
  // files) go into the export, as on the direct export.
  auto resources = BoolField(body, "download_resources", false);
  if (!resources.ok()) return ErrorResponse(resources.status());
  if (*resources) {
    s = CheckIncludeImages(format->name);
    if (!s.ok()) return ErrorResponse(s);
  }

  ExportJob job;
  job.project_id = *id;
  job.created_by = ctx.user_id();
  job.format = format->name;
  job.title = title->empty() ? format->title + " export" : *title;
  job.options = json{{"annotations", ToLower(*annotations)},
                     {"download_all_tasks", *all},
                     {"split", *split},
                     {"seed", *seed},
                     {"download_resources", *resources}}
                    .dump();
  s = ctx.store().CreateExportJob(&job);
  if (!s.ok()) return ErrorResponse(s);
  ctx.app().WakeExportJobs();
  ctx.Audit("project.export_job.create", *id, "export", job.id, {{"format", job.format}});
  return JsonResponse(201, JobJson(ctx.store(), job));
}

HttpResponse List(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto jobs = ctx.store().ListExportJobs(*id);
  if (!jobs.ok()) return ErrorResponse(jobs.status());
  json out = json::array();
  for (const ExportJob& job : *jobs) out.push_back(JobJson(ctx.store(), job));
  return JsonResponse(200, out);
}

HttpResponse Get(RequestContext& ctx) {
  auto job = JobFor(ctx);
  if (!job.ok()) return ErrorResponse(job.status());
  return JsonResponse(200, JobJson(ctx.store(), *job));
}

HttpResponse Delete(RequestContext& ctx) {
  auto job = JobFor(ctx);
  if (!job.ok()) return ErrorResponse(job.status());
  Status s = ctx.store().DeleteExportJob(job->id);
  if (!s.ok()) return ErrorResponse(s);
  // A runner still writing it notices at its next progress report and
  // removes its own temporary file.
  if (!job->file.empty()) {
    std::error_code ec;
    fs::remove(ExportsDir(ctx.app().options().data_dir) / job->file, ec);
  }
  ctx.Audit("project.export_job.delete", job->project_id, "export", job->id,
            {{"format", job->format}, {"status", ExportJobStatusName(job->status)}});
  return NoContent();
}

HttpResponse Download(RequestContext& ctx) {
  auto job = JobFor(ctx);
  if (!job.ok()) return ErrorResponse(job.status());
  const FormatInfo* format = FindFormat(job->format);
  if (auto type = ctx.request().Query("exportType"); type && format) {
    const FormatInfo* wanted = FindFormat(*type);
    if (!wanted) {
      return ErrorResponse(Status::FieldInvalid(
          "exportType", "exportType '" + *type + "' is not supported; supported: " + FormatNames()));
    }
    if (wanted != format) {
      return ErrorResponse(Status::FieldInvalid(
          "exportType", "export " + std::to_string(job->id) + " was made as " + format->name +
                            "; download it with exportType=" + format->name +
                            " or create an export with exportType " + wanted->name));
    }
  }
  if (job->status != ExportJobStatus::kCompleted || !format) {
    return ErrorResponse(Status::Conflict(
        "export " + std::to_string(job->id) + " is " + ExportJobStatusName(job->status) +
        (job->error.empty() ? "" : " (" + job->error + ")") +
        "; it can be downloaded once its status is completed"));
  }
  const fs::path path = ExportsDir(ctx.app().options().data_dir) / job->file;
  std::error_code ec;
  const uint64_t size = fs::file_size(path, ec);
  if (ec) {
    return ErrorResponse(Status::NotFound("the file of export " + std::to_string(job->id) +
                                          " is missing from the server's data folder"));
  }
  ctx.Audit("project.export", job->project_id, "export", job->id,
            {{"format", job->format}, {"tasks", job->tasks_done}, {"bytes", size}, {"export_job", job->id}});
  HttpResponse res;
  res.SetHeader("Content-Type", ContentType(format->extension));
  std::string stamp = FormatIsoTime(job->finished_at).substr(0, 19);
  for (auto& c : stamp) if (c == ':') c = '-';
  res.SetHeader("Content-Disposition", "attachment; filename=\"project-" + std::to_string(job->project_id) +
                                           "-at-" + stamp + "-" + job->md5.substr(0, 8) + "." +
                                           format->extension + "\"");
  res.file = FileBody{path.string(), 0, size, false};
  return res;
}

}  // namespace

void RegisterExportJobRoutes(Router& r) {
  r.Add("POST", "/api/projects/{id}/exports", Access::kAuthenticated, Create);
  r.Add("GET", "/api/projects/{id}/exports", Access::kAuthenticated, List);
  r.Add("GET", "/api/projects/{id}/exports/{export_pk}", Access::kAuthenticated, Get);
  r.Add("DELETE", "/api/projects/{id}/exports/{export_pk}", Access::kAuthenticated, Delete);
  r.Add("GET", "/api/projects/{id}/exports/{export_pk}/download", Access::kAuthenticated, Download);
}

}  // namespace tessera::server
