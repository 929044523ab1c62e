// Fuzz target: the zip archive reader behind dataset imports
// (src/formats/zip_input.cc: ExtractZip and ExtractedZip::Open, over libzip).
// The reader takes a path, so each input is written to one scratch file of
// this process (on /dev/shm when there is one; extraction's own temporary
// folders go there too, through TMPDIR) and extracted with small limits
// (1 MiB, 64 entries) into scratch/out/a/b. Besides not crashing, it checks
// what extraction promises: nothing lands outside the target folder (a
// "../" escape of up to two levels would show in out/ or out/a), nothing is
// a symbolic link, and no more than the byte limit is written. An archive
// that extracts is then opened again through ExtractedZip::Open (the
// zipped-folder root logic), whose folder must be gone afterwards.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "src/formats/zip_input.h"

namespace {

namespace fs = std::filesystem;

struct Scratch {
  fs::path dir;
  Scratch() {
    std::error_code ec;
    fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
    dir = base / ("tessera-fuzz-zip-" + std::to_string(getpid()));
    fs::create_directories(dir);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

const fs::path& ScratchDir() {
  static Scratch scratch;  // removed at exit
  return scratch.dir;
}

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_zip: %s\n", what.c_str());
  std::abort();
}

// Only `allowed` (and `also`, when given) may be in `dir`.
void ExpectOnly(const fs::path& dir, const char* allowed, const char* also = nullptr) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path name = entry.path().filename();
    if (name != allowed && (also == nullptr || name != also)) {
      Fail("extraction escaped its folder: " + entry.path().string());
    }
  }
}

// Bytes in the regular files under `dir`; no symbolic link may be there.
uint64_t TreeBytes(const fs::path& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_symlink(ec)) Fail("extraction made a symbolic link: " + it->path().string());
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec)) setenv("TMPDIR", "/dev/shm", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path& dir = ScratchDir();
  const fs::path zip = dir / "in.zip";
  {
    std::ofstream out(zip, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) Fail("cannot write " + zip.string());
  }
  const fs::path out_root = dir / "out";
  const fs::path dest = out_root / "a" / "b";
  std::error_code ec;
  fs::remove_all(out_root, ec);
  fs::create_directories(dest, ec);

  tessera::ZipLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_entries = 64;
  tessera::Status status = tessera::ExtractZip(zip, dest, limits);
  ExpectOnly(dir, "in.zip", "out");
  ExpectOnly(out_root, "a");
  ExpectOnly(out_root / "a", "b");
  // Written as it is counted: at most one buffer (64 KiB) past the limit
  // is read, and that one is not written.
  if (uint64_t bytes = TreeBytes(dest); bytes > limits.max_bytes) {
    Fail("extracted " + std::to_string(bytes) + " bytes, over the limit " + std::to_string(limits.max_bytes));
  }
  if (!status.ok()) return 0;

  fs::path extracted_dir;
  {
    auto extracted = tessera::formats::ExtractedZip::Open(zip, limits);
    if (!extracted.ok()) Fail("extracted once, not twice: " + extracted.status().ToString());
    const fs::path& root = (*extracted)->root();
    if (!fs::is_directory(root, ec)) Fail("root " + root.string() + " is not a folder");
    // The temporary folder is the root or its parent (a zipped folder).
    extracted_dir = root.parent_path() == fs::temp_directory_path() ? root : root.parent_path();
    if (TreeBytes(extracted_dir) != TreeBytes(dest)) Fail("the two extractions differ");
  }
  if (fs::exists(extracted_dir, ec)) Fail(extracted_dir.string() + " was left behind");
  return 0;
}
