// Output sinks for dataset exports: a streaming zip writer (zlib deflate,
// sizes in data descriptors, ZIP64 end records when the archive needs them),
// a folder, and a single file.
#include <zlib.h>

#include <array>
#include <ctime>
#include <fstream>
#include <vector>

#include "tessera/formats.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kMax32 = 0xFFFFFFFFu;

// A relative path with no "..", no absolute root and no empty parts.
bool SafeRelativePath(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.find('\\') != std::string_view::npos ||
      path.find(':') != std::string_view::npos) {
    return false;
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

class ZipSink : public OutputSink {
 public:
  explicit ZipSink(std::ostream& out) : out_(out) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    dos_time_ = static_cast<uint16_t>((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
    dos_date_ = static_cast<uint16_t>(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
  }
  ~ZipSink() override {
    if (in_file_) deflateEnd(&z_);
  }

  Status BeginFile(std::string_view path) override {
    if (in_file_) return Status::Internal("zip: BeginFile while a file is open");
    if (!SafeRelativePath(path)) return Status::InvalidArgument("zip: unsafe path " + std::string(path));
    Entry entry;
    entry.name = std::string(path);
    entry.offset = written_;
    std::string header;
    Put32(header, 0x04034b50);
    Put16(header, 20);      // version needed
    Put16(header, 0x0808);  // data descriptor follows; names are UTF-8
    Put16(header, 8);       // deflate
    Put16(header, dos_time_);
    Put16(header, dos_date_);
    Put32(header, 0);  // crc, sizes: in the data descriptor
    Put32(header, 0);
    Put32(header, 0);
    Put16(header, static_cast<uint16_t>(entry.name.size()));
    Put16(header, 0);
    header += entry.name;
    TESSERA_RETURN_IF_ERROR(Emit(header));
    z_ = z_stream{};
    if (deflateInit2(&z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return Status::Internal("zip: deflateInit2 failed");
    }
    entries_.push_back(std::move(entry));
    in_file_ = true;
    return Status::Ok();
  }

  Status Write(std::string_view bytes) override {
    if (!in_file_) return Status::Internal("zip: Write without BeginFile");
    Entry& entry = entries_.back();
    entry.crc = crc32_z(entry.crc, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size());
    entry.size += bytes.size();
    return Deflate(bytes, Z_NO_FLUSH);
  }

  Status EndFile() override {
    if (!in_file_) return Status::Internal("zip: EndFile without BeginFile");
    TESSERA_RETURN_IF_ERROR(Deflate({}, Z_FINISH));
    deflateEnd(&z_);
    in_file_ = false;
    Entry& entry = entries_.back();
    if (entry.size >= kMax32 || entry.compressed >= kMax32) {
      return Status::FailedPrecondition("zip: \"" + entry.name +
                                        "\" is 4 GiB or larger; export to a folder instead");
    }
    std::string descriptor;
    Put32(descriptor, 0x08074b50);
    Put32(descriptor, static_cast<uint32_t>(entry.crc));
    Put32(descriptor, static_cast<uint32_t>(entry.compressed));
    Put32(descriptor, static_cast<uint32_t>(entry.size));
    return Emit(descriptor);
  }

  Status Finish() override {
    if (in_file_) TESSERA_RETURN_IF_ERROR(EndFile());
    uint64_t cd_offset = written_;
    for (const Entry& entry : entries_) {
      bool big_offset = entry.offset >= kMax32;
      std::string header;
      Put32(header, 0x02014b50);
      Put16(header, big_offset ? 45 : 20);  // made by
      Put16(header, big_offset ? 45 : 20);  // needed
      Put16(header, 0x0808);
      Put16(header, 8);
      Put16(header, dos_time_);
      Put16(header, dos_date_);
      Put32(header, static_cast<uint32_t>(entry.crc));
      Put32(header, static_cast<uint32_t>(entry.compressed));
      Put32(header, static_cast<uint32_t>(entry.size));
      Put16(header, static_cast<uint16_t>(entry.name.size()));
      Put16(header, big_offset ? 12 : 0);  // extra
      Put16(header, 0);                   // comment
      Put16(header, 0);                   // disk
      Put16(header, 0);                   // internal attributes
      Put32(header, 0);                   // external attributes
      Put32(header, big_offset ? kMax32 : static_cast<uint32_t>(entry.offset));
      header += entry.name;
      if (big_offset) {  // ZIP64 extra field holding the offset only
        Put16(header, 0x0001);
        Put16(header, 8);
        Put64(header, entry.offset);
      }
      TESSERA_RETURN_IF_ERROR(Emit(header));
    }
    uint64_t cd_size = written_ - cd_offset;
    uint64_t count = entries_.size();
    bool zip64 = count >= 0xFFFF || cd_offset >= kMax32 || cd_size >= kMax32;
    std::string end;
    if (zip64) {
      uint64_t zip64_offset = written_;
      Put32(end, 0x06064b50);
      Put64(end, 44);
      Put16(end, 45);
      Put16(end, 45);
      Put32(end, 0);
      Put32(end, 0);
      Put64(end, count);
      Put64(end, count);
      Put64(end, cd_size);
      Put64(end, cd_offset);
      Put32(end, 0x07064b50);  // locator
      Put32(end, 0);
      Put64(end, zip64_offset);
      Put32(end, 1);
    }
    Put32(end, 0x06054b50);
    Put16(end, 0);
    Put16(end, 0);
    Put16(end, zip64 ? 0xFFFF : static_cast<uint16_t>(count));
    Put16(end, zip64 ? 0xFFFF : static_cast<uint16_t>(count));
    Put32(end, zip64 ? kMax32 : static_cast<uint32_t>(cd_size));
    Put32(end, zip64 ? kMax32 : static_cast<uint32_t>(cd_offset));
    Put16(end, 0);
    TESSERA_RETURN_IF_ERROR(Emit(end));
    out_.flush();
    if (!out_) return Status::IOError("writing the zip failed (disk full or connection closed?)");
    return Status::Ok();
  }

 private:
  struct Entry {
    std::string name;
    uint64_t offset = 0;
    uLong crc = 0;
    uint64_t size = 0;
    uint64_t compressed = 0;
  };

  static void Put16(std::string& s, uint16_t v) {
    s.push_back(static_cast<char>(v & 0xFF));
    s.push_back(static_cast<char>(v >> 8));
  }
  static void Put32(std::string& s, uint32_t v) {
    Put16(s, static_cast<uint16_t>(v & 0xFFFF));
    Put16(s, static_cast<uint16_t>(v >> 16));
  }
  static void Put64(std::string& s, uint64_t v) {
    Put32(s, static_cast<uint32_t>(v & kMax32));
    Put32(s, static_cast<uint32_t>(v >> 32));
  }

  Status Emit(std::string_view bytes) {
    out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out_) return Status::IOError("writing the zip failed (disk full or connection closed?)");
    written_ += bytes.size();
    return Status::Ok();
  }

  Status Deflate(std::string_view bytes, int flush) {
    std::array<unsigned char, 64 * 1024> buf;
    // zlib's avail_in is 32-bit: feed large writes in slices.
    size_t offset = 0;
    do {
      size_t slice = std::min<size_t>(bytes.size() - offset, 1u << 30);
      z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + offset));
      z_.avail_in = static_cast<uInt>(slice);
      offset += slice;
      int mode = offset < bytes.size() ? Z_NO_FLUSH : flush;
      int rc;
      do {
        z_.next_out = buf.data();
        z_.avail_out = static_cast<uInt>(buf.size());
        rc = deflate(&z_, mode);
        if (rc == Z_STREAM_ERROR) return Status::Internal("zip: deflate failed");
        size_t produced = buf.size() - z_.avail_out;
        entries_.back().compressed += produced;
        TESSERA_RETURN_IF_ERROR(Emit(std::string_view(reinterpret_cast<char*>(buf.data()), produced)));
      } while (z_.avail_out == 0 || (mode == Z_FINISH && rc != Z_STREAM_END));
    } while (offset < bytes.size());
    return Status::Ok();
  }

  std::ostream& out_;
  std::vector<Entry> entries_;
  uint64_t written_ = 0;
  z_stream z_{};
  bool in_file_ = false;
  uint16_t dos_time_ = 0;
  uint16_t dos_date_ = 0;
};

class FolderSink : public OutputSink {
 public:
  explicit FolderSink(fs::path root) : root_(std::move(root)) {}

  Status BeginFile(std::string_view path) override {
    if (file_.is_open()) return Status::Internal("folder: BeginFile while a file is open");
    if (!SafeRelativePath(path)) return Status::InvalidArgument("unsafe output path " + std::string(path));
    fs::path target = root_ / fs::path(std::string(path));
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) return Status::IOError("cannot create " + target.parent_path().string() + ": " + ec.message());
    file_.open(target, std::ios::binary | std::ios::trunc);
    if (!file_) return Status::IOError("cannot write " + target.string());
    current_ = target.string();
    return Status::Ok();
  }
  Status Write(std::string_view bytes) override {
    file_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!file_) return Status::IOError("writing " + current_ + " failed (disk full?)");
    return Status::Ok();
  }
  Status EndFile() override {
    file_.close();
    if (!file_) return Status::IOError("writing " + current_ + " failed (disk full?)");
    return Status::Ok();
  }
  Status Finish() override { return file_.is_open() ? EndFile() : Status::Ok(); }

 private:
  fs::path root_;
  std::ofstream file_;
  std::string current_;
};

class SingleFileSink : public OutputSink {
 public:
  explicit SingleFileSink(std::ostream& out) : out_(out) {}
  Status BeginFile(std::string_view path) override {
    if (used_) return Status::Internal("single-file output given a second file " + std::string(path));
    used_ = true;
    return Status::Ok();
  }
  Status Write(std::string_view bytes) override {
    out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out_) return Status::IOError("writing the export failed (disk full or connection closed?)");
    return Status::Ok();
  }
  Status EndFile() override { return Status::Ok(); }
  Status Finish() override {
    out_.flush();
    if (!out_) return Status::IOError("writing the export failed (disk full or connection closed?)");
    return Status::Ok();
  }

 private:
  std::ostream& out_;
  bool used_ = false;
};

}  // namespace

std::unique_ptr<OutputSink> NewZipSink(std::ostream& out) { return std::make_unique<ZipSink>(out); }
std::unique_ptr<OutputSink> NewFolderSink(fs::path root) { return std::make_unique<FolderSink>(std::move(root)); }
std::unique_ptr<OutputSink> NewSingleFileSink(std::ostream& out) { return std::make_unique<SingleFileSink>(out); }

}  // namespace tessera
