// The task change log (migration 3): which tasks' annotations or predictions
// changed, so caches of derived results re-read only those tasks.
#include <algorithm>

#include "src/store/cache_snapshots_sql.h"
#include "src/store/sqlite/sqlite_store.h"

namespace tessera::sqlite {
namespace {

// Rows kept in task_changes (all projects together). A reader further behind
// than this re-reads its whole project, so the number only trades log size
// against how often a long-idle cache does a full reload.
constexpr int64_t kTaskChangesKept = 1'000'000;
// Pruning runs on every kPruneEvery-th change (amortised: one indexed range
// delete per 8,192 writes).
constexpr int64_t kPruneEvery = 8192;

}  // namespace

Status RecordTaskChange(Connection& conn, Id project_id, Id task_id, TimeMs now) {
  TESSERA_ASSIGN_OR_RETURN(
      Stmt st, conn.Prepare("INSERT INTO task_changes (project_id, task_id, created_at) "
                            "VALUES (?1, ?2, ?3)"));
  TESSERA_RETURN_IF_ERROR(st.Bind(1, project_id).Bind(2, task_id).Bind(3, now).Run());
  const int64_t seq = conn.LastInsertId();
  if (seq % kPruneEvery != 0) return Status::Ok();
  TESSERA_ASSIGN_OR_RETURN(Stmt prune, conn.Prepare("DELETE FROM task_changes WHERE seq <= ?1"));
  return prune.Bind(1, seq - kTaskChangesKept).Run();
}

Result<TaskChanges> SqliteStore::TaskChangesSince(Id project_id, int64_t since) {
  TaskChanges out;
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    // The newest position over all projects: positions are global, and a
    // position from before the kept window cannot be trusted.
    TESSERA_ASSIGN_OR_RETURN(Stmt head, conn.Prepare("SELECT COALESCE(MAX(seq), 0) FROM task_changes"));
    TESSERA_ASSIGN_OR_RETURN(bool row, head.Step());
    out.seq = row ? head.Int(0) : 0;
    if (since <= 0 || since < out.seq - kTaskChangesKept || since > out.seq) {
      out.everything = true;
      return Status::Ok();
    }
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT task_id FROM task_changes WHERE project_id = ?1 "
                              "AND seq > ?2 AND seq <= ?3"));
    st.Bind(1, project_id).Bind(2, since).Bind(3, out.seq);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool more, st.Step());
      if (!more) break;
      const Id task_id = st.Int(0);
      if (task_id == 0) {
        out.everything = true;
        out.task_ids.clear();
        return Status::Ok();
      }
      out.task_ids.push_back(task_id);
    }
    std::sort(out.task_ids.begin(), out.task_ids.end());
    out.task_ids.erase(std::unique(out.task_ids.begin(), out.task_ids.end()), out.task_ids.end());
    return Status::Ok();
  }));
  return out;
}

// ---- cache snapshots (migration 15) ----

Status SqliteStore::SaveCacheSnapshot(Id project_id, const std::string& kind, const CacheSnapshot& snapshot) {
  // A cache's copy: a power cut that loses it costs one rebuild, so no fsync wait.
  return WriteTxnDeferredSync([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    return cache_snapshots_sql::Save(conn, project_id, kind, snapshot);
  });
}

Result<CacheSnapshot> SqliteStore::GetCacheSnapshot(Id project_id, const std::string& kind) {
  CacheSnapshot out;
  TESSERA_RETURN_IF_ERROR(
      ReadTxn([&](Connection& conn) { return cache_snapshots_sql::Get(conn, project_id, kind, &out); }));
  return out;
}

}  // namespace tessera::sqlite
