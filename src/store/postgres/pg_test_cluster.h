// A throw-away PostgreSQL cluster for tests: Debian's initdb/pg_ctl (under
// /usr/lib/postgresql/*/bin) run into a temporary folder, listening on a free
// port of 127.0.0.1 with its unix socket in that folder, trust
// authentication, fsync off. PostgreSQL refuses to run as root, so as root the
// binaries run as the `postgres` system user (runuser) and the folder is
// chowned to it.
//
// Two ways to use it:
//  - shared (ctest): a fixture runs `pg_test_cluster start DIR` before the
//    tests and `pg_test_cluster stop DIR` after them; test processes find the
//    running cluster through DIR/port. One cluster for the whole run keeps each
//    test process fast (no initdb per test).
//  - private: when no shared cluster is running (a test binary run by hand),
//    the first test that needs one starts it in a new temporary folder, and it
//    is stopped and removed when the process exits.
// Each store test gets its own schema (SchemaUrl), which is far cheaper than a
// database per test; the schema lives until the cluster is removed.
//
// Thread-safety: Get() may be called from any thread; a PgTestCluster is
// immutable once started.
#ifndef TESSERA_SRC_STORE_POSTGRES_PG_TEST_CLUSTER_H_
#define TESSERA_SRC_STORE_POSTGRES_PG_TEST_CLUSTER_H_

#include <filesystem>
#include <memory>
#include <string>

#include "tessera/status.h"
#include "tessera/store.h"

namespace tessera::testing {

class PgTestCluster {
 public:
  // The cluster of this process (see above). FailedPrecondition naming the
  // reason when PostgreSQL's binaries are not installed; tests skip then.
  static Result<const PgTestCluster*> Get(const std::string& shared_dir);

  // Starts a cluster in `dir` (created; must not hold one yet) and writes
  // DIR/port. FailedPrecondition when the binaries are missing.
  static Result<PgTestCluster> Start(const std::string& dir);
  // Stops the cluster in `dir` (if any) and removes the folder.
  static void Stop(const std::string& dir);
  // The cluster running in `dir`, if DIR/port names one that answers.
  static Result<PgTestCluster> Find(const std::string& dir);

  // postgresql:// URL of database `postgres` as the superuser.
  std::string url() const;
  // Creates schema `schema` (letters, digits, '_') if it does not exist and
  // returns a URL whose search_path is that schema alone.
  Result<std::string> SchemaUrl(const std::string& schema) const;
  const std::string& dir() const { return dir_; }
  int port() const { return port_; }

 private:
  PgTestCluster(std::string dir, int port) : dir_(std::move(dir)), port_(port) {}
  std::string dir_;
  int port_ = 0;
};

// For the store test suites' StoreFactory: why PostgreSQL tests cannot run
// here ("" when they can; starts or finds the cluster on first use).
std::string PostgresTestsUnavailable();
// Opens a PostgresStore on a schema named after `dir` (each test's temporary
// folder), so reopening on the same folder sees earlier writes.
Result<std::unique_ptr<Store>> OpenTestPostgresStore(const std::filesystem::path& dir);
// The URL of the shared test cluster's database (for tests of the
// connection layer itself).
Result<std::string> TestPostgresUrl();

}  // namespace tessera::testing

#endif  // TESSERA_SRC_STORE_POSTGRES_PG_TEST_CLUSTER_H_
