#include "server/cache_reads.h"

#include <thread>

namespace tessera::server {

Status ForEachTaskSlice(Store& store, TaskQuery query, size_t slice,
                        const std::function<Status(const std::vector<TaskBundle>&, size_t)>& fn) {
  // A slice is copied out and handled after its read has ended: the read
  // transaction lasts as long as SQLite's stepping, not as long as the
  // caller's parsing of the slice (0.4 s for 20,000 tasks under load), so most of
  // the time no read is open and the WAL's checkpoints complete. Slices are
  // handled on a second thread while the next one is read (two buffers, in
  // turn): the read and the parsing each take about half of a pass.
  std::vector<TaskBundle> held[2];
  std::thread handler;
  Status handled;
  auto wait = [&] {
    if (handler.joinable()) handler.join();
    return handled;
  };
  for (int turn = 0;; turn ^= 1) {
    std::vector<TaskBundle>& buffer = held[turn];
    size_t seen = 0;
    bool full = false;
    Status s = store.ForEachTaskBundle(query, [&](const TaskBundle& bundle) -> Status {
      if (seen == buffer.size()) buffer.emplace_back();
      buffer[seen++] = bundle;  // reuses the strings' buffers of the slice before
      query.after_id = bundle.task.id;
      if (seen < slice) return Status::Ok();
      full = true;
      return Status::Unavailable("slice read");  // stops this read; the next one goes on
    });
    TESSERA_RETURN_IF_ERROR(wait());  // the slice before, handled while this one was read
    if (!full && !s.ok()) return s;
    handler = std::thread([&fn, &handled, &buffer, seen] { handled = fn(buffer, seen); });
    if (!full) return wait();
  }
}

Status ReadWholeProjectInto(Store& store, Id project_id, const std::vector<FullReadSink*>& sinks,
                            const LowPriorityLane* lane) {
  // The position first: whatever changes after it is read again next time,
  // and re-reading a task is idempotent.
  TESSERA_ASSIGN_OR_RETURN(TaskChanges position, store.TaskChangesSince(project_id, 0));
  TaskQuery query;
  query.project_id = project_id;
  query.filters_any = true;
  for (const char* column : {"total_annotations", "cancelled_annotations"}) {
    TaskFilter annotated;
    annotated.column = column;
    annotated.op = "greater";
    annotated.number = 0;
    query.filters.push_back(annotated);
  }
  TESSERA_RETURN_IF_ERROR(ForEachTaskSlice(
      store, query, kSliceTasks, [&](const std::vector<TaskBundle>& bundles, size_t count) -> Status {
        for (size_t bundle_idx = 0; bundle_idx < count; ++bundle_idx) {
          if (bundle_idx % 256 == 0 && lane != nullptr && lane->stopping()) {
            return Status::Unavailable("the server is stopping");
          }
          for (FullReadSink* sink : sinks) sink->Add(bundles[bundle_idx]);
        }
        return Status::Ok();
      }));
  for (FullReadSink* sink : sinks) sink->Finish(position.seq);
  return Status::Ok();
}

}  // namespace tessera::server
