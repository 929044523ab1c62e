// tessera backup / tessera restore: a consistent copy of a data folder (the
// SQLite database and the uploaded media) taken while the server runs, and
// its restoration into a data folder.
//
// A backup folder holds:
//   tessera.db      the database as of one read transaction (VACUUM INTO)
//   media/...       the uploaded files, copied after the database snapshot,
//                   so every file the snapshot refers to is there (uploads are
//                   written before the task that names them is committed)
//   manifest.json   what was copied: sizes, file count, the database's SHA-256
// Restore checks the manifest and the checksum, refuses to overwrite an
// existing database unless --force (which moves the old one aside), copies
// the files in, and runs the database's integrity check.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

#include "cli/common.h"
#include "tessera/util.h"

namespace tessera::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kManifest[] = "manifest.json";
constexpr char kFormat[] = "tessera-backup";
constexpr int kFormatVersion = 1;

struct CopyStats {
  int64_t files = 0;
  int64_t bytes = 0;
};

// Copies regular files under `from` to `to`, keeping relative paths. Symbolic
// links are skipped (never followed), so a link cannot pull in files from
// outside the media folder.
Status CopyTree(const fs::path& from, const fs::path& to, CopyStats* stats) {
  std::error_code ec;
  if (!fs::exists(from, ec)) return Status::Ok();
  fs::create_directories(to, ec);
  if (ec) return Status::IOError("cannot create " + to.string() + ": " + ec.message());
  fs::recursive_directory_iterator it(from, fs::directory_options::none, ec), end;
  if (ec) return Status::IOError("cannot read " + from.string() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return Status::IOError("cannot read " + from.string() + ": " + ec.message());
    const fs::directory_entry& entry = *it;
    if (entry.is_symlink(ec)) {
      if (entry.is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    fs::path target = to / fs::relative(entry.path(), from, ec);
    if (entry.is_directory(ec)) {
      fs::create_directories(target, ec);
      if (ec) return Status::IOError("cannot create " + target.string() + ": " + ec.message());
      continue;
    }
    if (!entry.is_regular_file(ec)) continue;
    fs::copy_file(entry.path(), target, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      return Status::IOError("cannot copy " + entry.path().string() + " to " + target.string() + ": " +
                             ec.message());
    }
    ++stats->files;
    stats->bytes += static_cast<int64_t>(entry.file_size(ec));
  }
  return Status::Ok();
}

Status WriteFileAtomically(const fs::path& path, const std::string& text) {
  fs::path partial = path;
  partial += ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return Status::IOError("cannot write " + partial.string());
  }
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) return Status::IOError("cannot rename " + partial.string() + ": " + ec.message());
  return Status::Ok();
}

// tessera backup/restore copy a SQLite file; PostgreSQL has its own tools.
constexpr char kPostgresBackupHint[] =
    "--database is a PostgreSQL database: back it up with pg_dump (and pg_restore to restore), "
    "and copy the --data folder for media; see docs/reliability.md";

int Backup(const DataOptions& data, const std::string& out_dir) {
  if (UsesPostgres(data)) return Fail(Status::FailedPrecondition(kPostgresBackupHint));
  const fs::path db = fs::path(data.data_dir) / "tessera.db";
  std::error_code ec;
  if (!fs::exists(db, ec)) {
    return Fail(Status::NotFound("no database at " + db.string() + "; pass the server's --data folder"));
  }
  const fs::path out(out_dir);
  if (fs::exists(out, ec) && !fs::is_empty(out, ec)) {
    return Fail(Status::AlreadyExists("backup folder " + out.string() +
                                      " is not empty; pick a new folder so no backup is overwritten"));
  }
  fs::create_directories(out, ec);
  if (ec) return Fail(Status::IOError("cannot create " + out.string() + ": " + ec.message()));
  auto store = OpenStore(data);
  if (!store.ok()) return Fail(store.status());
  const TimeMs started = NowMs();
  const fs::path db_copy = out / "tessera.db";
  Status s = (*store)->BackupTo(db_copy.string());
  if (!s.ok()) return Fail(s);
  CopyStats media;
  s = CopyTree(fs::path(data.data_dir) / "media", out / "media", &media);
  if (!s.ok()) return Fail(s);
  auto digest = Sha256FileHex(db_copy.string());
  if (!digest.ok()) return Fail(digest.status());
  json manifest = {{"format", kFormat},
                   {"format_version", kFormatVersion},
                   {"tessera_version", TESSERA_VERSION},
                   {"created_at", FormatIsoTime(started)},
                   {"source", fs::absolute(data.data_dir).lexically_normal().string()},
                   {"database", {{"file", "tessera.db"},
                                 {"bytes", static_cast<int64_t>(fs::file_size(db_copy, ec))},
                                 {"sha256", *digest}}},
                   {"media", {{"folder", "media"}, {"files", media.files}, {"bytes", media.bytes}}}};
  // The manifest goes last: a folder without one is an unfinished backup.
  s = WriteFileAtomically(out / kManifest, manifest.dump(2) + "\n");
  if (!s.ok()) return Fail(s);
  std::printf("backup of %s written to %s: database %s bytes, %lld media files (%lld bytes)\n",
              data.data_dir.c_str(), out.string().c_str(),
              std::to_string(manifest["database"]["bytes"].get<int64_t>()).c_str(),
              static_cast<long long>(media.files), static_cast<long long>(media.bytes));
  return 0;
}

int Restore(const DataOptions& data, const std::string& from_dir, bool force) {
  if (UsesPostgres(data)) return Fail(Status::FailedPrecondition(kPostgresBackupHint));
  const fs::path from(from_dir);
  std::ifstream in(from / kManifest);
  if (!in) {
    return Fail(Status::NotFound((from / kManifest).string() +
                                 " is missing: not a tessera backup folder, or the backup did not finish"));
  }
  json manifest = json::parse(in, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object() || manifest.value("format", "") != kFormat ||
      !manifest.contains("database") || !manifest["database"].is_object()) {
    return Fail(Status::InvalidArgument((from / kManifest).string() + " is not a tessera backup manifest"));
  }
  if (manifest.value("format_version", 0) > kFormatVersion) {
    return Fail(Status::FailedPrecondition("the backup was written by a newer tessera (format version " +
                                           std::to_string(manifest.value("format_version", 0)) +
                                           "); restore it with that version"));
  }
  const fs::path db_backup = from / "tessera.db";
  auto digest = Sha256FileHex(db_backup.string());
  if (!digest.ok()) return Fail(digest.status());
  if (*digest != manifest["database"].value("sha256", "")) {
    return Fail(Status::Corruption(db_backup.string() +
                                   " does not match the checksum in the manifest; the backup is damaged"));
  }
  const fs::path dir(data.data_dir);
  const fs::path db = dir / "tessera.db";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(Status::IOError("cannot create " + dir.string() + ": " + ec.message()));
  if (fs::exists(db, ec)) {
    if (!force) {
      return Fail(Status::AlreadyExists(db.string() + " exists; stop the server and pass --force to "
                                                      "replace it (the old database is kept beside it)"));
    }
    // Move the old database and its WAL aside; a stale WAL next to the
    // restored file would be replayed into it.
    const std::string suffix = ".before-restore-" + std::to_string(NowMs());
    for (const char* ext : {"", "-wal", "-shm"}) {
      fs::path old = dir / (std::string("tessera.db") + ext);
      if (!fs::exists(old, ec)) continue;
      fs::rename(old, dir / (std::string("tessera.db") + ext + suffix), ec);
      if (ec) return Fail(Status::IOError("cannot move " + old.string() + " aside: " + ec.message()));
    }
  }
  fs::path partial = db;
  partial += ".restoring";
  fs::copy_file(db_backup, partial, fs::copy_options::overwrite_existing, ec);
  if (ec) return Fail(Status::IOError("cannot copy the database: " + ec.message()));
  fs::rename(partial, db, ec);
  if (ec) return Fail(Status::IOError("cannot move the restored database in place: " + ec.message()));
  CopyStats media;
  Status s = CopyTree(from / "media", dir / "media", &media);
  if (!s.ok()) return Fail(s);
  auto store = OpenStore(data);
  if (!store.ok()) return Fail(store.status());
  s = (*store)->CheckIntegrity();
  if (!s.ok()) return Fail(s);
  std::printf("restored %s into %s: database checked, %lld media files\n", from.string().c_str(),
              dir.string().c_str(), static_cast<long long>(media.files));
  return 0;
}

struct BackupCliOptions {
  DataOptions data;
  std::string out;
};
struct RestoreCliOptions {
  DataOptions data;
  std::string from;
  bool force = false;
};

}  // namespace

void RegisterBackup(CLI::App& app) {
  auto backup_opts = std::make_shared<BackupCliOptions>();
  auto* backup = app.add_subcommand(
      "backup", "Copy the database (consistently, while the server runs) and media to a new folder");
  AddDataOption(backup, &backup_opts->data);
  backup->add_option("--out", backup_opts->out, "New (or empty) folder for the backup")->required();
  backup->callback([backup_opts] { std::exit(Backup(backup_opts->data, backup_opts->out)); });

  auto restore_opts = std::make_shared<RestoreCliOptions>();
  auto* restore = app.add_subcommand("restore", "Restore a backup folder into a data folder (server stopped)");
  AddDataOption(restore, &restore_opts->data);
  restore->add_option("--from", restore_opts->from, "Backup folder written by tessera backup")->required();
  restore->add_flag("--force", restore_opts->force, "Replace an existing database (the old one is moved aside)");
  restore->callback([restore_opts] {
    std::exit(Restore(restore_opts->data, restore_opts->from, restore_opts->force));
  });
}

}  // namespace tessera::cli
