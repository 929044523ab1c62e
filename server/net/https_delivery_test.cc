// Webhook delivery over the network, through PostOnce: https receivers with a
// throw-away CA made by the openssl command at test time (trusted through
// WebhookDeliveryOptions::ca_file), receivers whose certificate must be
// refused (self-signed; issued for another host), and plain http.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "server/webhook_dispatcher.h"
#include "tessera/util.h"

namespace tessera::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace fs = std::filesystem;
using tcp = net::ip::tcp;

// A CA, a server certificate it signed for localhost and 127.0.0.1, one it
// signed for another host, and a self-signed one for localhost.
class Pki {
 public:
  Pki() : dir_(fs::temp_directory_path() / ("tessera_pki_" + RandomHex(6))) {
    fs::create_directories(dir_);
    const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    Run("openssl req -x509" + key + " -keyout ca.key -out ca.pem -days 2 -subj /CN=TesseraTestCA");
    Issue("server", "DNS:localhost,IP:127.0.0.1", key);
    Issue("wronghost", "DNS:other.example", key);
    Run("openssl req -x509" + key + " -keyout self.key -out self.pem -days 2 -subj /CN=localhost"
        " -addext subjectAltName=DNS:localhost,IP:127.0.0.1");
  }
  ~Pki() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path path(const std::string& name) const { return dir_ / name; }
  bool ok() const { return ok_; }

 private:
  void Run(const std::string& command) {
    std::string line = "cd '" + dir_.string() + "' && " + command + " >/dev/null 2>openssl.err";
    if (std::system(line.c_str()) != 0) {
      ok_ = false;
      ADD_FAILURE() << "failed: " << command;
    }
  }
  void Issue(const std::string& name, const std::string& san, const std::string& key) {
    std::ofstream(dir_ / (name + ".ext")) << "subjectAltName=" << san
                                          << "\nbasicConstraints=CA:FALSE"
                                             "\nextendedKeyUsage=serverAuth\n";
    Run("openssl req" + key + " -keyout " + name + ".key -out " + name + ".csr -subj /CN=" + name);
    Run("openssl x509 -req -in " + name + ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2"
        " -out " + name + ".pem -extfile " + name + ".ext");
  }

  fs::path dir_;
  bool ok_ = true;
};

struct Received {
  std::string target;
  std::string body;
  std::map<std::string, std::string> headers;
  std::string server_name;  // SNI the client sent (TLS only)
};

// One thread accepting connections on 127.0.0.1, answering every request
// 200, over TLS when given a certificate. Handshakes the client abandons are
// counted and otherwise ignored.
class Receiver {
 public:
  explicit Receiver(std::optional<std::pair<fs::path, fs::path>> cert_and_key = std::nullopt)
      : tls_(cert_and_key.has_value()), acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    if (tls_) {
      ctx_.use_certificate_chain_file(cert_and_key->first.string());
      ctx_.use_private_key_file(cert_and_key->second.string(), ssl::context::pem);
    }
    Accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~Receiver() {
    ioc_.stop();
    thread_.join();
  }
  std::string Url(const std::string& scheme, const std::string& host) const {
    return scheme + "://" + host + ":" + std::to_string(acceptor_.local_endpoint().port()) + "/hook";
  }
  std::vector<Received> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  int failed_handshakes() {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_handshakes_;
  }

 private:
  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      Serve(std::move(socket));  // blocking: one client at a time is enough here
      Accept();
    });
  }
  template <class Stream>
  void Exchange(Stream& stream, Received& r) {
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    beast::error_code ec;
    http::read(stream, buffer, req, ec);
    if (ec) return;
    r.target = std::string(req.target());
    r.body = req.body();
    for (const auto& field : req) r.headers[std::string(field.name_string())] = std::string(field.value());
    http::response<http::string_body> res{http::status::ok, 11};
    res.set(http::field::connection, "close");
    res.body() = "ok";
    res.prepare_payload();
    http::write(stream, res, ec);
    std::lock_guard<std::mutex> lock(mu_);
    received_.push_back(r);
  }
  void Serve(tcp::socket socket) {
    Received r;
    if (!tls_) return Exchange(socket, r);
    ssl::stream<tcp::socket> stream(std::move(socket), ctx_);
    beast::error_code ec;
    stream.handshake(ssl::stream_base::server, ec);
    if (ec) {
      std::lock_guard<std::mutex> lock(mu_);
      ++failed_handshakes_;
      return;
    }
    const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
    r.server_name = sni ? sni : "";
    Exchange(stream, r);
    stream.shutdown(ec);
  }

  bool tls_;
  net::io_context ioc_;
  ssl::context ctx_{ssl::context::tls_server};
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Received> received_;
  int failed_handshakes_ = 0;
};

// The HMAC-SHA256 computed here with OpenSSL, independently of the dispatcher.
std::string OpensslSignature(const std::string& key, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &size);
  std::string hex = "sha256=";
  char two[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(two, sizeof two, "%02x", mac[i]);
    hex += two;
  }
  return hex;
}

class HttpsDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    ASSERT_TRUE(pki_.ok());
    auto opened = OpenSqliteStore(SqliteOptions{":memory:", 1, false});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    User user;
    user.email = "o@example.com";
    ASSERT_TRUE(store_->CreateUser(&user).ok());
    Project project;
    project.created_by = user.id;
    ASSERT_TRUE(store_->CreateProject(&project).ok());
    project_id_ = project.id;
    options_.base_delay_ms = 50;
    options_.timeout_ms = 5000;
    options_.ca_file = pki_.path("ca.pem").string();
  }
  // A webhook to `url` with one delivery waiting; returns the webhook's id.
  Id Hook(const std::string& url) {
    Webhook hook;
    hook.project_id = project_id_;
    hook.url = url;
    hook.secret = "s3cret-" + std::to_string(project_id_);
    EXPECT_TRUE(store_->CreateWebhook(&hook).ok());
    std::vector<WebhookDelivery> rows(1);
    rows[0].webhook_id = hook.id;
    rows[0].action = "ANNOTATION_CREATED";
    rows[0].payload = R"({"action":"ANNOTATION_CREATED","annotation":{"id":7}})";
    EXPECT_TRUE(store_->EnqueueWebhookDeliveries(rows).ok());
    secret_ = hook.secret;
    return hook.id;
  }
  WebhookDelivery Log(Id hook_id) {
    auto log = store_->ListWebhookDeliveries(hook_id, 10);
    EXPECT_TRUE(log.ok() && log->size() == 1u);
    return log.ok() && !log->empty() ? log->front() : WebhookDelivery{};
  }
  std::pair<fs::path, fs::path> Cert(const std::string& name) {
    return {pki_.path(name + ".pem"), pki_.path(name + ".key")};
  }
  // Attempts the one due delivery of `hook_id` and expects it refused for its
  // certificate: nothing reached the receiver, and a retry is scheduled.
  void ExpectRefused(WebhookDispatcher& dispatcher, Receiver& receiver, Id hook_id,
                     const std::string& error_part) {
    const TimeMs before = NowMs();
    ASSERT_EQ(dispatcher.RunOnce(), 1);
    WebhookDelivery d = Log(hook_id);
    EXPECT_EQ(d.status, DeliveryStatus::kPending);
    EXPECT_EQ(d.attempts, 1);
    EXPECT_EQ(d.last_status_code, 0);
    EXPECT_NE(d.last_error.find("TLS handshake"), std::string::npos) << d.last_error;
    EXPECT_NE(d.last_error.find(error_part), std::string::npos) << d.last_error;
    EXPECT_GE(d.next_attempt_at, before + options_.base_delay_ms);
    EXPECT_TRUE(receiver.received().empty());
  }

  Pki pki_;
  std::unique_ptr<Store> store_;
  Id project_id_ = 0;
  std::string secret_;
  WebhookDeliveryOptions options_;
};

TEST_F(HttpsDeliveryTest, DeliversToATrustedReceiverWithSniAndASignature) {
  Receiver receiver(Cert("server"));
  WebhookDispatcher dispatcher(*store_, options_);
  Id by_name = Hook(receiver.Url("https", "localhost"));
  ASSERT_EQ(dispatcher.RunOnce(), 1);
  Id by_ip = Hook(receiver.Url("https", "127.0.0.1"));
  ASSERT_EQ(dispatcher.RunOnce(), 1);
  for (Id hook : {by_name, by_ip}) {
    WebhookDelivery d = Log(hook);
    EXPECT_EQ(d.status, DeliveryStatus::kDelivered) << d.last_error;
    EXPECT_EQ(d.last_status_code, 200);
  }
  std::vector<Received> got = receiver.received();
  ASSERT_EQ(got.size(), 2u);
  for (const Received& r : got) {
    EXPECT_EQ(r.target, "/hook");
    EXPECT_EQ(r.body, R"({"action":"ANNOTATION_CREATED","annotation":{"id":7}})");
    EXPECT_EQ(r.headers.at("Content-Type"), "application/json");
    EXPECT_EQ(r.headers.at("X-Tessera-Signature"), OpensslSignature(secret_, r.body));
  }
  EXPECT_EQ(got[0].server_name, "localhost");
  EXPECT_EQ(got[1].server_name, "");  // no SNI for an IP address (RFC 6066)
}

TEST_F(HttpsDeliveryTest, RefusesASelfSignedCertificateAndRetries) {
  Receiver receiver(Cert("self"));
  WebhookDispatcher dispatcher(*store_, options_);
  Id hook = Hook(receiver.Url("https", "localhost"));
  ExpectRefused(dispatcher, receiver, hook, "self-signed");
  // The receiver counts the failed handshake on its own thread, which may
  // still be on it when the client has given up.
  for (int wait_idx = 0; wait_idx < 500 && receiver.failed_handshakes() < 1; ++wait_idx) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(receiver.failed_handshakes(), 1);
  // The retry meets the same certificate and is refused again.
  std::this_thread::sleep_for(std::chrono::milliseconds(Log(hook).next_attempt_at - NowMs() + 5));
  ASSERT_EQ(dispatcher.RunOnce(), 1);
  EXPECT_EQ(Log(hook).attempts, 2);
  EXPECT_EQ(Log(hook).status, DeliveryStatus::kPending);
  EXPECT_TRUE(receiver.received().empty());
}

TEST_F(HttpsDeliveryTest, RefusesACertificateForAnotherHost) {
  Receiver receiver(Cert("wronghost"));
  WebhookDispatcher dispatcher(*store_, options_);
  Id hook = Hook(receiver.Url("https", "localhost"));
  ExpectRefused(dispatcher, receiver, hook, "hostname mismatch");
}

TEST_F(HttpsDeliveryTest, WithoutTheExtraCaOnlyTheSystemStoreIsTrusted) {
  Receiver receiver(Cert("server"));
  options_.ca_file.clear();
  WebhookDispatcher dispatcher(*store_, options_);
  Id hook = Hook(receiver.Url("https", "localhost"));
  ExpectRefused(dispatcher, receiver, hook, "unable to get local issuer certificate");
}

TEST_F(HttpsDeliveryTest, PlainHttpStillWorks) {
  Receiver receiver;
  WebhookDispatcher dispatcher(*store_, options_);
  Id hook = Hook(receiver.Url("http", "127.0.0.1"));
  ASSERT_EQ(dispatcher.RunOnce(), 1);
  EXPECT_EQ(Log(hook).status, DeliveryStatus::kDelivered) << Log(hook).last_error;
  std::vector<Received> got = receiver.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].headers.at("X-Tessera-Signature"), OpensslSignature(secret_, got[0].body));
}

TEST_F(HttpsDeliveryTest, AMissingCaFileIsReportedNotIgnored) {
  Status s = CheckTlsTrust((pki_.path("ca.pem").string() + ".missing"));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(".missing"), std::string::npos) << s.ToString();
  EXPECT_TRUE(CheckTlsTrust(pki_.path("ca.pem").string()).ok());
  EXPECT_TRUE(CheckTlsTrust("").ok());  // the system store alone
}

}  // namespace
}  // namespace tessera::server
