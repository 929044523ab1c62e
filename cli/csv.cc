#include "cli/csv.h"

namespace tessera::cli {
namespace {

bool BlankLine(std::string_view text, size_t pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r')) ++pos;
  return pos >= text.size() || text[pos] == '\n';
}

}  // namespace

Result<std::vector<CsvRecord>> ParseCsv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRecord> records;
  int64_t line = 1;
  size_t pos = 0;
  while (pos < text.size()) {
    if (BlankLine(text, pos)) {  // skip the blank line
      const size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) break;
      pos = end + 1;
      ++line;
      continue;
    }
    CsvRecord record;
    record.line = line;
    while (true) {  // one field per iteration
      std::string field;
      if (pos < text.size() && text[pos] == '"') {
        const int64_t opened = line;
        ++pos;
        while (true) {
          if (pos >= text.size()) {
            return Status::InvalidArgument(
                "line " + std::to_string(opened) +
                ": a quoted field is never closed (write a quote inside a quoted field as \"\")");
          }
          const char c = text[pos++];
          if (c == '"') {
            if (pos < text.size() && text[pos] == '"') {
              field.push_back('"');
              ++pos;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field.push_back(c);
        }
        if (pos < text.size() && text[pos] == '\r') ++pos;
        if (pos < text.size() && text[pos] != ',' && text[pos] != '\n') {
          return Status::InvalidArgument("line " + std::to_string(line) +
                                         ": text after a closing quote (a quote inside a quoted "
                                         "field must be written as \"\")");
        }
      } else {
        while (pos < text.size() && text[pos] != ',' && text[pos] != '\n') field.push_back(text[pos++]);
        if (!field.empty() && field.back() == '\r') field.pop_back();
      }
      record.fields.push_back(std::move(field));
      if (pos >= text.size()) break;
      if (text[pos++] == '\n') {
        ++line;
        break;
      }
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace tessera::cli
