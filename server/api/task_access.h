// Shared lookups for task-scoped routes: load a task/annotation and check the
// caller's role in its project; render tasks with their annotations.
#ifndef TESSERA_SERVER_API_TASK_ACCESS_H_
#define TESSERA_SERVER_API_TASK_ACCESS_H_

#include <nlohmann/json.hpp>

#include "server/context.h"
#include "tessera/config.h"

namespace tessera::server {

Result<Task> LoadTask(RequestContext& ctx, Id task_id, Role min);
Result<Annotation> LoadAnnotation(RequestContext& ctx, Id annotation_id, Role min);

// Blind mode: true when the caller may see other people's annotations in the
// project (reviewers and above always; annotators only when the project's
// workflow setting `blind` is off).
bool SeesOthersAnnotations(RequestContext& ctx, Id project_id);
// NotFound (as if it did not exist) when blind mode hides `a` from the caller.
Status RequireVisible(RequestContext& ctx, const Annotation& a);

// Task JSON with annotations (authors resolved; others' hidden in blind mode),
// predictions and the caller's drafts.
Result<nlohmann::json> TaskWithChildrenJson(RequestContext& ctx, const Task& task);
// Annotation JSON with the author and the review state: "review_state" and,
// once reviewed, "review": {"action", "comment", "reviewer", "created_at"}.
nlohmann::json AnnotationJsonWithAuthor(RequestContext& ctx, const Annotation& a);

// A draft as Label Studio serializes it (drafts.cc); `user` is the author's
// email, so only the caller's own drafts may be rendered with it.
nlohmann::json DraftJson(RequestContext& ctx, const Draft& d);
// The caller's drafts of the task (the "drafts" of a task payload).
Result<nlohmann::json> CallerDraftsJson(RequestContext& ctx, Id task_id);

// Validates a result array against the project's labeling config (skipped when
// the project has no usable config). Errors name the field "result".
Status ValidateProjectResult(RequestContext& ctx, Id project_id, const nlohmann::json& result);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_API_TASK_ACCESS_H_
