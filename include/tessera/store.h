// Store: everything Tessera persists, behind one interface.
//
// The SQLite implementation (OpenSqliteStore) is the embedded default; the
// PostgreSQL implementation (OpenPostgresStore) lets several servers share one
// database. Nothing here exposes SQL or a particular engine's behaviour.
//
// Every method is a complete unit of work: it either applies entirely or not at
// all (one transaction), and once it returns OK the change is durable.
//
// Thread-safety: a Store is safe for concurrent use from many threads without
// external synchronization.
#ifndef TESSERA_STORE_H_
#define TESSERA_STORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/export_jobs.h"
#include "tessera/model.h"
#include "tessera/status.h"
#include "tessera/webhooks.h"
#include "tessera/workflow.h"

namespace tessera {

// One condition of the data manager's task filters (Label Studio's filter
// items, already parsed and checked by the caller; the store answers
// InvalidArgument for a combination it does not know). `column` is one of:
// id, data.<key>[.<key>...] (keys of [A-Za-z0-9_-]), completed_at,
// total_annotations, cancelled_annotations, total_predictions, annotators,
// annotations_results, predictions_score, guideline_version, prefilter_flag,
// ground_truth, reviews_accepted, reviews_rejected, status. `op` is one of
// equal, not_equal, contains, not_contains, less, greater, less_or_equal,
// greater_or_equal, in, not_in (min..max inclusive), empty, and for column id
// only id_in / id_not_in (over `ids`: how the server passes conditions the
// database cannot evaluate, such as per-task agreement).
struct TaskFilter {
  std::string column;
  std::string op;
  bool numeric = false;     // data.<key>: compare as a number (type Number)
  std::string text;         // String values (data fields, results, flags, status)
  double number = 0;        // Number values; Datetime as Unix ms; Boolean 1/0; user ids
  double min = 0, max = 0;  // in / not_in
  bool empty = false;       // op empty: true = the column has no value
  std::vector<Id> ids;      // id_in / id_not_in
};

// What a task listing should return.
struct TaskQuery {
  Id project_id = 0;
  int64_t offset = 0;
  int64_t limit = 100;
  // Only tasks with id > after_id (keyset paging for exports); 0 = no bound.
  Id after_id = 0;
  // Sort: "id" (default), "-id", "total_annotations", "-total_annotations",
  // "updated_at", "-updated_at", or a TaskFilter column (other than
  // annotators, annotations_results and status) with "-" for descending;
  // ties by id, missing values last. Unknown keys are InvalidArgument.
  std::string order = "id";
  // Optional filter on labeling state: "labeled", "unlabeled", or "" (all).
  std::string status;
  // Data-manager filters that a task must all meet (any of, with
  // filters_any); none = every task.
  std::vector<TaskFilter> filters;
  bool filters_any = false;
  // Full-text search over the string values of the task data (migration 9):
  // words ANDed, the last one matched as a prefix; "" = no search.
  std::string search;
  // When set, only these tasks (ids of other projects are ignored).
  std::optional<std::vector<Id>> only_ids;
};

// The data manager's computed columns of one task.
struct TaskColumns {
  Id task_id = 0;
  std::optional<TimeMs> completed_at;       // newest non-cancelled annotation
  std::optional<double> predictions_score;  // highest prediction score
  int64_t reviews_accepted = 0;             // annotations accepted or fixed by review
  int64_t reviews_rejected = 0;
  bool ground_truth = false;
  std::vector<std::string> prefilter_flags;  // the task's pre-filter reason, if any
  std::vector<Id> annotators;                // distinct authors, ascending
  std::vector<int> guideline_versions;       // distinct, ascending (0 = none: left out)
};

// A saved data-manager view (tab) of a project; `data` is the client's JSON
// object (title, filters, ordering, hiddenColumns, search), stored as given.
struct DmView {
  Id id = 0;
  Id project_id = 0;
  Id user_id = 0;  // creator; 0 once the account is deleted
  int64_t order = 0;
  std::string data = "{}";
  TimeMs created_at = 0;
};

// What a data-manager bulk action does to each selected task.
enum class TaskAction {
  kDeleteTasks,
  kDeleteAnnotations,
  kDeletePredictions,
  kMarkGroundTruth,    // the newest non-cancelled annotation becomes ground truth
  kUnmarkGroundTruth,  // no annotation of the task stays ground truth
  kSendToReview,       // the newest non-cancelled annotation: review state pending
  kRequeue,            // locks and skips (cancelled annotations) removed
};

// Which tasks changed after a position in the project's change log.
struct TaskChanges {
  int64_t seq = 0;          // the newest position; pass it as `since` next time
  bool everything = false;  // a bulk change, or `since` is older than the log
                            // keeps: re-read the whole project
  std::vector<Id> task_ids; // distinct, ascending (tasks may since be deleted)
};

// A derived result saved so that a restarted server can answer with it while
// it rebuilds the cache it came from (the dashboards).
struct CacheSnapshot {
  int64_t seq = 0;      // the task change-log position the body describes
  TimeMs saved_at = 0;
  std::string body;     // JSON, in the saver's own shape
};

// A hash of a task's content kept for pre-filtering: kind "content" (exact
// duplicates), "phash" (images) or "simhash" (texts).
struct TaskHash {
  Id task_id = 0;
  std::string kind;
  uint64_t value = 0;
};

// Why pre-filtering keeps a task out of the labeling queue.
struct TaskFlag {
  Id task_id = 0;
  std::string reason;  // duplicate, near_duplicate, blurry, unreadable, empty
  std::string detail;  // e.g. "duplicate of task 12"
  TimeMs created_at = 0;
};

// Which tasks of a project a bulk action applies to, in the shape of Label
// Studio's data-manager selection (selectedItems): the listed tasks, or every
// task of the project except the listed ones.
struct TaskSelection {
  bool all = false;      // false: exactly `ids`; true: every task except `ids`
  std::vector<Id> ids;   // the included (all = false) or excluded (all = true) tasks
};

// What a bulk assignment or unassignment over a TaskSelection touched.
struct AssignmentCounts {
  int64_t tasks = 0;        // tasks the selection covers
  int64_t assignments = 0;  // assignments created (assign) or removed (unassign)
};

// A task together with its annotations and predictions (for export and the API).
struct TaskBundle {
  Task task;
  std::vector<Annotation> annotations;
  std::vector<Prediction> predictions;
};

class Store {
 public:
  virtual ~Store() = default;

  // ---- users, tokens, sessions ----
  // Fills user->id. AlreadyExists if the email is taken.
  virtual Status CreateUser(User* user) = 0;
  virtual Result<User> GetUser(Id id) = 0;
  virtual Result<User> GetUserByEmail(const std::string& email) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  virtual Status UpdateUser(const User& user) = 0;
  virtual Status TouchUser(Id user_id, TimeMs now) = 0;  // last_activity

  // One API token per user (as in Label Studio). Replaces any previous token.
  virtual Status SetApiToken(Id user_id, const std::string& token) = 0;
  virtual Result<std::string> GetApiToken(Id user_id) = 0;
  // Finds the user whose token equals `token` (compared in constant time).
  virtual Result<User> FindUserByApiToken(const std::string& token) = 0;

  virtual Status CreateSession(const Session& session) = 0;
  virtual Result<Session> GetSession(const std::string& token_hash) = 0;
  virtual Status DeleteSession(const std::string& token_hash) = 0;
  virtual Status DeleteExpiredSessions(TimeMs now) = 0;

  // ---- projects and membership ----
  // Fills project->id; the creator becomes owner.
  virtual Status CreateProject(Project* project) = 0;
  virtual Result<Project> GetProject(Id id) = 0;
  // All projects if user is an admin, else the projects the user is a member of.
  virtual Result<std::vector<Project>> ListProjects(Id user_id, bool is_admin) = 0;
  virtual Status UpdateProject(const Project& project) = 0;
  // Deletes the project and everything in it.
  virtual Status DeleteProject(Id id) = 0;
  virtual Result<ProjectStats> GetProjectStats(Id project_id) = 0;

  virtual Status SetMember(Id project_id, Id user_id, Role role) = 0;
  virtual Status RemoveMember(Id project_id, Id user_id) = 0;
  virtual Result<std::optional<Role>> GetRole(Id project_id, Id user_id) = 0;
  virtual Result<std::vector<Membership>> ListMembers(Id project_id) = 0;

  // ---- imports ----
  // Starts an import; tasks inserted under it carry its id.
  virtual Result<Id> BeginImport(Id project_id, Id user_id, const std::string& source) = 0;
  // Inserts a batch of tasks (with nested annotations/predictions) in one
  // transaction. Appends the new task ids to *task_ids when given.
  virtual Status InsertTasks(Id project_id, Id import_id, std::span<const NewTask> tasks,
                             std::vector<Id>* task_ids) = 0;
  // Marks the import completed with its counts.
  virtual Status FinishImport(Id import_id, int64_t tasks, int64_t annotations,
                              int64_t predictions) = 0;
  // Deletes everything the import inserted and marks it failed with `error`.
  virtual Status AbortImport(Id import_id, const std::string& error) = 0;
  // At start-up: rolls back imports left "running" by a process that died.
  // Returns how many were rolled back.
  virtual Result<int> RollBackUnfinishedImports() = 0;
  virtual Result<ImportRecord> GetImport(Id import_id) = 0;

  // ---- tasks ----
  virtual Result<Task> GetTask(Id id) = 0;
  virtual Result<std::vector<Task>> ListTasks(const TaskQuery& query) = 0;
  virtual Result<int64_t> CountTasks(const TaskQuery& query) = 0;
  virtual Status UpdateTask(const Task& task) = 0;  // data, meta
  virtual Status DeleteTask(Id id) = 0;
  virtual Status DeleteAllTasks(Id project_id) = 0;
  // Tasks with their annotations and predictions, in id order, in pages, for
  // export. Calls `fn` once per task; stops early if `fn` returns non-OK.
  // Uses query.project_id, after_id and status; order, offset and limit are
  // ignored (always every matching task, by ascending id). `fn` may call
  // back into the store.
  virtual Status ForEachTaskBundle(const TaskQuery& query,
                                   const std::function<Status(const TaskBundle&)>& fn) = 0;
  // One slice of a whole-project read for the server's caches, which need
  // nothing of a task but its id and annotations: the tasks of the project
  // with id > after_task_id that have an annotation, in ascending id order,
  // each with all its annotations (by id), until at least `min_annotations`
  // are read (the slice then ends with the last one's task). Written into
  // (*slice)[0, *count), reusing the bundles already there (task.id and
  // annotations set; the rest left as it was); *count = 0 when none is left.
  // One read. The default goes through ForEachTaskBundle.
  virtual Status ReadAnnotatedTasks(Id project_id, Id after_task_id, size_t min_annotations,
                                    std::vector<TaskBundle>* slice, size_t* count);

  // The next task for `user_id` to label, reserved for them with a lock that
  // expires after WorkflowSettings::lock_timeout_ms. In one transaction, the
  // first of:
  //  1. a task the user holds a live lock on (reload-safe: the same task again,
  //     lock refreshed);
  //  2. the user's own annotation that a reviewer rejected (its task);
  //  3. a task assigned to the user (AssignTasks) that they have not done;
  //  4. with probability honeypot_rate, a ground-truth task they have not done;
  //  5. in the project's order, a task they have neither annotated nor
  //     skipped, not assigned to others, whose annotations (non-cancelled, plus
  //     cancelled under SkipQueue::kIgnoreSkipped) plus live locks and
  //     assignments of other users are fewer than maximum_annotations.
  // NotFound when nothing is left. Creating an annotation on the task (a
  // submit or a skip) releases the user's lock and assignment.
  // Durability exception: the lock this writes is a lease, so the commit does
  // not wait for fsync; a power cut right after it can drop the lock, which
  // then behaves like an early expiry (the next durable commit covers it).
  // `exclude_task_id` (0 = none) is left out of every source: the labeling
  // stream passes the task on screen to prefetch the one after it, which is
  // reserved like any other (so the user then holds two locks, and after the
  // submit source 1 hands out the prefetched task, the older lock first).
  virtual Result<Task> NextTask(Id project_id, Id user_id, Id exclude_task_id) = 0;
  Result<Task> NextTask(Id project_id, Id user_id) { return NextTask(project_id, user_id, 0); }

  // ---- annotations ----
  // Fills annotation->id, version=1; updates the task's counters and is_labeled.
  virtual Status CreateAnnotation(Annotation* annotation) = 0;
  virtual Result<Annotation> GetAnnotation(Id id) = 0;
  virtual Result<std::vector<Annotation>> ListAnnotations(Id task_id) = 0;
  // Stores the previous state as a version, then applies `annotation` with
  // version+1. Updates task counters when was_cancelled changes.
  virtual Status UpdateAnnotation(Annotation* annotation) = 0;
  virtual Status DeleteAnnotation(Id id) = 0;
  // Previous versions, oldest first (the current state is the annotation itself).
  virtual Result<std::vector<AnnotationVersion>> ListAnnotationVersions(Id annotation_id) = 0;

  // ---- team workflow ----
  // Not pure: a Store that lacks them answers FailedPrecondition.
  // Settings (defaults when never set). NotFound if the project does not exist.
  virtual Result<WorkflowSettings> GetWorkflowSettings(Id project_id);
  virtual Status SetWorkflowSettings(Id project_id, const WorkflowSettings& settings);
  // Sets Task priority (the "Uncertainty sampling" order serves high first).
  virtual Status SetTaskPriorities(Id project_id, std::span<const std::pair<Id, double>> priorities);
  // Live locks of the project at `now`, by task id.
  virtual Result<std::vector<TaskLock>> ListTaskLocks(Id project_id, TimeMs now);
  // Drops the user's lock on the task (no error if there is none).
  virtual Status ReleaseTaskLock(Id task_id, Id user_id);
  // Assigns every task to every user (idempotent). InvalidArgument naming
  // the task or user when one is not in the project / not a member.
  // Returns the number of new assignments.
  virtual Result<int64_t> AssignTasks(Id project_id, std::span<const Id> task_ids,
                                      std::span<const Id> user_ids, AssignmentKind kind,
                                      Id assigned_by);
  // Removes the assignments of those tasks (of `user_ids`, or of everyone when
  // empty). Returns how many were removed.
  virtual Result<int64_t> UnassignTasks(Id project_id, std::span<const Id> task_ids,
                                        std::span<const Id> user_ids, AssignmentKind kind);
  // AssignTasks / UnassignTasks over a selection. Without selection.all: the
  // span versions (one transaction; InvalidArgument naming "selectedItems"
  // for a task outside the project, "users" for a non-member). With it: the
  // store picks the project's tasks itself (no list of task ids is built in
  // memory, so it scales to millions of tasks) and ignores excluded ids that
  // are not tasks of the project. Exception to the one-transaction rule: an
  // all-tasks selection may be applied in several transactions of a few
  // thousand tasks each, so that it does not hold up other writers (`next`)
  // for seconds; it is idempotent, so repeating it after a failure completes it.
  virtual Result<AssignmentCounts> AssignSelection(Id project_id, const TaskSelection& selection,
                                                   std::span<const Id> user_ids,
                                                   AssignmentKind kind, Id assigned_by);
  virtual Result<AssignmentCounts> UnassignSelection(Id project_id,
                                                     const TaskSelection& selection,
                                                     std::span<const Id> user_ids,
                                                     AssignmentKind kind);
  virtual Result<std::vector<TaskAssignment>> ListAssignments(Id task_id);

  // Records a review. review->action kAccepted or kRejected leave the result
  // alone; kFixed stores `fixed_result` as a new version of the annotation
  // (the previous one kept in annotation_versions) by review->reviewer_id.
  // Fills review->id, project_id, version, created_at.
  virtual Status ReviewAnnotation(Review* review, const std::string& fixed_result);
  // Oldest first.
  virtual Result<std::vector<Review>> ListReviews(Id annotation_id);
  virtual Result<ReviewInfo> GetReviewInfo(Id annotation_id);
  // Moves a rejected annotation back to pending (after its author changed it).
  virtual Status ResubmitAnnotation(Id annotation_id);
  virtual Result<std::vector<Annotation>> ReviewQueue(const ReviewQuery& query);
  virtual Result<int64_t> CountReviewQueue(const ReviewQuery& query);

  // Every annotation of the project, by id (for statistics).
  virtual Status ForEachAnnotationFact(Id project_id,
                                       const std::function<Status(const AnnotationFact&)>& fn);
  // Tasks whose annotations or predictions were created, changed or deleted
  // (or that were deleted) after position `since` of the project's change
  // log; since = 0 answers everything = true with the current position.
  virtual Result<TaskChanges> TaskChangesSince(Id project_id, int64_t since);
  // Every non-cancelled, non-ground-truth annotation on a task that has a
  // ground-truth annotation by someone else, with that ground truth.
  virtual Result<std::vector<HoneypotAnswer>> ListHoneypotAnswers(Id project_id);
  // Saves the project's snapshot of kind `kind`, replacing the one before.
  virtual Status SaveCacheSnapshot(Id project_id, const std::string& kind, const CacheSnapshot& snapshot);
  // The project's snapshot of kind `kind`; NotFound when none was saved.
  virtual Result<CacheSnapshot> GetCacheSnapshot(Id project_id, const std::string& kind);

  // ---- operations ----
  // Writes a consistent copy of the whole database to `path` (a new file)
  // while the store stays in use: one read transaction's snapshot, so writes
  // committed after it started are not in the copy.
  virtual Status BackupTo(const std::string& path);
  // The engine's own consistency check; Corruption naming the first problems.
  virtual Status CheckIntegrity();
  // Appends to the audit log; fills entry->id and created_at (when 0).
  virtual Status RecordAudit(AuditEntry* entry);
  // Newest first, at most query.limit entries.
  virtual Result<std::vector<AuditEntry>> ListAudit(const AuditQuery& query);

  // ---- guidelines (migration 6) ----
  // Not pure, like the team workflow. Appends a version: fills g->version
  // (the project's latest + 1) and created_at (when 0). NotFound if the
  // project does not exist. The text and examples are stored as given.
  virtual Status PublishGuideline(GuidelineVersion* g);
  // Every version of the project, newest first.
  virtual Result<std::vector<GuidelineVersion>> ListGuidelines(Id project_id);
  // NotFound if the project has no such version.
  virtual Result<GuidelineVersion> GetGuideline(Id project_id, int version);
  // Records that the user acknowledged `version` (again: no change).
  // NotFound if the project has no such version.
  virtual Status AcknowledgeGuideline(Id project_id, Id user_id, int version, TimeMs now);
  // The latest version and the newest one the user acknowledged (cheap: for
  // every `next` and every submit).
  virtual Result<GuidelineStatus> GetGuidelineStatus(Id project_id, Id user_id);

  // ---- predictions ----
  virtual Status CreatePrediction(Prediction* prediction) = 0;
  virtual Result<Prediction> GetPrediction(Id id) = 0;
  virtual Result<std::vector<Prediction>> ListPredictions(Id task_id) = 0;
  virtual Status DeletePrediction(Id id) = 0;

  // ---- drafts ----
  // Autosaved work of one user (see Draft). CreateAnnotation deletes the
  // author's draft of a new annotation on that task, and UpdateAnnotation the
  // updater's draft of that annotation, in the same transaction.
  // Creates or replaces the user's draft for (task, user, annotation_id):
  // result and lead_time are applied; fills id, project_id, created_at (kept
  // on replace) and updated_at. NotFound if the task, user or annotation does
  // not exist; InvalidArgument if the annotation is of another task.
  virtual Status SaveDraft(Draft* draft) = 0;
  virtual Result<Draft> GetDraft(Id id) = 0;
  // Applies draft->result and lead_time to the stored draft draft->id and
  // copies the other fields back. NotFound if there is no such draft.
  virtual Status UpdateDraft(Draft* draft) = 0;
  // The user's drafts of the task, by id.
  virtual Result<std::vector<Draft>> ListDrafts(Id task_id, Id user_id) = 0;
  virtual Status DeleteDraft(Id id) = 0;

  // ---- webhooks (issue 9; not pure: a Store that lacks them answers
  // FailedPrecondition) ----
  // Fills id, created_at, updated_at. NotFound if project_id names no project.
  virtual Status CreateWebhook(Webhook* webhook);
  virtual Result<Webhook> GetWebhook(Id id);
  // By id.
  virtual Result<std::vector<Webhook>> ListWebhooks(const WebhookQuery& query);
  // Applies url, send_payload, send_for_all_actions, actions, headers and
  // is_active (project_id and secret never change); sets updated_at.
  virtual Status UpdateWebhook(Webhook* webhook);
  // Deletes the webhook and its deliveries.
  virtual Status DeleteWebhook(Id id);
  // Appends pending deliveries (the outbox) in one transaction; fills ids and
  // created_at; next_attempt_at 0 means now.
  virtual Status EnqueueWebhookDeliveries(std::span<WebhookDelivery> deliveries);
  // Claims up to `limit` pending deliveries that are due at `now` and not
  // claimed by anyone else, for `lease_ms`: an atomic UPDATE, so two servers on
  // one database never claim the same row while the lease lasts. A claim
  // whose holder died expires and the row is claimed again (at-least-once).
  virtual Result<std::vector<WebhookDelivery>> ClaimWebhookDeliveries(const std::string& claim,
                                                                      TimeMs now, TimeMs lease_ms,
                                                                      int limit);
  // Records an attempt on a claimed delivery and releases the claim. NotFound
  // when the row is gone or `claim` no longer holds it (the lease ran out).
  virtual Status FinishWebhookDelivery(const DeliveryAttempt& attempt);
  // The webhook's deliveries, newest first, at most `limit`.
  virtual Result<std::vector<WebhookDelivery>> ListWebhookDeliveries(Id webhook_id, int limit);

  // ---- pre-filtering (migration 8; not pure: a Store that lacks it answers
  // FailedPrecondition). src/media/prefilter.h decides; the store keeps the
  // settings, every task's hashes and the flags that keep tasks out of `next`.
  // The project's settings JSON ("" when never set). NotFound if no project.
  virtual Result<std::string> GetPrefilterSettings(Id project_id);
  virtual Status SetPrefilterSettings(Id project_id, const std::string& settings_json);
  // Every stored hash of the project's tasks.
  virtual Result<std::vector<TaskHash>> ListTaskHashes(Id project_id);
  // Stores hashes and flags of tasks of the project in one transaction (a
  // task's hash of the same kind, or its flag, is replaced).
  virtual Status RecordPrefilter(Id project_id, std::span<const TaskHash> hashes,
                                 std::span<const TaskFlag> flags);
  // Flagged tasks by task id, after `after_task_id`, at most `limit`; of one
  // reason when `reason` is not empty.
  virtual Result<std::vector<TaskFlag>> ListTaskFlags(Id project_id, std::string_view reason,
                                                      Id after_task_id, int64_t limit);
  // Flag count per reason (reasons with none left out).
  virtual Result<std::vector<std::pair<std::string, int64_t>>> CountTaskFlags(Id project_id);
  // Removes the flags of the selected tasks (of one reason when `reason` is
  // not empty), which returns them to the queue. Returns how many.
  virtual Result<int64_t> ReleaseTaskFlags(Id project_id, const TaskSelection& selection,
                                           std::string_view reason);

  // ---- data manager (migration 9; not pure: a Store that lacks it answers
  // FailedPrecondition) ----
  // The ids of the tasks ListTasks would return, in its order (offset and
  // limit apply; limit <= 0 = all).
  virtual Result<std::vector<Id>> ListTaskIds(const TaskQuery& query);
  // Computed columns of the given tasks, in the given order (unknown ids left out).
  virtual Result<std::vector<TaskColumns>> ListTaskColumns(std::span<const Id> task_ids);
  // Applies `action` to each of `task_ids` that is a task of the project, in
  // one transaction. Returns how many tasks it changed.
  virtual Result<int64_t> ApplyTaskAction(Id project_id, TaskAction action,
                                          std::span<const Id> task_ids);
  // Saved views. CreateDmView fills id and created_at (and order, when 0:
  // the project's last + 1); NotFound if the project does not exist.
  virtual Status CreateDmView(DmView* view);
  virtual Result<DmView> GetDmView(Id id);
  // By order, then id.
  virtual Result<std::vector<DmView>> ListDmViews(Id project_id);
  // Applies data and order. NotFound when there is no such view.
  virtual Status UpdateDmView(const DmView& view);
  virtual Status DeleteDmView(Id id);
  // Deletes every view of the project; returns how many.
  virtual Result<int64_t> DeleteDmViews(Id project_id);

  // ---- export jobs (migration 10; not pure: a Store that lacks them answers
  // FailedPrecondition). See tessera/export_jobs.h.
  // Fills id and created_at (when 0); status created. NotFound if no project.
  virtual Status CreateExportJob(ExportJob* job);
  virtual Result<ExportJob> GetExportJob(Id id);
  // The project's jobs, newest first.
  virtual Result<std::vector<ExportJob>> ListExportJobs(Id project_id);
  // NotFound if there is no such job. A runner holding it finds out when it
  // next reports progress.
  virtual Status DeleteExportJob(Id id);
  // In one transaction: marks failed the jobs whose claim ran out after
  // ExportJob::kMaxAttempts runs, then claims the oldest job that is created
  // or whose claim ran out, for `lease_ms`: status in_progress, attempts + 1,
  // progress reset. Servers sharing a database never claim the same job while
  // a lease lasts. nullopt when there is nothing to run.
  virtual Result<std::optional<ExportJob>> ClaimExportJob(const std::string& claim, TimeMs now,
                                                          TimeMs lease_ms);
  // Records progress of a claimed job and extends its lease to now + lease_ms.
  // NotFound when the job is gone or `claim` no longer holds it.
  virtual Status UpdateExportJobProgress(Id job_id, const std::string& claim, int64_t tasks_done,
                                         int64_t tasks_total, TimeMs now, TimeMs lease_ms);
  // Completes or fails a claimed job and drops the claim; NotFound as above.
  virtual Status FinishExportJob(const ExportJobOutcome& outcome);
  // Gives a claimed job back (status created, attempts - 1), for a server
  // that stops cleanly mid-run: the next runner starts it again at once.
  virtual Status ReleaseExportJob(Id job_id, const std::string& claim);
};

struct SqliteOptions {
  // Path of the database file; ":memory:" for a private in-memory database.
  std::string path;
  // Reader connections kept open (WAL lets them read while one writer writes).
  int readers = 4;
  // synchronous=FULL when true (default): an acknowledged write survives power
  // loss. NORMAL is faster and still survives a process crash.
  bool full_sync = true;
};

// Opens (creating if needed) a SQLite store and applies pending migrations.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

struct PostgresOptions {
  // A libpq connection URI (postgresql://user:password@host:port/dbname?...)
  // or key=value connection string.
  std::string url;
  // Connections the store keeps open at most (one per concurrent caller);
  // callers wait for a free one beyond that.
  int connections = 16;
};

// Connects to a PostgreSQL database and applies pending migrations (the same
// list as SQLite's; several servers may start at once). The database must
// exist; the schema is created in the connection's search_path.
Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options);

}  // namespace tessera

#endif  // TESSERA_STORE_H_
