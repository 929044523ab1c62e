// Moving a Tessera database from SQLite to PostgreSQL (`tessera migrate`,
// issue 7): every project, or the listed ones, with all their history.
//
// The copy is table by table at the SQL level, driven by the schema itself
// (the source's table and column lists), so tables added by later migrations
// are copied without code changes; a table or column the copier cannot place
// (unknown type, a column that may hold user ids but is not declared as such)
// stops it with a message naming it.
//
// What is kept and what is mapped:
//  - Ids are kept (tasks, annotations, projects, ...): exports, URLs and ids
//    inside JSON (guideline examples, flags, the audit log) stay valid. So the
//    target must not already hold rows with those ids: a clash aborts the
//    whole migration, naming the table and the id. Moving the projects of one
//    source in several runs works (their ids never clash), and the target's
//    id sequences are advanced past the source's, so rows created on the
//    target in between cannot clash either.
//  - Users are matched by email: a source user whose email already exists in
//    the target becomes that user everywhere (their target password and token
//    stay), and the report says so; other users are copied with their
//    password hash and API token, keeping their id unless the target uses it.
//  - Not copied: sign-in sessions (people sign in again), `next` locks
//    (leases) and the statistics change log (see kSkippedTables in
//    src/store/migrate_plan.cc).
//
// The target is written in one transaction that also checks, before it
// commits, that every table received exactly the rows it should (the counts
// in the report): a failure at any point leaves the target untouched. The
// source is read in one read transaction (a consistent snapshot even while a
// server still writes to it) and never written, except that both databases
// are first brought to the latest schema version.
//
// Thread-safety: MigrateSqliteToPostgres may run from any thread; it opens its
// own connections.
#ifndef TESSERA_MIGRATE_H_
#define TESSERA_MIGRATE_H_

#include <string>
#include <vector>

#include "tessera/model.h"
#include "tessera/status.h"

namespace tessera {

struct MigrateOptions {
  std::string sqlite_path;   // source database file (must exist)
  std::string postgres_url;  // target: a libpq postgresql:// URL
  // Only these projects (with the users their rows name); empty: everything,
  // including site-wide webhooks and site-wide audit entries.
  std::vector<Id> project_ids;
  bool dry_run = false;  // copy and check, then roll back
};

// One table's counts.
struct MigrateTableReport {
  std::string table;
  int64_t source_rows = 0;  // rows of the source to move
  int64_t copied = 0;       // rows inserted into the target
  int64_t matched = 0;      // source rows the target already had (users by email, their tokens)
  int64_t target_rows = 0;  // the target's rows in scope after the copy
  std::string skipped;      // why the table was not copied ("" when it was)
};

// A source user who is a different id in the target.
struct MigrateUserMapping {
  std::string email;
  Id source_id = 0;
  Id target_id = 0;
  bool existing = false;  // matched by email (else: copied under a new id)
};

struct MigrateReport {
  int schema_version = 0;
  std::vector<Id> project_ids;  // as in the options (empty: everything)
  bool committed = false;       // false for a dry run
  std::vector<MigrateTableReport> tables;  // in copy order, skipped tables last
  std::vector<MigrateUserMapping> users;
  // A plain-text table of the counts and the user mappings.
  std::string Summary() const;
};

// See the header comment. NotFound when the source file or a listed project
// does not exist; FailedPrecondition for schemas that differ or that the
// copier cannot handle; AlreadyExists naming the table and id on a clash.
Result<MigrateReport> MigrateSqliteToPostgres(const MigrateOptions& options);

}  // namespace tessera

#endif  // TESSERA_MIGRATE_H_
