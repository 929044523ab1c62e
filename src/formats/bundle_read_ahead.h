// Store::ForEachTaskBundle with the reading on a second thread: a reader
// thread copies bundles into batches while the caller's thread handles the
// batches read before, so that on two cores the store's work (SQLite's
// stepping and the row copies) overlaps the export's formatting.
//
// Memory is bounded: kBatches batches of kBatchTasks bundles exist, and they
// are reused (copy-assigning a bundle into a used one keeps its strings'
// buffers, so steady state allocates almost nothing).
//
// Thread-safety: `fn` runs on the calling thread only; the Store must be safe
// for concurrent use (Store's contract), as `fn` may call it while the reader
// thread reads.
#ifndef TESSERA_SRC_FORMATS_BUNDLE_READ_AHEAD_H_
#define TESSERA_SRC_FORMATS_BUNDLE_READ_AHEAD_H_

#include <functional>

#include "tessera/store.h"

namespace tessera::formats {

struct ReadAheadOptions {
  // Leave out tasks without annotations (on the reader thread).
  bool skip_unannotated = false;
  size_t batch_tasks = 256;
  size_t batches = 4;
  // Spare capacity to keep after each stored JSON text (task data and meta,
  // annotation and prediction results): a parser that may read that far past
  // the end (simdjson, SIMDJSON_PADDING) then parses the text in place
  // instead of copying it into a padded buffer first.
  size_t json_padding = 0;
};

// Calls fn for every bundle of `query`, in the store's order, on the calling
// thread. Stops at fn's first error (returned) or the store's.
Status ForEachTaskBundleReadAhead(Store& store, const TaskQuery& query, const ReadAheadOptions& options,
                                  const std::function<Status(const TaskBundle&)>& fn);

}  // namespace tessera::formats

#endif  // TESSERA_SRC_FORMATS_BUNDLE_READ_AHEAD_H_
