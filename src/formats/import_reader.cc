// Byte sources, byte-order marks, and the line reader used by the importers.
#include <cerrno>
#include <cstring>

#include "src/formats/import_internal.h"

namespace tessera::import_internal {
namespace {

class FileChunkReader : public ChunkReader {
 public:
  FileChunkReader(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  ~FileChunkReader() override { std::fclose(file_); }
  FileChunkReader(const FileChunkReader&) = delete;
  FileChunkReader& operator=(const FileChunkReader&) = delete;

  Result<size_t> Read(char* dst, size_t cap) override {
    size_t n = std::fread(dst, 1, cap, file_);
    if (n < cap && std::ferror(file_)) {
      return Status::IOError("cannot read " + path_ + ": " + std::strerror(errno));
    }
    return n;
  }

 private:
  std::FILE* file_;
  std::string path_;
};

class BufferChunkReader : public ChunkReader {
 public:
  explicit BufferChunkReader(std::string_view bytes) : bytes_(bytes) {}
  Result<size_t> Read(char* dst, size_t cap) override {
    size_t n = std::min(cap, bytes_.size() - pos_);
    if (n > 0) std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::unique_ptr<ChunkReader>> OpenSource(const ImportSource& source) {
  if (!source.is_file) {
    return std::unique_ptr<ChunkReader>(new BufferChunkReader(source.buffer));
  }
  std::FILE* file = std::fopen(source.path.c_str(), "rb");
  if (file == nullptr) {
    return Status::IOError("cannot open " + source.path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<ChunkReader>(new FileChunkReader(file, source.path));
}

Result<size_t> CheckBom(std::string_view head) {
  auto starts = [&](std::string_view bom) { return head.substr(0, bom.size()) == bom; };
  if (starts("\xEF\xBB\xBF")) return size_t{3};
  if (starts(std::string_view("\xFF\xFE\x00\x00", 4)) ||
      starts(std::string_view("\x00\x00\xFE\xFF", 4))) {
    return Status::InvalidArgument(
        "the file is UTF-32 encoded; save it as UTF-8 and import it again");
  }
  if (starts("\xFF\xFE") || starts("\xFE\xFF")) {
    return Status::InvalidArgument(
        "the file is UTF-16 encoded; save it as UTF-8 and import it again");
  }
  return size_t{0};
}

LineReader::LineReader(ChunkReader* reader, size_t max_line_bytes)
    : reader_(reader), max_line_bytes_(max_line_bytes) {}

bool LineReader::Fill() {
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  size_t want = end_ + kChunkBytes + simdjson::SIMDJSON_PADDING;
  if (buf_.size() < want) buf_.resize(want);
  auto n = reader_->Read(buf_.data() + end_, kChunkBytes);
  if (!n.ok()) {
    status_ = n.status();
    return false;
  }
  if (*n == 0) {
    eof_ = true;
    return false;
  }
  saw_any_byte_ = true;
  if (first_read_) {
    first_read_ = false;
    auto skip = CheckBom(std::string_view(buf_.data(), *n));
    if (!skip.ok()) {
      status_ = skip.status();
      return false;
    }
    begin_ = *skip;
  }
  end_ += *n;
  return true;
}

bool LineReader::Next(std::string_view* line) {
  if (!status_.ok()) return false;
  size_t scan = begin_;
  while (true) {
    const void* found = scan < end_ ? std::memchr(buf_.data() + scan, '\n', end_ - scan) : nullptr;
    size_t line_end = end_;
    bool have_line = false;
    if (found != nullptr) {
      line_end = static_cast<size_t>(static_cast<const char*>(found) - buf_.data());
      have_line = true;
    } else if (eof_) {
      if (begin_ == end_) return false;
      have_line = true;
    }
    if (line_end - begin_ > max_line_bytes_) {
      status_ = Status::InvalidArgument(
          "line " + std::to_string(line_no_ + 1) + ": longer than " +
          std::to_string(max_line_bytes_) + " bytes, the limit for one task; split it up");
      return false;
    }
    if (have_line) {
      size_t len = line_end - begin_;
      if (len > 0 && buf_[begin_ + len - 1] == '\r') --len;
      *line = std::string_view(buf_.data() + begin_, len);
      begin_ = line_end < end_ ? line_end + 1 : end_;
      ++line_no_;
      return true;
    }
    size_t scanned = end_ - begin_;
    if (!Fill()) {
      if (!status_.ok()) return false;
    }
    scan = begin_ + scanned;
  }
}

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;  // start of the current run of plain bytes
  for (size_t idx = 0; idx < s.size(); ++idx) {
    unsigned char c = static_cast<unsigned char>(s[idx]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, idx - run);
    run = idx + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out->append(esc, 6);
      }
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

const char* DescribeType(simdjson::dom::element_type type) {
  using T = simdjson::dom::element_type;
  switch (type) {
    case T::ARRAY: return "an array";
    case T::OBJECT: return "an object";
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE: return "a number";
    case T::STRING: return "a string";
    case T::BOOL: return "a boolean";
    case T::NULL_VALUE: return "null";
  }
  return "a value";
}

std::string Where(int64_t line, int64_t task_no) {
  std::string out = "line " + std::to_string(line);
  if (task_no > 0) out += ", task " + std::to_string(task_no);
  return out;
}

}  // namespace tessera::import_internal
