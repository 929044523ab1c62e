// Online backup and integrity check of the SQLite database.
#include <cstdio>

#include "src/store/sqlite/sqlite_store.h"

namespace tessera::sqlite {

Status SqliteStore::BackupTo(const std::string& path) {
  // SQLite's online backup API on a pooled read connection: copying every
  // page in one step holds one read transaction, so the copy is that
  // snapshot while writers go on (WAL). The copy is written to a new file.
  if (std::FILE* existing = std::fopen(path.c_str(), "rb")) {
    std::fclose(existing);
    return Status::AlreadyExists("backup target " + path + " already exists");
  }
  return Read([&](Connection& conn) -> Status {
    sqlite3* dest = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = dest ? sqlite3_errmsg(dest) : sqlite3_errstr(rc);
      sqlite3_close(dest);
      return Status::IOError("cannot create backup " + path + ": " + message);
    }
    sqlite3_backup* backup = sqlite3_backup_init(dest, "main", conn.db(), "main");
    if (backup == nullptr) {
      std::string message = sqlite3_errmsg(dest);
      sqlite3_close(dest);
      return Status::IOError("backup to " + path + " failed: " + message);
    }
    rc = sqlite3_backup_step(backup, -1);
    sqlite3_backup_finish(backup);
    std::string message = rc == SQLITE_DONE ? "" : sqlite3_errstr(rc);
    // The copy is a rollback-journal database on its own, fsynced before close.
    if (rc == SQLITE_DONE) sqlite3_exec(dest, "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr);
    sqlite3_close(dest);
    if (rc != SQLITE_DONE) return Status::IOError("backup to " + path + " failed: " + message);
    return Status::Ok();
  });
}

Status SqliteStore::CheckIntegrity() {
  std::string problems;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("PRAGMA integrity_check(20)"));
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      std::string line = st.Text(0);
      if (line != "ok") problems += (problems.empty() ? "" : "; ") + line;
    }
    TESSERA_ASSIGN_OR_RETURN(Stmt fk, conn.Prepare("PRAGMA foreign_key_check"));
    TESSERA_ASSIGN_OR_RETURN(bool orphan, fk.Step());
    if (orphan) problems += (problems.empty() ? "" : "; ") + std::string("a row of table ") + fk.Text(0) +
                            " refers to a missing " + fk.Text(2);
    return Status::Ok();
  }));
  if (!problems.empty()) return Status::Corruption("database integrity check failed: " + problems);
  return Status::Ok();
}

}  // namespace tessera::sqlite
