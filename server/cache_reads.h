// What the server's caches (QualityCache, StatsCache) share about reading a
// project: when a full pass beats re-reading the changed tasks, and the full
// pass itself.
//
// ForEachAnnotatedSlice: Store::ReadAnnotatedTasks a slice at a time, each
// slice its own read, handled after the read has ended. The caches read a
// 10M-task project's 1M annotated tasks this way: as one read it held one
// SQLite read transaction for tens
// of seconds, the WAL could not be checkpointed past it, and while labeling
// went on every commit's checkpoint attempt walked the growing WAL (next and
// submit queued for seconds). Consistency across slices is not needed there:
// the caches read the change-log position first and re-read whatever
// changed after it.
#ifndef TESSERA_SERVER_CACHE_READS_H_
#define TESSERA_SERVER_CACHE_READS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "server/low_priority_lane.h"
#include "tessera/store.h"

namespace tessera::server {

// Annotations per read of a full pass (two slices are held in memory, one
// read while the other is handled: about 10 MB of them).
inline constexpr size_t kSliceAnnotations = 15000;

// True when a cache holding `tasks_held` tasks should read the whole project
// again rather than the changed tasks one by one: after a bulk change, or
// when more tasks changed than 2,000 or a quarter of those held, whichever is
// more (then one streaming pass is cheaper than a read per task).
inline bool ReadWholeProject(const TaskChanges& changes, size_t tasks_held) {
  constexpr size_t kMaxIncrementalTasks = 2000;
  return changes.everything || changes.task_ids.size() > std::max(kMaxIncrementalTasks, tasks_held / 4);
}

// The changes after position `seq` for a cache that reflects `seq`. The
// store answers "everything" for position 0; but an entry read whole at 0
// (an empty change log, as after `tessera migrate`) has missed nothing while
// the log stays empty, and would otherwise be read whole on every use.
inline Result<TaskChanges> ChangesSince(Store& store, Id project_id, int64_t seq) {
  TESSERA_ASSIGN_OR_RETURN(TaskChanges changes, store.TaskChangesSince(project_id, seq));
  if (seq == 0 && changes.seq == 0) changes.everything = false;
  return changes;
}

// Calls fn(bundles, count) for every slice of the project's annotated tasks
// (Store::ReadAnnotatedTasks: task ids and annotations, about
// `slice_annotations` annotations a slice), in task id order, on a thread
// of its own (inheriting the caller's priority) while the next slice is
// read; bundles[0, count) are valid during the call. Stops at fn's first
// error.
Status ForEachAnnotatedSlice(Store& store, Id project_id, size_t slice_annotations,
                             const std::function<Status(const std::vector<TaskBundle>&, size_t)>& fn);

// One cache entry being built from scratch by a whole-project read
// (ReadWholeProjectInto), a slice of tasks at a time: StartSlice, then
// Prepare on parts of the slice (on several threads at once), then Add. It
// holds the entry's lock until destroyed; an entry whose read did not finish
// is left unbuilt.
class FullReadSink {
 public:
  virtual ~FullReadSink() = default;
  // A new slice of `count` tasks.
  virtual void StartSlice(size_t count) { (void)count; }
  // Work on tasks [begin, end) of the slice that needs no other task; calls
  // on disjoint ranges may run at once.
  virtual void Prepare(const std::vector<TaskBundle>& slice, size_t begin, size_t end) {
    (void)slice, (void)begin, (void)end;
  }
  // Adds the slice's `count` tasks, in order, once every one is prepared.
  virtual void Add(const std::vector<TaskBundle>& slice, size_t count) = 0;
  // Every task has been added: the entry now reflects change-log position `seq`.
  virtual void Finish(int64_t seq) = 0;
};

// Reads every task of the project with an annotation, submitted or skipped,
// once, hands each to every sink, then finishes them at the change-log
// position read before the first task. Several caches rebuilt together
// share one read of the store (on a 10M-task project the read is about half
// of each rebuild). Each slice is prepared on two threads (they inherit the
// caller's priority) while the next one is read. Gives up with Unavailable
// once `lane` is stopping.
Status ReadWholeProjectInto(Store& store, Id project_id, const std::vector<FullReadSink*>& sinks,
                            const LowPriorityLane* lane);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_CACHE_READS_H_
