// Column lists and row readers shared by the SQLite store's queries, so each
// record type is mapped to and from SQL in exactly one place.
//
// A SELECT that uses kFooColumns reads its row with ReadFoo(stmt) (columns
// starting at index 0). Thread-safety: stateless functions.
#ifndef TESSERA_SRC_STORE_SQLITE_ROWS_H_
#define TESSERA_SRC_STORE_SQLITE_ROWS_H_

#include "src/store/sqlite/connection.h"
#include "src/store/store_columns.h"
#include "tessera/model.h"

namespace tessera::sqlite {

User ReadUser(const Stmt& st);
Project ReadProject(const Stmt& st);
Task ReadTask(const Stmt& st);
Annotation ReadAnnotation(const Stmt& st);
Prediction ReadPrediction(const Stmt& st);
// Into an existing record, reusing its strings' buffers.
void ReadTaskInto(const Stmt& st, Task* t);
void ReadAnnotationInto(const Stmt& st, Annotation* a);
void ReadPredictionInto(const Stmt& st, Prediction* p);
Draft ReadDraft(const Stmt& st);
ImportRecord ReadImport(const Stmt& st);

// Binds the 16 annotation columns after `id` (task_id ... guideline_version) starting
// at parameter `first`, in TESSERA_ANNOTATION_COLUMNS order.
void BindAnnotation(Stmt& st, int first, const Annotation& a);

}  // namespace tessera::sqlite

#endif  // TESSERA_SRC_STORE_SQLITE_ROWS_H_
