// POST /api/projects/{id}/import: tasks as a JSON body, or uploaded files
// (.json/.jsonl/.csv/.tsv/.txt task files, and images/audio/video that become
// one task each). All files of one request are checked before anything is
// written; a failure leaves no task of the request behind. New tasks then go
// through pre-filtering (server/api/prefilter.h); the reply counts the flagged
// ones under "filtered".
#include <chrono>
#include <fstream>

#include "server/api/prefilter.h"
#include "server/app.h"
#include "server/context.h"
#include "server/webhook_events.h"
#include "server/file_response.h"
#include "server/net/multipart.h"
#include "tessera/config.h"
#include "tessera/import.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

enum class MediaKind { kNone, kImage, kAudio, kVideo };

MediaKind MediaKindFor(const std::string& filename) {
  std::string ext = ToLower(fs::path(filename).extension().string());
  for (const char* e : {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".dcm"})
    if (ext == e) return MediaKind::kImage;
  for (const char* e : {".wav", ".mp3", ".ogg", ".flac", ".m4a"})
    if (ext == e) return MediaKind::kAudio;
  for (const char* e : {".mp4", ".webm", ".avi", ".mov", ".mkv"})
    if (ext == e) return MediaKind::kVideo;
  return MediaKind::kNone;
}

// The task data key a media file goes under: the config's object tag of the
// matching kind, else "image"/"audio"/"video".
std::string MediaDataKey(const LabelingConfig* cfg, MediaKind kind) {
  ObjectType want = kind == MediaKind::kImage   ? ObjectType::kImage
                    : kind == MediaKind::kAudio ? ObjectType::kAudio
                                                : ObjectType::kVideo;
  if (cfg) {
    for (const ObjectTag& obj : cfg->objects()) {
      if (obj.type == want && !obj.data_key.empty()) return obj.data_key;
    }
  }
  return kind == MediaKind::kImage ? "image" : kind == MediaKind::kAudio ? "audio" : "video";
}

struct PendingFile {
  std::string name;
  ImportFormat format;
  std::string_view bytes;
};

HttpResponse Import(RequestContext& ctx) {
  auto start = std::chrono::steady_clock::now();
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto return_ids = QueryBool(ctx.request(), "return_task_ids", false);
  if (!return_ids.ok()) return ErrorResponse(return_ids.status());
  auto project = ctx.store().GetProject(*id);
  if (!project.ok()) return ErrorResponse(project.status());
  std::shared_ptr<const LabelingConfig> cfg;
  if (auto parsed = ParseLabelingConfig(project->label_config); parsed.ok()) cfg = *parsed;

  ImportOptions options;
  options.return_task_ids = true;
  options.validate_first = true;
  if (cfg) {
    options.parse.data_keys = cfg->data_keys();
    options.parse.validator = [cfg](const NewTask& task, int64_t) {
      return ValidateTaskResults(*cfg, task);
    };
  }

  std::vector<PendingFile> files;
  std::vector<std::pair<const MultipartPart*, MediaKind>> media;
  std::vector<MultipartPart> parts;
  const std::string& ctype = ctx.request().Header("content-type");
  if (ctype.starts_with("multipart/form-data")) {
    auto boundary = MultipartBoundary(ctype);
    if (!boundary.ok()) return ErrorResponse(boundary.status());
    auto parsed = ParseMultipart(ctx.request().body, *boundary);
    if (!parsed.ok()) return ErrorResponse(parsed.status());
    parts = std::move(*parsed);
    for (const MultipartPart& part : parts) {
      if (part.filename.empty()) continue;
      MediaKind kind = MediaKindFor(part.filename);
      if (kind != MediaKind::kNone) {
        media.emplace_back(&part, kind);
        continue;
      }
      auto format = FormatFromFileName(part.filename);
      if (!format.ok()) {
        return ErrorResponse(Status::UnsupportedMedia(
            "file '" + part.filename + "': " + format.status().message() +
            "; media files may be images (.jpg .png .gif .bmp .webp .tif .dcm), audio (.wav .mp3 "
            ".ogg .flac .m4a) or video (.mp4 .webm .avi .mov .mkv)"));
      }
      files.push_back({part.filename, *format, part.data});
    }
    if (files.empty() && media.empty()) {
      return ErrorResponse(400, "the upload has no files; send them as form fields with a "
                                "filename (e.g. curl -F file=@tasks.json)");
    }
  } else if (ctype.empty() || ctype.starts_with("application/json") ||
             ctype.starts_with("text/json") ||
             // curl -d sends JSON as form-urlencoded unless told otherwise.
             (ctype.starts_with("application/x-www-form-urlencoded") &&
              (Trim(ctx.request().body).starts_with("[") ||
               Trim(ctx.request().body).starts_with("{")))) {
    files.push_back({"api", ImportFormat::kJson, ctx.request().body});
  } else {
    return ErrorResponse(Status::UnsupportedMedia(
        "Content-Type " + ctype + " is not supported: send JSON (application/json) or files "
        "(multipart/form-data)"));
  }

  // Check every task file before writing anything.
  for (const PendingFile& f : files) {
    auto checked = ParseTasks(ImportSource::Buffer(f.bytes, f.format, f.name), options.parse,
                              [](std::span<const NewTask>) { return Status::Ok(); });
    if (!checked.ok()) {
      return ErrorResponse(
          checked.status().WithPrefix(f.name == "api" ? "import" : "file '" + f.name + "'"));
    }
  }

  std::vector<Id> imports;
  auto roll_back = [&](const Status& cause) {
    for (Id import_id : imports) ctx.store().AbortImport(import_id, cause.message());
    return ErrorResponse(cause);
  };
  json task_ids = json::array();
  int64_t tasks = 0, annotations = 0, predictions = 0;
  std::vector<std::string> columns;
  std::vector<std::string> formats;
  for (const PendingFile& f : files) {
    ImportOptions once = options;
    once.validate_first = false;  // already checked above
    auto report = ImportTasks(ctx.store(), *id, ctx.user_id(),
                              ImportSource::Buffer(f.bytes, f.format, f.name), once);
    if (!report.ok()) return roll_back(report.status());
    imports.push_back(report->import_id);
    tasks += report->task_count;
    annotations += report->annotation_count;
    predictions += report->prediction_count;
    for (Id tid : report->task_ids) task_ids.push_back(tid);
    for (const auto& c : report->data_columns) {
      if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
    }
    formats.push_back(std::string(".") + ImportFormatName(f.format));
  }

  std::unordered_map<Id, std::string_view> uploaded;  // task id -> media bytes
  if (!media.empty()) {
    fs::path dir = ctx.app().media_root() / "upload" / std::to_string(*id);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return roll_back(Status::IOError("cannot create media folder: " + ec.message()));
    auto import_id = ctx.store().BeginImport(*id, ctx.user_id(), "upload");
    if (!import_id.ok()) return roll_back(import_id.status());
    imports.push_back(*import_id);
    std::vector<NewTask> batch;
    std::vector<fs::path> written;
    for (auto& [part, kind] : media) {
      std::string stored = RandomHex(4) + "-" + SanitizeFileName(part->filename);
      fs::path path = dir / stored;
      std::ofstream out(path, std::ios::binary);
      out.write(part->data.data(), static_cast<std::streamsize>(part->data.size()));
      out.close();
      if (!out) {
        for (const auto& w : written) fs::remove(w, ec);
        return roll_back(Status::IOError("cannot write " + path.string()));
      }
      written.push_back(path);
      NewTask t;
      std::string key = MediaDataKey(cfg.get(), kind);
      t.data = json{{key, "/data/upload/" + std::to_string(*id) + "/" + stored}}.dump();
      batch.push_back(std::move(t));
      if (std::find(columns.begin(), columns.end(), key) == columns.end()) columns.push_back(key);
      formats.push_back(ToLower(fs::path(part->filename).extension().string()));
    }
    std::vector<Id> ids;
    s = ctx.store().InsertTasks(*id, *import_id, batch, &ids);
    if (!s.ok()) {
      for (const auto& w : written) fs::remove(w, ec);
      return roll_back(s);
    }
    ctx.store().FinishImport(*import_id, static_cast<int64_t>(ids.size()), 0, 0);
    tasks += static_cast<int64_t>(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      task_ids.push_back(ids[i]);
      uploaded.emplace(ids[i], media[i].first->data);
    }
  }

  // Pre-filtering: hashes every new task; flags some when the project has it on.
  Id first_id = 0, last_id = 0;
  for (const json& tid : task_ids) {
    Id t = tid.get<Id>();
    first_id = first_id == 0 ? t : std::min(first_id, t);
    last_id = std::max(last_id, t);
  }
  auto filtered = PrefilterImport(ctx.app(), *id, cfg.get(), first_id, last_id, uploaded);
  if (!filtered.ok()) return roll_back(filtered.status());

  if (auto wanted = AnyWebhookWants(ctx.store(), "TASKS_CREATED", *id); wanted.ok() && *wanted) {
    std::vector<Id> created;
    created.reserve(task_ids.size());
    for (const json& tid : task_ids) created.push_back(tid.get<Id>());
    EmitTasksCreated(ctx, *id, created);
  }

  // An import is a bulk change: the dashboards need a whole read of the
  // project. When it brought annotations, that read starts now in the
  // background, so the first look after a large import does not wait for it
  // (server/dashboard_snapshots.h). Tasks alone change no dashboard number:
  // their read waits for someone to look (who gets the last numbers meanwhile).
  if (annotations > 0) {
    if (auto project = ctx.store().GetProject(*id); project.ok()) ctx.app().dashboards().RecountSoon(*project);
  }

  double duration =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(formats.begin(), formats.end());
  formats.erase(std::unique(formats.begin(), formats.end()), formats.end());
  json out{{"task_count", tasks},
           {"annotation_count", annotations},
           {"prediction_count", predictions},
           {"predictions_count", predictions},
           {"duration", duration},
           {"file_upload_ids", json::array()},
           {"could_be_tasks_list", false},
           {"found_formats", formats},
           {"data_columns", columns},
           {"import_ids", imports},
           {"filtered", *filtered}};
  if (*return_ids) out["task_ids"] = task_ids;
  return JsonResponse(201, out);
}

HttpResponse GetImport(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto import_id = ctx.IdParam("import_id");
  if (!import_id.ok()) return ErrorResponse(import_id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto rec = ctx.store().GetImport(*import_id);
  if (!rec.ok() || rec->project_id != *id) {
    return ErrorResponse(404, "import " + std::to_string(*import_id) + " not found in project " +
                                  std::to_string(*id));
  }
  return JsonResponse(200, json{{"id", rec->id},
                                {"project", rec->project_id},
                                {"status", rec->status},
                                {"source", rec->source},
                                {"task_count", rec->task_count},
                                {"annotation_count", rec->annotation_count},
                                {"prediction_count", rec->prediction_count},
                                {"error", rec->error},
                                {"created_at", FormatIsoTime(rec->created_at)},
                                {"finished_at", rec->finished_at ? json(FormatIsoTime(rec->finished_at))
                                                                 : json(nullptr)}});
}

}  // namespace

void RegisterImportRoutes(Router& r) {
  r.Add("POST", "/api/projects/{id}/import", Access::kAuthenticated, Import);
  r.Add("GET", "/api/projects/{id}/imports/{import_id}", Access::kAuthenticated, GetImport);
}

}  // namespace tessera::server
