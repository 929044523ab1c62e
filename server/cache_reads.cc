#include "server/cache_reads.h"

#include <thread>

namespace tessera::server {

Status ForEachAnnotatedSlice(Store& store, Id project_id, size_t slice_annotations,
                             const std::function<Status(const std::vector<TaskBundle>&, size_t)>& fn) {
  // Each slice is its own read, handled after the read has ended: the read
  // transaction lasts as long as SQLite's stepping, not as long as the
  // caller's parsing, so most of the time no read is open and the WAL's
  // checkpoints complete. Slices are handled on a second thread while the
  // next one is read (two buffers, in turn).
  std::vector<TaskBundle> held[2];
  std::thread handler;
  Status handled;
  auto wait = [&] {
    if (handler.joinable()) handler.join();
    return handled;
  };
  Id after = 0;
  for (int turn = 0;; turn ^= 1) {
    std::vector<TaskBundle>& buffer = held[turn];
    size_t count = 0;
    Status s = store.ReadAnnotatedTasks(project_id, after, slice_annotations, &buffer, &count);
    TESSERA_RETURN_IF_ERROR(wait());  // the slice before, handled while this one was read
    TESSERA_RETURN_IF_ERROR(s);
    if (count == 0) return Status::Ok();
    after = buffer[count - 1].task.id;
    handler = std::thread([&fn, &handled, &buffer, count] { handled = fn(buffer, count); });
  }
}

Status ReadWholeProjectInto(Store& store, Id project_id, const std::vector<FullReadSink*>& sinks,
                            const LowPriorityLane* lane) {
  // The position first: whatever changes after it is read again next time,
  // and re-reading a task is idempotent.
  TESSERA_ASSIGN_OR_RETURN(TaskChanges position, store.TaskChangesSince(project_id, 0));
  TESSERA_RETURN_IF_ERROR(ForEachAnnotatedSlice(
      store, project_id, kSliceAnnotations, [&](const std::vector<TaskBundle>& slice, size_t count) -> Status {
        if (lane != nullptr && lane->stopping()) return Status::Unavailable("the server is stopping");
        for (FullReadSink* sink : sinks) sink->StartSlice(count);
        // The costly part (parsing results, scoring pairs) in two halves at once.
        const size_t half = count / 2;
        std::thread second([&] {
          for (FullReadSink* sink : sinks) sink->Prepare(slice, half, count);
        });
        for (FullReadSink* sink : sinks) sink->Prepare(slice, 0, half);
        second.join();
        for (FullReadSink* sink : sinks) sink->Add(slice, count);
        return Status::Ok();
      }));
  for (FullReadSink* sink : sinks) sink->Finish(position.seq);
  return Status::Ok();
}

}  // namespace tessera::server
