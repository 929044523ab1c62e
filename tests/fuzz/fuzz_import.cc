// Fuzz target: the task import parsers (ParseTasks) over JSON, JSONL, CSV, TSV
// and TXT. Every input is parsed as each of the five formats, so seed files
// need no format prefix. Small batches and a small task-size cap exercise the
// batch and limit paths too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tessera/import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  tessera::ParseOptions options;
  options.batch_size = 3;
  options.max_task_bytes = 4096;
  options.data_keys = size % 2 ? std::vector<std::string>{"text"}
                                : std::vector<std::string>{"image", "text"};
  int64_t seen = 0;
  auto sink = [&](std::span<const tessera::NewTask> batch) {
    for (const auto& task : batch) seen += static_cast<int64_t>(task.data.size());
    return tessera::Status::Ok();
  };
  using tessera::ImportFormat;
  for (ImportFormat format : {ImportFormat::kJson, ImportFormat::kJsonl, ImportFormat::kCsv,
                              ImportFormat::kTsv, ImportFormat::kTxt}) {
    (void)tessera::ParseTasks(tessera::ImportSource::Buffer(bytes, format), options, sink);
  }
  return seen < 0;  // keeps `seen` alive; always 0
}
