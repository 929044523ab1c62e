// Manual assignment on PostgreSQL: tasks to annotators (and reviewers), one
// by one or as a selection of the whole project in chunks.
#include <algorithm>
#include <string>

#include "src/store/postgres/postgres_store.h"
#include "tessera/util.h"

namespace tessera::postgres {
namespace {

Status RequireMember(Connection& conn, Id project_id, Id user_id) {
  TESSERA_ASSIGN_OR_RETURN(
      Stmt st, conn.Prepare("SELECT 1 FROM memberships WHERE project_id = ?1 AND user_id = ?2"));
  st.Bind(1, project_id).Bind(2, user_id);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) {
    return Status::FieldInvalid("users", "user " + std::to_string(user_id) +
                                             " is not a member of project " +
                                             std::to_string(project_id) +
                                             "; add them first (POST /api/projects/" +
                                             std::to_string(project_id) + "/members)");
  }
  return Status::Ok();
}

Status RequireTaskInProject(Connection& conn, Id project_id, Id task_id) {
  TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("SELECT project_id FROM tasks WHERE id = ?1"));
  st.Bind(1, task_id);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row || st.Int(0) != project_id) {
    return Status::FieldInvalid("selectedItems", "task " + std::to_string(task_id) +
                                                     " is not in project " +
                                                     std::to_string(project_id));
  }
  return Status::Ok();
}

}  // namespace

// ---- assignment ----

Result<int64_t> PostgresStore::AssignTasks(Id project_id, std::span<const Id> task_ids,
                                         std::span<const Id> user_ids, AssignmentKind kind,
                                         Id assigned_by) {
  int64_t created = 0;
  TimeMs now = NowMs();
  TESSERA_RETURN_IF_ERROR(WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    for (Id user_id : user_ids) TESSERA_RETURN_IF_ERROR(RequireMember(conn, project_id, user_id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO task_assignments (task_id, user_id, project_id, kind, "
                              "assigned_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                              "ON CONFLICT (task_id, user_id, kind) DO NOTHING"));
    for (Id task_id : task_ids) {
      TESSERA_RETURN_IF_ERROR(RequireTaskInProject(conn, project_id, task_id));
      for (Id user_id : user_ids) {
        st.Bind(1, task_id).Bind(2, user_id).Bind(3, project_id)
            .Bind(4, std::string_view(AssignmentKindName(kind))).BindId(5, assigned_by)
            .Bind(6, now);
        TESSERA_RETURN_IF_ERROR(st.Run());
        created += conn.Changes();
        st.Reset();
      }
    }
    return Status::Ok();
  }));
  return created;
}

Result<int64_t> PostgresStore::UnassignTasks(Id project_id, std::span<const Id> task_ids,
                                           std::span<const Id> user_ids, AssignmentKind kind) {
  int64_t removed = 0;
  TESSERA_RETURN_IF_ERROR(WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt all, conn.Prepare("DELETE FROM task_assignments WHERE task_id = ?1 AND "
                               "project_id = ?2 AND kind = ?3"));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt one, conn.Prepare("DELETE FROM task_assignments WHERE task_id = ?1 AND "
                               "project_id = ?2 AND kind = ?3 AND user_id = ?4"));
    std::string_view kind_name = AssignmentKindName(kind);
    for (Id task_id : task_ids) {
      if (user_ids.empty()) {
        TESSERA_RETURN_IF_ERROR(all.Bind(1, task_id).Bind(2, project_id).Bind(3, kind_name).Run());
        removed += conn.Changes();
        all.Reset();
        continue;
      }
      for (Id user_id : user_ids) {
        TESSERA_RETURN_IF_ERROR(
            one.Bind(1, task_id).Bind(2, project_id).Bind(3, kind_name).Bind(4, user_id).Run());
        removed += conn.Changes();
        one.Reset();
      }
    }
    return Status::Ok();
  }));
  return removed;
}

namespace {

// "[1,2,3]": a list of ids bound as one JSON text parameter and read back in
// SQL with jsonb_array_elements_text, so that any number of ids fits one
// statement.
std::string IdsAsJson(std::span<const Id> ids) {
  std::string out = "[";
  for (size_t idx = 0; idx < ids.size(); ++idx) {
    if (idx > 0) out += ',';
    out += std::to_string(ids[idx]);
  }
  return out + "]";
}

// An all-but selection is applied in write transactions of about this many
// assignment rows (tasks x users), about 25 ms each: a single transaction
// over a million tasks would hold its row locks for seconds and stall every
// annotator's `next` meanwhile.
constexpr int64_t kSelectionRowsPerTxn = 5000;

// The tasks of project ?1 with ?2 < id <= ?3 that are not excluded (JSON in ?4).
constexpr char kChunkTasksWhere[] =
    " FROM tasks WHERE project_id = ?1 AND id > ?2 AND id <= ?3 AND id NOT IN "
    "(SELECT value::int8 FROM jsonb_array_elements_text(?4::jsonb))";

// The last task id of the next chunk of `size` tasks after `after`; 0 when
// there are none left.
Result<Id> ChunkEnd(Connection& conn, Id project_id, Id after, int64_t size) {
  TESSERA_ASSIGN_OR_RETURN(
      Stmt st, conn.Prepare("SELECT MAX(id) FROM (SELECT id FROM tasks WHERE project_id = ?1 "
                            "AND id > ?2 ORDER BY id LIMIT ?3) AS chunk"));
  st.Bind(1, project_id).Bind(2, after).Bind(3, size);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  return row && !st.IsNull(0) ? st.Int(0) : Id{0};
}

Result<int64_t> CountChunk(Connection& conn, Id project_id, Id after, Id upto,
                           const std::string& excluded) {
  TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(std::string("SELECT COUNT(*)") + kChunkTasksWhere));
  st.Bind(1, project_id).Bind(2, after).Bind(3, upto).Bind(4, excluded);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : int64_t{0};
}

// Runs `apply(conn, after, upto, excluded)` (returning Status) over the
// project's task ids in consecutive ranges (after, upto], each range in its
// own write transaction (`write(fn)` runs fn in one) sized to hold about
// kSelectionRowsPerTxn assignment rows for `users` users; `excluded` is the
// JSON list of the selection's excluded ids within the range. Adds the tasks
// of each range that are not excluded to *tasks.
template <typename WriteFn, typename ApplyFn>
Status ForEachSelectionChunk(WriteFn&& write, Id project_id, std::vector<Id> excluded_ids,
                             int64_t users, int64_t* tasks, ApplyFn&& apply) {
  const int64_t chunk = std::max<int64_t>(100, kSelectionRowsPerTxn / std::max<int64_t>(1, users));
  std::sort(excluded_ids.begin(), excluded_ids.end());
  for (Id after = 0;;) {
    bool done = false;
    TESSERA_RETURN_IF_ERROR(write([&](Connection& conn) -> Status {
      TESSERA_ASSIGN_OR_RETURN(Id upto, ChunkEnd(conn, project_id, after, chunk));
      if (upto == 0) {
        done = true;
        return Status::Ok();
      }
      auto first = std::upper_bound(excluded_ids.begin(), excluded_ids.end(), after);
      auto last = std::upper_bound(first, excluded_ids.end(), upto);
      const std::string excluded = IdsAsJson(std::span<const Id>(first, last));
      TESSERA_ASSIGN_OR_RETURN(int64_t count, CountChunk(conn, project_id, after, upto, excluded));
      TESSERA_RETURN_IF_ERROR(apply(conn, after, upto, excluded));
      *tasks += count;
      after = upto;
      return Status::Ok();
    }));
    if (done) return Status::Ok();
  }
}

}  // namespace

Result<AssignmentCounts> PostgresStore::AssignSelection(Id project_id,
                                                      const TaskSelection& selection,
                                                      std::span<const Id> user_ids,
                                                      AssignmentKind kind, Id assigned_by) {
  if (!selection.all) {
    TESSERA_ASSIGN_OR_RETURN(int64_t created,
                             AssignTasks(project_id, selection.ids, user_ids, kind, assigned_by));
    return AssignmentCounts{static_cast<int64_t>(selection.ids.size()), created};
  }
  // Every task but the excluded ones, chosen in SQL (the task ids never leave
  // the database): one INSERT ... SELECT per user and chunk of tasks.
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    for (Id user_id : user_ids) TESSERA_RETURN_IF_ERROR(RequireMember(conn, project_id, user_id));
    return Status::Ok();
  }));
  AssignmentCounts counts;
  TimeMs now = NowMs();
  const std::string_view kind_name = AssignmentKindName(kind);
  auto write = [this](auto&& fn) { return WriteTxn(fn); };
  TESSERA_RETURN_IF_ERROR(ForEachSelectionChunk(
      write, project_id, selection.ids, static_cast<int64_t>(user_ids.size()), &counts.tasks,
      [&](Connection& conn, Id after, Id upto, const std::string& excluded) -> Status {
        TESSERA_ASSIGN_OR_RETURN(
            Stmt st, conn.Prepare(std::string("INSERT INTO task_assignments (task_id, user_id, "
                                              "project_id, kind, assigned_by, created_at) SELECT "
                                              "id, ?5, ?1, ?6, ?7, ?8") +
                                  kChunkTasksWhere +
                                  " ON CONFLICT (task_id, user_id, kind) DO NOTHING"));
        for (Id user_id : user_ids) {
          st.Bind(1, project_id).Bind(2, after).Bind(3, upto).Bind(4, excluded).Bind(5, user_id)
              .Bind(6, kind_name).BindId(7, assigned_by).Bind(8, now);
          TESSERA_RETURN_IF_ERROR(st.Run());
          counts.assignments += conn.Changes();
          st.Reset();
        }
        return Status::Ok();
      }));
  return counts;
}

Result<AssignmentCounts> PostgresStore::UnassignSelection(Id project_id,
                                                        const TaskSelection& selection,
                                                        std::span<const Id> user_ids,
                                                        AssignmentKind kind) {
  if (!selection.all) {
    TESSERA_ASSIGN_OR_RETURN(int64_t removed,
                             UnassignTasks(project_id, selection.ids, user_ids, kind));
    return AssignmentCounts{static_cast<int64_t>(selection.ids.size()), removed};
  }
  TESSERA_RETURN_IF_ERROR(
      Read([&](Connection& conn) -> Status { return RequireProject(conn, project_id); }));
  AssignmentCounts counts;
  const std::string_view kind_name = AssignmentKindName(kind);
  constexpr char kDeleteAll[] =
      "DELETE FROM task_assignments WHERE project_id = ?1 AND task_id > ?2 AND task_id <= ?3 "
      "AND task_id NOT IN (SELECT value::int8 FROM jsonb_array_elements_text(?4::jsonb)) "
      "AND kind = ?5";
  constexpr char kDeleteUser[] =
      "DELETE FROM task_assignments WHERE project_id = ?1 AND task_id > ?2 AND task_id <= ?3 "
      "AND task_id NOT IN (SELECT value::int8 FROM jsonb_array_elements_text(?4::jsonb)) "
      "AND kind = ?5 AND user_id = ?6";
  auto write = [this](auto&& fn) { return WriteTxn(fn); };
  TESSERA_RETURN_IF_ERROR(ForEachSelectionChunk(
      write, project_id, selection.ids,
      std::max<int64_t>(1, static_cast<int64_t>(user_ids.size())), &counts.tasks,
      [&](Connection& conn, Id after, Id upto, const std::string& excluded) -> Status {
        auto bind = [&](Stmt& st) {
          st.Bind(1, project_id).Bind(2, after).Bind(3, upto).Bind(4, excluded).Bind(5, kind_name);
        };
        if (user_ids.empty()) {
          TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(kDeleteAll));
          bind(st);
          TESSERA_RETURN_IF_ERROR(st.Run());
          counts.assignments += conn.Changes();
          return Status::Ok();
        }
        TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(kDeleteUser));
        for (Id user_id : user_ids) {
          bind(st);
          TESSERA_RETURN_IF_ERROR(st.Bind(6, user_id).Run());
          counts.assignments += conn.Changes();
          st.Reset();
        }
        return Status::Ok();
      }));
  return counts;
}

Result<std::vector<TaskAssignment>> PostgresStore::ListAssignments(Id task_id) {
  std::vector<TaskAssignment> out;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT task_id, user_id, kind, assigned_by, created_at FROM "
                              "task_assignments WHERE task_id = ?1 ORDER BY kind, user_id"));
    st.Bind(1, task_id);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      out.push_back(TaskAssignment{st.Int(0), st.Int(1),
                                   st.Text(2) == "RE" ? AssignmentKind::kReview
                                                      : AssignmentKind::kAnnotate,
                                   st.Int(3), st.Int(4)});
    }
  }));
  return out;
}

}  // namespace tessera::postgres
