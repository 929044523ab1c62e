// Zip archives as dataset input (libzip): safe extraction into a temporary folder.
#include "src/formats/zip_input.h"

#include <sys/stat.h>
#include <zip.h>

#include <algorithm>
#include <fstream>
#include <vector>

#include "tessera/util.h"

namespace tessera {

namespace fs = std::filesystem;

namespace {

std::string ZipErrorText(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

// Why an entry name may not be extracted, or "" when it is safe: a relative
// path of plain parts (directories end in '/').
std::string UnsafeNameReason(std::string_view name) {
  if (name.empty()) return "an empty name";
  if (name.find('\0') != std::string_view::npos) return "a NUL byte in its name";
  if (name.find('\\') != std::string_view::npos) return "a backslash in its name";
  if (name.front() == '/') return "an absolute path";
  if (name.size() >= 2 && name[1] == ':') return "a drive letter";
  size_t start = 0;
  while (start < name.size()) {
    size_t slash = name.find('/', start);
    std::string_view part = name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part == "..") return "a \"..\" part that would leave the folder";
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return "";
}

class Archive {
 public:
  ~Archive() {
    if (zip_) zip_discard(zip_);  // read-only: nothing to write back
  }
  Status Open(const fs::path& path) {
    int code = 0;
    zip_ = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!zip_) return Status::InvalidArgument(path.string() + " is not a readable zip archive: " + ZipErrorText(code));
    return Status::Ok();
  }
  zip_t* get() { return zip_; }
  std::string Error() { return zip_error_strerror(zip_get_error(zip_)); }

 private:
  zip_t* zip_ = nullptr;
};

}  // namespace

Status ExtractZip(const fs::path& zip_path, const fs::path& dest, const ZipLimits& limits) {
  Archive archive;
  TESSERA_RETURN_IF_ERROR(archive.Open(zip_path));
  const std::string where = zip_path.filename().string();
  const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  if (entries < 0) return Status::InvalidArgument(where + ": cannot read the archive's directory");
  if (entries > limits.max_entries) {
    return Status::PayloadTooLarge(where + " has " + std::to_string(entries) + " entries; at most " +
                                   std::to_string(limits.max_entries) + " are extracted");
  }
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) return Status::IOError("cannot create " + dest.string() + ": " + ec.message());
  // Check every name before writing anything.
  for (zip_uint64_t index = 0; index < static_cast<zip_uint64_t>(entries); ++index) {
    const char* raw = zip_get_name(archive.get(), index, ZIP_FL_ENC_GUESS);
    if (!raw) return Status::InvalidArgument(where + ": entry " + std::to_string(index) + ": " + archive.Error());
    std::string name = raw;
    std::string why = UnsafeNameReason(name);
    if (!why.empty()) {
      return Status::InvalidArgument(where + ": entry \"" + name + "\" has " + why +
                                     "; refusing to extract the archive");
    }
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    if (zip_file_get_external_attributes(archive.get(), index, 0, &opsys, &attributes) == 0 &&
        opsys == ZIP_OPSYS_UNIX && S_ISLNK(attributes >> 16)) {
      return Status::InvalidArgument(where + ": entry \"" + name +
                                     "\" is a symbolic link; archives with links are not extracted");
    }
  }
  uint64_t total = 0;
  std::vector<char> buffer(1 << 16);
  for (zip_uint64_t index = 0; index < static_cast<zip_uint64_t>(entries); ++index) {
    const std::string name = zip_get_name(archive.get(), index, ZIP_FL_ENC_GUESS);
    const fs::path target = dest / fs::path(name);
    if (name.back() == '/') {
      fs::create_directories(target, ec);
      if (ec) return Status::IOError("cannot create " + target.string() + ": " + ec.message());
      continue;
    }
    fs::create_directories(target.parent_path(), ec);
    if (ec) return Status::IOError("cannot create " + target.parent_path().string() + ": " + ec.message());
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive.get(), index, 0, &st) == 0 && (st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
        st.encryption_method != ZIP_EM_NONE) {
      return Status::InvalidArgument(where + ": entry \"" + name + "\" is encrypted; encrypted archives are not supported");
    }
    zip_file_t* file = zip_fopen_index(archive.get(), index, 0);
    if (!file) return Status::InvalidArgument(where + ": cannot read entry \"" + name + "\": " + archive.Error());
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    Status status;
    if (!out) status = Status::IOError("cannot write " + target.string());
    while (status.ok()) {
      zip_int64_t n = zip_fread(file, buffer.data(), buffer.size());
      if (n < 0) {
        status = Status::InvalidArgument(where + ": entry \"" + name + "\" is damaged: " +
                                         zip_error_strerror(zip_file_get_error(file)));
        break;
      }
      if (n == 0) break;
      total += static_cast<uint64_t>(n);
      if (total > limits.max_bytes) {
        status = Status::PayloadTooLarge(where + " unpacks to more than " + std::to_string(limits.max_bytes) +
                                         " bytes (the limit); extract it yourself and import the folder");
        break;
      }
      out.write(buffer.data(), n);
      if (!out) status = Status::IOError("writing " + target.string() + " failed (disk full?)");
    }
    zip_fclose(file);
    TESSERA_RETURN_IF_ERROR(status);
  }
  return Status::Ok();
}

namespace formats {

bool IsZipFile(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ToLower(path.extension().string()) == ".zip";
}

Result<std::unique_ptr<ExtractedZip>> ExtractedZip::Open(const fs::path& zip, const ZipLimits& limits) {
  std::error_code ec;
  fs::path dir = fs::temp_directory_path(ec) / ("tessera-zip-" + RandomHex(8));
  if (ec) return Status::IOError("no temporary folder to extract " + zip.string() + " into: " + ec.message());
  std::unique_ptr<ExtractedZip> out(new ExtractedZip(dir));  // removes `dir` however this ends
  TESSERA_RETURN_IF_ERROR(ExtractZip(zip, dir, limits));
  out->root_ = dir;
  // A zipped folder: the layout starts inside it (macOS's __MACOSX folder
  // aside), unless that one folder is itself part of a layout (a COCO zip of
  // just annotations/).
  std::vector<fs::path> children;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename() != "__MACOSX") children.push_back(entry.path());
  }
  static const char* const kLayoutFolders[] = {"annotations", "images", "labels", "jpegimages", "obj_train_data"};
  if (children.size() == 1 && fs::is_directory(children[0], ec) &&
      std::find(std::begin(kLayoutFolders), std::end(kLayoutFolders), ToLower(children[0].filename().string())) ==
          std::end(kLayoutFolders)) {
    out->root_ = children[0];
  }
  return out;
}

ExtractedZip::~ExtractedZip() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

}  // namespace formats
}  // namespace tessera
