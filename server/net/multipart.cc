#include "server/net/multipart.h"

#include "tessera/util.h"

namespace tessera::server {

namespace {

// Value of `key` in a header's parameters: form-data; name="file"; filename="a.json"
std::string HeaderParam(std::string_view header, std::string_view key) {
  size_t pos = 0;
  while ((pos = header.find(key, pos)) != std::string_view::npos) {
    bool boundary_ok = pos == 0 || header[pos - 1] == ';' || header[pos - 1] == ' ';
    size_t eq = pos + key.size();
    if (boundary_ok && eq < header.size() && header[eq] == '=') {
      std::string_view rest = header.substr(eq + 1);
      if (!rest.empty() && rest.front() == '"') {
        std::string out;
        for (size_t i = 1; i < rest.size(); ++i) {
          if (rest[i] == '\\' && i + 1 < rest.size()) {
            out += rest[++i];
          } else if (rest[i] == '"') {
            break;
          } else {
            out += rest[i];
          }
        }
        return out;
      }
      size_t end = rest.find(';');
      return std::string(Trim(rest.substr(0, end)));
    }
    pos = eq;
  }
  return "";
}

}  // namespace

Result<std::string> MultipartBoundary(const std::string& content_type) {
  std::string b = HeaderParam(content_type, "boundary");
  if (b.empty() || b.size() > 200) {
    return Status::InvalidArgument("multipart Content-Type has no boundary parameter");
  }
  return b;
}

Result<std::vector<MultipartPart>> ParseMultipart(std::string_view body,
                                                  const std::string& boundary) {
  std::vector<MultipartPart> parts;
  const std::string delim = "--" + boundary;
  size_t pos = body.find(delim);
  if (pos == std::string_view::npos) {
    return Status::InvalidArgument("multipart body does not contain its boundary");
  }
  while (true) {
    pos += delim.size();
    if (body.substr(pos, 2) == "--") break;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") {
      return Status::InvalidArgument("multipart body: boundary not followed by CRLF");
    }
    pos += 2;
    size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) {
      return Status::InvalidArgument("multipart body: a part's headers never end");
    }
    MultipartPart part;
    std::string_view headers = body.substr(pos, headers_end - pos);
    while (!headers.empty()) {
      size_t eol = headers.find("\r\n");
      std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name = ToLower(Trim(line.substr(0, colon)));
      std::string_view value = Trim(line.substr(colon + 1));
      if (name == "content-disposition") {
        part.name = HeaderParam(value, "name");
        part.filename = HeaderParam(value, "filename");
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    size_t data_begin = headers_end + 4;
    size_t next = body.find("\r\n" + delim, data_begin);
    if (next == std::string_view::npos) {
      return Status::InvalidArgument("multipart body ends before the closing boundary");
    }
    part.data = body.substr(data_begin, next - data_begin);
    parts.push_back(std::move(part));
    pos = next + 2;
    if (parts.size() > 10000) {
      return Status::InvalidArgument("multipart body has more than 10000 parts");
    }
  }
  return parts;
}

}  // namespace tessera::server
