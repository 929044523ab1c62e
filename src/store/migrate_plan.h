// How `tessera migrate` copies each table (src/store/migrate.cc), worked out
// from the two schemas: which columns, of which type, which of them hold user
// ids (remapped), which rows belong to the moved projects, and which tables are
// left out and why. A table or column that the planner cannot place stops the
// migration with a message naming it, so a later migration's new table is
// either copied correctly or refused loudly, never copied half-right.
//
// Thread-safety: PlanTables uses the two connections it is given (one thread).
#ifndef TESSERA_SRC_STORE_MIGRATE_PLAN_H_
#define TESSERA_SRC_STORE_MIGRATE_PLAN_H_

#include <string>
#include <string_view>
#include <vector>

#include "src/store/postgres/pg_connection.h"
#include "src/store/sqlite/connection.h"
#include "tessera/model.h"
#include "tessera/status.h"

namespace tessera::migrate {

// How a value travels: from the PostgreSQL column's type.
enum class Kind { kInt, kDouble, kBool, kText };

struct ColumnPlan {
  std::string name;
  Kind kind = Kind::kText;
  bool user_ref = false;  // holds a user id: remapped to the target's user
};

struct TablePlan {
  std::string name;
  std::vector<ColumnPlan> columns;  // copied columns, in source order
  std::string where;                // rows to move (valid SQL in both dialects); "" = all
  int owner_col = -1;               // rows follow this user column (API tokens): only
                                    // users that were copied bring theirs
  int object_type_col = -1;         // audit_log: object_id is a user id when
  int object_id_col = -1;           //   object_type = 'user'
  std::string identity;             // the target's identity column, if any
  std::string skipped;              // why not copied ("" when copied)
  int64_t target_before = 0;        // the target's rows in scope before the copy
};

// Every table of the source: the copied ones in the order SQLite created them
// (parents before the rows that reference them), then the skipped ones.
// `project_ids` empty: everything. FailedPrecondition naming the table or
// column the planner cannot handle.
Result<std::vector<TablePlan>> PlanTables(sqlite::Connection* src, postgres::Connection* dst,
                                          const std::vector<Id>& project_ids, int schema_version);

// "name" as a quoted SQL identifier.
std::string Quote(std::string_view name);
// "1,2,3".
std::string IdList(const std::vector<Id>& ids);

}  // namespace tessera::migrate

#endif  // TESSERA_SRC_STORE_MIGRATE_PLAN_H_
