// tessera: one binary for the server and the command-line tools.
#include <CLI/CLI.hpp>

#include "cli/common.h"

int main(int argc, char** argv) {
  CLI::App app{"Tessera: a data labeling platform that speaks Label Studio's formats and API"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(TESSERA_VERSION));
  tessera::cli::RegisterServe(app);
  tessera::cli::RegisterUser(app);
  tessera::cli::RegisterProject(app);
  tessera::cli::RegisterImport(app);
  tessera::cli::RegisterExport(app);
  tessera::cli::RegisterAgreement(app);
  tessera::cli::RegisterQuality(app);
  tessera::cli::RegisterBackup(app);
  tessera::cli::RegisterMigrate(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
