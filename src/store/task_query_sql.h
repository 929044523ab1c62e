// The SQL of the data manager (issue 9), shared by the SQLite and PostgreSQL
// stores: the conditions and order of a TaskQuery (filters, full-text search,
// id sets), each task's computed columns, and the statements of the bulk
// actions. Everything is written once; the dialect differences are
// parameters of the builders:
//   - a data field: SQLite json_extract(data, '$.a.b') / json_type;
//     PostgreSQL CAST(data AS JSONB) #>> '{a,b}' / jsonb_typeof (tasks.data
//     is TEXT in both);
//   - full-text search: SQLite's FTS5 table task_search (migration 9) /
//     PostgreSQL's to_tsvector('simple', data::jsonb) (GIN index, migration 9);
//   - an id set bound as one parameter: json_each('[1,2]') / ANY('{1,2}');
//   - LIKE (case-insensitive for ASCII in SQLite) / ILIKE;
//   - list aggregation: group_concat / string_agg.
// Every user-supplied value is a bound parameter; only validated names
// (columns, operators) shape the SQL text.
//
// Thread-safety: pure functions.
#ifndef TESSERA_SRC_STORE_TASK_QUERY_SQL_H_
#define TESSERA_SRC_STORE_TASK_QUERY_SQL_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "src/store/migrations/migrations.h"
#include "tessera/store.h"

namespace tessera {

// A value bound to a placeholder of generated SQL.
struct SqlArg {
  enum class Kind { kInt, kDouble, kText };
  Kind kind = Kind::kInt;
  int64_t i = 0;
  double d = 0;
  std::string s;
};

struct TaskQuerySql {
  std::string where;          // " AND ..." over tasks aliased `t`; may be empty
  std::string order_by;       // the ORDER BY list (without the keywords)
  std::vector<SqlArg> args;        // of `where`: ?first_param, ?first_param + 1, ...
  std::vector<SqlArg> order_args;  // of `order_by`: numbered after `args`
};

// The conditions (status, filters, search, only_ids) and order of `query`;
// the caller adds project_id/after_id, paging and binds args from
// `first_param` on. InvalidArgument naming the column or operator it does not
// know.
Result<TaskQuerySql> BuildTaskQuerySql(const TaskQuery& query, SqlDialect dialect,
                                       int first_param);

// Binds `args` to ?first_param... of a SQLite or PostgreSQL Stmt.
template <typename StmtT>
void BindSqlArgs(StmtT& st, const std::vector<SqlArg>& args, int first_param) {
  int index = first_param;
  for (const SqlArg& arg : args) {
    switch (arg.kind) {
      case SqlArg::Kind::kInt: st.Bind(index, arg.i); break;
      case SqlArg::Kind::kDouble: st.Bind(index, arg.d); break;
      case SqlArg::Kind::kText: st.Bind(index, arg.s); break;
    }
    ++index;
  }
}

// The computed columns of the tasks in the id set ?1 (IdSetText), one row
// each: id, completed_at, predictions_score, reviews_accepted,
// reviews_rejected, ground_truth (0/1), flag reason, annotators and guideline
// versions (comma-separated).
const std::string& TaskColumnsSql(SqlDialect dialect);
// The text to bind for an id set: "[1,2]" (SQLite) or "{1,2}" (PostgreSQL).
std::string IdSetText(SqlDialect dialect, std::span<const Id> ids);
// Parses a comma-separated list of integers (TaskColumnsSql's lists), ascending.
std::vector<int64_t> ParseIdList(const std::string& text);

// The statements of a bulk action on one task: ?1 project_id, ?2 task id. The
// task counts as changed when any statement changed a row. kDeleteTasks is
// one DELETE of the task row.
const std::vector<std::string>& TaskActionSql(TaskAction action);

// The FTS5 MATCH text (SQLite) or to_tsquery text (PostgreSQL) for a search
// string: its words ANDed, the last one a prefix; "" when it has no words.
std::string SearchQueryText(const std::string& search, SqlDialect dialect);

}  // namespace tessera

#endif  // TESSERA_SRC_STORE_TASK_QUERY_SQL_H_
