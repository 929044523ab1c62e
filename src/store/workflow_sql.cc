#include "src/store/workflow_sql.h"

#include <array>

namespace tessera {

NextTaskOrder NextTaskOrderFor(const std::string& sampling) {
  return sampling == "Uncertainty sampling" ? NextTaskOrder::kByPriority : NextTaskOrder::kById;
}

bool IsRandomSampling(const std::string& sampling) { return sampling == "Uniform sampling"; }

namespace {

std::string BuildCandidateSql(SqlDialect dialect, NextTaskOrder order) {
  std::string sql =
      "SELECT t.id FROM tasks t "
      "WHERE t.project_id = ?1 AND NOT t.is_labeled AND t.id <> ?6 ";
  // Only the id order takes a starting id: in the priority order the extra
  // range term would lure SQLite onto tasks_open plus a sort of every open task.
  if (order == NextTaskOrder::kById) sql += "AND t.id >= ?7 ";
  // PostgreSQL turns a NOT EXISTS into an anti-join, and for this query it
  // chose a merge anti-join that read the whole annotations index on every
  // call, and with it tasks_pkey instead of tasks_open, walking every labeled
  // task at the front of the project (both grow with the project: 2 ms at
  // 1,500 labeled tasks). OFFSET 0 keeps each subquery a per-candidate index
  // probe, which is what the scan needs: it stops at the first fit. (The
  // PostgreSQL store also plans this statement on every run: see
  // pg_workflow.cc.)
  const char* keep = dialect == SqlDialect::kPostgres ? " OFFSET 0" : "";
  sql += std::string(
             "AND t.total_annotations + (CASE WHEN ?5 = 1 THEN t.cancelled_annotations ELSE 0 END) "
             "  + (SELECT COUNT(*) FROM task_locks l "
             "     WHERE l.task_id = t.id AND l.user_id <> ?2 AND l.expires_at > ?3) < ?4 "
             "AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.task_id = t.id AND a.completed_by = ?2") +
         keep + ") AND NOT EXISTS (SELECT 1 FROM task_assignments s WHERE s.task_id = t.id AND s.kind = 'AN'" +
         keep +
         // Pre-filtered tasks (duplicates, blurry images, ...) wait until released.
         ") AND NOT EXISTS (SELECT 1 FROM task_flags f WHERE f.task_id = t.id" + keep + ") ";
  sql += order == NextTaskOrder::kByPriority ? "ORDER BY t.priority DESC, t.id " : "ORDER BY t.id ";
  sql += "LIMIT 1";
  // The one dialect-specific part (see the header comment).
  if (dialect == SqlDialect::kPostgres) sql += " FOR UPDATE OF t SKIP LOCKED";
  return sql;
}

}  // namespace

const std::string& NextTaskCandidateSql(SqlDialect dialect, NextTaskOrder order) {
  static const std::array<std::string, 4> kSql = {
      BuildCandidateSql(SqlDialect::kSqlite, NextTaskOrder::kById),
      BuildCandidateSql(SqlDialect::kSqlite, NextTaskOrder::kByPriority),
      BuildCandidateSql(SqlDialect::kPostgres, NextTaskOrder::kById),
      BuildCandidateSql(SqlDialect::kPostgres, NextTaskOrder::kByPriority)};
  size_t index = (dialect == SqlDialect::kPostgres ? 2 : 0) +
                 (order == NextTaskOrder::kByPriority ? 1 : 0);
  return kSql[index];
}

}  // namespace tessera
