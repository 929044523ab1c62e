// A fixture for tests on a real store: a throw-away SQLite database in its
// own temporary folder and one user, the author of what the tests create;
// the formats tests also make projects with tasks imported. The server's
// cache tests use it too. Test-only.
#ifndef TESSERA_SRC_FORMATS_SQLITE_FIXTURE_FOR_TEST_H_
#define TESSERA_SRC_FORMATS_SQLITE_FIXTURE_FOR_TEST_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <system_error>
#include <utility>

#include "tessera/import.h"
#include "tessera/store.h"

namespace tessera {

class SqliteStoreTest : public ::testing::Test {
 protected:
  // `name`: the folder's prefix and the user's name (name@example.com).
  explicit SqliteStoreTest(std::string name) : name_(std::move(name)) {}

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tessera_" + name_ + "_" + std::to_string(std::random_device()()));
    std::filesystem::create_directories(dir_);
    SqliteOptions options;
    options.path = (dir_ / "store.db").string();
    options.full_sync = false;
    auto store = OpenSqliteStore(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    User user;
    user.email = name_ + "@example.com";
    user.username = name_;
    ASSERT_TRUE(store_->CreateUser(&user).ok());
    user_id_ = user.id;
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A new project titled `title` with `config`, holding `tasks` (Label
  // Studio JSON: an array of tasks) imported as a user would.
  Id ImportedProject(const std::string& title, const std::string& config, const std::string& tasks) {
    Project project;
    project.title = title;
    project.label_config = config;
    project.created_by = user_id_;
    EXPECT_TRUE(store_->CreateProject(&project).ok());
    auto imported = ImportTasks(*store_, project.id, user_id_, ImportSource::Buffer(tasks, ImportFormat::kJson), {});
    EXPECT_TRUE(imported.ok()) << imported.status().ToString();
    return project.id;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  Id user_id_ = 0;

 private:
  std::string name_;
};

}  // namespace tessera

#endif  // TESSERA_SRC_FORMATS_SQLITE_FIXTURE_FOR_TEST_H_
