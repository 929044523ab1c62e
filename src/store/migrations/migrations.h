// The database schema as one ordered list of numbered migrations.
//
// The SQL is written once, in portable SQL that both SQLite and PostgreSQL
// accept, so every Store implementation applies the same list. Two dialect
// differences remain: how an auto-assigned 64-bit id column is declared,
// written as the placeholder ${ID_PK} and filled in by RenderMigrationSql;
// and engine-only features (SQLite's FTS5 full-text table, a PostgreSQL GIN
// index), which a migration lists in sqlite_sql / postgres_sql, run after its
// portable `sql` on that engine only (MigrationSql puts them together). Both
// variants must give the stores what they query: see the migration's comment.
//
// Rules for adding a migration: append it with the next version number; never
// edit or reorder one that has shipped. Each migration is applied in its own
// transaction and recorded in schema_migrations.
//
// Thread-safety: immutable data; safe from any thread.
#ifndef TESSERA_SRC_STORE_MIGRATIONS_MIGRATIONS_H_
#define TESSERA_SRC_STORE_MIGRATIONS_MIGRATIONS_H_

#include <span>
#include <string>
#include <string_view>

namespace tessera {

struct Migration {
  int version;            // 1, 2, 3, ... in order
  std::string_view name;  // short description, recorded in schema_migrations
  std::string_view sql;   // one or more statements separated by ';'
  std::string_view sqlite_sql = {};    // extra statements for SQLite only
  std::string_view postgres_sql = {};  // extra statements for PostgreSQL only
};

enum class SqlDialect { kSqlite, kPostgres };

// All migrations, ordered by version.
std::span<const Migration> Migrations();

// The highest version in Migrations().
int LatestSchemaVersion();

// DDL for the table that records applied migrations (portable; idempotent).
std::string_view SchemaMigrationsTableSql();

// `sql` with the dialect placeholders replaced.
std::string RenderMigrationSql(std::string_view sql, SqlDialect dialect);

// Everything a migration runs on `dialect`: its portable sql, then its
// dialect-only statements, rendered.
std::string MigrationSql(const Migration& migration, SqlDialect dialect);

}  // namespace tessera

#endif  // TESSERA_SRC_STORE_MIGRATIONS_MIGRATIONS_H_
