// multipart/form-data bodies (RFC 7578), as browsers and Python's requests
// send file uploads. Parts refer into the request body; no copies.
#ifndef TESSERA_SERVER_NET_MULTIPART_H_
#define TESSERA_SERVER_NET_MULTIPART_H_

#include <string>
#include <string_view>
#include <vector>

#include "tessera/status.h"

namespace tessera::server {

struct MultipartPart {
  std::string name;          // form field name
  std::string filename;      // empty for plain fields
  std::string content_type;  // as sent, may be empty
  std::string_view data;     // points into the body
};

// The boundary parameter of a multipart Content-Type, or InvalidArgument.
Result<std::string> MultipartBoundary(const std::string& content_type);

// Splits `body` into parts. InvalidArgument with what is malformed.
Result<std::vector<MultipartPart>> ParseMultipart(std::string_view body,
                                                  const std::string& boundary);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_NET_MULTIPART_H_
