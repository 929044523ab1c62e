// GET /api/projects/{id}/quality (the quality dashboard's summary) and
// /quality/tasks (per-task scores, a page at a time): both read the
// AgreementBuilder's kept totals (AgreementBuilder::Summary and its ordered
// task scores), and the summary is kept as the page's last answer
// (page_snapshots.h) for while the cache reads the project whole.
#include <cmath>
#include <cstdint>
#include <limits>

#include "server/api/quality_common.h"
#include "server/api/quality_page.h"
#include "server/app.h"
#include "tessera/agreement.h"

namespace tessera::server {

using nlohmann::json;

namespace {

json Opt(const std::optional<double>& v) { return v && std::isfinite(*v) ? json(*v) : json(nullptr); }

// ---- GET /quality ----

// The summary of /quality from the builder's kept totals: the report
// without its per-task rows, the score bins and the lowest tasks.
Result<json> SummaryJson(Store& store, const QualitySnapshot& snap, const AgreementOptions& options,
                         double threshold, int64_t lowest_n) {
  const AgreementBuilder& builder = snap.builder;
  TESSERA_ASSIGN_OR_RETURN(AgreementReport report, builder.Summary());
  json annotators = json::array();
  for (Id id : report.annotators) annotators.push_back(AnnotatorInfo(store, id));

  json flags = json::array();
  json controls = json::array();
  for (size_t c = 0; c < report.controls.size(); ++c) {
    const ControlAgreement& ca = report.controls[c];
    json out = ControlAgreementToJson(ca);
    bool regions = ca.method == "regions" || ca.method == "text";
    out["metric"] = regions ? "mean_pairwise" : "krippendorff_alpha";
    out["value"] = Opt(regions ? ca.mean_pairwise : ca.krippendorff_alpha);
    controls.push_back(out);
    std::optional<double> value = regions ? ca.mean_pairwise : ca.krippendorff_alpha;
    if (value && *value < threshold) {
      flags.push_back({{"kind", "control"}, {"from_name", ca.from_name}, {"metric", out["metric"]},
                       {"value", *value}, {"threshold", threshold}});
    }
  }
  const std::vector<std::optional<double>> peer = PeerAgreement(report);
  json people = json::array();
  for (size_t a = 0; a < report.annotators.size(); ++a) {
    const std::optional<double>& mean = peer[a];
    json row = annotators[a];
    row["mean_pairwise"] = Opt(mean);
    people.push_back(row);
    if (mean && *mean < threshold) {
      flags.push_back({{"kind", "annotator"}, {"annotator", report.annotators[a]},
                       {"name", annotators[a]["name"]}, {"metric", "mean_pairwise"},
                       {"value", *mean}, {"threshold", threshold}});
    }
  }

  // Per-task distribution: ten bins over [0, 1] and the lowest tasks.
  const auto bins = builder.ScoreBins();
  json histogram = json::array();
  for (size_t b = 0; b < bins.size(); ++b) {
    histogram.push_back({{"from", static_cast<double>(b) / 10.0}, {"to", static_cast<double>(b + 1) / 10.0},
                         {"count", bins[b]}});
  }
  json lowest = json::array();
  for (const TaskAgreement& t : builder.TasksByScore(std::numeric_limits<double>::infinity(), true, 0,
                                                     static_cast<size_t>(lowest_n))) {
    lowest.push_back({{"task", t.task_id}, {"score", *t.score}, {"annotators", t.annotators}});
  }
  const size_t below = builder.ScoredBelow(threshold);
  if (below > 0) {
    flags.push_back({{"kind", "tasks"}, {"count", below}, {"threshold", threshold},
                     {"metric", "task_score"}});
  }
  return json{{"threshold", threshold},
              {"iou_threshold", options.iou_threshold},
              {"annotators", people},
              {"controls", controls},
              {"tasks", {{"count", builder.task_count()},
                         {"scored", builder.scored_tasks()},
                         {"mean", Opt(report.mean_task_score)},
                         {"below_threshold", below},
                         {"histogram", histogram},
                         {"lowest", lowest}}},
              {"red_flags", flags}};
}

constexpr double kDefaultThreshold = 0.6;
constexpr int64_t kDefaultLowest = 20;

// What a summary answer was computed for: the config, the options and the query.
std::string SummaryKey(const Project& project, const AgreementOptions& options, double threshold,
                       int64_t lowest_n) {
  return "summary?config=" + std::to_string(std::hash<std::string>()(project.label_config)) +
         "&iou=" + std::to_string(options.iou_threshold) + "&threshold=" + std::to_string(threshold) +
         "&lowest=" + std::to_string(lowest_n);
}

// Computes the summary and keeps it as the page's last answer and, with a
// memo, for this change-log position.
Result<json> KeptSummary(Store& store, QualityCache* memo, PageSnapshots& pages, const Project& project,
                         const QualitySnapshot& snap, const AgreementOptions& options, double threshold,
                         int64_t lowest_n) {
  const std::string key = SummaryKey(project, options, threshold, lowest_n);
  if (memo != nullptr) {
    if (auto hit = memo->Lookup(project.id, key, snap.seq)) return std::move(*hit);
  }
  TESSERA_ASSIGN_OR_RETURN(json out, SummaryJson(store, snap, options, threshold, lowest_n));
  out = pages.Keep(project.id, "quality", key, snap.seq, std::move(out));
  if (memo != nullptr) memo->Remember(project.id, key, snap.seq, out);
  return out;
}

}  // namespace

void KeepQualitySummaryPage(Store& store, PageSnapshots& pages, const Project& project,
                            const QualitySnapshot& snap) {
  // No memo: requests compute and memoise their own answer.
  (void)KeptSummary(store, nullptr, pages, project, snap, AgreementOptions{}, kDefaultThreshold, kDefaultLowest);
}

HttpResponse QualitySummary(RequestContext& ctx) {
  auto options = ReadAgreementOptions(ctx.request());
  if (!options.ok()) return ErrorResponse(options.status());
  auto threshold = QueryNumber(ctx.request(), "threshold", kDefaultThreshold, -1, 1);
  if (!threshold.ok()) return ErrorResponse(threshold.status());
  auto lowest_n = QueryInt(ctx.request(), "lowest", kDefaultLowest, 0, 1000);
  if (!lowest_n.ok()) return ErrorResponse(lowest_n.status());
  auto project = LoadProject(ctx);
  if (!project.ok()) return ErrorResponse(project.status());
  const std::string key = SummaryKey(*project, *options, *threshold, *lowest_n);
  // While the agreement cache reads the project whole (after a start, an
  // import), the page's last answer for this query at once, marked stale;
  // the read runs on the lane meanwhile (it is the dashboards' read, which
  // builds the agreement cache for the default IoU threshold).
  if (options->iou_threshold == AgreementOptions{}.iou_threshold &&
      ctx.app().quality_cache().NeedsWholeRead(ctx.store(), *project, *options)) {
    if (auto stale = ctx.app().pages().Stale(project->id, "quality", key)) {
      ctx.app().dashboards().RecountSoon(*project);
      return JsonResponse(200, *stale);
    }
  }
  return WithQuality(ctx, *options, [&](const Project& project, const QualitySnapshot& snap) -> Result<json> {
    // Kept for the change-log position, the config and the query: asked
    // again with nothing changed (a dashboard left open), the report is not
    // computed again.
    return KeptSummary(ctx.store(), &ctx.app().quality_cache(), ctx.app().pages(), project, snap, *options,
                       *threshold, *lowest_n);
  });
}

// ---- GET /quality/tasks ----

HttpResponse QualityTasks(RequestContext& ctx) {
  auto options = ReadAgreementOptions(ctx.request());
  if (!options.ok()) return ErrorResponse(options.status());
  auto limit = QueryInt(ctx.request(), "limit", 50, 1, 1000);
  if (!limit.ok()) return ErrorResponse(limit.status());
  auto offset = QueryInt(ctx.request(), "offset", 0, 0, INT64_MAX);
  if (!offset.ok()) return ErrorResponse(offset.status());
  auto order = QueryChoice(ctx.request(), "order", "asc", {"asc", "desc"});
  if (!order.ok()) return ErrorResponse(order.status());
  auto max_score = QueryNumber(ctx.request(), "max_score", 1, 0, 1);
  if (!max_score.ok()) return ErrorResponse(max_score.status());
  return WithQuality(ctx, *options, [&](const Project&, const QualitySnapshot& snap) -> Result<json> {
    // From the builder's ordered task scores: a page costs a few tree steps.
    json tasks = json::array();
    for (const TaskAgreement& t : snap.builder.TasksByScore(*max_score, *order == "asc", static_cast<size_t>(*offset),
                                                            static_cast<size_t>(*limit))) {
      tasks.push_back({{"task", t.task_id}, {"score", *t.score}, {"annotators", t.annotators}});
    }
    return json{{"total", snap.builder.ScoredAtMost(*max_score)}, {"tasks", tasks}};
  });
}

}  // namespace tessera::server
