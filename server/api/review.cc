// The review cycle:
//   GET  /api/projects/{id}/review/queue   completed annotations awaiting review
//                                          (?annotator=, ?label=, ?state=, paging)
//   POST /api/annotations/{id}/reviews     {"accepted": true|false, "comment": "...",
//                                          "result": [...]}  accept / reject / fix-and-accept
//   GET  /api/annotations/{id}/reviews     the reviews of one annotation
// A rejected annotation goes back to its author (Store::NextTask serves its
// task again, and the comment shows in the annotation JSON); a fix stores the
// reviewer's result as a new version, keeping the original in the history.
#include "server/api/task_access.h"
#include "server/app.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

json ReviewJson(const Review& r) {
  return json{{"id", r.id},
              {"annotation", r.annotation_id},
              {"project", r.project_id},
              {"reviewer", r.reviewer_id},
              {"action", ReviewStateName(r.action)},
              {"accepted", r.action != ReviewState::kRejected},
              {"comment", r.comment},
              {"version", r.version},
              {"created_at", FormatIsoTime(r.created_at)}};
}

HttpResponse ReviewQueue(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kReviewer);
  if (!s.ok()) return ErrorResponse(s);
  const HttpRequest& req = ctx.request();
  auto page = QueryInt(req, "page", 1, 1, INT32_MAX);
  if (!page.ok()) return ErrorResponse(page.status());
  auto page_size = QueryInt(req, "page_size", 100, 1, 1000);
  if (!page_size.ok()) return ErrorResponse(page_size.status());
  auto annotator = QueryInt(req, "annotator", 0, 0, INT64_MAX);
  if (!annotator.ok()) return ErrorResponse(annotator.status());
  ReviewQuery q;
  q.project_id = *id;
  q.annotator = *annotator;
  q.label = req.Query("label").value_or("");
  std::string state = req.Query("state").value_or("pending");
  auto parsed = ParseReviewState(state);
  if (!parsed) {
    return ErrorResponse(Status::FieldInvalid(
        "state", "state '" + state + "' is not one of: pending, accepted, rejected, fixed"));
  }
  q.state = *parsed;
  q.offset = (*page - 1) * *page_size;
  q.limit = *page_size;
  auto total = ctx.store().CountReviewQueue(q);
  if (!total.ok()) return ErrorResponse(total.status());
  auto list = ctx.store().ReviewQueue(q);
  if (!list.ok()) return ErrorResponse(list.status());
  json results = json::array();
  for (const Annotation& a : *list) results.push_back(AnnotationJsonWithAuthor(ctx, a));
  return JsonResponse(200, json{{"count", *total}, {"results", results}});
}

HttpResponse CreateReview(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto a = LoadAnnotation(ctx, *id, Role::kReviewer);
  if (!a.ok()) return ErrorResponse(a.status());
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  auto accepted_it = body->find("accepted");
  if (accepted_it == body->end() || !accepted_it->is_boolean()) {
    return ErrorResponse(Status::FieldInvalid(
        "accepted", "accepted is required: true (accept, or fix and accept with \"result\") or "
                    "false (reject with a \"comment\")"));
  }
  bool accepted = accepted_it->get<bool>();
  auto comment = StringField(*body, "comment", false, "");
  if (!comment.ok()) return ErrorResponse(comment.status());
  if (comment->size() > 10000) {
    return ErrorResponse(Status::FieldInvalid("comment", "comment must be at most 10000 characters"));
  }
  Review review;
  review.annotation_id = a->id;
  review.reviewer_id = ctx.user_id();
  review.comment = *comment;
  review.action = accepted ? ReviewState::kAccepted : ReviewState::kRejected;
  std::string fixed_result;
  if (auto result = body->find("result"); result != body->end() && !result->is_null()) {
    if (!accepted) {
      return ErrorResponse(Status::FieldInvalid(
          "result", "a rejection carries no result; to fix and accept send \"accepted\": true"));
    }
    Status s = ValidateProjectResult(ctx, a->project_id, *result);
    if (!s.ok()) return ErrorResponse(s);
    fixed_result = result->dump();
    review.action = ReviewState::kFixed;
  }
  if (!accepted && Trim(review.comment).empty()) {
    return ErrorResponse(Status::FieldInvalid(
        "comment", "a rejection needs a comment telling the annotator what to change"));
  }
  Status s = ctx.store().ReviewAnnotation(&review, fixed_result);
  if (!s.ok()) return ErrorResponse(s);
  auto updated = ctx.store().GetAnnotation(a->id);
  if (!updated.ok()) return ErrorResponse(updated.status());
  json out = ReviewJson(review);
  out["annotation_state"] = AnnotationJsonWithAuthor(ctx, *updated);
  return JsonResponse(201, out);
}

HttpResponse ListReviews(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto a = LoadAnnotation(ctx, *id, Role::kAnnotator);
  if (!a.ok()) return ErrorResponse(a.status());
  Status s = RequireVisible(ctx, *a);
  if (!s.ok()) return ErrorResponse(s);
  auto reviews = ctx.store().ListReviews(*id);
  if (!reviews.ok()) return ErrorResponse(reviews.status());
  json out = json::array();
  for (const Review& r : *reviews) out.push_back(ReviewJson(r));
  return JsonResponse(200, out);
}

}  // namespace

void RegisterReviewRoutes(Router& r) {
  r.Add("GET", "/api/projects/{id}/review/queue", Access::kAuthenticated, ReviewQueue);
  r.Add("POST", "/api/annotations/{id}/reviews", Access::kAuthenticated, CreateReview);
  r.Add("GET", "/api/annotations/{id}/reviews", Access::kAuthenticated, ListReviews);
}

}  // namespace tessera::server
