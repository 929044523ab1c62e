// Task distribution on SQLite: workflow settings, NextTask with locks,
// manual assignment, priorities.
#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <random>
#include <string>
#include <thread>

#include "src/store/sqlite/rows.h"
#include "src/store/sqlite/sqlite_store.h"
#include "src/store/workflow_sql.h"
#include "tessera/util.h"

namespace tessera::sqlite {
namespace {

// The distribution-relevant parts of a project, read inside NextTask's
// transaction.
struct Distribution {
  int overlap = 1;
  std::string sampling;
  WorkflowSettings settings;
};

Result<WorkflowSettings> LoadSettings(Connection& conn, Id project_id) {
  TESSERA_ASSIGN_OR_RETURN(
      Stmt st, conn.Prepare("SELECT lock_timeout_ms, skip_queue, honeypot_rate, blind "
                            "FROM project_workflow WHERE project_id = ?1"));
  st.Bind(1, project_id);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  WorkflowSettings settings;
  if (!row) return settings;
  settings.lock_timeout_ms = st.Int(0);
  settings.skip_queue = ParseSkipQueue(st.Text(1)).value_or(SkipQueue::kRequeueForOthers);
  settings.honeypot_rate = st.Double(2);
  settings.blind = st.Bool(3);
  return settings;
}

Result<Distribution> LoadDistribution(Connection& conn, Id project_id) {
  Distribution d;
  {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT maximum_annotations, sampling FROM projects WHERE id = ?1"));
    st.Bind(1, project_id);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound("project " + std::to_string(project_id) + " not found");
    d.overlap = st.Int32(0);
    d.sampling = st.Text(1);
  }
  TESSERA_ASSIGN_OR_RETURN(d.settings, LoadSettings(conn, project_id));
  return d;
}

// One random generator per thread (NextTask runs on many server threads).
std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

// Runs a query whose parameters are `params` (?1, ?2, ...) and that returns
// at most one task id; 0 when it returns none.
Result<Id> QueryTaskId(Connection& conn, const char* sql, std::initializer_list<int64_t> params) {
  TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(sql));
  int index = 1;
  for (int64_t param : params) st.Bind(index++, param);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : Id{0};
}

// In every source below, `exclude` (0 = none) is a task to leave out (the
// one on the caller's screen, when the stream prefetches the next).
// 1. A task the user holds a live lock on and still has to do (no annotation
//    of theirs, or only a rejected one), and when that lock expires; {0, 0}
//    when there is none.
Result<std::pair<Id, TimeMs>> HeldTask(Connection& conn, Id project_id, Id user_id, TimeMs now,
                                       Id exclude) {
  TESSERA_ASSIGN_OR_RETURN(
      Stmt st, conn.Prepare("SELECT l.task_id, l.expires_at FROM task_locks l WHERE l.project_id = "
                            "?1 AND l.user_id = ?2 AND l.expires_at > ?3 AND l.task_id <> ?4 AND NOT EXISTS (SELECT 1 "
                            "FROM annotations a WHERE a.task_id = l.task_id AND a.completed_by = ?2 "
                            "AND a.review_state <> 'rejected') ORDER BY l.created_at, l.task_id "
                            "LIMIT 1"));
  st.Bind(1, project_id).Bind(2, user_id).Bind(3, now).Bind(4, exclude);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::pair<Id, TimeMs>{0, 0};
  return std::pair<Id, TimeMs>{st.Int(0), st.Int(1)};
}

// 2. The task of the user's oldest rejected annotation.
// The unary plus keeps SQLite off annotations(project_id, completed_by): that
// index would visit every annotation the user ever made (thousands, growing
// with the project) on every `next`. annotations_review_queue (project_id,
// review_state, id) visits only the project's rejected annotations, a small
// set that empties as annotators fix them, in the order wanted.
Result<Id> RejectedTask(Connection& conn, Id project_id, Id user_id, Id exclude) {
  return QueryTaskId(conn,
                     "SELECT task_id FROM annotations WHERE project_id = ?1 AND review_state = "
                     "'rejected' AND +completed_by = ?2 AND NOT was_cancelled AND task_id <> ?3 "
                     "ORDER BY id LIMIT 1",
                     {project_id, user_id, exclude});
}

// 3. The first task assigned to the user that they have not done yet.
Result<Id> AssignedTask(Connection& conn, Id project_id, Id user_id, Id exclude) {
  return QueryTaskId(conn,
                     "SELECT s.task_id FROM task_assignments s WHERE s.project_id = ?1 AND "
                     "s.user_id = ?2 AND s.kind = 'AN' AND s.task_id <> ?3 AND NOT EXISTS (SELECT "
                     "1 FROM annotations a WHERE a.task_id = s.task_id AND a.completed_by = ?2) "
                     "ORDER BY s.task_id LIMIT 1",
                     {project_id, user_id, exclude});
}

// 4. A ground-truth task the user has not done, from a random starting id.
Result<Id> HoneypotTask(Connection& conn, Id project_id, Id user_id, Id exclude) {
  constexpr char kSql[] =
      "SELECT g.task_id FROM annotations g WHERE g.project_id = ?1 AND g.ground_truth AND "
      "g.task_id >= ?3 AND g.task_id <> ?4 AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.task_id = g.task_id "
      "AND a.completed_by = ?2) ORDER BY g.task_id LIMIT 1";
  TESSERA_ASSIGN_OR_RETURN(Id last, QueryTaskId(conn,
                                                "SELECT task_id FROM annotations WHERE project_id "
                                                "= ?1 AND ground_truth ORDER BY task_id DESC LIMIT 1",
                                                {project_id}));
  if (last == 0) return Id{0};
  Id pivot = std::uniform_int_distribution<Id>(1, last)(Rng());
  TESSERA_ASSIGN_OR_RETURN(Id found,
                           QueryTaskId(conn, kSql, {project_id, user_id, pivot, exclude}));
  if (found != 0) return found;
  return QueryTaskId(conn, kSql, {project_id, user_id, 0, exclude});
}

// 5. The next task in the project's order that still needs annotations.
Result<Id> QueuedTask(Connection& conn, Id project_id, Id user_id, TimeMs now,
                      const Distribution& d, Id exclude) {
  NextTaskOrder order = NextTaskOrderFor(d.sampling);
  auto pick = [&](Id from_id) -> Result<Id> {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(NextTaskCandidateSql(SqlDialect::kSqlite, order)));
    st.Bind(1, project_id).Bind(2, user_id).Bind(3, now).Bind(4, d.overlap)
        .Bind(5, d.settings.skip_queue == SkipQueue::kIgnoreSkipped).Bind(6, exclude);
    if (order == NextTaskOrder::kById) st.Bind(7, from_id);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    return row ? st.Int(0) : Id{0};
  };
  if (order == NextTaskOrder::kById && IsRandomSampling(d.sampling)) {
    // Random order: start from a random id among the open tasks, wrap around.
    TESSERA_ASSIGN_OR_RETURN(Id first, QueryTaskId(conn,
                                                   "SELECT id FROM tasks WHERE project_id = ?1 "
                                                   "AND NOT is_labeled ORDER BY id LIMIT 1",
                                                   {project_id}));
    if (first == 0) return Id{0};
    TESSERA_ASSIGN_OR_RETURN(Id last, QueryTaskId(conn,
                                                  "SELECT id FROM tasks WHERE project_id = ?1 "
                                                  "AND NOT is_labeled ORDER BY id DESC LIMIT 1",
                                                  {project_id}));
    Id pivot = std::uniform_int_distribution<Id>(first, std::max(first, last))(Rng());
    TESSERA_ASSIGN_OR_RETURN(Id found, pick(pivot));
    if (found != 0) return found;
  }
  return pick(0);
}

Status TakeLock(Connection& conn, Id project_id, Id task_id, Id user_id, TimeMs now,
                TimeMs expires_at) {
  TESSERA_ASSIGN_OR_RETURN(
      Stmt st, conn.Prepare("INSERT INTO task_locks (task_id, user_id, project_id, expires_at, "
                            "created_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (task_id, user_id) "
                            "DO UPDATE SET expires_at = excluded.expires_at"));
  return st.Bind(1, task_id).Bind(2, user_id).Bind(3, project_id).Bind(4, expires_at)
      .Bind(5, now).Run();
}

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

// ---- shared helper ----

Status ReleaseWork(Connection& conn, Id task_id, Id user_id) {
  TESSERA_ASSIGN_OR_RETURN(
      Stmt lock, conn.Prepare("DELETE FROM task_locks WHERE task_id = ?1 AND user_id = ?2"));
  TESSERA_RETURN_IF_ERROR(lock.Bind(1, task_id).Bind(2, user_id).Run());
  TESSERA_ASSIGN_OR_RETURN(
      Stmt assignment, conn.Prepare("DELETE FROM task_assignments WHERE task_id = ?1 AND "
                                    "user_id = ?2 AND kind = 'AN'"));
  return assignment.Bind(1, task_id).Bind(2, user_id).Run();
}

// ---- settings ----

Result<WorkflowSettings> SqliteStore::GetWorkflowSettings(Id project_id) {
  Result<WorkflowSettings> out = Status::Internal("unset");
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    out = LoadSettings(conn, project_id);
    return out.status();
  }));
  return out;
}

Status SqliteStore::SetWorkflowSettings(Id project_id, const WorkflowSettings& s) {
  if (s.lock_timeout_ms <= 0) {
    return Status::FieldInvalid("lock_timeout_seconds", "the lock time-out must be positive");
  }
  if (!(s.honeypot_rate >= 0 && s.honeypot_rate <= 1)) {
    return Status::FieldInvalid("honeypot_rate", "honeypot_rate must be from 0 to 1");
  }
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO project_workflow (project_id, lock_timeout_ms, "
                              "skip_queue, honeypot_rate, blind, updated_at) VALUES (?1, ?2, ?3, "
                              "?4, ?5, ?6) ON CONFLICT (project_id) DO UPDATE SET "
                              "lock_timeout_ms = excluded.lock_timeout_ms, skip_queue = "
                              "excluded.skip_queue, honeypot_rate = excluded.honeypot_rate, "
                              "blind = excluded.blind, updated_at = excluded.updated_at"));
    return st.Bind(1, project_id).Bind(2, s.lock_timeout_ms)
        .Bind(3, std::string_view(SkipQueueName(s.skip_queue))).Bind(4, s.honeypot_rate)
        .Bind(5, s.blind).Bind(6, NowMs()).Run();
  });
}

Status SqliteStore::SetTaskPriorities(Id project_id,
                                      std::span<const std::pair<Id, double>> priorities) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("UPDATE tasks SET priority = ?3 WHERE id = ?1 AND project_id = ?2"));
    for (const auto& [task_id, priority] : priorities) {
      TESSERA_RETURN_IF_ERROR(st.Bind(1, task_id).Bind(2, project_id).Bind(3, priority).Run());
      if (conn.Changes() == 0) {
        return Status::NotFound("task " + std::to_string(task_id) + " is not in project " +
                                std::to_string(project_id));
      }
      st.Reset();
    }
    return Status::Ok();
  });
}

// ---- next task and locks ----

Result<Task> SqliteStore::NextTask(Id project_id, Id user_id, Id exclude_task_id) {
  TimeMs now = NowMs();
  Result<Task> out = Status::Internal("unset");
  // A reload: the caller holds a live lock on a task they still have to do
  // (which the write path below would pick first, too), and the lock was
  // taken or refreshed less than half a time-out ago. Then the answer comes
  // from a read transaction: no writer, no commit. A lease is renewed at
  // half-life, so an annotator who keeps the task open still never loses it,
  // and a reload costs a read instead of a turn on the single writer.
  bool reloaded = false;
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Distribution d, LoadDistribution(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(auto held,
                             HeldTask(conn, project_id, user_id, now, exclude_task_id));
    if (held.first == 0 || held.second <= now + d.settings.lock_timeout_ms / 2) return Status::Ok();
    out = LoadTask(conn, held.first);
    reloaded = out.ok();
    return out.status();
  }));
  if (reloaded) return out;
  // The only rows this transaction writes are task locks (taken, refreshed,
  // or dropped once expired), and a lock is a lease that is allowed to vanish:
  // it expires by design. So the commit does not wait for fsync
  // (synchronous=NORMAL for this transaction only): it is still atomic and
  // survives a crash of the process, and the next commit with the configured
  // (FULL) mode, e.g. the annotation that follows, makes it durable. Only a
  // power cut in between can drop the lock, which then behaves like an early
  // expiry. Waiting for the disk on every `next` would cap the whole server at
  // one fsync per request.
  TESSERA_RETURN_IF_ERROR(WriteTxnDeferredSync([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Distribution d, LoadDistribution(conn, project_id));
    {  // Expired locks are garbage; dropping them keeps the lock table small.
      TESSERA_ASSIGN_OR_RETURN(
          Stmt gc, conn.Prepare("DELETE FROM task_locks WHERE project_id = ?1 AND expires_at <= ?2"));
      TESSERA_RETURN_IF_ERROR(gc.Bind(1, project_id).Bind(2, now).Run());
    }
    // The sources in order of precedence; the first that yields a task wins.
    bool honeypot_turn = d.settings.honeypot_rate > 0 &&
                         std::uniform_real_distribution<double>(0, 1)(Rng()) < d.settings.honeypot_rate;
    Id task_id = 0;
    for (int source = 0; source < 5 && task_id == 0; ++source) {
      Result<Id> found = Id{0};
      switch (source) {
        case 0: {
          auto held = HeldTask(conn, project_id, user_id, now, exclude_task_id);
          found = held.ok() ? Result<Id>(held->first) : Result<Id>(held.status());
          break;
        }
        case 1: found = RejectedTask(conn, project_id, user_id, exclude_task_id); break;
        case 2: found = AssignedTask(conn, project_id, user_id, exclude_task_id); break;
        case 3:
          if (honeypot_turn) found = HoneypotTask(conn, project_id, user_id, exclude_task_id);
          break;
        default: found = QueuedTask(conn, project_id, user_id, now, d, exclude_task_id); break;
      }
      TESSERA_RETURN_IF_ERROR(found.status());
      task_id = *found;
    }
    if (task_id == 0) {
      out = Status::NotFound("no task left to label in project " + std::to_string(project_id) +
                             " for user " + std::to_string(user_id));
      return Status::Ok();
    }
    TESSERA_RETURN_IF_ERROR(
        TakeLock(conn, project_id, task_id, user_id, now, now + d.settings.lock_timeout_ms));
    out = LoadTask(conn, task_id);
    return out.status();
  }));
  return out;
}

Result<std::vector<TaskLock>> SqliteStore::ListTaskLocks(Id project_id, TimeMs now) {
  std::vector<TaskLock> locks;
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT task_id, user_id, project_id, expires_at, created_at FROM "
                              "task_locks WHERE project_id = ?1 AND expires_at > ?2 "
                              "ORDER BY task_id, user_id"));
    st.Bind(1, project_id).Bind(2, now);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      locks.push_back(TaskLock{st.Int(0), st.Int(1), st.Int(2), st.Int(3), st.Int(4)});
    }
  }));
  return locks;
}

Status SqliteStore::ReleaseTaskLock(Id task_id, Id user_id) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("DELETE FROM task_locks WHERE task_id = ?1 AND user_id = ?2"));
    return st.Bind(1, task_id).Bind(2, user_id).Run();
  });
}

// ---- assignment ----

Result<int64_t> SqliteStore::AssignTasks(Id project_id, std::span<const Id> task_ids,
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

Result<int64_t> SqliteStore::UnassignTasks(Id project_id, std::span<const Id> task_ids,
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
// SQL with json_each, so that any number of ids fits one statement.
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
// over a million tasks would hold the writer for seconds and stall every
// annotator's `next` meanwhile.
constexpr int64_t kSelectionRowsPerTxn = 5000;

// The tasks of project ?1 with ?2 < id <= ?3 that are not excluded (JSON in ?4).
constexpr char kChunkTasksWhere[] =
    " FROM tasks WHERE project_id = ?1 AND id > ?2 AND id <= ?3 AND id NOT IN "
    "(SELECT value FROM json_each(?4))";

// The last task id of the next chunk of `size` tasks after `after`; 0 when
// there are none left.
Result<Id> ChunkEnd(Connection& conn, Id project_id, Id after, int64_t size) {
  TESSERA_ASSIGN_OR_RETURN(
      Stmt st, conn.Prepare("SELECT MAX(id) FROM (SELECT id FROM tasks WHERE project_id = ?1 "
                            "AND id > ?2 ORDER BY id LIMIT ?3)"));
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
    // The writer mutex is not fair: without a pause this thread would take
    // it straight back, and writers queued behind it (`next`) would wait for
    // the whole selection anyway.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

Result<AssignmentCounts> SqliteStore::AssignSelection(Id project_id,
                                                      const TaskSelection& selection,
                                                      std::span<const Id> user_ids,
                                                      AssignmentKind kind, Id assigned_by) {
  if (!selection.all) {
    TESSERA_ASSIGN_OR_RETURN(int64_t created,
                             AssignTasks(project_id, selection.ids, user_ids, kind, assigned_by));
    return AssignmentCounts{static_cast<int64_t>(selection.ids.size()), created};
  }
  // Every task but the excluded ones, chosen in SQL (the task ids never leave
  // SQLite): one INSERT ... SELECT per user and chunk of tasks.
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

Result<AssignmentCounts> SqliteStore::UnassignSelection(Id project_id,
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
  // "+project_id": for everyone's assignments, walk the task-id range of the
  // primary key rather than the project's whole (project_id, user_id, ...)
  // index once per chunk; with a user, that index narrows to the range.
  constexpr char kDeleteAll[] =
      "DELETE FROM task_assignments WHERE +project_id = ?1 AND task_id > ?2 AND task_id <= ?3 "
      "AND task_id NOT IN (SELECT value FROM json_each(?4)) AND kind = ?5";
  constexpr char kDeleteUser[] =
      "DELETE FROM task_assignments WHERE project_id = ?1 AND task_id > ?2 AND task_id <= ?3 "
      "AND task_id NOT IN (SELECT value FROM json_each(?4)) AND kind = ?5 AND user_id = ?6";
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

Result<std::vector<TaskAssignment>> SqliteStore::ListAssignments(Id task_id) {
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

}  // namespace tessera::sqlite
