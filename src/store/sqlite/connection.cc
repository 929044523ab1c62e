#include "src/store/sqlite/connection.h"

#include <cstdlib>
#include <string>
#include <utility>

namespace tessera::sqlite {

Status ErrorStatus(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += (db != nullptr && sqlite3_errcode(db) == rc) ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status::AlreadyExists(std::move(message));
      }
      return Status::InvalidArgument(std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(message));
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
      return Status::IOError(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(std::move(message));
    case SQLITE_TOOBIG:
      return Status::PayloadTooLarge(std::move(message));
    default:
      return Status::Internal(std::move(message));
  }
}

// ---- Stmt ----

Stmt::Stmt(sqlite3_stmt* stmt, bool* in_use, bool owned)
    : stmt_(stmt), in_use_(in_use), owned_(owned) {
  if (in_use_ != nullptr) *in_use_ = true;
}

Stmt::Stmt(Stmt&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      owned_(other.owned_),
      bind_rc_(other.bind_rc_) {}

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  if (in_use_ != nullptr) *in_use_ = false;
}

Stmt& Stmt::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::Bind(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::Bind(int index, std::string_view value) {
  // A non-null pointer even for empty strings, so '' is stored, not NULL.
  const char* data = value.empty() ? "" : value.data();
  int rc = sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::BindId(int index, int64_t id) { return id == 0 ? BindNull(index) : Bind(index, id); }

Stmt& Stmt::Bind(int index, const std::optional<int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Stmt& Stmt::Bind(int index, const std::optional<double>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Result<bool> Stmt::Step() {
  sqlite3* db = sqlite3_db_handle(stmt_);
  if (bind_rc_ != SQLITE_OK) return ErrorStatus(db, bind_rc_, "binding a parameter");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // The extended code (e.g. SQLITE_CONSTRAINT_UNIQUE) is what maps to a Status.
  return ErrorStatus(db, sqlite3_extended_errcode(db), "sqlite");
}

Status Stmt::Run() {
  auto stepped = Step();
  if (!stepped.ok()) return stepped.status();
  return Status::Ok();
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

std::string Stmt::Text(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

void Stmt::TextInto(int col, std::string* out) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  if (text == nullptr) return out->clear();
  out->assign(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<int64_t> Stmt::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

std::optional<double> Stmt::OptDouble(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Double(col);
}

// ---- Connection ----

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                     const ConnectionOptions& options) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = ErrorStatus(db, rc, "opening database " + path);
    sqlite3_close_v2(db);
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  std::string pragmas = "PRAGMA foreign_keys = ON;";
  if (options.wal) pragmas += "PRAGMA journal_mode = WAL;";
  pragmas += options.full_sync ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;";
  pragmas += "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384;";
  int64_t mmap_bytes = options.mmap_bytes;
  if (const char* env = std::getenv("TESSERA_SQLITE_MMAP_MB"); env != nullptr && *env != 0) {
    mmap_bytes = std::strtoll(env, nullptr, 10) << 20;
  }
  if (options.wal && mmap_bytes > 0) pragmas += "PRAGMA mmap_size = " + std::to_string(mmap_bytes) + ";";
  if (options.read_only) pragmas += "PRAGMA query_only = ON;";
  TESSERA_RETURN_IF_ERROR(conn->Exec(pragmas).WithPrefix("configuring database " + path));
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

Result<Stmt> Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.in_use) {
    return Stmt(it->second.stmt, &it->second.in_use, /*owned=*/false);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return ErrorStatus(db_, rc, "preparing \"" + std::string(sql.substr(0, 80)) + "\"");
  }
  if (it != cache_.end()) return Stmt(stmt, nullptr, /*owned=*/true);  // nested use
  auto [slot, inserted] = cache_.emplace(std::string(sql), CachedStmt{stmt, false});
  return Stmt(stmt, &slot->second.in_use, /*owned=*/false);
}

Status Connection::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string message = error != nullptr ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  Status status = ErrorStatus(nullptr, sqlite3_extended_errcode(db_), "");
  return Status(status.code(), message);
}

}  // namespace tessera::sqlite
