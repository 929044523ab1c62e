#include "bench/page_timing.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <vector>

namespace tessera::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Page {
  const char* what;
  std::string target;
};

}  // namespace

bool TimeProjectPages(int port, const std::string& token, int64_t project_id, int repeats) {
  std::string p = "/api/projects/" + std::to_string(project_id);
  std::vector<Page> pages = {
      {"projects list (/projects page)", "/api/projects"},
      {"project with counts (/projects/{id})", p},
      {"task table, first page of 30", "/api/tasks?project=" + std::to_string(project_id) +
                                           "&page=1&page_size=30"},
      {"task table, page 1000 of 30", "/api/tasks?project=" + std::to_string(project_id) +
                                          "&page=1000&page_size=30"},
      {"task table, filtered by status, first page",
       "/api/tasks?project=" + std::to_string(project_id) +
           "&page=1&page_size=30&query=%7B%22filters%22%3A%7B%22conjunction%22%3A%22and%22%2C"
           "%22items%22%3A%5B%7B%22filter%22%3A%22filter%3Atasks%3Acompleted_at%22%2C%22operator%22"
           "%3A%22empty%22%2C%22type%22%3A%22Datetime%22%2C%22value%22%3Atrue%7D%5D%7D%7D"},
      {"project dashboard (/stats/project)", p + "/stats/project"},
      {"annotator dashboard (/stats/annotators)", p + "/stats/annotators"},
  };
  net::io_context io;
  tcp::socket socket(io);
  tcp::resolver resolver(io);
  net::connect(socket, resolver.resolve("127.0.0.1", std::to_string(port)));
  beast::flat_buffer buffer;
  bool ok = true;
  std::printf("pages (%d requests each, one at a time, one connection; median / slowest):\n", repeats);
  for (const Page& page : pages) {
    std::vector<double> ms;
    size_t bytes = 0;
    unsigned status = 0;
    for (int i = 0; i < repeats; ++i) {
      http::request<http::empty_body> req{http::verb::get, page.target, 11};
      req.set(http::field::host, "127.0.0.1");
      req.set(http::field::authorization, "Token " + token);
      req.keep_alive(true);
      auto start = Clock::now();
      http::response<http::string_body> res;
      beast::error_code ec;
      http::write(socket, req, ec);
      if (!ec) http::read(socket, buffer, res, ec);
      double took = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (ec) {
        // The server gave up on the connection (e.g. its request time-out).
        std::printf("  %s: %s after %.1f ms\n", page.what, ec.message().c_str(), took);
        ok = false;
        status = 0;
        socket.close();
        socket = tcp::socket(io);
        net::connect(socket, resolver.resolve("127.0.0.1", std::to_string(port)));
        buffer.clear();
        break;
      }
      ms.push_back(took);
      status = res.result_int();
      bytes = res.body().size();
      if (status != 200) {
        ok = false;
        std::printf("  %s: HTTP %u: %.200s\n", page.what, status, res.body().c_str());
        break;
      }
    }
    if (status != 200) continue;
    std::sort(ms.begin(), ms.end());
    std::printf("  %-45s %9.1f ms / %9.1f ms  (%zu bytes)\n", page.what, ms[ms.size() / 2], ms.back(),
                bytes);
  }
  std::fflush(stdout);
  return ok;
}

}  // namespace tessera::bench
