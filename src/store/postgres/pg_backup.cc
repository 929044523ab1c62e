// Backup and integrity check on PostgreSQL: backups are the database's own
// business (pg_dump, base backups with WAL archiving), not a file copy.
#include "src/store/postgres/postgres_store.h"

namespace tessera::postgres {

Status PostgresStore::BackupTo(const std::string& path) {
  return Status::FailedPrecondition(
      "tessera backup copies a SQLite database; this server uses PostgreSQL: back it up with "
      "pg_dump (e.g. pg_dump --format=custom --file=" + path +
      ".dump DBNAME) and copy the --data folder for media (see docs/reliability.md)");
}

// PostgreSQL enforces foreign keys and checks pages itself; what can still
// go wrong from Tessera's side is a schema that is not what this build
// expects, or counters that disagree with the rows they count.
Status PostgresStore::CheckIntegrity() {
  std::string problems;
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt version, conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    TESSERA_ASSIGN_OR_RETURN(bool row, version.Step());
    if (!row || version.Int(0) <= 0) problems = "no schema_migrations rows";
    TESSERA_ASSIGN_OR_RETURN(
        Stmt counters,
        conn.Prepare("SELECT t.id FROM tasks t WHERE t.total_annotations <> (SELECT COUNT(*) "
                     "FROM annotations a WHERE a.task_id = t.id AND NOT a.was_cancelled) "
                     "ORDER BY t.id LIMIT 5"));
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool bad, counters.Step());
      if (!bad) break;
      problems += (problems.empty() ? "" : "; ") + std::string("task ") +
                  std::to_string(counters.Int(0)) + " has a wrong annotation count";
    }
    return Status::Ok();
  }));
  if (!problems.empty()) return Status::Corruption("database integrity check failed: " + problems);
  return Status::Ok();
}

}  // namespace tessera::postgres
