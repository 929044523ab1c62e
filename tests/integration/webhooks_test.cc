// Webhooks (issue 9) against the real server and a local receiver: Label
// Studio's payload shapes, the HMAC signature, retries with back-off, the
// delivery log, validation, and delivery after a restart.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

using nlohmann::json;

constexpr char kConfig[] =
    "<View><Text name=\"t\" value=\"$text\"/>"
    "<Choices name=\"c\" toName=\"t\"><Choice value=\"A\"/><Choice value=\"B\"/></Choices></View>";
const json kResult = json::parse(
    R"([{"from_name":"c","to_name":"t","type":"choices","value":{"choices":["A"]}}])");

struct Received {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // lower-case names
};

// A tiny HTTP/1.1 server on 127.0.0.1 (plain sockets, one connection at a
// time) that records every request and answers with the next status of a
// script (the last one repeats).
class Receiver {
 public:
  explicit Receiver(std::vector<int> statuses = {200}, int port = 0) : statuses_(std::move(statuses)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << "port " << port;
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Receiver() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::string Url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Received> Requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  // Waits up to `seconds` for at least `count` requests.
  std::vector<Received> WaitFor(size_t count, double seconds = 15) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      auto got = Requests();
      if (got.size() >= count) return got;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return Requests();
  }

 private:
  void Serve() {
    while (!stop_) {
      int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      Received r;
      std::string data;
      char buf[4096];
      size_t header_end = std::string::npos;
      size_t need = 0;
      while (true) {
        ssize_t n = ::recv(conn, buf, sizeof buf, 0);
        if (n <= 0) break;
        data.append(buf, static_cast<size_t>(n));
        if (header_end == std::string::npos) {
          header_end = data.find("\r\n\r\n");
          if (header_end == std::string::npos) continue;
          ParseHead(data.substr(0, header_end), &r);
          need = header_end + 4 + std::stoul(r.headers.count("content-length") ? r.headers["content-length"] : "0");
        }
        if (data.size() >= need) break;
      }
      if (header_end != std::string::npos) {
        r.body = data.substr(header_end + 4);
        int status = 200;
        {
          std::lock_guard<std::mutex> lock(mu_);
          status = statuses_[std::min(requests_.size(), statuses_.size() - 1)];
          requests_.push_back(r);
        }
        std::string reply = "HTTP/1.1 " + std::to_string(status) +
                            " X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        ::send(conn, reply.data(), reply.size(), MSG_NOSIGNAL);
      }
      ::close(conn);
    }
  }
  static void ParseHead(const std::string& head, Received* r) {
    size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    r->method = first.substr(0, first.find(' '));
    r->target = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos);
      if (end == std::string::npos) end = head.size();
      std::string line = head.substr(pos, end - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        size_t value_start = line.find_first_not_of(' ', colon + 1);
        r->headers[name] = value_start == std::string::npos ? "" : line.substr(value_start);
      }
      pos = end + 2;
    }
  }

  std::vector<int> statuses_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Received> requests_;
  std::thread thread_;
};

// The test's own HMAC-SHA256 check of a signature header.
std::string ExpectedSignature(const std::string& secret, const std::string& body) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[2 * sizeof mac + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string("sha256=") + hex;
}

// A port with nothing listening on it (bound, then released).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class WebhooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    admin_token_ = server_.AddUser("admin@example.com", "correct horse", true);
    manager_token_ = server_.AddUser("manager@example.com", "battery staple", false);
    annotator_token_ = server_.AddUser("annotator@example.com", "staple battery", false);
  }
  void StartServer(const std::vector<std::string>& extra = {"--webhook-retry-ms", "100"}) {
    extra_ = extra;
    server_.Start(extra);
  }
  HttpClient As(const std::string& token) {
    HttpClient c("127.0.0.1", server_.port());
    c.SetHeader("Authorization", "Token " + token);
    return c;
  }
  // A project with the manager and annotator as members and two tasks.
  int64_t MakeProject() {
    HttpClient admin = As(admin_token_);
    Reply p = admin.PostJson("/api/projects", json{{"title", "hooks"}, {"label_config", kConfig}});
    EXPECT_EQ(p.status, 201) << p.body;
    int64_t pid = p.Json()["id"];
    for (auto [token, role] : {std::pair{manager_token_, "manager"}, std::pair{annotator_token_, "annotator"}}) {
      int64_t uid = As(token).Get("/api/current-user/whoami").Json()["id"];
      Reply m = admin.PostJson("/api/projects/" + std::to_string(pid) + "/members",
                               json{{"user", uid}, {"role", role}});
      EXPECT_EQ(m.status, 201) << m.body;
    }
    // Through /api/tasks, one TASKS_CREATED each (the import path emits the
    // same event in batches; see ImportEmitsTasksCreatedInOneBatch).
    task_ids_.clear();
    for (const char* text : {"one", "two"}) {
      Reply t = admin.PostJson("/api/tasks", json{{"project", pid}, {"data", {{"text", text}}}});
      EXPECT_EQ(t.status, 201) << t.body;
      task_ids_.push_back(t.Json().value("id", int64_t{0}));
    }
    return pid;
  }
  json CreateHook(const std::string& token, const json& body, int expect = 201) {
    Reply r = As(token).PostJson("/api/webhooks", body);
    EXPECT_EQ(r.status, expect) << r.body;
    return r.Json();
  }
  // Polls the delivery log until `done(log)` or 15 s.
  json WaitLog(int64_t hook, const std::function<bool(const json&)>& done) {
    json log;
    for (int round = 0; round < 750; ++round) {
      Reply r = As(admin_token_).Get("/api/webhooks/" + std::to_string(hook) + "/deliveries");
      EXPECT_EQ(r.status, 200) << r.body;
      log = r.Json();
      if (done(log)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return log;
  }
  int64_t Annotate(const std::string& token, int64_t task) {
    Reply a = As(token).PostJson("/api/tasks/" + std::to_string(task) + "/annotations",
                                 json{{"result", kResult}});
    EXPECT_EQ(a.status, 201) << a.body;
    return a.Json()["id"];
  }

  ServerProcess server_;
  std::vector<std::string> extra_;
  std::string admin_token_, manager_token_, annotator_token_;
  std::vector<int64_t> task_ids_;
};

TEST_F(WebhooksTest, AnnotationCreatedArrivesSignedInLabelStudioShape) {
  StartServer();
  Receiver receiver;
  const int64_t pid = MakeProject();
  json hook = CreateHook(manager_token_, {{"project", pid},
                                          {"url", receiver.Url("/hook?x=1")},
                                          {"send_for_all_actions", false},
                                          {"actions", {"ANNOTATION_CREATED"}},
                                          {"headers", {{"X-Custom", "yes"}}}});
  ASSERT_TRUE(hook.contains("secret"));
  const std::string secret = hook["secret"];
  EXPECT_EQ(secret.size(), 64u);
  EXPECT_EQ(hook["project"], pid);
  EXPECT_EQ(hook["actions"], json({"ANNOTATION_CREATED"}));
  EXPECT_EQ(hook["send_payload"], true);
  EXPECT_EQ(hook["is_active"], true);
  const int64_t hook_id = hook["id"];
  // The secret is shown once.
  Reply got = As(manager_token_).Get("/api/webhooks/" + std::to_string(hook_id));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_FALSE(got.Json().contains("secret"));
  EXPECT_EQ(got.Json()["headers"], json({{"X-Custom", "yes"}}));

  const int64_t annotation = Annotate(annotator_token_, task_ids_[0]);
  auto requests = receiver.WaitFor(1);
  ASSERT_EQ(requests.size(), 1u);
  const Received& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hook?x=1");
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  EXPECT_EQ(r.headers.at("x-custom"), "yes");
  EXPECT_EQ(r.headers.at("x-tessera-signature"), ExpectedSignature(secret, r.body));
  EXPECT_NE(r.headers.at("x-tessera-signature"), ExpectedSignature(secret + "x", r.body));
  json body = json::parse(r.body);
  EXPECT_EQ(body["action"], "ANNOTATION_CREATED");
  EXPECT_EQ(r.body.rfind("{\"action\":\"ANNOTATION_CREATED\",", 0), 0u) << r.body;  // action first
  EXPECT_EQ(body["annotation"]["id"], annotation);
  EXPECT_EQ(body["annotation"]["result"], kResult);
  EXPECT_EQ(body["annotation"]["task"], task_ids_[0]);
  EXPECT_EQ(body["annotation"]["project"], pid);
  EXPECT_EQ(body["task"]["id"], task_ids_[0]);
  EXPECT_EQ(body["task"]["data"], json({{"text", "one"}}));
  EXPECT_EQ(body["task"]["total_annotations"], 1);
  EXPECT_EQ(body["project"]["id"], pid);
  EXPECT_EQ(body["project"]["title"], "hooks");
  EXPECT_EQ(body["project"]["task_number"], 2);
  EXPECT_EQ(body["project"]["total_annotations_number"], 1);
  EXPECT_TRUE(body["project"]["created_by"].is_number_integer());

  json log = WaitLog(hook_id, [](const json& l) { return l.size() == 1 && l[0]["status"] == "delivered"; });
  ASSERT_EQ(log.size(), 1u) << log.dump();
  EXPECT_EQ(log[0]["status"], "delivered");
  EXPECT_EQ(log[0]["attempts"], 1);
  EXPECT_EQ(log[0]["last_status_code"], 200);
  EXPECT_EQ(log[0]["action"], "ANNOTATION_CREATED");
  EXPECT_EQ(log[0]["payload"], body);
  EXPECT_EQ(r.headers.at("x-tessera-delivery"), std::to_string(log[0]["id"].get<int64_t>()));

  // Not subscribed: an update is not sent to this webhook. A second webhook
  // without payloads gets {"action": ...} alone, as Label Studio sends it.
  Receiver bare;
  json hook2 = CreateHook(manager_token_, {{"project", pid}, {"url", bare.Url()}, {"send_payload", false}});
  Reply patched = As(annotator_token_).PatchJson("/api/annotations/" + std::to_string(annotation),
                                                 json{{"result", kResult}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto bare_requests = bare.WaitFor(1);
  ASSERT_EQ(bare_requests.size(), 1u);
  EXPECT_EQ(bare_requests[0].body, "{\"action\":\"ANNOTATION_UPDATED\"}");
  EXPECT_EQ(bare_requests[0].headers.at("x-tessera-signature"),
            ExpectedSignature(hook2["secret"], bare_requests[0].body));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(receiver.Requests().size(), 1u);
}

TEST_F(WebhooksTest, EveryEventKindReachesASiteWideWebhook) {
  StartServer();
  Receiver receiver;
  json hook = CreateHook(admin_token_, {{"url", receiver.Url()}});  // site-wide, all actions
  EXPECT_TRUE(hook["project"].is_null());
  const int64_t pid = MakeProject();  // PROJECT_CREATED, TASKS_CREATED
  HttpClient admin = As(admin_token_);
  const std::string base = "/api/projects/" + std::to_string(pid);
  ASSERT_EQ(admin.PatchJson(base, json{{"title", "renamed"}}).status, 200);          // PROJECT_UPDATED
  const int64_t annotation = Annotate(annotator_token_, task_ids_[0]);              // ANNOTATION_CREATED
  Reply review = admin.PostJson("/api/annotations/" + std::to_string(annotation) + "/reviews",
                                json{{"accepted", true}});                           // REVIEW_CREATED
  ASSERT_EQ(review.status, 201) << review.body;
  ASSERT_EQ(admin.Delete("/api/annotations/" + std::to_string(annotation)).status, 204);  // ANNOTATIONS_DELETED
  ASSERT_EQ(admin.Delete("/api/tasks/" + std::to_string(task_ids_[1])).status, 204);      // TASKS_DELETED
  ASSERT_EQ(admin.Delete(base).status, 204);                                              // PROJECT_DELETED

  auto requests = receiver.WaitFor(9);
  ASSERT_EQ(requests.size(), 9u);
  std::vector<json> bodies;
  for (const Received& r : requests) bodies.push_back(json::parse(r.body));
  std::vector<std::string> actions;
  for (const json& b : bodies) actions.push_back(b["action"]);
  EXPECT_EQ(actions, (std::vector<std::string>{"PROJECT_CREATED", "TASKS_CREATED", "TASKS_CREATED",
                                               "PROJECT_UPDATED",
                                               "ANNOTATION_CREATED", "REVIEW_CREATED",
                                               "ANNOTATIONS_DELETED", "TASKS_DELETED",
                                               "PROJECT_DELETED"}));
  EXPECT_EQ(bodies[0]["project"]["id"], pid);
  EXPECT_EQ(bodies[0]["project"]["title"], "hooks");
  ASSERT_EQ(bodies[1]["tasks"].size(), 1u);
  EXPECT_EQ(bodies[1]["tasks"][0]["id"], task_ids_[0]);
  EXPECT_EQ(bodies[2]["tasks"][0]["data"], json({{"text", "two"}}));
  EXPECT_EQ(bodies[2]["tasks"][0]["project"], pid);
  EXPECT_EQ(bodies[1]["project"]["id"], pid);
  EXPECT_EQ(bodies[3]["project"]["title"], "renamed");
  EXPECT_EQ(bodies[4]["annotation"]["id"], annotation);
  EXPECT_EQ(bodies[5]["review"]["annotation"], annotation);
  EXPECT_EQ(bodies[5]["annotation"]["id"], annotation);
  EXPECT_EQ(bodies[5]["task"]["id"], task_ids_[0]);
  EXPECT_EQ(bodies[6]["annotations"], json::parse("[{\"id\":" + std::to_string(annotation) + "}]"));
  EXPECT_EQ(bodies[6]["project"]["id"], pid);
  EXPECT_EQ(bodies[7]["tasks"], json::parse("[{\"id\":" + std::to_string(task_ids_[1]) + "}]"));
  EXPECT_EQ(bodies[8]["project"], json({{"id", pid}}));
  EXPECT_EQ(bodies[8].size(), 2u);  // action and project only
}

TEST_F(WebhooksTest, ImportEmitsTasksCreatedInOneBatch) {
  StartServer();
  Receiver receiver;
  const int64_t pid = MakeProject();
  CreateHook(manager_token_, {{"project", pid}, {"url", receiver.Url()}, {"send_for_all_actions", false},
                              {"actions", {"TASKS_CREATED"}}});
  Reply imp = As(manager_token_).PostJson("/api/projects/" + std::to_string(pid) + "/import?return_task_ids=1",
                                          json::array({{{"text", "three"}}, {{"text", "four"}}}));
  ASSERT_EQ(imp.status, 201) << imp.body;
  auto requests = receiver.WaitFor(1);
  ASSERT_EQ(requests.size(), 1u);
  json body = json::parse(requests[0].body);
  EXPECT_EQ(body["action"], "TASKS_CREATED");
  ASSERT_EQ(body["tasks"].size(), 2u);
  EXPECT_EQ(body["tasks"][0]["id"], imp.Json()["task_ids"][0]);
  EXPECT_EQ(body["tasks"][1]["data"], json({{"text", "four"}}));
  EXPECT_EQ(body["project"]["task_number"], 4);
}

TEST_F(WebhooksTest, ServerErrorsAreRetriedWithBackoffUntilDelivered) {
  StartServer({"--webhook-retry-ms", "100", "--webhook-attempts", "5"});
  Receiver receiver({500, 503, 200});
  const int64_t pid = MakeProject();
  json hook = CreateHook(manager_token_, {{"project", pid}, {"url", receiver.Url()},
                                          {"send_for_all_actions", false},
                                          {"actions", {"ANNOTATION_CREATED"}}});
  const int64_t hook_id = hook["id"];
  Annotate(annotator_token_, task_ids_[0]);
  json log = WaitLog(hook_id, [](const json& l) { return l.size() == 1 && l[0]["status"] == "delivered"; });
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["status"], "delivered") << log.dump();
  EXPECT_EQ(log[0]["attempts"], 3);
  EXPECT_EQ(log[0]["last_status_code"], 200);
  EXPECT_FALSE(log[0]["delivered_at"].is_null());
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].body, requests[0].body);  // the same event, not a new one
  EXPECT_EQ(requests[2].headers.at("x-tessera-signature"), requests[0].headers.at("x-tessera-signature"));
}

TEST_F(WebhooksTest, UnreachableReceiverEndsFailedAfterTheLastAttempt) {
  StartServer({"--webhook-retry-ms", "50", "--webhook-attempts", "3", "--webhook-timeout-ms", "2000"});
  const int64_t pid = MakeProject();
  json hook = CreateHook(manager_token_, {{"project", pid},
                                          {"url", "http://127.0.0.1:" + std::to_string(FreePort()) + "/x"}});
  const int64_t hook_id = hook["id"];
  Annotate(annotator_token_, task_ids_[0]);
  json log = WaitLog(hook_id, [](const json& l) { return l.size() == 1 && l[0]["status"] == "failed"; });
  ASSERT_EQ(log.size(), 1u) << log.dump();
  EXPECT_EQ(log[0]["status"], "failed");
  EXPECT_EQ(log[0]["attempts"], 3);
  EXPECT_TRUE(log[0]["last_status_code"].is_null());
  EXPECT_NE(log[0]["last_error"].get<std::string>().find("connect"), std::string::npos) << log.dump();
  EXPECT_TRUE(log[0]["delivered_at"].is_null());
}

TEST_F(WebhooksTest, PendingDeliveriesGoOutAfterARestart) {
  StartServer({"--webhook-retry-ms", "200", "--webhook-attempts", "100"});
  const int port = FreePort();
  const int64_t pid = MakeProject();
  json hook = CreateHook(manager_token_, {{"project", pid},
                                          {"url", "http://127.0.0.1:" + std::to_string(port) + "/late"},
                                          {"send_for_all_actions", false},
                                          {"actions", {"ANNOTATION_CREATED"}}});
  const int64_t hook_id = hook["id"];
  Annotate(annotator_token_, task_ids_[0]);
  json log = WaitLog(hook_id, [](const json& l) { return l.size() == 1 && l[0]["attempts"] >= 1; });
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["status"], "pending");
  server_.Kill();
  Receiver receiver({200}, port);
  server_.Start(extra_);
  auto requests = receiver.WaitFor(1);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(json::parse(requests[0].body)["action"], "ANNOTATION_CREATED");
  log = WaitLog(hook_id, [](const json& l) { return l.size() == 1 && l[0]["status"] == "delivered"; });
  EXPECT_EQ(log[0]["status"], "delivered") << log.dump();
}

TEST_F(WebhooksTest, BadInputIsRefusedNamingTheFieldAndPermissionsHold) {
  StartServer();
  const int64_t pid = MakeProject();
  auto error = [&](const std::string& token, const json& body, int status) {
    Reply r = As(token).PostJson("/api/webhooks", body);
    EXPECT_EQ(r.status, status) << body.dump() << " -> " << r.body;
    return r.Json();
  };
  json e = error(manager_token_, {{"project", pid}, {"url", "ftp://example.com/x"}}, 400);
  EXPECT_TRUE(e["validation_errors"].contains("url")) << e.dump();
  e = error(manager_token_, {{"project", pid}, {"url", "http://"}}, 400);
  EXPECT_TRUE(e["validation_errors"].contains("url")) << e.dump();
  e = error(manager_token_, {{"project", pid}}, 400);
  EXPECT_TRUE(e["validation_errors"].contains("url")) << e.dump();
  e = error(manager_token_, {{"project", pid}, {"url", "http://h.example/"}, {"actions", {"NOPE"}}}, 400);
  ASSERT_TRUE(e["validation_errors"].contains("actions")) << e.dump();
  EXPECT_NE(e.dump().find("ANNOTATION_CREATED"), std::string::npos);  // lists the allowed values
  e = error(manager_token_, {{"project", pid}, {"url", "http://h.example/"}, {"actions", {"PROJECT_CREATED"}}}, 400);
  EXPECT_NE(e.dump().find("organization-only"), std::string::npos) << e.dump();
  e = error(manager_token_, {{"project", pid}, {"url", "http://h.example/"}, {"headers", json::array()}}, 400);
  EXPECT_TRUE(e["validation_errors"].contains("headers")) << e.dump();
  e = error(manager_token_, {{"project", pid}, {"url", "http://h.example/"}, {"headers", {{"X-A", 1}}}}, 400);
  EXPECT_TRUE(e["validation_errors"].contains("headers")) << e.dump();
  e = error(manager_token_, {{"project", pid}, {"url", "http://h.example/"}, {"headers", {{"X-Tessera-Signature", "x"}}}}, 400);
  EXPECT_TRUE(e["validation_errors"].contains("headers")) << e.dump();
  e = error(manager_token_, {{"project", pid}, {"url", "http://h.example/"}, {"send_payload", "yes"}}, 400);
  EXPECT_TRUE(e["validation_errors"].contains("send_payload")) << e.dump();
  // Roles: annotators cannot, site-wide hooks are for admins, strangers see 404.
  error(annotator_token_, {{"project", pid}, {"url", "http://h.example/"}}, 403);
  error(manager_token_, {{"url", "http://h.example/"}}, 403);
  error(manager_token_, {{"project", pid + 1000}, {"url", "http://h.example/"}}, 404);

  json hook = CreateHook(manager_token_, {{"project", pid}, {"url", "http://h.example/"}});
  const std::string path = "/api/webhooks/" + std::to_string(hook["id"].get<int64_t>());
  EXPECT_EQ(As(annotator_token_).Get(path).status, 403);
  Reply moved = As(manager_token_).PatchJson(path, json{{"project", nullptr}});
  EXPECT_EQ(moved.status, 400) << moved.body;
  Reply changed = As(manager_token_).PatchJson(path, json{{"url", "https://h.example/v2"}, {"is_active", false},
                                                          {"project", pid}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.Json()["url"], "https://h.example/v2");
  EXPECT_EQ(changed.Json()["is_active"], false);
  // Lists: by project for its managers; everything for admins; nothing foreign.
  json site = CreateHook(admin_token_, {{"url", "http://site.example/"}});
  Reply mine = As(manager_token_).Get("/api/webhooks");
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.Json().size(), 1u) << mine.body;
  EXPECT_EQ(As(admin_token_).Get("/api/webhooks").Json().size(), 2u);
  EXPECT_EQ(As(admin_token_).Get("/api/webhooks?project=isnull").Json().size(), 1u);
  EXPECT_EQ(As(admin_token_).Get("/api/webhooks?project=" + std::to_string(pid)).Json().size(), 1u);
  EXPECT_EQ(As(annotator_token_).Get("/api/webhooks").Json().size(), 0u);
  EXPECT_EQ(As(annotator_token_).Get("/api/webhooks?project=" + std::to_string(pid)).status, 403);
  EXPECT_EQ(As(admin_token_).Get("/api/webhooks?project=abc").status, 400);

  Reply info = As(annotator_token_).Get("/api/webhooks/info");
  ASSERT_EQ(info.status, 200);
  json actions = info.Json();
  EXPECT_EQ(actions.size(), 10u);
  EXPECT_EQ(actions["ANNOTATION_CREATED"]["key"], "annotation");
  EXPECT_EQ(actions["ANNOTATION_CREATED"]["name"], "Annotation created");
  EXPECT_EQ(actions["PROJECT_CREATED"]["organization-only"], true);
  EXPECT_EQ(As(annotator_token_).Get("/api/webhooks/info?organization-only=true").Json().size(), 2u);

  EXPECT_EQ(As(manager_token_).Delete(path).status, 204);
  EXPECT_EQ(As(manager_token_).Get(path).status, 404);
  EXPECT_EQ(As(manager_token_).Delete("/api/webhooks/" + std::to_string(site["id"].get<int64_t>())).status, 403);
}

}  // namespace
}  // namespace tessera::testing
