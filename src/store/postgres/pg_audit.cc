// The audit log of administrative actions (migration 5).
#include <string>

#include "src/store/postgres/postgres_store.h"
#include "tessera/util.h"

namespace tessera::postgres {

Status PostgresStore::RecordAudit(AuditEntry* entry) {
  if (entry->action.empty()) return Status::InvalidArgument("audit entry without an action");
  if (entry->created_at == 0) entry->created_at = NowMs();
  if (entry->detail.empty()) entry->detail = "{}";
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO audit_log (created_at, user_id, action, project_id, "
                              "object_type, object_id, detail, request_id) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, entry->created_at)
                                .Bind(2, entry->user_id)
                                .Bind(3, entry->action)
                                .Bind(4, entry->project_id)
                                .Bind(5, entry->object_type)
                                .Bind(6, entry->object_id)
                                .Bind(7, entry->detail)
                                .Bind(8, entry->request_id)
                                .Run());
    entry->id = conn.LastInsertId();
    return Status::Ok();
  });
}

Result<std::vector<AuditEntry>> PostgresStore::ListAudit(const AuditQuery& query) {
  std::vector<AuditEntry> out;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    // One statement; a zero/empty filter matches everything. A trailing '.'
    // in the action filter matches the whole family ("task." -> "task.*").
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st,
        conn.Prepare("SELECT id, created_at, user_id, action, project_id, object_type, object_id, "
                     "detail, request_id FROM audit_log WHERE (?1 = 0 OR project_id = ?1) AND "
                     "(?2 = '' OR action = ?2 OR (right(?2, 1) = '.' AND "
                     "substr(action, 1, length(?2)) = ?2)) AND (?3 = 0 OR user_id = ?3) AND "
                     "(?4 = 0 OR id < ?4) ORDER BY id DESC LIMIT ?5"));
    st.Bind(1, query.project_id)
        .Bind(2, query.action)
        .Bind(3, query.user_id)
        .Bind(4, query.before_id)
        .Bind(5, static_cast<int64_t>(query.limit));
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      AuditEntry e;
      e.id = st.Int(0);
      e.created_at = st.Int(1);
      e.user_id = st.Int(2);
      e.action = st.Text(3);
      e.project_id = st.Int(4);
      e.object_type = st.Text(5);
      e.object_id = st.Int(6);
      e.detail = st.Text(7);
      e.request_id = st.Text(8);
      out.push_back(std::move(e));
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace tessera::postgres
