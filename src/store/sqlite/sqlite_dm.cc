// The data manager's store methods (issue 9; migration 9): filtered id lists,
// computed columns, bulk actions and saved views. The SQL is shared with the
// other store (src/store/task_query_sql.h).
#include <map>
#include <string>

#include "src/store/sqlite/rows.h"
#include "src/store/sqlite/sqlite_store.h"
#include "src/store/task_query_sql.h"
#include "tessera/util.h"

namespace tessera::sqlite {
namespace {

constexpr SqlDialect kDialect = SqlDialect::kSqlite;

std::string ViewNotFound(Id id) { return "view " + std::to_string(id) + " not found"; }

DmView ReadView(const Stmt& st) {
  DmView view;
  view.id = st.Int(0);
  view.project_id = st.Int(1);
  view.user_id = st.IsNull(2) ? 0 : st.Int(2);
  view.order = st.Int(3);
  view.data = st.Text(4);
  view.created_at = st.Int(5);
  return view;
}

constexpr char kViewColumns[] = "id, project_id, user_id, ord, data, created_at";

}  // namespace

Status SqliteStore::CatchUpSearchIndex(const TaskQuery& query) {
  if (SearchQueryText(query.search, kDialect).empty()) return Status::Ok();
  // Tasks get ever larger ids (AUTOINCREMENT) from the one writer, so every
  // task with an id above the watermark is unindexed, and one taken in the
  // write transaction below covers every committed task.
  constexpr char kBehind[] =
      "SELECT (SELECT upto FROM task_search_state), (SELECT COALESCE(MAX(id), 0) FROM tasks)";
  bool behind = false;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(kBehind));
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    behind = row && st.Int(1) > st.Int(0);
    return Status::Ok();
  }));
  if (!behind) return Status::Ok();
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(kBehind));
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row || st.Int(1) <= st.Int(0)) return Status::Ok();
    const int64_t upto = st.Int(0), max_id = st.Int(1);
    TESSERA_ASSIGN_OR_RETURN(
        Stmt index, conn.Prepare("INSERT INTO task_search (rowid, body) SELECT id, (SELECT "
                                 "group_concat(value, ' ') FROM json_tree(tasks.data) WHERE "
                                 "type = 'text') FROM tasks WHERE id > ?1 AND id <= ?2"));
    TESSERA_RETURN_IF_ERROR(index.Bind(1, upto).Bind(2, max_id).Run());
    TESSERA_ASSIGN_OR_RETURN(Stmt mark, conn.Prepare("UPDATE task_search_state SET upto = ?1"));
    return mark.Bind(1, max_id).Run();
  });
}

Result<std::vector<Id>> SqliteStore::ListTaskIds(const TaskQuery& query) {
  TESSERA_RETURN_IF_ERROR(CatchUpSearchIndex(query));
  TESSERA_ASSIGN_OR_RETURN(TaskQuerySql filter, BuildTaskQuerySql(query, kDialect, 5));
  std::string sql = "SELECT t.id FROM tasks t WHERE t.project_id = ?1 AND t.id > ?2";
  sql += filter.where;
  sql += " ORDER BY ";
  sql += filter.order_by;
  sql += " LIMIT ?3 OFFSET ?4";
  std::vector<Id> ids;
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, query.project_id));
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(sql));
    st.Bind(1, query.project_id).Bind(2, query.after_id)
        .Bind(4, query.offset > 0 ? query.offset : int64_t{0});
    st.Bind(3, query.limit > 0 ? query.limit : int64_t{-1});
    BindSqlArgs(st, filter.args, 5);
    BindSqlArgs(st, filter.order_args, 5 + static_cast<int>(filter.args.size()));
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      ids.push_back(st.Int(0));
    }
  }));
  return ids;
}

Result<std::vector<TaskColumns>> SqliteStore::ListTaskColumns(std::span<const Id> task_ids) {
  std::vector<TaskColumns> out;
  if (task_ids.empty()) return out;
  std::map<Id, TaskColumns> by_id;
  std::string ids = IdSetText(kDialect, task_ids);
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(TaskColumnsSql(kDialect)));
    st.Bind(1, ids);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      TaskColumns c;
      c.task_id = st.Int(0);
      if (!st.IsNull(1)) c.completed_at = st.Int(1);
      if (!st.IsNull(2)) c.predictions_score = st.Double(2);
      c.reviews_accepted = st.Int(3);
      c.reviews_rejected = st.Int(4);
      c.ground_truth = st.Int(5) != 0;
      if (!st.IsNull(6)) c.prefilter_flags.push_back(st.Text(6));
      if (!st.IsNull(7)) c.annotators = ParseIdList(st.Text(7));
      if (!st.IsNull(8)) {
        for (int64_t v : ParseIdList(st.Text(8))) c.guideline_versions.push_back(static_cast<int>(v));
      }
      by_id[c.task_id] = std::move(c);
    }
  }));
  for (Id id : task_ids) {
    if (auto it = by_id.find(id); it != by_id.end()) out.push_back(it->second);
  }
  return out;
}

Result<int64_t> SqliteStore::ApplyTaskAction(Id project_id, TaskAction action,
                                         std::span<const Id> task_ids) {
  int64_t changed = 0;
  TimeMs now = NowMs();
  TESSERA_RETURN_IF_ERROR(WriteTxn([&](Connection& conn) -> Status {
    changed = 0;
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    std::vector<Stmt> statements;
    for (const std::string& sql : TaskActionSql(action)) {
      TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(sql));
      statements.push_back(std::move(st));
    }
    for (Id task_id : task_ids) {
      bool task_changed = false;
      for (Stmt& st : statements) {
        st.Reset();
        st.Bind(1, project_id).Bind(2, task_id);
        TESSERA_RETURN_IF_ERROR(st.Run());
        task_changed |= conn.Changes() > 0;
      }
      if (!task_changed) continue;
      ++changed;
      TESSERA_RETURN_IF_ERROR(RecordTaskChange(conn, project_id, task_id, now));
      if (action != TaskAction::kDeleteTasks) {
        TESSERA_RETURN_IF_ERROR(RefreshTaskCounters(conn, task_id, now));
      }
    }
    return Status::Ok();
  }));
  return changed;
}

Status SqliteStore::CreateDmView(DmView* view) {
  TimeMs now = NowMs();
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, view->project_id));
    if (view->order == 0) {
      TESSERA_ASSIGN_OR_RETURN(
          Stmt last, conn.Prepare("SELECT COALESCE(MAX(ord), 0) FROM dm_views WHERE project_id = ?1"));
      last.Bind(1, view->project_id);
      TESSERA_ASSIGN_OR_RETURN(bool row, last.Step());
      view->order = (row ? last.Int(0) : 0) + 1;
    }
    if (view->created_at == 0) view->created_at = now;
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO dm_views (project_id, user_id, ord, data, created_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5)"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, view->project_id)
                                .BindId(2, view->user_id)
                                .Bind(3, view->order)
                                .Bind(4, view->data)
                                .Bind(5, view->created_at)
                                .Run());
    view->id = conn.LastInsertId();
    return Status::Ok();
  });
}

Result<DmView> SqliteStore::GetDmView(Id id) {
  DmView view;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare(std::string("SELECT ") + kViewColumns + " FROM dm_views WHERE id = ?1"));
    st.Bind(1, id);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound(ViewNotFound(id));
    view = ReadView(st);
    return Status::Ok();
  }));
  return view;
}

Result<std::vector<DmView>> SqliteStore::ListDmViews(Id project_id) {
  std::vector<DmView> views;
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare(std::string("SELECT ") + kViewColumns +
                              " FROM dm_views WHERE project_id = ?1 ORDER BY ord, id"));
    st.Bind(1, project_id);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      views.push_back(ReadView(st));
    }
  }));
  return views;
}

Status SqliteStore::UpdateDmView(const DmView& view) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st,
                             conn.Prepare("UPDATE dm_views SET data = ?2, ord = ?3 WHERE id = ?1"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, view.id).Bind(2, view.data).Bind(3, view.order).Run());
    if (conn.Changes() == 0) return Status::NotFound(ViewNotFound(view.id));
    return Status::Ok();
  });
}

Status SqliteStore::DeleteDmView(Id id) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("DELETE FROM dm_views WHERE id = ?1"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, id).Run());
    if (conn.Changes() == 0) return Status::NotFound(ViewNotFound(id));
    return Status::Ok();
  });
}

Result<int64_t> SqliteStore::DeleteDmViews(Id project_id) {
  int64_t deleted = 0;
  TESSERA_RETURN_IF_ERROR(WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("DELETE FROM dm_views WHERE project_id = ?1"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, project_id).Run());
    deleted = conn.Changes();
    return Status::Ok();
  }));
  return deleted;
}

}  // namespace tessera::sqlite
