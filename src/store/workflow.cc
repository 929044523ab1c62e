// Names of the workflow enums, and the default (unsupported) implementations
// of the optional team-workflow Store methods.
#include "tessera/store.h"
#include "tessera/workflow.h"

namespace tessera {

const char* SkipQueueName(SkipQueue queue) {
  switch (queue) {
    case SkipQueue::kRequeueForOthers: return "requeue_for_others";
    case SkipQueue::kIgnoreSkipped: return "ignore_skipped";
  }
  return "requeue_for_others";
}

std::optional<SkipQueue> ParseSkipQueue(std::string_view name) {
  if (name == "requeue_for_others") return SkipQueue::kRequeueForOthers;
  if (name == "ignore_skipped") return SkipQueue::kIgnoreSkipped;
  return std::nullopt;
}

const char* AssignmentKindName(AssignmentKind kind) {
  return kind == AssignmentKind::kReview ? "RE" : "AN";
}

const char* ReviewStateName(ReviewState state) {
  switch (state) {
    case ReviewState::kPending: return "pending";
    case ReviewState::kAccepted: return "accepted";
    case ReviewState::kRejected: return "rejected";
    case ReviewState::kFixed: return "fixed";
  }
  return "pending";
}

std::optional<ReviewState> ParseReviewState(std::string_view name) {
  if (name == "pending") return ReviewState::kPending;
  if (name == "accepted") return ReviewState::kAccepted;
  if (name == "rejected") return ReviewState::kRejected;
  if (name == "fixed") return ReviewState::kFixed;
  return std::nullopt;
}

namespace {
Status Unsupported() {
  return Status::FailedPrecondition("this store does not support the team workflow");
}
}  // namespace

Status Store::ReadAnnotatedTasks(Id project_id, Id after_task_id, size_t min_annotations,
                                 std::vector<TaskBundle>* slice, size_t* count) {
  TaskQuery query;
  query.project_id = project_id;
  query.after_id = after_task_id;
  query.filters_any = true;
  for (const char* column : {"total_annotations", "cancelled_annotations"}) {
    TaskFilter annotated;
    annotated.column = column;
    annotated.op = "greater";
    annotated.number = 0;
    query.filters.push_back(annotated);
  }
  *count = 0;
  size_t annotations = 0;
  bool enough = false;
  Status s = ForEachTaskBundle(query, [&](const TaskBundle& bundle) -> Status {
    if (bundle.annotations.empty()) return Status::Ok();
    if (*count == slice->size()) slice->emplace_back();
    TaskBundle& out = (*slice)[(*count)++];
    out.task.id = bundle.task.id;
    out.annotations = bundle.annotations;
    annotations += bundle.annotations.size();
    if (annotations < min_annotations) return Status::Ok();
    enough = true;
    return Status::Unavailable("slice read");  // stops the read here
  });
  return enough ? Status::Ok() : s;
}

Result<WorkflowSettings> Store::GetWorkflowSettings(Id) { return Unsupported(); }
Status Store::SetWorkflowSettings(Id, const WorkflowSettings&) { return Unsupported(); }
Status Store::SetTaskPriorities(Id, std::span<const std::pair<Id, double>>) { return Unsupported(); }
Result<std::vector<TaskLock>> Store::ListTaskLocks(Id, TimeMs) { return Unsupported(); }
Status Store::ReleaseTaskLock(Id, Id) { return Unsupported(); }
Result<int64_t> Store::AssignTasks(Id, std::span<const Id>, std::span<const Id>, AssignmentKind,
                                   Id) {
  return Unsupported();
}
Result<int64_t> Store::UnassignTasks(Id, std::span<const Id>, std::span<const Id>, AssignmentKind) {
  return Unsupported();
}
Result<AssignmentCounts> Store::AssignSelection(Id, const TaskSelection&, std::span<const Id>,
                                                AssignmentKind, Id) {
  return Unsupported();
}
Result<AssignmentCounts> Store::UnassignSelection(Id, const TaskSelection&, std::span<const Id>,
                                                  AssignmentKind) {
  return Unsupported();
}
Result<std::vector<TaskAssignment>> Store::ListAssignments(Id) { return Unsupported(); }
Status Store::ReviewAnnotation(Review*, const std::string&) { return Unsupported(); }
Result<std::vector<Review>> Store::ListReviews(Id) { return Unsupported(); }
Result<ReviewInfo> Store::GetReviewInfo(Id) { return Unsupported(); }
Status Store::ResubmitAnnotation(Id) { return Unsupported(); }
Result<std::vector<Annotation>> Store::ReviewQueue(const ReviewQuery&) { return Unsupported(); }
Result<int64_t> Store::CountReviewQueue(const ReviewQuery&) { return Unsupported(); }
Status Store::ForEachAnnotationFact(Id, const std::function<Status(const AnnotationFact&)>&) {
  return Unsupported();
}
Result<std::vector<HoneypotAnswer>> Store::ListHoneypotAnswers(Id) { return Unsupported(); }
Result<TaskChanges> Store::TaskChangesSince(Id, int64_t) { return Unsupported(); }
Status Store::SaveCacheSnapshot(Id, const std::string&, const CacheSnapshot&) { return Unsupported(); }
Result<CacheSnapshot> Store::GetCacheSnapshot(Id, const std::string&) { return Unsupported(); }
Status Store::BackupTo(const std::string&) { return Unsupported(); }
Status Store::CheckIntegrity() { return Unsupported(); }
Status Store::RecordAudit(AuditEntry*) { return Unsupported(); }
Result<std::vector<AuditEntry>> Store::ListAudit(const AuditQuery&) { return Unsupported(); }
Status Store::PublishGuideline(GuidelineVersion*) { return Unsupported(); }
Result<std::vector<GuidelineVersion>> Store::ListGuidelines(Id) { return Unsupported(); }
Result<GuidelineVersion> Store::GetGuideline(Id, int) { return Unsupported(); }
Status Store::AcknowledgeGuideline(Id, Id, int, TimeMs) { return Unsupported(); }
Result<GuidelineStatus> Store::GetGuidelineStatus(Id, Id) { return Unsupported(); }

}  // namespace tessera
