// Outgoing HTTP: one POST at a time, for webhook delivery. The interface has
// no Boost types; http_client.cc is the only file that includes Beast for it.
//
// Policy: one request per connection (Connection: close), an overall
// deadline that covers resolving, connecting, the TLS handshake, sending and
// reading the reply header, and no redirects followed (a 3xx is returned like
// any other status, with its Location).
//
// https (OpenSSL through Boost.Asio): TLS 1.2 or later; the receiver's
// certificate must chain to the system CA store (set_default_verify_paths)
// or to the certificates of an optional extra CA file, and must name the
// URL's host (a DNS name, or the address for an IP literal); SNI is sent for
// DNS names. There is no switch to turn verification off: a receiver with a
// private CA is trusted by adding that CA (`tessera serve --webhook-ca-file`).
//
// Thread-safety: PostOnce may be called from any thread; each call has its
// own io_context.
#ifndef TESSERA_SERVER_NET_HTTP_CLIENT_H_
#define TESSERA_SERVER_NET_HTTP_CLIENT_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tessera/status.h"

namespace tessera::server {

struct HttpUrl {
  std::string scheme;  // "http" or "https" (lower-case)
  std::string host;    // without brackets for IPv6 literals
  std::string port;    // always set ("80"/"443" by default)
  std::string target;  // path plus query, at least "/"
};

// Parses an absolute http(s) URL. InvalidArgument saying what is wrong: not
// http(s), no host, user info ("user:pass@"), a bad port, spaces or control
// characters.
Result<HttpUrl> ParseHttpUrl(std::string_view url);

struct OutgoingRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int timeout_ms = 10000;
  std::string ca_file;  // PEM file of CA certificates trusted besides the system store
};

struct OutgoingResponse {
  int status = 0;
  std::string location;  // the Location header of a redirect, if any
};

// POSTs `request`. A reply of any status is OK (the caller judges it);
// Unavailable for network failures, refused certificates ("TLS handshake
// (self-signed certificate): certificate verify failed") and time-outs, with
// the reason; FailedPrecondition when the CA file cannot be loaded.
Result<OutgoingResponse> PostOnce(const OutgoingRequest& request);

// Loads the system CA store plus `ca_file` ("" = none) as https deliveries
// will: FailedPrecondition naming the file when it cannot be read or holds no
// certificate. For checking a setting at start-up.
Status CheckTlsTrust(const std::string& ca_file);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_NET_HTTP_CLIENT_H_
