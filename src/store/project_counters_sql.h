// Reading the project counters of migrations 11 and 16, shared by the SQLite and the
// PostgreSQL store (templates over the connection type, run inside the
// store's own transaction). On SQLite project_counters is exact as it
// stands; on PostgreSQL the pending rows of project_counter_deltas are added
// in the same statement (one snapshot), and FoldCounterDeltas moves them into
// project_counters when enough have piled up.
#ifndef TESSERA_SRC_STORE_PROJECT_COUNTERS_SQL_H_
#define TESSERA_SRC_STORE_PROJECT_COUNTERS_SQL_H_

#include <cstdint>
#include <optional>
#include <span>

#include "src/store/migrations/migrations.h"
#include "tessera/model.h"
#include "tessera/status.h"
#include "tessera/store.h"

namespace tessera::project_counters_sql {

// Pending deltas above which a reader folds them (PostgreSQL).
inline constexpr int64_t kFoldThreshold = 512;

inline const char* StatsSql(SqlDialect dialect) {
  if (dialect == SqlDialect::kSqlite) {
    return "SELECT tasks, with_annotations, labeled, annotations, cancelled, predictions, skipped_only, 0, "
           "ground_truth FROM project_counters WHERE project_id = ?1";
  }
  return "SELECT c.tasks + COALESCE(d.tasks, 0), c.with_annotations + COALESCE(d.with_annotations, 0), "
         "c.labeled + COALESCE(d.labeled, 0), c.annotations + COALESCE(d.annotations, 0), "
         "c.cancelled + COALESCE(d.cancelled, 0), c.predictions + COALESCE(d.predictions, 0), "
         "c.skipped_only + COALESCE(d.skipped_only, 0), COALESCE(d.pending, 0), "
         "c.ground_truth + COALESCE(d.ground_truth, 0) "
         "FROM project_counters c LEFT JOIN ("
         "  SELECT SUM(tasks) AS tasks, SUM(with_annotations) AS with_annotations, SUM(labeled) AS labeled, "
         "         SUM(annotations) AS annotations, SUM(cancelled) AS cancelled, "
         "         SUM(predictions) AS predictions, SUM(skipped_only) AS skipped_only, "
         "         SUM(ground_truth) AS ground_truth, COUNT(*) AS pending "
         "  FROM project_counter_deltas WHERE project_id = ?1) d ON TRUE "
         "WHERE c.project_id = ?1";
}

// The counts of a project that exists (the caller checked). `pending` gets
// the number of unfolded delta rows (always 0 on SQLite).
template <typename Conn>
Result<ProjectStats> ReadProjectStats(Conn& conn, Id project_id, SqlDialect dialect, int64_t* pending) {
  ProjectStats stats;
  TESSERA_ASSIGN_OR_RETURN(auto st, conn.Prepare(StatsSql(dialect)));
  st.Bind(1, project_id);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::Internal("project " + std::to_string(project_id) + " has no counters row");
  stats.task_number = st.Int(0);
  stats.num_tasks_with_annotations = st.Int(1);
  stats.finished_task_number = st.Int(2);
  stats.total_annotations_number = st.Int(3);
  stats.skipped_annotations_number = st.Int(4);
  stats.total_predictions_number = st.Int(5);
  stats.skipped_only_task_number = st.Int(6);
  if (pending) *pending = st.Int(7);
  stats.ground_truth_number = st.Int(8);
  return stats;
}

// PostgreSQL: moves the project's pending deltas into project_counters in one
// statement. Safe to run on several servers at once: a delta row is deleted,
// and so added, by one of them only.
template <typename Conn>
Status FoldCounterDeltas(Conn& conn, Id project_id) {
  TESSERA_ASSIGN_OR_RETURN(
      auto st,
      conn.Prepare("WITH moved AS (DELETE FROM project_counter_deltas WHERE project_id = ?1 "
                   "  RETURNING tasks, with_annotations, labeled, annotations, cancelled, predictions, "
                   "  skipped_only, ground_truth), "
                   "sums AS (SELECT COALESCE(SUM(tasks), 0) AS tasks, "
                   "  COALESCE(SUM(with_annotations), 0) AS with_annotations, "
                   "  COALESCE(SUM(labeled), 0) AS labeled, COALESCE(SUM(annotations), 0) AS annotations, "
                   "  COALESCE(SUM(cancelled), 0) AS cancelled, COALESCE(SUM(predictions), 0) AS predictions, "
                   "  COALESCE(SUM(skipped_only), 0) AS skipped_only, "
                   "  COALESCE(SUM(ground_truth), 0) AS ground_truth FROM moved) "
                   "UPDATE project_counters c SET tasks = c.tasks + s.tasks, "
                   "  with_annotations = c.with_annotations + s.with_annotations, "
                   "  labeled = c.labeled + s.labeled, annotations = c.annotations + s.annotations, "
                   "  cancelled = c.cancelled + s.cancelled, predictions = c.predictions + s.predictions, "
                   "  skipped_only = c.skipped_only + s.skipped_only, ground_truth = c.ground_truth + s.ground_truth "
                   "FROM sums s WHERE c.project_id = ?1"));
  return st.Bind(1, project_id).Run();
}

// The task table's "completed" filter set to empty or not empty: tasks with
// no non-cancelled annotation, or with one (with_annotations counts those).
inline bool IsAnnotatedFilter(const TaskFilter& filter) {
  return filter.column == "completed_at" && filter.op == "empty";
}

// A count the counters answer without touching the tasks: the whole project,
// only its labeled or unlabeled tasks, or only the tasks with or without an
// annotation (the "not labeled yet" view: a 3.4 s scan at 10M tasks).
// nullopt when the query filters any other way.
inline bool IsPlainCount(const TaskQuery& query) {
  const bool plain_filters =
      query.filters.empty() ||
      (query.filters.size() == 1 && IsAnnotatedFilter(query.filters[0]) && query.status.empty());
  return plain_filters && query.search.empty() && !query.only_ids && query.after_id == 0 &&
         (query.status.empty() || query.status == "labeled" || query.status == "unlabeled");
}

inline std::optional<int64_t> CountFromStats(const TaskQuery& query, const ProjectStats& stats) {
  if (!IsPlainCount(query)) return std::nullopt;
  if (!query.filters.empty()) {
    return query.filters[0].empty ? stats.task_number - stats.num_tasks_with_annotations
                                  : stats.num_tasks_with_annotations;
  }
  if (query.status == "labeled") return stats.finished_task_number;
  if (query.status == "unlabeled") return stats.task_number - stats.finished_task_number;
  return stats.task_number;
}

// SQLite: what a batch of new tasks adds to project_counters (InsertTasks
// is the only statement that inserts tasks there, and adds them itself).
struct BatchCounts {
  int64_t tasks = 0, with_annotations = 0, labeled = 0, annotations = 0, cancelled = 0, predictions = 0,
          skipped_only = 0;
  int64_t ground_truth = 0;  // the batch's annotations marked ground truth (migration 16)

  void Add(int64_t done, int64_t skipped, int64_t task_predictions, int64_t maximum_annotations) {
    ++tasks;
    with_annotations += done > 0;
    labeled += done >= maximum_annotations;
    annotations += done;
    cancelled += skipped;
    predictions += task_predictions;
    skipped_only += skipped > 0 && done == 0;
  }

  template <typename Conn>
  Status Apply(Conn& conn, Id project_id) const {
    if (tasks == 0) return Status::Ok();
    TESSERA_ASSIGN_OR_RETURN(
        auto st, conn.Prepare("UPDATE project_counters SET tasks = tasks + ?2, "
                              "with_annotations = with_annotations + ?3, labeled = labeled + ?4, "
                              "annotations = annotations + ?5, cancelled = cancelled + ?6, "
                              "predictions = predictions + ?7, skipped_only = skipped_only + ?8, "
                              "ground_truth = ground_truth + ?9 WHERE project_id = ?1"));
    return st.Bind(1, project_id).Bind(2, tasks).Bind(3, with_annotations).Bind(4, labeled)
        .Bind(5, annotations).Bind(6, cancelled).Bind(7, predictions).Bind(8, skipped_only)
        .Bind(9, ground_truth).Run();
  }
};

// Annotations inserted as ground truth, added by the statement that inserts
// them (no insert trigger counts them; migration 16): SQLite updates the
// counters row, PostgreSQL appends a delta row.
template <typename Conn>
Status AddGroundTruth(Conn& conn, Id project_id, int64_t count, SqlDialect dialect) {
  if (count == 0) return Status::Ok();
  TESSERA_ASSIGN_OR_RETURN(
      auto st, conn.Prepare(dialect == SqlDialect::kSqlite
                                ? "UPDATE project_counters SET ground_truth = ground_truth + ?2 WHERE project_id = ?1"
                                : "INSERT INTO project_counter_deltas (project_id, tasks, with_annotations, labeled, "
                                  "annotations, cancelled, predictions, skipped_only, ground_truth) "
                                  "VALUES (?1, 0, 0, 0, 0, 0, 0, 0, ?2)"));
  return st.Bind(1, project_id).Bind(2, count).Run();
}

// The annotations of a batch of new tasks marked ground truth.
inline int64_t GroundTruthIn(std::span<const NewTask> tasks) {
  int64_t count = 0;
  for (const NewTask& task : tasks) {
    for (const Annotation& a : task.annotations) count += a.ground_truth;
  }
  return count;
}

}  // namespace tessera::project_counters_sql

#endif  // TESSERA_SRC_STORE_PROJECT_COUNTERS_SQL_H_
