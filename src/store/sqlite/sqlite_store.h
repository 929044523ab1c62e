// SqliteStore: the embedded Store implementation on SQLite (see
// include/tessera/store.h for the contract).
//
// Writes go through the single writer connection, one transaction per Store
// method (BEGIN IMMEDIATE ... COMMIT); reads use pooled WAL reader connections
// and see the last committed state. The implementation is split by resource:
//   sqlite_store.cc        open, migrations, users, API tokens, sessions
//   sqlite_projects.cc     projects, membership, stats
//   sqlite_tasks.cc        imports, tasks, export paging
//   sqlite_annotations.cc  annotations (+versions), predictions
//   sqlite_drafts.cc       autosaved drafts
//   sqlite_workflow.cc     workflow settings, next task with locks, assignment
//   sqlite_review.cc       reviews, review queue, statistics facts
//   sqlite_webhooks.cc     webhooks and their delivery outbox
//   sqlite_export_jobs.cc  background export jobs
//
// Ownership: owns its ConnectionPool. Thread-safety: safe for concurrent use
// (the Store contract); the writer mutex serializes writes.
#ifndef TESSERA_SRC_STORE_SQLITE_SQLITE_STORE_H_
#define TESSERA_SRC_STORE_SQLITE_SQLITE_STORE_H_

#include <memory>
#include <string>
#include <utility>

#include "src/store/sqlite/connection_pool.h"
#include "tessera/store.h"

namespace tessera::sqlite {

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<ConnectionPool> pool, bool full_sync)
      : pool_(std::move(pool)), full_sync_(full_sync) {}

  // Creates schema_migrations and applies every pending migration, each in
  // its own transaction. FailedPrecondition if the file is newer than the code.
  Status Migrate();

  // ---- users, tokens, sessions (sqlite_store.cc) ----
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

  // ---- projects and membership (sqlite_projects.cc) ----
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

  // ---- imports and tasks (sqlite_tasks.cc) ----
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

  // ---- team workflow (sqlite_workflow.cc, sqlite_review.cc) ----
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
  Status PublishGuideline(GuidelineVersion* g) override;
  Result<std::vector<GuidelineVersion>> ListGuidelines(Id project_id) override;
  Result<GuidelineVersion> GetGuideline(Id project_id, int version) override;
  Status AcknowledgeGuideline(Id project_id, Id user_id, int version, TimeMs now) override;
  Result<GuidelineStatus> GetGuidelineStatus(Id project_id, Id user_id) override;

  // ---- annotations, predictions (sqlite_annotations.cc), drafts (sqlite_drafts.cc) ----
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

  // ---- webhooks (sqlite_webhooks.cc) ----
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

  // ---- pre-filtering (sqlite_prefilter.cc) ----
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

  // ---- data manager (sqlite_dm.cc) ----
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

  // ---- export jobs (sqlite_export_jobs.cc) ----
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
  // Full-text search indexes tasks lazily (migration 9): before a query with
  // search words runs, the tasks added since the last search are indexed in
  // one write transaction, so imports do not pay for the index. No-op for a
  // query without search words.
  Status CatchUpSearchIndex(const TaskQuery& query);

  // Runs `fn(Connection&)` (returning Status) inside one write transaction on
  // the writer connection; commits if it returns OK, else rolls back.
  template <typename Fn>
  Status WriteTxn(Fn&& fn) {
    WriteLease lease = pool_->Write();
    return RunInTransaction(lease.conn(), "BEGIN IMMEDIATE", std::forward<Fn>(fn));
  }
  // Like WriteTxn, but the commit does not wait for fsync (synchronous=NORMAL
  // for this transaction only). For batches of an import that is still
  // running: FinishImport commits with the configured (FULL) mode, and that
  // fsync of the append-only WAL makes every earlier batch durable too. A
  // batch lost to a power cut leaves its import "running", and
  // RollBackUnfinishedImports removes it at the next start.
  template <typename Fn>
  Status WriteTxnDeferredSync(Fn&& fn) {
    WriteLease lease = pool_->Write();
    TESSERA_RETURN_IF_ERROR(lease.conn().Exec("PRAGMA synchronous = NORMAL"));
    Status status = RunInTransaction(lease.conn(), "BEGIN IMMEDIATE", std::forward<Fn>(fn));
    Status restore = lease.conn().Exec(full_sync_ ? "PRAGMA synchronous = FULL"
                                                  : "PRAGMA synchronous = NORMAL");
    return status.ok() ? restore : status;
  }
  // Runs `fn(Connection&)` on a reader connection (autocommit: each statement
  // sees the latest commit). For several statements that must agree, use
  // ReadTxn.
  template <typename Fn>
  Status Read(Fn&& fn) {
    TESSERA_ASSIGN_OR_RETURN(ReadLease lease, pool_->Read());
    return fn(lease.conn());
  }
  // Like Read, inside one read transaction (a single snapshot).
  template <typename Fn>
  Status ReadTxn(Fn&& fn) {
    TESSERA_ASSIGN_OR_RETURN(ReadLease lease, pool_->Read());
    return RunInTransaction(lease.conn(), "BEGIN", std::forward<Fn>(fn));
  }
  template <typename Fn>
  static Status RunInTransaction(Connection& conn, const char* begin, Fn&& fn) {
    TESSERA_RETURN_IF_ERROR(Begin(conn, begin));
    Status status = fn(conn);
    if (status.ok()) status = Commit(conn);
    if (!status.ok()) Rollback(conn);
    return status;
  }
  static Status Begin(Connection& conn, const char* begin);
  static Status Commit(Connection& conn);
  static void Rollback(Connection& conn);

  // Deletes the tasks an import inserted and marks it `status` with `error`.
  static Status UndoImport(Connection& conn, Id import_id, const std::string& status,
                           const std::string& error);

  std::unique_ptr<ConnectionPool> pool_;
  bool full_sync_ = true;
};

// ---- helpers shared by the sqlite_*.cc files (all run on a borrowed conn) ----

// NotFound("project 7 not found") unless the project exists; fills
// *maximum_annotations when given.
Status RequireProject(Connection& conn, Id project_id, int* maximum_annotations = nullptr);
Status RequireUser(Connection& conn, Id user_id);
Result<Task> LoadTask(Connection& conn, Id task_id);
// Recomputes total_annotations, cancelled_annotations, total_predictions and
// is_labeled of one task from its rows.
Status RefreshTaskCounters(Connection& conn, Id task_id, TimeMs now);
// Appends to the task change log (migration 3): task_id 0 means every task of
// the project. Call inside the write transaction that makes the change.
Status RecordTaskChange(Connection& conn, Id project_id, Id task_id, TimeMs now);
// A submit or skip by `user_id` on the task: drops their lock and their
// open annotate-assignment (sqlite_workflow.cc).
Status ReleaseWork(Connection& conn, Id task_id, Id user_id);
// Deletes the user's draft of the task's new annotation (annotation_id 0) or
// of annotation `annotation_id`; no error when there is none (sqlite_drafts.cc).
Status DeleteDraftOf(Connection& conn, Id task_id, Id user_id, Id annotation_id);

}  // namespace tessera::sqlite

#endif  // TESSERA_SRC_STORE_SQLITE_SQLITE_STORE_H_
