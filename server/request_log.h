// Structured request logging: one JSON object per line on stderr for every
// request (the access log) and for server-side errors, each carrying the
// request's id, which the reply also carries in X-Request-Id so a user's bug
// report can be matched to the log line.
//
// A request id comes from the client's X-Request-Id header when it is a sane
// token (1-64 characters of [A-Za-z0-9._:-], e.g. set by a load balancer),
// otherwise it is 16 random hex digits.
//
// Thread-safety: every function may be called from any thread.
#ifndef TESSERA_SERVER_REQUEST_LOG_H_
#define TESSERA_SERVER_REQUEST_LOG_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::server {

// The id for a request whose X-Request-Id header is `header` ("" if absent).
std::string RequestIdFor(std::string_view header);

struct RequestLogEntry {
  std::string_view request_id;
  std::string_view method;
  std::string_view path;  // without the query: queries may carry tokens
  int status = 0;
  double duration_ms = 0;
  int64_t user_id = 0;  // 0: anonymous
  uint64_t response_bytes = 0;
  std::string_view remote_address;
};

// Writes the access-log line for one request (level "info", or "warn" for
// 5xx). Does nothing when access logging is off.
void LogRequest(const RequestLogEntry& entry);

// Writes an error line ("level": "error") with the request id and message.
void LogError(std::string_view request_id, std::string_view message);

// Turns the access log on (the default) or off; errors are always logged.
void SetAccessLogEnabled(bool enabled);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_REQUEST_LOG_H_
