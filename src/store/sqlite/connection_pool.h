// The connections of one SQLite database: a single writer connection guarded
// by a mutex, and a small pool of reader connections (in WAL mode readers see
// a consistent snapshot and never block the writer).
//
// For an in-memory database there is exactly one connection (a private
// ":memory:" database is per connection); reads then share the writer's lock.
//
// Leases are RAII: a WriteLease holds the writer mutex; a ReadLease returns its
// connection to the pool. If every reader is busy, Read() opens an extra
// connection instead of waiting, so nested reads (e.g. a callback inside an
// export) can never deadlock; extras beyond `readers` are closed on release.
//
// Thread-safety: Write() and Read() may be called from any thread. The pool
// must outlive its leases.
#ifndef TESSERA_SRC_STORE_SQLITE_CONNECTION_POOL_H_
#define TESSERA_SRC_STORE_SQLITE_CONNECTION_POOL_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "src/store/sqlite/connection.h"
#include "tessera/status.h"

namespace tessera::sqlite {

class ConnectionPool;

class WriteLease {
 public:
  Connection& conn() { return *conn_; }
  Connection* operator->() { return conn_; }

 private:
  friend class ConnectionPool;
  WriteLease(Connection* conn, std::unique_lock<std::mutex> lock)
      : conn_(conn), lock_(std::move(lock)) {}
  Connection* conn_;
  std::unique_lock<std::mutex> lock_;
};

class ReadLease {
 public:
  ReadLease(ReadLease&& other) noexcept;
  ReadLease& operator=(ReadLease&&) = delete;
  ~ReadLease();
  Connection& conn() { return *conn_; }
  Connection* operator->() { return conn_; }

 private:
  friend class ConnectionPool;
  ReadLease(ConnectionPool* pool, Connection* conn, std::unique_ptr<Connection> owned,
            std::unique_lock<std::mutex> writer_lock)
      : pool_(pool), conn_(conn), owned_(std::move(owned)), writer_lock_(std::move(writer_lock)) {}
  ConnectionPool* pool_;
  Connection* conn_;
  std::unique_ptr<Connection> owned_;         // a pooled reader (file databases)
  std::unique_lock<std::mutex> writer_lock_;  // held instead (memory databases)
};

class ConnectionPool {
 public:
  // Opens the writer connection; readers are opened lazily.
  static Result<std::unique_ptr<ConnectionPool>> Open(const std::string& path, int readers,
                                                      bool full_sync);

  WriteLease Write();
  Result<ReadLease> Read();
  // True when reads go through the writer connection (in-memory databases).
  bool single_connection() const { return single_connection_; }

 private:
  friend class ReadLease;
  ConnectionPool() = default;
  void Release(std::unique_ptr<Connection> conn);

  std::string path_;
  int max_idle_readers_ = 4;
  bool single_connection_ = false;
  ConnectionOptions reader_options_;

  std::mutex writer_mu_;
  std::unique_ptr<Connection> writer_;

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
};

}  // namespace tessera::sqlite

#endif  // TESSERA_SRC_STORE_SQLITE_CONNECTION_POOL_H_
