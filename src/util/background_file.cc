#include "tessera/background_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <new>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <streambuf>
#include <thread>
#include <vector>

namespace tessera {

// The put area is the buffer being filled; full buffers wait in `full_` for
// the writer thread, which hands them back through `free_`. One mutex and one
// condition variable serve both directions (two threads).
class BackgroundFileStream::Buf : public std::streambuf {
 public:
  Buf(const std::string& path, CacheMode mode) : path_(path) {
    constexpr int kFlags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
    if (mode == CacheMode::kDirect) {
      fd_ = ::open(path.c_str(), kFlags | O_DIRECT, 0644);
      direct_ = fd_ >= 0;
    }
    if (fd_ < 0) fd_ = ::open(path.c_str(), kFlags, 0644);
    if (fd_ < 0) {
      final_ = Status::IOError("cannot write " + path + ": " + std::strerror(errno));
      closed_ = true;
      return;
    }
    for (size_t buffer_idx = 0; buffer_idx < kBuffers; ++buffer_idx) {
      // Aligned for O_DIRECT, whose buffers, sizes and offsets must be
      // multiples of the device's block size (kDirectAlign covers them all).
      free_.emplace_back(static_cast<char*>(std::aligned_alloc(kDirectAlign, kBufferBytes)));
      if (!free_.back()) throw std::bad_alloc();
    }
    TakeFreeBuffer();
    writer_ = std::thread([this] { WriterLoop(); });
  }
  ~Buf() override { Close(); }

  bool open() const { return fd_ >= 0; }
  uint64_t direct_bytes() const { return direct_bytes_; }

  Status Close() {
    if (closed_) return final_;
    closed_ = true;
    HandOver();
    {
      std::lock_guard<std::mutex> lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    writer_.join();
    if (!error_.empty()) final_ = Status::IOError("writing " + path_ + " failed: " + error_);
    if (::close(fd_) != 0 && final_.ok()) {
      final_ = Status::IOError("writing " + path_ + " failed: " + std::strerror(errno));
    }
    fd_ = -1;
    setp(nullptr, nullptr);
    return final_;
  }

 protected:
  int_type overflow(int_type ch) override {
    if (!HandOver()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }

  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::streamsize done = 0;
    while (done < n) {
      if (pptr() == epptr() && !HandOver()) break;
      std::streamsize take = std::min<std::streamsize>(epptr() - pptr(), n - done);
      std::memcpy(pptr(), s + done, static_cast<size_t>(take));
      pbump(static_cast<int>(take));  // at most kBufferBytes
      done += take;
    }
    return done;
  }

  int sync() override { return HandOver() ? 0 : -1; }

 private:
  static constexpr size_t kDirectAlign = 4096;
  static_assert(kBufferBytes % kDirectAlign == 0);
  struct FreeDeleter {
    void operator()(char* p) const { std::free(p); }
  };
  using Buffer = std::unique_ptr<char, FreeDeleter>;
  struct Chunk {
    Buffer data;
    size_t size = 0;
  };

  // Sets the put area to a free buffer; the caller holds mu_ or is alone.
  void TakeFreeBuffer() {
    current_ = std::move(free_.back());
    free_.pop_back();
    setp(current_.get(), current_.get() + kBufferBytes);
  }

  // Queues what the put area holds and takes a free buffer (waiting for one
  // if all are queued). False once the file is closed or a write failed.
  bool HandOver() {
    if (fd_ < 0 || closing_) return false;
    std::unique_lock<std::mutex> lock(mu_);
    if (pptr() > pbase()) {
      full_.push_back(Chunk{std::move(current_), static_cast<size_t>(pptr() - pbase())});
      cv_.notify_all();
      cv_.wait(lock, [&] { return !free_.empty(); });
      TakeFreeBuffer();
    }
    return error_.empty();
  }

  // Writes queued buffers in order until Close() and the queue is empty.
  // After a failed write the rest are dropped (and handed back, so that the
  // producer never waits for ever).
  void WriterLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return !full_.empty() || closing_; });
      if (full_.empty()) return;
      Chunk chunk = std::move(full_.front());
      full_.pop_front();
      bool failed = !error_.empty();
      lock.unlock();
      std::string error = failed ? std::string() : WriteAll(chunk.data.get(), chunk.size);
      lock.lock();
      if (!error.empty() && error_.empty()) error_ = error;
      free_.push_back(std::move(chunk.data));
      cv_.notify_all();
    }
  }

  // Empty on success, else strerror of the failure. Runs on the writer
  // thread, the only one that touches direct_ and direct_bytes_ until Close()
  // has joined it.
  std::string WriteAll(const char* data, size_t size) {
    // A partial buffer cannot go through O_DIRECT, and after it the file
    // offset is no longer aligned: the rest of the file is buffered.
    if (direct_ && size % kDirectAlign != 0) LeaveDirect();
    while (size > 0) {
      ssize_t n = ::write(fd_, data, size);
      if (n < 0) {
        if (errno == EINTR) continue;
        // Refused at write time rather than at open (some file systems).
        if (errno == EINVAL && direct_ && LeaveDirect()) continue;
        return std::strerror(errno);
      }
      if (direct_) {
        direct_bytes_ += static_cast<uint64_t>(n);
        if (static_cast<size_t>(n) % kDirectAlign != 0) LeaveDirect();
      }
      data += n;
      size -= static_cast<size_t>(n);
    }
    return {};
  }

  // Clears O_DIRECT on the descriptor; false if that failed.
  bool LeaveDirect() {
    direct_ = false;
    int flags = ::fcntl(fd_, F_GETFL);
    return flags >= 0 && ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) == 0;
  }

  const std::string path_;
  int fd_ = -1;
  std::thread writer_;
  Buffer current_;  // the put area's buffer
  bool direct_ = false;         // O_DIRECT is set on fd_ (writer thread)
  uint64_t direct_bytes_ = 0;   // written with O_DIRECT (writer thread)

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Chunk> full_;                      // guarded by mu_
  std::vector<Buffer> free_;                    // guarded by mu_
  std::string error_;                           // guarded by mu_: the first write error
  bool closing_ = false;                        // guarded by mu_ (read unlocked by the producer only)

  bool closed_ = false;
  Status final_;
};

BackgroundFileStream::BackgroundFileStream(const std::string& path, CacheMode mode)
    : std::ostream(nullptr), buf_(std::make_unique<Buf>(path, mode)) {
  rdbuf(buf_.get());
  if (!buf_->open()) setstate(std::ios::badbit);
}

BackgroundFileStream::~BackgroundFileStream() { buf_->Close(); }

uint64_t BackgroundFileStream::direct_bytes() const { return buf_->direct_bytes(); }

Status BackgroundFileStream::Close() {
  Status s = buf_->Close();
  if (!s.ok()) setstate(std::ios::badbit);
  return s;
}

}  // namespace tessera
