// Row readers of the PostgreSQL store (the column lists are shared with the
// SQLite store in src/store/store_columns.h): a SELECT that uses
// TESSERA_FOO_COLUMNS reads its row with ReadFoo(stmt). Stateless functions.
#ifndef TESSERA_SRC_STORE_POSTGRES_PG_ROWS_H_
#define TESSERA_SRC_STORE_POSTGRES_PG_ROWS_H_

#include "src/store/postgres/pg_connection.h"
#include "src/store/store_columns.h"
#include "tessera/model.h"

namespace tessera::postgres {

User ReadUser(const Stmt& st);
Project ReadProject(const Stmt& st);
Task ReadTask(const Stmt& st);
Annotation ReadAnnotation(const Stmt& st);
Prediction ReadPrediction(const Stmt& st);
Draft ReadDraft(const Stmt& st);
ImportRecord ReadImport(const Stmt& st);

// Binds the 16 annotation columns after `id` (task_id ... guideline_version) starting
// at parameter `first`, in TESSERA_ANNOTATION_COLUMNS order.
void BindAnnotation(Stmt& st, int first, const Annotation& a);

}  // namespace tessera::postgres

#endif  // TESSERA_SRC_STORE_POSTGRES_PG_ROWS_H_
