// A thin layer over libpqxx for the PostgreSQL store, shaped like the SQLite
// store's Connection/Stmt so that the two implementations read alike: a
// Connection owns one server connection and at most one open transaction; a
// Stmt is one statement with 1-based parameters (?1, ?2, ... in the SQL text)
// that runs when first stepped.
//
// Parameters: the SQL is written with SQLite's ?N placeholders; when the
// statement runs, each ?N becomes $k with a cast from the bound C++ type
// (int64 -> ::int8, double -> ::float8, text -> ::text; bool is sent untyped as
// '1'/'0' so it fits both BOOLEAN columns and integer comparisons); a NULL
// binding becomes the literal NULL. Unreferenced bindings are not sent.
// Statements go through PQexecParams (no server-side prepared statements), so
// a connection behind a transaction-pooling proxy (pgbouncer) also works.
//
// pqxx headers stay in the .cc files: this header only forward-declares.
//
// Thread-safety: a Connection (and its Stmts) is used by one thread at a time;
// ConnectionPool hands connections out under that rule.
#ifndef TESSERA_SRC_STORE_POSTGRES_PG_CONNECTION_H_
#define TESSERA_SRC_STORE_POSTGRES_PG_CONNECTION_H_

#include <array>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/status.h"

namespace tessera::postgres {

class Connection;

enum class TxnKind {
  kReadWrite,         // READ COMMITTED: each statement sees the latest commits
  kReadOnlySnapshot,  // REPEATABLE READ, READ ONLY: one snapshot throughout
};

// Turns the ?N placeholders of `sql` into $k (see the header comment).
// `kinds[n-1]` tells how ?n is bound; returns the SQL and fills the order of
// the parameters actually sent (1-based indexes into the bindings).
// InvalidArgument-free: an unbound ?N is an Internal error (a programmer error).
enum class ParamKind { kUnset, kNull, kInt, kDouble, kBool, kText };
Result<std::string> RenderPlaceholders(std::string_view sql, const std::vector<ParamKind>& kinds,
                                       std::vector<int>* sent);

class Stmt {
 public:
  Stmt(Connection* conn, std::string sql);
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Stmt& Bind(int index, bool value);
  Stmt& Bind(int index, double value);
  Stmt& Bind(int index, std::string_view value);
  Stmt& Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }
  Stmt& Bind(int index, const char* value) = delete;
  Stmt& BindNull(int index);
  Stmt& BindId(int index, int64_t id);  // 0 -> NULL
  Stmt& Bind(int index, const std::optional<int64_t>& value);
  Stmt& Bind(int index, const std::optional<double>& value);

  // Runs the statement on the first call; true while a row is available.
  Result<bool> Step();
  // Runs a statement; its row count becomes Connection::Changes(), and the
  // first column of its first row (a RETURNING id) Connection::LastInsertId().
  Status Run();
  // Plans the statement anew on every run instead of preparing it once (see
  // Connection::Run): for the few queries whose best plan depends on the
  // values bound, where a generic plan would be wrong.
  Stmt& PlanEachRun() {
    plan_each_run_ = true;
    return *this;
  }
  // Forgets the result so the statement can run again; Reset() also clears
  // the bindings.
  void Reset();
  void ResetKeepBindings();

  int64_t Int(int col) const;
  int32_t Int32(int col) const { return static_cast<int32_t>(Int(col)); }
  bool Bool(int col) const;
  double Double(int col) const;
  bool IsNull(int col) const;
  std::string Text(int col) const;
  // The same into *out, reusing its buffer.
  void TextInto(int col, std::string* out) const;
  std::optional<int64_t> OptInt(int col) const;
  std::optional<double> OptDouble(int col) const;

  struct Rows;  // the pqxx::result, hidden from this header

 private:
  Status Execute();
  void Set(int index, ParamKind kind, std::string value);
  const char* Cell(int col) const;  // nullptr for NULL

  Connection* conn_;
  std::string sql_;
  std::vector<ParamKind> kinds_;
  std::vector<std::string> values_;
  std::unique_ptr<Rows> rows_;
  int64_t row_ = -1;
  bool plan_each_run_ = false;
};

// One server connection. Owns the pqxx connection and the open transaction.
class Connection {
 public:
  // `url` is a libpq connection string or postgresql:// URI.
  static Result<std::unique_ptr<Connection>> Open(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Result<Stmt> Prepare(std::string_view sql) { return Stmt(this, std::string(sql)); }
  // Runs one or more statements without parameters (DDL, SET LOCAL ...).
  Status Exec(std::string_view sql);

  // BEGIN (one round trip, the isolation level included).
  Status Begin(TxnKind kind = TxnKind::kReadWrite);
  Status Commit();
  void Rollback();
  bool in_transaction() const;

  // COPY `table` (`columns`) FROM STDIN in the open transaction: PostgreSQL's
  // bulk path, an order of magnitude faster than INSERTs for large batches.
  // `fill(row, fields)` sets the row's fields as C strings in COPY's input
  // syntax for the column type ("42", "true", JSON text ...; nullptr =
  // NULL); they are escaped here and must stay valid until fill is called
  // again. Instantiated for the column counts the stores use (see the .cc).
  template <size_t N>
  Status CopyIn(const std::string& table, const std::array<std::string, N>& columns, size_t rows,
                const std::function<void(size_t row, std::array<const char*, N>& fields)>& fill);

  int64_t LastInsertId() const { return last_insert_id_; }
  int64_t Changes() const { return changes_; }
  // False after the server connection broke; the pool then drops it.
  bool healthy() const;

 private:
  friend class Stmt;
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  // Runs `sql` with text parameters (nullptr = NULL) in the open transaction
  // or, without one, on its own (autocommit).
  Status Run(const std::string& sql, const std::vector<std::string>& params, bool plan_each_run,
             Stmt::Rows* out);

  std::unique_ptr<Impl> impl_;
  int64_t last_insert_id_ = 0;
  int64_t changes_ = 0;
};

class ConnectionPool;

// A connection borrowed from the pool; returns it on destruction.
class Lease {
 public:
  Lease(ConnectionPool* pool, std::unique_ptr<Connection> conn, bool extra)
      : pool_(pool), conn_(std::move(conn)), extra_(extra) {}
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  Connection& conn() { return *conn_; }

 private:
  ConnectionPool* pool_;
  std::unique_ptr<Connection> conn_;
  bool extra_;  // opened beyond the pool's size; closed on return
};

// Up to `size` connections, opened on demand and kept idle for reuse; a
// caller waits (condition variable) while all are busy. A caller that waits
// longer than a few seconds gets an extra connection instead, so a callback
// that calls back into the store while its caller holds a connection (export)
// cannot deadlock a full pool. Broken connections are dropped on return.
// Thread-safety: Acquire may be called from any thread; the pool outlives
// its leases.
class ConnectionPool {
 public:
  ConnectionPool(std::string url, int size) : url_(std::move(url)), size_(size < 1 ? 1 : size) {}
  Result<Lease> Acquire();
  const std::string& url() const { return url_; }

 private:
  friend class Lease;
  void Release(std::unique_ptr<Connection> conn, bool extra);

  std::string url_;
  int size_;
  std::mutex mu_;
  std::condition_variable idle_cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;  // connections handed out or idle, extras excluded
};

}  // namespace tessera::postgres

#endif  // TESSERA_SRC_STORE_POSTGRES_PG_CONNECTION_H_
