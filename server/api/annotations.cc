// /api/tasks/{id}/annotations and /api/annotations/{id}: create, read, update
// (every update keeps the previous version), delete, version history, the
// full history (versions and reviews), and the project-wide history export
// (GET /api/projects/{id}/history/export, JSON lines). In blind mode
// annotators see only their own annotations.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "server/api/task_access.h"
#include "server/api/views.h"
#include "server/app.h"
#include "server/webhook_events.h"
#include "tessera/ls_json.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

// Reads the editable fields of an annotation from `body` into `a`.
Status ApplyAnnotationFields(RequestContext& ctx, const json& body, Annotation* a) {
  if (auto it = body.find("result"); it != body.end()) {
    TESSERA_RETURN_IF_ERROR(ValidateProjectResult(ctx, a->project_id, *it));
    a->result = it->dump();
  }
  TESSERA_ASSIGN_OR_RETURN(a->was_cancelled, BoolField(body, "was_cancelled", a->was_cancelled));
  TESSERA_ASSIGN_OR_RETURN(a->ground_truth, BoolField(body, "ground_truth", a->ground_truth));
  TESSERA_ASSIGN_OR_RETURN(a->lead_time, NumberField(body, "lead_time", a->lead_time));
  if (a->lead_time < 0) return Status::FieldInvalid("lead_time", "lead_time must be >= 0 seconds");
  return Status::Ok();
}

// An annotation the caller may read (a member, and not hidden by blind mode).
Result<Annotation> LoadVisibleAnnotation(RequestContext& ctx, Id id) {
  TESSERA_ASSIGN_OR_RETURN(Annotation a, LoadAnnotation(ctx, id, Role::kAnnotator));
  TESSERA_RETURN_IF_ERROR(RequireVisible(ctx, a));
  return a;
}

// {"id","email","first_name","last_name"} of a user id, or null; each user
// is looked up once per request (a history names the same few people often).
class UserRefs {
 public:
  explicit UserRefs(RequestContext& ctx) : ctx_(ctx) {}
  const json& operator()(Id user_id) {
    static const json kNone = nullptr;
    if (user_id <= 0) return kNone;
    auto it = cache_.find(user_id);
    if (it != cache_.end()) return it->second;
    auto u = ctx_.store().GetUser(user_id);
    return cache_.emplace(user_id, u.ok() ? UserBriefJson(*u) : json{{"id", user_id}})
        .first->second;
  }

 private:
  RequestContext& ctx_;
  std::map<Id, json> cache_;
};

HttpResponse ListTaskAnnotations(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto task = LoadTask(ctx, *id, Role::kAnnotator);
  if (!task.ok()) return ErrorResponse(task.status());
  auto list = ctx.store().ListAnnotations(*id);
  if (!list.ok()) return ErrorResponse(list.status());
  bool sees_all = SeesOthersAnnotations(ctx, task->project_id);
  json out = json::array();
  for (const Annotation& a : *list) {
    if (!sees_all && a.completed_by != ctx.user_id()) continue;  // blind mode
    out.push_back(AnnotationJsonWithAuthor(ctx, a));
  }
  return JsonResponse(200, out);
}

HttpResponse CreateAnnotation(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto task = LoadTask(ctx, *id, Role::kAnnotator);
  if (!task.ok()) return ErrorResponse(task.status());
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  Annotation a;
  a.task_id = task->id;
  a.project_id = task->project_id;
  a.completed_by = ctx.user_id();
  a.updated_by = ctx.user_id();
  a.last_action = "submitted";
  Status s = ApplyAnnotationFields(ctx, *body, &a);
  if (!s.ok()) return ErrorResponse(s);
  if (auto pp = body->find("parent_prediction"); pp != body->end() && pp->is_number_integer()) {
    a.parent_prediction = pp->get<Id>();
  }
  if (auto pa = body->find("parent_annotation"); pa != body->end() && pa->is_number_integer()) {
    a.parent_annotation = pa->get<Id>();
  }
  a.created_at = a.updated_at = NowMs();
  // Made under the latest guideline (reported per version by /stats/guidelines).
  auto guideline = ctx.store().GetGuidelineStatus(task->project_id, ctx.user_id());
  if (!guideline.ok()) return ErrorResponse(guideline.status());
  a.guideline_version = guideline->latest;
  // Label Studio's editor names the draft it submits; the store already drops
  // the caller's draft of a new annotation, this also covers one of an edit.
  std::optional<Id> draft_id;
  if (auto di = body->find("draft_id"); di != body->end() && !di->is_null()) {
    if (!di->is_number_integer()) {
      return ErrorResponse(Status::FieldInvalid("draft_id", "draft_id must be a draft id (integer)"));
    }
    draft_id = di->get<Id>();
  }
  s = ctx.store().CreateAnnotation(&a);
  if (!s.ok()) return ErrorResponse(s);
  if (draft_id) {
    auto d = ctx.store().GetDraft(*draft_id);
    if (d.ok() && d->user_id == ctx.user_id()) (void)ctx.store().DeleteDraft(d->id);  // best effort
  }
  ctx.EmitWebhook("ANNOTATION_CREATED", a.project_id,
                  [&] { return WebhookAnnotationPayload(ctx.store(), a); });
  return JsonResponse(201, AnnotationJsonWithAuthor(ctx, a));
}

HttpResponse GetAnnotation(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto a = LoadVisibleAnnotation(ctx, *id);
  if (!a.ok()) return ErrorResponse(a.status());
  return JsonResponse(200, AnnotationJsonWithAuthor(ctx, *a));
}

// Authors may edit their own annotations; reviewers and above anyone's.
// In blind mode an annotator cannot see others' annotations at all, so they
// get the same 404 as for a missing one (a 403 would confirm it exists).
Status RequireEditRight(RequestContext& ctx, const Annotation& a, Role others_min) {
  if (a.completed_by == ctx.user_id()) return Status::Ok();
  TESSERA_RETURN_IF_ERROR(RequireVisible(ctx, a));
  return ctx.RequireProjectRole(a.project_id, others_min);
}

HttpResponse PatchAnnotation(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto a = LoadAnnotation(ctx, *id, Role::kAnnotator);
  if (!a.ok()) return ErrorResponse(a.status());
  Status s = RequireEditRight(ctx, *a, Role::kReviewer);
  if (!s.ok()) return ErrorResponse(s);
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  s = ApplyAnnotationFields(ctx, *body, &*a);
  if (!s.ok()) return ErrorResponse(s);
  a->updated_by = ctx.user_id();
  a->updated_at = NowMs();
  a->last_action = "updated";
  if (a->completed_by == ctx.user_id()) {
    // The author's rework is made under the latest guideline; a reviewer's
    // correction leaves the version the author worked under.
    auto guideline = ctx.store().GetGuidelineStatus(a->project_id, ctx.user_id());
    if (!guideline.ok()) return ErrorResponse(guideline.status());
    a->guideline_version = guideline->latest;
  }
  s = ctx.store().UpdateAnnotation(&*a);
  if (!s.ok()) return ErrorResponse(s);
  if (a->completed_by == ctx.user_id()) {
    // The author reworked it: a rejected annotation goes back to the review
    // queue, and the author's reservation of the task ends. Best effort: the
    // update itself is stored, and a lock left behind expires on its own.
    (void)ctx.store().ResubmitAnnotation(a->id);
    (void)ctx.store().ReleaseTaskLock(a->task_id, ctx.user_id());
  }
  ctx.EmitWebhook("ANNOTATION_UPDATED", a->project_id,
                  [&] { return WebhookAnnotationPayload(ctx.store(), *a); });
  return JsonResponse(200, AnnotationJsonWithAuthor(ctx, *a));
}

HttpResponse DeleteAnnotation(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto a = LoadAnnotation(ctx, *id, Role::kAnnotator);
  if (!a.ok()) return ErrorResponse(a.status());
  Status s = RequireEditRight(ctx, *a, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  s = ctx.store().DeleteAnnotation(*id);
  if (!s.ok()) return ErrorResponse(s);
  const Id deleted = *id;
  ctx.EmitWebhook("ANNOTATIONS_DELETED", a->project_id, [deleted] {
    return Result<nlohmann::json>(nlohmann::json{{"annotations", {{{"id", deleted}}}}});
  });
  return NoContent();
}

// One version as the versions and history endpoints print it.
json VersionJson(UserRefs& users, int version, const std::string& result, bool was_cancelled,
                 bool ground_truth, double lead_time, Id updated_by, const std::string& action,
                 TimeMs at) {
  return json{{"version", version},
              {"result", json::parse(result, nullptr, false)},
              {"was_cancelled", was_cancelled},
              {"ground_truth", ground_truth},
              {"lead_time", lead_time},
              {"updated_by", updated_by},
              {"user", users(updated_by)},
              {"action", action},
              {"created_at", FormatIsoTime(at)}};
}

// Every version of `a`, oldest first, the current state last.
Result<json> VersionsJson(RequestContext& ctx, UserRefs& users, const Annotation& a) {
  std::vector<AnnotationVersion> versions;
  if (a.version > 1) {  // version 1 has no stored predecessors
    TESSERA_ASSIGN_OR_RETURN(versions, ctx.store().ListAnnotationVersions(a.id));
  }
  json out = json::array();
  for (const AnnotationVersion& v : versions) {
    out.push_back(VersionJson(users, v.version, v.result, v.was_cancelled, v.ground_truth,
                              v.lead_time, v.updated_by, v.action, v.created_at));
  }
  // The current state closes the list.
  json current = VersionJson(users, a.version, a.result, a.was_cancelled, a.ground_truth,
                             a.lead_time, a.updated_by, a.last_action, a.updated_at);
  current["current"] = true;
  out.push_back(std::move(current));
  return out;
}

// Every event of an annotation, oldest first: each stored version (with who
// made it and the action: submitted, updated, fixed, imported, ...) and every
// review (accepted, rejected with its comment, fixed). Shared by the
// annotation's history and the project's history export.
Result<json> HistoryEvents(RequestContext& ctx, UserRefs& users, const Annotation& a) {
  TESSERA_ASSIGN_OR_RETURN(json versions, VersionsJson(ctx, users, a));
  TESSERA_ASSIGN_OR_RETURN(std::vector<Review> reviews, ctx.store().ListReviews(a.id));
  json events = json::array();
  for (json& v : versions) {
    v["type"] = "version";
    events.push_back(std::move(v));
  }
  for (const Review& r : reviews) {
    events.push_back(json{{"type", "review"},
                          {"version", r.version},
                          {"action", ReviewStateName(r.action)},
                          {"comment", r.comment},
                          {"updated_by", r.reviewer_id},
                          {"user", users(r.reviewer_id)},
                          {"created_at", FormatIsoTime(r.created_at)}});
  }
  // ISO times sort as text; a review follows the version it applies to.
  std::stable_sort(events.begin(), events.end(), [](const json& x, const json& y) {
    return std::make_pair(x["created_at"].get<std::string>(), x["version"].get<int>()) <
           std::make_pair(y["created_at"].get<std::string>(), y["version"].get<int>());
  });
  return events;
}

HttpResponse AnnotationVersions(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto a = LoadVisibleAnnotation(ctx, *id);
  if (!a.ok()) return ErrorResponse(a.status());
  UserRefs users(ctx);
  auto out = VersionsJson(ctx, users, *a);
  if (!out.ok()) return ErrorResponse(out.status());
  return JsonResponse(200, *out);
}

// GET /api/annotations/{id}/history: HistoryEvents of one annotation;
// ?format=csv for a spreadsheet.
HttpResponse AnnotationHistory(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto format = ctx.request().Query("format").value_or("json");
  if (format != "json" && format != "csv") {
    return ErrorResponse(Status::FieldInvalid("format", "format '" + format +
                                                            "' is not one of: json, csv"));
  }
  auto a = LoadVisibleAnnotation(ctx, *id);
  if (!a.ok()) return ErrorResponse(a.status());
  UserRefs users(ctx);
  auto history = HistoryEvents(ctx, users, *a);
  if (!history.ok()) return ErrorResponse(history.status());
  const json& events = *history;
  if (format == "json") {
    return JsonResponse(200, json{{"annotation", a->id}, {"task", a->task_id}, {"events", events}});
  }
  auto csv_field = [](const std::string& text) {
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  std::string csv = "annotation,task,type,version,action,user_id,user_email,comment,created_at,result\r\n";
  for (const json& e : events) {
    const json& user = e["user"];
    csv += std::to_string(a->id) + "," + std::to_string(a->task_id) + "," +
           e["type"].get<std::string>() + "," + std::to_string(e["version"].get<int>()) + "," +
           csv_field(e["action"].get<std::string>()) + "," +
           std::to_string(e["updated_by"].get<Id>()) + "," +
           csv_field(user.is_object() ? user.value("email", "") : "") + "," +
           csv_field(e.value("comment", "")) + "," + e["created_at"].get<std::string>() + "," +
           csv_field(e.contains("result") ? e["result"].dump() : "") + "\r\n";
  }
  HttpResponse res;
  res.status = 200;
  res.body = std::move(csv);
  res.SetHeader("Content-Type", "text/csv; charset=utf-8");
  res.SetHeader("Content-Disposition",
                "attachment; filename=\"annotation-" + std::to_string(a->id) + "-history.csv\"");
  return res;
}

// GET /api/projects/{id}/history/export (managers): HistoryEvents of every
// annotation of the project as JSON lines, task by task and annotation by
// annotation (ids ascending), each annotation's events oldest first; every
// line also carries "annotation", "task" and "completed_by". The project is
// read a page of tasks at a time into a temporary file (constant memory),
// which is then sent.
HttpResponse ProjectHistoryExport(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  std::filesystem::path tmp_dir = ctx.app().options().data_dir / "tmp";
  std::error_code ec;
  std::filesystem::create_directories(tmp_dir, ec);
  std::filesystem::path tmp = tmp_dir / ("history-" + RandomHex(8) + ".jsonl");
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) return ErrorResponse(Status::IOError("cannot create " + tmp.string()));
    UserRefs users(ctx);
    TaskQuery query;
    query.project_id = *id;
    s = ctx.store().ForEachTaskBundle(query, [&](const TaskBundle& bundle) -> Status {
      for (const Annotation& a : bundle.annotations) {
        auto events = HistoryEvents(ctx, users, a);
        // Deleted after its page was read: it has no history any more.
        if (events.status().code() == Code::kNotFound) continue;
        TESSERA_RETURN_IF_ERROR(events.status());
        for (json& event : *events) {
          json line{{"annotation", a.id},
                    {"task", a.task_id},
                    {"completed_by", a.completed_by > 0 ? json(a.completed_by) : json(nullptr)}};
          line.update(event);
          out << line.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
        }
      }
      return out ? Status::Ok() : Status::IOError("writing the history export failed (disk full?)");
    });
    out.flush();
    if (s.ok() && !out) s = Status::IOError("writing the history export failed (disk full?)");
  }
  if (!s.ok()) {
    std::filesystem::remove(tmp, ec);
    return ErrorResponse(s);
  }
  HttpResponse res;
  res.SetHeader("Content-Type", "application/x-ndjson");
  res.SetHeader("Content-Disposition",
                "attachment; filename=\"project-" + std::to_string(*id) + "-history.jsonl\"");
  res.file = FileBody{tmp.string(), 0, std::filesystem::file_size(tmp, ec), true};
  return res;
}

}  // namespace

void RegisterAnnotationRoutes(Router& r) {
  r.Add("GET", "/api/tasks/{id}/annotations", Access::kAuthenticated, ListTaskAnnotations);
  r.Add("POST", "/api/tasks/{id}/annotations", Access::kAuthenticated, CreateAnnotation);
  r.Add("GET", "/api/annotations/{id}", Access::kAuthenticated, GetAnnotation);
  r.Add("PATCH", "/api/annotations/{id}", Access::kAuthenticated, PatchAnnotation);
  r.Add("DELETE", "/api/annotations/{id}", Access::kAuthenticated, DeleteAnnotation);
  r.Add("GET", "/api/annotations/{id}/versions", Access::kAuthenticated, AnnotationVersions);
  r.Add("GET", "/api/annotations/{id}/history", Access::kAuthenticated, AnnotationHistory);
  r.Add("GET", "/api/projects/{id}/history/export", Access::kAuthenticated, ProjectHistoryExport);
}

}  // namespace tessera::server
