// Task import: parses Label Studio import files (JSON, JSONL, CSV, TSV, TXT)
// as a stream and inserts the tasks into a Store in batches.
//
// Two layers:
//   * ParseTasks() turns an ImportSource into NewTask batches handed to a sink.
//     It never holds the whole input: JSONL/CSV/TSV/TXT are read line by line
//     in fixed-size chunks, and a JSON array is split into its elements by a
//     small boundary scanner, each element parsed on its own. Memory is bounded
//     by one batch plus the largest single task.
//   * ImportTasks() drives a Store: BeginImport, InsertTasks per batch,
//     FinishImport; any error aborts the import so no task of it remains.
//
// Accepted task items (Label Studio's import format):
//   {"data": {...}, "annotations": [...], "predictions": [...], "meta": {...}}
//   ("completions" is accepted as the legacy name of "annotations"), or a flat
//   object, which becomes the task's data as a whole.
// As in Label Studio: an imported annotation without "ground_truth" is marked
// ground truth; a prediction without "model_version" gets "undefined"; a
// prediction's "score" may be a number or a numeric string (anything else is
// dropped). A prediction "result" must be a list of region objects (Label
// Studio's shorthand of a bare string or object needs the labeling config and
// is rejected here with a message saying so).
//
// Errors name the 1-based line (and, in a JSON array, the 1-based task number)
// and say what would be valid.
//
// Thread-safety: functions are reentrant; an ImportSource that refers to a
// buffer must outlive the call.
#ifndef TESSERA_IMPORT_H_
#define TESSERA_IMPORT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/model.h"
#include "tessera/status.h"
#include "tessera/store.h"

namespace tessera {

enum class ImportFormat { kJson, kJsonl, kCsv, kTsv, kTxt };

// "json", "jsonl", "csv", "tsv", "txt".
const char* ImportFormatName(ImportFormat format);

// The format from a file name's extension (case-insensitive): .json, .jsonl
// (or .ndjson), .csv, .tsv, .txt. InvalidArgument naming the allowed
// extensions otherwise.
Result<ImportFormat> FormatFromFileName(std::string_view name);

// Where the bytes come from: a file (read in chunks) or a caller-owned buffer.
struct ImportSource {
  static ImportSource File(std::string path, ImportFormat format);
  // `bytes` is not copied; it must stay valid while it is being parsed.
  static ImportSource Buffer(std::string_view bytes, ImportFormat format,
                             std::string name = "api");

  bool is_file = false;
  std::string path;         // when is_file
  std::string_view buffer;  // when !is_file
  ImportFormat format = ImportFormat::kJson;
  std::string name;         // recorded as the import's source (file name or "api")
};

// Receives parsed tasks, at most ParseOptions::batch_size at a time. The span
// is only valid during the call. A non-OK status stops the parse.
using TaskSink = std::function<Status(std::span<const NewTask>)>;

// Optional per-task check (e.g. annotation results against the labeling
// config). `line` is the 1-based line the task starts on.
using TaskValidator = std::function<Status(const NewTask& task, int64_t line)>;

struct ParseOptions {
  size_t batch_size = 10000;
  // The labeling config's data keys ($text -> "text"). A TXT line becomes
  // {key: line} when there is exactly one key, else {"text": line}.
  std::vector<std::string> data_keys;
  TaskValidator validator;
  // A single task (a JSON element, a JSONL/TXT line or a CSV record) larger
  // than this is rejected, so hostile input cannot exhaust memory (parsing one
  // JSON item takes several times its size).
  size_t max_task_bytes = size_t{32} << 20;
};

struct ParseStats {
  int64_t task_count = 0;
  int64_t annotation_count = 0;
  int64_t prediction_count = 0;
  // Top-level data keys in order of first appearance (at most 1,000 kept).
  std::vector<std::string> data_columns;
};

// Parses `source`, handing tasks to `sink` in batches. Stops at the first error.
Result<ParseStats> ParseTasks(const ImportSource& source, const ParseOptions& options,
                              const TaskSink& sink);

struct ImportOptions {
  ParseOptions parse;
  // Parse the whole input once without writing, so that an error anywhere is
  // reported before any task is inserted. Unset: on for files, off for buffers
  // (a failed buffer import is still rolled back by AbortImport).
  std::optional<bool> validate_first;
  // Fill ImportReport::task_ids (costs 8 bytes per task; meant for small
  // imports such as the API's POST of a few tasks).
  bool return_task_ids = false;
  // Called after each inserted batch with the number of tasks inserted so far.
  std::function<void(int64_t tasks_done)> progress;
};

struct ImportReport {
  Id import_id = 0;
  int64_t task_count = 0;
  int64_t annotation_count = 0;
  int64_t prediction_count = 0;
  double duration = 0;  // seconds, parse and insert
  std::vector<std::string> data_columns;
  std::vector<Id> task_ids;  // only with ImportOptions::return_task_ids
};

// Imports `source` into project `project_id` as user `user_id`. On failure the
// import is aborted (nothing of it remains) and its error returned.
Result<ImportReport> ImportTasks(Store& store, Id project_id, Id user_id,
                                 const ImportSource& source, const ImportOptions& options);

}  // namespace tessera

#endif  // TESSERA_IMPORT_H_
