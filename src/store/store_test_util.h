// Test fixture shared by the Store test files: a suite parameterized over a
// store factory, so the same tests can run against every implementation
// (SQLite on a file, SQLite in memory, PostgreSQL on a throw-away cluster).
//
// Each test gets a fresh temporary directory under the system temp path,
// removed at the end. Not thread-safe itself (gtest runs tests serially).
#ifndef TESSERA_SRC_STORE_STORE_TEST_UTIL_H_
#define TESSERA_SRC_STORE_STORE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "tessera/store.h"
#include "tessera/util.h"

namespace tessera::testing {

struct StoreFactory {
  std::string name;
  // Opens (or reopens) the store kept in `dir`.
  std::function<Result<std::unique_ptr<Store>>(const std::filesystem::path& dir)> open;
  // True when reopening on the same dir sees earlier writes.
  bool persistent = true;
  // True when several connections can write concurrently from threads.
  bool file_backed = true;
  // When set and it returns a reason, every test of this factory is skipped
  // with it (PostgreSQL not installed).
  std::function<std::string()> unavailable;
};

// A query for every task of `project_id`.
inline TaskQuery ProjectQuery(Id project_id) {
  TaskQuery query;
  query.project_id = project_id;
  return query;
}

inline std::string PrintToString(const StoreFactory& factory) { return factory.name; }

class StoreTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("tessera_store_test_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    if (GetParam().unavailable) {
      const std::string why = GetParam().unavailable();
      if (!why.empty()) GTEST_SKIP() << why;
    }
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Closes the store (if open) and opens it again on the same directory.
  void Reopen() {
    store_.reset();
    auto opened = GetParam().open(dir_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  bool persistent() const { return GetParam().persistent; }

  Id MakeUser(const std::string& email, bool admin = false) {
    User user;
    user.email = email;
    user.username = email.substr(0, email.find('@'));
    user.is_admin = admin;
    Status status = store_->CreateUser(&user);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return user.id;
  }
  Id MakeProject(Id owner, int maximum_annotations = 1, const std::string& title = "P") {
    Project project;
    project.title = title;
    project.created_by = owner;
    project.maximum_annotations = maximum_annotations;
    Status status = store_->CreateProject(&project);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return project.id;
  }
  std::vector<Id> MakeTasks(Id project_id, int count, Id import_id = 0) {
    std::vector<NewTask> tasks(static_cast<size_t>(count));
    for (int task_idx = 0; task_idx < count; ++task_idx) {
      tasks[static_cast<size_t>(task_idx)].data = "{\"text\":\"task " + std::to_string(task_idx) + "\"}";
    }
    std::vector<Id> ids;
    Status status = store_->InsertTasks(project_id, import_id, tasks, &ids);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return ids;
  }
  Annotation Annotate(Id task_id, Id user_id, bool cancelled = false,
                      const std::string& result = "[{\"id\":\"a\"}]") {
    Annotation annotation;
    annotation.task_id = task_id;
    annotation.completed_by = user_id;
    annotation.result = result;
    annotation.was_cancelled = cancelled;
    annotation.last_action = "submitted";
    Status status = store_->CreateAnnotation(&annotation);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return annotation;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

#define ASSERT_OK(expr)                                  \
  do {                                                   \
    const ::tessera::Status _s = (expr);                 \
    ASSERT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (0)
#define EXPECT_OK(expr)                                  \
  do {                                                   \
    const ::tessera::Status _s = (expr);                 \
    EXPECT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (0)

}  // namespace tessera::testing

#endif  // TESSERA_SRC_STORE_STORE_TEST_UTIL_H_
