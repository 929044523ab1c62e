// Web hardening against the real server: security headers, JSON never
// sniffable as HTML, login rate limiting with a clear lock-out message, the
// upload size limit, CSRF on cookie-authenticated writes, and media path
// traversal (encoded dots, backslashes, symlinks).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr char kXss[] = "<script>alert(1)</script><img src=x onerror=alert(2)>";

class SecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    admin_token_ = server_->AddUser("admin@example.com", "correct horse battery", true);
    server_->AddUser("victim@example.com", "correct horse battery", false);
    // 1 MiB body limit, so the 413 test sends little.
    server_->Start({"--max-body-mb", "1"});
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  HttpClient Admin() {
    HttpClient c("127.0.0.1", server_->port());
    c.SetHeader("Authorization", "Token " + admin_token_);
    return c;
  }
  HttpClient Anonymous() { return HttpClient("127.0.0.1", server_->port()); }
  int64_t CreateProject(const std::string& config) {
    Reply r = Admin().PostJson("/api/projects", json{{"title", kXss}, {"label_config", config},
                                                     {"expert_instruction", kXss}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().value("id", int64_t{0});
  }
  static void ExpectSecurityHeaders(const Reply& r, const std::string& what) {
    std::string csp = r.Header("content-security-policy");
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << what << ": CSP is '" << csp << "'";
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << what << ": CSP is '" << csp << "'";
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << what;
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff") << what;
    EXPECT_EQ(r.Header("x-frame-options"), "DENY") << what;
  }
  static void ExpectJson(const Reply& r, const std::string& what) {
    EXPECT_EQ(r.Header("content-type").rfind("application/json", 0), 0u)
        << what << ": Content-Type is '" << r.Header("content-type") << "'";
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff") << what;
    EXPECT_FALSE(r.Json().is_discarded()) << what << ": body is not JSON: " << r.body.substr(0, 200);
  }

  static ServerProcess* server_;
  static std::string admin_token_;
};

ServerProcess* SecurityTest::server_ = nullptr;
std::string SecurityTest::admin_token_;

TEST_F(SecurityTest, SecurityHeadersOnEveryKindOfResponse) {
  HttpClient admin = Admin();
  HttpClient anon = Anonymous();
  ExpectSecurityHeaders(anon.Get("/"), "GET / (web app)");
  ExpectSecurityHeaders(anon.Get("/projects/1/label"), "GET a web app page");
  ExpectSecurityHeaders(anon.Get("/health"), "GET /health");
  ExpectSecurityHeaders(anon.Get("/user/login"), "GET /user/login");
  ExpectSecurityHeaders(anon.Get("/api/projects"), "401");
  ExpectSecurityHeaders(admin.Get("/api/projects"), "GET /api/projects");
  ExpectSecurityHeaders(admin.Get("/api/nothing-here"), "404");
  ExpectSecurityHeaders(admin.Request("PUT", "/api/projects"), "405");
  ExpectSecurityHeaders(admin.PostJson("/api/projects", json::array()), "400");
  // API replies must not be cached by shared caches.
  EXPECT_EQ(admin.Get("/api/projects").Header("cache-control"), "no-store");
}

TEST_F(SecurityTest, XssPayloadsComeBackAsJsonNeverHtml) {
  // A label name and a task field carrying script; the API must hand them back
  // as JSON strings with nosniff, so a browser never renders them as a page.
  std::string config = std::string("<View><Text name=\"text\" value=\"$text\"/>") +
                       "<Labels name=\"label\" toName=\"text\"><Label value=\"&lt;img src=x onerror=alert(1)&gt;\"/>" +
                       "</Labels></View>";
  int64_t pid = CreateProject(config);
  ASSERT_GT(pid, 0);
  HttpClient admin = Admin();
  Reply proj = admin.Get("/api/projects/" + std::to_string(pid));
  ExpectJson(proj, "GET project");
  EXPECT_EQ(proj.Json()["title"], kXss);  // stored as given, escaped only by JSON
  Reply imp = admin.PostJson("/api/projects/" + std::to_string(pid) + "/import?return_task_ids=1",
                             json::array({{{"text", kXss}, {"html", kXss}}}));
  ASSERT_EQ(imp.status, 201) << imp.body;
  int64_t tid = imp.Json()["task_ids"][0].get<int64_t>();
  Reply task = admin.Get("/api/tasks/" + std::to_string(tid));
  ExpectJson(task, "GET task");
  EXPECT_EQ(task.Json()["data"]["text"], kXss);
  ExpectJson(admin.Get("/api/tasks?project=" + std::to_string(pid)), "GET tasks");
  Reply ann = admin.PostJson("/api/tasks/" + std::to_string(tid) + "/annotations",
                             json{{"result", json::array({{{"from_name", "label"},
                                                           {"to_name", "text"},
                                                           {"type", "labels"},
                                                           {"value", {{"start", 0}, {"end", 3},
                                                                      {"labels", {"<img src=x onerror=alert(1)>"}}}}}})}});
  ExpectJson(ann, "POST annotation");
  EXPECT_EQ(ann.status, 201) << ann.body;
  // Error replies that echo user input (paths, parameters) are JSON too.
  std::string evil_path = "/api/%3Cscript%3Ealert(1)%3C%2Fscript%3E";
  Reply err = admin.Get(evil_path);
  EXPECT_EQ(err.status, 404);
  ExpectJson(err, "404 echoing a path");
  Reply bad = admin.Get("/api/tasks?project=1&ordering=%3Cscript%3E");
  EXPECT_EQ(bad.status, 400);
  ExpectJson(bad, "400 echoing a parameter");
  // The export is a download, not a page.
  Reply exp = admin.Get("/api/projects/" + std::to_string(pid) + "/export?exportType=JSON");
  EXPECT_EQ(exp.status, 200);
  EXPECT_EQ(exp.Header("content-type").find("text/html"), std::string::npos) << exp.Header("content-type");
  EXPECT_EQ(exp.Header("x-content-type-options"), "nosniff");
}

TEST_F(SecurityTest, LoginLockOutAfterRepeatedFailuresSaysWhyAndForHowLong) {
  HttpClient anon = Anonymous();
  anon.UseCookies(false);  // the form login below sends its own csrftoken cookie
  auto login = [&](const std::string& password) {
    return anon.PostJson("/api/auth/login", json{{"email", "victim@example.com"}, {"password", password}});
  };
  ASSERT_EQ(login("correct horse battery").status, 200);
  int failures = 0;
  Reply last;
  for (; failures < 30; ++failures) {
    last = login("guess " + std::to_string(failures));
    if (last.status == 429) break;
    ASSERT_EQ(last.status, 401) << last.body;
    EXPECT_NE(last.body.find("wrong email or password"), std::string::npos) << last.body;
  }
  EXPECT_EQ(last.status, 429) << "no lock-out after " << failures << " failed sign-ins";
  EXPECT_LE(failures, 10);
  ExpectJson(last, "429");
  std::string detail = last.Json().value("detail", "");
  EXPECT_NE(detail.find("too many failed sign-ins"), std::string::npos) << detail;
  EXPECT_NE(detail.find("minutes"), std::string::npos) << detail;
  // Locked out means locked out, even with the right password.
  EXPECT_EQ(login("correct horse battery").status, 429);
  // The form login shares the limiter.
  Reply form = anon.Request("POST", "/user/login",
                            "csrfmiddlewaretoken=t&email=victim%40example.com&password=correct+horse+battery",
                            {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", "csrftoken=t"}});
  EXPECT_EQ(form.status, 429) << form.body;
  // API tokens are not affected: the admin still works.
  EXPECT_EQ(Admin().Get("/api/current-user/whoami").status, 200);
}

TEST_F(SecurityTest, CookieAuthenticatedWritesNeedTheCsrfToken) {
  HttpClient browser = Anonymous();
  ASSERT_EQ(browser.PostJson("/api/auth/login", json{{"email", "admin@example.com"},
                                                     {"password", "correct horse battery"}}).status, 200);
  ASSERT_FALSE(browser.Cookie("csrftoken").empty());
  EXPECT_EQ(browser.Get("/api/projects").status, 200);  // reads need no token
  Reply no_token = browser.PostJson("/api/projects", json{{"title", "csrf"}});
  EXPECT_EQ(no_token.status, 403) << no_token.body;
  EXPECT_NE(no_token.body.find("CSRF"), std::string::npos) << no_token.body;
  Reply wrong = browser.Request("POST", "/api/projects", R"({"title": "csrf"})",
                                {{"Content-Type", "application/json"}, {"X-CSRFToken", "0000"}});
  EXPECT_EQ(wrong.status, 403);
  Reply right = browser.Request("POST", "/api/projects", R"({"title": "csrf"})",
                                {{"Content-Type", "application/json"},
                                 {"X-CSRFToken", browser.Cookie("csrftoken")}});
  EXPECT_EQ(right.status, 201) << right.body;
}

TEST_F(SecurityTest, BodiesOverTheLimitGet413WithAClearMessage) {
  int64_t pid = CreateProject("<View><Text name=\"text\" value=\"$text\"/></View>");
  std::string target = "/api/projects/" + std::to_string(pid) + "/import";
  // The declared length alone is enough: the server answers before reading a body.
  std::string raw = Admin().RawExchange("POST " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Token " +
                                        admin_token_ + "\r\nContent-Type: application/json\r\n"
                                        "Content-Length: 2000000\r\n\r\n[");
  EXPECT_EQ(raw.rfind("HTTP/1.1 413", 0), 0u) << raw.substr(0, 300);
  EXPECT_NE(raw.find("larger than the server's limit of 1 MiB"), std::string::npos) << raw;
  EXPECT_NE(raw.find("application/json"), std::string::npos) << raw.substr(0, 300);
  // A real 1.5 MiB body: a 413 if the reply arrives before the server closes
  // the connection on the unread rest (the client may instead see a reset).
  std::string big = "[";
  while (big.size() < (3u << 19)) big += R"({"text": "0123456789012345678901234567890123456789"},)";
  big += R"({"text": "end"}])";
  try {
    Reply r = Admin().Request("POST", target, big, {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 413) << r.body.substr(0, 300);
  } catch (const std::exception& e) {
    std::printf("1.5 MiB upload: connection closed early (%s), as allowed\n", e.what());
  }
  // The server is still fine afterwards, and nothing was imported.
  Reply p = Admin().Get("/api/projects/" + std::to_string(pid));
  ASSERT_EQ(p.status, 200);
  EXPECT_EQ(p.Json()["task_number"], 0);
}

TEST_F(SecurityTest, MediaPathTraversalIsNotFound) {
  int64_t pid = CreateProject("<View><Image name=\"img\" value=\"$image\"/></View>");
  std::string base = "/data/upload/" + std::to_string(pid) + "/";
  fs::path upload = server_->data_dir() / "media" / "upload" / std::to_string(pid);
  fs::create_directories(upload);
  std::ofstream(upload / "ok.png") << "fine";
  std::ofstream(server_->data_dir() / "secret.txt") << "TOP-SECRET";
  fs::create_symlink(server_->data_dir() / "secret.txt", upload / "link.png");
  fs::create_directories(upload / "sub");
  fs::create_directory_symlink(server_->data_dir(), upload / "sub" / "dirlink");
  HttpClient admin = Admin();
  ASSERT_EQ(admin.Get(base + "ok.png").status, 200);
  ExpectSecurityHeaders(admin.Get(base + "ok.png"), "media file");
  const std::vector<std::string> attempts = {
      base + "..%2F..%2F..%2F..%2Fsecret.txt",
      base + "%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Fsecret.txt",
      base + "..%5C..%5C..%5C..%5Csecret.txt",
      base + "..\\..\\..\\..\\secret.txt",
      base + "%2Fetc%2Fpasswd",
      base + "%252E%252E%252F%252E%252E%252Fsecret.txt",
      base + "ok.png%00.txt",
      base + "link.png",
      base + "sub%2Fdirlink%2Fsecret.txt",
      base + ".%2Fok.png",
      "/data/upload/" + std::to_string(pid) + "/../../secret.txt",
      "/data/upload/..%2F" + std::to_string(pid) + "%2Fok.png",
      "/data/upload/" + std::to_string(pid + 1) + "/..%2F" + std::to_string(pid) + "%2Fok.png",
  };
  for (const auto& target : attempts) {
    Reply r = admin.Get(target);
    EXPECT_EQ(r.status, 404) << target << ": " << r.body.substr(0, 200);
    EXPECT_EQ(r.body.find("TOP-SECRET"), std::string::npos) << target;
  }
  // Raw request lines too, in case a client library would have normalized them.
  for (const std::string& target : {base + "../../../../secret.txt", base + "..%2f..%2f..%2f..%2fsecret.txt"}) {
    std::string raw = admin.RawExchange("GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Token " +
                                        admin_token_ + "\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(raw.rfind("HTTP/1.1 404", 0), 0u) << target << ": " << raw.substr(0, 200);
    EXPECT_EQ(raw.find("TOP-SECRET"), std::string::npos) << target;
  }
  // The web app's static files are confined the same way.
  for (const char* target : {"/..%2F..%2F..%2Fetc%2Fpasswd", "/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd"}) {
    Reply r = Anonymous().Get(target);
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << target;
  }
}

}  // namespace
}  // namespace tessera::testing
