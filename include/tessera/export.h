// Label Studio JSON export: a project's tasks with their annotations and
// predictions, written as a stream (one task in memory at a time) in the shape
// of Label Studio's export serializer (the task's fields without "overlap" and
// "is_labeled"; each annotation's "completed_by" expanded to
// {"id","email","first_name","last_name"}).
//
// Thread-safety: reentrant; the Store must be usable from the calling thread.
#ifndef TESSERA_EXPORT_H_
#define TESSERA_EXPORT_H_

#include <cstdint>
#include <functional>
#include <ostream>

#include "tessera/model.h"
#include "tessera/status.h"
#include "tessera/store.h"

namespace tessera {

enum class ExportFormat {
  kJson,   // one JSON array of tasks (Label Studio's "JSON")
  kJsonl,  // one task object per line
};

struct ExportOptions {
  ExportFormat format = ExportFormat::kJson;
  // Label Studio's download_all_tasks: false (its default) exports only tasks
  // with at least one annotation (a skip counts).
  bool download_all_tasks = false;
  // Called every `progress_every` tasks and once at the end with the number of
  // tasks written so far.
  std::function<void(int64_t tasks_written)> progress;
  int64_t progress_every = 1000;
  // When set, only these tasks (the data manager's "export selection").
  std::optional<std::vector<Id>> task_ids;
};

// Writes project `project_id`'s export to `out`. IOError if the stream fails.
Status ExportLsJson(Store& store, Id project_id, std::ostream& out, const ExportOptions& options);

// One task as ExportLsJson writes it. With `reference`, built the slow,
// obviously right way (a JSON tree of the task, printed); the tests check
// that the fast writer says the same thing.
std::string ExportTaskText(Store& store, const TaskBundle& bundle, bool reference);

}  // namespace tessera

#endif  // TESSERA_EXPORT_H_
