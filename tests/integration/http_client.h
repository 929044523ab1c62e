// A minimal blocking HTTP/1.1 client for integration tests (Boost.Beast),
// with a cookie jar so tests can act as a browser or as a script.
#ifndef TESSERA_TESTS_INTEGRATION_HTTP_CLIENT_H_
#define TESSERA_TESTS_INTEGRATION_HTTP_CLIENT_H_

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tessera::testing {

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; Set-Cookie joined by '\n'
  std::string body;
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpClient {
 public:
  HttpClient(std::string host, int port);
  ~HttpClient();

  // Sent with every request.
  void SetHeader(const std::string& name, const std::string& value) { headers_[name] = value; }
  void ClearHeader(const std::string& name) { headers_.erase(name); }
  void UseCookies(bool on) { use_cookies_ = on; }
  std::string Cookie(const std::string& name) const;

  Reply Request(const std::string& method, const std::string& target, const std::string& body = "",
                const std::map<std::string, std::string>& extra_headers = {});
  Reply Get(const std::string& target) { return Request("GET", target); }
  Reply Delete(const std::string& target) { return Request("DELETE", target); }
  Reply PostJson(const std::string& target, const nlohmann::json& body) {
    return Request("POST", target, body.dump(), {{"Content-Type", "application/json"}});
  }
  Reply PatchJson(const std::string& target, const nlohmann::json& body) {
    return Request("PATCH", target, body.dump(), {{"Content-Type", "application/json"}});
  }
  // multipart/form-data with one file per entry: {field, filename, content}.
  struct FilePart {
    std::string field, filename, content;
  };
  Reply PostFiles(const std::string& target, const std::vector<FilePart>& files);

  // Sends raw bytes and returns the raw response (for malformed-request tests).
  std::string RawExchange(const std::string& bytes);

 private:
  std::string host_;
  int port_;
  std::map<std::string, std::string> headers_;
  std::map<std::string, std::string> cookies_;
  bool use_cookies_ = true;
};

}  // namespace tessera::testing

#endif  // TESSERA_TESTS_INTEGRATION_HTTP_CLIENT_H_
