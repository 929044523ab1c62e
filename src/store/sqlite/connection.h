// A thin RAII layer over the sqlite3 C API: a Connection owns one sqlite3*
// handle and a cache of prepared statements; a Stmt is a borrowed handle to one
// cached statement that resets itself when it goes out of scope.
//
// Text is bound without copying (SQLITE_STATIC): the caller keeps the bound
// string alive until the Stmt is stepped to completion or destroyed.
//
// Thread-safety: a Connection (and its Stmts) must be used by one thread at a
// time; ConnectionPool hands connections out under that rule.
#ifndef TESSERA_SRC_STORE_SQLITE_CONNECTION_H_
#define TESSERA_SRC_STORE_SQLITE_CONNECTION_H_

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tessera/status.h"

namespace tessera::sqlite {

// Maps a SQLite result code to a Status carrying the engine's message.
// Unique/primary-key violations -> AlreadyExists; other constraint failures ->
// InvalidArgument; busy/locked -> Unavailable; I/O, full disk -> IOError;
// corrupt file -> Corruption; anything else -> Internal.
Status ErrorStatus(sqlite3* db, int rc, std::string_view what);

// A prepared statement borrowed from a Connection's cache. Move-only. On
// destruction it is reset and its bindings cleared, so it releases any read
// lock and can be reused.
class Stmt {
 public:
  Stmt(sqlite3_stmt* stmt, bool* in_use, bool owned);
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  // Parameters are 1-based, as in SQL's ?1, ?2.
  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Stmt& Bind(int index, bool value) { return Bind(index, static_cast<int64_t>(value ? 1 : 0)); }
  Stmt& Bind(int index, double value);
  Stmt& Bind(int index, std::string_view value);  // not copied
  Stmt& Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }
  Stmt& Bind(int index, const char* value) = delete;  // avoid binding a pointer as bool
  Stmt& BindNull(int index);
  // 0 -> NULL (ids that are "not set").
  Stmt& BindId(int index, int64_t id);
  Stmt& Bind(int index, const std::optional<int64_t>& value);
  Stmt& Bind(int index, const std::optional<double>& value);

  // Advances: true when a row is available, false when done.
  Result<bool> Step();
  // Runs a statement that returns no rows.
  Status Run();
  // Rewinds for another execution, keeping the statement borrowed. Reset()
  // clears the bindings; ResetKeepBindings() keeps them, so a loop only
  // rebinds the parameters that change.
  void Reset();
  void ResetKeepBindings() { sqlite3_reset(stmt_); }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  int32_t Int32(int col) const { return sqlite3_column_int(stmt_, col); }
  bool Bool(int col) const { return sqlite3_column_int(stmt_, col) != 0; }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL.
  int Type(int col) const { return sqlite3_column_type(stmt_, col); }
  std::string Text(int col) const;
  // The same into *out, reusing its buffer (no allocation when it fits).
  void TextInto(int col, std::string* out) const;
  std::optional<int64_t> OptInt(int col) const;
  std::optional<double> OptDouble(int col) const;

 private:
  sqlite3_stmt* stmt_;
  bool* in_use_;  // the cache slot's flag; null when not cached
  bool owned_;    // finalize instead of returning to the cache
  int bind_rc_ = SQLITE_OK;
};

struct ConnectionOptions {
  bool read_only = false;  // sets query_only: any write fails
  bool full_sync = true;
  bool wal = true;         // false for in-memory databases
  int busy_timeout_ms = 10000;
  // PRAGMA mmap_size: pages are read through a memory map instead of a
  // pread+copy each. Every commit invalidates the other connections' page
  // caches, so a read after a write re-reads its pages; mapped, those reads
  // are memory accesses. TESSERA_SQLITE_MMAP_MB overrides (0 turns it off).
  int64_t mmap_bytes = int64_t{256} << 20;
};

// One open database handle plus its statement cache. Owns the sqlite3* and
// every cached statement; closes them on destruction.
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& path,
                                                  const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The cached statement for `sql` (prepared on first use). If that statement
  // is already borrowed (a nested use), a private one is prepared instead.
  Result<Stmt> Prepare(std::string_view sql);
  // Runs one or more statements that return no rows (DDL, pragmas, BEGIN...).
  Status Exec(std::string_view sql);

  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int64_t Changes() const { return sqlite3_changes64(db_); }
  sqlite3* db() const { return db_; }

 private:
  struct CachedStmt {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  // Keyed by SQL text; node-based so CachedStmt addresses stay stable.
  std::unordered_map<std::string, CachedStmt, SqlHash, std::equal_to<>> cache_;
};

}  // namespace tessera::sqlite

#endif  // TESSERA_SRC_STORE_SQLITE_CONNECTION_H_
