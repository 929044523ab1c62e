#include "cli/common.h"

#include <unistd.h>

#include <cstdio>

namespace tessera::cli {

void AddDataOption(CLI::App* cmd, DataOptions* opts) {
  cmd->add_option("--data", opts->data_dir, "Data folder (database and media)")
      ->capture_default_str();
}

Result<std::unique_ptr<Store>> OpenStore(const DataOptions& opts) {
  std::error_code ec;
  std::filesystem::create_directories(opts.data_dir, ec);
  if (ec) return Status::IOError("cannot create data folder " + opts.data_dir + ": " + ec.message());
  SqliteOptions so;
  so.path = (std::filesystem::path(opts.data_dir) / "tessera.db").string();
  auto store = OpenSqliteStore(so);
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

}  // namespace tessera::cli
