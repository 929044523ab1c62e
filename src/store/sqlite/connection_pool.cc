#include "src/store/sqlite/connection_pool.h"

#include <utility>

namespace tessera::sqlite {

ReadLease::ReadLease(ReadLease&& other) noexcept
    : pool_(other.pool_),
      conn_(std::exchange(other.conn_, nullptr)),
      owned_(std::move(other.owned_)),
      writer_lock_(std::move(other.writer_lock_)) {}

ReadLease::~ReadLease() {
  if (owned_ != nullptr) pool_->Release(std::move(owned_));
}

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::Open(const std::string& path,
                                                             int readers, bool full_sync) {
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool());
  pool->path_ = path;
  pool->max_idle_readers_ = readers < 1 ? 1 : readers;
  pool->single_connection_ = path.empty() || path == ":memory:";
  ConnectionOptions writer_options;
  writer_options.full_sync = full_sync;
  writer_options.wal = !pool->single_connection_;
  TESSERA_ASSIGN_OR_RETURN(pool->writer_, Connection::Open(path.empty() ? ":memory:" : path,
                                                           writer_options));
  pool->reader_options_ = writer_options;
  pool->reader_options_.read_only = true;
  return pool;
}

WriteLease ConnectionPool::Write() {
  return WriteLease(writer_.get(), std::unique_lock<std::mutex>(writer_mu_));
}

Result<ReadLease> ConnectionPool::Read() {
  if (single_connection_) {
    return ReadLease(this, writer_.get(), nullptr, std::unique_lock<std::mutex>(writer_mu_));
  }
  std::unique_ptr<Connection> conn;
  {
    std::lock_guard<std::mutex> lock(readers_mu_);
    if (!idle_readers_.empty()) {
      conn = std::move(idle_readers_.back());
      idle_readers_.pop_back();
    }
  }
  if (conn == nullptr) {
    TESSERA_ASSIGN_OR_RETURN(conn, Connection::Open(path_, reader_options_));
  }
  Connection* raw = conn.get();
  return ReadLease(this, raw, std::move(conn), std::unique_lock<std::mutex>());
}

void ConnectionPool::Release(std::unique_ptr<Connection> conn) {
  std::lock_guard<std::mutex> lock(readers_mu_);
  if (static_cast<int>(idle_readers_.size()) < max_idle_readers_) {
    idle_readers_.push_back(std::move(conn));
  }
  // else: `conn` is closed here.
}

}  // namespace tessera::sqlite
