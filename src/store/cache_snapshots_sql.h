// The cache-snapshot statements (migration 15) shared by the SQLite and the
// PostgreSQL store: templates over the connection type, each run by the
// store inside its own transaction after its own project check
// (SqliteStore/PostgresStore::*CacheSnapshot are thin wrappers).
#ifndef TESSERA_SRC_STORE_CACHE_SNAPSHOTS_SQL_H_
#define TESSERA_SRC_STORE_CACHE_SNAPSHOTS_SQL_H_

#include <string>

#include "tessera/store.h"

namespace tessera::cache_snapshots_sql {

// Saves (or replaces) the project's snapshot of `kind`.
template <typename Conn>
Status Save(Conn& conn, Id project_id, const std::string& kind, const CacheSnapshot& snapshot) {
  TESSERA_ASSIGN_OR_RETURN(
      auto st, conn.Prepare("INSERT INTO cache_snapshots (project_id, kind, seq, saved_at, body) "
                            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (project_id, kind) DO UPDATE SET "
                            "seq = excluded.seq, saved_at = excluded.saved_at, body = excluded.body"));
  return st.Bind(1, project_id).Bind(2, kind).Bind(3, snapshot.seq).Bind(4, snapshot.saved_at)
      .Bind(5, snapshot.body).Run();
}

// The project's snapshot of `kind` into *out; NotFound when none is saved.
template <typename Conn>
Status Get(Conn& conn, Id project_id, const std::string& kind, CacheSnapshot* out) {
  TESSERA_ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT seq, saved_at, body FROM cache_snapshots "
                                                 "WHERE project_id = ?1 AND kind = ?2"));
  st.Bind(1, project_id).Bind(2, kind);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound("no " + kind + " snapshot of project " + std::to_string(project_id));
  out->seq = st.Int(0);
  out->saved_at = st.Int(1);
  out->body = st.Text(2);
  return Status::Ok();
}

}  // namespace tessera::cache_snapshots_sql

#endif  // TESSERA_SRC_STORE_CACHE_SNAPSHOTS_SQL_H_
