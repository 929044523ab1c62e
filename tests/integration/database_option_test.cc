// `--database` (issue 7): every command that opens the store takes it; an
// unknown scheme is refused naming the allowed ones (and not echoing the URL,
// which may hold a password); backup/restore on PostgreSQL point to pg_dump.
// The same suites against PostgreSQL run as the *_postgres ctest entries.
#include <gtest/gtest.h>

#include <filesystem>

#include "tessera/util.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

namespace fs = std::filesystem;

class DatabaseOptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tessera-dbopt-" + RandomHex(6));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(DatabaseOptionTest, UnknownSchemeIsRefusedWithTheAllowedOnes) {
  std::string out, err;
  int rc = RunTessera({"user", "add", "--data", dir_.string(), "--database",
                       "mysql://admin:hunter2@db.example/tessera", "--email", "a@x.org",
                       "--password", "a-long-password"},
                      &out, &err);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err.find("\"mysql\""), std::string::npos) << err;
  EXPECT_NE(err.find("postgresql://"), std::string::npos) << err;
  EXPECT_EQ(err.find("hunter2"), std::string::npos) << "the password was echoed: " << err;
  // Nothing was created in the data folder's SQLite database either.
  EXPECT_FALSE(fs::exists(dir_ / "tessera.db"));
}

TEST_F(DatabaseOptionTest, BackupAndRestoreOnPostgresPointToPgDump) {
  const std::string url = "postgresql://tessera@127.0.0.1:1/tessera";
  std::string out, err;
  EXPECT_EQ(RunTessera({"backup", "--data", dir_.string(), "--database", url, "--out",
                        (dir_ / "backup").string()},
                       &out, &err),
            1);
  EXPECT_NE(err.find("pg_dump"), std::string::npos) << err;
  EXPECT_EQ(RunTessera({"restore", "--data", dir_.string(), "--database", url, "--from",
                        (dir_ / "backup").string()},
                       &out, &err),
            1);
  EXPECT_NE(err.find("pg_restore"), std::string::npos) << err;
}

TEST_F(DatabaseOptionTest, UnreachablePostgresIsAClearError) {
  std::string out, err;
  int rc = RunTessera({"project", "create", "--data", dir_.string(), "--database",
                       "postgresql://tessera@127.0.0.1:1/tessera?connect_timeout=2", "--title", "P",
                       "--config", (SourceDir() / "tests/testdata/configs/valid/classification.xml").string()},
                      &out, &err);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err.find("PostgreSQL"), std::string::npos) << err;
}

}  // namespace
}  // namespace tessera::testing
