// Project guidelines as versioned Markdown documents (issue 9):
//   GET  /api/projects/{id}/guidelines                        versions, newest first
//   POST /api/projects/{id}/guidelines                        publish a new version (manager+)
//   GET  /api/projects/{id}/guidelines/{version}              one version ("latest" allowed)
//   GET  /api/projects/{id}/guidelines/{version}/diff?against=N  line diff N -> version
//   POST /api/projects/{id}/guidelines/{version}/acknowledge  the caller read it
//   GET  /api/projects/{id}/stats/guidelines                  quality per version (manager+)
// The text is stored exactly as given; the browser renders it through a
// Markdown parser and DOMPurify. Annotators who have not acknowledged the
// latest version are held at /next (server/api/tasks.cc), and every submitted
// annotation records the latest version (server/api/annotations.cc).
#include <cstdlib>
#include <map>
#include <memory>
#include <set>

#include "server/api/guideline_page.h"
#include "server/api/line_diff.h"
#include "server/api/task_access.h"
#include "server/api/views.h"
#include "server/app.h"
#include "server/context.h"
#include "server/guideline_stats_cache.h"
#include "tessera/agreement.h"
#include "tessera/config.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

constexpr size_t kMaxTextBytes = 200'000;
constexpr size_t kMaxNoteChars = 500;
constexpr size_t kMaxCaptionChars = 300;
constexpr size_t kMaxExamples = 50;
constexpr const char* kExampleKinds[] = {"correct", "edge_case", "mistake"};

// Characters of UTF-8 text (bytes that do not continue a sequence).
size_t Utf8Length(std::string_view text) {
  size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

// {version} as a number, or the latest version for "latest".
Result<int> VersionParam(RequestContext& ctx, Id project_id) {
  const std::string& raw = ctx.Param("version");
  if (raw == "latest") {
    TESSERA_ASSIGN_OR_RETURN(GuidelineStatus st, ctx.store().GetGuidelineStatus(project_id, 0));
    if (st.latest == 0) {
      return Status::NotFound("project " + std::to_string(project_id) + " has no guideline yet");
    }
    return st.latest;
  }
  char* end = nullptr;
  long value = std::strtol(raw.c_str(), &end, 10);
  if (raw.empty() || *end != '\0' || value < 1 || value > 1'000'000) {
    return Status::FieldInvalid("version", "version='" + raw +
                                               "' must be a positive integer or \"latest\"");
  }
  return static_cast<int>(value);
}

// An integer member of a stored example, or 0 (absent, null or not a number).
Id IdMember(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<Id>() : 0;
}

json AuthorJson(RequestContext& ctx, Id author_id) {
  if (author_id <= 0) return nullptr;
  auto user = ctx.store().GetUser(author_id);
  return user.ok() ? UserBriefJson(*user) : json{{"id", author_id}};
}

// The summary the list shows (no text).
json SummaryJson(RequestContext& ctx, const GuidelineVersion& g) {
  json examples = json::parse(g.examples, nullptr, false);
  return json{{"version", g.version},
              {"note", g.note},
              {"author", AuthorJson(ctx, g.author_id)},
              {"created_at", FormatIsoTime(g.created_at)},
              {"text_length", g.text.size()},
              {"examples_count", examples.is_array() ? examples.size() : 0}};
}

// A whole version, with each example's task data and annotation result so
// the editor can render it (examples whose task is gone are marked missing).
json VersionJson(RequestContext& ctx, const GuidelineVersion& g) {
  json out = SummaryJson(ctx, g);
  out["text"] = g.text;
  json examples = json::array();
  json stored = json::parse(g.examples, nullptr, false);
  if (stored.is_array()) {
    for (const json& e : stored) {
      if (!e.is_object()) continue;
      json item = e;
      item["data"] = nullptr;
      item["result"] = nullptr;
      item["missing"] = true;
      auto task = ctx.store().GetTask(IdMember(e, "task"));
      if (task.ok() && task->project_id == g.project_id) {
        item["missing"] = false;
        item["data"] = json::parse(task->data, nullptr, false);
        if (Id annotation_id = IdMember(e, "annotation"); annotation_id > 0) {
          auto a = ctx.store().GetAnnotation(annotation_id);
          if (a.ok() && a->task_id == task->id) item["result"] = json::parse(a->result, nullptr, false);
        }
      }
      examples.push_back(std::move(item));
    }
  }
  out["examples"] = std::move(examples);
  return out;
}

// Checks `examples` of a publish request against the project; returns them
// in their stored shape [{task, annotation, kind, caption}].
Result<json> ValidateExamples(RequestContext& ctx, Id project_id, const json& examples) {
  if (!examples.is_array()) {
    return Status::FieldInvalid("examples", "examples must be an array of {task, annotation, "
                                            "kind, caption}");
  }
  if (examples.size() > kMaxExamples) {
    return Status::FieldInvalid("examples", "at most " + std::to_string(kMaxExamples) +
                                                " examples per version");
  }
  json out = json::array();
  for (size_t idx = 0; idx < examples.size(); ++idx) {
    const json& e = examples[idx];
    std::string field = "examples[" + std::to_string(idx) + "]";
    if (!e.is_object()) return Status::FieldInvalid(field, field + " must be an object");
    auto task_it = e.find("task");
    if (task_it == e.end() || !task_it->is_number_integer() || task_it->get<Id>() <= 0) {
      return Status::FieldInvalid(field + ".task", field + ".task must be a task id of this project");
    }
    Id task_id = task_it->get<Id>();
    auto task = ctx.store().GetTask(task_id);
    if (!task.ok() || task->project_id != project_id) {
      return Status::FieldInvalid(field + ".task", "task " + std::to_string(task_id) +
                                                       " is not a task of project " +
                                                       std::to_string(project_id));
    }
    json annotation = nullptr;
    if (auto it = e.find("annotation"); it != e.end() && !it->is_null()) {
      auto a = it->is_number_integer() ? ctx.store().GetAnnotation(it->get<Id>())
                                       : Result<Annotation>(Status::NotFound(""));
      if (!a.ok() || a->task_id != task_id) {
        return Status::FieldInvalid(field + ".annotation",
                                    field + ".annotation must be an annotation id of task " +
                                        std::to_string(task_id) + " (or null)");
      }
      annotation = a->id;
    }
    auto kind_it = e.find("kind");
    std::string kind = kind_it != e.end() && kind_it->is_string() ? kind_it->get<std::string>() : "";
    bool known = false;
    for (const char* k : kExampleKinds) known = known || kind == k;
    if (!known) {
      return Status::FieldInvalid(field + ".kind",
                                  field + ".kind must be one of correct, edge_case, mistake");
    }
    auto caption = StringField(e, "caption", false);
    if (!caption.ok()) return Status::FieldInvalid(field + ".caption", field + ".caption must be a string");
    if (Utf8Length(*caption) > kMaxCaptionChars) {
      return Status::FieldInvalid(field + ".caption", field + ".caption is at most " +
                                                          std::to_string(kMaxCaptionChars) +
                                                          " characters");
    }
    out.push_back(json{{"task", task_id}, {"annotation", annotation}, {"kind", kind},
                       {"caption", *caption}});
  }
  return out;
}

HttpResponse ListGuidelines(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kAnnotator);
  if (!s.ok()) return ErrorResponse(s);
  auto list = ctx.store().ListGuidelines(*id);
  if (!list.ok()) return ErrorResponse(list.status());
  auto status = ctx.store().GetGuidelineStatus(*id, ctx.user_id());
  if (!status.ok()) return ErrorResponse(status.status());
  json results = json::array();
  for (const GuidelineVersion& g : *list) results.push_back(SummaryJson(ctx, g));
  return JsonResponse(200, json{{"count", list->size()},
                                {"latest", status->latest},
                                {"acknowledged", status->acknowledged},
                                {"results", std::move(results)}});
}

HttpResponse PublishGuideline(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  auto text = StringField(*body, "text", /*required=*/true);
  if (!text.ok()) return ErrorResponse(text.status());
  if (text->find_first_not_of(" \t\r\n") == std::string::npos) {
    return ErrorResponse(Status::FieldInvalid("text", "text must not be empty (Markdown)"));
  }
  if (text->size() > kMaxTextBytes) {
    return ErrorResponse(Status::FieldInvalid(
        "text", "text is " + std::to_string(text->size()) + " bytes; at most " +
                    std::to_string(kMaxTextBytes) + " are allowed"));
  }
  auto note = StringField(*body, "note", /*required=*/false);
  if (!note.ok()) return ErrorResponse(note.status());
  if (Utf8Length(*note) > kMaxNoteChars) {
    return ErrorResponse(Status::FieldInvalid(
        "note", "note is at most " + std::to_string(kMaxNoteChars) + " characters"));
  }
  json examples = json::array();
  if (auto it = body->find("examples"); it != body->end() && !it->is_null()) {
    auto checked = ValidateExamples(ctx, *id, *it);
    if (!checked.ok()) return ErrorResponse(checked.status());
    examples = std::move(*checked);
  }
  GuidelineVersion g;
  g.project_id = *id;
  g.text = std::move(*text);
  g.note = std::move(*note);
  g.author_id = ctx.user_id();
  g.examples = examples.dump();
  s = ctx.store().PublishGuideline(&g);
  if (!s.ok()) return ErrorResponse(s);
  ctx.Audit("guideline.publish", *id, "guideline", g.version,
            json{{"version", g.version}, {"note", g.note}});
  return JsonResponse(201, VersionJson(ctx, g));
}

HttpResponse GetGuideline(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kAnnotator);
  if (!s.ok()) return ErrorResponse(s);
  auto version = VersionParam(ctx, *id);
  if (!version.ok()) return ErrorResponse(version.status());
  auto g = ctx.store().GetGuideline(*id, *version);
  if (!g.ok()) return ErrorResponse(g.status());
  return JsonResponse(200, VersionJson(ctx, *g));
}

HttpResponse DiffGuideline(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kAnnotator);
  if (!s.ok()) return ErrorResponse(s);
  auto version = VersionParam(ctx, *id);
  if (!version.ok()) return ErrorResponse(version.status());
  // Default: against the version before.
  auto against = QueryInt(ctx.request(), "against", *version - 1, 1, 1'000'000);
  if (!against.ok()) return ErrorResponse(against.status());
  auto to = ctx.store().GetGuideline(*id, *version);
  if (!to.ok()) return ErrorResponse(to.status());
  auto from = ctx.store().GetGuideline(*id, static_cast<int>(*against));
  if (!from.ok()) {
    if (from.status().code() != Code::kNotFound) return ErrorResponse(from.status());
    return ErrorResponse(Status::FieldInvalid(
        "against", "against=" + std::to_string(*against) + " is not a version of project " +
                       std::to_string(*id) + "; give a published version number (1, 2, ...)"));
  }
  json lines = json::array();
  int added = 0, removed = 0;
  for (const DiffLine& line : DiffLines(from->text, to->text)) {
    const char* op = line.op == DiffOp::kSame ? "same" : line.op == DiffOp::kAdded ? "added" : "removed";
    added += line.op == DiffOp::kAdded;
    removed += line.op == DiffOp::kRemoved;
    lines.push_back(json{{"op", op}, {"text", line.text}});
  }
  return JsonResponse(200, json{{"from", from->version},
                                {"to", to->version},
                                {"added", added},
                                {"removed", removed},
                                {"lines", std::move(lines)}});
}

HttpResponse AcknowledgeGuideline(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kAnnotator);
  if (!s.ok()) return ErrorResponse(s);
  auto version = VersionParam(ctx, *id);
  if (!version.ok()) return ErrorResponse(version.status());
  s = ctx.store().AcknowledgeGuideline(*id, ctx.user_id(), *version, NowMs());
  if (!s.ok()) return ErrorResponse(s);
  auto status = ctx.store().GetGuidelineStatus(*id, ctx.user_id());
  if (!status.ok()) return ErrorResponse(status.status());
  return JsonResponse(200, json{{"version", *version},
                                {"acknowledged", status->acknowledged},
                                {"latest", status->latest}});
}

// ---- quality per version ----

json Optional(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

// The rows of /stats/guidelines: every published version and every version
// with an annotation, ascending.
Result<json> GuidelineStatsJson(const LabelingConfig& config, const std::map<int, GuidelineTally>& tallies,
                                const std::vector<GuidelineVersion>& versions) {
  std::map<int, const GuidelineVersion*> meta;
  for (const GuidelineVersion& g : versions) meta[g.version] = &g;
  std::set<int> rows;
  for (const auto& [version, tally] : tallies) rows.insert(version);
  for (const auto& [version, g] : meta) rows.insert(version);
  const AgreementBuilder nothing(config);  // a published version nobody has labeled under yet
  json out = json::array();
  for (int version : rows) {
    auto found = tallies.find(version);
    const GuidelineTally none;
    const GuidelineTally& t = found != tallies.end() ? found->second : none;
    const AgreementBuilder& builder = t.builder ? *t.builder : nothing;
    TESSERA_ASSIGN_OR_RETURN(AgreementReport report, builder.Summary());
    json controls = json::array();
    for (const ControlAgreement& c : report.controls) {
      controls.push_back(json{{"from_name", c.from_name},
                              {"method", c.method},
                              {"tasks", c.tasks},
                              {"percent_agreement", Optional(c.percent_agreement)},
                              {"krippendorff_alpha", Optional(c.krippendorff_alpha)},
                              {"mean_pairwise", Optional(c.mean_pairwise)}});
    }
    const size_t scored = builder.scored_tasks();
    json accuracy = nullptr;
    if (t.honeypot_answered > 0) {
      accuracy = static_cast<double>(t.honeypot_correct) / static_cast<double>(t.honeypot_answered);
    }
    auto m = meta.find(version);
    out.push_back(json{
        {"version", version},
        {"note", m != meta.end() ? json(m->second->note) : json(nullptr)},
        {"created_at", m != meta.end() ? json(FormatIsoTime(m->second->created_at)) : json(nullptr)},
        {"annotations", t.annotations},
        {"skipped", t.skipped},
        {"annotators", t.annotators},
        {"tasks", t.tasks},
        {"agreement", json{{"tasks_scored", scored},
                           {"mean_task_score", Optional(report.mean_task_score)},
                           {"controls", std::move(controls)}}},
        {"honeypot", json{{"answered", t.honeypot_answered},
                          {"correct", t.honeypot_correct},
                          {"accuracy", accuracy}}}});
  }
  return json{{"versions", std::move(out)}};
}

// What a /stats/guidelines answer was computed for: the config and the
// published versions.
std::string GuidelineStatsKey(const Project& project, const std::vector<GuidelineVersion>& versions) {
  std::string key = "guidelines?config=" + std::to_string(std::hash<std::string>()(project.label_config));
  for (const GuidelineVersion& g : versions) key += "&v" + std::to_string(g.version) + "@" + std::to_string(g.created_at);
  return key;
}

}  // namespace

Status CountGuidelinePage(Store& store, GuidelineStatsCache& cache, PageSnapshots& pages, const Project& project) {
  TESSERA_ASSIGN_OR_RETURN(std::vector<GuidelineVersion> versions, store.ListGuidelines(project.id));
  if (versions.empty()) return Status::Ok();  // no guidelines: the page is rarely opened; counted when it is
  const std::string key = GuidelineStatsKey(project, versions);
  Status s = cache.RefreshWith(
      store, project,
      [&](const LabelingConfig& config, const std::map<int, GuidelineTally>& tallies, int64_t seq) -> Status {
        TESSERA_ASSIGN_OR_RETURN(json out, GuidelineStatsJson(config, tallies, versions));
        pages.Keep(project.id, "guidelines", key, seq, std::move(out));
        return Status::Ok();
      });
  if (s.code() == Code::kFailedPrecondition) return Status::Ok();  // a config the agreement cannot read
  return s;
}

namespace {

// The numbers come from the guideline statistics cache
// (server/guideline_stats_cache.h: per version an agreement builder and
// counts, brought up to date from the change log on the low-priority lane),
// and the answer is kept for the change-log position, the guideline
// versions and the labeling config: asked again with none of them changed,
// it comes at once.
HttpResponse GuidelineStats(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto project = ctx.store().GetProject(*id);
  if (!project.ok()) return ErrorResponse(project.status());
  auto versions = ctx.store().ListGuidelines(*id);
  if (!versions.ok()) return ErrorResponse(versions.status());
  const std::string key = GuidelineStatsKey(*project, *versions);
  // While the cache reads the project whole (after a start, an import), the
  // page's last answer at once, marked stale, and the read on the lane.
  if (ctx.app().guideline_stats().NeedsWholeRead(ctx.store(), *project)) {
    if (auto stale = ctx.app().pages().Stale(*id, "guidelines", key)) {
      ctx.app().guideline_stats().BuildSoon(ctx.store(), *project);
      return JsonResponse(200, *stale);
    }
  }
  QualityCache& memo = ctx.app().quality_cache();
  json out;
  s = ctx.app().guideline_stats().With(
      ctx.store(), *project,
      [&](const LabelingConfig& config, const std::map<int, GuidelineTally>& tallies, int64_t seq) -> Status {
        if (auto hit = memo.Lookup(*id, key, seq)) {
          out = std::move(*hit);
          return Status::Ok();
        }
        TESSERA_ASSIGN_OR_RETURN(out, GuidelineStatsJson(config, tallies, *versions));
        out = ctx.app().pages().Keep(*id, "guidelines", key, seq, std::move(out));
        memo.Remember(*id, key, seq, out);
        return Status::Ok();
      });
  if (!s.ok()) return ErrorResponse(s);
  return JsonResponse(200, out);
}

}  // namespace

void RegisterGuidelineRoutes(Router& r) {
  r.Add("GET", "/api/projects/{id}/guidelines", Access::kAuthenticated, ListGuidelines);
  r.Add("POST", "/api/projects/{id}/guidelines", Access::kAuthenticated, PublishGuideline);
  r.Add("GET", "/api/projects/{id}/guidelines/{version}", Access::kAuthenticated, GetGuideline);
  r.Add("GET", "/api/projects/{id}/guidelines/{version}/diff", Access::kAuthenticated, DiffGuideline);
  r.Add("POST", "/api/projects/{id}/guidelines/{version}/acknowledge", Access::kAuthenticated,
        AcknowledgeGuideline);
  r.Add("GET", "/api/projects/{id}/stats/guidelines", Access::kAuthenticated, GuidelineStats);
}

}  // namespace tessera::server
