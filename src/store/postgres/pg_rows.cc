#include "src/store/postgres/pg_rows.h"

#include "src/store/row_readers.h"

namespace tessera::postgres {

User ReadUser(const Stmt& st) { return rows::ReadUser(st); }
Project ReadProject(const Stmt& st) { return rows::ReadProject(st); }
Task ReadTask(const Stmt& st) { return rows::ReadTask(st); }
Annotation ReadAnnotation(const Stmt& st) { return rows::ReadAnnotation(st); }
Prediction ReadPrediction(const Stmt& st) { return rows::ReadPrediction(st); }
Draft ReadDraft(const Stmt& st) { return rows::ReadDraft(st); }
ImportRecord ReadImport(const Stmt& st) { return rows::ReadImport(st); }
void BindAnnotation(Stmt& st, int first, const Annotation& a) { rows::BindAnnotation(st, first, a); }

}  // namespace tessera::postgres
