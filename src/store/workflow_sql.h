// The SQL of task distribution (Store::NextTask), shared by the SQLite and
// (future) PostgreSQL stores. Everything is portable SQL except the row-lock
// clause, which NextTaskCandidateSql adds for PostgreSQL only: there, several
// writers run at once and `FOR UPDATE OF t SKIP LOCKED` makes two concurrent
// `next` calls pass over each other's candidate rows instead of queueing on
// them; SQLite has one writer at a time (BEGIN IMMEDIATE), so it needs none.
//
// Thread-safety: pure functions over constants.
#ifndef TESSERA_SRC_STORE_WORKFLOW_SQL_H_
#define TESSERA_SRC_STORE_WORKFLOW_SQL_H_

#include <string>

#include "src/store/migrations/migrations.h"

namespace tessera {

// How `next` orders the candidates (from Project::sampling).
enum class NextTaskOrder {
  kById,        // "Sequential sampling"; also "Uniform sampling" from a random pivot id
  kByPriority,  // "Uncertainty sampling": priority DESC, id
};
NextTaskOrder NextTaskOrderFor(const std::string& sampling);
bool IsRandomSampling(const std::string& sampling);

// Returns at most one task id. Parameters:
//   ?1 project_id   ?2 user_id   ?3 now (ms)   ?4 overlap (maximum_annotations)
//   ?5 1 if skips count toward the overlap, else 0
//   ?6 a task to leave out (0 = none; Store::NextTask's exclude_task_id)
//   ?7 lowest task id to consider (NextTaskOrder::kById only; absent otherwise)
// A candidate still needs annotations (it is not is_labeled, so the partial
// indexes tasks_open/tasks_open_priority serve the scan), the user has no
// annotation on it, nobody holds an open assignment on it, it is not
// pre-filtered (task_flags), and its counted
// annotations plus other users' live locks are below the overlap.
const std::string& NextTaskCandidateSql(SqlDialect dialect, NextTaskOrder order);

}  // namespace tessera

#endif  // TESSERA_SRC_STORE_WORKFLOW_SQL_H_
