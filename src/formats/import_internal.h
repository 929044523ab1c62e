// Pieces shared by the import parsers (not a public API): chunked byte
// readers, a line reader, the task builder that turns one parsed JSON item
// into a NewTask, and the batcher that feeds the sink.
#ifndef TESSERA_SRC_FORMATS_IMPORT_INTERNAL_H_
#define TESSERA_SRC_FORMATS_IMPORT_INTERNAL_H_

#include <simdjson.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "tessera/import.h"

namespace tessera::import_internal {

// Bytes read per chunk from the source.
inline constexpr size_t kChunkBytes = size_t{1} << 20;

// Reads a source in chunks. Not thread-safe.
class ChunkReader {
 public:
  virtual ~ChunkReader() = default;
  // Reads up to `cap` bytes into `dst`; 0 at end of input.
  virtual Result<size_t> Read(char* dst, size_t cap) = 0;
};

Result<std::unique_ptr<ChunkReader>> OpenSource(const ImportSource& source);

// Checks the first bytes of the input for a byte-order mark. Returns how many
// bytes to skip (3 for a UTF-8 BOM, else 0), or an error for UTF-16/32.
Result<size_t> CheckBom(std::string_view head);

// Splits a ChunkReader's bytes into lines ('\n', with a trailing '\r'
// dropped). A line's view stays valid until the next call, and at least
// SIMDJSON_PADDING readable bytes follow it (so simdjson can parse in place).
class LineReader {
 public:
  LineReader(ChunkReader* reader, size_t max_line_bytes);
  // Sets *line to the next line; false at end of input (or on error, see status()).
  bool Next(std::string_view* line);
  const Status& status() const { return status_; }
  int64_t line_no() const { return line_no_; }  // 1-based number of the last line returned
  bool saw_any_byte() const { return saw_any_byte_; }

 private:
  bool Fill();  // reads more; false at end of input or on error

  ChunkReader* reader_;
  size_t max_line_bytes_;
  std::string buf_;   // data in [begin_, end_), followed by >= padding bytes
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  bool first_read_ = true;
  bool saw_any_byte_ = false;
  int64_t line_no_ = 0;
  Status status_;
};

// Appends `s` as a JSON string literal (quotes included) to *out.
void AppendJsonString(std::string_view s, std::string* out);

// "a number", "a string", "an array", ... for error messages.
const char* DescribeType(simdjson::dom::element_type type);

// "line 3" or "line 3, task 2" (task_no <= 0 leaves it out).
std::string Where(int64_t line, int64_t task_no);

// Collects tasks into batches and hands them to the sink; runs the validator;
// keeps the counts and the data columns.
class Batcher {
 public:
  Batcher(const ParseOptions& options, const TaskSink& sink);
  Status Add(NewTask task, int64_t line);
  // Notes the top-level keys of a data object (first appearances, capped).
  void NoteColumn(std::string_view key);
  Status Finish();  // flushes the last batch
  ParseStats TakeStats() { return std::move(stats_); }
  int64_t task_count() const { return stats_.task_count; }

 private:
  const ParseOptions& options_;
  const TaskSink& sink_;
  std::vector<NewTask> batch_;
  ParseStats stats_;
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  std::unordered_set<std::string, KeyHash, std::equal_to<>> seen_columns_;
};

// Turns one parsed item (a task in LS format or a flat data object) into a
// NewTask. `raw` is the item's source text (validated by the parse), or empty.
// On error returns InvalidArgument with a message that does not yet say where
// (the caller prefixes the location).
Status BuildTask(simdjson::dom::element item, std::string_view raw, Batcher* batcher,
                 NewTask* task);

// Parsers per format. Each reads the whole source and reports through batcher.
Status ParseJson(ChunkReader* reader, const ParseOptions& options, Batcher* batcher);
Status ParseJsonl(ChunkReader* reader, const ParseOptions& options, Batcher* batcher);
Status ParseDelimited(ChunkReader* reader, char delimiter, const ParseOptions& options,
                      Batcher* batcher);
Status ParseTxt(ChunkReader* reader, const ParseOptions& options, Batcher* batcher);

}  // namespace tessera::import_internal

#endif  // TESSERA_SRC_FORMATS_IMPORT_INTERNAL_H_
