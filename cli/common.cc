#include "cli/common.h"

#include <unistd.h>

#include <cstdio>
#include <string_view>

#include "server/dashboard_snapshots.h"
#include "tessera/util.h"

namespace tessera::cli {

namespace {

bool StartsWith(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

void AddDataOption(CLI::App* cmd, DataOptions* opts) {
  cmd->add_option("--data", opts->data_dir,
                  "Data folder (media, and the SQLite database unless --database is given)")
      ->capture_default_str();
  cmd->add_option("--database", opts->database,
                  "Database URL: postgresql://user:password@host:port/dbname for a PostgreSQL "
                  "database shared by several servers (media stays under --data, which they "
                  "must share); default: SQLite in the --data folder")
      ->envname("TESSERA_DATABASE");
}

bool UsesPostgres(const DataOptions& opts) {
  return StartsWith(opts.database, "postgresql://") || StartsWith(opts.database, "postgres://");
}

Result<std::unique_ptr<Store>> OpenStore(const DataOptions& opts) {
  if (!opts.database.empty() && !UsesPostgres(opts)) {
    // Only the scheme is repeated: the URL may carry a password.
    const size_t colon = opts.database.find(':');
    const std::string scheme =
        colon == std::string::npos ? opts.database.substr(0, 20) : opts.database.substr(0, colon);
    return Status::FieldInvalid("database", "--database: unsupported database \"" + scheme +
                                                "\"; use a postgresql:// or postgres:// URL, or "
                                                "leave --database out for SQLite in --data");
  }
  std::error_code ec;
  std::filesystem::create_directories(opts.data_dir, ec);
  if (ec) return Status::IOError("cannot create data folder " + opts.data_dir + ": " + ec.message());
  Result<std::unique_ptr<Store>> store = Status::Internal("unset");
  if (UsesPostgres(opts)) {
    PostgresOptions po;
    po.url = opts.database;
    store = OpenPostgresStore(po);
  } else {
    SqliteOptions so;
    so.path = (std::filesystem::path(opts.data_dir) / "tessera.db").string();
    store = OpenSqliteStore(so);
  }
  if (!store.ok()) return store.status();
  auto rolled = (*store)->RollBackUnfinishedImports();
  if (!rolled.ok()) return rolled.status();
  if (*rolled > 0) {
    std::fprintf(stderr, "tessera: rolled back %d import(s) left unfinished by a crash\n", *rolled);
  }
  return store;
}

int Fail(const Status& status) {
  std::fprintf(stderr, "tessera: %s\n", status.message().c_str());
  return 1;
}

bool StdoutIsTerminal() { return isatty(STDOUT_FILENO) == 1; }

void CountDashboards(Store& store, const Project& project) {
  const TimeMs start = NowMs();
  Status s = server::CountDashboards(store, project);
  if (!s.ok()) {
    std::fprintf(stderr, "tessera: project %lld: counting the dashboards failed (a server counts them when first "
                         "asked): %s\n", static_cast<long long>(project.id), s.message().c_str());
    return;
  }
  std::printf("project %lld: dashboards counted in %.2f s\n", static_cast<long long>(project.id),
              static_cast<double>(NowMs() - start) / 1000.0);
}

}  // namespace tessera::cli
