// An output stream to a file whose write(2) calls run on a background thread.
//
// The writing thread fills buffers of kBufferBytes and hands each full one to
// a writer thread, which copies it into the file while the next is filled: on
// two cores, producing the bytes and the kernel's copy into the page cache
// overlap. At most kBuffers buffers exist, so memory stays bounded whatever
// the file's size; the producer waits when the writer falls behind.
//
// With CacheMode::kDirect the file is opened with O_DIRECT where the file
// system allows it: the full buffers (aligned, 1 MiB) go from memory to the
// device without the kernel's copy into the page cache, which was a quarter
// of a JSON export's CPU time, and a multi-gigabyte export does not push the
// database's pages out of the cache. The last, partial buffer (and anything
// after a flush() of a partial buffer) is written through the page cache.
// Where O_DIRECT is refused (tmpfs, pipes, some devices) every write is
// buffered, as with kBuffered.
//
// A write error (disk full, ...) puts the stream in the bad state at the next
// buffer hand-over, like std::ofstream, and Close() reports it.
//
// Thread-safety: one thread writes to the stream and calls Close(); the
// writer thread is internal.
#ifndef TESSERA_BACKGROUND_FILE_H_
#define TESSERA_BACKGROUND_FILE_H_

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "tessera/status.h"

namespace tessera {

class BackgroundFileStream : public std::ostream {
 public:
  static constexpr size_t kBufferBytes = size_t{1} << 20;
  static constexpr size_t kBuffers = 4;
  enum class CacheMode { kBuffered, kDirect };

  // Creates or truncates `path`; on failure the stream is bad and
  // Close() says why.
  explicit BackgroundFileStream(const std::string& path, CacheMode mode = CacheMode::kBuffered);
  ~BackgroundFileStream() override;  // Close()s, ignoring its status
  BackgroundFileStream(const BackgroundFileStream&) = delete;
  BackgroundFileStream& operator=(const BackgroundFileStream&) = delete;

  // Writes what is buffered, waits for the writer thread and closes the
  // file. Ok when every byte reached the file. Later calls return the same.
  Status Close();

  // Bytes written with O_DIRECT so far (0 in kBuffered mode or where the
  // file system refused it); read it after Close().
  uint64_t direct_bytes() const;

 private:
  class Buf;
  std::unique_ptr<Buf> buf_;
};

}  // namespace tessera

#endif  // TESSERA_BACKGROUND_FILE_H_
