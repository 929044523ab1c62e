// Replay driver for the fuzz targets in the normal (GCC) build: feeds every
// file under the given files/folders to LLVMFuzzerTestOneInput once, in sorted
// order, so `make test` keeps each corpus (seeds plus every crash ever found)
// as a regression test. A crash or sanitizer report fails the test; so does
// finding no input at all (a moved corpus should not pass silently).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
// Optional: a target that keeps background threads (fuzz_api's App posts
// dashboard recounts to its low-priority lane) stops them here, before the
// process's static objects go; a job still running then called into a
// destroyed one ("pure virtual method called", once in a parallel ctest).
extern "C" __attribute__((weak)) void TesseraFuzzShutdown();

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<fs::path> files;
  for (int arg_idx = 1; arg_idx < argc; ++arg_idx) {
    fs::path root(argv[arg_idx]);
    std::error_code ec;
    if (fs::is_regular_file(root, ec)) {
      files.push_back(root);
      continue;
    }
    if (!fs::is_directory(root, ec)) {
      std::fprintf(stderr, "replay: %s: no such file or folder (skipped)\n", argv[arg_idx]);
      continue;
    }
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec)) files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "replay: no corpus files found\n");
    return 1;
  }
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Print before running, so a crash names its input.
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.c_str(), bytes.size());
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  if (TesseraFuzzShutdown) TesseraFuzzShutdown();
  std::printf("replay: %zu inputs OK\n", files.size());
  return 0;
}
