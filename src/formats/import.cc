// Format detection, the parse entry point, and the import driver that writes
// parsed batches to a Store.
#include "tessera/import.h"

#include <chrono>

#include "src/formats/import_internal.h"
#include "tessera/util.h"

namespace tessera {

const char* ImportFormatName(ImportFormat format) {
  switch (format) {
    case ImportFormat::kJson: return "json";
    case ImportFormat::kJsonl: return "jsonl";
    case ImportFormat::kCsv: return "csv";
    case ImportFormat::kTsv: return "tsv";
    case ImportFormat::kTxt: return "txt";
  }
  return "unknown";
}

Result<ImportFormat> FormatFromFileName(std::string_view name) {
  std::string lower = ToLower(name);
  struct Ext {
    const char* ext;
    ImportFormat format;
  };
  static constexpr Ext kExts[] = {
      {".jsonl", ImportFormat::kJsonl}, {".ndjson", ImportFormat::kJsonl},
      {".json", ImportFormat::kJson},   {".csv", ImportFormat::kCsv},
      {".tsv", ImportFormat::kTsv},     {".txt", ImportFormat::kTxt},
  };
  for (const Ext& ext : kExts) {
    if (EndsWith(lower, ext.ext)) return ext.format;
  }
  return Status::InvalidArgument("cannot import \"" + std::string(name) +
                                  "\": the file type is not supported; use one of .json, "
                                  ".jsonl, .ndjson, .csv, .tsv, .txt");
}

ImportSource ImportSource::File(std::string path, ImportFormat format) {
  ImportSource source;
  source.is_file = true;
  size_t slash = path.find_last_of('/');
  source.name = slash == std::string::npos ? path : path.substr(slash + 1);
  source.path = std::move(path);
  source.format = format;
  return source;
}

ImportSource ImportSource::Buffer(std::string_view bytes, ImportFormat format, std::string name) {
  ImportSource source;
  source.buffer = bytes;
  source.format = format;
  source.name = std::move(name);
  return source;
}

Result<ParseStats> ParseTasks(const ImportSource& source, const ParseOptions& options,
                              const TaskSink& sink) {
  using namespace import_internal;
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<ChunkReader> reader, OpenSource(source));
  Batcher batcher(options, sink);
  Status st;
  switch (source.format) {
    case ImportFormat::kJson: st = ParseJson(reader.get(), options, &batcher); break;
    case ImportFormat::kJsonl: st = ParseJsonl(reader.get(), options, &batcher); break;
    case ImportFormat::kCsv: st = ParseDelimited(reader.get(), ',', options, &batcher); break;
    case ImportFormat::kTsv: st = ParseDelimited(reader.get(), '\t', options, &batcher); break;
    case ImportFormat::kTxt: st = ParseTxt(reader.get(), options, &batcher); break;
  }
  TESSERA_RETURN_IF_ERROR(st);
  TESSERA_RETURN_IF_ERROR(batcher.Finish());
  if (batcher.task_count() == 0) {
    return Status::InvalidArgument(std::string("no tasks found: the ") +
                                   ImportFormatName(source.format) +
                                   " input is empty, blank, or an empty list");
  }
  return batcher.TakeStats();
}

Result<ImportReport> ImportTasks(Store& store, Id project_id, Id user_id,
                                 const ImportSource& source, const ImportOptions& options) {
  auto started = std::chrono::steady_clock::now();
  ImportReport report;

  ParseOptions parse = options.parse;
  if (options.validate_first.value_or(source.is_file)) {
    auto checked = ParseTasks(source, parse, [](std::span<const NewTask>) { return Status::Ok(); });
    if (!checked.ok()) return checked.status();
    parse.validator = nullptr;  // every task passed it already
  }

  TESSERA_ASSIGN_OR_RETURN(report.import_id, store.BeginImport(project_id, user_id, source.name));
  int64_t inserted = 0;
  auto sink = [&](std::span<const NewTask> batch) -> Status {
    TESSERA_RETURN_IF_ERROR(store.InsertTasks(
        project_id, report.import_id, batch, options.return_task_ids ? &report.task_ids : nullptr));
    inserted += static_cast<int64_t>(batch.size());
    if (options.progress) options.progress(inserted);
    return Status::Ok();
  };
  auto parsed = ParseTasks(source, parse, sink);
  Status st = parsed.status();
  if (st.ok()) {
    st = store.FinishImport(report.import_id, parsed->task_count, parsed->annotation_count,
                            parsed->prediction_count);
  }
  if (!st.ok()) {
    Status aborted = store.AbortImport(report.import_id, st.message());
    if (!aborted.ok()) {
      return Status(st.code(), st.message() + " (and rolling the import back failed: " +
                                   aborted.message() + ")");
    }
    return st;
  }
  report.task_count = parsed->task_count;
  report.annotation_count = parsed->annotation_count;
  report.prediction_count = parsed->prediction_count;
  report.data_columns = std::move(parsed->data_columns);
  report.duration =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace tessera
