// tessera migrate: moves a SQLite database (all of it, or some projects with
// everything they hold) into a PostgreSQL database; the copy itself is
// MigrateSqliteToPostgres (include/tessera/migrate.h).
//
//   tessera migrate --from sqlite://DATA/tessera.db --to postgresql://... [--project ID]... [--dry-run]
//
// sqlite://PATH names the database file, or a data folder holding tessera.db.
// URLs are never echoed back (a PostgreSQL URL may carry a password).
#include <algorithm>
#include <cstdio>

#include "cli/common.h"
#include "tessera/migrate.h"
#include "tessera/util.h"

namespace tessera::cli {
namespace {

constexpr std::string_view kSqliteScheme = "sqlite://";

struct MigrateCliOptions {
  std::string from;
  std::string to;
  std::vector<Id> projects;
  bool dry_run = false;
};

std::string Scheme(const std::string& url) {
  const size_t colon = url.find(':');
  return colon == std::string::npos ? url.substr(0, 20) : url.substr(0, colon);
}

Result<MigrateOptions> ParseOptions(const MigrateCliOptions& cli) {
  const DataOptions to{"", cli.to};
  if (StartsWith(cli.from, "postgresql://") || StartsWith(cli.from, "postgres://")) {
    return Status::FieldInvalid("from", "--from: migrate copies from SQLite to PostgreSQL only; moving a "
                                        "PostgreSQL database back to SQLite is not supported");
  }
  if (!StartsWith(cli.from, kSqliteScheme)) {
    return Status::FieldInvalid("from", "--from: expected sqlite://PATH (a database file or a data folder), "
                                        "got a \"" + Scheme(cli.from) + "\" URL");
  }
  if (!UsesPostgres(to)) {
    return Status::FieldInvalid("to", "--to: expected a postgresql:// or postgres:// URL, got \"" +
                                          Scheme(cli.to) + "\"");
  }
  MigrateOptions options;
  std::filesystem::path path(cli.from.substr(kSqliteScheme.size()));
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) path /= "tessera.db";
  options.sqlite_path = path.string();
  options.postgres_url = cli.to;
  for (Id id : cli.projects) {
    if (id <= 0) return Status::FieldInvalid("project", "--project: project ids are positive numbers");
  }
  options.project_ids = cli.projects;
  options.dry_run = cli.dry_run;
  return options;
}

int Migrate(const MigrateCliOptions& cli) {
  auto options = ParseOptions(cli);
  if (!options.ok()) return Fail(options.status());
  auto report = MigrateSqliteToPostgres(*options);
  if (!report.ok()) return Fail(report.status());
  std::fputs(report->Summary().c_str(), stdout);
  if (report->committed) {
    // The target starts without the source's change log and snapshots:
    // count the dashboards of every project moved, so that the first
    // dashboard on the new database does not wait for a read of the project.
    PostgresOptions target;
    target.url = options->postgres_url;
    auto store = OpenPostgresStore(target);
    if (!store.ok()) return Fail(store.status());
    auto projects = (*store)->ListProjects(0, /*is_admin=*/true);
    if (!projects.ok()) return Fail(projects.status());
    for (const Project& project : *projects) {
      const auto& moved = report->project_ids;
      if (moved.empty() || std::find(moved.begin(), moved.end(), project.id) != moved.end()) {
        CountDashboards(**store, project);
      }
    }
  }
  return 0;
}

}  // namespace

void RegisterMigrate(CLI::App& app) {
  auto opts = std::make_shared<MigrateCliOptions>();
  auto* cmd = app.add_subcommand(
      "migrate", "Move a SQLite database (or some projects) with all its history into PostgreSQL");
  cmd->add_option("--from", opts->from, "sqlite://PATH: the database file, or a data folder with tessera.db")
      ->required();
  cmd->add_option("--to", opts->to, "postgresql://user:password@host:port/dbname")->required();
  cmd->add_option("--project", opts->projects,
                  "Move only this project (repeatable); default: everything, users included");
  cmd->add_flag("--dry-run", opts->dry_run, "Copy and check the counts, then roll back");
  cmd->callback([opts] { std::exit(Migrate(*opts)); });
}

}  // namespace tessera::cli
