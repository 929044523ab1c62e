// Row readers (and the annotation binder) shared by the SQLite and the
// PostgreSQL store: templates over the statement type, so each record type is
// mapped from a row in exactly one place. Both statement types offer the same
// accessors (Int, Text, Bool, OptInt, ..., Bind). A SELECT that uses
// TESSERA_FOO_COLUMNS (store_columns.h) reads its row with ReadFoo(stmt),
// columns starting at index 0. Stateless functions.
#ifndef TESSERA_SRC_STORE_ROW_READERS_H_
#define TESSERA_SRC_STORE_ROW_READERS_H_

#include "tessera/model.h"

namespace tessera::rows {


template <typename Stmt>
User ReadUser(const Stmt& st) {
  User u;
  u.id = st.Int(0);
  u.email = st.Text(1);
  u.username = st.Text(2);
  u.first_name = st.Text(3);
  u.last_name = st.Text(4);
  u.password_hash = st.Text(5);
  u.is_admin = st.Bool(6);
  u.is_active = st.Bool(7);
  u.created_at = st.Int(8);
  u.last_activity = st.Int(9);
  return u;
}

template <typename Stmt>
Project ReadProject(const Stmt& st) {
  Project p;
  p.id = st.Int(0);
  p.title = st.Text(1);
  p.description = st.Text(2);
  p.label_config = st.Text(3);
  p.expert_instruction = st.Text(4);
  p.show_instruction = st.Bool(5);
  p.show_skip_button = st.Bool(6);
  p.enable_empty_annotation = st.Bool(7);
  p.show_annotation_history = st.Bool(8);
  p.show_collab_predictions = st.Bool(9);
  p.is_published = st.Bool(10);
  p.is_draft = st.Bool(11);
  p.maximum_annotations = st.Int32(12);
  p.sampling = st.Text(13);
  p.color = st.Text(14);
  p.model_version = st.Text(15);
  p.settings = st.Text(16);
  p.created_by = st.Int(17);
  p.created_at = st.Int(18);
  p.updated_at = st.Int(19);
  return p;
}

// Task, Annotation and Prediction also read into an existing record, whose
// strings keep their buffers: reading page after page into the same records
// then allocates nothing (the export's store reads).
template <typename Stmt>
void ReadTaskInto(const Stmt& st, Task* t) {
  t->id = st.Int(0);
  t->project_id = st.Int(1);
  st.TextInto(2, &t->data);
  st.TextInto(3, &t->meta);
  t->is_labeled = st.Bool(4);
  t->overlap = st.Int32(5);
  t->inner_id = st.Int(6);
  t->total_annotations = st.Int32(7);
  t->cancelled_annotations = st.Int32(8);
  t->total_predictions = st.Int32(9);
  t->import_id = st.Int(10);
  t->created_at = st.Int(11);
  t->updated_at = st.Int(12);
}

template <typename Stmt>
Task ReadTask(const Stmt& st) {
  Task t;
  ReadTaskInto(st, &t);
  return t;
}

template <typename Stmt>
void ReadAnnotationInto(const Stmt& st, Annotation* a) {
  a->id = st.Int(0);
  a->task_id = st.Int(1);
  a->project_id = st.Int(2);
  a->completed_by = st.Int(3);
  st.TextInto(4, &a->result);
  a->was_cancelled = st.Bool(5);
  a->ground_truth = st.Bool(6);
  a->lead_time = st.Double(7);
  a->version = st.Int32(8);
  a->updated_by = st.Int(9);
  a->parent_prediction = st.OptInt(10);
  a->parent_annotation = st.OptInt(11);
  st.TextInto(12, &a->last_action);
  a->import_id = st.Int(13);
  a->created_at = st.Int(14);
  a->updated_at = st.Int(15);
  a->guideline_version = st.Int32(16);
  st.TextInto(17, &a->review_state);  // TESSERA_ANNOTATION_READ_COLUMNS
}

template <typename Stmt>
Annotation ReadAnnotation(const Stmt& st) {
  Annotation a;
  ReadAnnotationInto(st, &a);
  return a;
}

template <typename Stmt>
void ReadPredictionInto(const Stmt& st, Prediction* p) {
  p->id = st.Int(0);
  p->task_id = st.Int(1);
  p->project_id = st.Int(2);
  st.TextInto(3, &p->result);
  p->score = st.OptDouble(4);
  st.TextInto(5, &p->model_version);
  p->created_at = st.Int(6);
  p->updated_at = st.Int(7);
}

template <typename Stmt>
Prediction ReadPrediction(const Stmt& st) {
  Prediction p;
  ReadPredictionInto(st, &p);
  return p;
}

template <typename Stmt>
Draft ReadDraft(const Stmt& st) {
  Draft d;
  d.id = st.Int(0);
  d.task_id = st.Int(1);
  d.project_id = st.Int(2);
  d.user_id = st.Int(3);
  d.annotation_id = st.OptInt(4);
  d.result = st.Text(5);
  d.lead_time = st.Double(6);
  d.created_at = st.Int(7);
  d.updated_at = st.Int(8);
  return d;
}

template <typename Stmt>
ImportRecord ReadImport(const Stmt& st) {
  ImportRecord r;
  r.id = st.Int(0);
  r.project_id = st.Int(1);
  r.user_id = st.Int(2);
  r.source = st.Text(3);
  r.status = st.Text(4);
  r.task_count = st.Int(5);
  r.annotation_count = st.Int(6);
  r.prediction_count = st.Int(7);
  r.error = st.Text(8);
  r.created_at = st.Int(9);
  r.finished_at = st.Int(10);
  return r;
}

template <typename Stmt>
void BindAnnotation(Stmt& st, int first, const Annotation& a) {
  st.Bind(first, a.task_id)
      .Bind(first + 1, a.project_id)
      .BindId(first + 2, a.completed_by)
      .Bind(first + 3, a.result)
      .Bind(first + 4, a.was_cancelled)
      .Bind(first + 5, a.ground_truth)
      .Bind(first + 6, a.lead_time)
      .Bind(first + 7, a.version)
      .BindId(first + 8, a.updated_by)
      .Bind(first + 9, a.parent_prediction)
      .Bind(first + 10, a.parent_annotation)
      .Bind(first + 11, a.last_action)
      .BindId(first + 12, a.import_id)
      .Bind(first + 13, a.created_at)
      .Bind(first + 14, a.updated_at)
      .Bind(first + 15, a.guideline_version);
}

}  // namespace tessera::rows

#endif  // TESSERA_SRC_STORE_ROW_READERS_H_
