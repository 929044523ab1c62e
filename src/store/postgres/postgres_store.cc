#include "src/store/postgres/postgres_store.h"

#include <string>

#include "src/store/migrations/migrations.h"
#include "src/store/postgres/pg_rows.h"
#include "tessera/util.h"

namespace tessera {
namespace postgres {

// ---- migrations ----

namespace {

// The key of the advisory lock that migrations hold (any fixed number; it
// only has to differ from the change log's, see pg_changes.cc).
constexpr int64_t kMigrationLockKey = 0x7465737365726131;  // "tessera1"

std::string NewerSchemaMessage(int64_t current) {
  return "database schema version " + std::to_string(current) +
         " is newer than this build of Tessera supports (version " +
         std::to_string(LatestSchemaVersion()) +
         "); upgrade Tessera or open a different database";
}

Result<int64_t> SchemaVersion(Connection& conn) {
  TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : int64_t{0};
}

}  // namespace

Status PostgresStore::Migrate() {
  TESSERA_ASSIGN_OR_RETURN(Lease lease, pool_->Acquire());
  Connection& conn = lease.conn();
  for (const Migration& migration : Migrations()) {
    Status status = RunInTransaction(conn, TxnKind::kReadWrite, [&](Connection& c) -> Status {
      // Servers starting together take turns: the second one finds the
      // migration applied once it gets the lock.
      TESSERA_ASSIGN_OR_RETURN(Stmt lock, c.Prepare("SELECT pg_advisory_xact_lock(?1)"));
      TESSERA_RETURN_IF_ERROR(lock.Bind(1, kMigrationLockKey).Run());
      TESSERA_RETURN_IF_ERROR(c.Exec(SchemaMigrationsTableSql()));
      TESSERA_ASSIGN_OR_RETURN(int64_t current, SchemaVersion(c));
      if (current > LatestSchemaVersion()) return Status::FailedPrecondition(NewerSchemaMessage(current));
      if (current >= migration.version) return Status::Ok();
      Status applied = c.Exec(MigrationSql(migration, SqlDialect::kPostgres));
      if (!applied.ok()) {
        return applied.WithPrefix("applying migration " + std::to_string(migration.version) +
                                  " (" + std::string(migration.name) + ")");
      }
      TESSERA_ASSIGN_OR_RETURN(
          Stmt record,
          c.Prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)"));
      record.Bind(1, migration.version).Bind(2, migration.name).Bind(3, NowMs());
      return record.Run();
    });
    TESSERA_RETURN_IF_ERROR(status);
  }
  // Also covers a database with no migrations pending but a newer version.
  TESSERA_ASSIGN_OR_RETURN(int64_t current, SchemaVersion(conn));
  if (current > LatestSchemaVersion()) return Status::FailedPrecondition(NewerSchemaMessage(current));
  return Status::Ok();
}

// ---- shared helpers ----

Status RequireProject(Connection& conn, Id project_id, int* maximum_annotations) {
  TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("SELECT maximum_annotations FROM projects WHERE id = ?1"));
  st.Bind(1, project_id);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound("project " + std::to_string(project_id) + " not found");
  if (maximum_annotations != nullptr) *maximum_annotations = st.Int32(0);
  return Status::Ok();
}

Status RequireUser(Connection& conn, Id user_id) {
  TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("SELECT 1 FROM users WHERE id = ?1"));
  st.Bind(1, user_id);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound("user " + std::to_string(user_id) + " not found");
  return Status::Ok();
}

// ---- users ----

namespace {

Result<User> QueryUser(Connection& conn, const char* sql, auto key, const std::string& what) {
  TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(sql));
  st.Bind(1, key);
  TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound(what + " not found");
  return ReadUser(st);
}

}  // namespace

Status PostgresStore::CreateUser(User* user) {
  user->email = ToLower(Trim(user->email));
  if (user->email.empty()) return Status::FieldInvalid("email", "email must not be empty");
  if (user->created_at == 0) user->created_at = NowMs();
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO users (email, username, first_name, last_name, "
                              "password_hash, is_admin, is_active, created_at, last_activity) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id"));
    st.Bind(1, user->email).Bind(2, user->username).Bind(3, user->first_name)
        .Bind(4, user->last_name).Bind(5, user->password_hash).Bind(6, user->is_admin)
        .Bind(7, user->is_active).Bind(8, user->created_at).Bind(9, user->last_activity);
    Status status = st.Run();
    if (status.code() == Code::kAlreadyExists) {
      return Status::AlreadyExists("a user with email " + user->email + " already exists");
    }
    TESSERA_RETURN_IF_ERROR(status);
    user->id = conn.LastInsertId();
    return Status::Ok();
  });
}

Result<User> PostgresStore::GetUser(Id id) {
  Result<User> out = Status::Internal("unset");
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    out = QueryUser(conn, "SELECT " TESSERA_USER_COLUMNS " FROM users WHERE id = ?1", id,
                    "user " + std::to_string(id));
    return out.status();
  }));
  return out;
}

Result<User> PostgresStore::GetUserByEmail(const std::string& email) {
  std::string lower = ToLower(Trim(email));
  Result<User> out = Status::Internal("unset");
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    out = QueryUser(conn, "SELECT " TESSERA_USER_COLUMNS " FROM users WHERE email = ?1",
                    std::string_view(lower), "user with email " + lower);
    return out.status();
  }));
  return out;
}

Result<std::vector<User>> PostgresStore::ListUsers() {
  std::vector<User> users;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("SELECT " TESSERA_USER_COLUMNS " FROM users ORDER BY id"));
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      users.push_back(ReadUser(st));
    }
  }));
  return users;
}

Status PostgresStore::UpdateUser(const User& user) {
  std::string email = ToLower(Trim(user.email));
  if (email.empty()) return Status::FieldInvalid("email", "email must not be empty");
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("UPDATE users SET email = ?2, username = ?3, first_name = ?4, "
                              "last_name = ?5, password_hash = ?6, is_admin = ?7, is_active = ?8, "
                              "last_activity = ?9 WHERE id = ?1"));
    st.Bind(1, user.id).Bind(2, email).Bind(3, user.username).Bind(4, user.first_name)
        .Bind(5, user.last_name).Bind(6, user.password_hash).Bind(7, user.is_admin)
        .Bind(8, user.is_active).Bind(9, user.last_activity);
    Status status = st.Run();
    if (status.code() == Code::kAlreadyExists) {
      return Status::AlreadyExists("a user with email " + email + " already exists");
    }
    TESSERA_RETURN_IF_ERROR(status);
    if (conn.Changes() == 0) return Status::NotFound("user " + std::to_string(user.id) + " not found");
    return Status::Ok();
  });
}

Status PostgresStore::TouchUser(Id user_id, TimeMs now) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("UPDATE users SET last_activity = ?2 WHERE id = ?1"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, user_id).Bind(2, now).Run());
    if (conn.Changes() == 0) return Status::NotFound("user " + std::to_string(user_id) + " not found");
    return Status::Ok();
  });
}

// ---- API tokens ----
// The token itself is kept (Label Studio shows it again on the account page);
// lookups go through the unique index on its SHA-256 and then compare the
// stored token in constant time.

Status PostgresStore::SetApiToken(Id user_id, const std::string& token) {
  if (token.empty()) return Status::FieldInvalid("token", "API token must not be empty");
  std::string hash = Sha256Hex(token);
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireUser(conn, user_id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO api_tokens (user_id, token, token_hash, created_at) "
                              "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (user_id) DO UPDATE SET "
                              "token = excluded.token, token_hash = excluded.token_hash, "
                              "created_at = excluded.created_at"));
    st.Bind(1, user_id).Bind(2, token).Bind(3, hash).Bind(4, NowMs());
    Status status = st.Run();
    if (status.code() == Code::kAlreadyExists) {
      return Status::AlreadyExists("this API token is already in use");
    }
    return status;
  });
}

Result<std::string> PostgresStore::GetApiToken(Id user_id) {
  std::string token;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("SELECT token FROM api_tokens WHERE user_id = ?1"));
    st.Bind(1, user_id);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound("user " + std::to_string(user_id) + " has no API token");
    token = st.Text(0);
    return Status::Ok();
  }));
  return token;
}

Result<User> PostgresStore::FindUserByApiToken(const std::string& token) {
  std::string hash = Sha256Hex(token);
  Result<User> out = Status::NotFound("no user has this API token");
  TESSERA_RETURN_IF_ERROR(ReadTxn([&](Connection& conn) -> Status {
    Id user_id = 0;
    {
      TESSERA_ASSIGN_OR_RETURN(
          Stmt st, conn.Prepare("SELECT user_id, token FROM api_tokens WHERE token_hash = ?1"));
      st.Bind(1, hash);
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row || !ConstantTimeEquals(st.Text(1), token)) return out.status();
      user_id = st.Int(0);
    }
    out = QueryUser(conn, "SELECT " TESSERA_USER_COLUMNS " FROM users WHERE id = ?1", user_id,
                    "user " + std::to_string(user_id));
    return out.status();
  }));
  return out;
}

// ---- sessions ----

Status PostgresStore::CreateSession(const Session& session) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, "
                              "expires_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
    st.Bind(1, session.token_hash).Bind(2, session.user_id).Bind(3, session.csrf_token)
        .Bind(4, session.created_at == 0 ? NowMs() : session.created_at)
        .Bind(5, session.expires_at);
    Status status = st.Run();
    if (status.code() == Code::kInvalidArgument) {  // foreign key: no such user
      return Status::NotFound("user " + std::to_string(session.user_id) + " not found");
    }
    return status;
  });
}

Result<Session> PostgresStore::GetSession(const std::string& token_hash) {
  Session session;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("SELECT token_hash, user_id, csrf_token, created_at, expires_at "
                              "FROM sessions WHERE token_hash = ?1"));
    st.Bind(1, token_hash);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound("session not found");
    session.token_hash = st.Text(0);
    session.user_id = st.Int(1);
    session.csrf_token = st.Text(2);
    session.created_at = st.Int(3);
    session.expires_at = st.Int(4);
    return Status::Ok();
  }));
  return session;
}

// Deleting a session that is already gone is not an error: logout is idempotent.
Status PostgresStore::DeleteSession(const std::string& token_hash) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("DELETE FROM sessions WHERE token_hash = ?1"));
    return st.Bind(1, token_hash).Run();
  });
}

Status PostgresStore::DeleteExpiredSessions(TimeMs now) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("DELETE FROM sessions WHERE expires_at <= ?1"));
    return st.Bind(1, now).Run();
  });
}

}  // namespace postgres

Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options) {
  auto pool = std::make_unique<postgres::ConnectionPool>(options.url, options.connections);
  auto store = std::make_unique<postgres::PostgresStore>(std::move(pool));
  TESSERA_RETURN_IF_ERROR(store->Migrate().WithPrefix("opening the PostgreSQL database"));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace tessera
