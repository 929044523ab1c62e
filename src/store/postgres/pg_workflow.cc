// Task distribution on PostgreSQL: workflow settings, NextTask with locks,
// manual assignment, priorities. Same SQL as the SQLite store except where
// several servers writing at once need row locks (see NextTask).
#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <random>
#include <string>
#include <thread>

#include "src/store/postgres/pg_rows.h"
#include "src/store/postgres/postgres_store.h"
#include "src/store/workflow_sql.h"
#include "tessera/util.h"

namespace tessera::postgres {
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

// The candidate SQL of workflow_sql.cc without SKIP LOCKED: FOR UPDATE then
// waits for rows other transactions hold. Built once per order.
const std::string& WaitingCandidateSql(NextTaskOrder order) {
  auto strip = [](NextTaskOrder o) {
    const std::string& sql = NextTaskCandidateSql(SqlDialect::kPostgres, o);
    return sql.substr(0, sql.rfind(" SKIP LOCKED"));
  };
  static const std::string kById = strip(NextTaskOrder::kById);
  static const std::string kByPriority = strip(NextTaskOrder::kByPriority);
  return order == NextTaskOrder::kById ? kById : kByPriority;
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

// In every source, `exclude` (0 = none) is a task to leave out (the one on
// the caller's screen, when the stream prefetches the next).
// (1. A task the user holds a live lock on: in NextTask itself.)
// 2. The task of the user's oldest rejected annotation.
Result<Id> RejectedTask(Connection& conn, Id project_id, Id user_id, Id exclude) {
  return QueryTaskId(conn,
                     "SELECT task_id FROM annotations WHERE project_id = ?1 AND review_state = "
                     "'rejected' AND completed_by = ?2 AND NOT was_cancelled AND task_id <> ?3 "
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
  // `wait`: the candidate SQL with plain FOR UPDATE instead of SKIP LOCKED.
  auto candidate = [&](Id from_id, bool wait) -> Result<Id> {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare(wait ? WaitingCandidateSql(order)
                                   : NextTaskCandidateSql(SqlDialect::kPostgres, order)));
    // A generic plan cannot know that labeled tasks pile up at the front of
    // the id order: it picked tasks_pkey and walked all of them on every
    // call (1.2 ms at 4,000 labeled tasks, growing). Planned with the values,
    // the scan takes tasks_open, which holds only the unlabeled ones.
    st.PlanEachRun();
    st.Bind(1, project_id).Bind(2, user_id).Bind(3, now).Bind(4, d.overlap)
        .Bind(5, d.settings.skip_queue == SkipQueue::kIgnoreSkipped).Bind(6, exclude);
    if (order == NextTaskOrder::kById) st.Bind(7, from_id);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    return row ? st.Int(0) : Id{0};
  };
  // The candidate query locks its row (FOR UPDATE SKIP LOCKED), so servers
  // running `next` at once pass over each other's candidates. But its
  // snapshot is taken when it starts: a server that took the same task and
  // committed just before our scan reached the row (so the row was no longer
  // locked) is not in it. Asking again now that we hold the row lock sees
  // every such commit (READ COMMITTED: a new snapshot per statement); the
  // task is ours when the answer repeats. Each round adds only commits that
  // raced with the previous one, so it settles at once in practice.
  // When skipping finds nothing, the rows it passed over may only have been
  // locked for a moment (another `next` looking at them, a submit on them):
  // near the end of a project that would answer "nothing left" while a task
  // still needs annotators. So "nothing" is only answered after a scan that
  // waits for those locks.
  auto pick = [&](Id from_id) -> Result<Id> {
    TESSERA_ASSIGN_OR_RETURN(Id found, candidate(from_id, false));
    bool wait = false;
    if (found == 0) {
      wait = true;
      TESSERA_ASSIGN_OR_RETURN(found, candidate(from_id, true));
    }
    for (int round = 0; found != 0 && round < 16; ++round) {
      TESSERA_ASSIGN_OR_RETURN(Id again, candidate(from_id, wait));
      if (again == found) return found;
      found = again;
    }
    return found;
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

Result<WorkflowSettings> PostgresStore::GetWorkflowSettings(Id project_id) {
  Result<WorkflowSettings> out = Status::Internal("unset");
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    out = LoadSettings(conn, project_id);
    return out.status();
  }));
  return out;
}

Status PostgresStore::SetWorkflowSettings(Id project_id, const WorkflowSettings& s) {
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

Status PostgresStore::SetTaskPriorities(Id project_id,
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

// Round trips are what `next` costs on PostgreSQL, so the fixed part is
// folded into few statements: the settings in one join, the garbage
// collection of expired locks into the held-lock query, and the new lock into
// the query that reads the task back.
Result<Task> PostgresStore::NextTask(Id project_id, Id user_id, Id exclude_task_id) {
  TimeMs now = NowMs();
  Result<Task> out = Status::Internal("unset");
  // Concurrent `next` calls lock task rows in scan order, and a waiting scan
  // (near the end of a project) can meet another holding the row it wants
  // while wanting one it holds: PostgreSQL then aborts one of them as a
  // deadlock (seen once in lb_test: a 500). The transaction was rolled back
  // and wrote nothing, so it is run again, a few times at most.
  Status txn;
  for (int attempt = 0; attempt < 4; ++attempt) {
    txn = NextTaskTxn(project_id, user_id, exclude_task_id, now, &out);
    if (txn.code() != Code::kUnavailable) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + attempt * 3));
  }
  TESSERA_RETURN_IF_ERROR(txn);
  return out;
}

Status PostgresStore::NextTaskTxn(Id project_id, Id user_id, Id exclude_task_id, TimeMs now,
                                  Result<Task>* out_ptr) {
  Result<Task>& out = *out_ptr;
  // The only rows this transaction writes are task locks, leases that may
  // vanish by design, so its commit does not wait for the WAL flush
  // (synchronous_commit = off for this transaction): a crash of the database
  // right after it can drop the lock, which then behaves like an early expiry.
  // Expired locks are deleted and the new one written in the same
  // transaction that picks the task.
  return WriteTxn([&](Connection& conn) -> Status {
    // One `next` of this user in this project at a time, on any server (a
    // double click answered by two servers still gets one task). The ids are
    // integers, so they go into the text as they are.
    TESSERA_RETURN_IF_ERROR(conn.Exec(
        "SET LOCAL synchronous_commit = off; SELECT pg_advisory_xact_lock(hashtextextended("
        "'tessera-next:' || current_schema() || ':" + std::to_string(project_id) + ":" +
        std::to_string(user_id) + "', 0))"));
    Distribution d;
    {
      TESSERA_ASSIGN_OR_RETURN(
          Stmt st, conn.Prepare("SELECT p.maximum_annotations, p.sampling, w.lock_timeout_ms, "
                                "w.skip_queue, w.honeypot_rate, w.blind FROM projects p LEFT JOIN "
                                "project_workflow w ON w.project_id = p.id WHERE p.id = ?1"));
      st.Bind(1, project_id);
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::NotFound("project " + std::to_string(project_id) + " not found");
      d.overlap = st.Int32(0);
      d.sampling = st.Text(1);
      if (!st.IsNull(2)) {  // else the defaults
        d.settings.lock_timeout_ms = st.Int(2);
        d.settings.skip_queue = ParseSkipQueue(st.Text(3)).value_or(SkipQueue::kRequeueForOthers);
        d.settings.honeypot_rate = st.Double(4);
        d.settings.blind = st.Bool(5);
      }
    }
    // 1. A held task (expired locks of the project are dropped on the way).
    // A reload within the first half of the lock's time-out answers without
    // renewing it; past half-life the lock is renewed, so an annotator who
    // keeps the task open never loses it.
    Id task_id = 0;
    {
      TESSERA_ASSIGN_OR_RETURN(
          Stmt st, conn.Prepare("WITH gc AS (DELETE FROM task_locks WHERE project_id = ?1 AND "
                                "expires_at <= ?3) SELECT l.task_id, l.expires_at FROM task_locks l "
                                "WHERE l.project_id = ?1 AND l.user_id = ?2 AND l.expires_at > ?3 "
                                "AND l.task_id <> ?4 AND NOT EXISTS (SELECT 1 FROM annotations a "
                                "WHERE a.task_id = l.task_id AND a.completed_by = ?2 AND "
                                "a.review_state <> 'rejected') "
                                "ORDER BY l.created_at, l.task_id LIMIT 1"));
      st.Bind(1, project_id).Bind(2, user_id).Bind(3, now).Bind(4, exclude_task_id);
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (row && st.Int(1) > now + d.settings.lock_timeout_ms / 2) {
        out = LoadTask(conn, st.Int(0));
        return out.status();
      }
      if (row) task_id = st.Int(0);
    }
    // The other sources in order of precedence; the first that yields a task wins.
    bool honeypot_turn = d.settings.honeypot_rate > 0 &&
                         std::uniform_real_distribution<double>(0, 1)(Rng()) < d.settings.honeypot_rate;
    for (int source = 1; source < 5 && task_id == 0; ++source) {
      Result<Id> found = Id{0};
      switch (source) {
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
    // Takes (or renews) the lock and reads the task in one statement. The
    // lease runs from now, not from when this call began (which can be a few
    // round trips earlier on a busy database).
    const TimeMs locked_at = NowMs();
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("WITH l AS (INSERT INTO task_locks (task_id, user_id, project_id, "
                              "expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT "
                              "(task_id, user_id) DO UPDATE SET expires_at = excluded.expires_at "
                              "RETURNING task_id) SELECT " TESSERA_TASK_COLUMNS
                              " FROM tasks WHERE id = (SELECT task_id FROM l)"));
    st.Bind(1, task_id).Bind(2, user_id).Bind(3, project_id)
        .Bind(4, locked_at + d.settings.lock_timeout_ms).Bind(5, locked_at);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound("task " + std::to_string(task_id) + " not found");
    out = ReadTask(st);
    return Status::Ok();
  });
}

Result<std::vector<TaskLock>> PostgresStore::ListTaskLocks(Id project_id, TimeMs now) {
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

Status PostgresStore::ReleaseTaskLock(Id task_id, Id user_id) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("DELETE FROM task_locks WHERE task_id = ?1 AND user_id = ?2"));
    return st.Bind(1, task_id).Bind(2, user_id).Run();
  });
}

}  // namespace tessera::postgres
