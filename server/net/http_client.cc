// Boost.Beast implementation of PostOnce (see http_client.h).
#include "server/net/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <type_traits>

namespace tessera::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  for (char ch : url) {
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f) {
      return Status::InvalidArgument("the URL must not contain spaces or control characters");
    }
  }
  HttpUrl out;
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument("the URL must start with http:// or https://");
  }
  for (char ch : url.substr(0, colon)) {
    out.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  if (out.scheme != "http" && out.scheme != "https") {
    return Status::InvalidArgument("the URL scheme must be http or https, not '" + out.scheme + "'");
  }
  std::string_view rest = url.substr(colon + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument(
        "the URL must not carry user info (user:password@); send credentials in headers");
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("the URL's IPv6 host lacks ']'");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Status::InvalidArgument("junk after the URL's IPv6 host");
      port = after.substr(1);
    }
  } else {
    size_t pc = authority.rfind(':');
    out.host = std::string(authority.substr(0, pc));
    if (pc != std::string_view::npos) port = authority.substr(pc + 1);
  }
  if (out.host.empty()) return Status::InvalidArgument("the URL has no host");
  if (port.empty()) {
    out.port = out.scheme == "https" ? "443" : "80";
  } else {
    int value = 0;
    for (char ch : port) {
      if (!std::isdigit(static_cast<unsigned char>(ch)) || value > 65535) {
        return Status::InvalidArgument("the URL's port must be a number from 1 to 65535");
      }
      value = value * 10 + (ch - '0');
    }
    if (value < 1 || value > 65535) {
      return Status::InvalidArgument("the URL's port must be a number from 1 to 65535");
    }
    out.port = std::string(port);
  }
  size_t hash = tail.find('#');
  if (hash != std::string_view::npos) tail = tail.substr(0, hash);
  out.target = std::string(tail);
  if (out.target.empty() || out.target.front() == '?') out.target = "/" + out.target;
  return out;
}

namespace {

// The client TLS context for an extra CA file ("" = the system store alone),
// built once per file and shared: loading the system store costs milliseconds.
// An SSL_CTX may be used by many connections at once once it is set up.
Result<std::shared_ptr<ssl::context>> TlsContext(const std::string& ca_file) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<ssl::context>> contexts;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = contexts.find(ca_file); it != contexts.end()) return it->second;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  ctx->set_default_verify_paths(ec);
  if (ec) return Status::FailedPrecondition("cannot load the system CA certificates: " + ec.message());
  if (!ca_file.empty()) {
    std::error_code file_ec;
    if (!std::filesystem::is_regular_file(ca_file, file_ec)) {
      return Status::FailedPrecondition("the webhook CA file '" + ca_file + "' does not exist");
    }
    ctx->load_verify_file(ca_file, ec);
    if (ec) {
      return Status::FailedPrecondition("cannot load the webhook CA file '" + ca_file +
                                        "': " + ec.message());
    }
  }
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (ec) return Status::Internal("cannot turn on certificate verification: " + ec.message());
  contexts.emplace(ca_file, ctx);
  return ctx;
}

// Peer verification for `host`: its certificate must name it (a DNS name, or
// an IP address for an IP literal), and SNI carries a DNS name.
bool SetPeerName(SSL* tls, const std::string& host) {
  beast::error_code ec;
  net::ip::make_address(host, ec);
  if (!ec) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls), host.c_str()) == 1;
  X509_VERIFY_PARAM_set_hostflags(SSL_get0_param(tls), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return SSL_set1_host(tls, host.c_str()) == 1 && SSL_set_tlsext_host_name(tls, host.c_str()) == 1;
}

// Resolve, connect, (TLS handshake,) send `req`, read the reply header; all
// under one deadline. `Stream` is a beast::tcp_stream or an ssl_stream of one.
template <class Stream>
Result<OutgoingResponse> Exchange(net::io_context& ioc, Stream& stream, const HttpUrl& url,
                                  http::request<http::string_body>& req, int timeout_ms) {
  constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  tcp::resolver resolver(ioc);
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;  // only the header is read
  std::string failure;
  bool done = false;
  auto fail = [&](const std::string& what, beast::error_code ec) {
    failure = what + ": " + ec.message();
    done = true;
  };
  auto send = [&] {
    http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
      if (ec) return fail("sending", ec);
      http::async_read_header(stream, buffer, parser, [&](beast::error_code ec, std::size_t) {
        if (ec) return fail("reading the reply", ec);
        done = true;
      });
    });
  };
  auto& tcp_layer = beast::get_lowest_layer(stream);
  const auto timeout = std::chrono::milliseconds(timeout_ms);
  tcp_layer.expires_after(timeout);
  resolver.async_resolve(url.host, url.port, [&](beast::error_code ec,
                                                 tcp::resolver::results_type results) {
    if (ec) return fail("resolving the host", ec);
    tcp_layer.async_connect(results, [&](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return fail("connecting", ec);
      if constexpr (kTls) {
        stream.async_handshake(ssl::stream_base::client, [&](beast::error_code ec) {
          if (!ec) return send();
          // "certificate verify failed" alone does not say which check failed.
          long verify = SSL_get_verify_result(stream.native_handle());
          std::string what = "TLS handshake";
          if (verify != X509_V_OK) {
            what += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
          }
          fail(what, ec);
        });
      } else {
        send();
      }
    });
  });
  // One deadline for the whole exchange, name resolution included.
  ioc.run_for(timeout);
  if (!done) return Status::Unavailable("no reply within " + std::to_string(timeout_ms) + " ms");
  if (!failure.empty()) return Status::Unavailable(failure);
  // Connection: close, so no TLS close_notify exchange: just close.
  beast::error_code ignored;
  tcp_layer.socket().shutdown(tcp::socket::shutdown_both, ignored);
  OutgoingResponse out;
  out.status = static_cast<int>(parser.get().result_int());
  if (auto it = parser.get().find(http::field::location); it != parser.get().end()) {
    out.location = std::string(it->value());
  }
  return out;
}

}  // namespace

Status CheckTlsTrust(const std::string& ca_file) { return TlsContext(ca_file).status(); }

Result<OutgoingResponse> PostOnce(const OutgoingRequest& request) {
  TESSERA_ASSIGN_OR_RETURN(HttpUrl url, ParseHttpUrl(request.url));
  const bool tls = url.scheme == "https";
  http::request<http::string_body> req{http::verb::post, url.target, 11};
  bool default_port = url.port == (tls ? "443" : "80");
  std::string host_header = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (!default_port) host_header += ":" + url.port;
  req.set(http::field::host, host_header);
  req.set(http::field::user_agent, "Tessera-Webhooks/1");
  req.set(http::field::connection, "close");
  for (const auto& [name, value] : request.headers) req.set(name, value);
  req.body() = request.body;
  req.prepare_payload();

  net::io_context ioc;
  if (!tls) {
    beast::tcp_stream stream(ioc);
    return Exchange(ioc, stream, url, req, request.timeout_ms);
  }
  TESSERA_ASSIGN_OR_RETURN(std::shared_ptr<ssl::context> ctx, TlsContext(request.ca_file));
  beast::ssl_stream<beast::tcp_stream> stream(ioc, *ctx);
  if (!SetPeerName(stream.native_handle(), url.host)) {
    return Status::Internal("cannot set the TLS peer name '" + url.host + "'");
  }
  return Exchange(ioc, stream, url, req, request.timeout_ms);
}

}  // namespace tessera::server
