// Boost.Beast implementation of HttpServer: one listener, one session per
// connection, requests handled synchronously on the io threads (handlers do
// blocking store calls; the thread count bounds concurrency).
#include "server/net/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "server/net/url.h"

namespace tessera::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

void Fail(beast::error_code ec, const char* what) {
  // Connection-level errors are routine (clients vanish); only log the odd ones.
  if (ec == net::error::operation_aborted || ec == beast::error::timeout ||
      ec == http::error::end_of_stream || ec == net::error::eof ||
      ec == net::error::connection_reset || ec == net::error::broken_pipe)
    return;
  std::fprintf(stderr, "tessera: %s: %s\n", what, ec.message().c_str());
}

std::string JsonError(const std::string& detail) {
  std::string out = "{\"detail\": \"";
  for (char c : detail) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  out += "\"}";
  return out;
}

HttpRequest ToRequest(http::request<http::string_body>&& req, const tcp::endpoint& remote,
                      bool trust_proxy) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  SplitTarget(out.target, &out.path, &out.query);
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());
  }
  out.body = std::move(req.body());
  beast::error_code ec;
  out.remote_address = remote.address().to_string(ec);
  if (trust_proxy) {
    if (out.Header("x-forwarded-proto") == "https") out.secure = true;
    const std::string& xff = out.Header("x-forwarded-for");
    if (!xff.empty()) out.remote_address = xff.substr(0, xff.find(','));
  }
  return out;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, const HttpServerOptions& options, const Handler& handler,
          std::atomic<int>* active)
      : stream_(std::move(socket)), options_(options), handler_(handler), active_(active) {
    ++*active_;
  }
  ~Session() { --*active_; }

  void Run() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::Read,
                                                                    shared_from_this()));
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(options_.max_body_bytes);
    parser_->header_limit(64 * 1024);
    stream_.expires_after(std::chrono::seconds(options_.idle_timeout_seconds));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return Close();
    if (ec == http::error::body_limit) {
      return SendError(http::status::payload_too_large,
                       "request body is larger than the server's limit of " +
                           std::to_string(options_.max_body_bytes >> 20) +
                           " MiB; split the upload into several files");
    }
    if (ec == http::error::header_limit) {
      return SendError(http::status::request_header_fields_too_large,
                       "request headers exceed 64 KiB");
    }
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
          ec != http::error::partial_message)
        return SendError(http::status::bad_request, "malformed HTTP request: " + ec.message());
      return Fail(ec, "read");
    }
    auto req = parser_->release();
    bool keep_alive = req.keep_alive();
    unsigned version = req.version();
    beast::error_code rec;
    tcp::endpoint remote = stream_.socket().remote_endpoint(rec);
    HttpRequest request = ToRequest(std::move(req), remote, options_.trust_proxy);
    bool head = request.method == "HEAD";
    HttpResponse response;
    try {
      response = handler_(request);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tessera: handler threw: %s\n", e.what());
      response = HttpResponse{};
      response.status = 500;
      response.body = JsonError("internal error; the server log has details");
      response.SetHeader("Content-Type", "application/json");
    }
    Send(std::move(response), keep_alive, version, head);
  }

  void Send(HttpResponse&& response, bool keep_alive, unsigned version, bool head) {
    if (response.file) {
      http::response<http::file_body> res;
      res.version(version);
      res.result(static_cast<http::status>(response.status));
      for (auto& [k, v] : response.headers) res.insert(k, v);
      res.set(http::field::server, "tessera");
      beast::error_code ec;
      res.body().open(response.file->path.c_str(), beast::file_mode::scan, ec);
      if (response.file->unlink_after_open) std::remove(response.file->path.c_str());
      if (ec) {
        return SendError(http::status::not_found, "file not found", keep_alive);
      }
      res.keep_alive(keep_alive);
      res.prepare_payload();
      if (head) {
        auto header_only = std::make_shared<http::response<http::empty_body>>(
            http::response_header<>(res.base()));
        return Write(header_only, keep_alive);
      }
      return Write(std::make_shared<http::response<http::file_body>>(std::move(res)), keep_alive);
    }
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version);
    res->result(static_cast<http::status>(response.status));
    for (auto& [k, v] : response.headers) res->insert(k, v);
    res->set(http::field::server, "tessera");
    res->keep_alive(keep_alive);
    size_t length = response.body.size();
    if (!head) res->body() = std::move(response.body);
    res->prepare_payload();
    if (head) res->content_length(length);
    Write(res, keep_alive);
  }

  template <class Message>
  void Write(std::shared_ptr<Message> msg, bool keep_alive) {
    auto self = shared_from_this();
    http::async_write(stream_, *msg, [self, msg, keep_alive](beast::error_code ec, std::size_t) {
      if (ec) return Fail(ec, "write");
      if (!keep_alive) return self->Close();
      self->Read();
    });
  }

  void SendError(http::status status, const std::string& detail, bool keep_alive = false) {
    auto res = std::make_shared<http::response<http::string_body>>(status, 11);
    res->set(http::field::content_type, "application/json");
    res->set(http::field::server, "tessera");
    res->body() = JsonError(detail);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    Write(res, keep_alive);
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const HttpServerOptions& options_;
  const Handler& handler_;
  std::atomic<int>* active_;
};

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  Handler handler;
  net::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::atomic<int> active_sessions{0};
  std::atomic<bool> stopping{false};
  uint16_t bound_port = 0;

  Impl(HttpServerOptions o, Handler h)
      : options(std::move(o)), handler(std::move(h)), ioc(options.threads) {}

  void Accept() {
    acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (stopping) return;
      if (ec) {
        Fail(ec, "accept");
      } else {
        std::make_shared<Session>(std::move(socket), options, handler, &active_sessions)->Run();
      }
      Accept();
    });
  }
};

HttpServer::HttpServer(HttpServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) return Status::InvalidArgument("--host " + impl_->options.host + " is not an IP address");
  tcp::endpoint endpoint(address, impl_->options.port);
  impl_->acceptor.emplace(impl_->ioc);
  impl_->acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor->bind(endpoint, ec);
  if (!ec) impl_->acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IOError("cannot listen on " + impl_->options.host + ":" +
                           std::to_string(impl_->options.port) + ": " + ec.message());
  }
  impl_->bound_port = impl_->acceptor->local_endpoint(ec).port();
  impl_->Accept();
  int n = impl_->options.threads < 1 ? 1 : impl_->options.threads;
  for (int i = 0; i < n; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->bound_port; }

void HttpServer::Stop() {
  if (!impl_ || impl_->threads.empty()) return;
  impl_->stopping = true;
  beast::error_code ec;
  if (impl_->acceptor) impl_->acceptor->close(ec);
  // Give in-flight requests a moment to finish, then stop the loop.
  for (int i = 0; i < 50 && impl_->active_sessions > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

void HttpServer::RunUntilSignal() {
  net::io_context signal_ioc;
  net::signal_set signals(signal_ioc, SIGINT, SIGTERM);
  signals.async_wait([](beast::error_code, int) {});
  signal_ioc.run();
  Stop();
}

}  // namespace tessera::server
