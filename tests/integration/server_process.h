// Starts the real `tessera` binary on a free port with a fresh data folder,
// creates an admin user, and stops the process at the end of the test.
//
// With TESSERA_TEST_DATABASE=postgres in the environment, every server (and
// every CLI command run through AddUser/DatabaseArgs) uses a fresh schema of
// the throw-away PostgreSQL test cluster (src/store/postgres/pg_test_cluster.h)
// through --database instead of SQLite in the data folder.
#ifndef TESSERA_TESTS_INTEGRATION_SERVER_PROCESS_H_
#define TESSERA_TESTS_INTEGRATION_SERVER_PROCESS_H_

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tessera/store.h"

namespace tessera::testing {

// Path of the built binary (TESSERA_BINARY_DIR/tessera).
std::string TesseraBinary();
// Repository root (TESSERA_SOURCE_DIR).
std::filesystem::path SourceDir();

// Runs `tessera args...` to completion; returns exit code, captures stdout.
int RunTessera(const std::vector<std::string>& args, std::string* out = nullptr,
               std::string* err = nullptr);

class ServerProcess {
 public:
  ServerProcess();   // new temp data folder
  ~ServerProcess();  // SIGTERM, wait, remove the folder (and the log)
  // Another server on `first`'s data folder and database (the load-balancer
  // test): its own log file; only `first` removes the folder.
  static std::unique_ptr<ServerProcess> SharingWith(const ServerProcess& first);

  // Starts `tessera serve` and waits until it accepts connections.
  // `extra_args` go after the defaults (e.g. {"--max-body-mb", "1"}; added for
  // the security tests).
  void Start(const std::vector<std::string>& extra_args = {});
  void Stop();
  // SIGKILL, for crash tests.
  void Kill();

  int port() const { return port_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  // Where the server's stderr (its JSON log lines) is copied, as it arrives.
  const std::filesystem::path& log_path() const { return log_path_; }
  // Creates a user with the CLI; returns its API token.
  std::string AddUser(const std::string& email, const std::string& password, bool admin);

  // {"--database", URL} when the server runs on PostgreSQL, else {}: append
  // to CLI commands that open the server's store.
  std::vector<std::string> DatabaseArgs() const;
  // Opens the server's store directly (to seed data before Start()).
  Result<std::unique_ptr<Store>> OpenStore() const;

 private:
  std::filesystem::path data_dir_;
  std::filesystem::path log_path_;
  bool owns_data_dir_ = true;
  std::string database_url_;  // empty: SQLite in data_dir_
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace tessera::testing

#endif  // TESSERA_TESTS_INTEGRATION_SERVER_PROCESS_H_
