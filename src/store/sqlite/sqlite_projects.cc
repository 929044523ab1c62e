#include <string>

#include "src/store/project_counters_sql.h"
#include "src/store/sqlite/rows.h"
#include "src/store/sqlite/sqlite_store.h"
#include "tessera/util.h"

namespace tessera::sqlite {
namespace {

Status ValidateProject(const Project& p) {
  if (p.maximum_annotations < 1) {
    return Status::FieldInvalid("maximum_annotations", "maximum_annotations must be at least 1");
  }
  return Status::Ok();
}

// Binds every column but id, created_at (parameters 2..19, id is ?1).
void BindProject(Stmt& st, const Project& p) {
  st.Bind(2, p.title).Bind(3, p.description).Bind(4, p.label_config)
      .Bind(5, p.expert_instruction).Bind(6, p.show_instruction).Bind(7, p.show_skip_button)
      .Bind(8, p.enable_empty_annotation).Bind(9, p.show_annotation_history)
      .Bind(10, p.show_collab_predictions).Bind(11, p.is_published).Bind(12, p.is_draft)
      .Bind(13, p.maximum_annotations).Bind(14, p.sampling).Bind(15, p.color)
      .Bind(16, p.model_version)
      .Bind(17, p.settings.empty() ? std::string_view("{}") : std::string_view(p.settings))
      .BindId(18, p.created_by).Bind(19, p.updated_at);
}

Status UpsertMember(Connection& conn, Id project_id, Id user_id, Role role) {
  TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
  TESSERA_RETURN_IF_ERROR(RequireUser(conn, user_id));
  TESSERA_ASSIGN_OR_RETURN(
      Stmt st, conn.Prepare("INSERT INTO memberships (project_id, user_id, role, created_at) "
                            "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (project_id, user_id) "
                            "DO UPDATE SET role = excluded.role"));
  return st.Bind(1, project_id).Bind(2, user_id).Bind(3, std::string_view(RoleName(role)))
      .Bind(4, NowMs()).Run();
}

}  // namespace

Status SqliteStore::CreateProject(Project* project) {
  TESSERA_RETURN_IF_ERROR(ValidateProject(*project));
  TimeMs now = NowMs();
  if (project->created_at == 0) project->created_at = now;
  if (project->updated_at == 0) project->updated_at = project->created_at;
  if (project->settings.empty()) project->settings = "{}";
  return WriteTxn([&](Connection& conn) -> Status {
    if (project->created_by != 0) TESSERA_RETURN_IF_ERROR(RequireUser(conn, project->created_by));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO projects (" TESSERA_PROJECT_COLUMNS ") VALUES "
                              "(NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                              "?15, ?16, ?17, ?18, ?1, ?19)"));
    BindProject(st, *project);
    st.Bind(1, project->created_at);
    TESSERA_RETURN_IF_ERROR(st.Run());
    project->id = conn.LastInsertId();
    if (project->created_by != 0) {
      TESSERA_RETURN_IF_ERROR(UpsertMember(conn, project->id, project->created_by, Role::kOwner));
    }
    return Status::Ok();
  });
}

Result<Project> SqliteStore::GetProject(Id id) {
  Project project;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("SELECT " TESSERA_PROJECT_COLUMNS " FROM projects WHERE id = ?1"));
    st.Bind(1, id);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound("project " + std::to_string(id) + " not found");
    project = ReadProject(st);
    return Status::Ok();
  }));
  return project;
}

Result<std::vector<Project>> SqliteStore::ListProjects(Id user_id, bool is_admin) {
  std::vector<Project> projects;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    Result<Stmt> prepared =
        is_admin ? conn.Prepare("SELECT " TESSERA_PROJECT_COLUMNS " FROM projects ORDER BY id DESC")
                 : conn.Prepare("SELECT " TESSERA_PROJECT_COLUMNS " FROM projects WHERE id IN "
                                "(SELECT project_id FROM memberships WHERE user_id = ?1) "
                                "ORDER BY id DESC");
    TESSERA_RETURN_IF_ERROR(prepared.status());
    Stmt& st = prepared.value();
    if (!is_admin) st.Bind(1, user_id);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      projects.push_back(ReadProject(st));
    }
  }));
  return projects;
}

Status SqliteStore::UpdateProject(const Project& project) {
  TESSERA_RETURN_IF_ERROR(ValidateProject(project));
  Project p = project;
  p.updated_at = NowMs();
  if (p.settings.empty()) p.settings = "{}";
  return WriteTxn([&](Connection& conn) -> Status {
    int old_maximum = 0;
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, p.id, &old_maximum));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("UPDATE projects SET title = ?2, description = ?3, "
                              "label_config = ?4, expert_instruction = ?5, show_instruction = ?6, "
                              "show_skip_button = ?7, enable_empty_annotation = ?8, "
                              "show_annotation_history = ?9, show_collab_predictions = ?10, "
                              "is_published = ?11, is_draft = ?12, maximum_annotations = ?13, "
                              "sampling = ?14, color = ?15, model_version = ?16, settings = ?17, "
                              "created_by = ?18, updated_at = ?19 WHERE id = ?1"));
    BindProject(st, p);
    st.Bind(1, p.id);
    TESSERA_RETURN_IF_ERROR(st.Run());
    if (old_maximum == p.maximum_annotations) return Status::Ok();
    // The overlap changed: every task's is_labeled depends on it.
    TESSERA_ASSIGN_OR_RETURN(
        Stmt tasks, conn.Prepare("UPDATE tasks SET overlap = ?2, "
                                 "is_labeled = (total_annotations >= ?2) WHERE project_id = ?1"));
    return tasks.Bind(1, p.id).Bind(2, p.maximum_annotations).Run();
  });
}

Status SqliteStore::DeleteProject(Id id) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("DELETE FROM projects WHERE id = ?1"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, id).Run());
    if (conn.Changes() == 0) return Status::NotFound("project " + std::to_string(id) + " not found");
    return Status::Ok();
  });
}

Result<ProjectStats> SqliteStore::GetProjectStats(Id project_id) {
  ProjectStats stats;
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(stats, project_counters_sql::ReadProjectStats(conn, project_id,
                                                                          SqlDialect::kSqlite, nullptr));
    return Status::Ok();
  }));
  return stats;
}

Status SqliteStore::SetMember(Id project_id, Id user_id, Role role) {
  return WriteTxn([&](Connection& conn) { return UpsertMember(conn, project_id, user_id, role); });
}

Status SqliteStore::RemoveMember(Id project_id, Id user_id) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("DELETE FROM memberships WHERE project_id = ?1 AND user_id = ?2"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, project_id).Bind(2, user_id).Run());
    if (conn.Changes() == 0) {
      return Status::NotFound("user " + std::to_string(user_id) + " is not a member of project " +
                              std::to_string(project_id));
    }
    return Status::Ok();
  });
}

Result<std::optional<Role>> SqliteStore::GetRole(Id project_id, Id user_id) {
  std::optional<Role> role;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT role FROM memberships WHERE project_id = ?1 AND user_id = ?2"));
    st.Bind(1, project_id).Bind(2, user_id);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) role = ParseRole(st.Text(0));
    return Status::Ok();
  }));
  return role;
}

Result<std::vector<Membership>> SqliteStore::ListMembers(Id project_id) {
  std::vector<Membership> members;
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT project_id, user_id, role, created_at FROM memberships "
                              "WHERE project_id = ?1 ORDER BY user_id"));
    st.Bind(1, project_id);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      Membership m;
      m.project_id = st.Int(0);
      m.user_id = st.Int(1);
      m.role = ParseRole(st.Text(2)).value_or(Role::kAnnotator);
      m.created_at = st.Int(3);
      members.push_back(m);
    }
  }));
  return members;
}

}  // namespace tessera::sqlite
