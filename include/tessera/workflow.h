// Team-workflow records: how a project hands out tasks (overlap, order, locks,
// skips, honeypots), manual assignments, reviews, and the per-annotation
// facts that throughput statistics are computed from.
//
// Plain structs, like model.h. Times are Unix milliseconds (UTC).
#ifndef TESSERA_WORKFLOW_H_
#define TESSERA_WORKFLOW_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tessera/model.h"

namespace tessera {

// What happens to a task an annotator skipped (a cancelled annotation).
enum class SkipQueue {
  kRequeueForOthers,  // the skip does not count toward the overlap; others get the task
  kIgnoreSkipped,     // the skip counts as one of the task's annotations
};
const char* SkipQueueName(SkipQueue queue);  // "requeue_for_others", "ignore_skipped"
std::optional<SkipQueue> ParseSkipQueue(std::string_view name);

// Distribution settings that are not Label Studio project fields. The overlap
// is Project::maximum_annotations and the order is Project::sampling
// ("Sequential sampling": by id; "Uniform sampling": random; "Uncertainty
// sampling": by Task priority, highest first).
struct WorkflowSettings {
  int64_t lock_timeout_ms = 10 * 60 * 1000;  // a task handed out stays reserved this long
  SkipQueue skip_queue = SkipQueue::kRequeueForOthers;
  double honeypot_rate = 0;  // 0..1: chance that `next` serves a ground-truth task
  bool blind = true;         // annotators see only their own annotations
};

// A reservation of a task for one annotator, made by Store::NextTask.
struct TaskLock {
  Id task_id = 0;
  Id user_id = 0;
  Id project_id = 0;
  TimeMs expires_at = 0;
  TimeMs created_at = 0;
};

// Label Studio's assignment types: annotate or review.
enum class AssignmentKind { kAnnotate, kReview };
const char* AssignmentKindName(AssignmentKind kind);  // "AN", "RE"

struct TaskAssignment {
  Id task_id = 0;
  Id user_id = 0;
  AssignmentKind kind = AssignmentKind::kAnnotate;
  Id assigned_by = 0;
  TimeMs created_at = 0;
};

// Review state of an annotation.
enum class ReviewState { kPending, kAccepted, kRejected, kFixed };
const char* ReviewStateName(ReviewState state);  // "pending", "accepted", "rejected", "fixed"
std::optional<ReviewState> ParseReviewState(std::string_view name);

// One review of an annotation. action is kAccepted, kRejected or kFixed.
struct Review {
  Id id = 0;
  Id annotation_id = 0;
  Id project_id = 0;
  Id reviewer_id = 0;
  ReviewState action = ReviewState::kAccepted;
  std::string comment;
  int version = 0;  // the annotation version the review applies to (after a fix: the new one)
  TimeMs created_at = 0;
};

// The review state of an annotation and its latest review, if any.
struct ReviewInfo {
  ReviewState state = ReviewState::kPending;
  std::optional<Review> last_review;
};

// Which annotations the review queue lists: completed (not cancelled, not
// ground truth) annotations in `state`, oldest first.
struct ReviewQuery {
  Id project_id = 0;
  ReviewState state = ReviewState::kPending;
  Id annotator = 0;   // 0: everyone
  std::string label;  // "": any; else results that mention this label value
  int64_t offset = 0;
  int64_t limit = 100;
};

// The per-annotation facts throughput statistics need (no result payload).
struct AnnotationFact {
  Id annotation_id = 0;
  Id task_id = 0;
  Id completed_by = 0;
  bool was_cancelled = false;
  bool ground_truth = false;
  double lead_time = 0;  // seconds
  TimeMs created_at = 0;
};

// An annotator's answer on a honeypot task, with the ground truth to score it.
struct HoneypotAnswer {
  Id task_id = 0;
  Id annotation_id = 0;
  Id completed_by = 0;
  std::string result;               // the annotator's result (JSON array)
  std::string ground_truth_result;  // the ground-truth annotation's result
};

// One administrative action in the audit log (migration 5): who did what to
// which object, when, from which request.
struct AuditEntry {
  Id id = 0;
  TimeMs created_at = 0;
  Id user_id = 0;               // who acted
  std::string action;           // "member.set_role", "task.delete", "project.export", ...
  Id project_id = 0;            // 0: not about one project (users, site settings)
  std::string object_type;      // "user", "task", "project", ...
  Id object_id = 0;
  std::string detail = "{}";    // a JSON object with the specifics (old and new role, ...)
  std::string request_id;       // the X-Request-Id of the request that did it
};

struct AuditQuery {
  Id project_id = 0;            // 0: every project and the site-wide entries
  std::string action;           // "" any; "task." matches every action starting with it
  Id user_id = 0;               // 0: anyone
  Id before_id = 0;             // paging: entries with id < before_id (0: from the newest)
  int limit = 100;
};

}  // namespace tessera

#endif  // TESSERA_WORKFLOW_H_
