// GET /api/projects/{id}/quality/detection: COCO box evaluation
// (tessera/quality.h EvaluateCocoDetections) of a box control, the
// ground-truth annotations against the newest prediction of each task or
// one annotator's newest annotation, memoised per change-log position.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/api/quality_common.h"
#include "server/app.h"
#include "server/context.h"
#include "tessera/config.h"
#include "tessera/quality.h"

namespace tessera::server {

namespace q = quality;
using nlohmann::json;

namespace {

// Boxes of one control in one result, in pixels when the result carries
// original_width/height (else in percent units), with a category index.
struct ResultBox {
  q::Box box;
  std::string label;
  double score = 1;
};

std::vector<ResultBox> BoxesOf(const std::string& result_text, const std::string& control,
                               std::optional<double> fallback_score) {
  std::vector<ResultBox> out;
  json result = json::parse(result_text, nullptr, false);
  if (!result.is_array()) return out;
  for (const json& item : result) {
    if (!item.is_object() || item.value("from_name", "") != control) continue;
    auto v = item.find("value");
    if (v == item.end() || !v->is_object()) continue;
    auto num = [&](const json& obj, const char* key) -> std::optional<double> {
      auto it = obj.find(key);
      if (it == obj.end() || !it->is_number()) return std::nullopt;
      return it->get<double>();
    };
    auto x = num(*v, "x"), y = num(*v, "y"), w = num(*v, "width"), h = num(*v, "height");
    if (!x || !y || !w || !h) continue;
    double sx = 1, sy = 1;
    if (auto ow = num(item, "original_width")) sx = *ow / 100.0;
    if (auto oh = num(item, "original_height")) sy = *oh / 100.0;
    ResultBox rb;
    rb.box = {*x * sx, *y * sy, *w * sx, *h * sy};
    for (const char* key : {"rectanglelabels", "labels"}) {
      auto it = v->find(key);
      if (it != v->end() && it->is_array() && !it->empty() && (*it)[0].is_string()) {
        rb.label = (*it)[0].get<std::string>();
        break;
      }
    }
    if (auto s = num(item, "score")) rb.score = *s;
    else if (fallback_score) rb.score = *fallback_score;
    out.push_back(std::move(rb));
  }
  return out;
}

}  // namespace

HttpResponse QualityDetection(RequestContext& ctx) {
  const HttpRequest& req = ctx.request();
  auto candidate = QueryChoice(req, "candidate", "predictions", {"predictions", "annotator"});
  if (!candidate.ok()) return ErrorResponse(candidate.status());
  auto annotator = QueryInt(req, "annotator", 0, 0, INT64_MAX);
  if (!annotator.ok()) return ErrorResponse(annotator.status());
  if (*candidate == "annotator" && *annotator == 0) {
    return ErrorResponse(Status::FieldInvalid("annotator",
                                              "candidate=annotator needs annotator=USER_ID, the "
                                              "annotator whose boxes are compared with the ground truth"));
  }
  auto project = LoadProject(ctx);
  if (!project.ok()) return ErrorResponse(project.status());
  auto config = ParseLabelingConfig(project->label_config);
  if (!config.ok()) {
    return ErrorResponse(Status::FailedPrecondition("the project's labeling config does not parse: " +
                                                    config.status().message()));
  }
  std::string control;
  std::vector<std::string> boxes_controls;
  const ControlTag* tag = nullptr;
  for (const ControlTag& c : (*config)->controls()) {
    if (c.result_type() == "rectanglelabels" || c.result_type() == "rectangle") {
      boxes_controls.push_back(c.name);
      if (!tag) tag = &c;
    }
  }
  if (auto name = req.Query("control"); name && !name->empty()) {
    tag = (*config)->FindControl(*name);
    if (!tag || (tag->result_type() != "rectanglelabels" && tag->result_type() != "rectangle")) {
      std::string list;
      for (const auto& b : boxes_controls) list += (list.empty() ? "" : ", ") + b;
      return ErrorResponse(Status::FieldInvalid(
          "control", "control '" + *name + "' is not a RectangleLabels/Rectangle control; box controls: " +
                         (list.empty() ? "(none)" : list)));
    }
  }
  if (!tag) {
    return ErrorResponse(Status::FieldInvalid(
        "control", "the labeling config has no RectangleLabels or Rectangle control to evaluate"));
  }
  control = tag->name;
  auto changes = ctx.store().TaskChangesSince(project->id, 0);
  if (!changes.ok()) return ErrorResponse(changes.status());
  const std::string key = "detection?" + control + "&" + *candidate + "&" + std::to_string(*annotator);
  auto& cache = ctx.app().quality_cache();
  if (auto hit = cache.Lookup(project->id, key, changes->seq)) return JsonResponse(200, *hit);

  // Category ids: the control's labels in config order, then others seen.
  std::map<std::string, int64_t> category;
  std::vector<std::string> names;
  auto category_id = [&](const std::string& label) {
    auto [it, inserted] = category.emplace(label, static_cast<int64_t>(names.size()) + 1);
    if (inserted) names.push_back(label);
    return it->second;
  };
  for (const LabelOption& option : tag->options) category_id(option.value);
  std::vector<q::CocoGroundTruth> gt;
  std::vector<q::CocoDetection> dt;
  q::CocoEvalOptions options;
  size_t images = 0;
  TaskQuery query;
  query.project_id = project->id;
  Status s = ctx.store().ForEachTaskBundle(query, [&](const TaskBundle& bundle) {
    const Annotation* truth = nullptr;
    const Annotation* theirs = nullptr;
    for (const Annotation& a : bundle.annotations) {
      if (a.was_cancelled) continue;
      if (a.ground_truth && (!truth || a.id > truth->id)) truth = &a;
      if (*candidate == "annotator" && a.completed_by == *annotator && !a.ground_truth &&
          (!theirs || a.id > theirs->id)) {
        theirs = &a;
      }
    }
    if (!truth) return Status::Ok();
    ++images;
    options.image_ids.push_back(bundle.task.id);
    for (const ResultBox& b : BoxesOf(truth->result, control, std::nullopt)) {
      gt.push_back({bundle.task.id, category_id(b.label), b.box, std::nullopt, false});
    }
    if (*candidate == "annotator") {
      if (theirs)
        for (const ResultBox& b : BoxesOf(theirs->result, control, std::nullopt))
          dt.push_back({bundle.task.id, category_id(b.label), b.box, b.score});
    } else {
      const Prediction* latest = nullptr;
      for (const Prediction& p : bundle.predictions)
        if (!latest || p.id > latest->id) latest = &p;
      if (latest)
        for (const ResultBox& b : BoxesOf(latest->result, control, latest->score))
          dt.push_back({bundle.task.id, category_id(b.label), b.box, b.score});
    }
    return Status::Ok();
  });
  if (!s.ok()) return ErrorResponse(s);
  if (images == 0) {
    return ErrorResponse(Status::FailedPrecondition(
        "no task of this project has a ground-truth annotation; mark reviewed annotations as "
        "ground truth (PATCH /api/annotations/{id} with {\"ground_truth\": true}) first"));
  }
  for (const auto& [label, id] : category) options.category_ids.push_back(id);
  auto eval = q::EvaluateCocoDetections(gt, dt, options);
  if (!eval.ok()) return ErrorResponse(DataProblem(eval.status(), "detection evaluation"));
  json per_class = json::array();
  for (const auto& c : eval->per_class) {
    const std::string& label = names[static_cast<size_t>(c.category_id - 1)];
    per_class.push_back({{"label", label}, {"category_id", c.category_id}, {"AP", c.ap},
                         {"AP50", c.ap50}, {"AP75", c.ap75}, {"AR100", c.ar100}});
  }
  json out = {{"control", control},
              {"candidate", *candidate},
              {"images", images},
              {"ground_truth_boxes", gt.size()},
              {"candidate_boxes", dt.size()},
              {"AP", eval->ap}, {"AP50", eval->ap50}, {"AP75", eval->ap75},
              {"AP_small", eval->ap_small}, {"AP_medium", eval->ap_medium}, {"AP_large", eval->ap_large},
              {"AR1", eval->ar1}, {"AR10", eval->ar10}, {"AR100", eval->ar100},
              {"AR_small", eval->ar_small}, {"AR_medium", eval->ar_medium}, {"AR_large", eval->ar_large},
              {"per_class", per_class}};
  if (*candidate == "annotator") out["annotator"] = *annotator;
  cache.Remember(project->id, key, changes->seq, out);
  return JsonResponse(200, out);
}

}  // namespace tessera::server
