// Boost.Beast implementation of PostOnce (see http_client.h).
#include "server/net/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <chrono>
#include <cstdint>

namespace tessera::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
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

Result<OutgoingResponse> PostOnce(const OutgoingRequest& request) {
  TESSERA_ASSIGN_OR_RETURN(HttpUrl url, ParseHttpUrl(request.url));
  if (url.scheme == "https") {
    return Status::FailedPrecondition(
        "https delivery needs a TLS client, which this build of Tessera does not have yet");
  }
  http::request<http::string_body> req{http::verb::post, url.target, 11};
  bool default_port = url.port == "80";
  std::string host_header = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (!default_port) host_header += ":" + url.port;
  req.set(http::field::host, host_header);
  req.set(http::field::user_agent, "Tessera-Webhooks/1");
  req.set(http::field::connection, "close");
  for (const auto& [name, value] : request.headers) req.set(name, value);
  req.body() = request.body;
  req.prepare_payload();

  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;  // only the header is read
  std::string failure;
  bool done = false;
  auto fail = [&](const char* what, beast::error_code ec) {
    failure = std::string(what) + ": " + ec.message();
    done = true;
  };
  const auto timeout = std::chrono::milliseconds(request.timeout_ms);
  stream.expires_after(timeout);
  resolver.async_resolve(url.host, url.port, [&](beast::error_code ec,
                                                 tcp::resolver::results_type results) {
    if (ec) return fail("resolving the host", ec);
    stream.async_connect(results, [&](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return fail("connecting", ec);
      http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
        if (ec) return fail("sending", ec);
        http::async_read_header(stream, buffer, parser, [&](beast::error_code ec, std::size_t) {
          if (ec) return fail("reading the reply", ec);
          done = true;
        });
      });
    });
  });
  // One deadline for the whole exchange, name resolution included.
  ioc.run_for(timeout);
  if (!done) {
    return Status::Unavailable("no reply within " + std::to_string(request.timeout_ms) + " ms");
  }
  if (!failure.empty()) return Status::Unavailable(failure);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  OutgoingResponse out;
  out.status = static_cast<int>(parser.get().result_int());
  if (auto it = parser.get().find(http::field::location); it != parser.get().end()) {
    out.location = std::string(it->value());
  }
  return out;
}

}  // namespace tessera::server
