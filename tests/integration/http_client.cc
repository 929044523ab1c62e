#include "tests/integration/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tessera::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

HttpClient::HttpClient(std::string host, int port) : host_(std::move(host)), port_(port) {}
HttpClient::~HttpClient() = default;

std::string HttpClient::Cookie(const std::string& name) const {
  auto it = cookies_.find(name);
  return it == cookies_.end() ? "" : it->second;
}

Reply HttpClient::Request(const std::string& method, const std::string& target,
                          const std::string& body,
                          const std::map<std::string, std::string>& extra_headers) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.connect(resolver.resolve(host_, std::to_string(port_)));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.method_string(method);
  req.set(http::field::host, host_);
  for (auto& [k, v] : headers_) req.set(k, v);
  for (auto& [k, v] : extra_headers) req.set(k, v);
  if (use_cookies_ && !cookies_.empty()) {
    std::string c;
    for (auto& [k, v] : cookies_) c += (c.empty() ? "" : "; ") + k + "=" + v;
    req.set(http::field::cookie, c);
  }
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 32);
  http::read(stream, buffer, parser);
  auto res = parser.release();
  Reply reply;
  reply.status = res.result_int();
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string value(field.value());
    if (name == "set-cookie") {
      std::string pair = value.substr(0, value.find(';'));
      size_t eq = pair.find('=');
      if (eq != std::string::npos) {
        std::string k = pair.substr(0, eq), v = pair.substr(eq + 1);
        if (v.empty() || value.find("Max-Age=0") != std::string::npos) {
          cookies_.erase(k);
        } else {
          cookies_[k] = v;
        }
      }
      auto& slot = reply.headers[name];
      slot += (slot.empty() ? "" : "\n") + value;
    } else {
      reply.headers[name] = value;
    }
  }
  reply.body = std::move(res.body());
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return reply;
}

Reply HttpClient::PostFiles(const std::string& target, const std::vector<FilePart>& files) {
  const std::string boundary = "tesseraTestBoundary7MA4YWxk";
  std::string body;
  for (const auto& f : files) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.field +
            "\"; filename=\"" + f.filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" +
            f.content + "\r\n";
  }
  body += "--" + boundary + "--\r\n";
  return Request("POST", target, body,
                 {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
}

std::string HttpClient::RawExchange(const std::string& bytes) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  tcp::socket socket(ioc);
  net::connect(socket, resolver.resolve(host_, std::to_string(port_)));
  net::write(socket, net::buffer(bytes));
  socket.shutdown(tcp::socket::shutdown_send);
  std::string out;
  beast::error_code ec;
  char buf[4096];
  for (;;) {
    size_t n = socket.read_some(net::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

}  // namespace tessera::testing
