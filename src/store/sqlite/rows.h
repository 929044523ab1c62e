// Column lists and row readers shared by the SQLite store's queries, so each
// record type is mapped to and from SQL in exactly one place.
//
// A SELECT that uses kFooColumns reads its row with ReadFoo(stmt) (columns
// starting at index 0). Thread-safety: stateless functions.
#ifndef TESSERA_SRC_STORE_SQLITE_ROWS_H_
#define TESSERA_SRC_STORE_SQLITE_ROWS_H_

#include "src/store/sqlite/connection.h"
#include "tessera/model.h"

// String-literal macros so that queries are built by literal concatenation.
#define TESSERA_USER_COLUMNS                                                             \
  "id, email, username, first_name, last_name, password_hash, is_admin, is_active, " \
  "created_at, last_activity"
#define TESSERA_PROJECT_COLUMNS                                                              \
  "id, title, description, label_config, expert_instruction, show_instruction, "             \
  "show_skip_button, enable_empty_annotation, show_annotation_history, "                     \
  "show_collab_predictions, is_published, is_draft, maximum_annotations, sampling, color, " \
  "model_version, settings, created_by, created_at, updated_at"
#define TESSERA_TASK_COLUMNS                                                          \
  "id, project_id, data, meta, is_labeled, overlap, inner_id, total_annotations, " \
  "cancelled_annotations, total_predictions, import_id, created_at, updated_at"
#define TESSERA_ANNOTATION_COLUMNS                                                        \
  "id, task_id, project_id, completed_by, result, was_cancelled, ground_truth, lead_time, " \
  "version, updated_by, parent_prediction, parent_annotation, last_action, import_id, "    \
  "created_at, updated_at"
#define TESSERA_PREDICTION_COLUMNS \
  "id, task_id, project_id, result, score, model_version, created_at, updated_at"
#define TESSERA_DRAFT_COLUMNS \
  "id, task_id, project_id, user_id, annotation_id, result, lead_time, created_at, updated_at"
#define TESSERA_IMPORT_COLUMNS                                                               \
  "id, project_id, user_id, source, status, task_count, annotation_count, prediction_count, " \
  "error, created_at, finished_at"

namespace tessera::sqlite {

User ReadUser(const Stmt& st);
Project ReadProject(const Stmt& st);
Task ReadTask(const Stmt& st);
Annotation ReadAnnotation(const Stmt& st);
Prediction ReadPrediction(const Stmt& st);
Draft ReadDraft(const Stmt& st);
ImportRecord ReadImport(const Stmt& st);

// Binds the 15 annotation columns after `id` (task_id ... updated_at) starting
// at parameter `first`, in TESSERA_ANNOTATION_COLUMNS order.
void BindAnnotation(Stmt& st, int first, const Annotation& a);

}  // namespace tessera::sqlite

#endif  // TESSERA_SRC_STORE_SQLITE_ROWS_H_
