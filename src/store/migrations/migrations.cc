#include "src/store/migrations/migrations.h"

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

// Migration 11 (issue 7): a project's task and annotation counts, kept as
// they change, so the project list, the project page and the task table's
// total read one row instead of counting millions of tasks (10M tasks: ~10 s
// per project before). project_counters holds one row per project; what a
// task contributes is its counter columns (total_annotations, ...), so the
// triggers add each inserted task's, subtract each deleted one's and add the
// difference on update, whatever code path wrote the row (imports, submits,
// bulk actions, migrate). skipped_only counts tasks with cancelled but no
// completed annotations.
//   SQLite: row triggers update project_counters directly (one writer at a
//   time, so no contention).
//   PostgreSQL: a row update in every submit would serialise all submits of
//   a project on one row lock held until commit, across servers. Instead,
//   statement-level triggers append one delta row per statement to
//   project_counter_deltas (inserts never wait on each other); readers add
//   the deltas to project_counters and fold them in now and then (one
//   DELETE ... RETURNING statement, so each delta is counted once).
constexpr std::string_view kProjectCounters = R"sql(
CREATE TABLE project_counters (
  project_id BIGINT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  tasks BIGINT NOT NULL DEFAULT 0,
  with_annotations BIGINT NOT NULL DEFAULT 0,
  labeled BIGINT NOT NULL DEFAULT 0,
  annotations BIGINT NOT NULL DEFAULT 0,
  cancelled BIGINT NOT NULL DEFAULT 0,
  predictions BIGINT NOT NULL DEFAULT 0,
  skipped_only BIGINT NOT NULL DEFAULT 0
);
INSERT INTO project_counters (project_id, tasks, with_annotations, labeled, annotations, cancelled,
                              predictions, skipped_only)
SELECT p.id, COUNT(t.id),
       COALESCE(SUM(CASE WHEN t.total_annotations > 0 THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN t.is_labeled THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(t.total_annotations), 0), COALESCE(SUM(t.cancelled_annotations), 0),
       COALESCE(SUM(t.total_predictions), 0),
       COALESCE(SUM(CASE WHEN t.cancelled_annotations > 0 AND t.total_annotations = 0 THEN 1 ELSE 0 END), 0)
FROM projects p LEFT JOIN tasks t ON t.project_id = p.id
GROUP BY p.id;
)sql";

constexpr std::string_view kProjectCountersSqlite = R"sql(
CREATE TRIGGER project_counters_new AFTER INSERT ON projects BEGIN
  INSERT INTO project_counters (project_id) VALUES (NEW.id);
END;
CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks BEGIN
  UPDATE project_counters SET tasks = tasks + 1,
    with_annotations = with_annotations + (NEW.total_annotations > 0),
    labeled = labeled + (NEW.is_labeled <> 0),
    annotations = annotations + NEW.total_annotations,
    cancelled = cancelled + NEW.cancelled_annotations,
    predictions = predictions + NEW.total_predictions,
    skipped_only = skipped_only + (NEW.cancelled_annotations > 0 AND NEW.total_annotations = 0)
  WHERE project_id = NEW.project_id;
END;
CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks BEGIN
  UPDATE project_counters SET tasks = tasks - 1,
    with_annotations = with_annotations - (OLD.total_annotations > 0),
    labeled = labeled - (OLD.is_labeled <> 0),
    annotations = annotations - OLD.total_annotations,
    cancelled = cancelled - OLD.cancelled_annotations,
    predictions = predictions - OLD.total_predictions,
    skipped_only = skipped_only - (OLD.cancelled_annotations > 0 AND OLD.total_annotations = 0)
  WHERE project_id = OLD.project_id;
END;
CREATE TRIGGER tasks_count_update
  AFTER UPDATE OF total_annotations, cancelled_annotations, total_predictions, is_labeled ON tasks BEGIN
  UPDATE project_counters SET
    with_annotations = with_annotations + (NEW.total_annotations > 0) - (OLD.total_annotations > 0),
    labeled = labeled + (NEW.is_labeled <> 0) - (OLD.is_labeled <> 0),
    annotations = annotations + NEW.total_annotations - OLD.total_annotations,
    cancelled = cancelled + NEW.cancelled_annotations - OLD.cancelled_annotations,
    predictions = predictions + NEW.total_predictions - OLD.total_predictions,
    skipped_only = skipped_only + (NEW.cancelled_annotations > 0 AND NEW.total_annotations = 0)
                                - (OLD.cancelled_annotations > 0 AND OLD.total_annotations = 0)
  WHERE project_id = NEW.project_id;
END;
)sql";

constexpr std::string_view kProjectCountersPostgres = R"sql(
CREATE TABLE project_counter_deltas (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  project_id BIGINT NOT NULL,
  tasks BIGINT NOT NULL,
  with_annotations BIGINT NOT NULL,
  labeled BIGINT NOT NULL,
  annotations BIGINT NOT NULL,
  cancelled BIGINT NOT NULL,
  predictions BIGINT NOT NULL,
  skipped_only BIGINT NOT NULL
);
CREATE INDEX project_counter_deltas_project ON project_counter_deltas(project_id);
CREATE FUNCTION tessera_project_counters_new() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO project_counters (project_id) VALUES (NEW.id);
  RETURN NULL;
END $fn$;
CREATE TRIGGER project_counters_new AFTER INSERT ON projects
  FOR EACH ROW EXECUTE FUNCTION tessera_project_counters_new();
CREATE FUNCTION tessera_tasks_count() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO project_counter_deltas (project_id, tasks, with_annotations, labeled, annotations,
                                        cancelled, predictions, skipped_only)
    SELECT project_id, COUNT(*), COUNT(*) FILTER (WHERE total_annotations > 0),
           COUNT(*) FILTER (WHERE is_labeled), SUM(total_annotations), SUM(cancelled_annotations),
           SUM(total_predictions),
           COUNT(*) FILTER (WHERE cancelled_annotations > 0 AND total_annotations = 0)
    FROM new_rows GROUP BY project_id;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO project_counter_deltas (project_id, tasks, with_annotations, labeled, annotations,
                                        cancelled, predictions, skipped_only)
    SELECT project_id, -COUNT(*), -COUNT(*) FILTER (WHERE total_annotations > 0),
           -COUNT(*) FILTER (WHERE is_labeled), -SUM(total_annotations), -SUM(cancelled_annotations),
           -SUM(total_predictions),
           -COUNT(*) FILTER (WHERE cancelled_annotations > 0 AND total_annotations = 0)
    FROM old_rows
    WHERE EXISTS (SELECT 1 FROM projects p WHERE p.id = old_rows.project_id)
    GROUP BY project_id;
  ELSE
    INSERT INTO project_counter_deltas (project_id, tasks, with_annotations, labeled, annotations,
                                        cancelled, predictions, skipped_only)
    SELECT project_id, 0, SUM(wa), SUM(lb), SUM(an), SUM(ca), SUM(pr), SUM(so)
    FROM (SELECT project_id, CASE WHEN total_annotations > 0 THEN 1 ELSE 0 END AS wa,
                 CASE WHEN is_labeled THEN 1 ELSE 0 END AS lb, total_annotations AS an,
                 cancelled_annotations AS ca, total_predictions AS pr,
                 CASE WHEN cancelled_annotations > 0 AND total_annotations = 0 THEN 1 ELSE 0 END AS so
          FROM new_rows
          UNION ALL
          SELECT project_id, CASE WHEN total_annotations > 0 THEN -1 ELSE 0 END,
                 CASE WHEN is_labeled THEN -1 ELSE 0 END, -total_annotations,
                 -cancelled_annotations, -total_predictions,
                 CASE WHEN cancelled_annotations > 0 AND total_annotations = 0 THEN -1 ELSE 0 END
          FROM old_rows) AS d
    GROUP BY project_id
    HAVING SUM(wa) <> 0 OR SUM(lb) <> 0 OR SUM(an) <> 0 OR SUM(ca) <> 0 OR SUM(pr) <> 0 OR SUM(so) <> 0;
  END IF;
  RETURN NULL;
END $fn$;
CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tessera_tasks_count();
CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tessera_tasks_count();
CREATE TRIGGER tasks_count_update AFTER UPDATE ON tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tessera_tasks_count();
)sql";

// Migration 12 (issue 7): on SQLite the insert trigger of migration 11 cost
// about 1.6 µs per task, a fifth of an import; InsertTasks, the only
// statement that inserts tasks there, now adds each batch's totals to
// project_counters with one UPDATE. Updates and deletes keep their triggers.
// Nothing changes on PostgreSQL (one delta row per statement already).
constexpr std::string_view kNothingPortable = "SELECT 1;";
constexpr std::string_view kProjectCountersBatchSqlite = R"sql(
DROP TRIGGER tasks_count_insert;
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

// Migration 16 (issue 7): the project's ground-truth count joins its
// counters. It was counted on the ground-truth index at every read of the
// counters (the project list, the project page): imported annotations are
// ground truth, so a project with 1M imported annotations paid 60-80 ms per
// read on SQLite, and 10M would pay most of a second. Only ground-truth
// rows fire these triggers (WHEN), so submits, skips and reviews pay
// nothing.
// Inserts have no trigger: the statements that insert annotations
// (CreateAnnotation, InsertTasks; migrate recounts what it copied) add their
// own ground truth, as migration 12 has InsertTasks add its tasks. An insert
// trigger made an import of 1M tasks with one imported annotation each 37%
// slower on SQLite (15.3 s -> 20.9 s) and 100k of them 17% slower on
// PostgreSQL, leaving a delta row per annotation there for a reader to fold.
//   SQLite: row triggers on update and delete update project_counters
//   directly, as migration 11's.
//   PostgreSQL: they append a delta row (as migration 11's statement
//   triggers do), added and folded by the readers.
constexpr std::string_view kGroundTruthCounter = R"sql(
ALTER TABLE project_counters ADD COLUMN ground_truth BIGINT NOT NULL DEFAULT 0;
UPDATE project_counters SET ground_truth =
  (SELECT COUNT(*) FROM annotations a WHERE a.project_id = project_counters.project_id AND a.ground_truth);
)sql";

constexpr std::string_view kGroundTruthCounterSqlite = R"sql(
CREATE TRIGGER annotations_ground_truth_delete AFTER DELETE ON annotations WHEN OLD.ground_truth BEGIN
  UPDATE project_counters SET ground_truth = ground_truth - 1 WHERE project_id = OLD.project_id;
END;
CREATE TRIGGER annotations_ground_truth_update AFTER UPDATE OF ground_truth ON annotations
  WHEN (NEW.ground_truth <> 0) <> (OLD.ground_truth <> 0) BEGIN
  UPDATE project_counters SET ground_truth = ground_truth + (CASE WHEN NEW.ground_truth THEN 1 ELSE -1 END)
  WHERE project_id = NEW.project_id;
END;
)sql";

constexpr std::string_view kGroundTruthCounterPostgres = R"sql(
ALTER TABLE project_counter_deltas ADD COLUMN ground_truth BIGINT NOT NULL DEFAULT 0;
CREATE FUNCTION tessera_ground_truth_count() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO project_counter_deltas (project_id, tasks, with_annotations, labeled, annotations,
                                        cancelled, predictions, skipped_only, ground_truth)
    SELECT OLD.project_id, 0, 0, 0, 0, 0, 0, 0, -1
    WHERE EXISTS (SELECT 1 FROM projects p WHERE p.id = OLD.project_id);
  ELSE
    INSERT INTO project_counter_deltas (project_id, tasks, with_annotations, labeled, annotations,
                                        cancelled, predictions, skipped_only, ground_truth)
    VALUES (NEW.project_id, 0, 0, 0, 0, 0, 0, 0, CASE WHEN NEW.ground_truth THEN 1 ELSE -1 END);
  END IF;
  RETURN NULL;
END $fn$;
CREATE TRIGGER annotations_ground_truth_delete AFTER DELETE ON annotations
  FOR EACH ROW WHEN (OLD.ground_truth) EXECUTE FUNCTION tessera_ground_truth_count();
CREATE TRIGGER annotations_ground_truth_update AFTER UPDATE OF ground_truth ON annotations
  FOR EACH ROW WHEN (OLD.ground_truth IS DISTINCT FROM NEW.ground_truth)
  EXECUTE FUNCTION tessera_ground_truth_count();
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
    {11, "project counters", kProjectCounters, kProjectCountersSqlite, kProjectCountersPostgres},
    {12, "project counters: SQLite imports add their own", kNothingPortable, kProjectCountersBatchSqlite},
    {13, "reviewable annotations index", kReviewableIndex},
    {14, "unannotated tasks index", kUnannotatedIndex},
    {15, "cache snapshots", kCacheSnapshots},
    {16, "ground-truth counter", kGroundTruthCounter, kGroundTruthCounterSqlite, kGroundTruthCounterPostgres},
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
