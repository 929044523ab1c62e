#include "src/store/migrations/migrations.h"

#include "src/store/migrations/counters_sql.h"

namespace tessera {
namespace {

// Conventions (all portable between SQLite and PostgreSQL):
// - ids are ${ID_PK}; references to them are BIGINT.
// - times are BIGINT Unix milliseconds; JSON payloads are TEXT (compact JSON).
// - flags are BOOLEAN with TRUE/FALSE defaults.
// - tasks.import_id and annotations.import_id are deliberately not foreign
//   keys: deleting an import row would otherwise have to search every task,
//   and the import rollback already removes the rows it owns.
// - annotations/predictions carry project_id (copied from their task) for
//   per-project queries; the cascade runs project -> tasks -> annotations.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE users (
  id ${ID_PK},
  email TEXT NOT NULL UNIQUE,
  username TEXT NOT NULL DEFAULT '',
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL DEFAULT '',
  is_admin BOOLEAN NOT NULL DEFAULT FALSE,
  is_active BOOLEAN NOT NULL DEFAULT TRUE,
  created_at BIGINT NOT NULL,
  last_activity BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE api_tokens (
  user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  token TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX api_tokens_token_hash ON api_tokens(token_hash);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user_id ON sessions(user_id);
CREATE INDEX sessions_expires_at ON sessions(expires_at);

CREATE TABLE projects (
  id ${ID_PK},
  title TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  label_config TEXT NOT NULL DEFAULT '',
  expert_instruction TEXT NOT NULL DEFAULT '',
  show_instruction BOOLEAN NOT NULL DEFAULT FALSE,
  show_skip_button BOOLEAN NOT NULL DEFAULT TRUE,
  enable_empty_annotation BOOLEAN NOT NULL DEFAULT TRUE,
  show_annotation_history BOOLEAN NOT NULL DEFAULT FALSE,
  show_collab_predictions BOOLEAN NOT NULL DEFAULT TRUE,
  is_published BOOLEAN NOT NULL DEFAULT FALSE,
  is_draft BOOLEAN NOT NULL DEFAULT FALSE,
  maximum_annotations INTEGER NOT NULL DEFAULT 1 CHECK (maximum_annotations >= 1),
  sampling TEXT NOT NULL DEFAULT 'Sequential sampling',
  color TEXT NOT NULL DEFAULT '#FFFFFF',
  model_version TEXT NOT NULL DEFAULT '',
  settings TEXT NOT NULL DEFAULT '{}',
  created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX projects_created_by ON projects(created_by);

CREATE TABLE memberships (
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('annotator', 'reviewer', 'manager', 'owner')),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, user_id)
);
CREATE INDEX memberships_user_id ON memberships(user_id);

CREATE TABLE imports (
  id ${ID_PK},
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id BIGINT,
  source TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'rolled_back')),
  task_count BIGINT NOT NULL DEFAULT 0,
  annotation_count BIGINT NOT NULL DEFAULT 0,
  prediction_count BIGINT NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  finished_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX imports_project_id ON imports(project_id);
CREATE INDEX imports_status ON imports(status);

CREATE TABLE tasks (
  id ${ID_PK},
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  data TEXT NOT NULL,
  meta TEXT NOT NULL DEFAULT '{}',
  is_labeled BOOLEAN NOT NULL DEFAULT FALSE,
  overlap INTEGER NOT NULL DEFAULT 1,
  inner_id BIGINT NOT NULL,
  total_annotations INTEGER NOT NULL DEFAULT 0,
  cancelled_annotations INTEGER NOT NULL DEFAULT 0,
  total_predictions INTEGER NOT NULL DEFAULT 0,
  import_id BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX tasks_project_id_id ON tasks(project_id, id);

CREATE TABLE annotations (
  id ${ID_PK},
  task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL,
  completed_by BIGINT,
  result TEXT NOT NULL DEFAULT '[]',
  was_cancelled BOOLEAN NOT NULL DEFAULT FALSE,
  ground_truth BOOLEAN NOT NULL DEFAULT FALSE,
  lead_time DOUBLE PRECISION NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 1,
  updated_by BIGINT,
  parent_prediction BIGINT,
  parent_annotation BIGINT,
  last_action TEXT NOT NULL DEFAULT '',
  import_id BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX annotations_task_id ON annotations(task_id);
CREATE INDEX annotations_project_id_completed_by ON annotations(project_id, completed_by);

CREATE TABLE annotation_versions (
  id ${ID_PK},
  annotation_id BIGINT NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  result TEXT NOT NULL,
  was_cancelled BOOLEAN NOT NULL,
  ground_truth BOOLEAN NOT NULL,
  lead_time DOUBLE PRECISION NOT NULL,
  updated_by BIGINT,
  action TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  UNIQUE (annotation_id, version)
);

CREATE TABLE predictions (
  id ${ID_PK},
  task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL,
  result TEXT NOT NULL DEFAULT '[]',
  score DOUBLE PRECISION,
  model_version TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX predictions_task_id ON predictions(task_id);

CREATE TABLE drafts (
  id ${ID_PK},
  task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  annotation_id BIGINT REFERENCES annotations(id) ON DELETE CASCADE,
  result TEXT NOT NULL DEFAULT '[]',
  lead_time DOUBLE PRECISION NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX drafts_task_id_user_id ON drafts(task_id, user_id);
CREATE INDEX drafts_annotation_id ON drafts(annotation_id);
)sql";

// Team workflow (issue 4): distribution settings, task locks, manual
// assignment, task priority, review state and reviews.
// - project_workflow holds the settings that are not Label Studio project
//   fields (one row per project; a missing row means the defaults).
// - tasks_open* are partial indexes over the tasks that still need
//   annotations, so that NextTask never scans finished tasks; one per order
//   (sequential/random by id, by priority).
// - annotations.review_state: 'pending' (awaiting review), 'accepted',
//   'rejected' (back with the annotator) or 'fixed' (changed and accepted by a
//   reviewer). Ground-truth and cancelled annotations are never queued.
constexpr std::string_view kTeamWorkflow = R"sql(
ALTER TABLE tasks ADD COLUMN priority DOUBLE PRECISION NOT NULL DEFAULT 0;
CREATE INDEX tasks_open ON tasks(project_id, id) WHERE NOT is_labeled;
CREATE INDEX tasks_open_priority ON tasks(project_id, priority DESC, id) WHERE NOT is_labeled;

CREATE TABLE project_workflow (
  project_id BIGINT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  lock_timeout_ms BIGINT NOT NULL DEFAULT 600000 CHECK (lock_timeout_ms > 0),
  skip_queue TEXT NOT NULL DEFAULT 'requeue_for_others'
    CHECK (skip_queue IN ('requeue_for_others', 'ignore_skipped')),
  honeypot_rate DOUBLE PRECISION NOT NULL DEFAULT 0
    CHECK (honeypot_rate >= 0 AND honeypot_rate <= 1),
  blind BOOLEAN NOT NULL DEFAULT TRUE,
  updated_at BIGINT NOT NULL
);

CREATE TABLE task_locks (
  task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (task_id, user_id)
);
CREATE INDEX task_locks_user ON task_locks(project_id, user_id, expires_at);
CREATE INDEX task_locks_expires ON task_locks(project_id, expires_at);

CREATE TABLE task_assignments (
  task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('AN', 'RE')),
  assigned_by BIGINT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (task_id, user_id, kind)
);
CREATE INDEX task_assignments_user ON task_assignments(project_id, user_id, kind, task_id);

ALTER TABLE annotations ADD COLUMN review_state TEXT NOT NULL DEFAULT 'pending';
CREATE INDEX annotations_review_queue ON annotations(project_id, review_state, id);
CREATE INDEX annotations_ground_truth ON annotations(project_id, task_id) WHERE ground_truth;
CREATE INDEX annotations_project_created ON annotations(project_id, created_at);

CREATE TABLE annotation_reviews (
  id ${ID_PK},
  annotation_id BIGINT NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL,
  reviewer_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
  action TEXT NOT NULL CHECK (action IN ('accepted', 'rejected', 'fixed')),
  comment TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX annotation_reviews_annotation ON annotation_reviews(annotation_id, id);
)sql";

// Migration 3: a log of which tasks' annotations or predictions changed, so
// derived results (agreement and the other quality statistics) can be brought
// up to date by re-reading only those tasks. task_id 0 means "any task of the
// project" (a bulk change: an import batch, deleting all tasks). Old rows are
// pruned (SqliteStore keeps the last kTaskChangesKept); a reader whose position
// is older than what is kept reloads the whole project.
constexpr std::string_view kTaskChanges = R"sql(
CREATE TABLE task_changes (
  seq ${ID_PK},
  project_id BIGINT NOT NULL,
  task_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX task_changes_project ON task_changes(project_id, seq);
)sql";

// Migration 4 (issue 3): autosaved drafts. Replaces the unused `drafts` table
// of migration 1 with annotation_drafts, which also carries project_id and
// holds at most one draft per (task, user, annotation): annotation_id NULL is
// the draft of a new annotation, otherwise the draft of an edit of that
// annotation (COALESCE makes the NULLs collide in the unique index, in both
// SQLite and PostgreSQL). Rows of the old table are carried over, the newest
// per key; their ids are not kept (drafts are transient).
constexpr std::string_view kAnnotationDrafts = R"sql(
CREATE TABLE annotation_drafts (
  id ${ID_PK},
  task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  annotation_id BIGINT REFERENCES annotations(id) ON DELETE CASCADE,
  result TEXT NOT NULL DEFAULT '[]',
  lead_time DOUBLE PRECISION NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX annotation_drafts_key
  ON annotation_drafts(task_id, user_id, COALESCE(annotation_id, 0));
CREATE INDEX annotation_drafts_annotation ON annotation_drafts(annotation_id);

INSERT INTO annotation_drafts (task_id, project_id, user_id, annotation_id, result, lead_time,
                               created_at, updated_at)
SELECT d.task_id, t.project_id, d.user_id, d.annotation_id, d.result, d.lead_time, d.created_at,
       d.updated_at
FROM drafts d JOIN tasks t ON t.id = d.task_id
WHERE d.id = (SELECT MAX(o.id) FROM drafts o WHERE o.task_id = d.task_id AND
              o.user_id = d.user_id AND COALESCE(o.annotation_id, 0) = COALESCE(d.annotation_id, 0));
DROP TABLE drafts;
)sql";

// Migration 5 (issue 8): the audit log of administrative actions (roles,
// users, project settings, deleted tasks, exports). Append-only; `detail` is
// a JSON object describing the change.
constexpr std::string_view kAuditLog = R"sql(
CREATE TABLE audit_log (
  id ${ID_PK},
  created_at BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  action TEXT NOT NULL,
  project_id BIGINT NOT NULL DEFAULT 0,
  object_type TEXT NOT NULL DEFAULT '',
  object_id BIGINT NOT NULL DEFAULT 0,
  detail TEXT NOT NULL DEFAULT '{}',
  request_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_project ON audit_log(project_id, id);
)sql";

// Migration 6 (issue 9): project guidelines as versioned documents. Each
// publish appends a version (1, 2, ... per project; never edited), with its
// Markdown `body`, a change note and `examples`: a JSON array of
// {task, annotation, kind, caption} pointing at the project's own tasks
// (checked by the server; a deleted task leaves a dangling example, which
// readers skip). guideline_acks records which versions a user acknowledged.
// annotations.guideline_version is the latest version when the annotation was
// submitted (0: none, e.g. imported or made before any guideline).
constexpr std::string_view kGuidelines = R"sql(
CREATE TABLE guideline_versions (
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  version INTEGER NOT NULL CHECK (version >= 1),
  body TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
  examples TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, version)
);

CREATE TABLE guideline_acks (
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  acknowledged_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, user_id, version)
);

ALTER TABLE annotations ADD COLUMN guideline_version INTEGER NOT NULL DEFAULT 0;
)sql";

// Migration 7 (issue 9): webhooks and their outbox. webhooks.project_id NULL
// is a site-wide webhook (Label Studio's organization webhook); `actions` is
// a JSON array of action names, `headers` a JSON object of extra request
// headers, `secret` the HMAC key of the signature header. Every event writes
// one webhook_deliveries row per matching webhook (status 'pending'); a
// dispatcher claims due rows by setting `claim` and `claimed_until` in one
// UPDATE (so servers sharing the database never send a row twice while the
// lease lasts), then records the attempt: 'delivered', back to 'pending' with
// a later next_attempt_at, or 'failed' after the last attempt.
constexpr std::string_view kWebhooks = R"sql(
CREATE TABLE webhooks (
  id ${ID_PK},
  project_id BIGINT REFERENCES projects(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  send_payload BOOLEAN NOT NULL DEFAULT TRUE,
  send_for_all_actions BOOLEAN NOT NULL DEFAULT TRUE,
  actions TEXT NOT NULL DEFAULT '[]',
  headers TEXT NOT NULL DEFAULT '{}',
  is_active BOOLEAN NOT NULL DEFAULT TRUE,
  secret TEXT NOT NULL,
  created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX webhooks_project ON webhooks(project_id);

CREATE TABLE webhook_deliveries (
  id ${ID_PK},
  webhook_id BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  action TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  claim TEXT NOT NULL DEFAULT '',
  claimed_until BIGINT NOT NULL DEFAULT 0,
  last_status_code INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  delivered_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at, id)
  WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, id);
)sql";

// Pre-filtering: per-project settings, content hashes of every task (64-bit
// values stored as the signed BIGINT of the same bits) and the flags that keep
// tasks out of `next` until released.
constexpr std::string_view kPrefilter = R"sql(
CREATE TABLE prefilter_settings (
  project_id BIGINT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  settings TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE task_hashes (
  task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL,
  kind TEXT NOT NULL,
  value BIGINT NOT NULL,
  PRIMARY KEY (task_id, kind)
);
CREATE INDEX task_hashes_project ON task_hashes(project_id, kind);

CREATE TABLE task_flags (
  task_id BIGINT PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX task_flags_project ON task_flags(project_id, reason, task_id);
)sql";

// Migration 10 (issue 6): background export jobs (Label Studio's export
// snapshots). A runner claims a job by setting `claim` and `claimed_until`
// (a lease it renews while writing), like the webhook outbox; a job whose
// lease ran out is claimed again, up to a limit of attempts. `options` is the
// JSON object of export options; `file` is the finished file's name under
// data_dir/exports.
constexpr std::string_view kExportJobs = R"sql(
CREATE TABLE export_jobs (
  id ${ID_PK},
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  title TEXT NOT NULL DEFAULT '',
  created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
  format TEXT NOT NULL,
  options TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'created'
    CHECK (status IN ('created', 'in_progress', 'completed', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  claim TEXT NOT NULL DEFAULT '',
  claimed_until BIGINT NOT NULL DEFAULT 0,
  tasks_done BIGINT NOT NULL DEFAULT 0,
  tasks_total BIGINT NOT NULL DEFAULT 0,
  file TEXT NOT NULL DEFAULT '',
  file_bytes BIGINT NOT NULL DEFAULT 0,
  md5 TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  started_at BIGINT NOT NULL DEFAULT 0,
  finished_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX export_jobs_project ON export_jobs(project_id, id);
CREATE INDEX export_jobs_open ON export_jobs(id) WHERE status IN ('created', 'in_progress');
)sql";

// Migration 9, the data manager (issue 9): saved views (tabs) per project, and
// full-text search over the string values of task data. SQLite: a
// contentless FTS5 table task_search whose rowid is the task id. It is filled
// lazily: task_search_state.upto says every task up to that id is indexed,
// and the store indexes the tasks above it before a search runs (indexing
// as tasks are inserted made imports six times slower). Triggers keep the
// indexed tasks in step on update and delete (a contentless table deletes a
// row given its old text, which they recompute from OLD.data). PostgreSQL: a GIN index on
// to_tsvector('simple', data::jsonb), which indexes string values only; the
// store's query repeats that expression.
constexpr std::string_view kDataManager = R"sql(
CREATE TABLE dm_views (
  id ${ID_PK},
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
  ord BIGINT NOT NULL DEFAULT 0,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX dm_views_project ON dm_views(project_id, ord, id);
)sql";

constexpr std::string_view kDataManagerSqlite = R"sql(
CREATE VIRTUAL TABLE task_search USING fts5(body, content='');
CREATE TABLE task_search_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  upto INTEGER NOT NULL
);
INSERT INTO task_search_state (id, upto) VALUES (1, 0);
CREATE TRIGGER task_search_delete AFTER DELETE ON tasks
  WHEN OLD.id <= (SELECT upto FROM task_search_state) BEGIN
  INSERT INTO task_search (task_search, rowid, body) VALUES ('delete', OLD.id,
    (SELECT group_concat(value, ' ') FROM json_tree(OLD.data) WHERE type = 'text'));
END;
CREATE TRIGGER task_search_update AFTER UPDATE OF data ON tasks
  WHEN OLD.id <= (SELECT upto FROM task_search_state) BEGIN
  INSERT INTO task_search (task_search, rowid, body) VALUES ('delete', OLD.id,
    (SELECT group_concat(value, ' ') FROM json_tree(OLD.data) WHERE type = 'text'));
  INSERT INTO task_search (rowid, body) VALUES (NEW.id,
    (SELECT group_concat(value, ' ') FROM json_tree(NEW.data) WHERE type = 'text'));
END;
)sql";

constexpr std::string_view kDataManagerPostgres = R"sql(
CREATE INDEX tasks_search ON tasks USING GIN (to_tsvector('simple', CAST(data AS JSONB)));
)sql";

// Migration 13: the review queue lists and counts only reviewable
// annotations (not skips, not ground truth). Its index (migration 2) holds
// every annotation, so counting the pending ones read each row to test the
// two flags: 0.9 s at 3M annotations, four counts on every manager dashboard.
// This partial index answers the counts from the index alone. The old index
// stays: the rejected-work lookup of the labeling stream reads it.
constexpr std::string_view kReviewableIndex = R"sql(
CREATE INDEX annotations_reviewable ON annotations(project_id, review_state, id)
  WHERE NOT was_cancelled AND NOT ground_truth;
)sql";

// Migration 14: the task table's "not labeled yet" view (no non-cancelled
// annotation, `completed_at` empty) lists its first page by id; without an
// index it walked past every annotated task first (0.7 s at 10M tasks with
// the first 1M done). Tasks leave this index with their first annotation.
constexpr std::string_view kUnannotatedIndex = R"sql(
CREATE INDEX tasks_unannotated ON tasks(project_id, id) WHERE total_annotations = 0;
)sql";

// Migration 15 (issue 7): derived results saved so that a restarted server
// can answer with them while it rebuilds its in-memory caches (the
// dashboards: server/dashboard_snapshots.h). One row per project and kind;
// `seq` is the change-log position the body describes.
constexpr std::string_view kCacheSnapshots = R"sql(
CREATE TABLE cache_snapshots (
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  seq BIGINT NOT NULL,
  saved_at BIGINT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (project_id, kind)
);
)sql";

constexpr Migration kMigrations[] = {
    {1, "initial schema", kInitialSchema},
    {2, "team workflow", kTeamWorkflow},
    {3, "task change log", kTaskChanges},
    {4, "annotation drafts", kAnnotationDrafts},
    {5, "audit log", kAuditLog},
    {6, "guidelines", kGuidelines},
    {7, "webhooks", kWebhooks},
    {8, "pre-filtering", kPrefilter},
    {9, "data manager", kDataManager, kDataManagerSqlite, kDataManagerPostgres},
    {10, "export jobs", kExportJobs},
    {11, "project counters", counters_sql::kProjectCounters, counters_sql::kProjectCountersSqlite,
     counters_sql::kProjectCountersPostgres},
    {12, "project counters: SQLite imports add their own", counters_sql::kNothingPortable,
     counters_sql::kProjectCountersBatchSqlite},
    {13, "reviewable annotations index", kReviewableIndex},
    {14, "unannotated tasks index", kUnannotatedIndex},
    {15, "cache snapshots", kCacheSnapshots},
    {16, "ground-truth counter", counters_sql::kGroundTruthCounter, counters_sql::kGroundTruthCounterSqlite,
     counters_sql::kGroundTruthCounterPostgres},
};

// The one place where the dialects differ.
constexpr std::string_view kIdPkPlaceholder = "${ID_PK}";
// SQLite: an alias of the rowid; AUTOINCREMENT so ids of deleted rows are
// never handed out again (clients keep task ids from exports).
constexpr std::string_view kSqliteIdPk = "INTEGER PRIMARY KEY AUTOINCREMENT";
constexpr std::string_view kPostgresIdPk = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

std::string_view SchemaMigrationsTableSql() {
  return "CREATE TABLE IF NOT EXISTS schema_migrations ("
         " version INTEGER PRIMARY KEY,"
         " name TEXT NOT NULL,"
         " applied_at BIGINT NOT NULL)";
}

std::string MigrationSql(const Migration& migration, SqlDialect dialect) {
  std::string out = RenderMigrationSql(migration.sql, dialect);
  std::string_view extra =
      dialect == SqlDialect::kSqlite ? migration.sqlite_sql : migration.postgres_sql;
  if (!extra.empty()) out += "\n" + RenderMigrationSql(extra, dialect);
  return out;
}

std::string RenderMigrationSql(std::string_view sql, SqlDialect dialect) {
  std::string_view id_pk = dialect == SqlDialect::kSqlite ? kSqliteIdPk : kPostgresIdPk;
  std::string out;
  out.reserve(sql.size() + 256);
  size_t pos = 0;
  while (true) {
    size_t hit = sql.find(kIdPkPlaceholder, pos);
    if (hit == std::string_view::npos) break;
    out.append(sql.substr(pos, hit - pos));
    out.append(id_pk);
    pos = hit + kIdPkPlaceholder.size();
  }
  out.append(sql.substr(pos));
  return out;
}

}  // namespace tessera
