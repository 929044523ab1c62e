// Reading datasets that arrive as a zip archive: the archive is extracted
// into a temporary folder (safely: see ExtractZip in tessera/formats.h) and
// the format's folder reader runs on that.
//
// Thread-safety: an ExtractedZip is owned by one thread.
#ifndef TESSERA_SRC_FORMATS_ZIP_INPUT_H_
#define TESSERA_SRC_FORMATS_ZIP_INPUT_H_

#include <filesystem>
#include <memory>

#include "tessera/formats.h"

namespace tessera::formats {

// True for an existing regular file whose name ends in ".zip" (any case).
bool IsZipFile(const std::filesystem::path& path);

// A zip archive extracted into a new temporary folder, removed (with
// everything in it) on destruction.
class ExtractedZip {
 public:
  static Result<std::unique_ptr<ExtractedZip>> Open(const std::filesystem::path& zip, const ZipLimits& limits);
  ~ExtractedZip();
  ExtractedZip(const ExtractedZip&) = delete;
  ExtractedZip& operator=(const ExtractedZip&) = delete;

  // Where the dataset's layout starts: the temporary folder, or the one
  // folder in it when the archive holds nothing else (a zipped folder).
  const std::filesystem::path& root() const { return root_; }

 private:
  explicit ExtractedZip(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
  std::filesystem::path root_;
};

}  // namespace tessera::formats

#endif  // TESSERA_SRC_FORMATS_ZIP_INPUT_H_
