// JSON and JSONL task import.
//
// A JSON file is either a list of tasks or one task object. A list is not
// loaded as a whole: a boundary scanner (which only tracks strings, escapes
// and bracket depth) cuts out one element at a time, and simdjson parses and
// validates just that element. So memory stays at one element however large
// the file is.
#include <cstring>

#include "src/formats/import_internal.h"
#include "tessera/util.h"

namespace tessera::import_internal {
namespace {

std::string DescribeJsonError(simdjson::error_code error) {
  switch (error) {
    case simdjson::UTF8_ERROR:
      return "not valid UTF-8 text; save the file as UTF-8";
    case simdjson::DEPTH_ERROR:
      return "nested too deeply (more than 1024 levels of lists and objects)";
    case simdjson::CAPACITY:
      return "too large to parse";
    case simdjson::STRING_ERROR:
    case simdjson::UNESCAPED_CHARS:
    case simdjson::UNCLOSED_STRING:
      return "not valid JSON: a string is broken (unclosed quote, bad escape, or a raw "
             "control character such as a tab or newline inside it)";
    case simdjson::NUMBER_ERROR:
      return "not valid JSON: a number is malformed or out of range";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return "not valid JSON: a word is not true, false or null (are quotes missing?)";
    default:
      return std::string("not valid JSON (") + simdjson::error_message(error) +
             "); check for missing commas, quotes or brackets";
  }
}

// Parses one item (padded text) and adds the task it describes.
Status AddItem(simdjson::dom::parser& parser, const char* text, size_t len, bool padded,
               int64_t line, int64_t task_no, Batcher* batcher) {
  simdjson::dom::element item;
  auto error = parser.parse(text, len, !padded).get(item);
  if (error) return Status::InvalidArgument(Where(line, task_no) + ": " + DescribeJsonError(error));
  NewTask task;
  Status st = BuildTask(item, std::string_view(text, len), batcher, &task);
  if (!st.ok()) return st.WithPrefix(Where(line, task_no));
  return batcher->Add(std::move(task), line);
}

// Reads bytes in chunks and tracks the line number; the JSON boundary scanner.
class Scanner {
 public:
  Scanner(ChunkReader* reader, size_t max_item_bytes)
      : reader_(reader), max_item_bytes_(max_item_bytes), buf_(kChunkBytes, '\0') {}

  const Status& status() const { return status_; }
  int64_t line() const { return line_; }

  // Skips whitespace; returns the next byte without consuming it, or -1 at the
  // end of input or on a read error (see status()).
  int PeekNonSpace() {
    while (true) {
      for (; pos_ < len_; ++pos_) {
        char c = buf_[pos_];
        if (c == '\n') {
          ++line_;
        } else if (c != ' ' && c != '\t' && c != '\r') {
          return static_cast<unsigned char>(c);
        }
      }
      if (!Refill()) return -1;
    }
  }
  void Skip() { ++pos_; }

  // Appends the bytes of one list element to *item, up to (not including) the
  // ',' or ']' at depth 0 that ends it, and consumes that byte. Returns it, or
  // '}' for an unbalanced '}', or 0 when the input ends first (or on error).
  char ScanItem(std::string* item) {
    int64_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    while (true) {
      if (pos_ == len_ && !Refill()) return 0;
      size_t start = pos_;
      char end = 0;
      for (; pos_ < len_; ++pos_) {
        char c = buf_[pos_];
        if (in_string) {
          if (escaped) {
            escaped = false;
          } else if (c == '\\') {
            escaped = true;
          } else if (c == '"') {
            in_string = false;
          } else if (c == '\n') {
            ++line_;
          }
          continue;
        }
        if (c == '"') {
          in_string = true;
        } else if (c == '{' || c == '[') {
          ++depth;
        } else if (c == '}' || c == ']') {
          if (depth == 0) {
            end = c;
            break;
          }
          --depth;
        } else if (c == ',' && depth == 0) {
          end = c;
          break;
        } else if (c == '\n') {
          ++line_;
        }
      }
      item->append(buf_.data() + start, pos_ - start);
      if (item->size() > max_item_bytes_) {
        status_ = Status::InvalidArgument("larger than " + std::to_string(max_item_bytes_) +
                                          " bytes, the limit for one task; split it up");
        return 0;
      }
      if (end != 0) {
        ++pos_;
        return end;
      }
    }
  }

  // Appends everything left to *item (for a single-object file).
  bool ReadRest(std::string* item) {
    while (true) {
      item->append(buf_.data() + pos_, len_ - pos_);
      pos_ = len_;
      if (item->size() > max_item_bytes_) {
        status_ = Status::InvalidArgument("larger than " + std::to_string(max_item_bytes_) +
                                          " bytes, the limit for one task; split it up");
        return false;
      }
      if (!Refill()) return status_.ok();
    }
  }

 private:
  bool Refill() {
    pos_ = len_ = 0;
    auto n = reader_->Read(buf_.data(), buf_.size());
    if (!n.ok()) {
      status_ = n.status();
      return false;
    }
    len_ = *n;
    if (first_read_ && len_ > 0) {
      first_read_ = false;
      auto skip = CheckBom(std::string_view(buf_.data(), len_));
      if (!skip.ok()) {
        status_ = skip.status();
        return false;
      }
      pos_ = *skip;
    }
    return len_ > 0;
  }

  ChunkReader* reader_;
  size_t max_item_bytes_;
  std::string buf_;
  size_t pos_ = 0;
  size_t len_ = 0;
  bool first_read_ = true;
  int64_t line_ = 1;
  Status status_;
};

Status ParseList(Scanner& scanner, simdjson::dom::parser& parser, Batcher* batcher) {
  std::string item;
  int64_t task_no = 0;
  while (true) {
    int next = scanner.PeekNonSpace();
    TESSERA_RETURN_IF_ERROR(scanner.status());
    int64_t line = scanner.line();
    if (next == ']') {
      if (task_no > 0) {
        return Status::InvalidArgument(
            Where(line, 0) + ": a comma follows the last task; remove it (JSON allows none)");
      }
      scanner.Skip();
      break;
    }
    if (next < 0) {
      return Status::InvalidArgument(Where(line, 0) +
                                     ": the input ends before the list of tasks is closed "
                                     "with ']'");
    }
    ++task_no;
    item.clear();
    char end = scanner.ScanItem(&item);
    if (!scanner.status().ok()) return scanner.status().WithPrefix(Where(line, task_no));
    if (end == 0) {
      return Status::InvalidArgument(Where(line, task_no) +
                                     ": the input ends inside this task; the file looks cut "
                                     "off (a missing '}', ']' or '\"')");
    }
    if (end == '}') {
      return Status::InvalidArgument(Where(line, task_no) +
                                     ": an extra '}' that closes nothing; check the brackets");
    }
    if (Trim(item).empty()) {
      return Status::InvalidArgument(Where(line, task_no) +
                                     ": an empty item (two commas in a row?); remove the "
                                     "extra comma");
    }
    item.reserve(item.size() + simdjson::SIMDJSON_PADDING);
    TESSERA_RETURN_IF_ERROR(
        AddItem(parser, item.data(), item.size(), true, line, task_no, batcher));
    if (end == ']') break;
  }
  int trailing = scanner.PeekNonSpace();
  TESSERA_RETURN_IF_ERROR(scanner.status());
  if (trailing >= 0) {
    return Status::InvalidArgument(Where(scanner.line(), 0) +
                                   ": unexpected text after the closing ']' of the list of "
                                   "tasks; put every task inside the list");
  }
  return Status::Ok();
}

}  // namespace

Status ParseJson(ChunkReader* reader, const ParseOptions& options, Batcher* batcher) {
  Scanner scanner(reader, options.max_task_bytes);
  simdjson::dom::parser parser;
  int first = scanner.PeekNonSpace();
  TESSERA_RETURN_IF_ERROR(scanner.status());
  if (first < 0) return Status::InvalidArgument("the input is empty; it has no tasks");
  if (first == '[') {
    scanner.Skip();
    return ParseList(scanner, parser, batcher);
  }
  if (first == '{') {
    int64_t line = scanner.line();
    std::string item;
    if (!scanner.ReadRest(&item)) return scanner.status().WithPrefix(Where(line, 0));
    item.reserve(item.size() + simdjson::SIMDJSON_PADDING);
    return AddItem(parser, item.data(), item.size(), true, line, 0, batcher);
  }
  return Status::InvalidArgument(
      Where(scanner.line(), 0) +
      ": expected a JSON list of tasks ([...]) or a single task object ({...})");
}

Status ParseJsonl(ChunkReader* reader, const ParseOptions& options, Batcher* batcher) {
  LineReader lines(reader, options.max_task_bytes);
  simdjson::dom::parser parser;
  std::string_view line;
  while (lines.Next(&line)) {
    if (Trim(line).empty()) continue;
    // The line reader leaves padding after each line, so simdjson parses in place.
    TESSERA_RETURN_IF_ERROR(
        AddItem(parser, line.data(), line.size(), true, lines.line_no(), 0, batcher));
  }
  return lines.status();
}

}  // namespace tessera::import_internal
