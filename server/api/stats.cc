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
#include <algorithm>
#include <map>

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

}  // namespace

void RegisterStatsRoutes(Router& r) {
  r.Add("GET", "/api/projects/{id}/stats/annotators", Access::kAuthenticated, AnnotatorStats);
}

}  // namespace tessera::server
