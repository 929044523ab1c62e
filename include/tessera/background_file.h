// An output stream to a file whose write(2) calls run on a background thread.
//
// The writing thread fills buffers of kBufferBytes and hands each full one to
// a writer thread, which copies it into the file while the next is filled: on
// two cores, producing the bytes and the kernel's copy into the page cache
// overlap. At most kBuffers buffers exist, so memory stays bounded whatever
// the file's size; the producer waits when the writer falls behind.
//
// A write error (disk full, ...) puts the stream in the bad state at the next
// buffer hand-over, like std::ofstream, and Close() reports it.
//
// Thread-safety: one thread writes to the stream and calls Close(); the
// writer thread is internal.
#ifndef TESSERA_BACKGROUND_FILE_H_
#define TESSERA_BACKGROUND_FILE_H_

#include <memory>
#include <ostream>
#include <string>

#include "tessera/status.h"

namespace tessera {

class BackgroundFileStream : public std::ostream {
 public:
  static constexpr size_t kBufferBytes = size_t{1} << 20;
  static constexpr size_t kBuffers = 4;

  // Creates or truncates `path`; on failure the stream is bad and
  // Close() says why.
  explicit BackgroundFileStream(const std::string& path);
  ~BackgroundFileStream() override;  // Close()s, ignoring its status
  BackgroundFileStream(const BackgroundFileStream&) = delete;
  BackgroundFileStream& operator=(const BackgroundFileStream&) = delete;

  // Writes what is buffered, waits for the writer thread and closes the
  // file. Ok when every byte reached the file. Later calls return the same.
  Status Close();

 private:
  class Buf;
  std::unique_ptr<Buf> buf_;
};

}  // namespace tessera

#endif  // TESSERA_BACKGROUND_FILE_H_
