// A small RFC 4180 CSV reader for the command-line tools: comma-separated
// fields; a field that starts with '"' runs to the matching '"', may hold
// commas and line breaks, and writes '"' as '""'. CRLF and LF line ends, a
// leading UTF-8 byte-order mark, and blank lines (skipped) are accepted.
//
// Thread-safety: pure functions.
#ifndef TESSERA_CLI_CSV_H_
#define TESSERA_CLI_CSV_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/status.h"

namespace tessera::cli {

struct CsvRecord {
  int64_t line = 0;  // 1-based line on which the record starts
  std::vector<std::string> fields;
};

// Splits `text` into records. Errors (InvalidArgument) start with
// "line N: " and say how to fix the file.
Result<std::vector<CsvRecord>> ParseCsv(std::string_view text);

}  // namespace tessera::cli

#endif  // TESSERA_CLI_CSV_H_
