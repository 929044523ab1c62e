// Pre-filtering on import, and its routes:
//   GET   /api/projects/{id}/prefilter          settings and flag counts
//   PATCH /api/projects/{id}/prefilter          change settings (merged into the stored ones)
//   GET   /api/projects/{id}/prefilter/tasks    flagged tasks with reasons (?reason=&after=&limit=)
//   POST  /api/projects/{id}/prefilter/release  return a selection of flagged tasks to the queue
//   POST  /api/projects/{id}/prefilter/run      check every task of the project again
// All for managers of the project.
#include "server/api/prefilter.h"

#include <atomic>
#include <thread>

#include "server/api/selection.h"
#include "server/app.h"
#include "server/context.h"
#include "server/file_response.h"
#include "src/media/prefilter.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

Result<PrefilterConfig> LoadSettings(Store& store, Id project_id) {
  TESSERA_ASSIGN_OR_RETURN(std::string stored, store.GetPrefilterSettings(project_id));
  return PrefilterConfig::FromJson(stored);
}

json EmptyCounts() {
  json counts = json::object();
  for (std::string_view reason : PrefilterReasons()) counts[std::string(reason)] = 0;
  return counts;
}

// One task as the checks see it: what to measure, and the results.
struct Item {
  Id task_id = 0;
  std::string data;                     // canonical JSON of the task data
  std::vector<std::string> image_bytes; // read from disk (empty when uploaded in-request)
  std::vector<std::string_view> images; // views into image_bytes or the request
  std::vector<std::string> texts;
  std::vector<ImageMeasure> measures;
};

// The local file behind an image URL of this project's uploads, if any.
std::optional<fs::path> UploadPath(App& app, Id project_id, const std::string& url) {
  std::string prefix = "/data/upload/" + std::to_string(project_id) + "/";
  if (!url.starts_with(prefix)) return std::nullopt;
  auto path = SafeJoin(app.media_root() / "upload" / std::to_string(project_id),
                       url.substr(prefix.size()));
  if (!path.ok()) return std::nullopt;
  return *path;
}

Item Collect(App& app, Id project_id, const LabelingConfig* config, const Task& task,
             const std::unordered_map<Id, std::string_view>& media) {
  Item item;
  item.task_id = task.id;
  json data = json::parse(task.data, nullptr, false);
  item.data = data.is_discarded() ? task.data : data.dump();  // keys sorted: canonical
  if (auto it = media.find(task.id); it != media.end()) item.images.push_back(it->second);
  if (config == nullptr || !data.is_object()) return item;
  for (const ObjectTag& obj : config->objects()) {
    auto value = data.find(obj.data_key);
    if (obj.data_key.empty() || value == data.end() || !value->is_string()) continue;
    if (obj.type == ObjectType::kText || obj.type == ObjectType::kHyperText) {
      item.texts.push_back(value->get<std::string>());
    } else if (obj.type == ObjectType::kImage && item.images.empty()) {
      auto path = UploadPath(app, project_id, value->get<std::string>());
      if (!path) continue;
      // A missing file is measured as empty: "unreadable", which it is.
      item.image_bytes.push_back(ReadWholeFile(*path).value_or(std::string()));
      item.images.push_back(item.image_bytes.back());
    }
  }
  return item;
}

// Decoding images is the slow part: spread it over the cores.
void MeasureAll(std::vector<Item>& items) {
  std::vector<std::pair<size_t, size_t>> jobs;
  for (size_t i = 0; i < items.size(); ++i) {
    items[i].measures.resize(items[i].images.size());
    for (size_t j = 0; j < items[i].images.size(); ++j) jobs.emplace_back(i, j);
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1)) < jobs.size();) {
      auto [i, j] = jobs[k];
      items[i].measures[j] = MeasureImage(items[i].images[j]);
    }
  };
  unsigned threads = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  if (jobs.size() < 2) threads = 1;
  std::vector<std::jthread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
}

// Judges the project's tasks with ids in [first_id, last_id] in id order.
Result<json> JudgeRange(App& app, Id project_id, const LabelingConfig* config, Id first_id,
                        Id last_id, const std::unordered_map<Id, std::string_view>& media,
                        Prefilter& filter) {
  json counts = EmptyCounts();
  TaskQuery query;
  query.project_id = project_id;
  query.after_id = first_id - 1;
  query.limit = 256;
  while (true) {
    TESSERA_ASSIGN_OR_RETURN(std::vector<Task> tasks, app.store().ListTasks(query));
    std::vector<Item> items;
    for (const Task& task : tasks) {
      if (task.id > last_id) break;
      items.push_back(Collect(app, project_id, config, task, media));
    }
    if (items.empty()) break;
    MeasureAll(items);
    size_t hashes_before = filter.new_hashes().size();
    std::vector<TaskFlag> flags;
    for (Item& item : items) {
      TaskEvidence evidence;
      evidence.task_id = item.task_id;
      evidence.content = ContentHash64(item.images.empty() ? std::string_view(item.data)
                                                           : item.images.front());
      evidence.images = std::move(item.measures);
      for (const std::string& t : item.texts) evidence.texts.push_back(t);
      PrefilterVerdict v = filter.Judge(evidence);
      if (v.reason.empty()) continue;
      counts[v.reason] = counts[v.reason].get<int64_t>() + 1;
      flags.push_back({item.task_id, v.reason, v.detail, 0});
    }
    std::span<const TaskHash> fresh(filter.new_hashes().data() + hashes_before,
                                    filter.new_hashes().size() - hashes_before);
    TESSERA_RETURN_IF_ERROR(app.store().RecordPrefilter(project_id, fresh, flags));
    if (tasks.back().id >= last_id || static_cast<int64_t>(tasks.size()) < query.limit) break;
    query.after_id = tasks.back().id;
  }
  return counts;
}

std::shared_ptr<const LabelingConfig> ProjectConfig(Store& store, Id project_id) {
  auto project = store.GetProject(project_id);
  if (!project.ok()) return nullptr;
  auto parsed = ParseLabelingConfig(project->label_config);
  return parsed.ok() ? *parsed : nullptr;
}

Result<json> SettingsView(Store& store, Id project_id, const PrefilterConfig& settings) {
  TESSERA_ASSIGN_OR_RETURN(auto counts, store.CountTaskFlags(project_id));
  json flagged = EmptyCounts();
  int64_t total = 0;
  for (const auto& [reason, n] : counts) {
    flagged[reason] = n;
    total += n;
  }
  return json{{"settings", json::parse(settings.ToJson())},
              {"flagged", flagged},
              {"flagged_total", total}};
}

HttpResponse GetPrefilter(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto settings = LoadSettings(ctx.store(), *id);
  if (!settings.ok()) return ErrorResponse(settings.status());
  auto view = SettingsView(ctx.store(), *id, *settings);
  if (!view.ok()) return ErrorResponse(view.status());
  return JsonResponse(200, *view);
}

HttpResponse PatchPrefilter(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  auto current = LoadSettings(ctx.store(), *id);
  if (!current.ok()) return ErrorResponse(current.status());
  json merged = json::parse(current->ToJson());
  merged.merge_patch(*body);
  auto settings = PrefilterConfig::FromJson(merged.dump());
  if (!settings.ok()) return ErrorResponse(settings.status());
  s = ctx.store().SetPrefilterSettings(*id, settings->ToJson());
  if (!s.ok()) return ErrorResponse(s);
  ctx.Audit("project.prefilter", *id, "project", *id, json::parse(settings->ToJson()));
  auto view = SettingsView(ctx.store(), *id, *settings);
  if (!view.ok()) return ErrorResponse(view.status());
  return JsonResponse(200, *view);
}

HttpResponse ListFlagged(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  std::string reason = ctx.request().Query("reason").value_or("");
  if (!reason.empty()) {
    bool known = false;
    for (std::string_view r : PrefilterReasons()) known |= r == reason;
    if (!known) {
      return ErrorResponse(Status::FieldInvalid(
          "reason", "reason '" + reason + "' is not one of: duplicate, near_duplicate, blurry, "
                                          "unreadable, empty"));
    }
  }
  auto after = QueryInt(ctx.request(), "after", 0, 0, INT64_MAX);
  if (!after.ok()) return ErrorResponse(after.status());
  auto limit = QueryInt(ctx.request(), "limit", 100, 1, 1000);
  if (!limit.ok()) return ErrorResponse(limit.status());
  auto flags = ctx.store().ListTaskFlags(*id, reason, *after, *limit);
  if (!flags.ok()) return ErrorResponse(flags.status());
  json tasks = json::array();
  for (const TaskFlag& f : *flags) {
    tasks.push_back(json{{"task", f.task_id},
                         {"reason", f.reason},
                         {"detail", f.detail},
                         {"created_at", FormatIsoTime(f.created_at)}});
  }
  json out{{"tasks", tasks}};
  out["next_after"] = static_cast<int64_t>(flags->size()) == *limit
                          ? json(flags->back().task_id)
                          : json(nullptr);
  return JsonResponse(200, out);
}

HttpResponse Release(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  auto selection = ParseSelectedItems(*body);
  if (!selection.ok()) return ErrorResponse(selection.status());
  auto reason = StringField(*body, "reason", false, "");
  if (!reason.ok()) return ErrorResponse(reason.status());
  auto released = ctx.store().ReleaseTaskFlags(*id, *selection, *reason);
  if (!released.ok()) return ErrorResponse(released.status());
  return JsonResponse(200, json{{"released", *released}});
}

HttpResponse Run(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto settings = LoadSettings(ctx.store(), *id);
  if (!settings.ok()) return ErrorResponse(settings.status());
  if (!settings->enabled) {
    return ErrorResponse(Status::FailedPrecondition(
        "pre-filtering is off for this project; turn it on first (PATCH "
        "/api/projects/" + std::to_string(*id) + "/prefilter with {\"enabled\": true})"));
  }
  auto config = ProjectConfig(ctx.store(), *id);
  // From scratch: every task is compared with the tasks before it.
  Prefilter filter(*settings, {});
  auto counts = JudgeRange(ctx.app(), *id, config.get(), 1, INT64_MAX, {}, filter);
  if (!counts.ok()) return ErrorResponse(counts.status());
  auto view = SettingsView(ctx.store(), *id, *settings);
  if (!view.ok()) return ErrorResponse(view.status());
  (*view)["filtered"] = *counts;
  return JsonResponse(200, *view);
}

}  // namespace

Result<json> PrefilterImport(App& app, Id project_id, const LabelingConfig* config, Id first_id,
                             Id last_id, const std::unordered_map<Id, std::string_view>& media) {
  if (first_id <= 0 || last_id < first_id) return EmptyCounts();
  TESSERA_ASSIGN_OR_RETURN(PrefilterConfig settings, LoadSettings(app.store(), project_id));
  TESSERA_ASSIGN_OR_RETURN(std::vector<TaskHash> known, app.store().ListTaskHashes(project_id));
  // The tasks of this import already have no hashes; drop any in the range so
  // a retried call does not find a task to be its own duplicate.
  std::erase_if(known, [&](const TaskHash& h) {
    return h.task_id >= first_id && h.task_id <= last_id;
  });
  Prefilter filter(settings, known);
  return JudgeRange(app, project_id, config, first_id, last_id, media, filter);
}

void RegisterPrefilterRoutes(Router& r) {
  r.Add("GET", "/api/projects/{id}/prefilter", Access::kAuthenticated, GetPrefilter);
  r.Add("PATCH", "/api/projects/{id}/prefilter", Access::kAuthenticated, PatchPrefilter);
  r.Add("GET", "/api/projects/{id}/prefilter/tasks", Access::kAuthenticated, ListFlagged);
  r.Add("POST", "/api/projects/{id}/prefilter/release", Access::kAuthenticated, Release);
  r.Add("POST", "/api/projects/{id}/prefilter/run", Access::kAuthenticated, Run);
}

}  // namespace tessera::server
