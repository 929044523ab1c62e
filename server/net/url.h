// URL helpers: percent-decoding, query strings, form bodies.
#ifndef TESSERA_SERVER_NET_URL_H_
#define TESSERA_SERVER_NET_URL_H_

#include <map>
#include <string>
#include <string_view>

namespace tessera::server {

// Decodes %XX escapes (and '+' as space when `plus_is_space`). Invalid escapes
// are kept literally.
std::string PercentDecode(std::string_view s, bool plus_is_space);

std::string PercentEncode(std::string_view s);

// Parses "a=1&b=2" (application/x-www-form-urlencoded) into `out`.
void ParseQueryString(std::string_view qs, std::multimap<std::string, std::string>* out);

// Splits a request target into its decoded path and query parameters.
void SplitTarget(std::string_view target, std::string* path,
                 std::multimap<std::string, std::string>* query);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_NET_URL_H_
