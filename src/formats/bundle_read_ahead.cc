#include "src/formats/bundle_read_ahead.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace tessera::formats {
namespace {

struct Batch {
  std::vector<TaskBundle> bundles;  // the first `size` are this batch's
  size_t size = 0;
};

// What the two threads share; every member is guarded by mu.
struct Shared {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Batch> ready;   // read, in order, waiting for the caller
  std::vector<Batch> spare;  // handled, waiting for the reader
  bool reader_done = false;
  bool stop = false;  // the caller failed: the reader gives up
  Status read_status;
};

// Copies `from` into a used bundle, keeping `padding` spare bytes after each
// stored JSON text. Capacities only grow, so once the batches have seen texts
// of every length nothing is allocated.
void CopyBundle(const TaskBundle& from, size_t padding, TaskBundle* to) {
  *to = from;
  if (padding == 0) return;
  auto pad = [padding](std::string& text) {
    if (text.capacity() - text.size() < padding) text.reserve(text.size() + padding);
  };
  pad(to->task.data);
  pad(to->task.meta);
  for (Annotation& a : to->annotations) pad(a.result);
  for (Prediction& p : to->predictions) pad(p.result);
}

}  // namespace

Status ForEachTaskBundleReadAhead(Store& store, const TaskQuery& query, const ReadAheadOptions& options,
                                  const std::function<Status(const TaskBundle&)>& fn) {
  const size_t batch_tasks = std::max<size_t>(options.batch_tasks, 1);
  Shared shared;
  shared.spare.resize(std::max<size_t>(options.batches, 1));

  std::thread reader([&] {
    Batch batch;
    // Waits for a spare batch; false when the caller stopped.
    auto take_spare = [&]() -> bool {
      std::unique_lock<std::mutex> lock(shared.mu);
      shared.cv.wait(lock, [&] { return !shared.spare.empty() || shared.stop; });
      if (shared.stop) return false;
      batch = std::move(shared.spare.back());
      shared.spare.pop_back();
      batch.size = 0;
      return true;
    };
    auto publish = [&] {
      std::lock_guard<std::mutex> lock(shared.mu);
      shared.ready.push_back(std::move(batch));
      shared.cv.notify_all();
    };
    Status s = Status::Ok();
    if (take_spare()) {
      s = store.ForEachTaskBundle(query, [&](const TaskBundle& bundle) -> Status {
        if (options.skip_unannotated && bundle.annotations.empty()) return Status::Ok();
        if (batch.size == batch.bundles.size()) batch.bundles.emplace_back();
        CopyBundle(bundle, options.json_padding, &batch.bundles[batch.size++]);
        if (batch.size < batch_tasks) return Status::Ok();
        publish();
        return take_spare() ? Status::Ok() : Status::Unavailable("export stopped");
      });
    }
    std::lock_guard<std::mutex> lock(shared.mu);
    if (s.ok() && batch.size > 0) shared.ready.push_back(std::move(batch));
    shared.read_status = s;
    shared.reader_done = true;
    shared.cv.notify_all();
  });

  Status fn_status = Status::Ok();
  while (fn_status.ok()) {
    Batch batch;
    {
      std::unique_lock<std::mutex> lock(shared.mu);
      shared.cv.wait(lock, [&] { return !shared.ready.empty() || shared.reader_done; });
      if (shared.ready.empty()) break;
      batch = std::move(shared.ready.front());
      shared.ready.pop_front();
    }
    for (size_t bundle_idx = 0; bundle_idx < batch.size && fn_status.ok(); ++bundle_idx) {
      fn_status = fn(batch.bundles[bundle_idx]);
    }
    std::lock_guard<std::mutex> lock(shared.mu);
    shared.spare.push_back(std::move(batch));
    shared.cv.notify_all();
  }
  {
    std::lock_guard<std::mutex> lock(shared.mu);
    shared.stop = true;
    shared.cv.notify_all();
  }
  reader.join();
  TESSERA_RETURN_IF_ERROR(fn_status);
  return shared.read_status;
}

}  // namespace tessera::formats
