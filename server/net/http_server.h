// HttpServer: accepts HTTP/1.1 connections (keep-alive) and hands each
// request to one Handler. With http_client.cc (outgoing webhook requests),
// the only place in Tessera that includes Boost.Beast.
//
// Thread-safety: Start() and Stop() from one thread; the handler is called
// concurrently from `threads` threads and must be thread-safe.
#ifndef TESSERA_SERVER_NET_HTTP_SERVER_H_
#define TESSERA_SERVER_NET_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "server/net/http_types.h"
#include "tessera/status.h"

namespace tessera::server {

using Handler = std::function<HttpResponse(HttpRequest&)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port (see HttpServer::port())
  int threads = 4;
  uint64_t max_body_bytes = 512ull << 20;  // larger bodies get 413
  int idle_timeout_seconds = 60;
  // Trust X-Forwarded-Proto / X-Forwarded-For from a reverse proxy.
  bool trust_proxy = false;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving on background threads.
  Status Start();
  // The bound port (useful with port 0).
  uint16_t port() const;
  // Stops accepting, lets in-flight requests finish, joins the threads.
  void Stop();
  // Blocks until SIGINT or SIGTERM, then stops gracefully.
  void RunUntilSignal();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_NET_HTTP_SERVER_H_
