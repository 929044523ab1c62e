#include "src/store/sqlite/rows.h"

#include "src/store/row_readers.h"

namespace tessera::sqlite {

User ReadUser(const Stmt& st) { return rows::ReadUser(st); }
Project ReadProject(const Stmt& st) { return rows::ReadProject(st); }
Task ReadTask(const Stmt& st) { return rows::ReadTask(st); }
Annotation ReadAnnotation(const Stmt& st) { return rows::ReadAnnotation(st); }
Prediction ReadPrediction(const Stmt& st) { return rows::ReadPrediction(st); }
void ReadTaskInto(const Stmt& st, Task* t) { rows::ReadTaskInto(st, t); }
void ReadAnnotationInto(const Stmt& st, Annotation* a) { rows::ReadAnnotationInto(st, a); }
void ReadPredictionInto(const Stmt& st, Prediction* p) { rows::ReadPredictionInto(st, p); }
Draft ReadDraft(const Stmt& st) { return rows::ReadDraft(st); }
ImportRecord ReadImport(const Stmt& st) { return rows::ReadImport(st); }
void BindAnnotation(Stmt& st, int first, const Annotation& a) { rows::BindAnnotation(st, first, a); }

}  // namespace tessera::sqlite
