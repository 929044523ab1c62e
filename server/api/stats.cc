// GET /api/projects/{id}/stats/annotators: throughput and quality per
// annotator (the numbers behind the manager's dashboard).
//   submitted, skipped, ground_truth   counts of the annotator's annotations
//   lead_time_median                   seconds, over submitted annotations
//   items_per_hour                     submitted / summed lead time in hours
//   per_day                            [{date (UTC), submitted, skipped}]
//   honeypot                           {answered, correct, accuracy (null if none)}
//   agreement                          mean pairwise agreement with peers over every
//                                      control (Cohen's kappa for choices, F1 for
//                                      regions; tessera/agreement.h PeerAgreement)
//   red_flag                           honeypot accuracy below ?accuracy_threshold
//                                      or agreement below ?agreement_threshold (0.6 each)
// plus the project's per_day totals. Managers only.
//
// GET /api/projects/{id}/stats/project: the project's progress and label
// balance (the shape is described above ProjectStatsRoute). Managers only as well: it
// is the other half of the same dashboard, it aggregates every annotator's
// work (reviewers get per-annotation views through the review queue and the
// quality endpoints instead), and it reads the whole project, which is worth
// doing for the few who plan the work, not on every reviewer's page load.
//
// Both take their annotation counts from the dashboard cache
// (server/stats_cache.h), which re-reads only the tasks changed since the
// last request. Right after a start, when that cache (or the agreement
// cache) is not built yet and a snapshot of the numbers was saved, they
// answer from the snapshot with "stale": true while the caches are rebuilt
// in the background; "as_of" is when the numbers were computed (the
// task counts and review counts of /stats/project are always read live).
#include <algorithm>
#include <map>
#include <utility>

#include "server/api/views.h"
#include "server/app.h"
#include "server/context.h"
#include "tessera/agreement.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

json PerDayJson(const std::map<std::string, DayCounts>& days) {
  json out = json::array();
  for (const auto& [date, counts] : days) {
    out.push_back(json{{"date", date}, {"submitted", counts.submitted}, {"skipped", counts.skipped}});
  }
  return out;
}

HttpResponse AnnotatorStats(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  double threshold = 0.6;
  if (auto raw = ctx.request().Query("accuracy_threshold")) {
    char* end = nullptr;
    threshold = std::strtod(raw->c_str(), &end);
    if (raw->empty() || end != raw->c_str() + raw->size() || !(threshold >= 0 && threshold <= 1)) {
      return ErrorResponse(Status::FieldInvalid(
          "accuracy_threshold", "accuracy_threshold must be a number from 0 to 1"));
    }
  }
  auto agreement_threshold = QueryNumber(ctx.request(), "agreement_threshold", 0.6, -1, 1);
  if (!agreement_threshold.ok()) return ErrorResponse(agreement_threshold.status());
  // Counts, lead times, days, honeypot scores and agreement with peers from
  // the dashboard and agreement caches (only tasks changed since the last
  // call are re-read), or, right after a start, from their last snapshot
  // while they are rebuilt (server/dashboard_snapshots.h).
  auto project = ctx.store().GetProject(*id);
  if (!project.ok()) return ErrorResponse(project.status());
  auto data = ctx.app().dashboards().Get(*project, /*with_agreement=*/true);
  if (!data.ok()) return ErrorResponse(data.status());
  const std::map<Id, double>& peer_agreement = data->peer_agreement;
  const std::shared_ptr<const DashboardStats>& stats = data->stats;
  json annotators = json::array();
  for (const auto& [user_id, t] : stats->annotators) {
    auto user = ctx.store().GetUser(user_id);
    json accuracy = nullptr;
    bool red_flag = false;
    if (t.honeypot_answered > 0) {
      double value = static_cast<double>(t.honeypot_correct) / static_cast<double>(t.honeypot_answered);
      accuracy = value;
      red_flag = value < threshold;
    }
    json agreement = nullptr;
    if (auto it = peer_agreement.find(user_id); it != peer_agreement.end()) {
      agreement = it->second;
      red_flag = red_flag || it->second < *agreement_threshold;
    }
    annotators.push_back(json{
        {"user", user.ok() ? UserBriefJson(*user) : json{{"id", user_id}}},
        {"submitted", t.submitted},
        {"skipped", t.skipped},
        {"ground_truth", t.ground_truth},
        {"lead_time_median", t.lead_time_median},
        {"items_per_hour", t.lead_hours > 0 ? json(static_cast<double>(t.submitted) / t.lead_hours)
                                            : json(nullptr)},
        {"per_day", PerDayJson(t.per_day)},
        {"honeypot", json{{"answered", t.honeypot_answered},
                          {"correct", t.honeypot_correct},
                          {"accuracy", accuracy}}},
        {"agreement", agreement},
        {"red_flag", red_flag}});
  }
  return JsonResponse(200, json{{"project", *id},
                                {"accuracy_threshold", threshold},
                                {"agreement_threshold", *agreement_threshold},
                                {"annotators", annotators},
                                {"per_day", PerDayJson(stats->authored_per_day)},
                                {"stale", data->stale},
                                {"as_of", FormatIsoTime(data->as_of)}});
}

// ---- /stats/project ----

// {"project", "tasks": {"total", "done", "remaining", "with_annotations",
//  "skipped_only"}, "annotations": {"submitted", "skipped", "ground_truth"},
//  "labels": [{"from_name", "type", "counts": {label: n}}],
//  "per_day": [{"date", "submitted", "skipped", "done_total"}],
//  "review": {"pending", "accepted", "rejected", "fixed"}, "stale", "as_of"}
//   done              tasks with is_labeled (enough annotations for the overlap)
//   with_annotations  tasks with at least one non-cancelled annotation
//   skipped_only      tasks with skips and no non-cancelled annotation
//   annotations       ground truth counted apart; skipped = cancelled;
//                     submitted = the rest (as in /stats/annotators)
//   labels            over the current state of every non-cancelled annotation
//                     (ground truth included), per control (from_name, type),
//                     sorted by from_name then type
//   per_day           by the UTC date an annotation was created; done_total is
//                     the running sum of submitted up to and including the day
//   review            review states of the reviewable annotations (not
//                     cancelled, not ground truth), as the review queue counts
HttpResponse ProjectStatsRoute(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  // The task counts come from the store's counters, the annotation counts,
  // labels and days from the dashboard cache (server/stats_cache.h).
  auto counters = ctx.store().GetProjectStats(*id);
  if (!counters.ok()) return ErrorResponse(counters.status());
  auto project = ctx.store().GetProject(*id);
  if (!project.ok()) return ErrorResponse(project.status());
  auto data = ctx.app().dashboards().Get(*project, /*with_agreement=*/false);
  if (!data.ok()) return ErrorResponse(data.status());
  const DashboardStats& tally = *data->stats;
  // Every reviewable annotation (not cancelled, not ground truth: the
  // dashboard's "submitted") is in exactly one review state, so the pending
  // ones, usually nearly all of them, are what the other three leave; those
  // three are counted on the review index (as many entries as reviews done).
  json review = json::object();
  int64_t reviewed = 0;
  for (ReviewState state : {ReviewState::kAccepted, ReviewState::kRejected, ReviewState::kFixed}) {
    ReviewQuery q;
    q.project_id = *id;
    q.state = state;
    auto count = ctx.store().CountReviewQueue(q);
    if (!count.ok()) return ErrorResponse(count.status());
    review[ReviewStateName(state)] = *count;
    reviewed += *count;
  }
  // (A write between the two reads can leave them a step apart until the
  // next request; never below zero.)
  review[ReviewStateName(ReviewState::kPending)] = std::max<int64_t>(0, tally.submitted - reviewed);
  json labels = json::array();
  for (const auto& [control, counts] : tally.labels) {
    json counts_json = json::object();
    for (const auto& [label, n] : counts) counts_json[label] = n;
    labels.push_back(json{{"from_name", control.first}, {"type", control.second},
                          {"counts", std::move(counts_json)}});
  }
  json per_day = json::array();
  int64_t done_total = 0;
  for (const auto& [date, day] : tally.per_day) {
    done_total += day.submitted;
    per_day.push_back(json{{"date", date},
                           {"submitted", day.submitted},
                           {"skipped", day.skipped},
                           {"done_total", done_total}});
  }
  return JsonResponse(
      200, json{{"project", *id},
                {"tasks", json{{"total", counters->task_number},
                               {"done", counters->finished_task_number},
                               {"remaining", counters->task_number - counters->finished_task_number},
                               {"with_annotations", counters->num_tasks_with_annotations},
                               {"skipped_only", counters->skipped_only_task_number}}},
                {"annotations", json{{"submitted", tally.submitted},
                                     {"skipped", tally.skipped},
                                     {"ground_truth", tally.ground_truth}}},
                {"labels", std::move(labels)},
                {"per_day", std::move(per_day)},
                {"review", std::move(review)},
                {"stale", data->stale},
                {"as_of", FormatIsoTime(data->as_of)}});
}

}  // namespace

void RegisterStatsRoutes(Router& r) {
  r.Add("GET", "/api/projects/{id}/stats/annotators", Access::kAuthenticated, AnnotatorStats);
  r.Add("GET", "/api/projects/{id}/stats/project", Access::kAuthenticated, ProjectStatsRoute);
}

}  // namespace tessera::server
