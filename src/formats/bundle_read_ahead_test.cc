#include "src/formats/bundle_read_ahead.h"

#include <gtest/gtest.h>

#include <vector>

#include "src/formats/fake_store_for_test.h"

namespace tessera::formats {
namespace {

// A FakeStore whose ForEachTaskBundle fails after `fail_after` bundles.
class FailingStore : public FakeStore {
 public:
  int fail_after = -1;
  Status ForEachTaskBundle(const TaskQuery& query, const std::function<Status(const TaskBundle&)>& fn) override {
    int sent = 0;
    return FakeStore::ForEachTaskBundle(query, [&](const TaskBundle& bundle) -> Status {
      if (fail_after >= 0 && sent++ >= fail_after) return Status::IOError("disk read failed (simulated)");
      return fn(bundle);
    });
  }
};

// Tasks 1..count of project 3; every third one has no annotation.
void AddTasks(FakeStore& store, int count) {
  for (int task_idx = 1; task_idx <= count; ++task_idx) {
    TaskBundle b;
    b.task.id = task_idx;
    b.task.project_id = 3;
    // Lengths go up and down, so reused strings shrink as well as grow.
    b.task.data = "{\"n\":" + std::to_string(task_idx) + ",\"pad\":\"" +
                  std::string(static_cast<size_t>(task_idx * 37 % 101), 'x') + "\"}";
    if (task_idx % 3 != 0) {
      Annotation a;
      a.id = task_idx * 10;
      a.task_id = task_idx;
      a.result = "[" + std::to_string(task_idx) + "]";
      b.annotations.push_back(a);
    }
    store.bundles[task_idx] = b;
  }
}

TaskQuery Project3() {
  TaskQuery query;
  query.project_id = 3;
  return query;
}

TEST(BundleReadAheadTest, EveryBundleInOrderWithItsContents) {
  FakeStore store;
  AddTasks(store, 1000);
  ReadAheadOptions options;
  options.batch_tasks = 7;  // batches are reused many times, partly filled at the end
  options.batches = 2;
  std::vector<Id> seen;
  ASSERT_TRUE(ForEachTaskBundleReadAhead(store, Project3(), options, [&](const TaskBundle& b) {
                EXPECT_EQ(b.task.data, store.bundles.at(b.task.id).task.data);
                EXPECT_EQ(b.annotations.size(), b.task.id % 3 != 0 ? 1u : 0u);
                if (!b.annotations.empty()) {
                  EXPECT_EQ(b.annotations[0].result, "[" + std::to_string(b.task.id) + "]");
                }
                seen.push_back(b.task.id);
                return Status::Ok();
              }).ok());
  ASSERT_EQ(seen.size(), 1000u);
  for (size_t idx = 0; idx < seen.size(); ++idx) EXPECT_EQ(seen[idx], static_cast<Id>(idx + 1));

  options.skip_unannotated = true;
  seen.clear();
  ASSERT_TRUE(ForEachTaskBundleReadAhead(store, Project3(), options, [&](const TaskBundle& b) {
                seen.push_back(b.task.id);
                return Status::Ok();
              }).ok());
  EXPECT_EQ(seen.size(), 667u);
  for (Id id : seen) EXPECT_NE(id % 3, 0);
}

TEST(BundleReadAheadTest, JsonTextsKeepTheAskedPadding) {
  FakeStore store;
  AddTasks(store, 300);
  ReadAheadOptions options;
  options.batch_tasks = 5;
  options.batches = 2;
  options.json_padding = 64;
  int checked = 0;
  ASSERT_TRUE(ForEachTaskBundleReadAhead(store, Project3(), options, [&](const TaskBundle& b) {
                const TaskBundle& stored = store.bundles.at(b.task.id);
                EXPECT_EQ(b.task.data, stored.task.data);
                EXPECT_EQ(b.task.meta, stored.task.meta);
                EXPECT_GE(b.task.data.capacity() - b.task.data.size(), 64u);
                EXPECT_GE(b.task.meta.capacity() - b.task.meta.size(), 64u);
                for (const Annotation& a : b.annotations) EXPECT_GE(a.result.capacity() - a.result.size(), 64u);
                ++checked;
                return Status::Ok();
              }).ok());
  EXPECT_EQ(checked, 300);
}

TEST(BundleReadAheadTest, EmptyProject) {
  FakeStore store;
  int calls = 0;
  ASSERT_TRUE(ForEachTaskBundleReadAhead(store, Project3(), {}, [&](const TaskBundle&) {
                ++calls;
                return Status::Ok();
              }).ok());
  EXPECT_EQ(calls, 0);
}

TEST(BundleReadAheadTest, CallerErrorStopsTheReader) {
  FakeStore store;
  AddTasks(store, 5000);
  ReadAheadOptions options;
  options.batch_tasks = 16;
  int calls = 0;
  Status s = ForEachTaskBundleReadAhead(store, Project3(), options, [&](const TaskBundle&) {
    return ++calls == 100 ? Status::IOError("disk full (simulated)") : Status::Ok();
  });
  EXPECT_EQ(s.code(), Code::kIOError);
  EXPECT_EQ(s.message(), "disk full (simulated)");
  EXPECT_EQ(calls, 100);
}

TEST(BundleReadAheadTest, StoreErrorIsReturnedAfterTheBundlesBeforeIt) {
  FailingStore store;
  AddTasks(store, 100);
  store.fail_after = 50;
  ReadAheadOptions options;
  options.batch_tasks = 8;
  int calls = 0;
  Status s = ForEachTaskBundleReadAhead(store, Project3(), options, [&](const TaskBundle&) {
    ++calls;
    return Status::Ok();
  });
  EXPECT_EQ(s.code(), Code::kIOError);
  EXPECT_EQ(s.message(), "disk read failed (simulated)");
  EXPECT_EQ(calls, 48);  // the six full batches of 8; the partial seventh is dropped
}

}  // namespace
}  // namespace tessera::formats
