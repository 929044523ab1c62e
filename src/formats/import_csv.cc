// CSV, TSV and TXT task import.
//
// CSV/TSV: the first non-blank line is the header; each later record becomes
// a task whose data maps the header's names to the record's values (strings).
// Quoting follows RFC 4180 for both: a field that starts with '"' runs to the
// matching '"', may hold delimiters and line breaks, and writes '"' as '""'.
// Blank lines are skipped.
//
// TXT: each non-blank line (trimmed) becomes one task {key: line}.
#include <simdjson.h>

#include <unordered_set>

#include "src/formats/import_internal.h"
#include "tessera/util.h"

namespace tessera::import_internal {
namespace {

Status NotUtf8(int64_t line) {
  return Status::InvalidArgument(Where(line, 0) +
                                 ": not valid UTF-8 text; save the file as UTF-8");
}

// Most columns a header may have.
constexpr size_t kMaxColumns = 10000;

// Reads one record starting with `line` (more lines are pulled while a quoted
// field is open). Keeps at most `max_fields` fields (so a line of commas cannot
// blow up memory) and sets *count to the number the record has.
Status ReadRecord(LineReader& lines, std::string_view line, char delimiter, size_t max_bytes,
                  size_t max_fields, std::vector<std::string>* fields, size_t* count) {
  int64_t start_line = lines.line_no();
  fields->clear();
  *count = 0;
  size_t total = 0;
  size_t pos = 0;
  while (true) {  // one field per iteration
    std::string field;
    if (pos < line.size() && line[pos] == '"') {
      ++pos;
      while (true) {
        size_t quote = line.find('"', pos);
        if (quote == std::string_view::npos) {
          field.append(line.substr(pos));
          field.push_back('\n');
          total += line.size() + 1;
          if (total > max_bytes) {
            return Status::InvalidArgument(
                Where(start_line, 0) + ": a record longer than " + std::to_string(max_bytes) +
                " bytes; is a quote left open?");
          }
          if (!lines.Next(&line)) {
            TESSERA_RETURN_IF_ERROR(lines.status());
            return Status::InvalidArgument(
                Where(start_line, 0) +
                ": a quoted field is never closed; the file ends inside quotes (write a quote "
                "inside a quoted field as \"\")");
          }
          if (!simdjson::validate_utf8(line)) return NotUtf8(lines.line_no());
          pos = 0;
          continue;
        }
        field.append(line.substr(pos, quote - pos));
        pos = quote + 1;
        if (pos < line.size() && line[pos] == '"') {  // "" -> "
          field.push_back('"');
          ++pos;
          continue;
        }
        break;
      }
      if (pos < line.size() && line[pos] != delimiter) {
        return Status::InvalidArgument(
            Where(lines.line_no(), 0) +
            ": text after a closing quote; a quote inside a quoted field must be written "
            "as \"\"");
      }
    } else {
      size_t stop = line.find(delimiter, pos);
      if (stop == std::string_view::npos) stop = line.size();
      field.assign(line.substr(pos, stop - pos));
      pos = stop;
    }
    if (++*count <= max_fields) fields->push_back(std::move(field));
    if (pos >= line.size()) return Status::Ok();
    ++pos;  // the delimiter
  }
}

bool IsBlank(std::string_view line) { return Trim(line).empty(); }

}  // namespace

Status ParseDelimited(ChunkReader* reader, char delimiter, const ParseOptions& options,
                      Batcher* batcher) {
  LineReader lines(reader, options.max_task_bytes);
  const char* kind = delimiter == '\t' ? "TSV" : "CSV";
  std::vector<std::string> fields;
  std::vector<std::string> keys;  // `"name":` per column, JSON-escaped once
  std::string_view line;
  while (lines.Next(&line)) {
    if (!simdjson::validate_utf8(line)) return NotUtf8(lines.line_no());
    if (IsBlank(line)) continue;
    int64_t record_line = lines.line_no();
    size_t count = 0;
    TESSERA_RETURN_IF_ERROR(ReadRecord(lines, line, delimiter, options.max_task_bytes,
                                       keys.empty() ? kMaxColumns : keys.size(), &fields, &count));
    if (keys.empty()) {
      if (count > kMaxColumns) {
        return Status::InvalidArgument(Where(record_line, 0) + ": the header has " +
                                       std::to_string(count) + " columns; at most " +
                                       std::to_string(kMaxColumns) + " are supported");
      }
      std::unordered_set<std::string> names;
      for (size_t col_idx = 0; col_idx < fields.size(); ++col_idx) {
        const std::string& name = fields[col_idx];
        if (name.empty()) {
          return Status::InvalidArgument(Where(record_line, 0) + ": column " +
                                         std::to_string(col_idx + 1) +
                                         " of the header has no name; every " + kind +
                                         " column needs a name in the first line");
        }
        if (!names.insert(name).second) {
          return Status::InvalidArgument(Where(record_line, 0) + ": the header names column \"" +
                                         name + "\" twice; column names must be unique");
        }
        batcher->NoteColumn(name);
        std::string key;
        AppendJsonString(name, &key);
        key.push_back(':');
        keys.push_back(std::move(key));
      }
      continue;
    }
    if (count != keys.size()) {
      return Status::InvalidArgument(
          Where(record_line, 0) + ": column count " + std::to_string(count) +
          " differs from the header's " + std::to_string(keys.size()) +
          (delimiter == '\t' ? "; check for extra or missing tabs"
                             : "; quote values that contain commas"));
    }
    NewTask task;
    std::string& data = task.data;
    data.clear();
    data.push_back('{');
    for (size_t col_idx = 0; col_idx < fields.size(); ++col_idx) {
      if (col_idx > 0) data.push_back(',');
      data.append(keys[col_idx]);
      AppendJsonString(fields[col_idx], &data);
    }
    data.push_back('}');
    TESSERA_RETURN_IF_ERROR(batcher->Add(std::move(task), record_line));
  }
  TESSERA_RETURN_IF_ERROR(lines.status());
  if (!keys.empty() && batcher->task_count() == 0) {
    return Status::InvalidArgument(std::string("the ") + kind +
                                   " input has a header but no rows; add one row per task");
  }
  return Status::Ok();
}

Status ParseTxt(ChunkReader* reader, const ParseOptions& options, Batcher* batcher) {
  LineReader lines(reader, options.max_task_bytes);
  std::string prefix = "{";
  AppendJsonString(options.data_keys.size() == 1 ? options.data_keys[0] : "text", &prefix);
  prefix.push_back(':');
  batcher->NoteColumn(options.data_keys.size() == 1 ? options.data_keys[0] : "text");
  std::string_view line;
  while (lines.Next(&line)) {
    std::string_view text = Trim(line);
    if (text.empty()) continue;
    if (!simdjson::validate_utf8(text)) return NotUtf8(lines.line_no());
    NewTask task;
    task.data.reserve(prefix.size() + text.size() + 8);
    task.data.assign(prefix);
    AppendJsonString(text, &task.data);
    task.data.push_back('}');
    TESSERA_RETURN_IF_ERROR(batcher->Add(std::move(task), lines.line_no()));
  }
  return lines.status();
}

}  // namespace tessera::import_internal
