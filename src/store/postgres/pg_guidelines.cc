// Project guidelines as versioned documents, and who acknowledged which
// version (migration 6).
#include <string>

#include "src/store/postgres/postgres_store.h"
#include "tessera/util.h"

namespace tessera::postgres {
namespace {

#define TESSERA_GUIDELINE_COLUMNS "project_id, version, body, note, author_id, examples, created_at"

GuidelineVersion ReadGuideline(const Stmt& st) {
  GuidelineVersion g;
  g.project_id = st.Int(0);
  g.version = st.Int32(1);
  g.text = st.Text(2);
  g.note = st.Text(3);
  g.author_id = st.Int(4);
  g.examples = st.Text(5);
  g.created_at = st.Int(6);
  return g;
}

Status RequireGuideline(Connection& conn, Id project_id, int version) {
  TESSERA_ASSIGN_OR_RETURN(
      Stmt st, conn.Prepare("SELECT 1 FROM guideline_versions WHERE project_id = ?1 AND version = ?2"));
  st.Bind(1, project_id).Bind(2, version);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) {
    return Status::NotFound("guideline version " + std::to_string(version) + " of project " +
                            std::to_string(project_id) + " not found");
  }
  return Status::Ok();
}

}  // namespace

Status PostgresStore::PublishGuideline(GuidelineVersion* g) {
  if (g->created_at == 0) g->created_at = NowMs();
  if (g->examples.empty()) g->examples = "[]";
  return WriteTxn([&](Connection& conn) -> Status {
    {  // Locks the project row: publishers of one project take turns, so
       // MAX + 1 is safe.
      TESSERA_ASSIGN_OR_RETURN(
          Stmt st, conn.Prepare("SELECT 1 FROM projects WHERE id = ?1 FOR NO KEY UPDATE"));
      st.Bind(1, g->project_id);
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::NotFound("project " + std::to_string(g->project_id) + " not found");
    }
    TESSERA_ASSIGN_OR_RETURN(
        Stmt next, conn.Prepare("SELECT COALESCE(MAX(version), 0) + 1 FROM guideline_versions "
                                "WHERE project_id = ?1"));
    next.Bind(1, g->project_id);
    TESSERA_RETURN_IF_ERROR(next.Step().status());
    g->version = next.Int32(0);
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO guideline_versions (" TESSERA_GUIDELINE_COLUMNS
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    return st.Bind(1, g->project_id)
        .Bind(2, g->version)
        .Bind(3, g->text)
        .Bind(4, g->note)
        .BindId(5, g->author_id)
        .Bind(6, g->examples)
        .Bind(7, g->created_at)
        .Run();
  });
}

Result<std::vector<GuidelineVersion>> PostgresStore::ListGuidelines(Id project_id) {
  std::vector<GuidelineVersion> out;
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT " TESSERA_GUIDELINE_COLUMNS " FROM guideline_versions "
                              "WHERE project_id = ?1 ORDER BY version DESC"));
    st.Bind(1, project_id);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      out.push_back(ReadGuideline(st));
    }
  }));
  return out;
}

Result<GuidelineVersion> PostgresStore::GetGuideline(Id project_id, int version) {
  Result<GuidelineVersion> out = Status::Internal("unset");
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT " TESSERA_GUIDELINE_COLUMNS " FROM guideline_versions "
                              "WHERE project_id = ?1 AND version = ?2"));
    st.Bind(1, project_id).Bind(2, version);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) {
      return Status::NotFound("guideline version " + std::to_string(version) + " of project " +
                              std::to_string(project_id) + " not found");
    }
    out = ReadGuideline(st);
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::AcknowledgeGuideline(Id project_id, Id user_id, int version, TimeMs now) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireGuideline(conn, project_id, version));
    TESSERA_RETURN_IF_ERROR(RequireUser(conn, user_id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO guideline_acks (project_id, user_id, version, "
                              "acknowledged_at) VALUES (?1, ?2, ?3, ?4) "
                              "ON CONFLICT (project_id, user_id, version) DO NOTHING"));
    return st.Bind(1, project_id).Bind(2, user_id).Bind(3, version).Bind(4, now).Run();
  });
}

Result<GuidelineStatus> PostgresStore::GetGuidelineStatus(Id project_id, Id user_id) {
  GuidelineStatus out;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT (SELECT COALESCE(MAX(version), 0) FROM guideline_versions "
                              "WHERE project_id = ?1), (SELECT COALESCE(MAX(version), 0) FROM "
                              "guideline_acks WHERE project_id = ?1 AND user_id = ?2)"));
    st.Bind(1, project_id).Bind(2, user_id);
    TESSERA_RETURN_IF_ERROR(st.Step().status());
    out.latest = st.Int32(0);
    out.acknowledged = st.Int32(1);
    return Status::Ok();
  }));
  return out;
}

}  // namespace tessera::postgres
