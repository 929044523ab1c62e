// Shared CLI plumbing: opening the data folder's store, reporting failures.
#ifndef TESSERA_CLI_COMMON_H_
#define TESSERA_CLI_COMMON_H_

#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "tessera/store.h"

namespace tessera::cli {

// Every command that opens the store takes --data (media, and the SQLite
// database unless --database names another one) and --database.
struct DataOptions {
  std::string data_dir = "./tessera-data";
  // Empty: SQLite in DATA/tessera.db. postgresql://... or postgres://...: a
  // PostgreSQL database that several servers may share.
  std::string database;
};

void AddDataOption(CLI::App* cmd, DataOptions* opts);

// True when `opts` selects PostgreSQL.
bool UsesPostgres(const DataOptions& opts);

// Opens the store --database selects (default: creating DIR/tessera.db); rolls
// back imports a crash left unfinished. InvalidArgument naming the allowed
// schemes for any other --database.
Result<std::unique_ptr<Store>> OpenStore(const DataOptions& opts);

// Prints "tessera: <message>" to stderr and returns exit code 1.
int Fail(const Status& status);

bool StdoutIsTerminal();

// After a command loaded annotations without a server (import, migrate):
// counts the project's dashboards and saves them (server::CountDashboards),
// printing how long it took. A failure is only reported on stderr: the data
// is in, and a server counts the dashboards itself when first asked.
void CountDashboards(Store& store, const Project& project);

void RegisterServe(CLI::App& app);
void RegisterUser(CLI::App& app);
void RegisterProject(CLI::App& app);
void RegisterImport(CLI::App& app);
void RegisterExport(CLI::App& app);
void RegisterAgreement(CLI::App& app);
void RegisterQuality(CLI::App& app);
void RegisterBackup(CLI::App& app);  // backup and restore
void RegisterMigrate(CLI::App& app);

}  // namespace tessera::cli

#endif  // TESSERA_CLI_COMMON_H_
