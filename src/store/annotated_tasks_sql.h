// Store::ReadAnnotatedTasks for both backends: the same two statements over
// either connection type (they differ only in SQLite's index hint).
#ifndef TESSERA_SRC_STORE_ANNOTATED_TASKS_SQL_H_
#define TESSERA_SRC_STORE_ANNOTATED_TASKS_SQL_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "src/store/row_readers.h"
#include "src/store/store_columns.h"
#include "tessera/store.h"

namespace tessera::rows {

// `from` names the annotations table, with SQLite's "INDEXED BY" hint where
// wanted. The annotations are read in (task id, id) order straight from the
// task_id index: the tasks table is not read at all, and tasks without an
// annotation cost nothing (a 10M-task project 10% done reads 1M tasks' rows,
// not 10M tasks).
template <typename Conn>
Status ReadAnnotatedTasksSql(Conn& conn, const char* from, Id project_id, Id after_task_id, size_t min_annotations,
                             std::vector<TaskBundle>* slice, size_t* count) {
  *count = 0;
  std::vector<uint32_t> used;  // annotations read into each bundle so far
  Id last_id = 0;              // the last annotation read
  auto read = [&](auto& st) -> Result<size_t> {
    size_t rows = 0;
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return rows;
      ++rows;
      const Id task_id = st.Int(1);
      if (*count == 0 || (*slice)[*count - 1].task.id != task_id) {
        if (*count == slice->size()) slice->emplace_back();
        (*slice)[(*count)++].task.id = task_id;
        used.push_back(0);
      }
      std::vector<Annotation>& annotations = (*slice)[*count - 1].annotations;
      uint32_t& n = used[*count - 1];
      if (n == annotations.size()) annotations.emplace_back();
      ReadAnnotationInto(st, &annotations[n++]);
      last_id = st.Int(0);
    }
  };
  const int64_t limit = static_cast<int64_t>(std::max<size_t>(min_annotations, 1));
  size_t rows = 0;
  {
    TESSERA_ASSIGN_OR_RETURN(auto st, conn.Prepare(std::string("SELECT " TESSERA_ANNOTATION_READ_COLUMNS " FROM ") +
                                                   from + " WHERE task_id > ?1 AND project_id = ?2 "
                                                   "ORDER BY task_id, id LIMIT ?3"));
    st.Bind(1, after_task_id).Bind(2, project_id).Bind(3, limit);
    TESSERA_ASSIGN_OR_RETURN(rows, read(st));
  }
  if (static_cast<int64_t>(rows) == limit) {
    // The limit may have cut the last task short: the rest of its annotations.
    TESSERA_ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT " TESSERA_ANNOTATION_READ_COLUMNS " FROM annotations "
                                                   "WHERE task_id = ?1 AND id > ?2 ORDER BY id"));
    st.Bind(1, (*slice)[*count - 1].task.id).Bind(2, last_id);
    TESSERA_RETURN_IF_ERROR(read(st).status());
  }
  for (size_t task_idx = 0; task_idx < *count; ++task_idx) (*slice)[task_idx].annotations.resize(used[task_idx]);
  return Status::Ok();
}

}  // namespace tessera::rows

#endif  // TESSERA_SRC_STORE_ANNOTATED_TASKS_SQL_H_
