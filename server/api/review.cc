// The review cycle:
//   GET  /api/projects/{id}/review/queue   completed annotations awaiting review
//                                          (?annotator=, ?label=, ?state=, paging;
//                                          ?max_agreement= and ?order=agreement
//                                          filter and sort by the task's agreement)
//   POST /api/annotations/{id}/reviews     {"accepted": true|false, "comment": "...",
//                                          "result": [...]}  accept / reject / fix-and-accept
//   GET  /api/annotations/{id}/reviews     the reviews of one annotation
// A rejected annotation goes back to its author (Store::NextTask serves its
// task again, and the comment shows in the annotation JSON); a fix stores the
// reviewer's result as a new version, keeping the original in the history.
#include "server/api/task_access.h"
#include <algorithm>
#include <map>

#include "server/app.h"
#include "server/webhook_events.h"
#include "tessera/agreement.h"
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

// The queue filtered by / sorted on the agreement score of each annotation's
// task (from the quality cache, so only changed tasks are re-read). Tasks
// without a score (fewer than two annotators) never pass a max_agreement
// filter and sort last. Reads the whole matching queue, then pages in memory.
HttpResponse AgreementOrderedQueue(RequestContext& ctx, ReviewQuery q, bool sort,
                                   std::optional<double> max_agreement, int64_t offset,
                                   int64_t limit) {
  auto project = ctx.store().GetProject(q.project_id);
  if (!project.ok()) return ErrorResponse(project.status());
  std::map<Id, double> score;
  Status s = ctx.app().quality_cache().With(ctx.store(), *project, AgreementOptions{},
                                            [&](const QualitySnapshot& snap) -> Status {
                                              TESSERA_ASSIGN_OR_RETURN(AgreementReport report,
                                                                       snap.builder.Finish());
                                              for (const TaskAgreement& t : report.tasks)
                                                if (t.score) score[t.task_id] = *t.score;
                                              return Status::Ok();
                                            });
  if (!s.ok()) return ErrorResponse(s);
  std::vector<Annotation> all;
  q.limit = 10000;
  for (q.offset = 0;; q.offset += q.limit) {
    auto chunk = ctx.store().ReviewQueue(q);
    if (!chunk.ok()) return ErrorResponse(chunk.status());
    for (Annotation& a : *chunk) {
      auto it = score.find(a.task_id);
      if (max_agreement && (it == score.end() || it->second > *max_agreement)) continue;
      all.push_back(std::move(a));
    }
    if (static_cast<int64_t>(chunk->size()) < q.limit) break;
  }
  auto key = [&](const Annotation& a) {
    auto it = score.find(a.task_id);
    return it == score.end() ? 2.0 : it->second;  // unscored after every score
  };
  if (sort) {
    std::stable_sort(all.begin(), all.end(), [&](const Annotation& a, const Annotation& b) {
      return key(a) < key(b);
    });
  }
  json results = json::array();
  for (size_t i = static_cast<size_t>(offset); i < all.size() && results.size() < static_cast<size_t>(limit); ++i) {
    json row = AnnotationJsonWithAuthor(ctx, all[i]);
    auto it = score.find(all[i].task_id);
    row["agreement"] = it == score.end() ? json(nullptr) : json(it->second);
    results.push_back(std::move(row));
  }
  return JsonResponse(200, json{{"count", all.size()}, {"results", results}});
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
  auto order = req.Query("order").value_or("id");
  if (order != "id" && order != "agreement") {
    return ErrorResponse(Status::FieldInvalid("order", "order '" + order + "' is not one of: id, agreement"));
  }
  auto max_agreement = QueryNumber(req, "max_agreement", 1, 0, 1);
  if (!max_agreement.ok()) return ErrorResponse(max_agreement.status());
  if (order == "agreement" || req.Query("max_agreement")) {
    return AgreementOrderedQueue(ctx, q, order == "agreement",
                                 req.Query("max_agreement") ? std::optional<double>(*max_agreement)
                                                            : std::nullopt,
                                 (*page - 1) * *page_size, *page_size);
  }
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
  ctx.EmitWebhook("REVIEW_CREATED", updated->project_id, [&]() -> Result<json> {
    TESSERA_ASSIGN_OR_RETURN(json objects, WebhookAnnotationPayload(ctx.store(), *updated));
    objects["review"] = out;
    return objects;
  });
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
