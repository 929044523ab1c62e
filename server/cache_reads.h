// What the server's caches (QualityCache, StatsCache) share about reading a
// project: when a full pass beats re-reading the changed tasks, and the full
// pass itself.
//
// ForEachTaskBundleSliced: Store::ForEachTaskBundle in slices of tasks, each
// slice its own read, handled after the read has ended. The caches read a 10M-task project's 1M annotated
// tasks this way: as one read it held one SQLite read transaction for tens
// of seconds, the WAL could not be checkpointed past it, and while labeling
// went on every commit's checkpoint attempt walked the growing WAL (next and
// submit queued for seconds). Consistency across slices is not needed there:
// the caches read the change-log position first and re-read whatever
// changed after it.
#ifndef TESSERA_SERVER_CACHE_READS_H_
#define TESSERA_SERVER_CACHE_READS_H_

#include <algorithm>
#include <cstddef>
#include <functional>
#include <vector>

#include "tessera/store.h"

namespace tessera::server {

// Tasks per read of a full pass.
// Tasks per read of a full pass (held in memory between the read and their
// handling: about 8 MB of 1.5 KB tasks).
inline constexpr size_t kSliceTasks = 5000;

// True when a cache holding `tasks_held` tasks should read the whole project
// again rather than the changed tasks one by one: after a bulk change, or
// when more tasks changed than 2,000 or a quarter of those held, whichever is
// more (then one streaming pass is cheaper than a read per task).
inline bool ReadWholeProject(const TaskChanges& changes, size_t tasks_held) {
  constexpr size_t kMaxIncrementalTasks = 2000;
  return changes.everything || changes.task_ids.size() > std::max(kMaxIncrementalTasks, tasks_held / 4);
}

inline Status ForEachTaskBundleSliced(Store& store, TaskQuery query, size_t slice,
                                      const std::function<Status(const TaskBundle&)>& fn) {
  // A slice is copied out and handled after its read has ended: the read
  // transaction lasts as long as SQLite's stepping, not as long as the
  // caller's parsing of the slice (0.4 s for 20,000 tasks under load), so most of
  // the time no read is open and the WAL's checkpoints complete.
  std::vector<TaskBundle> held;
  while (true) {
    size_t seen = 0;
    bool full = false;
    Status s = store.ForEachTaskBundle(query, [&](const TaskBundle& bundle) -> Status {
      if (seen == held.size()) held.emplace_back();
      held[seen++] = bundle;  // reuses the strings' buffers of the slice before
      query.after_id = bundle.task.id;
      if (seen < slice) return Status::Ok();
      full = true;
      return Status::Unavailable("slice read");  // stops this read; the next one goes on
    });
    if (!full && !s.ok()) return s;
    for (size_t bundle_idx = 0; bundle_idx < seen; ++bundle_idx) TESSERA_RETURN_IF_ERROR(fn(held[bundle_idx]));
    if (!full) return Status::Ok();
  }
}

}  // namespace tessera::server

#endif  // TESSERA_SERVER_CACHE_READS_H_
