// /api/projects/{id}/quality/...: the quality library over a project's
// annotations, per control tag, for reviewers and managers.
//
//   GET .../quality               dashboard summary: per-control agreement, the
//                                 annotator x annotator matrices, per-task score
//                                 histogram and lowest tasks, red flags
//                                 (quality_summary.cc)
//   GET .../quality/tasks         per-task agreement, lowest first (review order;
//                                 quality_summary.cc)
//   GET .../quality/agreement     one coefficient for one control (+ bootstrap CI)
//   GET .../quality/aggregate     majority vote or Dawid-Skene labels per task
//   GET .../quality/annotators    annotators ranked by estimated quality
//   GET .../quality/label-issues  judgements most likely wrong (confident
//                                 learning over Dawid-Skene posteriors)
//   GET .../quality/detection     COCO box evaluation of predictions or one
//                                 annotator against the ground-truth annotations
//                                 (quality_detection.cc)
//
// Everything is computed from the QualityCache's per-project state, which the
// task change log keeps up to date incrementally (server/quality_cache.h);
// detection, which needs the boxes themselves, is memoised per change-log
// position instead.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>

#include "server/api/quality_common.h"
#include "server/app.h"
#include "server/context.h"
#include "tessera/agreement.h"
#include "tessera/quality.h"
#include "tessera/util.h"

namespace tessera::server {

namespace q = quality;
using nlohmann::json;

// ---- shared with quality_summary.cc and quality_detection.cc (server/api/quality_common.h) ----

Result<std::string> QueryChoice(const HttpRequest& req, const std::string& key,
                                const std::string& fallback, std::initializer_list<const char*> allowed) {
  auto raw = req.Query(key);
  if (!raw || raw->empty()) return fallback;
  std::string list;
  for (const char* a : allowed) {
    if (*raw == a) return *raw;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  return Status::FieldInvalid(key, "query parameter " + key + "='" + *raw + "' is not one of: " + list);
}

Result<Project> LoadProject(RequestContext& ctx) {
  TESSERA_ASSIGN_OR_RETURN(Id id, ctx.IdParam("id"));
  TESSERA_RETURN_IF_ERROR(ctx.RequireProjectRole(id, Role::kReviewer));
  return ctx.store().GetProject(id);
}

Status DataProblem(const Status& s, const std::string& what) {
  if (s.code() == Code::kInvalidArgument) {
    return Status::FailedPrecondition(what + " cannot be computed on this project's annotations yet: " +
                                      s.message());
  }
  return s;
}

Result<AgreementOptions> ReadAgreementOptions(const HttpRequest& req) {
  AgreementOptions options;
  TESSERA_ASSIGN_OR_RETURN(options.iou_threshold,
                           QueryNumber(req, "iou_threshold", 0.5, 0, 1, /*lo_open=*/true));
  return options;
}

HttpResponse WithQuality(RequestContext& ctx, const AgreementOptions& options,
                         const std::function<Result<json>(const Project&, const QualitySnapshot&)>& fn) {
  auto project = LoadProject(ctx);
  if (!project.ok()) return ErrorResponse(project.status());
  json body;
  Status s = ctx.app().quality_cache().With(
      ctx.store(), *project, options, [&](const QualitySnapshot& snap) -> Status {
        auto out = fn(*project, snap);
        if (!out.ok()) return out.status();
        body = std::move(*out);
        body["cache"] = {{"seq", snap.seq},
                         {"full_rebuild", snap.full_rebuild},
                         {"reloaded_tasks", snap.reloaded_tasks}};
        return Status::Ok();
      });
  if (!s.ok()) return ErrorResponse(s);
  return JsonResponse(200, body);
}

json AnnotatorInfo(Store& store, Id id) {
  if (id < 0) return {{"id", id}, {"email", nullptr}, {"name", "imported annotation " + std::to_string(-id)}};
  auto user = store.GetUser(id);
  if (!user.ok()) return {{"id", id}, {"email", nullptr}, {"name", "user " + std::to_string(id)}};
  std::string name = user->first_name + (user->last_name.empty() ? "" : " " + user->last_name);
  if (name.empty()) name = user->username.empty() ? user->email : user->username;
  return {{"id", id}, {"email", user->email}, {"name", name}};
}

namespace {

json Num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

// Shortest text for a number: 0.5, 3, 1e-06 (what JSON would print).
std::string FormatNumber(double v) { return json(v).dump(); }



// The control named by ?control=, or the first categorical/numeric one.
Result<ControlTable> ControlFromQuery(const HttpRequest& req, const QualitySnapshot& snap) {
  if (auto name = req.Query("control"); name && !name->empty()) {
    auto table = snap.builder.Table(*name);
    if (!table.ok()) return Status::FieldInvalid("control", table.status().message());
    return table;
  }
  for (const ControlTag& control : snap.config.controls()) {
    auto table = snap.builder.Table(control.name);
    if (table.ok()) return table;
  }
  return Status::FieldInvalid("control",
                              "the labeling config has no choices, taxonomy, rating or number "
                              "control; pass ?control=NAME of one that has");
}


std::string CategoryName(const ControlTable& table, double code) {
  if (!table.categories.empty()) {
    size_t k = static_cast<size_t>(code);
    if (code >= 0 && k < table.categories.size()) return table.categories[k];
  }
  return FormatNumber(code);
}

// Categories for a control's table: codes of every categorical option, or the
// distinct numeric values used.
std::vector<double> CategoryCodes(const ControlTable& table) {
  std::vector<double> out;
  if (!table.categories.empty()) {
    for (size_t k = 0; k < table.categories.size(); ++k) out.push_back(static_cast<double>(k));
    return out;
  }
  std::set<double> seen(table.ratings.value.begin(), table.ratings.value.end());
  return {seen.begin(), seen.end()};
}


// ---- GET /quality/agreement ----

Result<q::Weighting> ParseWeights(const std::string& w) {
  if (w == "linear") return q::Weighting::kLinear;
  if (w == "quadratic") return q::Weighting::kQuadratic;
  return q::Weighting::kNone;
}

q::Level ParseLevel(const std::string& level) {
  if (level == "ordinal") return q::Level::kOrdinal;
  if (level == "interval") return q::Level::kInterval;
  if (level == "ratio") return q::Level::kRatio;
  return q::Level::kNominal;
}

// The two-annotator coefficients over a table with more annotators: the mean
// of the pairwise values (Light 1971 for Cohen's kappa), over pairs that
// share at least two items and have a finite value. Each pair's two-column
// table holds the items both rated, in item order; they are gathered from the
// pairs of ratings on each item, so the cost follows those pairs rather than
// annotators^2 x items.
Result<double> MeanPairwise(const q::SparseRatingTable& table, const q::CategoryOptions& options,
                            bool scott, size_t* pairs_used) {
  const size_t n = table.annotators;
  if (n == 2) {
    const q::RatingTable two = q::ToDense(table);  // items x 2
    auto c = scott ? q::ScottPi(two, options) : q::CohenKappa(two, options);
    if (!c.ok()) return c.status();
    *pairs_used = 1;
    return c->value;
  }
  struct PairRating {
    uint64_t pair;         // a * n + b, a < b
    size_t first, second;  // entries of a's and b's ratings
  };
  std::vector<PairRating> pair_ratings;
  for (size_t item = 0; item < table.items(); ++item) {
    const size_t end = table.item_start[item + 1];
    for (size_t first = table.item_start[item]; first < end; ++first) {
      for (size_t second = first + 1; second < end; ++second) {
        pair_ratings.push_back(
            {uint64_t{table.annotator[first]} * n + table.annotator[second], first, second});
      }
    }
  }
  // By pair, then entry (so item) order.
  std::sort(pair_ratings.begin(), pair_ratings.end(), [](const PairRating& x, const PairRating& y) {
    return x.pair != y.pair ? x.pair < y.pair : x.first < y.first;
  });
  double sum = 0;
  size_t used = 0;
  q::RatingTable two;
  for (size_t begin = 0, end = 0; begin < pair_ratings.size(); begin = end) {
    const uint64_t pair = pair_ratings[begin].pair;
    end = begin + 1;
    while (end < pair_ratings.size() && pair_ratings[end].pair == pair) ++end;
    if (end - begin < 2) continue;
    two.clear();
    for (size_t rating = begin; rating < end; ++rating) {
      two.push_back({table.value[pair_ratings[rating].first], table.value[pair_ratings[rating].second]});
    }
    auto c = scott ? q::ScottPi(two, options) : q::CohenKappa(two, options);
    if (!c.ok() || !std::isfinite(c->value)) continue;
    sum += c->value;
    ++used;
  }
  *pairs_used = used;
  if (used == 0) {
    return Status::InvalidArgument("no pair of annotators shares two or more rated tasks");
  }
  return sum / static_cast<double>(used);
}

HttpResponse Agreement(RequestContext& ctx) {
  const HttpRequest& req = ctx.request();
  auto metric = QueryChoice(req, "metric", "krippendorff",
                            {"percent", "cohen", "fleiss", "scott", "gwet", "brennan-prediger", "krippendorff"});
  if (!metric.ok()) return ErrorResponse(metric.status());
  auto level_raw = QueryChoice(req, "level", "", {"nominal", "ordinal", "interval", "ratio"});
  if (!level_raw.ok()) return ErrorResponse(level_raw.status());
  auto weights_raw = QueryChoice(req, "weights", "none", {"none", "linear", "quadratic"});
  if (!weights_raw.ok()) return ErrorResponse(weights_raw.status());
  auto ci = QueryBool(req, "ci", false);
  if (!ci.ok()) return ErrorResponse(ci.status());
  return WithQuality(ctx, AgreementOptions{}, [&](const Project&, const QualitySnapshot& snap) -> Result<json> {
    TESSERA_ASSIGN_OR_RETURN(ControlTable table, ControlFromQuery(req, snap));
    const q::SparseRatingTable& ratings = table.ratings;
    std::string level = *level_raw;
    if (level.empty()) level = table.method == "categorical" ? "nominal" : table.method;
    q::CategoryOptions options;
    options.categories = CategoryCodes(table);
    options.weighting = *ParseWeights(*weights_raw);
    size_t pairs_used = 0;
    // The statistic as a function of a table, so the bootstrap can resample.
    q::SparseTableStatistic statistic = [&](const q::SparseRatingTable& t) -> Result<double> {
      const std::string& m = *metric;
      if (m == "percent") return q::PercentAgreement(t);
      if (m == "cohen" || m == "scott") return MeanPairwise(t, options, m == "scott", &pairs_used);
      Result<q::Coefficient> c = Status::Internal("unreachable");
      if (m == "fleiss") c = q::FleissKappa(t, options);
      if (m == "gwet") c = q::GwetAC(t, options);
      if (m == "brennan-prediger") c = q::BrennanPrediger(t, options);
      if (m == "krippendorff") {
        auto a = q::KrippendorffAlpha(t, ParseLevel(level));
        if (!a.ok()) return a.status();
        return a->value;
      }
      if (!c.ok()) return c.status();
      return c->value;
    };
    auto value = statistic(ratings);
    if (!value.ok()) return DataProblem(value.status(), *metric + " agreement on '" + table.from_name + "'");
    const size_t pairs_on_full = pairs_used;
    json out = {{"control", table.from_name},
                {"metric", *metric},
                {"value", Num(*value)},
                {"items", ratings.items()},
                {"annotators", table.annotators.size()}};
    if (*metric == "krippendorff") out["level"] = level;
    if (*metric != "krippendorff" && *metric != "percent") out["weights"] = *weights_raw;
    if ((*metric == "cohen" || *metric == "scott") && table.annotators.size() != 2) {
      out["pairs"] = pairs_on_full;
      out["note"] = "mean over annotator pairs (Light's kappa for cohen)";
    }
    if (*ci) {
      auto interval = q::BootstrapCI(ratings, statistic);
      if (!interval.ok()) return DataProblem(interval.status(), "the bootstrap interval");
      out["ci95"] = {Num(interval->lower), Num(interval->upper)};
      out["ci_replicates"] = interval->valid_replicates;
    }
    return out;
  });
}

// ---- GET /quality/aggregate ----

HttpResponse Aggregate(RequestContext& ctx) {
  const HttpRequest& req = ctx.request();
  auto method = QueryChoice(req, "method", "dawid-skene", {"majority", "dawid-skene"});
  if (!method.ok()) return ErrorResponse(method.status());
  auto ties = QueryChoice(req, "ties", "missing", {"missing", "lowest", "first"});
  if (!ties.ok()) return ErrorResponse(ties.status());
  auto limit = QueryInt(req, "limit", 100, 1, 10000);
  if (!limit.ok()) return ErrorResponse(limit.status());
  auto offset = QueryInt(req, "offset", 0, 0, INT64_MAX);
  if (!offset.ok()) return ErrorResponse(offset.status());
  return WithQuality(ctx, AgreementOptions{}, [&](const Project&, const QualitySnapshot& snap) -> Result<json> {
    TESSERA_ASSIGN_OR_RETURN(ControlTable table, ControlFromQuery(req, snap));
    const q::SparseRatingTable& ratings = table.ratings;
    json items = json::array();
    json annotators = json::array();
    json out = {{"control", table.from_name}, {"method", *method}, {"total", ratings.items()}};
    const size_t first = std::min(static_cast<size_t>(*offset), ratings.items());
    const size_t last = std::min(first + static_cast<size_t>(*limit), ratings.items());
    if (*method == "majority") {
      q::TiePolicy policy = *ties == "lowest" ? q::TiePolicy::kLowestValue
                            : *ties == "first" ? q::TiePolicy::kFirstAnnotator
                                               : q::TiePolicy::kMissing;
      auto votes = q::MajorityVote(ratings, policy);
      if (!votes.ok()) return DataProblem(votes.status(), "the majority vote");
      for (size_t i = first; i < last; ++i) {
        const q::Vote& v = (*votes)[i];
        items.push_back({{"task", table.task_ids[i]},
                         {"label", v.label ? json(CategoryName(table, *v.label)) : json(nullptr)},
                         {"votes", v.votes}, {"ratings", v.ratings}});
      }
      // Per annotator: how often they agree with the majority label.
      std::vector<size_t> rated_by(ratings.annotators, 0), agree_by(ratings.annotators, 0);
      for (size_t i = 0; i < ratings.items(); ++i) {
        if (!(*votes)[i].label) continue;
        for (size_t e = ratings.item_start[i]; e < ratings.item_start[i + 1]; ++e) {
          ++rated_by[ratings.annotator[e]];
          agree_by[ratings.annotator[e]] += ratings.value[e] == *(*votes)[i].label;
        }
      }
      for (size_t j = 0; j < table.annotators.size(); ++j) {
        const size_t rated = rated_by[j], agree = agree_by[j];
        annotators.push_back({{"annotator", table.annotators[j]}, {"ratings", rated},
                              {"agreement_with_majority", rated ? json(static_cast<double>(agree) / rated)
                                                                : json(nullptr)}});
      }
      out["items"] = items;
      out["annotators"] = annotators;
      return out;
    }
    q::DawidSkeneOptions options;
    options.categories = CategoryCodes(table);
    auto ds = q::DawidSkene(ratings, options);
    if (!ds.ok()) return DataProblem(ds.status(), "Dawid-Skene");
    std::vector<std::string> names;
    for (double code : ds->categories) names.push_back(CategoryName(table, code));
    for (size_t i = first; i < last; ++i) {
      json posterior = json::object();
      for (size_t k = 0; k < names.size(); ++k) posterior[names[k]] = Num(ds->posteriors[i][k]);
      items.push_back({{"task", table.task_ids[i]},
                       {"label", ds->labels[i] ? json(CategoryName(table, *ds->labels[i])) : json(nullptr)},
                       {"posterior", posterior}});
    }
    for (size_t j = 0; j < table.annotators.size(); ++j) {
      json confusion = json::object();
      double accuracy = 0;
      for (size_t t = 0; t < names.size(); ++t) {
        json row = json::object();
        for (size_t g = 0; g < names.size(); ++g) row[names[g]] = Num(ds->confusion[j][t][g]);
        confusion[names[t]] = row;
        accuracy += ds->priors[t] * ds->confusion[j][t][t];
      }
      annotators.push_back({{"annotator", table.annotators[j]}, {"confusion", confusion},
                            {"estimated_accuracy", Num(accuracy)}});
    }
    json priors = json::object();
    for (size_t k = 0; k < names.size(); ++k) priors[names[k]] = Num(ds->priors[k]);
    out["items"] = items;
    out["annotators"] = annotators;
    out["class_priors"] = priors;
    out["log_likelihood"] = Num(ds->log_likelihood);
    out["iterations"] = ds->iterations;
    out["converged"] = ds->converged;
    return out;
  });
}

// ---- GET /quality/annotators ----

// Ranks annotators of one control (quality::RankAnnotators): Dawid-Skene
// estimated accuracy sum_k prior_k * pi_kk, with agreement against the
// majority of the others (leave-one-out) alongside.
HttpResponse Annotators(RequestContext& ctx) {
  const HttpRequest& req = ctx.request();
  return WithQuality(ctx, AgreementOptions{}, [&](const Project&, const QualitySnapshot& snap) -> Result<json> {
    TESSERA_ASSIGN_OR_RETURN(ControlTable table, ControlFromQuery(req, snap));
    q::DawidSkeneOptions options;
    options.categories = CategoryCodes(table);
    auto ranked = q::RankAnnotators(table.ratings, options);
    if (!ranked.ok()) return DataProblem(ranked.status(), "annotator ranking");
    json out = json::array();
    for (size_t r = 0; r < ranked->size(); ++r) {
      const q::AnnotatorQuality& a = (*ranked)[r];
      json info = AnnotatorInfo(ctx.store(), table.annotators[a.annotator]);
      info["rank"] = r + 1;
      info["estimated_accuracy"] = Num(a.ds_accuracy);
      info["agreement_with_others_majority"] = Num(a.loo_agreement);
      info["compared_items"] = a.compared_items;
      info["ratings"] = a.ratings;
      out.push_back(info);
    }
    return json{{"control", table.from_name}, {"annotators", out}};
  });
}

// ---- GET /quality/label-issues ----

// Every (task, annotator) judgement is an example whose "predicted
// probabilities" are the Dawid-Skene posterior of its task; confident
// learning then ranks the judgements most likely to be wrong. The posteriors
// are in-sample (they include the judgement itself), so this finds
// judgements that go against a confident consensus, which is what a reviewer
// wants to look at first.
HttpResponse LabelIssues(RequestContext& ctx) {
  const HttpRequest& req = ctx.request();
  auto limit = QueryInt(req, "limit", 100, 1, 10000);
  if (!limit.ok()) return ErrorResponse(limit.status());
  return WithQuality(ctx, AgreementOptions{}, [&](const Project&, const QualitySnapshot& snap) -> Result<json> {
    TESSERA_ASSIGN_OR_RETURN(ControlTable table, ControlFromQuery(req, snap));
    const q::SparseRatingTable& ratings = table.ratings;
    q::DawidSkeneOptions options;
    options.categories = CategoryCodes(table);
    auto ds = q::DawidSkene(ratings, options);
    if (!ds.ok()) return DataProblem(ds.status(), "label issues");
    std::map<double, size_t> class_of;
    for (size_t k = 0; k < ds->categories.size(); ++k) class_of[ds->categories[k]] = k;
    std::vector<size_t> labels;
    std::vector<std::vector<double>> probs;
    std::vector<std::pair<size_t, size_t>> where;  // (row, annotator column)
    for (size_t i = 0; i < ratings.items(); ++i) {
      for (size_t e = ratings.item_start[i]; e < ratings.item_start[i + 1]; ++e) {
        labels.push_back(class_of[ratings.value[e]]);
        probs.push_back(ds->posteriors[i]);
        where.emplace_back(i, ratings.annotator[e]);
      }
    }
    auto found = q::FindLabelIssues(labels, probs);
    if (!found.ok()) return DataProblem(found.status(), "label issues");
    json issues = json::array();
    for (const q::LabelIssue& issue : found->issues) {
      if (issues.size() >= static_cast<size_t>(*limit)) break;
      auto [row, col] = where[issue.index];
      issues.push_back({{"task", table.task_ids[row]},
                        {"annotator", table.annotators[col]},
                        {"given", CategoryName(table, ds->categories[issue.given_label])},
                        {"suggested", CategoryName(table, ds->categories[issue.suggested_label])},
                        {"self_confidence", Num(issue.self_confidence)}});
    }
    return json{{"control", table.from_name},
                {"examples", labels.size()},
                {"total", found->issues.size()},
                {"issues", issues}};
  });
}

}  // namespace

void RegisterQualityRoutes(Router& r) {
  r.Add("GET", "/api/projects/{id}/quality", Access::kAuthenticated, QualitySummary);
  r.Add("GET", "/api/projects/{id}/quality/tasks", Access::kAuthenticated, QualityTasks);
  r.Add("GET", "/api/projects/{id}/quality/agreement", Access::kAuthenticated, Agreement);
  r.Add("GET", "/api/projects/{id}/quality/aggregate", Access::kAuthenticated, Aggregate);
  r.Add("GET", "/api/projects/{id}/quality/annotators", Access::kAuthenticated, Annotators);
  r.Add("GET", "/api/projects/{id}/quality/label-issues", Access::kAuthenticated, LabelIssues);
  r.Add("GET", "/api/projects/{id}/quality/detection", Access::kAuthenticated, QualityDetection);
}

}  // namespace tessera::server
