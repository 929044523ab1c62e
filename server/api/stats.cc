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
#include <algorithm>
#include <map>
#include <utility>

#include "server/api/honeypot_score.h"
#include "server/api/views.h"
#include "server/app.h"
#include "server/context.h"
#include "tessera/agreement.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

struct DayCounts {
  int64_t submitted = 0, skipped = 0;
};

struct AnnotatorTally {
  int64_t submitted = 0, skipped = 0, ground_truth = 0;
  std::vector<double> lead_times;
  std::map<std::string, DayCounts> per_day;
  int64_t honeypot_answered = 0, honeypot_correct = 0;
};

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

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
  // Agreement with peers, from the quality cache (only changed tasks re-read).
  std::map<Id, double> peer_agreement;
  {
    auto project = ctx.store().GetProject(*id);
    if (!project.ok()) return ErrorResponse(project.status());
    s = ctx.app().quality_cache().With(ctx.store(), *project, AgreementOptions{},
                                       [&](const QualitySnapshot& snap) -> Status {
                                         TESSERA_ASSIGN_OR_RETURN(AgreementReport report, snap.builder.Finish());
                                         auto peer = PeerAgreement(report);
                                         for (size_t a = 0; a < peer.size(); ++a)
                                           if (peer[a]) peer_agreement[report.annotators[a]] = *peer[a];
                                         return Status::Ok();
                                       });
    // A config that does not parse leaves agreement unknown, not the page broken.
    if (!s.ok() && s.code() != Code::kFailedPrecondition) return ErrorResponse(s);
  }
  std::map<Id, AnnotatorTally> tallies;
  std::map<std::string, DayCounts> project_days;
  s = ctx.store().ForEachAnnotationFact(*id, [&](const AnnotationFact& f) -> Status {
    if (f.completed_by <= 0) return Status::Ok();  // imported without an author
    AnnotatorTally& t = tallies[f.completed_by];
    std::string date = FormatIsoTime(f.created_at).substr(0, 10);
    if (f.ground_truth) {
      ++t.ground_truth;
    } else if (f.was_cancelled) {
      ++t.skipped;
      ++t.per_day[date].skipped;
      ++project_days[date].skipped;
    } else {
      ++t.submitted;
      t.lead_times.push_back(f.lead_time);
      ++t.per_day[date].submitted;
      ++project_days[date].submitted;
    }
    return Status::Ok();
  });
  if (!s.ok()) return ErrorResponse(s);
  auto answers = ctx.store().ListHoneypotAnswers(*id);
  if (!answers.ok()) return ErrorResponse(answers.status());
  for (const HoneypotAnswer& answer : *answers) {
    AnnotatorTally& t = tallies[answer.completed_by];
    ++t.honeypot_answered;
    if (HoneypotCorrect(json::parse(answer.ground_truth_result, nullptr, false),
                        json::parse(answer.result, nullptr, false))) {
      ++t.honeypot_correct;
    }
  }
  json annotators = json::array();
  for (auto& [user_id, t] : tallies) {
    auto user = ctx.store().GetUser(user_id);
    double lead_hours = 0;
    for (double seconds : t.lead_times) lead_hours += seconds / 3600.0;
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
        {"lead_time_median", Median(t.lead_times)},
        {"items_per_hour", lead_hours > 0 ? json(static_cast<double>(t.submitted) / lead_hours)
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
                                {"per_day", PerDayJson(project_days)}});
}

// ---- /stats/project ----

// Appends the label values one result item contributes to the distribution:
// choices (each chosen value), taxonomy (each path, joined by " / "), any
// *labels type (each region label: labels, rectanglelabels, polygonlabels,
// ...) and rating (the number). Other types (text areas, numbers, relations)
// carry no categorical label and add nothing.
void ItemLabels(const json& item, const std::string& type, std::vector<std::string>* out) {
  auto value = item.find("value");
  if (value == item.end() || !value->is_object()) return;
  auto strings = [&](const char* key) {
    auto list = value->find(key);
    if (list == value->end() || !list->is_array()) return;
    for (const json& v : *list)
      if (v.is_string()) out->push_back(v.get<std::string>());
  };
  if (type == "choices") {
    strings("choices");
  } else if (type == "taxonomy") {
    auto paths = value->find("taxonomy");
    if (paths == value->end() || !paths->is_array()) return;
    for (const json& path : *paths) {
      if (!path.is_array() || path.empty()) continue;
      std::string joined;
      for (const json& part : path) {
        if (!part.is_string()) continue;
        joined += (joined.empty() ? "" : " / ") + part.get<std::string>();
      }
      if (!joined.empty()) out->push_back(std::move(joined));
    }
  } else if (type == "rating") {
    auto rating = value->find("rating");
    if (rating != value->end() && rating->is_number()) out->push_back(rating->dump());
  } else if (type.size() >= 6 && type.compare(type.size() - 6, 6, "labels") == 0) {
    strings(value->contains(type) ? type.c_str() : "labels");
  }
}

struct ProjectDay {
  int64_t submitted = 0, skipped = 0;
};

// Annotation counts gathered in one pass over the project's annotated tasks
// (the task counts come from the store's project counters).
struct ProjectTally {
  int64_t submitted = 0, skipped = 0, ground_truth = 0;
  // (from_name, type) -> label -> count.
  std::map<std::pair<std::string, std::string>, std::map<std::string, int64_t>> labels;
  std::map<std::string, ProjectDay> per_day;  // UTC date -> counts

  void Add(const TaskBundle& bundle) {
    for (const Annotation& a : bundle.annotations) {
      // The same split as /stats/annotators: ground truth apart, then skips.
      std::string date = FormatIsoTime(a.created_at).substr(0, 10);
      if (a.ground_truth) {
        ++ground_truth;
      } else if (a.was_cancelled) {
        ++skipped;
        ++per_day[date].skipped;
      } else {
        ++submitted;
        ++per_day[date].submitted;
      }
      if (!a.was_cancelled) AddLabels(a.result);
    }
  }

  // The current state of a non-cancelled annotation, one count per label
  // value of each result item.
  void AddLabels(const std::string& result_text) {
    json result = json::parse(result_text, nullptr, false);
    if (!result.is_array()) return;
    std::vector<std::string> values;
    for (const json& item : result) {
      if (!item.is_object()) continue;
      auto from = item.find("from_name");
      auto type = item.find("type");
      if (from == item.end() || !from->is_string() || type == item.end() || !type->is_string()) {
        continue;
      }
      std::string type_name = ToLower(type->get<std::string>());
      values.clear();
      ItemLabels(item, type_name, &values);
      if (values.empty()) continue;
      auto& counts = labels[{from->get<std::string>(), type_name}];
      for (const std::string& v : values) ++counts[v];
    }
  }
};

// {"project", "tasks": {"total", "done", "remaining", "with_annotations",
//  "skipped_only"}, "annotations": {"submitted", "skipped", "ground_truth"},
//  "labels": [{"from_name", "type", "counts": {label: n}}],
//  "per_day": [{"date", "submitted", "skipped", "done_total"}],
//  "review": {"pending", "accepted", "rejected", "fixed"}}
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
  // The task counts come from the store's counters; only tasks that have an
  // annotation (submitted or skipped) are read, a page at a time, for the
  // rest (a 10M-task project 10% done reads 1M tasks, not 10M).
  auto counters = ctx.store().GetProjectStats(*id);
  if (!counters.ok()) return ErrorResponse(counters.status());
  ProjectTally tally;
  TaskQuery query;
  query.project_id = *id;
  query.filters_any = true;
  for (const char* column : {"total_annotations", "cancelled_annotations"}) {
    TaskFilter annotated;
    annotated.column = column;
    annotated.op = "greater";
    annotated.number = 0;
    query.filters.push_back(annotated);
  }
  s = ctx.store().ForEachTaskBundle(query, [&](const TaskBundle& bundle) -> Status {
    tally.Add(bundle);
    return Status::Ok();
  });
  if (!s.ok()) return ErrorResponse(s);
  json review = json::object();
  for (ReviewState state : {ReviewState::kPending, ReviewState::kAccepted, ReviewState::kRejected,
                            ReviewState::kFixed}) {
    ReviewQuery q;
    q.project_id = *id;
    q.state = state;
    auto count = ctx.store().CountReviewQueue(q);
    if (!count.ok()) return ErrorResponse(count.status());
    review[ReviewStateName(state)] = *count;
  }
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
                {"review", std::move(review)}});
}

}  // namespace

void RegisterStatsRoutes(Router& r) {
  r.Add("GET", "/api/projects/{id}/stats/annotators", Access::kAuthenticated, AnnotatorStats);
  r.Add("GET", "/api/projects/{id}/stats/project", Access::kAuthenticated, ProjectStatsRoute);
}

}  // namespace tessera::server
