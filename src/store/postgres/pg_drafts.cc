// Drafts (migration 4, table annotation_drafts): one autosaved, unsubmitted
// annotation per (task, user, annotation), replaced on every save.
#include <string>

#include "src/store/postgres/pg_rows.h"
#include "src/store/postgres/postgres_store.h"
#include "tessera/util.h"

namespace tessera::postgres {
namespace {

std::string DraftNotFound(Id id) { return "draft " + std::to_string(id) + " not found"; }

Result<Draft> LoadDraft(Connection& conn, Id id) {
  TESSERA_ASSIGN_OR_RETURN(
      Stmt st, conn.Prepare("SELECT " TESSERA_DRAFT_COLUMNS " FROM annotation_drafts WHERE id = ?1"));
  st.Bind(1, id);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound(DraftNotFound(id));
  return ReadDraft(st);
}

// NotFound unless the annotation exists; InvalidArgument when it belongs to
// another task than the draft's.
Status RequireAnnotationOfTask(Connection& conn, Id annotation_id, Id task_id) {
  TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("SELECT task_id FROM annotations WHERE id = ?1"));
  st.Bind(1, annotation_id);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound("annotation " + std::to_string(annotation_id) + " not found");
  if (st.Int(0) != task_id) {
    return Status::InvalidArgument("annotation " + std::to_string(annotation_id) +
                                   " is not an annotation of task " + std::to_string(task_id));
  }
  return Status::Ok();
}

}  // namespace

Status DeleteDraftOf(Connection& conn, Id task_id, Id user_id, Id annotation_id) {
  TESSERA_ASSIGN_OR_RETURN(
      Stmt st, conn.Prepare("DELETE FROM annotation_drafts WHERE task_id = ?1 AND user_id = ?2 "
                            "AND COALESCE(annotation_id, 0) = ?3"));
  return st.Bind(1, task_id).Bind(2, user_id).Bind(3, annotation_id).Run();
}

Status PostgresStore::SaveDraft(Draft* draft) {
  TimeMs now = NowMs();
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Task task, LoadTask(conn, draft->task_id));
    TESSERA_RETURN_IF_ERROR(RequireUser(conn, draft->user_id));
    if (draft->annotation_id) {
      TESSERA_RETURN_IF_ERROR(RequireAnnotationOfTask(conn, *draft->annotation_id, task.id));
    }
    draft->project_id = task.project_id;
    draft->updated_at = now;
    if (draft->created_at == 0) draft->created_at = now;
    // One statement for both cases: the unique key (task, user, annotation)
    // turns a second save into an update that keeps id and created_at.
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st,
        conn.Prepare("INSERT INTO annotation_drafts (task_id, project_id, user_id, annotation_id, "
                     "result, lead_time, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                     "?7, ?8) ON CONFLICT (task_id, user_id, COALESCE(annotation_id, 0)) DO UPDATE "
                     "SET result = excluded.result, lead_time = excluded.lead_time, "
                     "updated_at = excluded.updated_at RETURNING id, created_at"));
    st.Bind(1, draft->task_id).Bind(2, draft->project_id).Bind(3, draft->user_id)
        .Bind(4, draft->annotation_id).Bind(5, draft->result).Bind(6, draft->lead_time)
        .Bind(7, draft->created_at).Bind(8, now);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::Internal("saving a draft returned no row");
    draft->id = st.Int(0);
    draft->created_at = st.Int(1);
    st.Reset();
    return Status::Ok();
  });
}

Result<Draft> PostgresStore::GetDraft(Id id) {
  Result<Draft> out = Status::Internal("unset");
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) {
    out = LoadDraft(conn, id);
    return out.status();
  }));
  return out;
}

Status PostgresStore::UpdateDraft(Draft* draft) {
  TimeMs now = NowMs();
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Draft old, LoadDraft(conn, draft->id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("UPDATE annotation_drafts SET result = ?2, lead_time = ?3, "
                              "updated_at = ?4 WHERE id = ?1"));
    TESSERA_RETURN_IF_ERROR(
        st.Bind(1, draft->id).Bind(2, draft->result).Bind(3, draft->lead_time).Bind(4, now).Run());
    old.result = draft->result;
    old.lead_time = draft->lead_time;
    old.updated_at = now;
    *draft = std::move(old);
    return Status::Ok();
  });
}

Result<std::vector<Draft>> PostgresStore::ListDrafts(Id task_id, Id user_id) {
  std::vector<Draft> drafts;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT " TESSERA_DRAFT_COLUMNS " FROM annotation_drafts "
                              "WHERE task_id = ?1 AND user_id = ?2 ORDER BY id"));
    st.Bind(1, task_id).Bind(2, user_id);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      drafts.push_back(ReadDraft(st));
    }
  }));
  return drafts;
}

Status PostgresStore::DeleteDraft(Id id) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("DELETE FROM annotation_drafts WHERE id = ?1"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, id).Run());
    if (conn.Changes() == 0) return Status::NotFound(DraftNotFound(id));
    return Status::Ok();
  });
}

}  // namespace tessera::postgres
