// Status and Result<T>: how library code reports failure.
//
// Library functions never throw across the public API. They return a Status
// (or a Result<T>, which holds either a value or a non-OK Status). The server
// maps a Status code to an HTTP status in exactly one place; the CLI prints the
// message and exits non-zero.
//
// A Status may carry field errors (`field` -> messages), which the server turns
// into Label Studio's `validation_errors` object. Messages are written for the
// person who has to fix the input: name the field, line or value, and say what
// would be valid.
//
// Thread-safety: values; safe to copy between threads.
#ifndef TESSERA_STATUS_H_
#define TESSERA_STATUS_H_

#include <cassert>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tessera {

enum class Code {
  kOk = 0,
  kInvalidArgument,    // bad input from the caller (HTTP 400)
  kUnauthenticated,    // no or bad credentials (401)
  kPermissionDenied,   // authenticated but not allowed (403)
  kNotFound,           // (404)
  kAlreadyExists,      // unique constraint (409)
  kConflict,           // state conflict, e.g. a lock held by someone else (409)
  kPayloadTooLarge,    // (413)
  kUnsupportedMedia,   // (415)
  kTooManyRequests,    // rate limit (429)
  kFailedPrecondition, // operation not possible in this state (400/409)
  kIOError,            // disk or OS failure (500/503)
  kCorruption,         // stored data is inconsistent (500)
  kInternal,           // a bug (500)
  kUnavailable,        // try again later (503)
};

struct FieldError {
  std::string field;
  std::string message;
};

class Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status Conflict(std::string m) { return {Code::kConflict, std::move(m)}; }
  static Status PayloadTooLarge(std::string m) { return {Code::kPayloadTooLarge, std::move(m)}; }
  static Status UnsupportedMedia(std::string m) { return {Code::kUnsupportedMedia, std::move(m)}; }
  static Status TooManyRequests(std::string m) { return {Code::kTooManyRequests, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }
  static Status IOError(std::string m) { return {Code::kIOError, std::move(m)}; }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }

  // A 400 that names the offending field; `message` is also used as the detail.
  static Status FieldInvalid(std::string field, std::string message) {
    Status s(Code::kInvalidArgument, message);
    s.field_errors_.push_back({std::move(field), std::move(message)});
    return s;
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldError>& field_errors() const { return field_errors_; }

  Status& AddFieldError(std::string field, std::string message) {
    field_errors_.push_back({std::move(field), std::move(message)});
    return *this;
  }

  // Returns a copy whose message is "<prefix>: <message>".
  Status WithPrefix(const std::string& prefix) const {
    Status s = *this;
    s.message_ = prefix + ": " + message_;
    return s;
  }

  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::vector<FieldError> field_errors_;
};

const char* CodeName(Code code);

// Either a T or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT(implicit)
  Result(Status status) : v_(std::move(status)) {      // NOLINT(implicit)
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tessera

// Propagates a non-OK Status to the caller.
#define TESSERA_RETURN_IF_ERROR(expr)            \
  do {                                           \
    ::tessera::Status _st = (expr);              \
    if (!_st.ok()) return _st;                   \
  } while (0)

#define TESSERA_CONCAT_INNER(a, b) a##b
#define TESSERA_CONCAT(a, b) TESSERA_CONCAT_INNER(a, b)

// `TESSERA_ASSIGN_OR_RETURN(auto x, F());` declares x from a Result or returns its Status.
#define TESSERA_ASSIGN_OR_RETURN(lhs, expr)                         \
  auto TESSERA_CONCAT(_res_, __LINE__) = (expr);                    \
  if (!TESSERA_CONCAT(_res_, __LINE__).ok())                        \
    return TESSERA_CONCAT(_res_, __LINE__).status();                \
  lhs = std::move(TESSERA_CONCAT(_res_, __LINE__)).value()

#endif  // TESSERA_STATUS_H_
