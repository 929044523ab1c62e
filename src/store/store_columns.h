// Column lists of the store's tables, shared by the SQLite and PostgreSQL
// stores so that both select the same columns in the same order (each has
// its own row readers over these lists). String-literal macros, so that
// queries are built by literal concatenation.
#ifndef TESSERA_SRC_STORE_STORE_COLUMNS_H_
#define TESSERA_SRC_STORE_STORE_COLUMNS_H_

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
  "created_at, updated_at, guideline_version"
// What SELECTs read (inserts leave review_state to its default, 'pending').
#define TESSERA_ANNOTATION_READ_COLUMNS TESSERA_ANNOTATION_COLUMNS ", review_state"
#define TESSERA_PREDICTION_COLUMNS \
  "id, task_id, project_id, result, score, model_version, created_at, updated_at"
#define TESSERA_DRAFT_COLUMNS \
  "id, task_id, project_id, user_id, annotation_id, result, lead_time, created_at, updated_at"
#define TESSERA_IMPORT_COLUMNS                                                               \
  "id, project_id, user_id, source, status, task_count, annotation_count, prediction_count, " \
  "error, created_at, finished_at"

#endif  // TESSERA_SRC_STORE_STORE_COLUMNS_H_
