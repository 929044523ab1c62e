#include <string>

#include "src/store/project_counters_sql.h"
#include "src/store/sqlite/rows.h"
#include "src/store/sqlite/sqlite_store.h"
#include "tessera/util.h"

namespace tessera::sqlite {
namespace {

std::string AnnotationNotFound(Id id) { return "annotation " + std::to_string(id) + " not found"; }

Result<Annotation> LoadAnnotation(Connection& conn, Id id) {
  TESSERA_ASSIGN_OR_RETURN(
      Stmt st, conn.Prepare("SELECT " TESSERA_ANNOTATION_READ_COLUMNS " FROM annotations WHERE id = ?1"));
  st.Bind(1, id);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound(AnnotationNotFound(id));
  return ReadAnnotation(st);
}

template <typename T, typename ReadFn>
Status CollectRows(Stmt& st, ReadFn read, std::vector<T>* out) {
  while (true) {
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::Ok();
    out->push_back(read(st));
  }
}

}  // namespace

// ---- annotations ----

Status SqliteStore::CreateAnnotation(Annotation* annotation) {
  TimeMs now = NowMs();
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Task task, LoadTask(conn, annotation->task_id));
    annotation->project_id = task.project_id;
    annotation->version = 1;
    if (annotation->created_at == 0) annotation->created_at = now;
    annotation->updated_at = annotation->created_at;
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO annotations (" TESSERA_ANNOTATION_COLUMNS ") VALUES "
                              "(NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                              "?14, ?15, ?16)"));
    BindAnnotation(st, 1, *annotation);
    TESSERA_RETURN_IF_ERROR(st.Run());
    annotation->id = conn.LastInsertId();
    TESSERA_RETURN_IF_ERROR(
        project_counters_sql::AddGroundTruth(conn, task.project_id, annotation->ground_truth, SqlDialect::kSqlite));
    // A submit or a skip ends the author's reservation of the task.
    if (annotation->completed_by != 0) {
      TESSERA_RETURN_IF_ERROR(ReleaseWork(conn, task.id, annotation->completed_by));
      TESSERA_RETURN_IF_ERROR(DeleteDraftOf(conn, task.id, annotation->completed_by, 0));
    }
    TESSERA_RETURN_IF_ERROR(RecordTaskChange(conn, task.project_id, task.id, now));
    return RefreshTaskCounters(conn, task.id, now);
  });
}

Result<Annotation> SqliteStore::GetAnnotation(Id id) {
  Result<Annotation> out = Status::Internal("unset");
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) {
    out = LoadAnnotation(conn, id);
    return out.status();
  }));
  return out;
}

Result<std::vector<Annotation>> SqliteStore::ListAnnotations(Id task_id) {
  std::vector<Annotation> annotations;
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(LoadTask(conn, task_id).status());
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT " TESSERA_ANNOTATION_READ_COLUMNS " FROM annotations "
                              "WHERE task_id = ?1 ORDER BY id"));
    st.Bind(1, task_id);
    return CollectRows(st, ReadAnnotation, &annotations);
  }));
  return annotations;
}

// Applies the editable fields of *annotation (result, was_cancelled,
// ground_truth, lead_time, updated_by, parent_*, last_action,
// guideline_version); task, project,
// author, import and created_at stay as stored and are copied back.
Status SqliteStore::UpdateAnnotation(Annotation* annotation) {
  TimeMs now = NowMs();
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Annotation old, LoadAnnotation(conn, annotation->id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt keep, conn.Prepare("INSERT INTO annotation_versions (annotation_id, version, result, "
                                "was_cancelled, ground_truth, lead_time, updated_by, action, "
                                "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    keep.Bind(1, old.id).Bind(2, old.version).Bind(3, old.result).Bind(4, old.was_cancelled)
        .Bind(5, old.ground_truth).Bind(6, old.lead_time).BindId(7, old.updated_by)
        .Bind(8, old.last_action).Bind(9, old.updated_at);
    TESSERA_RETURN_IF_ERROR(keep.Run());

    annotation->task_id = old.task_id;
    annotation->project_id = old.project_id;
    annotation->completed_by = old.completed_by;
    annotation->import_id = old.import_id;
    annotation->created_at = old.created_at;
    annotation->version = old.version + 1;
    annotation->updated_at = now;
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("UPDATE annotations SET result = ?2, was_cancelled = ?3, "
                              "ground_truth = ?4, lead_time = ?5, version = ?6, updated_by = ?7, "
                              "parent_prediction = ?8, parent_annotation = ?9, last_action = ?10, "
                              "updated_at = ?11, guideline_version = ?12 WHERE id = ?1"));
    st.Bind(1, annotation->id).Bind(2, annotation->result).Bind(3, annotation->was_cancelled)
        .Bind(4, annotation->ground_truth).Bind(5, annotation->lead_time)
        .Bind(6, annotation->version).BindId(7, annotation->updated_by)
        .Bind(8, annotation->parent_prediction).Bind(9, annotation->parent_annotation)
        .Bind(10, annotation->last_action).Bind(11, now)
        .Bind(12, annotation->guideline_version);
    TESSERA_RETURN_IF_ERROR(st.Run());
    if (annotation->updated_by != 0) {
      TESSERA_RETURN_IF_ERROR(
          DeleteDraftOf(conn, old.task_id, annotation->updated_by, annotation->id));
    }
    TESSERA_RETURN_IF_ERROR(RecordTaskChange(conn, old.project_id, old.task_id, now));
    if (old.was_cancelled == annotation->was_cancelled) return Status::Ok();
    return RefreshTaskCounters(conn, old.task_id, now);
  });
}

Status SqliteStore::DeleteAnnotation(Id id) {
  TimeMs now = NowMs();
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Annotation old, LoadAnnotation(conn, id));
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("DELETE FROM annotations WHERE id = ?1"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, id).Run());
    TESSERA_RETURN_IF_ERROR(RecordTaskChange(conn, old.project_id, old.task_id, now));
    return RefreshTaskCounters(conn, old.task_id, now);
  });
}

Result<std::vector<AnnotationVersion>> SqliteStore::ListAnnotationVersions(Id annotation_id) {
  std::vector<AnnotationVersion> versions;
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(LoadAnnotation(conn, annotation_id).status());
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT annotation_id, version, result, was_cancelled, "
                              "ground_truth, lead_time, updated_by, action, created_at "
                              "FROM annotation_versions WHERE annotation_id = ?1 ORDER BY version"));
    st.Bind(1, annotation_id);
    return CollectRows(st, [](const Stmt& row) {
      AnnotationVersion v;
      v.annotation_id = row.Int(0);
      v.version = row.Int32(1);
      v.result = row.Text(2);
      v.was_cancelled = row.Bool(3);
      v.ground_truth = row.Bool(4);
      v.lead_time = row.Double(5);
      v.updated_by = row.Int(6);
      v.action = row.Text(7);
      v.created_at = row.Int(8);
      return v;
    }, &versions);
  }));
  return versions;
}

// ---- predictions ----

Status SqliteStore::CreatePrediction(Prediction* prediction) {
  TimeMs now = NowMs();
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Task task, LoadTask(conn, prediction->task_id));
    prediction->project_id = task.project_id;
    if (prediction->created_at == 0) prediction->created_at = now;
    prediction->updated_at = prediction->created_at;
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO predictions (task_id, project_id, result, score, "
                              "model_version, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, "
                              "?6, ?7)"));
    st.Bind(1, prediction->task_id).Bind(2, prediction->project_id).Bind(3, prediction->result)
        .Bind(4, prediction->score).Bind(5, prediction->model_version)
        .Bind(6, prediction->created_at).Bind(7, prediction->updated_at);
    TESSERA_RETURN_IF_ERROR(st.Run());
    prediction->id = conn.LastInsertId();
    TESSERA_RETURN_IF_ERROR(RecordTaskChange(conn, task.project_id, task.id, now));
    return RefreshTaskCounters(conn, task.id, now);
  });
}

Result<Prediction> SqliteStore::GetPrediction(Id id) {
  Prediction prediction;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT " TESSERA_PREDICTION_COLUMNS " FROM predictions WHERE id = ?1"));
    st.Bind(1, id);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound("prediction " + std::to_string(id) + " not found");
    prediction = ReadPrediction(st);
    return Status::Ok();
  }));
  return prediction;
}

Result<std::vector<Prediction>> SqliteStore::ListPredictions(Id task_id) {
  std::vector<Prediction> predictions;
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(LoadTask(conn, task_id).status());
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT " TESSERA_PREDICTION_COLUMNS " FROM predictions "
                              "WHERE task_id = ?1 ORDER BY id"));
    st.Bind(1, task_id);
    return CollectRows(st, ReadPrediction, &predictions);
  }));
  return predictions;
}

Status SqliteStore::DeletePrediction(Id id) {
  TimeMs now = NowMs();
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt find, conn.Prepare("SELECT task_id, project_id FROM predictions WHERE id = ?1"));
    find.Bind(1, id);
    TESSERA_ASSIGN_OR_RETURN(bool row, find.Step());
    if (!row) return Status::NotFound("prediction " + std::to_string(id) + " not found");
    Id task_id = find.Int(0);
    Id project_id = find.Int(1);
    find.Reset();
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("DELETE FROM predictions WHERE id = ?1"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, id).Run());
    TESSERA_RETURN_IF_ERROR(RecordTaskChange(conn, project_id, task_id, now));
    return RefreshTaskCounters(conn, task_id, now);
  });
}

}  // namespace tessera::sqlite
