#include <algorithm>
#include <array>
#include <charconv>
#include <string>

#include "src/store/annotated_tasks_sql.h"
#include "src/store/project_counters_sql.h"
#include "src/store/postgres/pg_rows.h"
#include "src/store/postgres/postgres_store.h"
#include "src/store/task_query_sql.h"
#include "tessera/util.h"

namespace tessera::postgres {
namespace {

// Tasks per page in ForEachTaskBundle.
constexpr int64_t kBundlePageSize = 1000;

constexpr char kRolledBackError[] =
    "the server stopped before this import finished; its tasks were removed";

// InsertTasks writes this many tasks per INSERT statement.
constexpr int kTasksPerInsert = 64;
// ?1 project_id, ?2 overlap, ?3 import_id, ?4 created_at/updated_at.
constexpr int kTaskSharedParams = 4;
// Per row: data, meta, is_labeled, inner_id, total_annotations,
// cancelled_annotations, total_predictions.
constexpr int kTaskRowParams = 7;

// "INSERT INTO tasks ... VALUES (...), (...)" with `rows` value tuples.
std::string BuildTaskInsertSql(int rows) {
  auto param = [](int n) { return "?" + std::to_string(n); };
  std::string sql =
      "INSERT INTO tasks (project_id, data, meta, is_labeled, overlap, inner_id, "
      "total_annotations, cancelled_annotations, total_predictions, import_id, created_at, "
      "updated_at) VALUES ";
  for (int row_idx = 0; row_idx < rows; ++row_idx) {
    int p = kTaskSharedParams + 1 + row_idx * kTaskRowParams;
    sql += row_idx == 0 ? "(" : ", (";
    sql += "?1, " + param(p) + ", " + param(p + 1) + ", " + param(p + 2) + ", ?2, " +
           param(p + 3) + ", " + param(p + 4) + ", " + param(p + 5) + ", " + param(p + 6) +
           ", ?3, ?4, ?4)";
  }
  // inner_id maps each returned id to its row (RETURNING's order is not
  // promised, and concurrent imports make ids non-consecutive).
  return sql + " RETURNING id, inner_id";
}

// The one-row or the kTasksPerInsert-row form, built once.
const std::string& TaskInsertSql(int rows) {
  static const std::array<std::string, 2> kSql = {BuildTaskInsertSql(1),
                                                   BuildTaskInsertSql(kTasksPerInsert)};
  return rows == 1 ? kSql[0] : kSql[1];
}

// Batches of at least this many tasks are written with COPY (CopyTasks).
constexpr size_t kCopyMinTasks = 256;

std::string TaskNotFound(Id id) { return "task " + std::to_string(id) + " not found"; }

// Inserts the nested annotations and predictions of one new task.
Status InsertNested(Connection& conn, const NewTask& task, Id task_id, Id project_id,
                    Id import_id, TimeMs now) {
  if (!task.annotations.empty()) {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO annotations (" TESSERA_ANNOTATION_COLUMNS ") VALUES "
                              "(DEFAULT, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                              "?14, ?15, ?16)"));
    for (const Annotation& given : task.annotations) {
      Annotation a = given;
      a.task_id = task_id;
      a.project_id = project_id;
      a.import_id = import_id;
      if (a.version < 1) a.version = 1;
      if (a.last_action.empty()) a.last_action = "imported";
      if (a.created_at == 0) a.created_at = now;
      if (a.updated_at == 0) a.updated_at = a.created_at;
      BindAnnotation(st, 1, a);
      TESSERA_RETURN_IF_ERROR(st.Run());
      st.Reset();
    }
  }
  if (!task.predictions.empty()) {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO predictions (task_id, project_id, result, score, "
                              "model_version, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, "
                              "?6, ?7)"));
    for (const Prediction& p : task.predictions) {
      TimeMs created = p.created_at == 0 ? now : p.created_at;
      st.Bind(1, task_id).Bind(2, project_id).Bind(3, p.result).Bind(4, p.score)
          .Bind(5, p.model_version).Bind(6, created)
          .Bind(7, p.updated_at == 0 ? created : p.updated_at);
      TESSERA_RETURN_IF_ERROR(st.Run());
      st.Reset();
    }
  }
  return Status::Ok();
}

// Writes a batch of new tasks with COPY, the bulk path: their ids are taken
// from the tasks' identity sequence first (one round trip), so the copied rows
// carry them and nested annotations and predictions can follow. The ids
// ascend with the inner ids, as InsertTasks promises; under concurrent
// imports into other projects they need not be consecutive.
Status CopyTasks(Connection& conn, std::span<const NewTask> tasks, Id project_id,
                 int maximum_annotations, Id import_id, TimeMs now, int64_t next_inner_id,
                 std::vector<Id>* task_ids) {
  std::vector<Id> ids;
  ids.reserve(tasks.size());
  {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT nextval(pg_get_serial_sequence('tasks', 'id')) "
                              "FROM generate_series(1, ?1)"));
    st.Bind(1, static_cast<int64_t>(tasks.size()));
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ids.push_back(st.Int(0));
    }
  }
  if (ids.size() != tasks.size()) return Status::Internal("could not reserve task ids");
  std::sort(ids.begin(), ids.end());
  using Number = std::array<char, 24>;
  auto format = [](Number& buf, int64_t value) -> const char* {
    auto end = std::to_chars(buf.data(), buf.data() + buf.size() - 1, value).ptr;
    *end = '\0';
    return buf.data();
  };
  Number project_text, overlap_text, import_text, now_text, id_text, inner_text, done_text,
      cancelled_text, predictions_text;
  format(project_text, project_id);
  format(overlap_text, maximum_annotations);
  format(import_text, import_id);
  format(now_text, now);
  static const std::array<std::string, 13> kColumns = {
      "id", "project_id", "data", "meta", "is_labeled", "overlap", "inner_id",
      "total_annotations", "cancelled_annotations", "total_predictions", "import_id",
      "created_at", "updated_at"};
  TESSERA_RETURN_IF_ERROR(conn.CopyIn<13>(
      "tasks", kColumns, tasks.size(), [&](size_t row, std::array<const char*, 13>& f) {
        const NewTask& task = tasks[row];
        int done = 0, cancelled = 0;
        for (const Annotation& a : task.annotations) (a.was_cancelled ? cancelled : done)++;
        f[0] = format(id_text, ids[row]);
        f[1] = project_text.data();
        f[2] = task.data.empty() ? "{}" : task.data.c_str();
        f[3] = task.meta.empty() ? "{}" : task.meta.c_str();
        f[4] = done >= maximum_annotations ? "true" : "false";
        f[5] = overlap_text.data();
        f[6] = format(inner_text, next_inner_id + static_cast<int64_t>(row));
        f[7] = format(done_text, done);
        f[8] = format(cancelled_text, cancelled);
        f[9] = format(predictions_text, static_cast<int64_t>(task.predictions.size()));
        f[10] = import_id != 0 ? import_text.data() : nullptr;
        f[11] = now_text.data();
        f[12] = now_text.data();
      }));
  for (size_t row = 0; row < tasks.size(); ++row) {
    const NewTask& task = tasks[row];
    if (task_ids != nullptr) task_ids->push_back(ids[row]);
    if (!task.annotations.empty() || !task.predictions.empty()) {
      TESSERA_RETURN_IF_ERROR(InsertNested(conn, task, ids[row], project_id, import_id, now));
    }
  }
  TESSERA_RETURN_IF_ERROR(project_counters_sql::AddGroundTruth(
      conn, project_id, project_counters_sql::GroundTruthIn(tasks), SqlDialect::kPostgres));
  return RecordTaskChange(conn, project_id, 0, now);
}

// Loads up to kBundlePageSize tasks with id > after_id, plus their annotations
// and predictions (one query each, over the page's id range).
Status LoadBundlePage(Connection& conn, Id project_id, const TaskQuerySql& filter, Id after_id,
                      std::vector<TaskBundle>* page) {
  page->clear();
  std::string sql =
      "SELECT " TESSERA_TASK_COLUMNS " FROM tasks t WHERE t.project_id = ?1 AND t.id > ?2";
  sql += filter.where;
  sql += " ORDER BY t.id LIMIT ?3";
  {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(sql));
    st.Bind(1, project_id).Bind(2, after_id).Bind(3, kBundlePageSize);
    BindSqlArgs(st, filter.args, 4);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      page->push_back(TaskBundle{ReadTask(st), {}, {}});
    }
  }
  if (page->empty()) return Status::Ok();
  Id first = page->front().task.id, last = page->back().task.id;
  // Rows of tasks outside the page (filtered out, or in another project) can
  // fall inside the id range; they are skipped here rather than filtered in
  // SQL, so that SQLite keeps using the task_id index.
  auto bundle_of = [&](Id task_id) -> TaskBundle* {
    auto it = std::lower_bound(page->begin(), page->end(), task_id,
                               [](const TaskBundle& b, Id id) { return b.task.id < id; });
    return (it != page->end() && it->task.id == task_id) ? &*it : nullptr;
  };
  {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT " TESSERA_ANNOTATION_READ_COLUMNS " FROM annotations "
                              "WHERE task_id BETWEEN ?1 AND ?2 ORDER BY task_id, id"));
    st.Bind(1, first).Bind(2, last);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      if (TaskBundle* bundle = bundle_of(st.Int(1))) bundle->annotations.push_back(ReadAnnotation(st));
    }
  }
  TESSERA_ASSIGN_OR_RETURN(
      Stmt st, conn.Prepare("SELECT " TESSERA_PREDICTION_COLUMNS " FROM predictions "
                            "WHERE task_id BETWEEN ?1 AND ?2 ORDER BY task_id, id"));
  st.Bind(1, first).Bind(2, last);
  while (true) {
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (TaskBundle* bundle = bundle_of(st.Int(1))) bundle->predictions.push_back(ReadPrediction(st));
  }
  return Status::Ok();
}

}  // namespace

// ---- shared helpers ----

Result<Task> LoadTask(Connection& conn, Id task_id) {
  TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("SELECT " TESSERA_TASK_COLUMNS " FROM tasks WHERE id = ?1"));
  st.Bind(1, task_id);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound(TaskNotFound(task_id));
  return ReadTask(st);
}

Result<Task> LockTask(Connection& conn, Id task_id) {
  TESSERA_ASSIGN_OR_RETURN(
      Stmt st, conn.Prepare("SELECT " TESSERA_TASK_COLUMNS " FROM tasks WHERE id = ?1 FOR UPDATE"));
  st.Bind(1, task_id);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound(TaskNotFound(task_id));
  return ReadTask(st);
}

Status RefreshTaskCounters(Connection& conn, Id task_id, TimeMs now) {
  TESSERA_ASSIGN_OR_RETURN(
      Stmt st,
      conn.Prepare("UPDATE tasks SET "
                   "total_annotations = (SELECT COUNT(*) FROM annotations a "
                   "  WHERE a.task_id = ?1 AND NOT a.was_cancelled), "
                   "cancelled_annotations = (SELECT COUNT(*) FROM annotations a "
                   "  WHERE a.task_id = ?1 AND a.was_cancelled), "
                   "total_predictions = (SELECT COUNT(*) FROM predictions p WHERE p.task_id = ?1), "
                   "is_labeled = ((SELECT COUNT(*) FROM annotations a "
                   "  WHERE a.task_id = ?1 AND NOT a.was_cancelled) >= "
                   "  (SELECT maximum_annotations FROM projects WHERE projects.id = tasks.project_id)), "
                   "updated_at = ?2 "
                   "WHERE id = ?1"));
  TESSERA_RETURN_IF_ERROR(st.Bind(1, task_id).Bind(2, now).Run());
  if (conn.Changes() == 0) return Status::NotFound(TaskNotFound(task_id));
  return Status::Ok();
}

// ---- imports ----

// The advisory lock key of import ?1: per schema, so that databases that
// share a server (or tests that share a database) do not collide.
#define TESSERA_PG_IMPORT_LOCK_KEY "hashtextextended('tessera-import:' || current_schema() || ':' || ?1, 0)"

// A running import is owned by the server that began it: that server holds a
// session-level advisory lock on the import (TESSERA_PG_IMPORT_LOCK_KEY) on a
// connection of its own until FinishImport or AbortImport. When the server
// dies, PostgreSQL drops the connection and the lock with it, and
// RollBackUnfinishedImports (run by any server at start-up) rolls back only
// the running imports whose lock it can take: other live servers' imports
// are left alone.
Result<Id> PostgresStore::BeginImport(Id project_id, Id user_id, const std::string& source) {
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<Connection> owner, Connection::Open(pool_->url()));
  Id id = 0;
  TESSERA_RETURN_IF_ERROR(RunInTransaction(*owner, TxnKind::kReadWrite, [&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO imports (project_id, user_id, source, status, "
                              "created_at) VALUES (?1, ?2, ?3, 'running', ?4) RETURNING id"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, project_id).BindId(2, user_id).Bind(3, source)
                                .Bind(4, NowMs()).Run());
    id = conn.LastInsertId();
    // Session-level: the lock outlives this transaction.
    TESSERA_ASSIGN_OR_RETURN(Stmt lock, conn.Prepare("SELECT pg_advisory_lock(" TESSERA_PG_IMPORT_LOCK_KEY ")"));
    return lock.Bind(1, id).Run();
  }));
  std::lock_guard<std::mutex> lock(import_mu_);
  import_owners_[id] = std::move(owner);
  return id;
}

void PostgresStore::ReleaseImportOwnership(Id import_id) {
  std::unique_ptr<Connection> owner;
  {
    std::lock_guard<std::mutex> lock(import_mu_);
    auto it = import_owners_.find(import_id);
    if (it == import_owners_.end()) return;
    owner = std::move(it->second);
    import_owners_.erase(it);
  }
  (void)owner->Exec("SELECT pg_advisory_unlock_all()");
}

PostgresStore::~PostgresStore() {
  std::lock_guard<std::mutex> lock(import_mu_);
  for (auto& [import_id, owner] : import_owners_) {
    (void)owner->Exec("SELECT pg_advisory_unlock_all()");
  }
}

Status PostgresStore::InsertTasks(Id project_id, Id import_id, std::span<const NewTask> tasks,
                               std::vector<Id>* task_ids) {
  TimeMs now = NowMs();
  auto body = [&](Connection& conn) -> Status {
    int maximum_annotations = 1;
    {  // Locks the project row: imports into one project take turns, so
       // their inner ids do not collide (FOR NO KEY UPDATE does not block
       // rows that merely reference the project).
      TESSERA_ASSIGN_OR_RETURN(
          Stmt st, conn.Prepare("SELECT maximum_annotations FROM projects WHERE id = ?1 "
                                "FOR NO KEY UPDATE"));
      st.Bind(1, project_id);
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::NotFound("project " + std::to_string(project_id) + " not found");
      maximum_annotations = st.Int32(0);
    }
    if (import_id != 0) {
      TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("SELECT project_id, status FROM imports WHERE id = ?1"));
      st.Bind(1, import_id);
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::NotFound("import " + std::to_string(import_id) + " not found");
      if (st.Int(0) != project_id) {
        return Status::InvalidArgument("import " + std::to_string(import_id) +
                                       " belongs to another project");
      }
      std::string status = st.Text(1);
      if (status != "running") {
        return Status::FailedPrecondition("import " + std::to_string(import_id) + " is " + status +
                                          ", not running");
      }
    }
    // Tasks get increasing ids and inner ids together (imports into the
    // project take turns, above), so the newest task of the project holds
    // MAX(inner_id); the (project_id, id) index finds it.
    int64_t next_inner_id = 1;
    {
      TESSERA_ASSIGN_OR_RETURN(
          Stmt st, conn.Prepare("SELECT inner_id FROM tasks WHERE project_id = ?1 "
                                "ORDER BY id DESC LIMIT 1"));
      st.Bind(1, project_id);
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (row) next_inner_id = st.Int(0) + 1;
    }
    if (tasks.size() >= kCopyMinTasks) {
      return CopyTasks(conn, tasks, project_id, maximum_annotations, import_id, now, next_inner_id,
                       task_ids);
    }
    // Full groups go through a multi-row INSERT (far less per-row overhead);
    // the remainder through the one-row form.
    TESSERA_ASSIGN_OR_RETURN(Stmt multi, conn.Prepare(TaskInsertSql(kTasksPerInsert)));
    TESSERA_ASSIGN_OR_RETURN(Stmt single, conn.Prepare(TaskInsertSql(1)));
    // Parameters that are the same for every row are bound once.
    for (Stmt* st : {&multi, &single}) {
      st->Bind(1, project_id).Bind(2, maximum_annotations).BindId(3, import_id).Bind(4, now);
    }
    if (task_ids != nullptr) task_ids->reserve(task_ids->size() + tasks.size());
    size_t pos = 0;
    while (pos < tasks.size()) {
      size_t rows = tasks.size() - pos >= static_cast<size_t>(kTasksPerInsert) ? kTasksPerInsert : 1;
      Stmt& insert = rows == 1 ? single : multi;
      const int64_t first_inner_id = next_inner_id;
      for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
        const NewTask& task = tasks[pos + row_idx];
        int done = 0, cancelled = 0;
        for (const Annotation& a : task.annotations) (a.was_cancelled ? cancelled : done)++;
        int param = kTaskSharedParams + 1 + static_cast<int>(row_idx) * kTaskRowParams;
        insert.Bind(param, task.data.empty() ? std::string_view("{}") : std::string_view(task.data))
            .Bind(param + 1, task.meta.empty() ? std::string_view("{}") : std::string_view(task.meta))
            .Bind(param + 2, done >= maximum_annotations)
            .Bind(param + 3, next_inner_id++)
            .Bind(param + 4, done)
            .Bind(param + 5, cancelled)
            .Bind(param + 6, static_cast<int>(task.predictions.size()));
      }
      std::vector<Id> ids(rows, 0);
      while (true) {
        TESSERA_ASSIGN_OR_RETURN(bool row, insert.Step());
        if (!row) break;
        const int64_t row_idx = insert.Int(1) - first_inner_id;
        if (row_idx < 0 || row_idx >= static_cast<int64_t>(rows)) {
          return Status::Internal("inserting tasks returned an unexpected inner id");
        }
        ids[static_cast<size_t>(row_idx)] = insert.Int(0);
      }
      insert.ResetKeepBindings();
      for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
        const NewTask& task = tasks[pos + row_idx];
        Id task_id = ids[row_idx];
        if (task_ids != nullptr) task_ids->push_back(task_id);
        if (!task.annotations.empty() || !task.predictions.empty()) {
          TESSERA_RETURN_IF_ERROR(InsertNested(conn, task, task_id, project_id, import_id, now));
        }
      }
      pos += rows;
    }
    TESSERA_RETURN_IF_ERROR(project_counters_sql::AddGroundTruth(
        conn, project_id, project_counters_sql::GroundTruthIn(tasks), SqlDialect::kPostgres));
    return RecordTaskChange(conn, project_id, 0, now);
  };
  return import_id != 0 ? WriteTxnDeferredSync(body) : WriteTxn(body);
}

Status PostgresStore::FinishImport(Id import_id, int64_t tasks, int64_t annotations,
                                 int64_t predictions) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("UPDATE imports SET status = 'completed', task_count = ?2, "
                              "annotation_count = ?3, prediction_count = ?4, finished_at = ?5 "
                              "WHERE id = ?1 AND status = 'running'"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, import_id).Bind(2, tasks).Bind(3, annotations)
                                .Bind(4, predictions).Bind(5, NowMs()).Run());
    if (conn.Changes() == 1) {
      ReleaseImportOwnership(import_id);
      return Status::Ok();
    }
    TESSERA_ASSIGN_OR_RETURN(Stmt check, conn.Prepare("SELECT status FROM imports WHERE id = ?1"));
    check.Bind(1, import_id);
    TESSERA_ASSIGN_OR_RETURN(bool row, check.Step());
    if (!row) return Status::NotFound("import " + std::to_string(import_id) + " not found");
    return Status::FailedPrecondition("import " + std::to_string(import_id) + " is " +
                                      check.Text(0) + ", not running");
  });
}

Status PostgresStore::UndoImport(Connection& conn, Id import_id, const std::string& status,
                               const std::string& error) {
  Id project_id = 0;
  {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("SELECT project_id FROM imports WHERE id = ?1"));
    st.Bind(1, import_id);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound("import " + std::to_string(import_id) + " not found");
    project_id = st.Int(0);
  }
  // Annotations, predictions and drafts of these tasks go by cascade.
  TESSERA_ASSIGN_OR_RETURN(
      Stmt del, conn.Prepare("DELETE FROM tasks WHERE project_id = ?1 AND import_id = ?2"));
  TESSERA_RETURN_IF_ERROR(del.Bind(1, project_id).Bind(2, import_id).Run());
  TESSERA_ASSIGN_OR_RETURN(
      Stmt mark, conn.Prepare("UPDATE imports SET status = ?2, error = ?3, finished_at = ?4 "
                              "WHERE id = ?1"));
  TESSERA_RETURN_IF_ERROR(
      mark.Bind(1, import_id).Bind(2, status).Bind(3, error).Bind(4, NowMs()).Run());
  return RecordTaskChange(conn, project_id, 0, NowMs());  // last: see RecordTaskChange
}

Status PostgresStore::AbortImport(Id import_id, const std::string& error) {
  Status status =
      WriteTxn([&](Connection& conn) { return UndoImport(conn, import_id, "failed", error); });
  if (status.ok()) ReleaseImportOwnership(import_id);
  return status;
}

Result<int> PostgresStore::RollBackUnfinishedImports() {
  std::vector<Id> running;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("SELECT id FROM imports WHERE status = 'running' ORDER BY id"));
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      running.push_back(st.Int(0));
    }
  }));
  int count = 0;
  for (Id id : running) {
    // One transaction per import; an import whose owner still holds its
    // lock (a live server) is skipped.
    TESSERA_RETURN_IF_ERROR(WriteTxn([&](Connection& conn) -> Status {
      TESSERA_ASSIGN_OR_RETURN(Stmt lock, conn.Prepare("SELECT pg_try_advisory_xact_lock(" TESSERA_PG_IMPORT_LOCK_KEY ")"));
      lock.Bind(1, id);
      TESSERA_ASSIGN_OR_RETURN(bool row, lock.Step());
      if (!row || !lock.Bool(0)) return Status::Ok();
      TESSERA_ASSIGN_OR_RETURN(Stmt still, conn.Prepare("SELECT 1 FROM imports WHERE id = ?1 AND status = 'running'"));
      still.Bind(1, id);
      TESSERA_ASSIGN_OR_RETURN(bool running_still, still.Step());
      if (!running_still) return Status::Ok();
      ++count;
      return UndoImport(conn, id, "rolled_back", kRolledBackError);
    }));
  }
  return count;
}

Result<ImportRecord> PostgresStore::GetImport(Id import_id) {
  ImportRecord record;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("SELECT " TESSERA_IMPORT_COLUMNS " FROM imports WHERE id = ?1"));
    st.Bind(1, import_id);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound("import " + std::to_string(import_id) + " not found");
    record = ReadImport(st);
    return Status::Ok();
  }));
  return record;
}

// ---- tasks ----

Result<Task> PostgresStore::GetTask(Id id) {
  Result<Task> out = Status::Internal("unset");
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) {
    out = LoadTask(conn, id);
    return out.status();
  }));
  return out;
}

Result<std::vector<Task>> PostgresStore::ListTasks(const TaskQuery& query) {
  TESSERA_ASSIGN_OR_RETURN(TaskQuerySql filter, BuildTaskQuerySql(query, SqlDialect::kPostgres, 5));
  std::string sql =
      "SELECT " TESSERA_TASK_COLUMNS " FROM tasks t WHERE t.project_id = ?1 AND t.id > ?2";
  sql += filter.where;
  sql += " ORDER BY ";
  sql += filter.order_by;
  sql += " LIMIT ?3 OFFSET ?4";
  std::vector<Task> tasks;
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, query.project_id));
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(sql));
    BindSqlArgs(st, filter.args, 5);
    BindSqlArgs(st, filter.order_args, 5 + static_cast<int>(filter.args.size()));
    st.Bind(1, query.project_id).Bind(2, query.after_id)
        .Bind(4, query.offset > 0 ? query.offset : int64_t{0});
    if (query.limit > 0) {
      st.Bind(3, query.limit);
    } else {
      st.BindNull(3);  // LIMIT NULL: no limit
    }
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      tasks.push_back(ReadTask(st));
    }
  }));
  return tasks;
}

Result<int64_t> PostgresStore::CountTasks(const TaskQuery& query) {
  if (project_counters_sql::IsPlainCount(query)) {
    // The whole project, one labeling state, or the tasks with or without an
    // annotation: the counters know (10M tasks take seconds to count).
    TESSERA_ASSIGN_OR_RETURN(ProjectStats stats, GetProjectStats(query.project_id));
    return *project_counters_sql::CountFromStats(query, stats);
  }
  TESSERA_ASSIGN_OR_RETURN(TaskQuerySql filter, BuildTaskQuerySql(query, SqlDialect::kPostgres, 3));
  std::string sql = "SELECT COUNT(*) FROM tasks t WHERE t.project_id = ?1 AND t.id > ?2";
  sql += filter.where;
  int64_t count = 0;
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, query.project_id));
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(sql));
    st.Bind(1, query.project_id).Bind(2, query.after_id);
    BindSqlArgs(st, filter.args, 3);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) count = st.Int(0);
    return Status::Ok();
  }));
  return count;
}

Status PostgresStore::UpdateTask(const Task& task) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("UPDATE tasks SET data = ?2, meta = ?3, updated_at = ?4 WHERE id = ?1"));
    st.Bind(1, task.id)
        .Bind(2, task.data.empty() ? std::string_view("{}") : std::string_view(task.data))
        .Bind(3, task.meta.empty() ? std::string_view("{}") : std::string_view(task.meta))
        .Bind(4, NowMs());
    TESSERA_RETURN_IF_ERROR(st.Run());
    if (conn.Changes() == 0) return Status::NotFound(TaskNotFound(task.id));
    return Status::Ok();
  });
}

Status PostgresStore::DeleteTask(Id id) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Task task, LockTask(conn, id));
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("DELETE FROM tasks WHERE id = ?1"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, id).Run());
    if (conn.Changes() == 0) return Status::NotFound(TaskNotFound(id));
    return RecordTaskChange(conn, task.project_id, id, NowMs());
  });
}

Status PostgresStore::DeleteAllTasks(Id project_id) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("DELETE FROM tasks WHERE project_id = ?1"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, project_id).Run());
    return RecordTaskChange(conn, project_id, 0, NowMs());
  });
}

Status PostgresStore::ForEachTaskBundle(const TaskQuery& query,
                                      const std::function<Status(const TaskBundle&)>& fn) {
  TaskQuery by_id = query;
  by_id.order = "id";
  TESSERA_ASSIGN_OR_RETURN(TaskQuerySql filter, BuildTaskQuerySql(by_id, SqlDialect::kPostgres, 4));
  std::vector<TaskBundle> page;
  // Calls fn for every bundle, reading pages with `load(after_id)`.
  auto run = [&](auto&& load) -> Status {
    Id after_id = query.after_id;
    while (true) {
      TESSERA_RETURN_IF_ERROR(load(after_id));
      for (const TaskBundle& bundle : page) TESSERA_RETURN_IF_ERROR(fn(bundle));
      if (static_cast<int64_t>(page.size()) < kBundlePageSize) return Status::Ok();
      after_id = page.back().task.id;
    }
  };
  // One read-only snapshot: every page comes from the same state while
  // writers carry on. `fn` may call back into the store (another connection).
  return ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, query.project_id));
    return run([&](Id after_id) {
      return LoadBundlePage(conn, query.project_id, filter, after_id, &page);
    });
  });
}

Status PostgresStore::ReadAnnotatedTasks(Id project_id, Id after_task_id, size_t min_annotations,
                                         std::vector<TaskBundle>* slice, size_t* count) {
  *count = 0;
  return ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    return rows::ReadAnnotatedTasksSql(conn, "annotations", project_id, after_task_id, min_annotations, slice,
                                       count);
  });
}

}  // namespace tessera::postgres
