// Fuzz target: what the server does with a request's bytes before any handler
// sees them: target splitting and percent-decoding (server/net/url.h), form
// bodies, and multipart/form-data (server/net/multipart.h). The first line of
// the input is used as a request target and as a multipart Content-Type; the
// rest is the body.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "server/net/multipart.h"
#include "server/net/url.h"

using namespace tessera::server;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t eol = input.find('\n');
  std::string_view first = input.substr(0, eol);
  std::string_view body = eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);

  std::string path;
  std::multimap<std::string, std::string> query;
  SplitTarget(first, &path, &query);
  SplitTarget(input, &path, &query);
  std::multimap<std::string, std::string> form;
  ParseQueryString(body, &form);
  std::string decoded = PercentDecode(input, true);
  if (PercentDecode(PercentEncode(decoded), false) != decoded) __builtin_trap();  // round trip

  auto boundary = MultipartBoundary(std::string(first));
  if (boundary.ok()) (void)ParseMultipart(body, *boundary);
  // Also with the fixed boundary the seeds use, so body mutations reach the
  // part parser even when the header line is mangled.
  auto parts = ParseMultipart(body, "tesseraboundary");
  if (parts.ok()) {
    for (const auto& part : *parts) {
      const char* begin = part.data.data();
      bool inside = begin >= body.data() && begin + part.data.size() <= body.data() + body.size();
      if (!part.data.empty() && !inside) __builtin_trap();  // a part must point into the body
    }
  }
  return 0;
}
