// PostgresStore: the Store implementation on PostgreSQL (see
// include/tessera/store.h for the contract), for several Tessera servers
// sharing one database behind a load balancer.
//
// Every Store method borrows one connection from the pool and runs as one
// transaction (READ COMMITTED for writes, REPEATABLE READ READ ONLY for reads
// that need one snapshot). Where SQLite's single writer made a method
// serializable for free, the PostgreSQL version takes row locks first:
// writes that change a task's counters lock the task row (SELECT ... FOR
// UPDATE) before reading anything, an import locks its project row (inner
// ids), and the task change log is appended under a transaction-scoped
// advisory lock so that its sequence numbers become visible in order. `next`
// picks its candidate with FOR UPDATE SKIP LOCKED (src/store/workflow_sql.cc)
// and serializes calls of one user with an advisory lock. Sessions, tokens and
// task locks live in tables, so any server can answer any request.
//
// The implementation is split by resource like the SQLite store:
//   postgres_store.cc  open, migrations, users, API tokens, sessions
//   pg_projects.cc     projects, membership, stats
//   pg_tasks.cc        imports, tasks, export paging
//   pg_annotations.cc  annotations (+versions), predictions
//   pg_drafts.cc       autosaved drafts
//   pg_workflow.cc     workflow settings, next task with locks, priorities
//   pg_assignments.cc  manual assignment (one by one and by selection)
//   pg_review.cc       reviews, review queue, statistics facts
//   pg_changes.cc      the task change log
//   pg_audit.cc        the audit log
//   pg_backup.cc       backup (refused: pg_dump) and integrity check
//   pg_guidelines.cc   guideline versions and acknowledgements
//   pg_webhooks.cc     webhooks and their delivery outbox
//   pg_prefilter.cc    pre-filtering settings, task hashes and flags
//
// Ownership: owns its ConnectionPool. Thread-safety: safe for concurrent use
// (the Store contract), also from several processes on the same database.
#ifndef TESSERA_SRC_STORE_POSTGRES_POSTGRES_STORE_H_
#define TESSERA_SRC_STORE_POSTGRES_POSTGRES_STORE_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "src/store/postgres/pg_connection.h"
#include "tessera/store.h"

namespace tessera::postgres {

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(std::unique_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}
  ~PostgresStore() override;

  // Creates schema_migrations and applies every pending migration, each in
  // its own transaction under an advisory lock (two servers starting at once
  // do not both migrate). FailedPrecondition if the schema is newer than the code.
  Status Migrate();

  // ---- users, tokens, sessions (postgres_store.cc) ----
  Status CreateUser(User* user) override;
  Result<User> GetUser(Id id) override;
  Result<User> GetUserByEmail(const std::string& email) override;
  Result<std::vector<User>> ListUsers() override;
  Status UpdateUser(const User& user) override;
  Status TouchUser(Id user_id, TimeMs now) override;
  Status SetApiToken(Id user_id, const std::string& token) override;
  Result<std::string> GetApiToken(Id user_id) override;
  Result<User> FindUserByApiToken(const std::string& token) override;
  Status CreateSession(const Session& session) override;
  Result<Session> GetSession(const std::string& token_hash) override;
  Status DeleteSession(const std::string& token_hash) override;
  Status DeleteExpiredSessions(TimeMs now) override;

  // ---- projects and membership (pg_projects.cc) ----
  Status CreateProject(Project* project) override;
  Result<Project> GetProject(Id id) override;
  Result<std::vector<Project>> ListProjects(Id user_id, bool is_admin) override;
  Status UpdateProject(const Project& project) override;
  Status DeleteProject(Id id) override;
  Result<ProjectStats> GetProjectStats(Id project_id) override;
  Status SetMember(Id project_id, Id user_id, Role role) override;
  Status RemoveMember(Id project_id, Id user_id) override;
  Result<std::optional<Role>> GetRole(Id project_id, Id user_id) override;
  Result<std::vector<Membership>> ListMembers(Id project_id) override;

  // ---- imports and tasks (pg_tasks.cc) ----
  Result<Id> BeginImport(Id project_id, Id user_id, const std::string& source) override;
  Status InsertTasks(Id project_id, Id import_id, std::span<const NewTask> tasks,
                     std::vector<Id>* task_ids) override;
  Status FinishImport(Id import_id, int64_t tasks, int64_t annotations,
                      int64_t predictions) override;
  Status AbortImport(Id import_id, const std::string& error) override;
  Result<int> RollBackUnfinishedImports() override;
  Result<ImportRecord> GetImport(Id import_id) override;
  Result<Task> GetTask(Id id) override;
  Result<std::vector<Task>> ListTasks(const TaskQuery& query) override;
  Result<int64_t> CountTasks(const TaskQuery& query) override;
  Status UpdateTask(const Task& task) override;
  Status DeleteTask(Id id) override;
  Status DeleteAllTasks(Id project_id) override;
  Status ForEachTaskBundle(const TaskQuery& query,
                           const std::function<Status(const TaskBundle&)>& fn) override;
  Status ReadAnnotatedTasks(Id project_id, Id after_task_id, size_t min_annotations,
                            std::vector<TaskBundle>* slice, size_t* count) override;

  // ---- team workflow (pg_workflow.cc, pg_assignments.cc, pg_review.cc) ----
  using Store::NextTask;
  Result<Task> NextTask(Id project_id, Id user_id, Id exclude_task_id) override;
  Result<WorkflowSettings> GetWorkflowSettings(Id project_id) override;
  Status SetWorkflowSettings(Id project_id, const WorkflowSettings& settings) override;
  Status SetTaskPriorities(Id project_id,
                           std::span<const std::pair<Id, double>> priorities) override;
  Result<std::vector<TaskLock>> ListTaskLocks(Id project_id, TimeMs now) override;
  Status ReleaseTaskLock(Id task_id, Id user_id) override;
  Result<int64_t> AssignTasks(Id project_id, std::span<const Id> task_ids,
                              std::span<const Id> user_ids, AssignmentKind kind,
                              Id assigned_by) override;
  Result<int64_t> UnassignTasks(Id project_id, std::span<const Id> task_ids,
                                std::span<const Id> user_ids, AssignmentKind kind) override;
  Result<AssignmentCounts> AssignSelection(Id project_id, const TaskSelection& selection,
                                           std::span<const Id> user_ids, AssignmentKind kind,
                                           Id assigned_by) override;
  Result<AssignmentCounts> UnassignSelection(Id project_id, const TaskSelection& selection,
                                             std::span<const Id> user_ids,
                                             AssignmentKind kind) override;
  Result<std::vector<TaskAssignment>> ListAssignments(Id task_id) override;
  Status ReviewAnnotation(Review* review, const std::string& fixed_result) override;
  Result<std::vector<Review>> ListReviews(Id annotation_id) override;
  Result<ReviewInfo> GetReviewInfo(Id annotation_id) override;
  Status ResubmitAnnotation(Id annotation_id) override;
  Result<std::vector<Annotation>> ReviewQueue(const ReviewQuery& query) override;
  Result<int64_t> CountReviewQueue(const ReviewQuery& query) override;
  Status ForEachAnnotationFact(Id project_id,
                               const std::function<Status(const AnnotationFact&)>& fn) override;
  Result<std::vector<HoneypotAnswer>> ListHoneypotAnswers(Id project_id) override;
  Result<TaskChanges> TaskChangesSince(Id project_id, int64_t since) override;
  Status SaveCacheSnapshot(Id project_id, const std::string& kind, const CacheSnapshot& snapshot) override;
  Result<CacheSnapshot> GetCacheSnapshot(Id project_id, const std::string& kind) override;
  Status BackupTo(const std::string& path) override;
  Status CheckIntegrity() override;
  Status RecordAudit(AuditEntry* entry) override;
  Result<std::vector<AuditEntry>> ListAudit(const AuditQuery& query) override;

  // ---- guidelines (pg_guidelines.cc) ----
  Status PublishGuideline(GuidelineVersion* g) override;
  Result<std::vector<GuidelineVersion>> ListGuidelines(Id project_id) override;
  Result<GuidelineVersion> GetGuideline(Id project_id, int version) override;
  Status AcknowledgeGuideline(Id project_id, Id user_id, int version, TimeMs now) override;
  Result<GuidelineStatus> GetGuidelineStatus(Id project_id, Id user_id) override;

  // ---- annotations, predictions (pg_annotations.cc), drafts (pg_drafts.cc) ----
  Status CreateAnnotation(Annotation* annotation) override;
  Result<Annotation> GetAnnotation(Id id) override;
  Result<std::vector<Annotation>> ListAnnotations(Id task_id) override;
  Status UpdateAnnotation(Annotation* annotation) override;
  Status DeleteAnnotation(Id id) override;
  Result<std::vector<AnnotationVersion>> ListAnnotationVersions(Id annotation_id) override;
  Status CreatePrediction(Prediction* prediction) override;
  Result<Prediction> GetPrediction(Id id) override;
  Result<std::vector<Prediction>> ListPredictions(Id task_id) override;
  Status DeletePrediction(Id id) override;
  Status SaveDraft(Draft* draft) override;
  Result<Draft> GetDraft(Id id) override;
  Status UpdateDraft(Draft* draft) override;
  Result<std::vector<Draft>> ListDrafts(Id task_id, Id user_id) override;
  Status DeleteDraft(Id id) override;

  // ---- webhooks (pg_webhooks.cc) ----
  Status CreateWebhook(Webhook* webhook) override;
  Result<Webhook> GetWebhook(Id id) override;
  Result<std::vector<Webhook>> ListWebhooks(const WebhookQuery& query) override;
  Status UpdateWebhook(Webhook* webhook) override;
  Status DeleteWebhook(Id id) override;
  Status EnqueueWebhookDeliveries(std::span<WebhookDelivery> deliveries) override;
  Result<std::vector<WebhookDelivery>> ClaimWebhookDeliveries(const std::string& claim, TimeMs now,
                                                              TimeMs lease_ms, int limit) override;
  Status FinishWebhookDelivery(const DeliveryAttempt& attempt) override;
  Result<std::vector<WebhookDelivery>> ListWebhookDeliveries(Id webhook_id, int limit) override;

  // ---- pre-filtering (pg_prefilter.cc) ----
  Result<std::string> GetPrefilterSettings(Id project_id) override;
  Status SetPrefilterSettings(Id project_id, const std::string& settings_json) override;
  Result<std::vector<TaskHash>> ListTaskHashes(Id project_id) override;
  Status RecordPrefilter(Id project_id, std::span<const TaskHash> hashes,
                         std::span<const TaskFlag> flags) override;
  Result<std::vector<TaskFlag>> ListTaskFlags(Id project_id, std::string_view reason,
                                              Id after_task_id, int64_t limit) override;
  Result<std::vector<std::pair<std::string, int64_t>>> CountTaskFlags(Id project_id) override;
  Result<int64_t> ReleaseTaskFlags(Id project_id, const TaskSelection& selection,
                                   std::string_view reason) override;

  // ---- data manager (pg_dm.cc) ----
  Result<std::vector<Id>> ListTaskIds(const TaskQuery& query) override;
  Result<std::vector<TaskColumns>> ListTaskColumns(std::span<const Id> task_ids) override;
  Result<int64_t> ApplyTaskAction(Id project_id, TaskAction action,
                                  std::span<const Id> task_ids) override;
  Status CreateDmView(DmView* view) override;
  Result<DmView> GetDmView(Id id) override;
  Result<std::vector<DmView>> ListDmViews(Id project_id) override;
  Status UpdateDmView(const DmView& view) override;
  Status DeleteDmView(Id id) override;
  Result<int64_t> DeleteDmViews(Id project_id) override;

  // ---- export jobs (pg_export_jobs.cc) ----
  Status CreateExportJob(ExportJob* job) override;
  Result<ExportJob> GetExportJob(Id id) override;
  Result<std::vector<ExportJob>> ListExportJobs(Id project_id) override;
  Status DeleteExportJob(Id id) override;
  Result<std::optional<ExportJob>> ClaimExportJob(const std::string& claim, TimeMs now,
                                                  TimeMs lease_ms) override;
  Status UpdateExportJobProgress(Id job_id, const std::string& claim, int64_t tasks_done,
                                 int64_t tasks_total, TimeMs now, TimeMs lease_ms) override;
  Status FinishExportJob(const ExportJobOutcome& outcome) override;
  Status ReleaseExportJob(Id job_id, const std::string& claim) override;

 private:
  // Runs `fn(Connection&)` (returning Status) inside one read-write
  // transaction; commits if it returns OK, else rolls back.
  template <typename Fn>
  Status WriteTxn(Fn&& fn) {
    TESSERA_ASSIGN_OR_RETURN(Lease lease, pool_->Acquire());
    return RunInTransaction(lease.conn(), TxnKind::kReadWrite, std::forward<Fn>(fn));
  }
  // Like WriteTxn, but the commit does not wait for the WAL flush
  // (synchronous_commit = off for this transaction only): for import batches
  // of a running import and for task locks, as in the SQLite store.
  template <typename Fn>
  Status WriteTxnDeferredSync(Fn&& fn) {
    TESSERA_ASSIGN_OR_RETURN(Lease lease, pool_->Acquire());
    return RunInTransaction(lease.conn(), TxnKind::kReadWrite, [&](Connection& conn) -> Status {
      TESSERA_RETURN_IF_ERROR(conn.Exec("SET LOCAL synchronous_commit = off"));
      return fn(conn);
    });
  }
  // Runs `fn(Connection&)` outside a transaction (each statement sees the
  // latest commit). For several statements that must agree, use ReadTxn.
  template <typename Fn>
  Status Read(Fn&& fn) {
    TESSERA_ASSIGN_OR_RETURN(Lease lease, pool_->Acquire());
    return fn(lease.conn());
  }
  // Like Read, inside one read-only snapshot.
  template <typename Fn>
  Status ReadTxn(Fn&& fn) {
    TESSERA_ASSIGN_OR_RETURN(Lease lease, pool_->Acquire());
    return RunInTransaction(lease.conn(), TxnKind::kReadOnlySnapshot, std::forward<Fn>(fn));
  }
  template <typename Fn>
  static Status RunInTransaction(Connection& conn, TxnKind kind, Fn&& fn) {
    TESSERA_RETURN_IF_ERROR(conn.Begin(kind));
    Status status = fn(conn);
    if (status.ok()) status = conn.Commit();
    if (!status.ok()) conn.Rollback();
    return status;
  }

  // One attempt of NextTask: its transaction, setting *out.
  Status NextTaskTxn(Id project_id, Id user_id, Id exclude_task_id, TimeMs now, Result<Task>* out);

  // Deletes the tasks an import inserted and marks it `status` with `error`.
  static Status UndoImport(Connection& conn, Id import_id, const std::string& status,
                           const std::string& error);

  // Closes the connection that holds a running import's lock (pg_tasks.cc).
  void ReleaseImportOwnership(Id import_id);

  std::unique_ptr<ConnectionPool> pool_;
  // Running imports of this store and the connection holding each one's lock.
  std::mutex import_mu_;
  std::map<Id, std::unique_ptr<Connection>> import_owners_;
};

// ---- helpers shared by the pg_*.cc files (all run on a borrowed conn) ----

// NotFound("project 7 not found") unless the project exists; fills
// *maximum_annotations when given.
Status RequireProject(Connection& conn, Id project_id, int* maximum_annotations = nullptr);
Status RequireUser(Connection& conn, Id user_id);
Result<Task> LoadTask(Connection& conn, Id task_id);
// LoadTask that also locks the task row until the transaction ends: every
// write that changes a task's annotations, predictions or counters starts
// with it, so concurrent writers of one task go one after the other.
Result<Task> LockTask(Connection& conn, Id task_id);
// Recomputes total_annotations, cancelled_annotations, total_predictions and
// is_labeled of one task from its rows.
Status RefreshTaskCounters(Connection& conn, Id task_id, TimeMs now);
// Appends to the task change log (task_id 0 = every task of the project).
// Takes the change log's advisory lock until the end of the transaction, so
// call it after the transaction's other row locks are taken.
Status RecordTaskChange(Connection& conn, Id project_id, Id task_id, TimeMs now);
// A submit or skip by `user_id` on the task: drops their lock and their
// open annotate-assignment (pg_workflow.cc).
Status ReleaseWork(Connection& conn, Id task_id, Id user_id);
// Deletes the user's draft of the task's new annotation (annotation_id 0) or
// of annotation `annotation_id`; no error when there is none (pg_drafts.cc).
Status DeleteDraftOf(Connection& conn, Id task_id, Id user_id, Id annotation_id);

}  // namespace tessera::postgres

#endif  // TESSERA_SRC_STORE_POSTGRES_POSTGRES_STORE_H_
