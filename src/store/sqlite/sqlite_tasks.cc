#include <algorithm>
#include <array>
#include <string>

#include "src/store/annotated_tasks_sql.h"
#include "src/store/project_counters_sql.h"
#include "src/store/sqlite/rows.h"
#include "src/store/sqlite/sqlite_store.h"
#include "src/store/task_query_sql.h"
#include "tessera/util.h"

namespace tessera::sqlite {
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
  return sql;
}

// The one-row or the kTasksPerInsert-row form, built once.
const std::string& TaskInsertSql(int rows) {
  static const std::array<std::string, 2> kSql = {BuildTaskInsertSql(1),
                                                   BuildTaskInsertSql(kTasksPerInsert)};
  return rows == 1 ? kSql[0] : kSql[1];
}

std::string TaskNotFound(Id id) { return "task " + std::to_string(id) + " not found"; }

// Inserts the nested annotations and predictions of one new task.
Status InsertNested(Connection& conn, const NewTask& task, Id task_id, Id project_id,
                    Id import_id, TimeMs now) {
  if (!task.annotations.empty()) {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO annotations (" TESSERA_ANNOTATION_COLUMNS ") VALUES "
                              "(NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
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

// Loads up to kBundlePageSize tasks with id > after_id, plus their annotations
// and predictions (one query each, over the page's id range). The page's
// records are read into again (ReadTaskInto and the like), so
// after the first page their strings' buffers are reused: reading a project
// page after page allocates almost nothing.
Status LoadBundlePage(Connection& conn, Id project_id, const TaskQuerySql& filter, Id after_id,
                      std::vector<TaskBundle>* page) {
  std::string sql =
      "SELECT " TESSERA_TASK_COLUMNS " FROM tasks t WHERE t.project_id = ?1 AND t.id > ?2";
  sql += filter.where;
  sql += " ORDER BY t.id LIMIT ?3";
  size_t tasks = 0;
  {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(sql));
    st.Bind(1, project_id).Bind(2, after_id).Bind(3, kBundlePageSize);
    BindSqlArgs(st, filter.args, 4);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      if (tasks == page->size()) page->emplace_back();
      ReadTaskInto(st, &(*page)[tasks++].task);
    }
  }
  page->resize(tasks);
  if (page->empty()) return Status::Ok();
  // How many of each bundle's annotations and predictions this page has
  // read; the vectors keep their older records until trimmed at the end.
  std::vector<std::pair<uint32_t, uint32_t>> used(tasks);
  Id first = page->front().task.id, last = page->back().task.id;
  // Rows of tasks outside the page (filtered out, or in another project) can
  // fall inside the id range; they are skipped here rather than filtered in
  // SQL, so that SQLite keeps using the task_id index.
  auto index_of = [&](Id task_id) -> size_t {
    auto it = std::lower_bound(page->begin(), page->end(), task_id,
                               [](const TaskBundle& b, Id id) { return b.task.id < id; });
    return (it != page->end() && it->task.id == task_id) ? static_cast<size_t>(it - page->begin()) : tasks;
  };
  // The next record of `records` to read into.
  auto next_of = [](auto& records, uint32_t& count) -> auto& {
    if (count == records.size()) records.emplace_back();
    return records[count++];
  };
  // Steps through `sql` over the page's id range (the task id is column 1)
  // and hands each row of a task on the page to read_row(st, index).
  auto read_rows = [&](const char* sql, auto&& read_row) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(sql));
    st.Bind(1, first).Bind(2, last);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      size_t at = index_of(st.Int(1));
      if (at < tasks) read_row(st, at);
    }
  };
  TESSERA_RETURN_IF_ERROR(read_rows("SELECT " TESSERA_ANNOTATION_READ_COLUMNS " FROM annotations "
                                    "WHERE task_id BETWEEN ?1 AND ?2 ORDER BY task_id, id",
                                    [&](const Stmt& st, size_t at) {
                                      ReadAnnotationInto(st, &next_of((*page)[at].annotations, used[at].first));
                                    }));
  TESSERA_RETURN_IF_ERROR(read_rows("SELECT " TESSERA_PREDICTION_COLUMNS " FROM predictions "
                                    "WHERE task_id BETWEEN ?1 AND ?2 ORDER BY task_id, id",
                                    [&](const Stmt& st, size_t at) {
                                      ReadPredictionInto(st, &next_of((*page)[at].predictions, used[at].second));
                                    }));
  for (size_t task_idx = 0; task_idx < tasks; ++task_idx) {
    (*page)[task_idx].annotations.resize(used[task_idx].first);
    (*page)[task_idx].predictions.resize(used[task_idx].second);
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

Result<Id> SqliteStore::BeginImport(Id project_id, Id user_id, const std::string& source) {
  Id id = 0;
  TESSERA_RETURN_IF_ERROR(WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO imports (project_id, user_id, source, status, "
                              "created_at) VALUES (?1, ?2, ?3, 'running', ?4)"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, project_id).BindId(2, user_id).Bind(3, source)
                                .Bind(4, NowMs()).Run());
    id = conn.LastInsertId();
    return Status::Ok();
  }));
  return id;
}

Status SqliteStore::InsertTasks(Id project_id, Id import_id, std::span<const NewTask> tasks,
                               std::vector<Id>* task_ids) {
  TimeMs now = NowMs();
  auto body = [&](Connection& conn) -> Status {
    int maximum_annotations = 1;
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id, &maximum_annotations));
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
    // Tasks get increasing ids and inner ids together, so the newest task of
    // the project holds MAX(inner_id); the (project_id, id) index finds it.
    int64_t next_inner_id = 1;
    {
      TESSERA_ASSIGN_OR_RETURN(
          Stmt st, conn.Prepare("SELECT inner_id FROM tasks WHERE project_id = ?1 "
                                "ORDER BY id DESC LIMIT 1"));
      st.Bind(1, project_id);
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (row) next_inner_id = st.Int(0) + 1;
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
    // What the batch adds to project_counters, written once at the end (a
    // row trigger cost a fifth of the import; migration 12).
    project_counters_sql::BatchCounts counts;
    size_t pos = 0;
    while (pos < tasks.size()) {
      size_t rows = tasks.size() - pos >= static_cast<size_t>(kTasksPerInsert) ? kTasksPerInsert : 1;
      Stmt& insert = rows == 1 ? single : multi;
      for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
        const NewTask& task = tasks[pos + row_idx];
        int done = 0, cancelled = 0;
        for (const Annotation& a : task.annotations) {
          (a.was_cancelled ? cancelled : done)++;
          counts.ground_truth += a.ground_truth;
        }
        counts.Add(done, cancelled, static_cast<int64_t>(task.predictions.size()), maximum_annotations);
        int param = kTaskSharedParams + 1 + static_cast<int>(row_idx) * kTaskRowParams;
        insert.Bind(param, task.data.empty() ? std::string_view("{}") : std::string_view(task.data))
            .Bind(param + 1, task.meta.empty() ? std::string_view("{}") : std::string_view(task.meta))
            .Bind(param + 2, done >= maximum_annotations)
            .Bind(param + 3, next_inner_id++)
            .Bind(param + 4, done)
            .Bind(param + 5, cancelled)
            .Bind(param + 6, static_cast<int>(task.predictions.size()));
      }
      TESSERA_RETURN_IF_ERROR(insert.Run());
      insert.ResetKeepBindings();
      // The writer holds the write lock, so the rows got consecutive ids
      // ending at the last insert id (SQLite assigns max(rowid)+1 in turn).
      Id first_id = conn.LastInsertId() - static_cast<Id>(rows) + 1;
      for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
        const NewTask& task = tasks[pos + row_idx];
        Id task_id = first_id + static_cast<Id>(row_idx);
        if (task_ids != nullptr) task_ids->push_back(task_id);
        if (!task.annotations.empty() || !task.predictions.empty()) {
          TESSERA_RETURN_IF_ERROR(InsertNested(conn, task, task_id, project_id, import_id, now));
        }
      }
      pos += rows;
    }
    TESSERA_RETURN_IF_ERROR(counts.Apply(conn, project_id));
    return RecordTaskChange(conn, project_id, 0, now);
  };
  return import_id != 0 ? WriteTxnDeferredSync(body) : WriteTxn(body);
}

Status SqliteStore::FinishImport(Id import_id, int64_t tasks, int64_t annotations,
                                 int64_t predictions) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("UPDATE imports SET status = 'completed', task_count = ?2, "
                              "annotation_count = ?3, prediction_count = ?4, finished_at = ?5 "
                              "WHERE id = ?1 AND status = 'running'"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, import_id).Bind(2, tasks).Bind(3, annotations)
                                .Bind(4, predictions).Bind(5, NowMs()).Run());
    if (conn.Changes() == 1) return Status::Ok();
    TESSERA_ASSIGN_OR_RETURN(Stmt check, conn.Prepare("SELECT status FROM imports WHERE id = ?1"));
    check.Bind(1, import_id);
    TESSERA_ASSIGN_OR_RETURN(bool row, check.Step());
    if (!row) return Status::NotFound("import " + std::to_string(import_id) + " not found");
    return Status::FailedPrecondition("import " + std::to_string(import_id) + " is " +
                                      check.Text(0) + ", not running");
  });
}

Status SqliteStore::UndoImport(Connection& conn, Id import_id, const std::string& status,
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
  TESSERA_RETURN_IF_ERROR(RecordTaskChange(conn, project_id, 0, NowMs()));
  TESSERA_ASSIGN_OR_RETURN(
      Stmt mark, conn.Prepare("UPDATE imports SET status = ?2, error = ?3, finished_at = ?4 "
                              "WHERE id = ?1"));
  return mark.Bind(1, import_id).Bind(2, status).Bind(3, error).Bind(4, NowMs()).Run();
}

Status SqliteStore::AbortImport(Id import_id, const std::string& error) {
  return WriteTxn([&](Connection& conn) { return UndoImport(conn, import_id, "failed", error); });
}

Result<int> SqliteStore::RollBackUnfinishedImports() {
  int count = 0;
  TESSERA_RETURN_IF_ERROR(WriteTxn([&](Connection& conn) -> Status {
    std::vector<Id> running;
    {
      TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("SELECT id FROM imports WHERE status = 'running' ORDER BY id"));
      while (true) {
        TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        running.push_back(st.Int(0));
      }
    }
    for (Id id : running) {
      TESSERA_RETURN_IF_ERROR(UndoImport(conn, id, "rolled_back", kRolledBackError));
    }
    count = static_cast<int>(running.size());
    return Status::Ok();
  }));
  return count;
}

Result<ImportRecord> SqliteStore::GetImport(Id import_id) {
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

Result<Task> SqliteStore::GetTask(Id id) {
  Result<Task> out = Status::Internal("unset");
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) {
    out = LoadTask(conn, id);
    return out.status();
  }));
  return out;
}

Result<std::vector<Task>> SqliteStore::ListTasks(const TaskQuery& query) {
  TESSERA_RETURN_IF_ERROR(CatchUpSearchIndex(query));
  TESSERA_ASSIGN_OR_RETURN(TaskQuerySql filter, BuildTaskQuerySql(query, SqlDialect::kSqlite, 5));
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
        .Bind(3, query.limit > 0 ? query.limit : int64_t{-1})
        .Bind(4, query.offset > 0 ? query.offset : int64_t{0});
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      tasks.push_back(ReadTask(st));
    }
  }));
  return tasks;
}

Result<int64_t> SqliteStore::CountTasks(const TaskQuery& query) {
  if (project_counters_sql::IsPlainCount(query)) {
    // The whole project, one labeling state, or the tasks with or without an
    // annotation: the counters know (10M tasks take seconds to count).
    TESSERA_ASSIGN_OR_RETURN(ProjectStats stats, GetProjectStats(query.project_id));
    return *project_counters_sql::CountFromStats(query, stats);
  }
  TESSERA_RETURN_IF_ERROR(CatchUpSearchIndex(query));
  TESSERA_ASSIGN_OR_RETURN(TaskQuerySql filter, BuildTaskQuerySql(query, SqlDialect::kSqlite, 3));
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

Status SqliteStore::UpdateTask(const Task& task) {
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

Status SqliteStore::DeleteTask(Id id) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Task task, LoadTask(conn, id));
    TESSERA_RETURN_IF_ERROR(RecordTaskChange(conn, task.project_id, id, NowMs()));
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("DELETE FROM tasks WHERE id = ?1"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, id).Run());
    if (conn.Changes() == 0) return Status::NotFound(TaskNotFound(id));
    return Status::Ok();
  });
}

Status SqliteStore::DeleteAllTasks(Id project_id) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    TESSERA_RETURN_IF_ERROR(RecordTaskChange(conn, project_id, 0, NowMs()));
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("DELETE FROM tasks WHERE project_id = ?1"));
    return st.Bind(1, project_id).Run();
  });
}

Status SqliteStore::ForEachTaskBundle(const TaskQuery& query,
                                      const std::function<Status(const TaskBundle&)>& fn) {
  TESSERA_RETURN_IF_ERROR(CatchUpSearchIndex(query));
  TaskQuery by_id = query;
  by_id.order = "id";
  TESSERA_ASSIGN_OR_RETURN(TaskQuerySql filter, BuildTaskQuerySql(by_id, SqlDialect::kSqlite, 4));
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
  if (pool_->single_connection()) {
    // One connection shared with writers (in-memory database): hold it only
    // while loading a page, so `fn` may call back into the store. Each page
    // is consistent; pages are not one snapshot.
    {
      TESSERA_ASSIGN_OR_RETURN(ReadLease lease, pool_->Read());
      TESSERA_RETURN_IF_ERROR(RequireProject(lease.conn(), query.project_id));
    }
    return run([&](Id after_id) {
      return Read([&](Connection& conn) {
        return LoadBundlePage(conn, query.project_id, filter, after_id, &page);
      });
    });
  }
  // A reader connection in one read transaction: every page comes from the
  // same snapshot while writers carry on.
  return ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, query.project_id));
    return run([&](Id after_id) {
      return LoadBundlePage(conn, query.project_id, filter, after_id, &page);
    });
  });
}

Status SqliteStore::ReadAnnotatedTasks(Id project_id, Id after_task_id, size_t min_annotations,
                                       std::vector<TaskBundle>* slice, size_t* count) {
  *count = 0;
  return ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    // Without the hint SQLite walks the project's annotations by creation
    // time and sorts them all (2.8 s for 3M, against 1.2 s by task id).
    return rows::ReadAnnotatedTasksSql(conn, "annotations INDEXED BY annotations_task_id", project_id,
                                       after_task_id, min_annotations, slice, count);
  });
}

}  // namespace tessera::sqlite
