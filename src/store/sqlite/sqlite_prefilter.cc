// Pre-filtering results (migration 8): settings, task hashes, task flags.
#include <bit>
#include <string>

#include <nlohmann/json.hpp>

#include "src/store/sqlite/sqlite_store.h"
#include "tessera/util.h"

namespace tessera::sqlite {

Result<std::string> SqliteStore::GetPrefilterSettings(Id project_id) {
  std::string settings;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT settings FROM prefilter_settings WHERE project_id = ?1"));
    st.Bind(1, project_id);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) settings = st.Text(0);
    return Status::Ok();
  }));
  return settings;
}

Status SqliteStore::SetPrefilterSettings(Id project_id, const std::string& settings_json) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO prefilter_settings (project_id, settings, updated_at) "
                              "VALUES (?1, ?2, ?3) ON CONFLICT (project_id) DO UPDATE SET "
                              "settings = excluded.settings, updated_at = excluded.updated_at"));
    return st.Bind(1, project_id).Bind(2, settings_json).Bind(3, NowMs()).Run();
  });
}

Result<std::vector<TaskHash>> SqliteStore::ListTaskHashes(Id project_id) {
  std::vector<TaskHash> out;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT task_id, kind, value FROM task_hashes WHERE project_id = ?1 "
                              "ORDER BY task_id, kind"));
    st.Bind(1, project_id);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out.push_back({st.Int(0), st.Text(1), std::bit_cast<uint64_t>(st.Int(2))});
    }
    return Status::Ok();
  }));
  return out;
}

Status SqliteStore::RecordPrefilter(Id project_id, std::span<const TaskHash> hashes,
                                    std::span<const TaskFlag> flags) {
  TimeMs now = NowMs();
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    // The task must belong to the project: the INSERT ... SELECT inserts
    // nothing otherwise, which is reported.
    TESSERA_ASSIGN_OR_RETURN(
        Stmt hash, conn.Prepare("INSERT INTO task_hashes (task_id, project_id, kind, value) "
                                "SELECT id, project_id, ?3, ?4 FROM tasks WHERE id = ?1 AND "
                                "project_id = ?2 ON CONFLICT (task_id, kind) DO UPDATE SET "
                                "value = excluded.value"));
    for (const TaskHash& h : hashes) {
      TESSERA_RETURN_IF_ERROR(hash.Bind(1, h.task_id)
                                  .Bind(2, project_id)
                                  .Bind(3, h.kind)
                                  .Bind(4, std::bit_cast<int64_t>(h.value))
                                  .Run());
      if (conn.Changes() == 0) {
        return Status::InvalidArgument("task " + std::to_string(h.task_id) +
                                       " is not in project " + std::to_string(project_id));
      }
      hash.Reset();
    }
    TESSERA_ASSIGN_OR_RETURN(
        Stmt flag, conn.Prepare("INSERT INTO task_flags (task_id, project_id, reason, detail, "
                                "created_at) SELECT id, project_id, ?3, ?4, ?5 FROM tasks WHERE "
                                "id = ?1 AND project_id = ?2 ON CONFLICT (task_id) DO UPDATE SET "
                                "reason = excluded.reason, detail = excluded.detail, "
                                "created_at = excluded.created_at"));
    for (const TaskFlag& f : flags) {
      TESSERA_RETURN_IF_ERROR(flag.Bind(1, f.task_id)
                                  .Bind(2, project_id)
                                  .Bind(3, f.reason)
                                  .Bind(4, f.detail)
                                  .Bind(5, f.created_at ? f.created_at : now)
                                  .Run());
      if (conn.Changes() == 0) {
        return Status::InvalidArgument("task " + std::to_string(f.task_id) +
                                       " is not in project " + std::to_string(project_id));
      }
      flag.Reset();
    }
    return Status::Ok();
  });
}

Result<std::vector<TaskFlag>> SqliteStore::ListTaskFlags(Id project_id, std::string_view reason,
                                                         Id after_task_id, int64_t limit) {
  std::vector<TaskFlag> out;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT task_id, reason, detail, created_at FROM task_flags WHERE "
                              "project_id = ?1 AND (?2 = '' OR reason = ?2) AND task_id > ?3 "
                              "ORDER BY task_id LIMIT ?4"));
    st.Bind(1, project_id).Bind(2, reason).Bind(3, after_task_id).Bind(4, limit);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out.push_back({st.Int(0), st.Text(1), st.Text(2), st.Int(3)});
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<std::pair<std::string, int64_t>>> SqliteStore::CountTaskFlags(Id project_id) {
  std::vector<std::pair<std::string, int64_t>> out;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT reason, COUNT(*) FROM task_flags WHERE project_id = ?1 "
                              "GROUP BY reason ORDER BY reason"));
    st.Bind(1, project_id);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out.emplace_back(st.Text(0), st.Int(1));
    }
    return Status::Ok();
  }));
  return out;
}

Result<int64_t> SqliteStore::ReleaseTaskFlags(Id project_id, const TaskSelection& selection,
                                              std::string_view reason) {
  int64_t released = 0;
  TESSERA_RETURN_IF_ERROR(WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireProject(conn, project_id));
    if (selection.all) {
      // Every flag of the project except the excluded tasks (passed as one
      // JSON array, so the statement stays the same whatever their number).
      TESSERA_ASSIGN_OR_RETURN(
          Stmt st, conn.Prepare("DELETE FROM task_flags WHERE project_id = ?1 AND "
                                "(?2 = '' OR reason = ?2) AND task_id NOT IN "
                                "(SELECT value FROM json_each(?3))"));
      std::string excluded = nlohmann::json(selection.ids).dump();
      TESSERA_RETURN_IF_ERROR(st.Bind(1, project_id).Bind(2, reason).Bind(3, excluded).Run());
      released = conn.Changes();
      return Status::Ok();
    }
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("DELETE FROM task_flags WHERE task_id = ?1 AND project_id = ?2 AND "
                              "(?3 = '' OR reason = ?3)"));
    for (Id id : selection.ids) {
      TESSERA_RETURN_IF_ERROR(st.Bind(1, id).Bind(2, project_id).Bind(3, reason).Run());
      released += conn.Changes();
      st.Reset();
    }
    return Status::Ok();
  }));
  return released;
}

}  // namespace tessera::sqlite
