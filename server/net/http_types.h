// HTTP request and response as the application sees them: plain values with
// no Boost.Beast types, so handlers compile fast and can be tested without a
// socket. The net layer converts to and from the wire format.
#ifndef TESSERA_SERVER_NET_HTTP_TYPES_H_
#define TESSERA_SERVER_NET_HTTP_TYPES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tessera::server {

// Case-insensitive header names (stored lower-case).
using HeaderMap = std::map<std::string, std::string>;

struct HttpRequest {
  std::string method;   // "GET", "POST", ...
  std::string target;   // raw request target: path plus query
  std::string path;     // percent-decoded path, no query
  std::multimap<std::string, std::string> query;  // decoded query parameters
  HeaderMap headers;    // lower-case names
  std::string body;
  std::string remote_address;
  bool secure = false;  // TLS in front (X-Forwarded-Proto: https)
  std::string request_id;  // set by App::Handle; echoed in X-Request-Id and the logs

  // Header value or "" when absent. `name` must be lower-case.
  const std::string& Header(const std::string& name) const;
  // First query value for `key`, if present.
  std::optional<std::string> Query(const std::string& key) const;
};

// A file to stream as the body (media and static assets).
struct FileBody {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
  // Remove the file once it is open (temporary export files).
  bool unlink_after_open = false;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<FileBody> file;  // when set, body is ignored

  void SetHeader(const std::string& name, const std::string& value);
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_NET_HTTP_TYPES_H_
